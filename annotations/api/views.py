"""API endpoints for claims, claim mentions, stances, entities, the audit
trail and deletions. Each write validates its input, calls one service and
answers with the object's representation (and its version as an ETag)."""

from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from annotations.access import (
    access_claim,
    access_entity,
    access_entity_mention,
    access_mention,
    access_stance,
    findable_claims,
    visible_annotations,
    visible_audit_events,
    visible_entity_mentions,
)
from annotations.api import serializers as inputs
from annotations.errors import InvalidInput
from annotations.models import AuditAction, AuditEvent, Claim, ClaimMention, Entity, EntityMention, Stance
from annotations.representations import (
    claim_dict,
    entity_dict,
    entity_mention_dict,
    iso_time,
    mention_dict,
    offset_converter,
    stance_dict,
)
from annotations.selectors import (
    claim_mentions_across_articles,
    entity_appearances,
    entity_bodies,
    stance_summary_by_source,
)
from annotations.services import claims, entities, mentions, stances
from annotations.services.spans import CODE_POINTS, UTF16
from newsdesk.api import filters, schema
from newsdesk.api.framework import (
    NewsdeskCursorPagination,
    StrictOrderingFilter,
    idempotent,
    requested_version,
    with_etag,
)
from newsdesk.api.views import OFFSETS_PARAMETER, ListedViewSet, requested_offsets

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="Any unique string (at most 100 characters): a retry with the same key returns the first answer instead of creating twice.",
)
VERSION_PARAMETER = OpenApiParameter(
    "version", OpenApiTypes.INT, description="The version being deleted (or send If-Match: \"<version>\")."
)
WRITE_ERRORS = {
    400: schema.ErrorSerializer,
    403: schema.ErrorSerializer,
    404: schema.ErrorSerializer,
    409: schema.ConflictSerializer,
    412: schema.ConflictSerializer,
}


def validated(serializer_class, request, *, partial: bool = False) -> dict:
    """The request body checked by `serializer_class`. A field it does not know
    is refused, not dropped: a typo ("verdit") or a field that cannot change
    (a stance's claim) must not answer 200 as if it had been applied."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    if hasattr(request.data, "keys"):
        unknown = sorted(set(request.data.keys()) - set(serializer.fields))
        if unknown:
            raise InvalidInput(
                gettext("Unknown or unchangeable field(s): %(fields)s.") % {"fields": ", ".join(unknown)},
                fields={name: [gettext("This field is not accepted here.")] for name in unknown},
            )
    return dict(serializer.validated_data)


def span_converter(unit: str):
    """`converter(span)` turning a mention's or rationale's code points into
    `unit` in its own text (None: code points, nothing to convert)."""
    if unit != UTF16:
        return None
    return lambda span: offset_converter(span.comment.text if span.comment_id else span.revision.text, UTF16)


def _in_units(describe):
    """`describe(span, convert)` as `body(span, unit)`: the span's offsets in `unit`."""

    def body(span, unit: str = CODE_POINTS) -> dict:
        converter = span_converter(unit)
        return describe(span, converter(span) if converter else int)

    return body


_mention_body = _in_units(mention_dict)
_entity_mention_body = _in_units(entity_mention_dict)


def _changes(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in ("version", "offsets")}


@extend_schema(tags=["annotations"])
class ClaimViewSet(ListedViewSet):
    queryset = Claim.objects.select_related("created_by")
    filterset_class = filters.ClaimFilter
    represent = staticmethod(claim_dict)

    def get_queryset(self):
        return findable_claims(self.request.user, super().get_queryset())

    @extend_schema(responses=schema.ClaimSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=inputs.ClaimCreateInputSerializer, parameters=[IDEMPOTENCY_PARAMETER], responses={201: schema.ClaimSerializer, **WRITE_ERRORS})
    def create(self, request):
        data = validated(inputs.ClaimCreateInputSerializer, request)

        def respond():
            claim = claims.create_claim(user=request.user, **data)
            return with_etag(Response(claim_dict(claim), status=status.HTTP_201_CREATED), claim.version)

        return idempotent(request, respond)

    @extend_schema(responses={200: schema.ClaimDetailSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        """The claim, every mention of it across articles, and how each source stands on it."""
        claim = access_claim(request.user, pk)
        body = {
            **claim_dict(claim),
            "mentions": claim_mentions_across_articles(claim, viewer=request.user),
            "stance_summary": stance_summary_by_source(claim, viewer=request.user),
        }
        return with_etag(Response(body), claim.version)

    @extend_schema(request=inputs.ClaimUpdateInputSerializer, responses={200: schema.ClaimSerializer, **WRITE_ERRORS})
    def partial_update(self, request, pk=None):
        data = validated(inputs.ClaimUpdateInputSerializer, request, partial=True)
        version, from_header = requested_version(request)
        claim = claims.update_claim(user=request.user, claim_id=pk, version=version, changes=_changes(data), from_header=from_header)
        return with_etag(Response(claim_dict(claim)), claim.version)

    @extend_schema(parameters=[VERSION_PARAMETER], responses={204: None, **WRITE_ERRORS})
    def destroy(self, request, pk=None):
        version, from_header = requested_version(request)
        claims.delete_claim(user=request.user, claim_id=pk, version=version, from_header=from_header)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=inputs.ClaimMergeInputSerializer, responses={200: schema.ClaimSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this (duplicate) claim into another; its mentions and stances move there."""
        data = validated(inputs.ClaimMergeInputSerializer, request)
        target = claims.merge_claims(editor=request.user, claim_id=pk, into_id=data["into"])
        return with_etag(Response(claim_dict(target)), target.version)


class VisibleAnnotationsMixin:
    """Blind campaigns hide other annotators' work from annotators (`visible`
    says what one may see). Lists take ?offsets=utf16: `in_utf16(queryset)`
    reads the texts the spans lie in, and `represent(obj, unit)` writes each
    annotation."""

    visible = staticmethod(visible_annotations)

    def get_queryset(self):
        return self.visible(self.request.user, super().get_queryset())

    def list(self, request, *args, **kwargs):
        unit = requested_offsets(request)
        queryset = self.filter_queryset(self.get_queryset())
        if unit == UTF16:
            queryset = self.in_utf16(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([self.represent(annotation, unit) for annotation in page])


@extend_schema(tags=["annotations"])
class ClaimMentionViewSet(VisibleAnnotationsMixin, ListedViewSet):
    queryset = ClaimMention.objects.select_related("annotator")
    filterset_class = filters.ClaimMentionFilter
    represent = staticmethod(_mention_body)

    @staticmethod
    def in_utf16(queryset):
        return queryset.select_related("revision", "comment")

    @extend_schema(parameters=[OFFSETS_PARAMETER], responses=schema.ClaimMentionSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=inputs.ClaimMentionCreateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: schema.ClaimMentionSerializer, **WRITE_ERRORS},
        description="Mark [start, end) — Unicode code points, half-open — of an article revision or a comment as "
        "stating a claim. The quote must equal the text at those offsets. An annotator marks a span for a claim "
        "once: the same span and claim again is a 409 carrying the first mention.",
    )
    def create(self, request):
        data = validated(inputs.ClaimMentionCreateInputSerializer, request)

        def respond():
            mention = mentions.create_mention_for(
                annotator=request.user,
                article=data.get("article"),
                revision=data.get("revision"),
                comment=data.get("comment"),
                start=data["start"],
                end=data["end"],
                quote=data["quote"],
                claim_id=data["claim"],
                unit=data["offsets"],
            )
            return with_etag(Response(_mention_body(mention, data["offsets"]), status=status.HTTP_201_CREATED), mention.version)

        return idempotent(request, respond)

    @extend_schema(parameters=[OFFSETS_PARAMETER], responses={200: schema.ClaimMentionSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        mention = access_mention(request.user, pk)
        return with_etag(Response(_mention_body(mention, requested_offsets(request))), mention.version)

    @extend_schema(request=inputs.ClaimMentionUpdateInputSerializer, responses={200: schema.ClaimMentionSerializer, **WRITE_ERRORS})
    def partial_update(self, request, pk=None):
        data = validated(inputs.ClaimMentionUpdateInputSerializer, request, partial=True)
        version, from_header = requested_version(request)
        mention = mentions.update_mention(
            user=request.user, mention_id=pk, version=version, changes=_changes(data),
            unit=data.get("offsets", CODE_POINTS), from_header=from_header,
        )
        return with_etag(Response(_mention_body(mention, data.get("offsets", CODE_POINTS))), mention.version)

    @extend_schema(parameters=[VERSION_PARAMETER], responses={204: None, **WRITE_ERRORS})
    def destroy(self, request, pk=None):
        version, from_header = requested_version(request)
        mentions.delete_mention(user=request.user, mention_id=pk, version=version, from_header=from_header)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _stance_body(stance: Stance, unit: str = CODE_POINTS) -> dict:
    return stance_dict(stance, list(stance.rationales.all()), span_converter(unit))


@extend_schema(tags=["annotations"])
class StanceViewSet(VisibleAnnotationsMixin, ListedViewSet):
    queryset = Stance.objects.select_related("annotator").prefetch_related("rationales")
    filterset_class = filters.StanceFilter
    represent = staticmethod(_stance_body)

    @staticmethod
    def in_utf16(queryset):
        return queryset.prefetch_related("rationales__revision", "rationales__comment")

    @extend_schema(parameters=[OFFSETS_PARAMETER], responses=schema.StanceSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=inputs.StanceCreateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: schema.StanceSerializer, **WRITE_ERRORS},
        description="Set the stance of an article or a comment toward a claim, with rationale spans "
        "(Unicode code points, half-open). One per annotator, target and claim: a second is a 409 "
        "carrying the existing stance.",
    )
    def create(self, request):
        data = validated(inputs.StanceCreateInputSerializer, request)
        return idempotent(request, lambda: self._create(request, data))

    def _create(self, request, data):
        stance = stances.set_stance_for(
            annotator=request.user,
            article=data.get("article"),
            comment=data.get("comment"),
            claim_id=data["claim"],
            label=data["label"],
            note=data["note"],
            note_dir=data["note_dir"],
            rationales=[dict(item) for item in data["rationales"]],
            unit=data["offsets"],
        )
        return with_etag(Response(_stance_body(stance, data["offsets"]), status=status.HTTP_201_CREATED), stance.version)

    @extend_schema(parameters=[OFFSETS_PARAMETER], responses={200: schema.StanceSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        stance = access_stance(request.user, pk)
        return with_etag(Response(_stance_body(stance, requested_offsets(request))), stance.version)

    @extend_schema(request=inputs.StanceUpdateInputSerializer, responses={200: schema.StanceSerializer, **WRITE_ERRORS})
    def partial_update(self, request, pk=None):
        data = validated(inputs.StanceUpdateInputSerializer, request, partial=True)
        version, from_header = requested_version(request)
        changes = _changes(data)
        if "rationales" in changes:
            changes["rationales"] = [dict(item) for item in changes["rationales"]]
        stance = stances.update_stance(
            user=request.user, stance_id=pk, version=version, changes=changes,
            unit=data.get("offsets", CODE_POINTS), from_header=from_header,
        )
        return with_etag(Response(_stance_body(stance, data.get("offsets", CODE_POINTS))), stance.version)

    @extend_schema(parameters=[VERSION_PARAMETER], responses={204: None, **WRITE_ERRORS})
    def destroy(self, request, pk=None):
        version, from_header = requested_version(request)
        stances.delete_stance(user=request.user, stance_id=pk, version=version, from_header=from_header)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["entities"])
class EntityViewSet(ListedViewSet):
    queryset = Entity.objects.all()
    filterset_class = filters.EntityFilter
    represent = staticmethod(entity_dict)

    @extend_schema(responses=schema.EntitySerializer(many=True))
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(entity_bodies(list(page), request.user))

    @extend_schema(responses={200: schema.EntityDetailSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        """The entity, the articles where it appears, and the claims in those articles."""
        entity = access_entity(request.user, pk)
        (body,) = entity_bodies([entity], request.user)
        return with_etag(Response({**body, **entity_appearances(entity, viewer=request.user)}), entity.version)

    @extend_schema(request=inputs.EntityRenameInputSerializer, responses={200: schema.EntitySerializer, **WRITE_ERRORS})
    def partial_update(self, request, pk=None):
        """Rename the entity (editors); a name another entity has is refused: merge them."""
        data = validated(inputs.EntityRenameInputSerializer, request, partial=True)
        version, from_header = requested_version(request)
        entity = entities.rename_entity(
            editor=request.user, entity_id=pk, version=version, canonical_name=data.get("canonical_name", ""), from_header=from_header
        )
        return with_etag(Response(entity_dict(entity)), entity.version)

    @extend_schema(request=inputs.EntityMergeInputSerializer, responses={200: schema.EntitySerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this (duplicate) entity into another (editors)."""
        data = validated(inputs.EntityMergeInputSerializer, request)
        target = entities.merge_entities(editor=request.user, entity_id=pk, into_id=data["into"])
        return with_etag(Response(entity_dict(target)), target.version)

    @extend_schema(request=inputs.EntitySplitInputSerializer, responses={201: schema.EntitySerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Move some of this entity's mentions to a new entity (editors)."""
        data = validated(inputs.EntitySplitInputSerializer, request)
        new = entities.split_entity(editor=request.user, entity_id=pk, mention_ids=data["mentions"], canonical_name=data["canonical_name"])
        return with_etag(Response(entity_dict(new), status=status.HTTP_201_CREATED), new.version)


@extend_schema(tags=["entities"])
class EntityMentionViewSet(VisibleAnnotationsMixin, ListedViewSet):
    queryset = EntityMention.objects.select_related("entity", "annotator")
    filterset_class = filters.EntityMentionFilter
    represent = staticmethod(_entity_mention_body)
    visible = staticmethod(visible_entity_mentions)

    @staticmethod
    def in_utf16(queryset):
        return queryset.select_related("revision", "comment")

    @extend_schema(parameters=[OFFSETS_PARAMETER], responses=schema.EntityMentionSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[OFFSETS_PARAMETER], responses={200: schema.EntityMentionSerializer, 404: schema.ErrorSerializer})
    def retrieve(self, request, pk=None):
        mention = access_entity_mention(request.user, pk)
        return with_etag(Response(_entity_mention_body(mention, requested_offsets(request))), mention.version)

    @extend_schema(
        request=inputs.EntityMentionCreateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: schema.EntityMentionSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        """Mark an entity the extractor missed (Unicode code points, half-open; or UTF-16 with
        `"offsets": "utf16"`, answered in UTF-16). The same text marked again as the same type
        by the same person is a 409 carrying the first."""
        data = validated(inputs.EntityMentionCreateInputSerializer, request)

        def respond():
            mention = entities.add_entity_mention(
                user=request.user, entity_type=data["type"], start=data["start"], end=data["end"], quote=data["quote"],
                article=data.get("article"), revision=data.get("revision"), comment=data.get("comment"), unit=data["offsets"],
            )
            return with_etag(Response(_entity_mention_body(mention, data["offsets"]), status=status.HTTP_201_CREATED), mention.version)

        return idempotent(request, respond)

    @extend_schema(request=inputs.EntityMentionReviewInputSerializer, responses={200: schema.EntityMentionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Accept, reject or retype a suggested mention; the decision outlives re-extraction and trains the next model."""
        data = validated(inputs.EntityMentionReviewInputSerializer, request)
        version, from_header = requested_version(request)
        mention = entities.review_entity_mention(
            user=request.user, mention_id=pk, action=data["action"], version=version, entity_type=data.get("type"),
            from_header=from_header,
        )
        return with_etag(Response(entity_mention_dict(mention)), mention.version)


def audit_event_dict(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "at": iso_time(event.at),
        "actor": event.actor.get_username() if event.actor_id else None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "article": event.article_id,
        "claim": event.claim_id,
        "before": event.before,
        "after": event.after,
    }


@extend_schema(tags=["audit"])
class AuditEventViewSet(ListedViewSet):
    """Who changed what and when, per article, per claim or per user."""

    queryset = AuditEvent.objects.select_related("actor")
    filterset_class = filters.AuditEventFilter
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["id"]
    represent = staticmethod(audit_event_dict)
    pagination_class = NewsdeskCursorPagination

    def get_queryset(self):
        return visible_audit_events(self.request.user, super().get_queryset())

    @extend_schema(responses=schema.AuditEventSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


def deletion_dict(event: AuditEvent) -> dict:
    return {
        "object_type": event.object_type,
        "object_id": event.object_id,
        "deleted_at": iso_time(event.at),
        "article": event.article_id,
    }


@extend_schema(tags=["sync"])
class DeletionViewSet(ListedViewSet):
    """Tombstones: what was deleted, so a mirror can delete it too. Ask for
    `?updated_since=` the time of your last sync, as with every list."""

    queryset = AuditEvent.objects.filter(action=AuditAction.DELETE)
    filterset_class = filters.DeletionFilter
    ordering_fields = ["id"]
    represent = staticmethod(deletion_dict)

    def get_queryset(self):
        return visible_audit_events(self.request.user, super().get_queryset())

    @extend_schema(responses=schema.DeletionSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
