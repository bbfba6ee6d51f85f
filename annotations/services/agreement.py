"""Inter-annotator agreement.

Stance labels: Cohen's kappa per annotator pair, Fleiss' kappa and
Krippendorff's alpha (nominal) overall, computed by NLTK's
`nltk.metrics.agreement.AnnotationTask` (its `pi` on many coders is Fleiss'
kappa; its `alpha` takes items with missing ratings). Claim mentions: span F1
between two annotators, exact (same text, start and end) and overlap-based
(any shared character, matched one to one).

A figure is None when it is not defined: no items, fewer than two ratings
per item, or every rating the same label (chance agreement is then total,
and kappa and alpha are 0/0; NLTK would report 1.0).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from annotations.models import AnnotationTask, ClaimMention, Layer, Stance, TaskState

# Work counts toward agreement once submitted (and while under review).
RATED_STATES = [TaskState.SUBMITTED, TaskState.ACCEPTED, TaskState.CHANGES_REQUESTED]


def _defined(compute):
    try:
        return compute()
    except ZeroDivisionError:
        return None


def _NltkTask(*, data):  # noqa: N802 - stands for NLTK's class
    """NLTK's AnnotationTask, imported on first use: NLTK adds about 30 MB to
    every process that imports it, and only agreement figures need it."""
    from nltk.metrics.agreement import AnnotationTask

    return AnnotationTask(data=data)


def _one_label(labels) -> bool:
    return len(set(labels)) < 2


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa for two coders; `pairs` holds (coder A's label, coder B's label) per item."""
    if not pairs or _one_label(label for pair in pairs for label in pair):
        return None
    data = [row for index, (a, b) in enumerate(pairs) for row in (("a", index, a), ("b", index, b))]
    return _defined(lambda: _NltkTask(data=data).kappa())


def fleiss_kappa(items: list[list[str]]) -> float | None:
    """Fleiss' kappa: every item rated by the same number (≥ 2) of coders,
    not necessarily the same people."""
    items = [labels for labels in items if labels]
    if not items or len({len(labels) for labels in items}) != 1 or len(items[0]) < 2:
        return None
    if _one_label(label for labels in items for label in labels):
        return None
    data = [(f"r{slot}", index, label) for index, labels in enumerate(items) for slot, label in enumerate(labels)]
    return _defined(lambda: _NltkTask(data=data).pi())


def krippendorff_alpha(items: list[list[str]]) -> float | None:
    """Krippendorff's alpha, nominal; items may have any number of ratings
    (an item with fewer than two adds nothing)."""
    data = [(f"r{slot}", index, label) for index, labels in enumerate(items) if len(labels) >= 2 for slot, label in enumerate(labels)]
    if not data or _one_label(label for _, _, label in data):
        return None
    return _defined(lambda: _NltkTask(data=data).alpha())


def span_f1(spans_a: list[tuple], spans_b: list[tuple], *, overlap: bool = False) -> float | None:
    """F1 of two annotators' spans, each (unit, start, end). Exact: the same
    unit, start and end. Overlap: the same unit and a shared character, each
    span matched at most once."""
    if not spans_a and not spans_b:
        return None
    if not overlap:
        matched = len(set(spans_a) & set(spans_b))
    else:
        matched, used = 0, set()
        for unit, start, end in sorted(spans_a):
            for index, (unit_b, start_b, end_b) in enumerate(sorted(spans_b)):
                if index not in used and unit == unit_b and start < end_b and start_b < end:
                    used.add(index)
                    matched += 1
                    break
    return 2 * matched / (len(spans_a) + len(spans_b))


# --- A campaign's figures ----------------------------------------------------------


def _raters(campaign) -> dict[int, dict[int, str]]:
    """Article id → the annotators whose submitted work on it counts (id → username)."""
    raters: dict[int, dict[int, str]] = defaultdict(dict)
    rows = AnnotationTask.objects.filter(campaign=campaign, state__in=RATED_STATES).values_list(
        "article_id", "annotator_id", "annotator__username"
    )
    for article_id, annotator_id, username in rows:
        raters[article_id][annotator_id] = username
    return raters


def stance_ratings(campaign) -> dict[tuple, dict[str, str]]:
    """(article, comment, claim) → {annotator username: label}."""
    raters = _raters(campaign)
    ratings: dict[tuple, dict[str, str]] = defaultdict(dict)
    rows = Stance.objects.filter(layer=Layer.ANNOTATION, article_id__in=list(raters)).values_list(
        "article_id", "comment_id", "claim_id", "annotator_id", "annotator__username", "label"
    )
    for article_id, comment_id, claim_id, annotator_id, username, label in rows:
        if annotator_id in raters[article_id]:
            ratings[(article_id, comment_id, claim_id)][username] = label
    return ratings


def stance_disagreements(campaign) -> dict[int, int]:
    """Article id → how many stance items its raters do not all give the same
    label: labels that differ, or a stance some raters took and others did
    not (the comparison page marks both)."""
    raters = _raters(campaign)
    differing: dict[int, int] = defaultdict(int)
    for (article_id, _comment, _claim), labels in stance_ratings(campaign).items():
        if len(set(labels.values())) > 1 or len(labels) < len(raters[article_id]):
            differing[article_id] += 1
    return differing


def mention_spans(campaign) -> dict[str, dict[int, list[tuple]]]:
    """Annotator username → article id → their mention spans (unit, start, end),
    for every article they submitted, those where they marked nothing included."""
    raters = _raters(campaign)
    spans: dict[str, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for article_id, by_id in raters.items():
        for username in by_id.values():
            spans[username].setdefault(article_id, [])  # rated with no mention: marked none
    rows = ClaimMention.objects.filter(layer=Layer.ANNOTATION, article_id__in=list(raters)).values_list(
        "article_id", "comment_id", "start", "end", "annotator_id", "annotator__username"
    )
    for article_id, comment_id, start, end, annotator_id, username in rows:
        if annotator_id in raters[article_id]:
            spans[username][article_id].append((comment_id or 0, start, end))
    return spans


def campaign_agreement(campaign) -> dict:
    ratings = stance_ratings(campaign)
    items = [list(by_annotator.values()) for by_annotator in ratings.values()]
    annotators = sorted({name for by_annotator in ratings.values() for name in by_annotator})
    pairs = []
    for a, b in combinations(annotators, 2):
        shared = [(r[a], r[b]) for r in ratings.values() if a in r and b in r]
        if shared:
            pairs.append({"a": a, "b": b, "items": len(shared), "cohen_kappa": cohen_kappa(shared)})
    spans = mention_spans(campaign)
    mention_pairs = []
    for a, b in combinations(sorted(spans), 2):
        # Only articles both submitted count (one may have marked nothing there);
        # a span is keyed by its article and text.
        articles = set(spans[a]) & set(spans[b])
        if not articles:
            continue
        keyed_a = [((article, unit), start, end) for article in articles for unit, start, end in spans[a][article]]
        keyed_b = [((article, unit), start, end) for article in articles for unit, start, end in spans[b][article]]
        mention_pairs.append({
            "a": a, "b": b, "articles": len(articles),
            "exact_f1": span_f1(keyed_a, keyed_b), "overlap_f1": span_f1(keyed_a, keyed_b, overlap=True),
        })
    full = [labels for labels in items if len(labels) == campaign.overlap]
    return {
        "stances": {
            "items": len(items),
            "fleiss_kappa": fleiss_kappa(full),
            "fleiss_items": len(full),
            "krippendorff_alpha": krippendorff_alpha(items),
            "pairs": pairs,
        },
        "mentions": {"pairs": mention_pairs},
    }


def disagreements(campaign, limit: int = 10) -> list[dict]:
    """Articles with the most stance items on which annotators differ."""
    counts: dict[int, int] = defaultdict(int)
    for (article_id, _comment, _claim), by_annotator in stance_ratings(campaign).items():
        if len(set(by_annotator.values())) > 1:
            counts[article_id] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"article": article_id, "items": count} for article_id, count in ranked]

