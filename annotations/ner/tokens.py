"""Tokens with code-point offsets, and the clitics that attach to Arabic names.

Tokens are runs of letters, digits and Arabic marks (harakat, tatweel); every
other non-space character is a token of its own, as in ANERcorp. A token
keeps its offsets into the canonical text, so entity spans map back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from newsdesk.text import PROCLITICS, fold

_TOKEN = re.compile(r"[\w\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+|[^\w\s]", re.UNICODE)
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


class Token(NamedTuple):  # a tuple: built tens of thousands of times a second
    text: str
    start: int
    end: int
    folded: str


def tokenize(text: str) -> list[Token]:
    folded: dict[str, str] = {}  # news repeats its words: each is folded once
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        form = folded.get(word)
        if form is None:
            form = folded[word] = fold(word)
        tokens.append(Token(word, match.start(), match.end(), form))
    return tokens


def sentences(tokens: list[Token], text: str) -> list[list[Token]]:
    """Tokens grouped by sentence: split at line ends and at . ! ? ؟ tokens."""
    groups: list[list[Token]] = []
    current: list[Token] = []
    previous_end = 0
    for token in tokens:
        if current and "\n" in text[previous_end : token.start]:
            groups.append(current)
            current = []
        current.append(token)
        previous_end = token.end
        if token.text in (".", "!", "?", "؟"):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


# What a clitic cut leaves: the article kept (والجيش → الجيش), the article's
# ل after a ل clitic (للأمم → لأمم), or a word the caller must judge.
ARTICLE, ARTICLE_LAM, BARE = "article", "article-lam", "bare"


def clitic_cuts(folded: str) -> Iterator[tuple[int, str, str]]:
    """Where a folded word may lose a leading clitic, in PROCLITICS' order:
    (how many letters go, the rest, which kind of rest). و/ف/ب/ك + the article
    and the first ل of لل always go; a lone clitic (BARE) only when the caller
    decides the rest is the name. At least two letters stay."""
    for clitic in PROCLITICS:
        if not folded.startswith(clitic) or len(folded) - len(clitic) < 2:
            continue
        if clitic.endswith("ال"):
            yield len(clitic) - 2, folded[len(clitic) - 2 :], ARTICLE
        elif clitic.endswith("لل"):
            yield len(clitic) - 1, folded[len(clitic) - 1 :], ARTICLE_LAM
        else:
            yield len(clitic), folded[len(clitic) :], BARE


def clitic_length(word: str, rest_is_the_name) -> int:
    """How many leading letters of `word` (as printed) are clitics, not name.

    `rest_is_the_name(folded_word, folded_rest)` decides whether the word
    without a one- or two-letter proclitic is the name (ولافروف → لافروف) or
    the word itself is (كيري, وائل, بشار): the caller compares how the two
    forms occur in the text and in gazetteers. See `clitic_cuts`.
    """
    bare = _MARKS.sub("", word)
    if len(bare) != len(word):
        return 0  # words with harakat are left whole: offsets would not line up with the bare form
    folded = fold(word)
    for skipped, rest, kind in clitic_cuts(folded):
        if kind != BARE or rest_is_the_name(folded, rest):
            return skipped
    return 0
