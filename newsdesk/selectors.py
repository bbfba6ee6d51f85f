"""Shared reads of the news domain, with their joins decided once."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Count, QuerySet
from django.db.models.expressions import RawSQL

from newsdesk.models import Article
from newsdesk.text import fold


def articles_for_list() -> QuerySet[Article]:
    return (
        Article.objects.select_related("source")
        .annotate(comment_count=Count("comments"))
        .order_by("-published_at", "-id")
    )


def article_for_reading(article_id: int) -> Article:
    """The article with its current revision, source and comments; raises Article.DoesNotExist."""
    return (
        Article.objects.select_related("source", "current_revision")
        .prefetch_related("comments")
        .get(pk=article_id)
    )


def search_articles(queryset: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Articles whose text or comments match `query`, folded as ARABIC.md F24 says.

    On PostgreSQL: the `arabic` full-text configuration (stemming, `ال`
    stripping) over folded text, indexed (migrations newsdesk 0002, 0003);
    Latin-script words pass through it unstemmed, as whole words. Elsewhere:
    every folded word of the query must occur in the folded text.
    """
    folded = fold(query).strip()
    if not folded:
        return queryset
    if connection.vendor == "postgresql":
        condition = RawSQL(
            "to_tsvector('arabic'::regconfig, newsdesk_article.search_text) @@ plainto_tsquery('arabic'::regconfig, %s)",
            [folded],
            output_field=BooleanField(),
        )
        return queryset.filter(condition)
    for word in folded.split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset
