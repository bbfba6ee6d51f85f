"""Background entity extraction: record the work, send it, run it idempotently.

1. `schedule_extraction` writes an ExtractionRun per article in the caller's
   transaction and sends the run ids to the worker once it commits. If the
   broker is down nothing is lost: the run stays pending.
2. `run_extraction` (in the worker) claims a run with a conditional update,
   extracts, and `ensure_entity_mentions` replaces the machine mentions of
   that extractor version with the new set, atomically. Twice, or again after
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
from django.db.models import F, Q
from django.utils import timezone

from annotations.models import (
    EntityMention,
    ExtractionRun,
    ExtractionState,
    IdempotentRequest,
    MentionStatus,
    NerModel,
    Origin,
)
from annotations.ner.extractor import SHIPPED_MODEL, SHIPPED_VERSION, Extractor, FoundEntity
from annotations.services.entities import link_entity
from newsdesk.bulk import insert_rows
from newsdesk.models import Article, Comment

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


# --- Scheduling -----------------------------------------------------------------


def schedule_extraction(pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Record a pending run per (article id, revision id) and send them after
    commit. Runs inside the caller's transaction."""
    now = timezone.now()
    rows = [
        {"article_id": article_id, "revision_id": revision_id, "extractor_version": "", "state": ExtractionState.PENDING,
         "error": "", "attempts": 0, "mentions": 0, "created_at": now}
        for article_id, revision_id in pairs
    ]
    run_ids = insert_rows(ExtractionRun, rows)
    if run_ids:
        transaction.on_commit(lambda: send_runs(run_ids))
    return run_ids


def send_runs(run_ids: list[int]) -> int:
    """Hand runs to the worker (in-process when there is no broker). A broker
    that cannot be reached is logged, not raised: the runs stay pending and the
    sweep sends them again. Returns how many were sent."""
    from annotations.tasks import extract_entities_task

    sent = 0
    for start in range(0, len(run_ids), SEND_CHUNK):
        chunk = run_ids[start : start + SEND_CHUNK]
        try:
            extract_entities_task.delay(chunk)
        except Exception:  # the broker is down or unreachable: the sweep will retry
            logger.warning("could not send %d extraction runs to the broker; they stay pending", len(chunk), exc_info=True)
            continue
        ExtractionRun.objects.filter(pk__in=chunk, sent_at__isnull=True).update(sent_at=timezone.now())
        sent += len(chunk)
    return sent


def request_extraction(articles: Iterable[Article]) -> list[int]:
    """New runs for chosen articles (re-extraction, e.g. with a newer model)."""
    with transaction.atomic():
        return schedule_extraction((article.id, article.current_revision_id) for article in articles)


def sweep_runs(*, stale_after: timedelta | None = None) -> int:
    """Send again the pending runs older than `stale_after` and the running
    runs whose lease expired. Returns how many were sent."""
    stale_after = stale_after if stale_after is not None else timedelta(seconds=settings.NEWSDESK_EXTRACTION_SWEEP_AFTER)
    now = timezone.now()
    due = ExtractionRun.objects.filter(
        Q(state=ExtractionState.PENDING, created_at__lte=now - stale_after)
        | Q(state=ExtractionState.PENDING, sent_at__isnull=True)
        | Q(state=ExtractionState.RUNNING, lease_until__lt=now)
    ).order_by("id")
    run_ids = list(due.values_list("id", flat=True)[:10000])
    # Idempotency records only need to outlive a client's retries.
    IdempotentRequest.objects.filter(created_at__lt=now - timedelta(days=2)).delete()
    return send_runs(run_ids)


# --- Running ---------------------------------------------------------------------


def claim_run(run_id: int) -> ExtractionRun | None:
    """Take the run for this worker, or None if it is done or someone else holds it."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NEWSDESK_EXTRACTION_LEASE_SECONDS)
    claimable = Q(state=ExtractionState.PENDING) | Q(state=ExtractionState.RUNNING, lease_until__lt=now)
    claimed = ExtractionRun.objects.filter(claimable, pk=run_id).update(
        state=ExtractionState.RUNNING, started_at=now, lease_until=lease, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    # Only what extraction reads: the revision's text, not the article's search text.
    return (
        ExtractionRun.objects.select_related("revision")
        .only("id", "article_id", "revision_id", "attempts", "revision__id", "revision__text")
        .get(pk=run_id)
    )


def run_extraction(run_id: int, links: dict | None = None, extractor: Extractor | None = None) -> str:
    """Extract one run's entities. Returns the run's final state, or "skipped"
    when another worker has it or it is already done. A task passes the same
    `links` (entity links; names repeat from article to article) and
    `extractor` to all its runs."""
    run = claim_run(run_id)
    if run is None:
        return "skipped"
    try:
        extractor = extractor or current_extractor()
        comments = list(Comment.objects.filter(article_id=run.article_id).order_by("position", "id"))
        count = ensure_entity_mentions(run=run, extractor=extractor, comments=comments, links=links)
    except (OperationalError, InterfaceError):
        # Transient (the database went away): release the run so a retry (or the sweep) can take it.
        ExtractionRun.objects.filter(pk=run.pk).update(state=ExtractionState.PENDING, lease_until=None)
        raise
    except Exception as exc:  # bad input or a bug: a failed run with its reason, never a retry loop
        logger.exception("extraction run %s failed", run.pk)
        ExtractionRun.objects.filter(pk=run.pk).update(
            state=ExtractionState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return ExtractionState.FAILED
    ExtractionRun.objects.filter(pk=run.pk).update(
        state=ExtractionState.DONE, extractor_version=extractor.version, mentions=count, error="", finished_at=timezone.now()
    )
    return ExtractionState.DONE


def _mention_key(row) -> tuple:
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    return (get("revision_id"), get("comment_id"), get("start"), get("end"), get("type"))


def ensure_entity_mentions(
    *, run: ExtractionRun, extractor: Extractor, comments: list[Comment], links: dict | None = None
) -> int:
    """Make the machine mentions of this extractor version in the run's texts
    exactly what the extractor finds now. Mentions an annotator reviewed
    (accepted, rejected, retyped) are kept as they are. Returns the number of
    machine mentions for these texts."""
    limit = settings.NEWSDESK_EXTRACTION_MAX_CHARS
    for label, text in [("article", run.revision.text), *((f"comment {c.pk}", c.text) for c in comments)]:
        if len(text) > limit:
            raise ExtractionInputError(f"the {label} text has {len(text):,} characters; extraction takes at most {limit:,}")
    found: list[tuple[int | None, int | None, FoundEntity]] = [
        (run.revision_id, None, entity) for entity in extractor.extract(run.revision.text)
    ]
    for comment in comments:
        found += [(None, comment.id, entity) for entity in extractor.extract(comment.text)]
    now = timezone.now()
    desired = {}
    for revision_id, comment_id, entity in found:
        row = {
            "article_id": run.article_id, "revision_id": revision_id, "comment_id": comment_id,
            "start": entity.start, "end": entity.end, "quote": entity.text, "type": entity.type,
        }
        desired.setdefault(_mention_key(row), (row, entity))

    with transaction.atomic():
        existing = EntityMention.objects.select_for_update().filter(
            Q(revision_id=run.revision_id) | Q(comment_id__in=[c.id for c in comments]),
            origin=Origin.MACHINE,
            extractor_version=extractor.version,
        )
        stored = {_mention_key(m): m for m in existing}
        stale = [m.pk for key, m in stored.items() if key not in desired and m.status == MentionStatus.SUGGESTED]
        EntityMention.objects.filter(pk__in=stale).delete()
        links = {} if links is None else links
        new_rows = []
        for key, (row, entity) in desired.items():
            if key in stored:
                continue
            if (entity.type, entity.text) not in links:
                links[(entity.type, entity.text)] = link_entity(entity.type, entity.text).pk
            new_rows.append(
                {
                    **row, "entity_id": links[(entity.type, entity.text)], "origin": Origin.MACHINE,
                    "status": MentionStatus.SUGGESTED, "extractor_version": extractor.version, "annotator_id": None,
                    "version": 1, "created_at": now, "updated_at": now,
                }
            )
        try:
            with transaction.atomic():
                insert_rows(EntityMention, new_rows)
        except IntegrityError:
            # Another worker stored the same mentions a moment ago: keep theirs.
            logger.info("run %s: mentions already stored by a concurrent run", run.pk)
    return len(desired)
