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

On PostgreSQL the hand-out is one statement (check that the caller annotates
the active campaign; return their open task if there is one; otherwise lock
the row, count its slots, insert the task, update the row), and so is
submitting one's own open task: a call costs one round trip instead of seven,
which is what keeps "next task" fast with many annotators on two cores.
Django's ORM cannot express a data-modifying WITH, hence the SQL; whenever
the statement hands out nothing, the ORM path runs and says why (or that the
campaign is done for them). The statement's slot count reads its snapshot,
so in the rare case where another annotator committed a task on the same row
just before, the unique index refuses the duplicate slot and the call
retries, as on SQLite.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from annotations.access import HANDED_IN_STATES, access_campaign, access_task, require_reader
from annotations.errors import Conflict, InvalidInput, NotAllowed
from annotations.models import (
    OPEN_TASK_STATES,
    SLOT_HOLDING_STATES,
    AnnotationTask,
    Campaign,
    CampaignArticle,
    CampaignMember,
    CampaignRole,
    CampaignState,
    TaskState,
    campaign_state_in_words,
    task_state_in_words,
)
from annotations.services.notifications import notify

ATTEMPTS = 5
RELEASE_EVERY_SECONDS = 60


def _is_annotator_of(user, campaign) -> bool:
    return CampaignMember.objects.filter(campaign=campaign, user=user, role=CampaignRole.ANNOTATOR).exists()


def next_task(*, annotator, campaign_id) -> AnnotationTask | None:
    """The annotator's open task in this campaign, or a new one on the next
    article that still has a free slot; None when the campaign is done for them."""
    if connection.vendor == "postgresql" and str(campaign_id).isdigit():
        task = _hand_out_in_one_statement(annotator, int(campaign_id))
        if task is not None:
            return task
        # Nothing handed out: the checks below say why, or the campaign is done for them.
    campaign = access_campaign(annotator, campaign_id)
    if campaign.state != CampaignState.ACTIVE:
        raise InvalidInput(
            gettext("The campaign is %(state)s, not active.") % {"state": campaign_state_in_words(campaign.state)},
            fields={"campaign": [gettext("Not active.")]},
        )
    if campaign.member_role != CampaignRole.ANNOTATOR:
        raise NotAllowed(gettext("You are not an annotator in this campaign."))
    _release_abandoned_now_and_then(campaign.id)
    return _retrying(lambda: _open_or_new_task(campaign, annotator))


def _release_abandoned_now_and_then(campaign_id: int) -> None:
    """Abandoned tasks return to the pool at most once a minute per campaign."""
    if cache.add(f"newsdesk:release-abandoned:{campaign_id}", True, timeout=RELEASE_EVERY_SECONDS):
        campaign = Campaign.objects.filter(id=campaign_id).first()
        if campaign is not None:
            release_abandoned(campaign)


def _retrying(hand_out):
    for _ in range(ATTEMPTS):
        try:
            return hand_out()
        except IntegrityError:  # lost a race for the slot: try the next one
            continue
    raise Conflict(gettext("Too many annotators asked at once; try again."), current=None)


def _open_or_new_task(campaign, annotator) -> AnnotationTask | None:
    open_task = (
        AnnotationTask.objects.filter(campaign=campaign, annotator=annotator, state__in=OPEN_TASK_STATES)
        .order_by("id")
        .first()
    )
    return open_task if open_task is not None else _take_slot(campaign, annotator)


@transaction.atomic
def _take_slot(campaign, annotator) -> AnnotationTask | None:
    mine = AnnotationTask.objects.filter(campaign=campaign, annotator=annotator, article=OuterRef("article"))
    # An article whose work the annotator handed in in another active campaign
    # is locked (access.require_work_open): they could not change it here.
    locked = AnnotationTask.objects.filter(
        annotator=annotator, article=OuterRef("article"), campaign__state=CampaignState.ACTIVE, state__in=HANDED_IN_STATES
    )
    candidates = (
        CampaignArticle.objects.filter(campaign=campaign, full=False).exclude(Exists(mine)).exclude(Exists(locked)).order_by("position")
    )
    # Rows other annotators are taking a slot on are skipped; when that leaves
    # none, wait for them instead: a row locked now may still have a free slot
    # once its holder commits, and "nothing left" would be wrong.
    item = (
        candidates.select_for_update(skip_locked=True, of=("self",)).first()
        or candidates.select_for_update(of=("self",)).first()
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


_OPEN_OR_NEW_TASK_SQL = """
WITH allowed AS (
    SELECT campaign.overlap FROM {campaigns} campaign
    JOIN {members} member ON member.campaign_id = campaign.id
    WHERE campaign.id = %(campaign)s AND campaign.state = %(active)s
      AND member.user_id = %(annotator)s AND member.role = %(annotator_role)s
), open AS (
    -- min(id) rather than ORDER BY id LIMIT 1, which the planner would answer by walking the primary key.
    SELECT * FROM {tasks}
    WHERE id = (
        SELECT min(id) FROM {tasks}
        WHERE campaign_id = %(campaign)s AND annotator_id = %(annotator)s AND state = ANY(%(open)s)
    ) AND EXISTS (SELECT 1 FROM allowed)
), item AS (
    SELECT item.id, item.article_id
    FROM {items} item
    WHERE item.campaign_id = %(campaign)s AND NOT item.full
      AND EXISTS (SELECT 1 FROM allowed) AND NOT EXISTS (SELECT 1 FROM open)
      AND NOT EXISTS (
          SELECT 1 FROM {tasks} mine
          WHERE mine.campaign_id = item.campaign_id AND mine.article_id = item.article_id
            AND mine.annotator_id = %(annotator)s
      )
      -- Work the annotator handed in on this article in another active campaign is locked.
      AND NOT EXISTS (
          SELECT 1 FROM {tasks} elsewhere JOIN {campaigns} other ON other.id = elsewhere.campaign_id
          WHERE elsewhere.article_id = item.article_id AND elsewhere.annotator_id = %(annotator)s
            AND elsewhere.state = ANY(%(handed_in)s) AND other.state = %(active)s
      )
    ORDER BY item.position
    LIMIT 1
    FOR UPDATE OF item SKIP LOCKED
), held AS (
    -- The article as a value (not a join with item), so the index on (campaign, article) is used.
    SELECT task.slot FROM {tasks} task
    WHERE task.campaign_id = %(campaign)s AND task.article_id = (SELECT article_id FROM item)
      AND task.state = ANY(%(holding)s)
), chosen AS (
    SELECT item.id, item.article_id,
           (SELECT min(free) FROM generate_series(1, (SELECT overlap FROM allowed)) free WHERE free NOT IN (SELECT slot FROM held)) AS slot,
           (SELECT count(*) FROM held) + 1 AS taken
    FROM item
), counted AS (
    UPDATE {items} item SET taken = chosen.taken, "full" = chosen.taken >= (SELECT overlap FROM allowed)
    FROM chosen WHERE item.id = chosen.id
), created AS (
    INSERT INTO {tasks} (
        campaign_id, article_id, annotator_id, slot, state, assigned_at, last_activity_at,
        seconds_spent, skip_reason, review_comment, version, updated_at
    )
    SELECT %(campaign)s, chosen.article_id, %(annotator)s, chosen.slot, %(state)s, %(now)s, %(now)s, 0, '', '', 1, %(now)s
    FROM chosen
    RETURNING *
)
SELECT * FROM open UNION ALL SELECT * FROM created
"""


def _hand_out_in_one_statement(annotator, campaign_id: int) -> AnnotationTask | None:
    """_open_or_new_task in one PostgreSQL statement, for an annotator of the
    active campaign (anyone else gets None; see the module's docstring)."""
    require_reader(annotator)
    _release_abandoned_now_and_then(campaign_id)
    sql = _OPEN_OR_NEW_TASK_SQL.format(
        campaigns=Campaign._meta.db_table,
        members=CampaignMember._meta.db_table,
        items=CampaignArticle._meta.db_table,
        tasks=AnnotationTask._meta.db_table,
    )
    params = {
        "campaign": campaign_id,
        "annotator": annotator.pk,
        "active": str(CampaignState.ACTIVE),
        "annotator_role": str(CampaignRole.ANNOTATOR),
        "holding": [str(state) for state in SLOT_HOLDING_STATES],
        "open": [str(state) for state in OPEN_TASK_STATES],
        "handed_in": [str(state) for state in HANDED_IN_STATES],
        "state": str(TaskState.ASSIGNED),
        "now": timezone.now(),
    }

    def run():
        # Outside a transaction the statement is its own; inside one, a savepoint
        # lets a lost race (IntegrityError) retry without spoiling the caller's.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            return next(iter(AnnotationTask.objects.raw(sql, params)), None)

    return _retrying(run)


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


def _require_active(campaign) -> None:
    if campaign.state != CampaignState.ACTIVE:
        state = campaign_state_in_words(campaign.state)
        raise InvalidInput(
            gettext("The campaign is %(state)s: its tasks cannot be submitted or skipped.") % {"state": state},
            fields={"campaign": [gettext("The campaign is %(state)s.") % {"state": state}]},
        )


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
    if task.campaign.state != CampaignState.ACTIVE:
        return task  # nothing is worked on in a campaign that is not running
    now = timezone.now()
    if task.state == TaskState.ASSIGNED:
        task.state = TaskState.IN_PROGRESS
        task.started_at = now
    elif task.state not in OPEN_TASK_STATES:
        return task
    _working(task, now)
    task.save(update_fields=["state", "started_at", "last_activity_at", "seconds_spent", "updated_at"])
    return task


_SUBMIT_SQL = """
UPDATE {tasks} task SET
    state = %(submitted)s, submitted_at = %(now)s, last_activity_at = %(now)s,
    version = task.version + 1, updated_at = %(now)s,
    seconds_spent = task.seconds_spent + CASE
        WHEN task.last_activity_at < %(now)s
             AND task.last_activity_at >= %(now)s - campaign.abandon_after_minutes * interval '1 minute'
        THEN floor(extract(epoch FROM %(now)s - task.last_activity_at))::integer
        ELSE 0
    END
FROM {campaigns} campaign
WHERE task.id = %(task)s AND task.annotator_id = %(annotator)s AND task.state = ANY(%(open)s)
  AND campaign.id = task.campaign_id AND campaign.state = %(active)s
RETURNING task.*
"""


def submit_task(*, annotator, task_id) -> AnnotationTask:
    """Submit the annotator's open task. On PostgreSQL, the common case (their
    own open task) is one statement, the time spent counted as _working
    counts it; anything else takes the path that says what is wrong."""
    if connection.vendor == "postgresql" and str(task_id).isdigit():
        require_reader(annotator)
        sql = _SUBMIT_SQL.format(tasks=AnnotationTask._meta.db_table, campaigns=Campaign._meta.db_table)
        params = {
            "task": int(task_id),
            "annotator": annotator.pk,
            "open": [str(state) for state in OPEN_TASK_STATES],
            "submitted": str(TaskState.SUBMITTED),
            "active": str(CampaignState.ACTIVE),
            "now": timezone.now(),
        }
        task = next(iter(AnnotationTask.objects.raw(sql, params)), None)
        if task is not None:
            task.annotator = annotator
            return task
    return _submit_task(annotator=annotator, task_id=task_id)


@transaction.atomic
def _submit_task(*, annotator, task_id) -> AnnotationTask:
    task = access_task(annotator, task_id, to_work=True, for_update=True)
    _require_active(task.campaign)
    if task.state not in OPEN_TASK_STATES:
        raise InvalidInput(
            gettext("A task that is %(state)s cannot be submitted.") % {"state": task_state_in_words(task.state)},
            fields={"state": [task_state_in_words(task.state)]},
        )
    now = timezone.now()
    _working(task, now)
    task.state = TaskState.SUBMITTED
    task.submitted_at = now
    task.version += 1
    task.save(update_fields=["state", "submitted_at", "last_activity_at", "seconds_spent", "version", "updated_at"])
    return task


@transaction.atomic
def skip_task(*, annotator, task_id, reason: str) -> AnnotationTask:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("Say why you skip this article."), fields={"reason": [gettext("This field is required.")]})
    task = access_task(annotator, task_id, to_work=True, for_update=True)
    _require_active(task.campaign)
    if task.state not in (TaskState.ASSIGNED, TaskState.IN_PROGRESS):
        raise InvalidInput(
            gettext("A task that is %(state)s cannot be skipped.") % {"state": task_state_in_words(task.state)},
            fields={"state": [task_state_in_words(task.state)]},
        )
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
        raise InvalidInput(
            gettext("A task that is %(state)s cannot be reassigned.") % {"state": task_state_in_words(task.state)},
            fields={"state": [task_state_in_words(task.state)]},
        )
    to_user = get_user_model().objects.filter(username=to_username).first()
    if to_user is None or not _is_annotator_of(to_user, task.campaign):
        raise InvalidInput(
            gettext("%(username)r is not an annotator in this campaign.") % {"username": to_username},
            fields={"annotator": [gettext("Not a member.")]},
        )
    if AnnotationTask.objects.filter(campaign=task.campaign, article=task.article, annotator=to_user).exists():
        raise InvalidInput(
            gettext("%(username)s already has this article.") % {"username": to_username}, fields={"annotator": [gettext("Already assigned.")]}
        )
    previous = task.annotator
    task.annotator = to_user
    task.state = TaskState.ASSIGNED
    task.started_at = None
    task.last_activity_at = timezone.now()
    # The new annotator starts afresh: the editor's comment was for the work of the one before.
    task.review_comment = ""
    task.version += 1
    task.save()
    where = f"/campaigns/{task.campaign_id}/"
    notify(to_user, "assigned", gettext_noop("«{campaign}»: an article was assigned to you."), {"campaign": task.campaign.name}, where)
    notify(
        previous, "reassigned", gettext_noop("«{campaign}»: «{title}» was given to {annotator}."),
        {"campaign": task.campaign.name, "title": task.article.title[:80], "annotator": to_user.get_username()}, where,
    )
    return task

