"""CoNLL exact-span scores: a predicted entity counts only if its type and
both its edges match a gold entity. An I- tag after O or after another type
starts a new span, as conlleval and seqeval read it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


def spans(tags: list[str]) -> set[tuple[str, int, int]]:
    """(type, first, last) token spans of a BIO sequence."""
    found = set()
    kind, start = None, 0
    for index, tag in enumerate([*tags, "O"]):
        prefix, _, tag_type = tag.partition("-")
        continues = prefix == "I" and tag_type == kind
        if kind is not None and not continues:
            found.add((kind, start, index - 1))
            kind = None
        if prefix == "B" or (prefix == "I" and not continues):
            kind, start = tag_type, index
    return found


@dataclass(frozen=True)
class Score:
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold_sequences: list[list[str]], predicted_sequences: list[list[str]]) -> dict[str, Score]:
    """Per-type scores and "micro" over all types."""
    hits, predicted, gold = Counter(), Counter(), Counter()
    for sentence, (gold_tags, predicted_tags) in enumerate(zip(gold_sequences, predicted_sequences, strict=True)):
        gold_spans = {(kind, sentence, a, b) for kind, a, b in spans(gold_tags)}
        predicted_spans = {(kind, sentence, a, b) for kind, a, b in spans(predicted_tags)}
        for kind, *_ in gold_spans:
            gold[kind] += 1
        for kind, *_ in predicted_spans:
            predicted[kind] += 1
        for kind, *_ in gold_spans & predicted_spans:
            hits[kind] += 1
    result = {kind: Score(hits[kind], predicted[kind], gold[kind]) for kind in sorted(set(gold) | set(predicted))}
    result["micro"] = Score(sum(hits.values()), sum(predicted.values()), sum(gold.values()))
    return result


def format_table(scores: dict[str, Score]) -> str:
    lines = ["type   precision  recall     f1   gold  predicted", "-" * 50]
    for kind, value in scores.items():
        lines.append(
            f"{kind:<6} {value.precision:9.4f} {value.recall:7.4f} {value.f1:6.4f} {value.gold:6d} {value.predicted:10d}"
        )
    return "\n".join(lines)
