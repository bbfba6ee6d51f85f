"""Store imported pages: new articles in bulk, known ones as new revisions or comments.

Pages arrive as `PageRecord`s (newsdesk/readers.py) in batches. A batch of new
articles is written in one transaction with bulk inserts; if the database
refuses it, each article is retried alone so that one bad article fails alone.
A page already stored (same text and comments) changes nothing. A page that is
known by its URL (or, without a URL, by outlet and title) but whose text
changed becomes a new revision; new reader comments are added.

If the database stops answering halfway (a restart, a lost connection), the
import stops there: every batch before is stored whole, the one in hand not at
all, and the report says so; importing the same files again goes on from
there, the stored pages counting as unchanged duplicates.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, count, islice
from queue import Full, Queue

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from annotations.services.extraction import schedule_extraction
from newsdesk import text as textlib
from newsdesk.bulk import allocate_ids, insert_rows
from newsdesk.models import Article, ArticleRevision, Comment, Source
from newsdesk.readers import (
    JSONL,
    UNKNOWN_SOURCE,
    Failure,
    PageRecord,
    SourceChoice,
    clipped,
    expand_paths,
    first_line,
    iter_records,
)

logger = logging.getLogger(__name__)

IMPORTED, UPDATED, REVISED, UNCHANGED = "imported", "updated", "revised", "unchanged"


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    revised: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    # Files of folders and glob patterns that are not pages, by extension.
    skipped: Counter = field(default_factory=Counter)
    # Why the import stopped before the end (the database stopped answering), or "".
    stopped: str = ""
    # `--source NAME` that named no outlet profile and no stored source: a new outlet.
    new_source: str = ""

    @property
    def failed(self) -> int:
        return len(self.failures)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        summary = (
            f"imported {self.imported}, updated {self.updated}, revised {self.revised}, "
            f"unchanged duplicates {self.unchanged}, failed {self.failed}"
        )
        if self.stopped:
            summary += f"; stopped before the end: {self.stopped}"
        if self.skipped:
            kinds = ", ".join(f"{suffix} {count}" for suffix, count in sorted(self.skipped.items()))
            count = self.skipped.total()
            files = "file that is not a page" if count == 1 else "files that are not pages"
            summary += f", skipped {count} {files} ({kinds})"
        return summary


def import_paths(
    specs: Iterable[str],
    *,
    source: str | None = None,
    fmt: str | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
) -> ImportReport:
    """Import every page in the files, folders and globs of `specs`.

    `source` forces the outlet (a profile's name, slug or domain, or any new
    name); `fmt` forces the input format for every file.
    """
    paths, missing, skipped = expand_paths(specs, fmt=fmt)
    choice = _source_choice(source)
    items = iter_records(
        paths,
        choice=choice,
        now=now or timezone.now(),
        max_bytes=settings.NEWSDESK_MAX_PAGE_BYTES,
        fmt=fmt,
    )
    report = ImportReport(failures=list(missing), skipped=skipped)
    if choice.name and choice.profile is None and choice.stored is None:
        report.new_source = choice.name
    return ingest_records(items, batch_size=batch_size, report=report)


def _source_choice(name: str | None) -> SourceChoice:
    """`--source NAME`: an outlet profile, else a stored source of that name
    (or slug), else a new outlet."""
    choice = SourceChoice(name)
    if choice.name and choice.profile is None:
        stored = Source.objects.filter(name=choice.name).first() or Source.objects.filter(slug=choice.name).first()
        if stored is not None:
            choice = SourceChoice(name, stored=(stored.name, stored.slug, stored.domain))
    return choice


def ingest_records(
    items: Iterable[PageRecord | Failure], *, batch_size: int | None = None, report: ImportReport | None = None
) -> ImportReport:
    """Store records batch by batch; failures pass through into the report."""
    report = report or ImportReport()
    size = batch_size or settings.NEWSDESK_IMPORT_BATCH_SIZE
    try:
        for batch in _read_ahead(_batches(iter(items), size)):
            records = []
            for item in batch:
                if isinstance(item, Failure):
                    report.failures.append(item)
                else:
                    records.append(item)
            if records:
                _store_batch(records, report)
    except _DatabaseGone as gone:
        report.stopped = gone.reason
    except (OperationalError, InterfaceError) as exc:
        if connection.is_usable():
            raise
        report.stopped = _database_gone(exc).reason
    return report


class _DatabaseGone(Exception):
    """The database stopped answering: the import cannot go on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _database_gone(exc: Exception) -> _DatabaseGone:
    logger.error("import stopped: the database stopped answering", exc_info=exc)
    return _DatabaseGone(
        f"the database stopped answering ({clipped(first_line(exc))}); the pages counted above are stored, "
        "the rest are not: import the same files again to go on"
    )


def _batches(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(items, size)):
        yield batch


_END = object()


def _read_ahead(batches: Iterator[list], depth: int = 2) -> Iterator[list]:
    """Yield `batches`, produced by a background thread up to `depth` batches ahead.

    Reading and segmenting pages is pure Python and needs no database; running
    it while the database stores the previous batch keeps both busy. Memory
    stays bounded by `depth` batches.
    """
    handoff: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for batch in batches:
                for index, item in enumerate(batch):
                    if isinstance(item, PageRecord):
                        # Computed here, off the writing thread's clock: that thread
                        # holds the interpreter lock only between database calls.
                        try:
                            item.page_hash, item.search_text, item.text_notes  # noqa: B018
                        except Exception as exc:  # one record the rules did not foresee fails alone
                            logger.exception("%s: cannot be stored", item.origin)
                            batch[index] = Failure(item.origin, f"cannot be stored ({type(exc).__name__}: {clipped(str(exc))})")
                while not stop.is_set():
                    try:
                        handoff.put(batch, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            handoff.put(exc)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def article_identity(record: PageRecord) -> str:
    """What makes two pages the same article: the URL; without one, the title
    within the outlet. Pages of unrecognised outlets share one source, where a
    title alone would join different outlets' stories, so their file name counts too."""
    if record.url:
        return textlib.sha256_hex("url", record.url)
    if record.source_slug == UNKNOWN_SOURCE[1] and record.raw_format != JSONL:
        return textlib.sha256_hex("title", record.title, "file", record.raw_name)
    return textlib.sha256_hex("title", record.title)


def _store_batch(records: list[PageRecord], report: ImportReport) -> None:
    # The same page under another outlet is that outlet's article (wire copy), not a duplicate.
    known = set(
        Article.objects.filter(page_hash__in={r.page_hash for r in records}).values_list("source__slug", "page_hash")
    )
    fresh: list[tuple[int, PageRecord]] = []
    # The page each article had last in this batch: a file may hold two
    # versions of one article, and the second is a change, not a duplicate.
    latest: dict[tuple[str, str], str] = {}
    last_place: dict[tuple[str, str], int] = {}
    for place, record in enumerate(records):
        key = (record.source_slug, record.page_hash)
        identity = (record.source_slug, article_identity(record))
        seen = latest.get(identity)
        if seen == record.page_hash or (seen is None and key in known):
            report.unchanged += 1
        else:
            fresh.append((place, record))
        latest[identity] = record.page_hash
        last_place[identity] = place
        known.add(key)
    if not fresh:
        return

    stored = _stored_identities([record for _, record in fresh])
    new: list[PageRecord] = []
    later: list[tuple[PageRecord, bool]] = []  # with whether a later page of this batch supersedes it
    claimed: set[tuple[str, str]] = set()
    for place, record in fresh:
        key = (record.source_slug, article_identity(record))
        if key in stored or key in claimed:
            later.append((record, last_place[key] > place))
        else:
            claimed.add(key)
            new.append(record)

    if new:
        try:
            with transaction.atomic():
                _create_articles(new)
            report.imported += len(new)
        except DatabaseError:
            # The reason reaches the report article by article; the traceback is for debugging only.
            logger.warning("bulk import of %d articles refused; retrying one by one", len(new))
            logger.debug("bulk import refused", exc_info=True)
            for record in new:
                _store_one(record, report, create=True)
    for record, superseded in later:
        _store_one(record, report, create=False, superseded=superseded)


def _store_one(record: PageRecord, report: ImportReport, *, create: bool, superseded: bool = False) -> None:
    try:
        with transaction.atomic():
            if create:
                _create_articles([record])
                outcome = IMPORTED
            else:
                outcome = _apply_page(record, superseded=superseded)
        report.count(outcome)
    except IntegrityError as exc:
        if create and _article_exists(record):
            # Another import of the same page stored it after this one looked:
            # the page is now a known article, to update like any other.
            _store_one(record, report, create=False, superseded=superseded)
        else:
            report.failures.append(Failure(record.origin, f"the database refused the article: {exc}".strip()))
    except DatabaseError as exc:
        if isinstance(exc, (OperationalError, InterfaceError)) and not connection.is_usable():
            raise _database_gone(exc) from exc  # not this article's fault: nothing more can be stored
        report.failures.append(Failure(record.origin, f"the database refused the article: {exc}".strip()))
    except Exception as exc:  # rolled back like a refusal; one article the rules did not foresee fails alone
        logger.exception("%s: cannot be stored", record.origin)
        report.failures.append(Failure(record.origin, f"cannot be stored ({type(exc).__name__}: {clipped(str(exc))})"))


def _article_exists(record: PageRecord) -> bool:
    return Article.objects.filter(source__slug=record.source_slug, identity=article_identity(record)).exists()


def _stored_identities(records: list[PageRecord]) -> dict[tuple[str, str], int]:
    identities = {article_identity(r) for r in records}
    slug_of = dict(Source.objects.filter(slug__in={r.source_slug for r in records}).values_list("id", "slug"))
    # By source id, not slug: then the (source, identity) unique index answers
    # directly instead of a scan of every article of those sources.
    rows = Article.objects.filter(source_id__in=slug_of, identity__in=identities).values_list("source_id", "identity", "id")
    return {(slug_of[source_id], identity): pk for source_id, identity, pk in rows}


def _ensure_sources(records: list[PageRecord]) -> dict[str, Source]:
    """Sources by slug, created as needed, each named by the first of its
    records. Runs inside the caller's transaction."""
    wanted: dict[str, PageRecord] = {}
    for record in records:
        wanted.setdefault(record.source_slug, record)
    sources = {s.slug: s for s in Source.objects.filter(slug__in=wanted)}
    for slug, record in wanted.items():
        if slug not in sources:
            sources[slug], _ = Source.objects.get_or_create(
                slug=slug,
                defaults={"name": _free_name(record), "domain": record.source_domain, "language": record.language},
            )
    return sources


def _free_name(record: PageRecord) -> str:
    """A name no other source has (names are unique): the record's, else
    "name (domain)", else the domain, else the name with a number. Two sites
    may call themselves the same; neither page fails for it."""
    limit = Source._meta.get_field("name").max_length
    name = record.source_name[:limit]
    domain = record.source_domain
    first = [name, f"{name} ({domain})", domain] if domain else [name]
    candidates = (c[:limit] for c in chain(first, (f"{name} ({number})" for number in count(2))))
    return next(c for c in candidates if c and not Source.objects.filter(name=c).exists())


def _revision_row(record: PageRecord, number: int) -> dict:
    return {
        "number": number,
        "text": record.text,
        "blocks": [{"kind": block.kind, "lang": block.lang} for block in record.blocks],
        "text_hash": record.text_hash,
        "text_notes": record.text_notes,
        "raw_page": record.raw_page,
        "raw_format": record.raw_format,
        "raw_name": record.raw_name[:500],
        "removed": record.removed,
    }


AUTHOR_CHARS = 300  # the column's length


def _comment_key(parsed) -> tuple[str, str]:
    """A comment as stored comments are recognised: (author as stored, text hash)."""
    return parsed.author[:AUTHOR_CHARS], textlib.sha256_hex(parsed.text)


def _comment_rows(record: PageRecord, article_id: int, now, skip: set[tuple[str, str]] = frozenset()) -> list[dict]:
    rows = []
    for position, parsed in enumerate(record.comments):
        author, text_hash = _comment_key(parsed)
        if (author, text_hash) in skip:
            continue
        rows.append(
            {
                "article_id": article_id,
                "position": position,
                "author": author,
                "title": parsed.title[:500],
                "text": parsed.text,
                "text_hash": text_hash,
                "text_notes": textlib.text_notes(parsed.text),
                "language": textlib.guess_language(parsed.text, record.language),
                "posted_at_text": parsed.posted_at_text[:200],
                "posted_at": parsed.posted_at,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _create_articles(records: list[PageRecord]) -> None:
    """Insert articles, their first revisions and comments. Runs inside a transaction."""
    sources = _ensure_sources(records)
    now = timezone.now()
    article_rows = [
        {
            "source_id": sources[r.source_slug].pk,
            "url": r.url,
            "title": r.title,
            "language": r.language,
            "direction": textlib.direction_for(r.language),
            "published_at": r.published_at,
            "published_at_text": r.published_at_text[:200],
            "identity": article_identity(r),
            "page_hash": r.page_hash,
            "search_text": r.search_text,
            "created_at": now,
            "updated_at": now,
            "current_revision_id": None,
        }
        for r in records
    ]
    revision_rows = [{**_revision_row(r, 1), "created_at": now} for r in records]
    article_ids = allocate_ids(Article, len(records))
    revision_ids = allocate_ids(ArticleRevision, len(records))
    if article_ids is not None and revision_ids is not None:
        # Keys known up front: each article names its revision as it is written.
        for article, revision, article_id, revision_id in zip(article_rows, revision_rows, article_ids, revision_ids):
            article.update(id=article_id, current_revision_id=revision_id)
            revision.update(id=revision_id, article_id=article_id)
        insert_rows(Article, article_rows)
        insert_rows(ArticleRevision, revision_rows)
    else:
        article_ids = insert_rows(Article, article_rows)
        for revision, article_id in zip(revision_rows, article_ids):
            revision["article_id"] = article_id
        revision_ids = insert_rows(ArticleRevision, revision_rows)
        Article.objects.filter(pk__in=article_ids).update(
            current_revision=Subquery(ArticleRevision.objects.filter(article=OuterRef("pk"), number=1).values("pk")[:1])
        )
    insert_rows(Comment, [row for r, pk in zip(records, article_ids) for row in _comment_rows(r, pk, now)])
    # Recorded with the articles, sent to the worker once they are committed.
    schedule_extraction(zip(article_ids, revision_ids))


def _apply_page(record: PageRecord, *, superseded: bool = False) -> str:
    """A known article seen again: a new revision if its text changed, its
    new publication date or language, and its new comments. `superseded`: a
    later page of the same batch is this article too. Runs inside a
    transaction; locks the article row."""
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("current_revision")
        .get(source__slug=record.source_slug, identity=article_identity(record))
    )
    if article.page_hash == record.page_hash:
        return UNCHANGED
    outcome = UNCHANGED
    fields = ["page_hash", "updated_at"]
    text_changed = article.current_revision.text_hash != record.text_hash
    # An older version read again along with its newer one changes no text and
    # no metadata (else the two would take turns); its comments still count.
    older = text_changed and _older_version_again(article, record, superseded)
    if text_changed and not older:
        revision = ArticleRevision(article=article, **_revision_row(record, article.current_revision.number + 1))
        revision.save()
        article.current_revision = revision
        article.title = record.title
        fields += ["current_revision", "title"]
        outcome = REVISED
    if not older and record.published_at and record.published_at != article.published_at:
        article.published_at, article.published_at_text = record.published_at, record.published_at_text[:200]
        fields += ["published_at", "published_at_text"]
        outcome = outcome if outcome == REVISED else UPDATED
    if not older and record.language != article.language:
        article.language, article.direction = record.language, textlib.direction_for(record.language)
        fields += ["language", "direction"]
        outcome = outcome if outcome == REVISED else UPDATED
    known = set(article.comments.values_list("author", "text_hash"))
    new_comments = _comment_rows(record, article.pk, timezone.now(), skip=known)
    if new_comments:
        insert_rows(Comment, new_comments)
        _follow_page_order(article, record)
        outcome = outcome if outcome == REVISED else UPDATED
    if outcome != UNCHANGED:
        comment_texts = list(article.comments.values_list("text", flat=True))
        article.search_text = textlib.search_text(article.current_revision.text, comment_texts)
        fields.append("search_text")
        article.page_hash = record.page_hash
        article.save(update_fields=fields)
        if outcome == REVISED or new_comments:  # new text to find entities in; a new date is not
            schedule_extraction([(article.pk, article.current_revision_id)])
    elif not older:
        # The same page under a fingerprint computed another way (by an earlier
        # version of Newsdesk): remembered, so the next import skips it at once.
        article.page_hash = record.page_hash
        article.save(update_fields=["page_hash"])
    return outcome


def _older_version_again(article: Article, record: PageRecord, superseded: bool) -> bool:
    """Whether this page is an older version of the article read again along
    with the newer one that superseded it: importing inputs that hold two
    versions of an article (two lines of a JSON Lines file, two files of a
    folder) stores each once, the later as the current text, and importing the
    same inputs again must not make them take turns.

    That is: this very page (same file name, or file and line for JSON Lines,
    same raw page and text) is already one of the article's revisions, and
    either a later page of this batch is the same article, or the current text
    came from a later line of the same JSON Lines file. Otherwise a page that
    goes back to an earlier text (a re-scrape after a correction was undone)
    makes that text current again, as a new revision."""
    if not superseded and not _later_line_of_same_file(article.current_revision.raw_name, record):
        return False
    return article.revisions.filter(
        raw_name=record.raw_name[:500], raw_page=record.raw_page, text_hash=record.text_hash
    ).exists()


def _later_line_of_same_file(current_name: str, record: PageRecord) -> bool:
    if record.raw_format != JSONL:
        return False
    current_file, _, current_line = current_name.rpartition(":")
    record_file, _, record_line = record.raw_name.rpartition(":")
    return current_file == record_file and current_line.isdigit() and record_line.isdigit() and int(current_line) > int(record_line)


def _follow_page_order(article: Article, record: PageRecord) -> None:
    """Number the article's comments as the page now shows them (a new comment
    can appear above older ones). A comment gone from the page keeps its place
    after the one it used to follow."""
    stored = list(article.comments.order_by("position", "id").only("id", "author", "text_hash", "position"))
    on_page: dict[tuple[str, str], list[int]] = {}
    for index, parsed in enumerate(record.comments):
        on_page.setdefault(_comment_key(parsed), []).append(index)
    # Sort key: a comment on the page by its place there; one gone from it just
    # after the last comment before it that is on the page, in its old order.
    keys, after = {}, -1
    for old_index, comment in enumerate(stored):
        places = on_page.get((comment.author, comment.text_hash))
        if places:
            place = places.pop(0)
            after = max(after, place)  # new comments were stored at their page place, maybe above
            keys[comment.pk] = (place, 0, old_index)
        else:
            keys[comment.pk] = (after, 1, old_index)
    now = timezone.now()
    moved = []
    for position, comment in enumerate(sorted(stored, key=lambda c: keys[c.pk])):
        if comment.position != position:
            comment.position, comment.updated_at = position, now
            moved.append(comment)
    Comment.objects.bulk_update(moved, ["position", "updated_at"])
