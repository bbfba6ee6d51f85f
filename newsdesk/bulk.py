"""Fast inserts: bulk rows by COPY on PostgreSQL (bulk_create elsewhere), and
single new rows by one written-out INSERT.

Bulk imports write tens of thousands of rows. Building a model instance per
row and letting bulk_create prepare its parameters costs more than
PostgreSQL spends storing the row, so on PostgreSQL rows (dicts keyed by
column attribute name) stream in with COPY. Primary keys can be taken from
the table's sequence beforehand, so that rows inserted in the same
transaction point at each other (Django's foreign keys are deferred).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

import orjson
from django.db import connection, models


def _json(value) -> str:
    # orjson: several times faster than the json module; PostgreSQL stores jsonb
    # in its own form, so the spacing does not matter.
    return orjson.dumps(value).decode()


def _copy_value(value) -> str:
    """One value in COPY's text format: None is NULL (\\N), so an empty text
    stays empty in every column; a backslash, tab, newline or carriage return
    inside a text is escaped. JSON values arrive already encoded."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value:
            value = value.replace("\\", "\\\\")
        return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


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

    lines = []
    for number, row in enumerate(rows):
        values = list(row.values())
        if ids is not None:
            values.append(ids[number])
        for position in json_positions:
            if values[position] is not None:
                values[position] = _json(values[position])
        lines.append("\t".join([_copy_value(value) for value in values]))
    lines.append("")
    buffer = io.StringIO("\n".join(lines))

    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in names + (["id"] if ids is not None else []))
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", buffer)
    return ids if ids is not None else [row["id"] for row in rows]


@cache
def _insert_statement(model: type[models.Model], vendor: str, skip_duplicate: bool) -> tuple[list[models.Field], str, bool]:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    returning = connection.features.can_return_columns_from_insert
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
        + (" ON CONFLICT DO NOTHING" if skip_duplicate else "")
        + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")
    )
    return fields, sql, returning


def insert_one(instance: models.Model, *, skip_duplicate: bool = False) -> models.Model | None:
    """Insert a new instance, as `Model.save()` would for a new row (field
    defaults, auto_now, the database's preparation of each value), but with
    one statement built once per model and no signals (none are used). The
    busiest write, a new span and its audit event, spent half its
    Python in the ORM's insert compiler (docs/benchmarks.md).

    `skip_duplicate`: a row that a unique constraint refuses is not inserted
    and None is returned (ON CONFLICT DO NOTHING: no error, no savepoint)."""
    if instance.pk is not None:
        raise ValueError(f"insert_one inserts new rows; this {type(instance).__name__} has id {instance.pk}")
    fields, sql, returning = _insert_statement(type(instance), connection.vendor, skip_duplicate)
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(sql, values)
        if returning:
            row = cursor.fetchone()
            if row is None:  # skipped as a duplicate
                return None
            instance.pk = row[0]
        else:  # SQLite before 3.35: no RETURNING
            if cursor.rowcount == 0:
                return None
            instance.pk = cursor.lastrowid
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
