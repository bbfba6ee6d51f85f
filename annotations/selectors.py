"""Shared reads of annotations: whole article documents, claim summaries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from annotations.access import blind_article_ids, visible_annotations, visible_entity_mentions
from annotations.errors import InvalidInput
from annotations.models import (
    ARTICLE_FIRST,
    Claim,
    ClaimMention,
    Entity,
    EntityMention,
    ExtractionRun,
    Stance,
    StanceRationale,
)
from annotations.representations import (
    CODE_POINTS,
    EXPANSIONS,
    article_document,
    entity_dict,
    mention_dict,
    source_dict,
)
from annotations.services.claims import search_claims
from annotations.services.entities import search_entities
from newsdesk.models import Article, Comment, Source
from newsdesk.roles import is_editor
from newsdesk.text import direction_for

LAYER_HELP = (
    "Which annotations: `final` (the adjudicated layer), `all` (every annotator's own work), "
    "or a username (that annotator's work). Without it, both layers."
)


def check_layer(layer: str) -> str:
    """`layer` if it is one (see LAYER_HELP); a misspelt layer or an unknown
    username is an error, not an empty answer that looks like no annotations."""
    if layer in ("", "final", "all") or get_user_model().objects.filter(username=layer).exists():
        return layer
    raise InvalidInput(
        gettext("Unknown layer %(layer)r: use final, all or an annotator's username.") % {"layer": layer},
        fields={"layer": [gettext("Use final, all or an annotator's username.")]},
    )


def in_layer(queryset: QuerySet, layer: str) -> QuerySet:
    """Mentions or stances of one layer (see LAYER_HELP)."""
    if not layer:
        return queryset
    if layer == "final":
        return queryset.filter(layer="final")
    if layer == "all":
        return queryset.filter(layer="annotation")
    return queryset.filter(layer="annotation", annotator__username=layer)


@dataclass(frozen=True)
class AnnotationScope:
    """Which mentions and stances a read includes: those `viewer` may see
    (blind campaigns hide other annotators' work), in `layer`."""

    viewer: object = None
    layer: str = ""
    # The viewer's blind articles, once read (see `settled`); None: a subquery in each read.
    blind_article_ids: tuple | None = None

    def __post_init__(self):
        check_layer(self.layer)

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.viewer is not None:
            queryset = visible_annotations(self.viewer, queryset, blind_ids=self.blind_article_ids)
        return in_layer(queryset, self.layer)

    def apply_to_entities(self, queryset: QuerySet) -> QuerySet:
        """Entity mentions of this scope (layers do not apply: they have none)."""
        return queryset if self.viewer is None else visible_entity_mentions(self.viewer, queryset, blind_ids=self.blind_article_ids)

    def settled(self) -> AnnotationScope:
        """This scope with the viewer's blind articles read now, once: a long
        read (an export probes every article) then carries a plain list, or
        nothing at all when there are none, instead of a subquery per probe."""
        if self.viewer is None or self.blind_article_ids is not None:
            return self
        rows = blind_article_ids(self.viewer).values_list("campaign__items__article_id", flat=True)
        ids = tuple(article_id for article_id in rows if article_id is not None)
        return replace(self, blind_article_ids=ids)


EVERYTHING = AnnotationScope()


class SpanRow(SimpleNamespace):
    """A span read with values(): what the representations need of a
    mention, without building a model instance (a long article has thousands)."""

    @property
    def target_type(self) -> str:
        return "comment" if self.comment_id else "article"


class CommentRow(SimpleNamespace):
    """A comment read with values(), for the representations."""

    @property
    def direction(self) -> str:
        return direction_for(self.language)


class StanceRow(SpanRow):
    """A stance read with values(); `rationales` is filled in by the reader."""


SPAN_COLUMNS = ("id", "article_id", "revision_id", "comment_id", "start", "end", "quote")
COMMENT_COLUMNS = (
    "id", "article_id", "position", "author", "title", "text", "language", "posted_at", "posted_at_text",
    "text_notes", "updated_at",
)
STANCE_COLUMNS = (
    "id", "claim_id", "article_id", "comment_id", "label", "note", "note_dir", "annotator_id", "layer", "version",
)
RUN_COLUMNS = ("id", "article_id", "state", "error", "extractor_version", "mentions", "created_at", "finished_at")
MENTION_COLUMNS = (*SPAN_COLUMNS, "claim_id", "annotator_id", "layer", "version")
ENTITY_MENTION_COLUMNS = (
    *SPAN_COLUMNS, "entity_id", "type", "origin", "status", "extractor_version", "annotator_id", "version",
)


def span_rows(queryset: QuerySet, columns: tuple, **extra) -> list[SpanRow]:
    """Rows of `columns`, with the annotator's username, as SpanRows."""
    rows = queryset.values(*columns, annotator_name=F("annotator__username"), **extra)
    return [SpanRow(**row) for row in rows]


def with_annotator_name(queryset: QuerySet) -> QuerySet:
    """Each row with its annotator's username, without building user objects
    (a long article has thousands of spans)."""
    return queryset.annotate(annotator_name=F("annotator__username"))


def _by_article(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.article_id].append(row)
    return grouped


def article_documents(
    articles: list[Article], *, expand: Iterable[str] = EXPANSIONS, offsets: str = CODE_POINTS,
    scope: AnnotationScope = EVERYTHING, timestamps: bool = True,
) -> Iterator[dict]:
    """Documents for `articles` (with source and current revision loaded), in
    order, with the expansions asked for; a handful of queries per call,
    whatever the number of articles. `timestamps=False` leaves the
    annotations' created/updated times out (and unread).

    Comments, spans, stances and runs are read with values() into light rows:
    an export reads tens of thousands of them, and building model instances
    cost more than everything else together."""
    expand = set(expand)
    mention_times = ("created_at", "updated_at") if timestamps else ()
    entity_times = ("updated_at",) if timestamps else ()
    ids = [article.id for article in articles]
    comments = _by_article(
        CommentRow(**row)
        for row in Comment.objects.filter(article_id__in=ids).order_by("article_id", "position", "id").values(*COMMENT_COLUMNS)
    )
    mentions = (
        _by_article(span_rows(scope.apply(ClaimMention.objects.filter(article_id__in=ids)).order_by("article_id", ARTICLE_FIRST, "start", "id"), (*MENTION_COLUMNS, *mention_times)))
        if "mentions" in expand
        else None
    )
    stances = _stance_rows(ids, scope, mention_times) if "stances" in expand else None
    entities = (
        _by_article(
            span_rows(
                scope.apply_to_entities(EntityMention.objects.filter(article_id__in=ids)).order_by("article_id", ARTICLE_FIRST, "start", "id"),
                (*ENTITY_MENTION_COLUMNS, *entity_times),
                entity_name=F("entity__canonical_name"),
            )
        )
        if "entities" in expand
        else None
    )
    latest_runs = latest_extraction_runs(ids)
    for article in articles:
        run = latest_runs.get(article.id)
        article.extraction_state = run.state if run else None
        document = article_document(
            article,
            comments=comments.get(article.id, []),
            mentions=None if mentions is None else mentions.get(article.id, []),
            stances=None if stances is None else stances.get(article.id, []),
            entities=None if entities is None else entities.get(article.id, []),
            extraction=run,
            offsets=offsets,
            timestamps=timestamps,
        )
        if "comments" not in expand:
            del document["comments"]
        yield document


def _stance_rows(article_ids: list[int], scope: AnnotationScope, times: tuple[str, ...]) -> dict[int, list[StanceRow]]:
    """Stances of these articles by article, each with its rationales in order."""
    stances = [
        StanceRow(**row, rationales=[])
        for row in scope.apply(Stance.objects.filter(article_id__in=article_ids))
        .order_by("article_id", ARTICLE_FIRST, "id")
        .values(*STANCE_COLUMNS, *times, annotator_name=F("annotator__username"))
    ]
    by_id = {stance.id: stance for stance in stances}
    rationales = (
        StanceRationale.objects.filter(stance_id__in=by_id).order_by("stance_id", "position", "id").values(*SPAN_COLUMNS, "stance_id")
    )
    for row in rationales:
        by_id[row.pop("stance_id")].rationales.append(SpanRow(**row))
    return _by_article(stances)


def latest_extraction_runs(article_ids: list[int]) -> dict[int, SimpleNamespace]:
    """Each article's most recent extraction run (the columns extraction_dict shows)."""
    latest = (
        ExtractionRun.objects.filter(article_id__in=article_ids)
        .values("article_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    runs = ExtractionRun.objects.filter(id__in=list(latest)).values(*RUN_COLUMNS)
    return {run["article_id"]: SimpleNamespace(**run) for run in runs}


def extraction_state_subquery() -> Subquery:
    return Subquery(ExtractionRun.objects.filter(article=OuterRef("pk")).order_by("-id").values("state")[:1])


def articles_with_text() -> QuerySet[Article]:
    """Articles with their source and current text, without the columns no
    document shows (the raw page and what ingestion removed, the search copy)."""
    return Article.objects.select_related("source", "current_revision").defer(
        "search_text", "current_revision__raw_page", "current_revision__removed"
    )


def claim_mentions_across_articles(claim: Claim, viewer=None) -> list[dict]:
    """Every mention of the claim `viewer` may see (blind campaigns), by source."""
    mentions = (
        AnnotationScope(viewer=viewer).apply(ClaimMention.objects.filter(claim=claim))
        .select_related("annotator", "article__source")
        .order_by("article__source__name", "article_id", ARTICLE_FIRST, "start")
    )
    return [
        {**mention_dict(m), "article_title": m.article.title, "source": source_dict(m.article.source)}
        for m in mentions
    ]


def stance_summary_by_source(claim: Claim, viewer=None) -> list[dict]:
    """Per source, how many of its articles are judged to take each stance
    toward `claim` (of the stances `viewer` may see): an article two annotators
    judged alike counts once. Where an editor decided the article's final
    stance (adjudication), that decision counts and the annotators' stances
    do not; work an editor rejected never counts. Reader comments are not the
    outlet's position and are not counted."""
    from annotations.models import AnnotationTask, Layer, TaskState

    scoped = AnnotationScope(viewer=viewer).apply(Stance.objects.filter(claim=claim, comment__isnull=True))
    decided = scoped.filter(layer=Layer.FINAL).values("article_id")
    rejected = AnnotationTask.objects.filter(article=OuterRef("article_id"), annotator=OuterRef("annotator_id"), state=TaskState.REJECTED)
    rows = (
        scoped.filter(Q(layer=Layer.FINAL) | ~Q(article_id__in=decided))
        .exclude(Q(layer=Layer.ANNOTATION) & Exists(rejected))
        .values("article__source_id", "label")
        .annotate(count=Count("article_id", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"agree": 0, "disagree": 0, "discuss": 0, "unrelated": 0})
    for row in rows:
        counts[row["article__source_id"]][row["label"]] = row["count"]
    sources = {s.id: s for s in Source.objects.filter(id__in=counts)}
    return [
        {"source": source_dict(sources[source_id]), **labels}
        for source_id, labels in sorted(counts.items(), key=lambda item: sources[item[0]].name)
    ]


def entity_appearances(entity: Entity, viewer=None) -> dict:
    """Where an entity appears (articles, with how often) and the claims
    mentioned in those articles, as far as `viewer` may see (blind campaigns
    hide other annotators' mentions)."""
    scope = AnnotationScope(viewer=viewer)
    rows = (
        scope.apply_to_entities(EntityMention.objects.filter(entity=entity))
        .exclude(status="rejected")
        .values("article_id", "article__title", "article__source__name")
        .annotate(count=Count("id"))
        .order_by("-count", "article_id")
    )
    articles = [
        {"article": row["article_id"], "title": row["article__title"], "source": row["article__source__name"], "mentions": row["count"]}
        for row in rows[:500]
    ]
    claim_rows = (
        scope.apply(ClaimMention.objects.filter(article_id__in=[a["article"] for a in articles]))
        .values("claim_id", "claim__text")
        .annotate(articles=Count("article_id", distinct=True))
        .order_by("-articles", "claim_id")
    )
    claims = [{"claim": row["claim_id"], "text": row["claim__text"], "articles": row["articles"]} for row in claim_rows[:100]]
    return {"articles": articles, "claims": claims}


def entity_index(viewer, *, query: str = "", entity_type: str = "", listed: bool = False) -> QuerySet[Entity]:
    """Surviving entities with mentions `viewer` may see (rejected ones left
    out), with how many, most mentioned first; `query` matches any spelling,
    as the API's ?q= does. `listed`: the newsroom's name list, found in an
    article or not yet."""
    counts = (
        _mentions_seen(viewer, EntityMention.objects.filter(entity=OuterRef("pk")))
        .order_by().values("entity").annotate(count=Count("id")).values("count")
    )
    entities = Entity.objects.filter(merged_into__isnull=True)
    if entity_type:
        entities = entities.filter(type=entity_type)
    entities = search_entities(entities, query).annotate(mention_count=Coalesce(Subquery(counts), 0))
    if listed:  # the list is the editors' own: shown whether or not a text names it yet
        entities = entities.filter(listed=True)
    else:
        # Only entities with a mention the viewer may see: one that only another
        # annotator's work in a blind campaign names is theirs to know of.
        entities = entities.filter(mention_count__gt=0)
    return entities.order_by("-mention_count", "canonical_name", "id")


def entity_spellings(entity: Entity, viewer=None) -> list[dict]:
    """How the entity is written in the texts `viewer` may see, with how many
    mentions each, most frequent first (see spellings_of)."""
    return spellings_of([entity.pk], viewer).get(entity.pk, [])


def spellings_of(entity_ids: list[int], viewer=None) -> dict[int, list[dict]]:
    """For each entity, how it is written in the texts `viewer` may see (blind
    campaigns hide what other annotators added; rejected mentions are left
    out), with how many mentions each, most frequent first; one query."""
    rows = _mentions_seen(viewer, EntityMention.objects.filter(entity_id__in=entity_ids)).values("entity_id", "quote").annotate(mentions=Count("id")).order_by("entity_id", "-mentions", "quote")
    found: dict[int, list[dict]] = defaultdict(list)
    for row in rows[: 200 * max(len(entity_ids), 1)]:
        found[row["entity_id"]].append({"spelling": row["quote"], "mentions": row["mentions"]})
    return found


def _mentions_seen(viewer, mentions: QuerySet) -> QuerySet:
    """Entity mentions that count as the entity's: not rejected, and visible to `viewer` (None: to anyone)."""
    mentions = mentions.exclude(status="rejected")
    return mentions if viewer is None else visible_entity_mentions(viewer, mentions)


def also_written(entity: Entity, spellings: list[dict]) -> list[str]:
    """The spellings (rows of spellings_of) other than the entity's name."""
    return [row["spelling"] for row in spellings if row["spelling"] != entity.canonical_name]


def entity_bodies(entities: list[Entity], viewer) -> list[dict]:
    """entity_dict of each. Where `viewer` annotates in an active blind
    campaign, the aliases are only the canonical name and the spellings of
    texts they may see: a spelling another annotator added is their work."""
    bodies = [entity_dict(entity) for entity in entities]
    if is_editor(viewer) or not blind_article_ids(viewer).exists():
        return bodies
    spellings = spellings_of([entity.pk for entity in entities], viewer)
    for body, entity in zip(bodies, entities):
        seen = {row["spelling"] for row in spellings.get(entity.pk, [])} | {entity.canonical_name}
        body["aliases"] = [alias for alias in entity.aliases if alias in seen]
    return bodies


def entities_to_merge_into(entity: Entity) -> QuerySet[Entity]:
    """What `entity` can be merged into: the other surviving entities of its type."""
    return Entity.objects.filter(type=entity.type, merged_into__isnull=True).exclude(pk=entity.pk)


def entity_merge_candidates(entity: Entity, query: str) -> list[Entity]:
    """Those whose spellings match `query`, most mentioned first."""
    return _most_mentioned(search_entities(entities_to_merge_into(entity), query))


def claims_to_merge_into(claim: Claim) -> QuerySet[Claim]:
    """What `claim` can be merged into: the other surviving claims."""
    return Claim.objects.filter(merged_into__isnull=True).exclude(pk=claim.pk)


def claim_merge_candidates(claim: Claim, query: str) -> list[Claim]:
    """Those whose text or claimant holds the words of `query`, most mentioned first."""
    return _most_mentioned(search_claims(claims_to_merge_into(claim), query))


def _most_mentioned(queryset: QuerySet, limit: int = 10) -> list:
    return list(queryset.annotate(mention_count=Count("mentions")).order_by("-mention_count", "id")[:limit])


# --- Editorial workflow ------------------------------------------------------------


def article_comparison(campaign, article) -> dict:
    """Each annotator's stances and mentions on one article side by side, with
    where they differ, and the final layer beside them."""
    from annotations.models import AnnotationTask, Layer

    tasks = list(
        # Work that was skipped, given back or rejected is not compared.
        AnnotationTask.objects.filter(campaign=campaign, article=article)
        .exclude(state__in=["skipped", "released", "rejected"])
        .select_related("annotator")
        .order_by("slot", "id")
    )
    annotator_ids = [task.annotator_id for task in tasks]
    stances = (
        Stance.objects.filter(article=article, layer=Layer.ANNOTATION, annotator_id__in=annotator_ids)
        .select_related("claim", "comment")
        .prefetch_related("rationales")
    )
    finals = {(s.comment_id, s.claim_id): s for s in Stance.objects.filter(article=article, layer=Layer.FINAL).select_related("claim", "comment")}
    rows: dict[tuple, dict] = {}
    for stance in stances:
        row = rows.setdefault((stance.comment_id, stance.claim_id), {"claim": stance.claim, "comment": stance.comment, "by": {}})
        row["by"][stance.annotator_id] = stance
    for key, final in finals.items():
        rows.setdefault(key, {"claim": final.claim, "comment": final.comment, "by": {}})
    table = []
    for key, row in sorted(rows.items(), key=lambda item: (item[0][0] or 0, item[0][1])):
        labels = [stance.label for stance in row["by"].values()]
        counts = sorted(((labels.count(label), label) for label in set(labels)), reverse=True)
        # A label held by more annotators than any other; on a tie every cell differs.
        majority = counts[0][1] if counts and (len(counts) == 1 or counts[0][0] > counts[1][0]) else None
        cells = [
            {"task": task, "stance": row["by"].get(task.annotator_id), "differs": row["by"].get(task.annotator_id) is None or row["by"][task.annotator_id].label != majority}
            for task in tasks
        ]
        table.append({
            "key": f"{key[0] or 0}-{key[1]}", "claim": row["claim"], "comment": row["comment"], "cells": cells,
            "agreed": len(set(labels)) == 1 and len(labels) == len(tasks), "final": finals.get(key), "suggested": majority,
        })
    mentions = ClaimMention.objects.filter(article=article, layer=Layer.ANNOTATION, annotator_id__in=annotator_ids).select_related("claim").order_by(ARTICLE_FIRST, "start", "id")
    holders: dict[tuple, set] = defaultdict(set)
    by_annotator: dict[int, list] = defaultdict(list)
    for mention in mentions:
        key = (mention.comment_id, mention.start, mention.end, mention.claim_id)
        holders[key].add(mention.annotator_id)
        by_annotator[mention.annotator_id].append(mention)
    final_keys = set(
        ClaimMention.objects.filter(article=article, layer=Layer.FINAL).values_list("comment_id", "start", "end", "claim_id")
    )
    columns = [
        {
            "task": task,
            "mentions": [
                {"mention": m, "shared": len(holders[(m.comment_id, m.start, m.end, m.claim_id)]) == len(tasks), "final": (m.comment_id, m.start, m.end, m.claim_id) in final_keys}
                for m in by_annotator[task.annotator_id]
            ],
        }
        for task in tasks
    ]
    final_mentions = ClaimMention.objects.filter(article=article, layer=Layer.FINAL).select_related("claim").order_by(ARTICLE_FIRST, "start")
    return {"tasks": tasks, "rows": table, "columns": columns, "final_mentions": list(final_mentions)}


def review_queue(campaign, *, annotator: str = "", state: str = "", disagreement: bool = False) -> list[dict]:
    """The campaign's articles that have tasks, each with its tasks and how
    many stance items its annotators disagree on; filters narrow it."""
    from annotations.models import AnnotationTask
    from annotations.services.agreement import stance_disagreements

    tasks = AnnotationTask.objects.filter(campaign=campaign).exclude(state__in=["released"]).select_related("annotator", "article")
    if annotator:
        tasks = tasks.filter(article_id__in=AnnotationTask.objects.filter(campaign=campaign, annotator__username=annotator).values("article_id"))
    if state:
        tasks = tasks.filter(article_id__in=AnnotationTask.objects.filter(campaign=campaign, state=state).values("article_id"))
    differing = stance_disagreements(campaign)
    rows: dict[int, dict] = {}
    for task in tasks.order_by("article_id", "slot"):
        row = rows.setdefault(task.article_id, {"article": task.article, "tasks": [], "disagreements": differing.get(task.article_id, 0)})
        row["tasks"].append(task)
    result = list(rows.values())
    if disagreement:
        result = [row for row in result if row["disagreements"]]
    return sorted(result, key=lambda row: (-row["disagreements"], row["article"].id))
