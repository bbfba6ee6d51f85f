"""Shared reads of the news domain, with their joins decided once."""

from django.db.models import Count, QuerySet

from newsdesk.models import Article


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
