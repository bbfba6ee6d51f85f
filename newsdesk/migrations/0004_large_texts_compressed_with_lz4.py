"""Store the large texts (an article's search copy; a revision's text, raw
page and removed boilerplate) compressed with lz4 instead of PostgreSQL's
default pglz, which is several times slower to compress and to read back.
Values already stored keep their compression until they are rewritten.
Metadata only: no table is rewritten. A server built without lz4 keeps
pglz."""

from django.db import migrations

LARGE_TEXTS = [
    ("newsdesk_article", "search_text"),
    ("newsdesk_articlerevision", "text"),
    ("newsdesk_articlerevision", "raw_page"),
    ("newsdesk_articlerevision", "removed"),
]


def _set_compression(schema_editor, method: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LARGE_TEXTS:
        schema_editor.execute(
            f"DO $$ BEGIN ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}; "
            "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
        )


def use_lz4(apps, schema_editor):
    _set_compression(schema_editor, "lz4")


def use_default(apps, schema_editor):
    _set_compression(schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [
        ("newsdesk", "0003_drop_simple_search_index"),
    ]

    operations = [
        migrations.RunPython(use_lz4, use_default),
    ]
