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

    def _vectors(self, cache: dict, keys: list, features) -> np.ndarray:
        return np.array([self._cached(cache, key, features) for key in keys])

    @staticmethod
    def _add_shifted(scores: np.ndarray, vectors: np.ndarray, offset: int, same: np.ndarray) -> None:
        """Add to each token the vector of the word `offset` places away from
        it, where that word is in the same sentence (`same`, per pair)."""
        count = len(scores)
        if offset < 0:
            scores[-offset:] += vectors[: count + offset] * same[:, None]
        elif offset > 0:
            scores[: count - offset] += vectors[offset:] * same[:, None]
        else:
            scores += vectors

    def emissions(self, sentences: list[list[str]], document: dict[str, tuple[str, ...]]) -> np.ndarray:
        """Each token's score for each label (tokens × labels, the sentences'
        tokens one after another), from its feature groups. A document's
        sentences are scored together: a few array operations for all of them."""
        words = [word for sentence in sentences for word in sentence]
        count = len(words)
        lengths = np.array([len(sentence) for sentence in sentences])
        sentence_of = np.repeat(np.arange(len(sentences)), lengths)
        # For each offset, whether token i and token i + offset share a sentence (over the pairs the slices align).
        same = {
            offset: (sentence_of[-offset:] == sentence_of[: count + offset]) if offset < 0
            else (sentence_of[: count - offset] == sentence_of[offset:])
            for offset in {*CONTEXT_OFFSETS, *DOCUMENT_OFFSETS} if offset and count > abs(offset)
        }
        # Each distinct word (and document group) is looked up once per group of features.
        distinct_words, word_at = _distinct(words)
        scores = self._vectors(self._own, distinct_words, own_features)[word_at]
        for offset, cache in self._context.items():
            if offset == 0 or offset in same:
                vectors = self._vectors(cache, distinct_words, lambda w, o=offset: context_features(w, o))[word_at]
                self._add_shifted(scores, vectors, offset, same.get(offset))
        distinct_groups, group_at = _distinct([document[core(word)] for word in distinct_words])
        group_at = group_at[word_at]
        for offset, cache in self._document.items():
            if offset == 0 or offset in same:
                vectors = self._vectors(cache, distinct_groups, lambda g, o=offset: document_context(g, o))[group_at]
                self._add_shifted(scores, vectors, offset, same.get(offset))
        ends = np.cumsum(lengths)
        scores[ends - lengths] += self._start
        scores[ends - 1] += self._end
        weights = self._weights
        for i in range(1, count):
            if sentence_of[i] != sentence_of[i - 1]:
                continue
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
        return self.tag_sentences([words], document)[0]

    def tag_sentences(self, sentences: list[list[str]], document: dict[str, tuple[str, ...]]) -> list[list[str]]:
        """`tag` for each sentence of one document, decoded together: Viterbi
        steps over all the sentences at once, as many steps as the longest has."""
        filled = [sentence for sentence in sentences if sentence]
        if not filled:
            return [[] for _ in sentences]
        lengths = np.array([len(sentence) for sentence in filled])
        flat = self.emissions(filled, document)
        batch, longest, size = len(filled), int(lengths.max()), len(self.labels)
        scores = np.zeros((batch, longest, size))
        positions = np.arange(longest)[None, :] < lengths[:, None]  # which (sentence, step) exist
        scores[positions] = flat
        best = scores[:, 0]
        backpointers = np.zeros((batch, longest, size), dtype=np.intp)
        rows = np.arange(batch)[:, None]
        columns = np.arange(size)[None, :]
        for i in range(1, longest):
            candidates = best[:, :, None] + self._transitions
            backpointers[:, i] = candidates.argmax(axis=1)
            stepped = candidates[rows, backpointers[:, i], columns] + scores[:, i]
            best = np.where(positions[:, i, None], stepped, best)  # a finished sentence keeps its last step
        state = best.argmax(axis=1)
        path = np.zeros((batch, longest), dtype=np.intp)
        for i in range(longest - 1, 0, -1):
            inside = positions[:, i]
            path[inside, i] = state[inside]
            state[inside] = backpointers[inside, i, state[inside]]
        path[:, 0] = state
        decoded = iter([[self.labels[label] for label in path[b, :length]] for b, length in enumerate(lengths)])
        return [next(decoded) if sentence else [] for sentence in sentences]


def _distinct(keys: list) -> tuple[list, np.ndarray]:
    """The distinct keys in order of first appearance, and each key's place among them."""
    places: dict = {}
    at = [places.setdefault(key, len(places)) for key in keys]
    return list(places), np.array(at, dtype=np.intp)
