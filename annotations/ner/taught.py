"""Names people taught the product: applied to new texts at once, before any retraining.

An annotator who adds a mention the model missed (انرون as an organisation),
accepts one, retypes one or rejects one is telling the product about a name.
Retraining learns it eventually; until then, every new extraction applies it
directly:

- a name people confirmed is suggested wherever it stands in a new text,
  with a leading clitic peeled off as for the model's own spans (وانرون);
- a span the model finds with a type people corrected gets their type;
- a span and type people rejected at least twice, and more often than they
  confirmed it, is not suggested again (once could be this one sentence).

Names are matched as whole tokens, on their folded form (so اوباما matches
أوباما). Pure: the decisions come from the caller (the extraction service
reads them from the database).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from annotations.ner.tokens import ARTICLE_LAM, Token, clitic_cuts, tokenize
from newsdesk.text import PROCLITICS

Words = tuple[str, ...]
REFUSED_AFTER = 2  # rejections
_CLITIC_LETTERS = frozenset(clitic[0] for clitic in PROCLITICS)


def folded_words(name: str) -> Words:
    """A name as the folded tokens it is matched by."""
    return tuple(token.folded for token in tokenize(name))


@dataclass(frozen=True)
class TaughtNames:
    types: dict[Words, str]  # a confirmed name → the type people gave it most often
    refused: frozenset[tuple[Words, str]]  # (name, type) rejected twice or more, and more often than confirmed
    first_words: dict[str, int]  # the first word of a confirmed name → words in the longest name it starts

    @classmethod
    def from_decisions(cls, decisions: Iterable[tuple[str, str, bool, int]]) -> TaughtNames:
        """From (quote, type, confirmed?, how many times) decisions."""
        confirmed: Counter = Counter()
        rejected: Counter = Counter()
        for quote, entity_type, is_confirmed, times in decisions:
            words = folded_words(quote)
            if words:
                (confirmed if is_confirmed else rejected)[(words, entity_type)] += times
        best: dict[Words, tuple[int, str]] = {}
        for (words, entity_type), times in sorted(confirmed.items()):
            if times > rejected[(words, entity_type)] and times > best.get(words, (0, ""))[0]:
                best[words] = (times, entity_type)
        refused = frozenset(key for key, times in rejected.items() if times >= REFUSED_AFTER and times > confirmed[key])
        types = {words: entity_type for words, (_, entity_type) in best.items()}
        first_words: dict[str, int] = {}
        for words in types:
            first_words[words[0]] = max(first_words.get(words[0], 0), len(words))
        return cls(types, refused, first_words)

    def __bool__(self) -> bool:
        return bool(self.types or self.refused)

    def apply(self, sentence: list[Token], found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """The model's (start, end, type) spans in this sentence, corrected and
        completed with the taught names found in it."""
        kept = []
        for start, end, entity_type in found:
            words = _words_between(sentence, start, end)
            if (words, entity_type) in self.refused:
                continue
            kept.append((start, end, self.types.get(words, entity_type)))
        for start, end, entity_type in self._matches(sentence):
            inside = [span for span in kept if start <= span[0] and span[1] <= end]
            crossing = [span for span in kept if span[0] < end and start < span[1] and span not in inside]
            if crossing:  # the model's span is longer or cuts across it: the model's stays
                continue
            kept = [span for span in kept if span not in inside] + [(start, end, entity_type)]
        return sorted(kept)

    def _matches(self, sentence: list[Token]) -> list[tuple[int, int, str]]:
        """Taught names in the sentence, longest first, not overlapping each other."""
        matches = []
        index = 0
        while index < len(sentence):
            match = self._match_at(sentence, index)
            if match is None:
                index += 1
                continue
            length, start, entity_type = match
            matches.append((start, sentence[index + length - 1].end, entity_type))
            index += length
        return matches

    def _match_at(self, sentence: list[Token], index: int) -> tuple[int, int, str] | None:
        for word, skipped in _forms(sentence[index]):
            longest = self.first_words.get(word)
            if longest is None:
                continue
            rest = [token.folded for token in sentence[index + 1 : index + longest]]
            for length in range(len(rest) + 1, 0, -1):
                entity_type = self.types.get((word, *rest[: length - 1]))
                if entity_type is not None:
                    return length, sentence[index].start + skipped, entity_type
        return None


def _words_between(sentence: list[Token], start: int, end: int) -> Words:
    """The folded words of a span, its first word as the span starts it (clitic peeled)."""
    words = []
    for token in sentence:
        if token.end <= start or token.start >= end:
            continue
        words.append(token.folded[start - token.start :] if token.start < start else token.folded)
    return tuple(words)


def _forms(token: Token) -> list[tuple[str, int]]:
    """A word as printed, then without each leading clitic it may carry
    (`clitic_cuts`), with how many letters that leaves out."""
    forms = [(token.folded, 0)]
    if token.folded[:1] not in _CLITIC_LETTERS or len(token.folded) != len(token.text):
        return forms  # no clitic; or harakat, and offsets in the folded form would not line up with the text
    for skipped, rest, kind in clitic_cuts(token.folded):
        forms.append((rest, skipped))
        if kind == ARTICLE_LAM:
            forms.append(("ا" + rest, skipped))  # للأمم: the span is لأمم, as the model's spans are; the name is written الأمم
    return forms
