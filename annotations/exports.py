"""Exports of annotated articles: JSON Lines, W3C Web Annotation JSON-LD, a
stance table (CSV), and the claim-centred stance JSON of Baly et al. (NAACL
2018), which can also be imported.

Every export streams: articles are read in chunks by id, so memory stays flat
in the number of articles. The API and `manage.py export` share these functions.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from operator import attrgetter
from types import SimpleNamespace
from urllib.parse import urlsplit

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from annotations import sql_documents
from annotations.errors import Conflict, InvalidInput
from annotations.models import ARTICLE_FIRST, Claim, ClaimMention, EntityMention, Layer, Stance, StanceLabel, Verdict
from annotations.representations import CODE_POINTS, EXPANSIONS, iso_time
from annotations.selectors import EVERYTHING, AnnotationScope, article_documents, articles_with_text
from annotations.services.claims import clean_claim_text, create_claim
from annotations.services.spans import SpanTarget
from annotations.services.stances import set_stance, update_stance
from newsdesk.models import Article
from newsdesk.readers import PageRecord
from newsdesk.roles import is_editor
from newsdesk.segmentation import PARAGRAPH, TITLE, Block
from newsdesk.services.ingestion import article_identity, ingest_records
from newsdesk.text import canonical_text, guess_language, sha256_hex, visible_lines

CHUNK = 500
# The JSON Lines export on PostgreSQL: chunks of this many articles, this many
# at once (see iter_articles_jsonl; measured in docs/benchmarks.md).
JSONL_CHUNK, JSONL_THREADS = 1000, 2
FORMATS = ("jsonl", "jsonld", "csv", "baly")


def annotated_articles(include_all: bool = False, scope: AnnotationScope = EVERYTHING):
    """Articles with a mention or a stance that `scope` shows (a blind
    campaign's annotator does not learn which articles others annotated)."""
    queryset = articles_with_text().order_by("id")
    if include_all:
        return queryset
    # "Has a mention or a stance" as two one-row subqueries, not EXISTS: PostgreSQL
    # plans `EXISTS … OR EXISTS …` as hashes of both whole tables, read again
    # for every chunk; these probe each article's index entries, so a chunk
    # costs the same however many annotations there are. Unordered: "the first
    # by the models' ordering" would read every row of the article.
    first_mention = scope.apply(ClaimMention.objects.filter(article=OuterRef("pk"))).order_by().values("id")[:1]
    first_stance = scope.apply(Stance.objects.filter(article=OuterRef("pk"))).order_by().values("id")[:1]
    return queryset.alias(first_mention=Subquery(first_mention), first_stance=Subquery(first_stance)).filter(
        Q(first_mention__isnull=False) | Q(first_stance__isnull=False)
    )


def _chunks(queryset, size: int = CHUNK, *, id_of: Callable = attrgetter("id")) -> Iterator[list]:
    """Keyset pagination by id: constant memory, no OFFSET scans. `id_of`
    reads a row's id (`int` for a values_list of ids)."""
    last = 0
    while chunk := list(queryset.filter(id__gt=last)[:size]):
        yield chunk
        last = id_of(chunk[-1])


# --- JSON Lines --------------------------------------------------------------


def iter_articles_jsonl(
    *, offsets: str = CODE_POINTS, include_all: bool = False, scope: AnnotationScope = EVERYTHING
) -> Iterator[bytes]:
    """One line per annotated article: the article document with every expansion,
    exactly as GET /api/v1/articles/{id}/?expand=... returns it, in UTF-8.
    Yields a chunk's lines at once (hundreds of articles), so a stream makes
    one write per chunk rather than per article.

    On PostgreSQL (code-point offsets) the database writes each document's
    JSON (annotations/sql_documents.py), two chunks at a time on connections
    of their own; elsewhere the documents are built in Python and encoded by
    orjson (UTF-8, no escapes)."""
    scope = scope.settled()
    if not sql_documents.available(offsets):
        for chunk in _chunks(annotated_articles(include_all, scope)):
            documents = article_documents(chunk, expand=EXPANSIONS, offsets=offsets, scope=scope)
            yield b"".join(orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE) for document in documents)
        return
    mentions, stances = scope.apply(ClaimMention.objects.all()), scope.apply(Stance.objects.all())
    entities = scope.apply_to_entities(EntityMention.objects.all())

    def lines(ids: list[int]) -> bytes:
        return b"\n".join(sql_documents.document_lines(ids, mentions, stances, entities)) + b"\n"

    chunks = _chunks(annotated_articles(include_all, scope).values_list("id", flat=True), JSONL_CHUNK, id_of=int)
    if connection.in_atomic_block:  # other connections cannot see this transaction's rows
        yield from map(lines, chunks)
    else:
        yield from _in_threads(lines, chunks, threads=JSONL_THREADS)


def _in_threads(work: Callable[[list[int]], bytes], chunks: Iterator[list[int]], *, threads: int) -> Iterator[bytes]:
    """`work(chunk)` for every chunk, `threads` at a time, results in order.

    The calls run on threads with database connections of their own, so
    PostgreSQL works on several chunks at once (one backend process each)
    while this thread streams the finished ones; the connections last the
    whole stream (a new backend reads the catalogs anew) and are closed when
    it ends. Memory stays bounded by `threads` + 1 chunks."""
    opened = set()

    def on_own_connection(chunk: list[int]) -> bytes:
        own = connections[DEFAULT_DB_ALIAS]
        if own not in opened:
            own.inc_thread_sharing()  # closed by the streaming thread at the end
            opened.add(own)
        return work(chunk)

    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="export") as pool:
            pending: deque[Future] = deque()
            try:
                for chunk in chunks:
                    pending.append(pool.submit(on_own_connection, chunk))
                    if len(pending) > threads:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:
                # A closed stream (the client went away) or an error: drop what has not started.
                for future in pending:
                    future.cancel()
    finally:
        for own in opened:
            own.close()
            own.dec_thread_sharing()


# --- W3C Web Annotation ---------------------------------------------------------


def _text_source(base_url: str, span) -> str:
    if span.comment_id:
        return f"{base_url}/api/v1/comments/{span.comment_id}/"
    return f"{base_url}/api/v1/revisions/{span.revision_id}/"


def _selector_target(base_url: str, span, text: str) -> dict:
    return {
        "type": "SpecificResource",
        "source": _text_source(base_url, span),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": span.quote,
                "prefix": text[max(0, span.start - 32) : span.start],
                "suffix": text[span.end : span.end + 32],
            },
            # Web Annotation positions count Unicode code points, as Newsdesk does.
            {"type": "TextPositionSelector", "start": span.start, "end": span.end},
        ],
    }


def iter_web_annotations(*, base_url: str, include_all: bool = False, scope: AnnotationScope = EVERYTHING) -> Iterator[str]:
    """An AnnotationCollection (JSON-LD) of every claim mention and stance, in pieces."""
    scope = scope.settled()
    base_url = base_url.rstrip("/")
    yield (
        '{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection", '
        f'"label": "Newsdesk claim mentions and stances", "generated": "{iso_time(timezone.now())}", '
        '"first": {"type": "AnnotationPage", "startIndex": 0, "items": ['
    )
    first, total = True, 0
    for chunk in _chunks(annotated_articles(include_all, scope)):
        ids = [article.id for article in chunk]
        texts = {("revision", a.current_revision_id): a.current_revision.text for a in chunk}
        mentions = scope.apply(ClaimMention.objects.filter(article_id__in=ids)).select_related("claim", "annotator", "revision", "comment")
        stances = (
            scope.apply(Stance.objects.filter(article_id__in=ids))
            .select_related("claim", "annotator", "article__current_revision", "comment")
            .prefetch_related("rationales__revision", "rationales__comment")
        )
        for item in [*(_mention_annotation(base_url, m, texts) for m in mentions), *(_stance_annotation(base_url, s, texts) for s in stances)]:
            yield ("" if first else ", ") + json.dumps(item, ensure_ascii=False)
            first, total = False, total + 1
    # The collection's size, known once its one page is written (members of a JSON object have no order).
    yield f']}}, "total": {total}}}\n'


def _span_text(span, texts: dict) -> str:
    if span.comment_id:
        return span.comment.text
    return texts.get(("revision", span.revision_id)) or span.revision.text


def _person(user) -> dict:
    return {"type": "Person", "nickname": user.get_username()}


def _mention_annotation(base_url: str, mention: ClaimMention, texts: dict) -> dict:
    return {
        "id": f"{base_url}/api/v1/mentions/{mention.id}/",
        "type": "Annotation",
        "motivation": "identifying",
        "creator": _person(mention.annotator),
        "created": iso_time(mention.created_at),
        "modified": iso_time(mention.updated_at),
        "body": {
            "id": f"{base_url}/api/v1/claims/{mention.claim_id}/",
            "type": "TextualBody",
            "purpose": "identifying",
            "value": mention.claim.text,
            "language": mention.claim.language,
        },
        "target": _selector_target(base_url, mention, _span_text(mention, texts)),
    }


def _stance_annotation(base_url: str, stance: Stance, texts: dict) -> dict:
    whole = (
        f"{base_url}/api/v1/comments/{stance.comment_id}/"
        if stance.comment_id
        else f"{base_url}/api/v1/revisions/{stance.article.current_revision_id}/"
    )
    rationales = list(stance.rationales.all())
    return {
        "id": f"{base_url}/api/v1/stances/{stance.id}/",
        "type": "Annotation",
        "motivation": "assessing",
        "creator": _person(stance.annotator),
        "created": iso_time(stance.created_at),
        "modified": iso_time(stance.updated_at),
        "body": [
            {"type": "TextualBody", "purpose": "classifying", "value": stance.label},
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": f"{base_url}/api/v1/claims/{stance.claim_id}/",
            },
            *([{"type": "TextualBody", "purpose": "commenting", "value": stance.note}] if stance.note else []),
        ],
        "target": [_selector_target(base_url, r, _span_text(r, texts)) for r in rationales] or whole,
    }


# --- Stance table ------------------------------------------------------------------

STANCE_COLUMNS = [
    "claim_id", "claim", "article_id", "article_title", "source", "target_type", "comment_id",
    "stance", "annotator", "rationale_quotes", "note", "updated_at",
]


# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(text: str) -> str:
    """Free text as a spreadsheet shows it, never runs it: an apostrophe
    before a leading =, +, -, @ (OWASP's advice for CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def iter_stance_csv(scope: AnnotationScope = EVERYTHING) -> Iterator[str]:
    """The stance table, UTF-8 with a byte-order mark so that spreadsheet
    programs read the Arabic as UTF-8."""
    scope = scope.settled()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STANCE_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    stances = (
        scope.apply(Stance.objects.all())
        .select_related("claim", "article__source", "annotator")
        .prefetch_related("rationales")
        .order_by("claim_id", "article_id", ARTICLE_FIRST, "id")
    )
    for stance in stances.iterator(chunk_size=500):
        buffer.seek(0)
        buffer.truncate()
        texts = [
            stance.claim.text, stance.article.title, stance.article.source.name, stance.annotator.get_username(),
            " | ".join(r.quote for r in stance.rationales.all()), stance.note,
        ]
        claim, title, source, annotator, quotes, note = (_spreadsheet_safe(text) for text in texts)
        writer.writerow(
            [
                stance.claim_id, claim, stance.article_id, title, source, stance.target_type,
                stance.comment_id or "", stance.label, annotator, quotes, note, iso_time(stance.updated_at),
            ]
        )
        yield buffer.getvalue()


# --- Claim-centred stance JSON (Baly et al., NAACL 2018) -----------------------


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, ch in enumerate(text):
        if ch == "\n":
            starts.append(index + 1)
    return starts


def _lines_of(text: str, rationales) -> list[int]:
    """0-based numbers of the lines that the rationale spans touch."""
    starts = _line_starts(text)
    lines = set()
    for rationale in rationales:
        for number, start in enumerate(starts):
            end = starts[number + 1] - 1 if number + 1 < len(starts) else len(text)
            if rationale.start < end and rationale.end > start:
                lines.add(number)
    return sorted(lines)


def baly_claims(scope: AnnotationScope = EVERYTHING) -> list[dict]:
    """One object per claim with article-level stances, of those `scope` shows.
    Where several stances judge the same article (one per article, as the
    format has), the final layer's wins, then the most recently changed."""
    scope = scope.settled()
    stances = (
        scope.apply(Stance.objects.filter(comment__isnull=True, claim__merged_into__isnull=True))
        .select_related("claim", "article__current_revision")
        .prefetch_related("rationales")
        .annotate(not_final=Case(When(layer=Layer.FINAL, then=Value(0)), default=Value(1)))
        .order_by("claim_id", "article_id", "not_final", "-updated_at", "-id")
    )
    claims: dict[int, dict] = {}
    seen: set[tuple[int, int]] = set()
    for stance in stances:
        if (stance.claim_id, stance.article_id) in seen:
            continue
        seen.add((stance.claim_id, stance.article_id))
        entry = claims.setdefault(
            stance.claim_id,
            {"id": stance.claim_id, "claim": stance.claim.text, "fact": stance.claim.verdict, "article": [], "url": [], "stance": [], "rationale": []},
        )
        revision = stance.article.current_revision
        entry["article"].append(revision.text)
        entry["url"].append(stance.article.url)
        entry["stance"].append(stance.label)
        on_current = [r for r in stance.rationales.all() if r.revision_id == revision.id]
        entry["rationale"].append(_lines_of(revision.text, on_current))
    return list(claims.values())


def iter_baly_json(scope: AnnotationScope = EVERYTHING) -> Iterator[str]:
    yield json.dumps(baly_claims(scope), ensure_ascii=False, indent=1) + "\n"


def _baly_list(claim: dict, key: str, where: str) -> list:
    value = claim.get(key)
    if not isinstance(value, list):
        raise InvalidInput(
            gettext("%(where)s: field '%(key)s' must be a list.") % {"where": where, "key": key}, fields={f"{where}.{key}": [gettext("A list is required.")]}
        )
    return value


@transaction.atomic
def import_baly(data, *, user, source_name: str = "") -> dict:
    """Create claims, articles (or find them by URL and text) and stances from
    the claim-centred format; rationale line numbers become spans covering
    those lines. All or nothing: any error leaves the database as it was."""
    if not isinstance(data, list):
        raise InvalidInput(gettext("Expected a JSON list of claims."), fields={"": [gettext("A list is required.")]})
    counts = defaultdict(int)
    for index, item in enumerate(data):
        where = f"claims[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("claim"), str) or not item["claim"].strip():
            raise InvalidInput(gettext("%(where)s: field 'claim' is missing or empty.") % {"where": where}, fields={f"{where}.claim": [gettext("Required.")]})
        articles, urls = _baly_list(item, "article", where), _baly_list(item, "url", where)
        labels, rationales = _baly_list(item, "stance", where), _baly_list(item, "rationale", where)
        if not len(articles) == len(urls) == len(labels) == len(rationales):
            raise InvalidInput(
                gettext("%(where)s: article, url, stance and rationale must be lists of the same length.") % {"where": where},
                fields={where: [gettext("Parallel lists differ in length.")]},
            )
        fact = item.get("fact") or ""
        fact = {"True": "true", "False": "false"}.get(fact, str(fact).lower())
        if fact not in ("", *Verdict.values):
            raise InvalidInput(
                gettext("%(where)s: unknown fact %(fact)r.") % {"where": where, "fact": item.get("fact")},
                fields={f"{where}.fact": [gettext("Use one of %(choices)s.") % {"choices": ", ".join(Verdict.values)}]},
            )
        # A claim already here (the file re-imported, or exported from here) is taken again, not doubled.
        claim = Claim.objects.filter(text=clean_claim_text(item["claim"]), merged_into__isnull=True).order_by("id").first()
        if claim is None:
            if fact and not is_editor(user):
                counts["verdicts_left_out"] += 1  # verdicts are an editor's to set
                fact = ""
            claim = create_claim(user=user, text=item["claim"], verdict=fact)
            counts["claims"] += 1
        else:
            counts["claims_found"] += 1
        for number, (text, url, label, lines) in enumerate(zip(articles, urls, labels, rationales)):
            spot = f"{where}.article[{number}]"
            if label not in StanceLabel.values:
                raise InvalidInput(
                    gettext("%(where)s: unknown stance %(label)r.") % {"where": spot, "label": label},
                    fields={f"{where}.stance[{number}]": [gettext("Unknown label.")]},
                )
            article = _baly_article(text, url or "", source_name, spot)
            revision = article.current_revision
            spans = _line_spans(revision.text, lines, spot)
            target = SpanTarget(article=article, revision=revision)
            try:
                set_stance(annotator=user, target=target, claim_id=claim.pk, label=label, rationales=spans)
                counts["stances"] += 1
            except Conflict as existing:  # this annotator already judged it: the file's judgement replaces it
                current = existing.current
                # The format knows lines, not spans: a rationale that covers part of
                # a line is exported as that line, so lines are what is compared.
                on_revision = [SimpleNamespace(**r) for r in current["rationales"] if r["revision"] == revision.id]
                if current["label"] == label and _lines_of(revision.text, on_revision) == _lines_of(revision.text, [SimpleNamespace(**span) for span in spans]):
                    counts["stances_unchanged"] += 1  # the same judgement: no new version, no audit event
                    continue
                # Rationales on an earlier revision are not in the file (it holds the current text): they stay.
                kept = [{k: r[k] for k in ("start", "end", "quote", "revision")} for r in current["rationales"] if r["revision"] != revision.id]
                update_stance(user=user, stance_id=current["id"], version=current["version"], changes={"label": label, "rationales": kept + spans})
                counts["stances_updated"] += 1
    return dict(counts)


def _baly_article(text, url, source_name: str, where: str) -> Article:
    """The article the entry names: one already stored with this text (and this
    URL, when the entry has one), as after an export from Newsdesk; otherwise
    a new one."""
    if not isinstance(text, str) or not canonical_text(text).strip():
        raise InvalidInput(gettext("%(where)s: the article text is empty.") % {"where": where}, fields={where: [gettext("Text required.")]})
    if not isinstance(url, str):
        raise InvalidInput(
            gettext("%(where)s: url must be a string, not %(url)r.") % {"where": where, "url": url},
            fields={where.replace(".article[", ".url["): [gettext("A string is required.")]},
        )
    try:
        host = urlsplit(url).hostname or ""
    except ValueError as exc:
        # The reason is Python's own words (urllib's), in English.
        raise InvalidInput(
            gettext("%(where)s: the url %(url)r is not valid: %(reason)s.") % {"where": where, "url": url, "reason": exc},
            fields={where.replace(".article[", ".url["): [str(exc)]},
        ) from None
    lines = visible_lines(canonical_text(text))
    stored = articles_with_text().filter(current_revision__text_hash=sha256_hex("\n".join(lines)))
    if url:
        stored = stored.filter(url=url)
    found = stored.order_by("id").first()
    if found is not None:
        return found
    name = source_name or host or "Baly import"
    language = guess_language(text)
    record = PageRecord(
        origin=where, source_name=name, source_slug=slugify(name, allow_unicode=True) or "baly",
        source_domain=host, language=language,
        blocks=[Block(TITLE, lines[0], language)] + [Block(PARAGRAPH, line, language) for line in lines[1:]],
        url=url, raw_format="baly",
    )
    report = ingest_records([record])
    if report.failures:
        raise InvalidInput(f"{where}: {report.failures[0].reason}", fields={where: [report.failures[0].reason]})
    return articles_with_text().get(source__slug=record.source_slug, identity=article_identity(record))


def _line_spans(text: str, lines, where: str) -> list[dict]:
    """Rationale spans covering whole lines of `text` (0-based line numbers)."""
    if not isinstance(lines, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
        raise InvalidInput(
            gettext("%(where)s: rationale must be a list of line numbers.") % {"where": where}, fields={where: [gettext("A list of integers is required.")]}
        )
    starts = _line_starts(text)
    spans = []
    for number in lines:
        if not 0 <= number < len(starts):
            raise InvalidInput(
                gettext("%(where)s: rationale line %(line)s does not exist (the text has %(lines)s lines).")
                % {"where": where, "line": number, "lines": len(starts)},
                fields={where: [gettext("Line out of range.")]},
            )
        start = starts[number]
        end = starts[number + 1] - 1 if number + 1 < len(starts) else len(text)
        if end > start:
            spans.append({"start": start, "end": end, "quote": text[start:end]})
    return spans

