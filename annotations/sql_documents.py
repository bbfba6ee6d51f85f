"""Article documents built by PostgreSQL, for the JSON Lines export.

The export writes every annotated article as `article_document` (in
annotations/representations.py) shapes it. Building those dicts in Python
costs about 0.4 ms an article, most of it converting rows to Python objects;
PostgreSQL writes the same JSON text from the rows in a fraction of that,
and the export only passes the text on. This module is that second builder:
**it mirrors article_document key for key, so a change to one is a change to
both** — tests/api/test_sql_documents.py compares them on every kind of
field (nulls, spans on comments and on older revisions, rationales, entity
mentions, extraction runs, times with and without microseconds).

The JSON is written by concatenating text (`'{"id":' || a.id || ...`):
PostgreSQL 15's json_build_object looks up each argument's type on every
call and takes twice as long. Code-point offsets only (the default); UTF-16
offsets need the text in Python and take the Python builder.
"""

from __future__ import annotations

from functools import cache

import psycopg2.extensions
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

from annotations.models import Entity, ExtractionRun, StanceRationale
from annotations.representations import CODE_POINTS
from newsdesk.models import Article, ArticleRevision, Comment, Source
from newsdesk.text import RTL_LANGUAGES


def available(offsets: str) -> bool:
    return connection.vendor == "postgresql" and offsets == CODE_POINTS


# --- JSON text from columns: each helper gives SQL whose value is JSON text, never NULL ---


def _number(column: str) -> str:
    return f"COALESCE({column}::text, 'null')"


def _string(column: str) -> str:
    return f"COALESCE(to_json({column})::text, 'null')"


def _choice(column: str) -> str:
    """A column whose values a CHECK constraint limits to plain words: quoted
    without escaping (to_json costs as much as the rest of a field)."""
    return f"""COALESCE('"' || {column} || '"', 'null')"""


def _stored_json(column: str) -> str:
    return f"{column}::text"


def _time(column: str) -> str:
    """representations.iso_time: ISO 8601 in UTC with "Z", microseconds only
    when there are some (as datetime.isoformat writes them)."""
    iso = f"""replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '.000000Z', 'Z')"""
    return f"""COALESCE('"' || {iso} || '"', 'null')"""


def _target_type(alias: str) -> str:
    return f"""CASE WHEN {alias}.comment_id IS NULL THEN '"article"' ELSE '"comment"' END"""


def _object(*fields: tuple[str, str]) -> str:
    """SQL for a JSON object's text; `fields` are (key, SQL for the value's JSON text)."""
    pieces = []
    for position, (key, value) in enumerate(fields):
        pieces.append("'" + ("{" if position == 0 else ",") + f'"{key}":' + "'")
        pieces.append(value)
    pieces.append("'}'")
    return " || ".join(pieces)


def _array(objects: str, order: str) -> str:
    """The JSON text of an array of `objects` (grouped rows), in `order`."""
    return f"'[' || string_agg({objects}, ',' ORDER BY {order}) || ']'"


def _span(alias: str) -> tuple[tuple[str, str], ...]:
    """representations._span, code points."""
    return (
        ("target_type", _target_type(alias)),
        ("article", _number(f"{alias}.article_id")),
        ("revision", _number(f"{alias}.revision_id")),
        ("comment", _number(f"{alias}.comment_id")),
        ("start", _number(f"{alias}.start")),
        ("end", _number(f'{alias}."end"')),
        ("quote", _string(f"{alias}.quote")),
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _query_template() -> str:
    """The document query, with {mentions} and {stances} for the rows the
    reader's scope allows and %(articles)s for the article ids."""
    users = _table(get_user_model())
    annotator = _string("u." + connection.ops.quote_name(get_user_model().USERNAME_FIELD))
    rtl = ", ".join(f"'{language}'" for language in sorted(RTL_LANGUAGES))
    comment = _object(
        ("id", _number("c.id")),
        ("article", _number("c.article_id")),
        ("position", _number("c.position")),
        ("author", _string("c.author")),
        ("title", _string("c.title")),
        ("text", _string("c.text")),
        ("language", _string("c.language")),
        ("direction", f"""CASE WHEN lower(split_part(c.language, '-', 1)) IN ({rtl}) THEN '"rtl"' ELSE '"ltr"' END"""),
        ("posted_at", _time("c.posted_at")),
        ("posted_at_text", _string("c.posted_at_text")),
        ("text_notes", _stored_json("c.text_notes")),
        ("updated_at", _time("c.updated_at")),
    )
    mention = _object(
        ("id", _number("m.id")),
        ("claim", _number("m.claim_id")),
        *_span("m"),
        ("annotator", annotator),
        ("layer", _choice("m.layer")),
        ("version", _number("m.version")),
        ("created_at", _time("m.created_at")),
        ("updated_at", _time("m.updated_at")),
    )
    rationale = _object(("id", _number("r.id")), *_span("r"))
    stance = _object(
        ("id", _number("s.id")),
        ("claim", _number("s.claim_id")),
        ("target_type", _target_type("s")),
        ("article", _number("s.article_id")),
        ("comment", _number("s.comment_id")),
        ("label", _choice("s.label")),
        ("note", _string("s.note")),
        ("note_dir", _string("s.note_dir")),
        ("rationales", "COALESCE(sr.items, '[]')"),
        ("annotator", annotator),
        ("layer", _choice("s.layer")),
        ("version", _number("s.version")),
        ("created_at", _time("s.created_at")),
        ("updated_at", _time("s.updated_at")),
    )
    entity_mention = _object(
        ("id", _number("e.id")),
        ("entity", _number("e.entity_id")),
        ("entity_name", _string("en.canonical_name")),
        ("type", _choice("e.type")),
        *_span("e"),
        ("origin", _string("e.origin")),
        ("status", _choice("e.status")),
        ("extractor_version", _string("e.extractor_version")),
        ("annotator", annotator),
        ("version", _number("e.version")),
        ("updated_at", _time("e.updated_at")),
    )
    extraction = _object(
        ("state", _choice("run.state")),
        ("error", _string("run.error")),
        ("extractor_version", _string("run.extractor_version")),
        ("mentions", _number("run.mentions")),
        ("created_at", _time("run.created_at")),
        ("finished_at", _time("run.finished_at")),
    )
    source = _object(
        ("id", _number("src.id")),
        ("name", _string("src.name")),
        ("slug", _string("src.slug")),
        ("domain", _string("src.domain")),
        ("language", _string("src.language")),
    )
    revision = _object(
        ("id", _number("rev.id")),
        ("number", _number("rev.number")),
        ("text", _string("rev.text")),
        ("blocks", _stored_json("rev.blocks")),
        ("text_notes", _stored_json("rev.text_notes")),
    )
    document = _object(
        ("id", _number("a.id")),
        ("url", _string("a.url")),
        ("title", _string("a.title")),
        ("source", source),
        ("language", _string("a.language")),
        ("direction", _string("a.direction")),
        ("published_at", _time("a.published_at")),
        ("published_at_text", _string("a.published_at_text")),
        ("revision", revision),
        ("extraction_state", _choice("run.state")),
        ("created_at", _time("a.created_at")),
        ("updated_at", _time("a.updated_at")),
        ("extraction", f"CASE WHEN run.id IS NULL THEN 'null' ELSE {extraction} END"),
        ("offsets", f"""'"{CODE_POINTS}"'"""),
        ("comments", "COALESCE(comments.items, '[]')"),
        ("mentions", "COALESCE(mentions.items, '[]')"),
        ("stances", "COALESCE(stances.items, '[]')"),
        ("entities", "COALESCE(entities.items, '[]')"),
    )
    # Orders as annotations/selectors.py reads them: comments by position;
    # spans and stances article first, then by comment, start and id.
    span_order = "{0}.comment_id NULLS FIRST, {0}.start, {0}.id"
    return f"""
WITH comments AS (
    SELECT c.article_id, {_array(comment, "c.position, c.id")} AS items
    FROM {_table(Comment)} c WHERE c.article_id = ANY(%(articles)s::bigint[]) GROUP BY c.article_id
), mentions AS (
    SELECT m.article_id, {_array(mention, span_order.format("m"))} AS items
    FROM ({{mentions}}) m LEFT JOIN {users} u ON u.id = m.annotator_id
    WHERE m.article_id = ANY(%(articles)s::bigint[]) GROUP BY m.article_id
), stance_rationales AS (
    SELECT r.stance_id, {_array(rationale, "r.position, r.id")} AS items
    FROM {_table(StanceRationale)} r WHERE r.article_id = ANY(%(articles)s::bigint[]) GROUP BY r.stance_id
), stances AS (
    SELECT s.article_id, {_array(stance, "s.comment_id NULLS FIRST, s.id")} AS items
    FROM ({{stances}}) s LEFT JOIN stance_rationales sr ON sr.stance_id = s.id LEFT JOIN {users} u ON u.id = s.annotator_id
    WHERE s.article_id = ANY(%(articles)s::bigint[]) GROUP BY s.article_id
), entities AS (
    SELECT e.article_id, {_array(entity_mention, span_order.format("e"))} AS items
    FROM ({{entities}}) e
    LEFT JOIN {_table(Entity)} en ON en.id = e.entity_id
    LEFT JOIN {users} u ON u.id = e.annotator_id
    WHERE e.article_id = ANY(%(articles)s::bigint[]) GROUP BY e.article_id
), runs AS (
    SELECT DISTINCT ON (article_id) * FROM {_table(ExtractionRun)}
    WHERE article_id = ANY(%(articles)s::bigint[]) ORDER BY article_id, id DESC
)
SELECT a.id, {document}
FROM {_table(Article)} a
JOIN {_table(Source)} src ON src.id = a.source_id
JOIN {_table(ArticleRevision)} rev ON rev.id = a.current_revision_id
LEFT JOIN runs run ON run.article_id = a.id
LEFT JOIN comments ON comments.article_id = a.id
LEFT JOIN mentions ON mentions.article_id = a.id
LEFT JOIN stances ON stances.article_id = a.id
LEFT JOIN entities ON entities.article_id = a.id
WHERE a.id = ANY(%(articles)s::bigint[])
ORDER BY a.id
"""


def document_lines(article_ids: list[int], mentions: QuerySet, stances: QuerySet, entities: QuerySet) -> list[bytes]:
    """The JSON text of each article's document (every expansion), in id order
    (`article_ids` ascending), as UTF-8 bytes: the export sends them on as
    they come, without decoding and encoding again.

    `mentions`, `stances` and `entities` are the ClaimMention, Stance and
    EntityMention querysets the reader may see (their scope); only their rows
    of these articles are read.
    """
    with connection.cursor() as cursor:

        def rows_of(queryset: QuerySet) -> str:
            # The scope's own SQL, with its values quoted in by the driver, read
            # as a table; bounded by the chunk's first and last id (cheaper to
            # compile than the list of ids, which the query applies itself).
            within = queryset.filter(article_id__gte=article_ids[0], article_id__lte=article_ids[-1])
            columns = [field.attname for field in queryset.model._meta.concrete_fields]
            sql, params = within.order_by().values(*columns).query.sql_with_params()
            return cursor.mogrify(sql, params).decode().replace("%", "%%")

        sql = _query_template()
        for name, queryset in (("mentions", mentions), ("stances", stances), ("entities", entities)):
            sql = sql.replace("{" + name + "}", rows_of(queryset))
        psycopg2.extensions.register_type(psycopg2.extensions.BYTES, cursor.cursor)
        cursor.execute(sql, {"articles": article_ids})
        return [line for _, line in cursor.fetchall()]
