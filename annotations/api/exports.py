"""Streaming export endpoints (same functions as `manage.py export`)."""

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from annotations import exports
from annotations.errors import InvalidInput
from annotations.selectors import AnnotationScope
from newsdesk.api import schema
from newsdesk.api.filters import StrictBooleanField
from newsdesk.api.views import LAYER_PARAMETER, OFFSETS_PARAMETER, requested_offsets

ALL_PARAMETER = OpenApiParameter(
    "all", OpenApiTypes.BOOL, description="Include articles without claim mentions or stances (default: annotated ones only)."
)


def _scope(request) -> AnnotationScope:
    return AnnotationScope(viewer=request.user, layer=request.query_params.get("layer", "").strip())


def _include_all(request) -> bool:
    try:
        return bool(StrictBooleanField().to_python(request.query_params.get("all", "")))
    except ValidationError as error:
        raise InvalidInput(gettext("all: %(problem)s") % {"problem": error.messages[0]}, fields={"all": error.messages}) from None


def _stream(chunks, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Accel-Buffering"] = "no"
    return response


@extend_schema(tags=["export"])
class ArticlesJsonlExport(APIView):
    @extend_schema(
        parameters=[OFFSETS_PARAMETER, ALL_PARAMETER, LAYER_PARAMETER],
        responses={(200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="One article document per line.")},
        description="Annotated articles as JSON Lines, streamed: each line equals GET /api/v1/articles/{id}/ with every "
        "expansion. Offsets are Unicode code points, half-open, unless ?offsets=utf16.",
    )
    def get(self, request):
        chunks = exports.iter_articles_jsonl(
            offsets=requested_offsets(request), include_all=_include_all(request), scope=_scope(request)
        )
        return _stream(chunks, "application/jsonl; charset=utf-8", "articles.jsonl")


@extend_schema(tags=["export"])
class WebAnnotationExport(APIView):
    @extend_schema(
        parameters=[ALL_PARAMETER, LAYER_PARAMETER],
        responses={(200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT, description="A W3C AnnotationCollection.")},
        description="Claim mentions and stances as W3C Web Annotations (TextQuoteSelector + TextPositionSelector, "
        "positions in Unicode code points).",
    )
    def get(self, request):
        base_url = request.build_absolute_uri("/").rstrip("/")
        chunks = exports.iter_web_annotations(base_url=base_url, include_all=_include_all(request), scope=_scope(request))
        return _stream(chunks, 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"', "annotations.jsonld")


@extend_schema(tags=["export"])
class StanceCsvExport(APIView):
    @extend_schema(
        parameters=[LAYER_PARAMETER],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per stance.")},
    )
    def get(self, request):
        return _stream(exports.iter_stance_csv(_scope(request)), "text/csv; charset=utf-8", "stances.csv")


@extend_schema(tags=["export"])
class BalyExport(APIView):
    @extend_schema(
        parameters=[LAYER_PARAMETER],
        responses={200: schema.BalyClaimSerializer(many=True)},
        description="The claim-centred stance format of Baly et al. (NAACL 2018); rationale entries are 0-based line numbers. "
        "One stance per article and claim: the final layer's, else the most recently changed.",
    )
    def get(self, request):
        return _stream(exports.iter_baly_json(_scope(request)), "application/json; charset=utf-8", "claims.json")
