"""Review and adjudication: an editor accepts, sends back or rejects
submitted work, and builds the final (gold) layer from what annotators did."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from annotations.access import NO_SUCH, access_campaign, access_mention, access_task
from annotations.errors import InvalidInput, NotAllowed
from annotations.models import (
    AnnotationTask,
    AuditAction,
    CampaignArticle,
    Claim,
    ClaimMention,
    Layer,
    Stance,
    StanceLabel,
    TaskState,
    task_state_in_words,
)
from annotations.representations import task_dict
from annotations.services.audit import record_event
from annotations.services.notifications import notify
from annotations.services.queue import give_back_slot
from annotations.services.stances import describe_stance
from annotations.services.versions import check_version
from newsdesk.bulk import insert_one

DECISIONS = {
    "accept": TaskState.ACCEPTED,
    "request_changes": TaskState.CHANGES_REQUESTED,
    "reject": TaskState.REJECTED,
}
_REVIEWED = {
    "accept": gettext_noop("{editor} accepted your work on «{title}»."),
    "request_changes": gettext_noop("{editor} asked for changes to your work on «{title}»."),
    "reject": gettext_noop("{editor} rejected your work on «{title}»."),
}


@transaction.atomic
def review_task(*, editor, task_id, decision: str, comment: str = "", version=None, from_header: bool = False) -> AnnotationTask:
    """`version`: the task's version the editor decided on; when given, a task
    another editor reviewed meanwhile is a conflict, not silently decided again."""
    task = access_task(editor, task_id, to_review=True, for_update=True)
    if version is not None:
        check_version(task, version, describe=task_dict, from_header=from_header)
    if decision not in DECISIONS:
        raise InvalidInput(
            gettext("Unknown decision %(decision)r.") % {"decision": decision},
            fields={"decision": [gettext("One of %(choices)s.") % {"choices": sorted(DECISIONS)}]},
        )
    if task.state not in (TaskState.SUBMITTED, TaskState.ACCEPTED, TaskState.CHANGES_REQUESTED):
        raise InvalidInput(
            gettext("A task that is %(state)s cannot be reviewed.") % {"state": task_state_in_words(task.state)},
            fields={"state": [task_state_in_words(task.state)]},
        )
    comment = (comment or "").strip()
    if decision == "request_changes" and not comment:
        raise InvalidInput(gettext("Say what should change."), fields={"comment": [gettext("Required when asking for changes.")]})
    if decision == "reject" and not comment:
        # Rejected work leaves the comparison and the agreement figures: the annotator is owed the reason.
        raise InvalidInput(gettext("Say why the work is rejected."), fields={"comment": [gettext("Required when rejecting.")]})
    task.state = DECISIONS[decision]
    task.review_comment = comment
    task.reviewed_by = editor
    task.reviewed_at = timezone.now()
    task.version += 1
    task.save()
    if decision == "reject":
        give_back_slot(task)
    params = {"editor": editor.get_username(), "title": task.article.title[:80], "comment": comment or ""}
    notify(task.annotator, "reviewed", _REVIEWED[decision], params, f"/articles/{task.article_id}/?task={task.id}")
    return task


def _check_in_campaign(campaign, article_id) -> None:
    if not CampaignArticle.objects.filter(campaign=campaign, article_id=article_id).exists():
        raise InvalidInput(
            gettext("Article %(article)s is not in this campaign.") % {"article": article_id}, fields={"article": [gettext("Not in the campaign.")]}
        )


@transaction.atomic
def adjudicate_stance(*, editor, campaign_id, article_id, claim_id, label: str, comment_id=None) -> Stance:
    """Set the final label of an article's (or a comment's) stance toward a claim."""
    campaign = access_campaign(editor, campaign_id, to_manage=True)
    _check_in_campaign(campaign, article_id)
    if label not in campaign.labels or label not in StanceLabel.values:
        raise InvalidInput(
            gettext("%(label)r is not in this campaign's labels.") % {"label": label},
            fields={"label": [gettext("One of %(choices)s.") % {"choices": campaign.labels}]},
        )
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise InvalidInput(NO_SUCH["claim"] % {"id": claim_id}, fields={"claim": [gettext("Unknown claim.")]})
    final = Stance.objects.select_for_update().filter(
        layer=Layer.FINAL, article_id=article_id, comment_id=comment_id, claim=claim
    ).first()
    if final is None:
        final = Stance.objects.create(
            layer=Layer.FINAL, article_id=article_id, comment_id=comment_id, claim=claim, label=label, annotator=editor
        )
        record_event(
            actor=editor, action=AuditAction.CREATE, object_type="stance", object_id=final.pk,
            article_id=article_id, claim_id=claim.pk, after=describe_stance(final),
        )
        return final
    before = describe_stance(final)
    final.label, final.annotator = label, editor
    final.version += 1
    final.save()
    record_event(
        actor=editor, action=AuditAction.UPDATE, object_type="stance", object_id=final.pk,
        article_id=article_id, claim_id=claim.pk, before=before, after=describe_stance(final),
    )
    return final


@transaction.atomic
def adopt_mention(*, editor, campaign_id, mention_id) -> ClaimMention:
    """Copy an annotator's claim mention into the final layer (once)."""
    campaign = access_campaign(editor, campaign_id, to_manage=True)
    mention = access_mention(editor, mention_id)
    _check_in_campaign(campaign, mention.article_id)
    if mention.layer == Layer.FINAL:
        raise InvalidInput(gettext("That mention is already in the final layer."), fields={"mention": [gettext("Already final.")]})
    same = dict(
        layer=Layer.FINAL, article_id=mention.article_id, revision_id=mention.revision_id, comment_id=mention.comment_id,
        start=mention.start, end=mention.end, claim_id=mention.claim_id,
    )
    existing = ClaimMention.objects.filter(**same).first()
    if existing is not None:
        return existing
    final = insert_one(ClaimMention(**same, quote=mention.quote, annotator=editor), skip_duplicate=True)
    if final is None:  # another editor adopted it meanwhile: theirs is the final one
        return ClaimMention.objects.get(**same)
    record_event(
        actor=editor, action=AuditAction.CREATE, object_type="mention", object_id=final.pk,
        article_id=final.article_id, claim_id=final.claim_id, after={"from_mention": mention.pk, "layer": "final"},
    )
    return final


@transaction.atomic
def drop_final_mention(*, editor, campaign_id, mention_id) -> None:
    campaign = access_campaign(editor, campaign_id, to_manage=True)
    mention = access_mention(editor, mention_id, for_update=True)
    if mention.layer != Layer.FINAL:
        raise NotAllowed(gettext("Only final-layer mentions are dropped here."))
    _check_in_campaign(campaign, mention.article_id)
    record_event(
        actor=editor, action=AuditAction.DELETE, object_type="mention", object_id=mention.pk,
        article_id=mention.article_id, claim_id=mention.claim_id, before={"layer": "final", "quote": mention.quote},
    )
    mention.delete()
