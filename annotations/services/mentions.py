"""Claim mentions: spans that state a claim."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from annotations.access import access_claim, access_mention, require_annotator, require_work_open
from annotations.errors import Conflict, InvalidInput
from annotations.models import AuditAction, ClaimMention, Layer
from annotations.representations import mention_dict
from annotations.services.audit import record_event
from annotations.services.claims import final_claim
from annotations.services.spans import (
    CODE_POINTS,
    SpanTarget,
    answer_converter,
    checked_span,
    resolve_target,
    stored_edge,
)
from annotations.services.versions import check_version
from newsdesk.bulk import insert_one

MENTION = "mention"


@transaction.atomic
def create_mention(*, annotator, target: SpanTarget, start, end, quote, claim_id, unit: str = CODE_POINTS) -> ClaimMention:
    """Mark `[start, end)` of the target text as stating a claim. Overlapping
    mentions are allowed; the same span for the same claim twice is a conflict
    that carries the first. A mention of a merged claim goes to the surviving one."""
    require_annotator(annotator)
    require_work_open(annotator, target.article)
    start, end = checked_span(target, start, end, quote, unit=unit)
    claim = final_claim(access_claim(annotator, claim_id, with_author=False))
    mention = insert_one(
        ClaimMention(
            claim=claim,
            article=target.article,
            revision=target.revision,
            comment=target.comment,
            start=start,
            end=end,
            quote=quote,
            annotator=annotator,
        ),
        skip_duplicate=True,
    )
    if mention is None:
        twin = _twin(annotator, claim, target, start, end)
        raise Conflict(gettext("You already marked this text as stating this claim."), current=mention_dict(twin, answer_converter(target, unit)))
    record_event(
        actor=annotator, action=AuditAction.CREATE, object_type=MENTION, object_id=mention.pk,
        article_id=mention.article_id, claim_id=claim.pk, after=mention_dict(mention),
    )
    return mention


@transaction.atomic
def update_mention(*, user, mention_id, version, changes: dict, unit: str = CODE_POINTS, from_header: bool = False) -> ClaimMention:
    """Move a mention within its text or point it at another claim."""
    mention = access_mention(user, mention_id, for_update=True, to_change=True)
    unknown = set(changes) - {"start", "end", "quote", "claim"}
    if unknown:
        raise InvalidInput(
            gettext("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, fields={name: [gettext("Not editable.")] for name in unknown}
        )
    start, end, quote, claim = mention.start, mention.end, mention.quote, None
    if {"start", "end", "quote"} & set(changes):
        target = SpanTarget(article=mention.article, revision=mention.revision, comment=mention.comment)
        unit = unit if "start" in changes or "end" in changes else CODE_POINTS
        # An edge not sent stays where it is, said in the unit of the edge that was.
        start, end = checked_span(
            target,
            changes["start"] if "start" in changes else stored_edge(target, mention.start, unit),
            changes["end"] if "end" in changes else stored_edge(target, mention.end, unit),
            changes.get("quote", mention.quote),
            unit=unit,
        )
        quote = changes.get("quote", mention.quote)
    if "claim" in changes:
        claim = final_claim(access_claim(user, changes["claim"], with_author=False))
    claim_id = claim.pk if claim is not None else mention.claim_id
    if (start, end, quote, claim_id) == (mention.start, mention.end, mention.quote, mention.claim_id):
        return mention  # already so (sent twice, or again after a lost answer): nothing to refuse or change
    check_version(mention, version, describe=mention_dict, from_header=from_header, audit_type=MENTION)
    before = mention_dict(mention)
    mention.start, mention.end, mention.quote = start, end, quote
    if claim is not None:
        mention.claim = claim
    mention.version += 1
    try:
        with transaction.atomic():
            mention.save(update_fields=["start", "end", "quote", "claim", "version", "updated_at"])
    except IntegrityError:  # it would repeat another mention of its annotator
        target = SpanTarget(article=mention.article, revision=mention.revision, comment=mention.comment)
        twin = _twin(mention.annotator, mention.claim, target, mention.start, mention.end, layer=mention.layer)
        raise Conflict(
            gettext("That would repeat another mention: the same text for the same claim."), current=mention_dict(twin, answer_converter(target, unit))
        ) from None
    record_event(
        actor=user, action=AuditAction.UPDATE, object_type=MENTION, object_id=mention.pk,
        article_id=mention.article_id, claim_id=mention.claim_id, before=before, after=mention_dict(mention),
    )
    return mention


@transaction.atomic
def delete_mention(*, user, mention_id, version, from_header: bool = False) -> None:
    mention = access_mention(user, mention_id, for_update=True, to_change=True)
    check_version(mention, version, describe=mention_dict, from_header=from_header, audit_type=MENTION)
    record_event(
        actor=user, action=AuditAction.DELETE, object_type=MENTION, object_id=mention.pk,
        article_id=mention.article_id, claim_id=mention.claim_id, before=mention_dict(mention),
    )
    mention.delete()


def _twin(annotator, claim, target: SpanTarget, start: int, end: int, *, layer: str = Layer.ANNOTATION) -> ClaimMention:
    """The stored mention a new or moved one would repeat."""
    return ClaimMention.objects.select_related("annotator").get(
        annotator=annotator, claim=claim, revision=target.revision if target.comment is None else None,
        comment=target.comment, start=start, end=end, layer=layer,
    )


def create_mention_for(*, annotator, article=None, revision=None, comment=None, **span) -> ClaimMention:
    """create_mention with the target given by ids, as the API receives it."""
    target = resolve_target(annotator, article=article, revision=revision, comment=comment)
    return create_mention(annotator=annotator, target=target, **span)
