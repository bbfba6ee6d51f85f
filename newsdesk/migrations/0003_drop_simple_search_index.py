"""Drop the `simple` full-text index on articles: the `arabic` configuration
already indexes Latin-script words as `simple` does (its Snowball stemmer
changes Arabic letters only), so every `simple` match was an `arabic` match
too, and the second GIN index doubled the cost of every import
(tests/newsdesk/test_postgres_search.py shows the equivalence)."""

from django.db import migrations


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_simple")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_simple ON newsdesk_article "
            "USING gin ((to_tsvector('simple'::regconfig, search_text)))"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsdesk", "0002_article_search_text"),
    ]

    operations = [
        migrations.RunPython(drop_index, create_index),
    ]
