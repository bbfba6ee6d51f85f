"""Annotation tasks: "next task" hands out one (article, annotator) slot at a
time, atomically, and the task moves assigned → in progress → submitted →
accepted / changes requested / rejected; skipped and abandoned tasks give
their slot back to the pool.

Concurrency: the campaign's article rows are the pool. "Next task" locks the
first open row nobody else holds (`SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL), so concurrent annotators take different rows instead of waiting,
and the row's `taken` count can never pass the overlap. The partial unique
index on (campaign, article, slot) is the database's own backstop (and what
keeps SQLite, which has no row locks, correct: a collision retries).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from annotations.access import access_campaign, access_task
from annotations.errors import Conflict, InvalidInput, NotAllowed
from annotations.models import (
    OPEN_TASK_STATES,
    SLOT_HOLDING_STATES,
    AnnotationTask,
    CampaignArticle,
    CampaignMember,
    CampaignRole,
    CampaignState,
    TaskState,
)
from annotations.services.notifications import notify

ATTEMPTS = 5
RELEASE_EVERY_SECONDS = 60


def _is_annotator_of(user, campaign) -> bool:
    return CampaignMember.objects.filter(campaign=campaign, user=user, role=CampaignRole.ANNOTATOR).exists()


def next_task(*, annotator, campaign_id) -> AnnotationTask | None:
    """The annotator's open task in this campaign, or a new one on the next
    article that still has a free slot; None when the campaign is done for them."""
    campaign = access_campaign(annotator, campaign_id)
    if campaign.state != CampaignState.ACTIVE:
        raise InvalidInput(f"The campaign is {campaign.state}, not active.", fields={"campaign": ["Not active."]})
    if campaign.member_role != CampaignRole.ANNOTATOR:
        raise NotAllowed("You are not an annotator in this campaign.")
    open_task = (
        AnnotationTask.objects.filter(campaign=campaign, annotator=annotator, state__in=OPEN_TASK_STATES)
        .order_by("id")
        .first()
    )
    if open_task is not None:
        return open_task
    # Abandoned tasks return to the pool at most once a minute per campaign.
    if cache.add(f"newsdesk:release-abandoned:{campaign.id}", True, timeout=RELEASE_EVERY_SECONDS):
        release_abandoned(campaign)
    for _ in range(ATTEMPTS):
        try:
            return _take_slot(campaign, annotator)
        except IntegrityError:  # lost a race for the slot (SQLite): try the next one
            continue
    raise Conflict("Too many annotators asked at once; try again.")


@transaction.atomic
def _take_slot(campaign, annotator) -> AnnotationTask | None:
    mine = AnnotationTask.objects.filter(campaign=campaign, annotator=annotator, article=OuterRef("article"))
    item = (
        CampaignArticle.objects.filter(campaign=campaign, full=False)
        .exclude(Exists(mine))
        .order_by("position")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )
    if item is None:
        return None
    now = timezone.now()
    taken_slots = set(
        AnnotationTask.objects.filter(campaign=campaign, article_id=item.article_id, state__in=SLOT_HOLDING_STATES).values_list("slot", flat=True)
    )
    slot = min(set(range(1, campaign.overlap + 1)) - taken_slots)
    task = AnnotationTask.objects.create(
        campaign=campaign, article_id=item.article_id, annotator=annotator, slot=slot, last_activity_at=now
    )
    item.taken = len(taken_slots) + 1
    item.full = item.taken >= campaign.overlap
    item.save(update_fields=["taken", "full"])
    return task


def give_back_slot(task) -> None:
    CampaignArticle.objects.filter(campaign_id=task.campaign_id, article_id=task.article_id).update(
        taken=F("taken") - 1, full=False
    )


def release_abandoned(campaign, now=None) -> int:
    """Tasks assigned or in progress with no activity for the campaign's
    timeout go back to the pool. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=campaign.abandon_after_minutes)
    released = 0
    stale = AnnotationTask.objects.filter(
        campaign=campaign, state__in=[TaskState.ASSIGNED, TaskState.IN_PROGRESS], last_activity_at__lt=cutoff
    ).values_list("id", flat=True)
    for task_id in list(stale[:500]):
        with transaction.atomic():
            task = AnnotationTask.objects.select_for_update().get(id=task_id)
            if task.state not in (TaskState.ASSIGNED, TaskState.IN_PROGRESS):
                continue
            task.state = TaskState.RELEASED
            task.version += 1
            task.save(update_fields=["state", "version", "updated_at"])
            give_back_slot(task)
            released += 1
    return released


def _working(task, now) -> None:
    """Time spent counts while the task is open, between activities no more
    than the abandon timeout apart (a break does not count as work)."""
    if task.last_activity_at is not None:
        gap = (now - task.last_activity_at).total_seconds()
        if 0 < gap <= task.campaign.abandon_after_minutes * 60:
            task.seconds_spent += int(gap)
    task.last_activity_at = now


@transaction.atomic
def touch_task(*, annotator, task_id) -> AnnotationTask:
    """The annotator opened the task or worked on it."""
    task = access_task(annotator, task_id, to_work=True, for_update=True)
    now = timezone.now()
    if task.state == TaskState.ASSIGNED:
        task.state = TaskState.IN_PROGRESS
        task.started_at = now
    elif task.state not in OPEN_TASK_STATES:
        return task
    _working(task, now)
    task.save(update_fields=["state", "started_at", "last_activity_at", "seconds_spent", "updated_at"])
    return task


@transaction.atomic
def submit_task(*, annotator, task_id) -> AnnotationTask:
    task = access_task(annotator, task_id, to_work=True, for_update=True)
    if task.state not in OPEN_TASK_STATES:
        raise InvalidInput(f"A task that is {task.state} cannot be submitted.", fields={"state": [task.state]})
    now = timezone.now()
    _working(task, now)
    task.state = TaskState.SUBMITTED
    task.submitted_at = now
    task.version += 1
    task.save()
    return task


@transaction.atomic
def skip_task(*, annotator, task_id, reason: str) -> AnnotationTask:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you skip this article.", fields={"reason": ["This field is required."]})
    task = access_task(annotator, task_id, to_work=True, for_update=True)
    if task.state not in (TaskState.ASSIGNED, TaskState.IN_PROGRESS):
        raise InvalidInput(f"A task that is {task.state} cannot be skipped.", fields={"state": [task.state]})
    task.state = TaskState.SKIPPED
    task.skip_reason = reason
    task.version += 1
    task.save()
    give_back_slot(task)
    return task


@transaction.atomic
def reassign_task(*, editor, task_id, to_username: str) -> AnnotationTask:
    """Hand an open task to another annotator of the campaign."""
    from django.contrib.auth import get_user_model

    task = access_task(editor, task_id, to_review=True, for_update=True)
    if task.state not in OPEN_TASK_STATES:
        raise InvalidInput(f"A task that is {task.state} cannot be reassigned.", fields={"state": [task.state]})
    to_user = get_user_model().objects.filter(username=to_username).first()
    if to_user is None or not _is_annotator_of(to_user, task.campaign):
        raise InvalidInput(f"{to_username!r} is not an annotator in this campaign.", fields={"annotator": ["Not a member."]})
    if AnnotationTask.objects.filter(campaign=task.campaign, article=task.article, annotator=to_user).exists():
        raise InvalidInput(f"{to_username} already has this article.", fields={"annotator": ["Already assigned."]})
    task.annotator = to_user
    task.state = TaskState.ASSIGNED
    task.started_at = None
    task.last_activity_at = timezone.now()
    task.version += 1
    task.save()
    notify(to_user, "assigned", f"«{task.campaign.name}»: an article was assigned to you.", f"/campaigns/{task.campaign_id}/")
    return task

