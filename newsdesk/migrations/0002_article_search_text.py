"""Folded search text for articles, and on PostgreSQL its full-text indexes.

Arabic words go through the built-in `arabic` Snowball configuration; a
second `simple` index serves English captions and quotes, which the `arabic`
configuration would stem as if they were Arabic (ARABIC.md F25–F27).
"""

from django.db import migrations, models

INDEXES = {
    "article_search_arabic": "to_tsvector('arabic'::regconfig, search_text)",
    "article_search_simple": "to_tsvector('simple'::regconfig, search_text)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON newsdesk_article USING gin (({expression}))")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def backfill(apps, schema_editor):
    """Fill search_text for articles imported before this migration, 500 at a
    time. Rerunnable: it only touches rows whose search_text is empty."""
    from django.db.models import Prefetch

    Article = apps.get_model("newsdesk", "Article")
    Comment = apps.get_model("newsdesk", "Comment")
    fold = _fold_function()
    last_id = 0
    while True:
        batch = list(
            Article.objects.filter(search_text="", id__gt=last_id)
            .select_related("current_revision")
            .prefetch_related(Prefetch("comments", queryset=Comment.objects.only("article_id", "text")))
            .order_by("id")[:500]
        )
        if not batch:
            return
        for article in batch:
            text = article.current_revision.text if article.current_revision_id else article.title
            article.search_text = fold("\n".join([text, *(c.text for c in article.comments.all())]))
        Article.objects.bulk_update(batch, ["search_text"])
        last_id = batch[-1].id


def _fold_function():
    # The folding rules as of this migration (ARABIC.md F24), kept here so the
    # migration does not depend on project code that may change.
    drop = {chr(c): None for c in range(0x064B, 0x0653)}
    drop.update({"\u0670": None, "\u0640": None})
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u200e\u200f\u200b\u200c\u200d\ufeff\"'«»“”„‘’‹›":
        drop[ch] = None
    mapping = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "\u00a0": " "}
    mapping.update({chr(0x0660 + d): str(d) for d in range(10)})
    mapping.update({chr(0x06F0 + d): str(d) for d in range(10)})
    table = str.maketrans({**drop, **mapping})
    return lambda text: text.translate(table).lower()


class Migration(migrations.Migration):
    dependencies = [
        ("newsdesk", "0001_news_sources_articles_comments"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
