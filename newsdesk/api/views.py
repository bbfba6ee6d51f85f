"""Read endpoints of the news domain: sources, articles, comments, revisions."""

from functools import cache
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from annotations.access import access_article, access_comment, access_revision
from annotations.errors import InvalidInput
from annotations.representations import (
    CODE_POINTS,
    EXPANSIONS,
    UTF16,
    article_summary,
    comment_dict,
    iso_time,
    source_dict,
)
from annotations.selectors import LAYER_HELP, AnnotationScope, article_documents, extraction_state_subquery
from newsdesk.api import filters, schema
from newsdesk.api.framework import NewsdeskCursorPagination, StrictOrderingFilter
from newsdesk.models import Article, Comment, Source

LAYER_PARAMETER = OpenApiParameter("layer", OpenApiTypes.STR, description=LAYER_HELP)
EXPAND_PARAMETER = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    description="Comma-separated: " + ", ".join(EXPANSIONS) + ".",
)
OFFSETS_PARAMETER = OpenApiParameter(
    "offsets",
    OpenApiTypes.STR,
    enum=[CODE_POINTS, UTF16],
    description="Unit of every start/end: Unicode code points (default) or UTF-16 code units (for JavaScript).",
)


def requested_expansions(request) -> list[str]:
    raw = request.query_params.get("expand", "")
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in EXPANSIONS]
    if unknown:
        raise InvalidInput(
            gettext("Cannot expand %(names)s.") % {"names": ", ".join(unknown)},
            fields={"expand": [gettext("Choose from %(choices)s.") % {"choices": ", ".join(EXPANSIONS)}]},
        )
    return wanted


def requested_offsets(request) -> str:
    unit = request.query_params.get("offsets", CODE_POINTS)
    if unit not in (CODE_POINTS, UTF16):
        raise InvalidInput(gettext("Unknown offset unit %(unit)r.") % {"unit": unit}, fields={"offsets": [gettext("Use code_points or utf16.")]})
    return unit


class ListedViewSet(viewsets.GenericViewSet):
    """Cursor-paginated lists built with a representation function."""

    pagination_class = NewsdeskCursorPagination
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["id", "updated_at"]
    ordering = ["-id"]
    represent = staticmethod(lambda obj: obj)

    def filter_queryset(self, queryset):
        # Building a FilterSet costs about 2 ms; most list requests name no filter.
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None and not any(name in self.request.query_params for name in filterset_class.base_filters):
            backends = [backend for backend in self.filter_backends if backend is not DjangoFilterBackend]
            for backend in backends:
                queryset = backend().filter_queryset(self.request, queryset, self)
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([self.represent(obj) for obj in page])


@extend_schema(tags=["news"])
class SourceViewSet(ListedViewSet):
    queryset = Source.objects.all()
    represent = staticmethod(source_dict)
    filterset_class = filters.SourceFilter

    @extend_schema(responses=schema.SourceSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=schema.SourceSerializer)
    def retrieve(self, request, pk=None):
        return Response(source_dict(self.get_object()))


SUMMARY_COLUMNS = (
    "id", "url", "title", "language", "direction", "published_at", "published_at_text",
    "current_revision_id", "extraction_state", "created_at", "updated_at",
)
SOURCE_COLUMNS = ("id", "name", "slug", "domain", "language")


def _summary_from_row(row: dict) -> dict:
    """article_summary over a values() row: lists skip building model instances,
    and leave the times to the renderer (orjson writes a UTC datetime exactly
    as iso_time does, in a tenth of the time: 150 times a page)."""
    source = SimpleNamespace(**{name: row[f"source__{name}"] for name in SOURCE_COLUMNS})
    return article_summary(SimpleNamespace(**{name: row[name] for name in SUMMARY_COLUMNS}, source=source), time=_as_stored)


def _as_stored(value):
    return value


@cache
def _summary_rows() -> QuerySet:
    """The article list's query before its filters and page. Naming its
    columns and its extraction-state subquery took a tenth of a list
    request's Python; built once per process, each request clones it. It
    stands in for get_queryset(), which restricts nothing: every reader sees
    every article (what blind campaigns hide are annotations)."""
    columns = (*SUMMARY_COLUMNS, *(f"source__{name}" for name in SOURCE_COLUMNS))
    return Article.objects.annotate(extraction_state=extraction_state_subquery()).values(*columns)


@extend_schema(tags=["news"])
class ArticleViewSet(ListedViewSet):
    queryset = Article.objects.all()
    filterset_class = filters.ArticleFilter
    represent = staticmethod(_summary_from_row)

    @extend_schema(responses=schema.ArticleSummarySerializer(many=True))
    def list(self, request, *args, **kwargs):
        # Lists show no text: only the summary columns leave the database.
        page = self.paginate_queryset(self.filter_queryset(_summary_rows().all()))
        return self.get_paginated_response([_summary_from_row(row) for row in page])

    @extend_schema(
        parameters=[EXPAND_PARAMETER, OFFSETS_PARAMETER, LAYER_PARAMETER],
        responses={200: schema.ArticleDocumentSerializer, 404: schema.ErrorSerializer},
        description="The article with its current canonical text. Offsets are Unicode code points, half-open, unless ?offsets=utf16.",
    )
    def retrieve(self, request, pk=None):
        expand = requested_expansions(request)
        offsets = requested_offsets(request)
        article = access_article(request.user, pk)
        layer = request.query_params.get("layer", "").strip()
        (document,) = article_documents([article], expand=expand, offsets=offsets, scope=AnnotationScope(request.user, layer))
        return Response(document)


@extend_schema(tags=["news"])
class CommentViewSet(ListedViewSet):
    queryset = Comment.objects.all()
    filterset_class = filters.CommentFilter
    represent = staticmethod(comment_dict)

    @extend_schema(responses=schema.CommentSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: schema.CommentSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        return Response(comment_dict(access_comment(request.user, pk)))


@extend_schema(tags=["news"])
class RevisionViewSet(viewsets.GenericViewSet):
    """Any revision of an article, so spans on older revisions stay readable."""

    queryset = Article.objects.none()

    @extend_schema(responses={200: schema.RevisionDetailSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        revision = access_revision(request.user, pk)
        return Response(
            {
                "id": revision.id,
                "article": revision.article_id,
                "number": revision.number,
                "is_current": revision.article.current_revision_id == revision.id,
                "text": revision.text,
                "blocks": revision.blocks,
                "text_notes": revision.text_notes,
                "created_at": iso_time(revision.created_at),
            }
        )
