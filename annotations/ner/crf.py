"""Tagging with a trained CRFsuite model, word by word.

CRFsuite's own tagger converts every feature string of every token on every
call: for a 3 KB article, 23,000 strings, most of the extraction time. A
linear-chain CRF's score is a sum of weights, and a token's features are
groups that each depend on one word (`annotations.ner.features`). So the
weights of a group are summed once per distinct word and kept; a sentence's
emission scores are a few array additions, and Viterbi decoding over the
model's transition weights gives the same labels as CRFsuite's tagger
(tests/annotations/test_ner_crf.py compares them). Training stays with
CRFsuite.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pycrfsuite

from annotations.ner.features import (
    CONTEXT_OFFSETS,
    DOCUMENT_OFFSETS,
    SENTENCE_END,
    SENTENCE_START,
    context_features,
    core,
    document_context,
    next_pair_feature,
    own_features,
    pair_feature,
)

# Distinct words whose summed weights are kept per group; news vocabulary
# repeats, and a full cache is simply emptied (each entry is cheap to rebuild).
CACHE_WORDS = 100_000


class CrfModel:
    """A CRFsuite model's weights as arrays, with Viterbi decoding.

    Read-only after construction except for its caches, whose entries never
    change once computed, so threads can share one instance.
    """

    def __init__(self, model_path: str | Path):
        tagger = pycrfsuite.Tagger()
        tagger.open(str(model_path))  # raises ValueError on a missing or broken file
        try:
            info = tagger.info()
        finally:
            tagger.close()
        self.labels: list[str] = [label for label, _ in sorted(info.labels.items(), key=lambda item: item[1])]
        index = {label: number for number, label in enumerate(self.labels)}
        size = len(self.labels)
        self._weights: dict[str, np.ndarray] = {}
        for (attribute, label), weight in info.state_features.items():
            self._weights.setdefault(attribute, np.zeros(size))[index[label]] += weight
        self._transitions = np.zeros((size, size))
        for (before, after), weight in info.transitions.items():
            self._transitions[index[before], index[after]] = weight
        self._zero = np.zeros(size)
        self._start = self._sum((SENTENCE_START,))
        self._end = self._sum((SENTENCE_END,))
        self._own: dict[str, np.ndarray] = {}
        self._context: dict[int, dict[str, np.ndarray]] = {offset: {} for offset in CONTEXT_OFFSETS}
        # Document groups are few distinct tuples of flags; keyed by the tuple.
        self._document: dict[int, dict[tuple[str, ...], np.ndarray]] = {offset: {} for offset in DOCUMENT_OFFSETS}

    def _sum(self, features: tuple[str, ...]) -> np.ndarray:
        total = self._zero.copy()
        for feature in features:
            weights = self._weights.get(feature)
            if weights is not None:
                total += weights
        return total

    def _cached(self, cache: dict, word, features) -> np.ndarray:
        vector = cache.get(word)
        if vector is None:
            if len(cache) >= CACHE_WORDS:
                cache.clear()
            vector = cache[word] = self._sum(features(word))
        return vector

    @staticmethod
    def _add_shifted(scores: np.ndarray, vectors: np.ndarray, offset: int) -> None:
        """Add to each token the vector of the word `offset` places away from it."""
        count = len(scores)
        if offset < 0:
            scores[-offset:] += vectors[: count + offset]
        elif offset > 0:
            scores[: count - offset] += vectors[offset:]
        else:
            scores += vectors

    def emissions(self, words: list[str], document: dict[str, tuple[str, ...]]) -> np.ndarray:
        """Each token's score for each label (tokens × labels), from its feature groups."""
        count = len(words)
        scores = np.array([self._cached(self._own, word, own_features) for word in words])
        for offset, cache in self._context.items():
            if count > abs(offset):
                vectors = np.array([self._cached(cache, word, lambda w, o=offset: context_features(w, o)) for word in words])
                self._add_shifted(scores, vectors, offset)
        groups = [document[core(word)] for word in words]
        for offset, cache in self._document.items():
            if count > abs(offset):
                vectors = np.array([self._cached(cache, group, lambda g, o=offset: document_context(g, o)) for group in groups])
                self._add_shifted(scores, vectors, offset)
        scores[0] += self._start
        scores[-1] += self._end
        weights = self._weights
        for i in range(1, count):
            before = weights.get(pair_feature(words[i - 1], words[i]))  # a feature of token i
            if before is not None:
                scores[i] += before
            after = weights.get(next_pair_feature(words[i - 1], words[i]))  # a feature of token i - 1
            if after is not None:
                scores[i - 1] += after
        return scores

    def tag(self, words: list[str], document: dict[str, tuple[str, ...]]) -> list[str]:
        """The most likely label sequence (Viterbi) for a sentence of folded
        words; `document` is `features.document_features` of its document."""
        if not words:
            return []
        scores = self.emissions(words, document)
        count, size = scores.shape
        best = scores[0]
        backpointers = np.empty((count, size), dtype=np.intp)
        columns = np.arange(size)
        for i in range(1, count):
            candidates = best[:, None] + self._transitions
            backpointers[i] = candidates.argmax(axis=0)
            best = candidates[backpointers[i], columns] + scores[i]
        path = [int(best.argmax())]
        for i in range(count - 1, 0, -1):
            path.append(int(backpointers[i, path[-1]]))
        return [self.labels[label] for label in reversed(path)]
