"""Fast bulk inserts of plain rows: COPY on PostgreSQL, bulk_create elsewhere.

Bulk imports write tens of thousands of rows. Building a model instance per
row and letting bulk_create prepare its parameters costs more than
PostgreSQL spends storing the row, so on PostgreSQL rows (dicts keyed by
column attribute name) stream in with COPY. Primary keys can be taken from
the table's sequence beforehand, so that rows inserted in the same
transaction point at each other (Django's foreign keys are deferred).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import orjson
from django.db import connection, models


def _json(value) -> str:
    # orjson: several times faster than the json module; PostgreSQL stores jsonb
    # in its own form, so the spacing does not matter.
    return orjson.dumps(value).decode()


def allocate_ids(model: type[models.Model], count: int) -> list[int] | None:
    """`count` primary keys from the table's sequence on PostgreSQL; None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def insert_rows(model: type[models.Model], rows: Sequence[dict]) -> list[int]:
    """Insert `rows` (all with the same keys: field attribute names) and return their
    primary keys. Runs inside the caller's transaction; no validation, no signals.

    Rows may carry their own "id" (from `allocate_ids`); otherwise one is allocated.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objects]
    fields = {field.attname: field for field in model._meta.concrete_fields}
    names = list(rows[0])
    ids = None if "id" in names else allocate_ids(model, len(rows))
    unknown = [name for name in names if name not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {unknown}")
    json_positions = [i for i, name in enumerate(names) if isinstance(fields[name], models.JSONField)]
    nullable = [fields[name].column for name in names if fields[name].null]

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for number, row in enumerate(rows):
        values = list(row.values())
        if ids is not None:
            values.append(ids[number])
        for position in json_positions:
            values[position] = _json(values[position])
        writer.writerow(values)
    buffer.seek(0)

    quote = connection.ops.quote_name
    # Every value is quoted; csv writes None as "", which FORCE_NULL turns into NULL
    # in nullable columns (none of which is free text, so "" is never meant literally).
    options = "FORMAT csv" + (f", FORCE_NULL ({', '.join(quote(c) for c in nullable)})" if nullable else "")
    columns = ", ".join(quote(fields[name].column) for name in names + (["id"] if ids is not None else []))
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH ({options})", buffer)
    return ids if ids is not None else [row["id"] for row in rows]
