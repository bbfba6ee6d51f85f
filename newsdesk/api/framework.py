"""What every API endpoint shares: cursor pagination, Idempotency-Key,
versions from If-Match, ETags, and one error shape (authentication and the
role check are in newsdesk/api/auth.py).

    {"error": {"code": "invalid", "message": "…", "fields": {"quote": ["…"]}}}
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import DataError, IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.filters import OrderingFilter
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.errors import Conflict, InvalidInput, ServiceError
from newsdesk.readers import first_line

# Fields as messages name them ("published_after: Enter a valid date."):
# English keeps the API's own names, which clients send; other languages say
# what the field is, as the pages label it. Fields not here keep their names.
FIELD_NAMES = {
    "q": pgettext_lazy("field name in a message", "q"),
    "source": pgettext_lazy("field name in a message", "source"),
    "published_after": pgettext_lazy("field name in a message", "published_after"),
    "published_before": pgettext_lazy("field name in a message", "published_before"),
    "updated_since": pgettext_lazy("field name in a message", "updated_since"),
    "annotated": pgettext_lazy("field name in a message", "annotated"),
    "ordering": pgettext_lazy("field name in a message", "ordering"),
    "page_size": pgettext_lazy("field name in a message", "page_size"),
    "article": pgettext_lazy("field name in a message", "article"),
    "revision": pgettext_lazy("field name in a message", "revision"),
    "comment": pgettext_lazy("field name in a message", "comment"),
    "claim": pgettext_lazy("field name in a message", "claim"),
    "stance": pgettext_lazy("field name in a message", "stance"),
    "start": pgettext_lazy("field name in a message", "start"),
    "end": pgettext_lazy("field name in a message", "end"),
    "quote": pgettext_lazy("field name in a message", "quote"),
    "label": pgettext_lazy("field name in a message", "label"),
    "note": pgettext_lazy("field name in a message", "note"),
    "note_dir": pgettext_lazy("field name in a message", "note_dir"),
    "rationales": pgettext_lazy("field name in a message", "rationales"),
    "text": pgettext_lazy("field name in a message", "text"),
    "claimant": pgettext_lazy("field name in a message", "claimant"),
    "language": pgettext_lazy("field name in a message", "language"),
    "verdict": pgettext_lazy("field name in a message", "verdict"),
    "version": pgettext_lazy("field name in a message", "version"),
    "type": pgettext_lazy("field name in a message", "type"),
    "state": pgettext_lazy("field name in a message", "state"),
    "layer": pgettext_lazy("field name in a message", "layer"),
    "annotator": pgettext_lazy("field name in a message", "annotator"),
}


def field_in_words(name: str) -> str:
    return str(FIELD_NAMES.get(name, name))


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` naming a field the list does not offer is refused; DRF's
    own filter drops it silently and answers in another order."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        invalid = [field for field in fields if field and field not in valid]
        if invalid:
            offered = [name for field in view.ordering_fields for name in (field, f"-{field}")]
            raise exceptions.ValidationError(
                {"ordering": [gettext("Cannot order by %(fields)s; use one of %(offered)s.") % {"fields": ", ".join(invalid), "offered": ", ".join(offered)}]}
            )
        return valid


class ReadOnlyBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's HTML view of a response, for a person exploring the API in a
    browser, without its write forms: those are built from a view's
    serializer, and these views validate with input serializers of their own
    per method (the OpenAPI docs at /api/docs/ show them)."""

    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        return None


class EndpointMetadata(SimpleMetadata):
    """What OPTIONS answers: the endpoint's name, description and media types.
    The fields each method takes are in the OpenAPI schema (/api/schema/), not
    here: the views validate with input serializers of their own per method."""

    def determine_actions(self, request, view):
        return {}


class NewsdeskCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
    # A cursor over a shared updated_at counts rows within the tie; an import
    # batch stamps thousands of comments with one time (DRF's default stops at 1,000).
    offset_cutoff = 1_000_000

    def get_ordering(self, request, queryset, view):
        """The requested ordering, with the id as a tie-breaker: many rows share
        an updated_at (a bulk import, an extraction batch), and a cursor over
        ties the database may return in any order would skip and repeat rows."""
        ordering = list(super().get_ordering(request, queryset, view))
        if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return tuple(ordering)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            # A cursor is an input like any other: a bad one is the client's 400, not a missing page.
            raise InvalidInput(
                gettext("The cursor is not one this API gave out; start from the first page."),
                fields={"cursor": [gettext("Invalid cursor.")]},
            ) from None


ERROR_RESPONSES = {
    "400": "The request is invalid; `fields` names what is wrong.",
    "401": "No credentials, or unknown ones.",
    "403": "Your role, or a read-only token, does not allow this.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation can answer with
    the error shape (400/401/403, and 404 where the path names an object)."""
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = dict(ERROR_RESPONSES)
            if "{" in path:
                codes["404"] = "No such object."
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": {"application/json": {"schema": error_ref}}})
    return result


def requested_version(request) -> tuple[int | None, bool]:
    """(version, from If-Match header). The header wins over a `version` field."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        value = header.removeprefix("W/").strip('"')
        return _as_version(value, "If-Match"), True
    raw = request.data.get("version") if hasattr(request.data, "get") else None
    if raw is None:
        raw = request.query_params.get("version")
    return (_as_version(raw, "version") if raw is not None else None), False


def _as_version(value, field: str) -> int:
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            gettext("%(field)s must be a version number, not %(value)r.") % {"field": field_in_words(field), "value": value},
            fields={field: [gettext("A whole number is required.")]},
        ) from None
    if version < 1:
        raise InvalidInput(
            gettext("%(field)s must be 1 or more.") % {"field": field_in_words(field)}, fields={field: [gettext("Versions start at 1.")]}
        )
    return version


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


def _error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@csrf_exempt
def no_such_endpoint(request, **kwargs):
    """Any path under /api/v1/ that names no endpoint: the API's error shape,
    not an HTML page, and never a redirect (which would drop a POST's body)."""
    message = gettext("No API endpoint at %(path)s.") % {"path": request.path}
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").func is not no_such_endpoint:
                message += " " + gettext("API paths end with a slash: %(path)s/") % {"path": request.path}
        except Resolver404:
            pass
    return JsonResponse(_error_body("not_found", message), status=404)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field.sub[0]": ["message"]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list) and detail and all(isinstance(item, (dict, list)) for item in detail):
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}[{index}]"))
        return out
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def exception_handler(exc, context):
    """Every error in one shape; conflicts also carry the current state."""
    if isinstance(exc, ServiceError):
        body = _error_body(exc.code, exc.message, exc.fields)
        if isinstance(exc, Conflict):
            body["current"] = exc.current
            body["changed_by"] = exc.changed_by
        return Response(body, status=exc.status)
    if isinstance(exc, ModelValidationError):
        # A model check (full_clean) the input serializer did not anticipate.
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, DataError):
        # A value the database cannot hold (a number or date out of its range).
        # The detail is the database's own words.
        return Response(_error_body("invalid", gettext("A value is out of range: %(detail)s") % {"detail": first_line(exc)}), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or gettext("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), ("", [gettext("Invalid input.")]))
        if first[0] and first[0] != "non_field_errors":
            message = gettext("%(field)s: %(problem)s") % {"field": field_in_words(first[0]), "problem": first[1][0]}
        else:
            message = first[1][0]
        response.data = _error_body("invalid", message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(detail, dict):
            response.data = _error_body(code, gettext("Invalid request."), _flatten(detail))
        else:
            response.data = _error_body(code, str(detail))
    return response


IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotent(request, respond) -> Response:
    """Run `respond()` (a create) once per Idempotency-Key and user; a retry
    with the same key gets the stored answer. The create and the record of its
    answer commit together, so a concurrent duplicate rolls back whole."""
    from annotations.models import IdempotentRequest

    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return respond()
    if len(key) > 100:
        raise InvalidInput(gettext("Idempotency-Key is at most 100 characters."), fields={"Idempotency-Key": [gettext("Too long.")]})
    # The standard library's json: request data may hold integers beyond 64 bits.
    request_hash = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    stored = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    if stored is None:
        try:
            with transaction.atomic():
                response = respond()
                if 200 <= response.status_code < 300:
                    IdempotentRequest.objects.create(
                        user=request.user, key=key, path=request.path, request_hash=request_hash,
                        status=response.status_code, body=response.data,
                    )
            return response
        except (IntegrityError, Conflict):
            # The same request, sent again before the first committed: the
            # first's row, or its answer, now stands in the way. Replay it.
            stored = IdempotentRequest.objects.filter(user=request.user, key=key).first()
            if stored is None:
                raise
    if stored.path != request.path or (stored.request_hash and stored.request_hash != request_hash):
        where = stored.path if stored.path != request.path else gettext("a request with a different body")
        raise InvalidInput(
            gettext("This Idempotency-Key was used for %(where)s; use a new key for each new request.") % {"where": where},
            fields={"Idempotency-Key": [gettext("Already used for another request.")]},
        )
    replay = Response(stored.body, status=stored.status)
    replay["Idempotent-Replayed"] = "true"
    version = stored.body.get("version") if isinstance(stored.body, dict) else None
    return with_etag(replay, version) if version else replay
