"""Background entity extraction: record the work, send it, run it idempotently.

1. `schedule_extraction` writes an ExtractionRun per article in the caller's
   transaction and sends the run ids to the worker once it commits. If the
   broker is down nothing is lost: the run stays pending.
2. `run_extractions` (in the worker) claims a message's runs with one
   conditional update, extracts, and `ensure_entity_mentions` replaces their
   machine mentions of that extractor version with the new set, atomically. Twice, or again after
   a crash, gives the same rows (a unique constraint is the backstop).
3. `sweep_runs` re-sends runs that were never sent, whose message was lost,
   or whose worker died (the lease ran out).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone

from annotations.models import (
    DECIDED_MENTIONS,
    AuditAction,
    AuditEvent,
    Entity,
    EntityMention,
    ExtractionRun,
    ExtractionState,
    IdempotentRequest,
    MentionStatus,
    NerModel,
    Origin,
)
from annotations.ner.extractor import SHIPPED_MODEL, SHIPPED_VERSION, Extractor, FoundEntity
from annotations.ner.taught import TaughtNames
from annotations.services.entities import link_entities
from newsdesk.bulk import insert_rows
from newsdesk.models import Article, Comment
from newsdesk.selectors import search_articles

logger = logging.getLogger(__name__)

SEND_CHUNK = 50


class ExtractionInputError(ValueError):
    """The run cannot be done with this input; it ends as failed with this message."""


# --- Which model -----------------------------------------------------------


def newest_model() -> tuple[str, str]:
    """(version, model path) of the model new extractions use."""
    latest = NerModel.objects.order_by("-created_at", "-id").values_list("version", "path").first()
    return latest if latest else (SHIPPED_VERSION, str(SHIPPED_MODEL))


@lru_cache(maxsize=4)
def _load(version: str, path: str) -> Extractor:
    return Extractor(path, version)


def current_extractor() -> Extractor:
    return _load(*newest_model())


# --- Names people taught -------------------------------------------------------

_taught: tuple[tuple, TaughtNames] | None = None


def taught_names() -> TaughtNames:
    """The names people confirmed or corrected, and the newsroom's name list
    (annotations/ner/taught.py), rebuilt when a decision or the list changed
    since the last call: two small queries per batch of runs tell."""
    global _taught
    decided = EntityMention.objects.filter(DECIDED_MENTIONS)
    listed = Entity.objects.filter(listed=True, merged_into__isnull=True)
    changes = {"count": Count("id"), "last_id": Max("id"), "last_change": Max("updated_at")}
    stamp = (*decided.aggregate(**changes).values(), *listed.aggregate(**changes).values())
    if _taught is None or _taught[0] != stamp:
        rows = decided.values_list("quote", "type", "status").annotate(times=Count("id")).order_by()
        decisions = [(quote, kind, status != MentionStatus.REJECTED, times) for quote, kind, status, times in rows]
        for name, kind, aliases in listed.values_list("canonical_name", "type", "aliases"):
            decisions += [(spelling, kind, True, 1) for spelling in dict.fromkeys([name, *aliases])]
        _taught = (stamp, TaughtNames.from_decisions(decisions))
    return _taught[1]


def extract_again_where_named(name: str) -> int:
    """People just taught `name` (added it, retyped it, rejected it): extract
    again the newest articles whose text may hold it, so that what they taught
    shows there too, not only in articles imported from now on. Articles with
    a run still to do are left to it. Returns how many runs were made."""
    limit = settings.NEWSDESK_TAUGHT_NAME_ARTICLES
    if limit <= 0:
        return 0
    waiting = ExtractionRun.objects.filter(
        article_id=OuterRef("pk"), revision_id=OuterRef("current_revision_id"),
        state__in=[ExtractionState.PENDING, ExtractionState.RUNNING],
    )
    articles = (
        search_articles(Article.objects.exclude(current_revision__isnull=True), name)
        .exclude(Exists(waiting))
        .order_by("-id")
        .only("id", "current_revision_id")[:limit]
    )
    return len(request_extraction(list(articles)))


# --- Scheduling -----------------------------------------------------------------


def schedule_extraction(pairs: Iterable[tuple[int, int]], *, send: bool = True) -> list[int]:
    """Record a pending run per (article id, revision id) and send them after
    commit. Runs inside the caller's transaction. With `send=False` the caller
    runs them itself (unsent runs it never gets to, the sweep sends)."""
    now = timezone.now()
    rows = [
        {"article_id": article_id, "revision_id": revision_id, "extractor_version": "", "state": ExtractionState.PENDING,
         "error": "", "attempts": 0, "mentions": 0, "created_at": now}
        for article_id, revision_id in pairs
    ]
    run_ids = insert_rows(ExtractionRun, rows)
    if run_ids and send:
        # Robust: the caller's work is committed by then, and an error in sending
        # (or, in-process, in extracting) must not read as its failure; the runs
        # stay pending and the sweep sends them again.
        transaction.on_commit(lambda: send_runs(run_ids), robust=True)
    return run_ids


def send_runs(run_ids: list[int]) -> int:
    """Hand runs to the worker (in-process when there is no broker). A broker
    that cannot be reached is logged, not raised: the runs stay pending and the
    sweep sends them again. Returns how many were sent."""
    from annotations.tasks import extract_entities_task

    sent: list[int] = []
    try:
        # One broker connection for all the messages of this call.
        with extract_entities_task.app.producer_or_acquire() as producer:
            for start in range(0, len(run_ids), SEND_CHUNK):
                chunk = run_ids[start : start + SEND_CHUNK]
                try:
                    extract_entities_task.apply_async((chunk,), producer=producer)
                except Exception:  # the broker is down or unreachable: the sweep will retry
                    logger.warning("could not send %d extraction runs to the broker; they stay pending", len(chunk), exc_info=True)
                    continue
                sent += chunk
    except Exception:  # the connection itself failed: what was not sent stays pending
        logger.warning("the broker connection failed; %d extraction runs stay pending", len(run_ids) - len(sent), exc_info=True)
    if sent:
        # Every send, not only the first: the sweep sends again only what has waited since.
        ExtractionRun.objects.filter(pk__in=sent).update(sent_at=timezone.now())
    return len(sent)


def request_extraction(articles: Iterable[Article], *, send: bool = True) -> list[int]:
    """New runs for chosen articles (re-extraction, e.g. with a newer model);
    `send=False` when the caller runs them at once, so no worker races it for them."""
    with transaction.atomic():
        return schedule_extraction(((article.id, article.current_revision_id) for article in articles), send=send)


def sweep_runs(*, stale_after: timedelta | None = None) -> int:
    """Send again the pending runs older than `stale_after` and the running
    runs whose lease expired. Returns how many were sent."""
    stale_after = stale_after if stale_after is not None else timedelta(seconds=settings.NEWSDESK_EXTRACTION_SWEEP_AFTER)
    now = timezone.now()
    due = ExtractionRun.objects.filter(
        # Sent a while ago and still not picked up (the message was lost); while
        # the worker is down, each run is sent once per stale_after, not once a sweep.
        Q(state=ExtractionState.PENDING, sent_at__lte=now - stale_after)
        | Q(state=ExtractionState.PENDING, sent_at__isnull=True)
        | Q(state=ExtractionState.RUNNING, lease_until__lt=now)
    ).order_by("id")
    run_ids = list(due.values_list("id", flat=True)[:10000])
    # Idempotency records only need to outlive a client's retries.
    IdempotentRequest.objects.filter(created_at__lt=now - timedelta(days=2)).delete()
    return send_runs(run_ids)


# --- Running ---------------------------------------------------------------------


def claim_runs(run_ids: list[int]) -> list[ExtractionRun]:
    """Take these runs for this worker: those not done and not held by someone
    else. Returns them with their revision's text, in the order asked.

    One conditional update claims them all; the claim's own start time (to
    the microsecond) then tells this worker's runs from those another worker
    claimed in the same moment.
    """
    if not run_ids:
        return []
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NEWSDESK_EXTRACTION_LEASE_SECONDS)
    claimable = Q(state=ExtractionState.PENDING) | Q(state=ExtractionState.RUNNING, lease_until__lt=now)
    claimed = ExtractionRun.objects.filter(claimable, pk__in=run_ids).update(
        state=ExtractionState.RUNNING, started_at=now, lease_until=lease, attempts=F("attempts") + 1
    )
    if not claimed:
        return []
    # Only what extraction reads: the revision's text, not the article's search text.
    runs = (
        ExtractionRun.objects.select_related("revision")
        .filter(pk__in=run_ids, state=ExtractionState.RUNNING, started_at=now)
        .only("id", "article_id", "revision_id", "attempts", "revision__id", "revision__text")
    )
    order = {run_id: position for position, run_id in enumerate(run_ids)}
    return sorted(runs, key=lambda run: order[run.pk])


def run_extraction(run_id: int) -> str:
    """Extract one run's entities. Returns the run's final state, or "skipped"
    when another worker has it or it is already done."""
    return next(iter(run_extractions([run_id])))


def run_extractions(run_ids: list[int]) -> dict[str, int]:
    """Claim, extract and store a batch of runs; returns how many ended in
    each state ("done", "failed", or "skipped" when another worker has a run
    or it is already done).

    The database work is done for the whole batch at once: the claim, the
    texts, the stored mentions, one transaction for the new ones and the runs'
    outcomes. A run whose input is bad (or whose model cannot load) ends as
    failed with its reason without holding up the others. If the database
    goes away, the runs are released for a retry or the sweep.
    """
    outcomes: dict[str, int] = {}

    def count(state: str, number: int = 1) -> None:
        if number:
            outcomes[state] = outcomes.get(state, 0) + number

    runs = claim_runs(run_ids)
    count("skipped", len(run_ids) - len(runs))
    if not runs:
        return outcomes
    try:
        try:
            extractor = current_extractor()
        except Exception as exc:  # a broken model version: every run says why
            _fail_runs(runs, exc)
            count(ExtractionState.FAILED, len(runs))
            return outcomes
        comments: dict[int, list[Comment]] = {run.article_id: [] for run in runs}
        for comment in (
            Comment.objects.filter(article_id__in=comments).order_by("article_id", "position", "id").only("id", "article_id", "text")
        ):
            comments[comment.article_id].append(comment)
        taught = taught_names()
        extracted: list[tuple[ExtractionRun, list[Comment], dict]] = []
        for run in runs:
            try:
                desired = _desired_mentions(run, comments[run.article_id], extractor, taught)
                extracted.append((run, comments[run.article_id], desired))
            except Exception as exc:  # bad input or a bug: a failed run with its reason, never a retry loop
                _fail_runs([run], exc)
                count(ExtractionState.FAILED)
        ensure_entity_mentions(extracted, version=extractor.version)
        finished = timezone.now()
        # One UPDATE per number of mentions found: the runs differ in nothing
        # else, and bulk_update's CASE over every run cost more than the writes.
        runs_by_mentions: dict[int, list[int]] = {}
        for run, _, desired in extracted:
            runs_by_mentions.setdefault(len(desired), []).append(run.pk)
        for mentions, run_ids in runs_by_mentions.items():
            ExtractionRun.objects.filter(pk__in=run_ids).update(
                state=ExtractionState.DONE, extractor_version=extractor.version, mentions=mentions, error="", finished_at=finished
            )
        _touch_articles([run.article_id for run, _, _ in extracted], finished)
        count(ExtractionState.DONE, len(extracted))
    except (OperationalError, InterfaceError):
        # Transient (the database went away): release the runs so a retry (or the sweep) can take them.
        ExtractionRun.objects.filter(pk__in=[run.pk for run in runs], state=ExtractionState.RUNNING).update(
            state=ExtractionState.PENDING, lease_until=None
        )
        raise
    return outcomes


def _fail_runs(runs: list[ExtractionRun], exc: Exception) -> None:
    if isinstance(exc, ExtractionInputError):  # the input, not the code: said in one line, stored on the run
        logger.warning("extraction of run(s) %s refused: %s", [run.pk for run in runs], exc)
    else:
        logger.error("extraction of %d run(s) failed (%s)", len(runs), [run.pk for run in runs], exc_info=exc)
    now = timezone.now()
    ExtractionRun.objects.filter(pk__in=[run.pk for run in runs]).update(
        state=ExtractionState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=now
    )
    _touch_articles([run.article_id for run in runs], now)


def _touch_articles(article_ids: list[int], now) -> None:
    """An article's extraction state is part of it (lists show it): its
    updated_at moves, so a client syncing with updated_since sees the change."""
    Article.objects.filter(pk__in=article_ids).update(updated_at=now)


def _mention_key(row) -> tuple:
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    return (get("revision_id"), get("comment_id"), get("start"), get("end"), get("type"))


def _desired_mentions(
    run: ExtractionRun, comments: list[Comment], extractor: Extractor, taught: TaughtNames | None = None
) -> dict[tuple, tuple[dict, FoundEntity]]:
    """What the extractor finds now in the run's texts, keyed by span and type."""
    limit = settings.NEWSDESK_EXTRACTION_MAX_CHARS
    for label, text in [("article", run.revision.text), *((f"comment {c.pk}", c.text) for c in comments)]:
        if len(text) > limit:
            raise ExtractionInputError(f"the {label} text has {len(text):,} characters; extraction takes at most {limit:,}")
    found: list[tuple[int | None, int | None, FoundEntity]] = [
        (run.revision_id, None, entity) for entity in extractor.extract(run.revision.text, taught)
    ]
    for comment in comments:
        found += [(None, comment.id, entity) for entity in extractor.extract(comment.text, taught)]
    desired = {}
    for revision_id, comment_id, entity in found:
        row = {
            "article_id": run.article_id, "revision_id": revision_id, "comment_id": comment_id,
            "start": entity.start, "end": entity.end, "quote": entity.text, "type": entity.type,
        }
        desired.setdefault(_mention_key(row), (row, entity))
    return desired


def ensure_entity_mentions(extracted: list[tuple[ExtractionRun, list[Comment], dict]], *, version: str) -> None:
    """Make the machine mentions of extractor `version` in these runs' texts
    exactly the desired ones (`_desired_mentions`), in one transaction.
    Idempotent: twice, or again after a crash, gives the same rows. Mentions
    an annotator reviewed (accepted, rejected, retyped) are kept as they are,
    and a span people decided about gets no suggestion beside theirs."""
    if not extracted:
        return
    revision_ids = [run.revision_id for run, _, _ in extracted]
    comment_ids = [comment.id for _, comments, _ in extracted for comment in comments]
    now = timezone.now()
    with transaction.atomic():
        existing = EntityMention.objects.select_for_update().filter(
            Q(revision_id__in=revision_ids) | Q(comment_id__in=comment_ids),
            origin=Origin.MACHINE,
            extractor_version=version,
        ).only("id", "article_id", "revision_id", "comment_id", "start", "end", "type", "status")
        stored = {_mention_key(m): m for m in existing}
        # Where people decided about a span (added a mention there, or accepted,
        # retyped or rejected one of any version), no new suggestion joins theirs.
        decided = set(
            EntityMention.objects.filter(Q(revision_id__in=revision_ids) | Q(comment_id__in=comment_ids))
            .filter(DECIDED_MENTIONS)
            .values_list("revision_id", "comment_id", "start", "end")
        )
        extracted = [
            (run, comments, {key: found for key, found in desired.items() if key[:4] not in decided})
            for run, comments, desired in extracted
        ]
        wanted = {key for _, _, desired in extracted for key in desired}
        stale = [m for key, m in stored.items() if key not in wanted and m.status == MentionStatus.SUGGESTED]
        if stale:
            EntityMention.objects.filter(pk__in=[m.pk for m in stale]).delete()
            # Tombstones in the deletions feed, so that a mirror drops them too.
            AuditEvent.objects.bulk_create(
                AuditEvent(action=AuditAction.DELETE, object_type="entity_mention", object_id=m.pk, article_id=m.article_id)
                for m in stale
            )
        links = link_entities(
            (entity.type, entity.text) for _, _, desired in extracted for key, (_, entity) in desired.items() if key not in stored
        )
        new_rows: list[list[dict]] = []
        for _, _, desired in extracted:
            rows = []
            for key, (row, entity) in desired.items():
                if key in stored:
                    continue
                rows.append(
                    {
                        **row, "entity_id": links[(entity.type, entity.text)], "origin": Origin.MACHINE,
                        "status": MentionStatus.SUGGESTED, "extractor_version": version, "annotator_id": None,
                        "version": 1, "created_at": now, "updated_at": now,
                    }
                )
            new_rows.append(rows)
        try:
            with transaction.atomic():
                insert_rows(EntityMention, [row for rows in new_rows for row in rows])
        except IntegrityError:
            # Another worker stored some of these mentions a moment ago: keep theirs, store the rest run by run.
            for (run, _, _), rows in zip(extracted, new_rows):
                try:
                    with transaction.atomic():
                        insert_rows(EntityMention, rows)
                except IntegrityError:
                    logger.info("run %s: mentions already stored by a concurrent run", run.pk)
