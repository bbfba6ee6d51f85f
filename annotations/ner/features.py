"""Token features for the CRF: the word and its affixes, its shape, the word
without clitics, gazetteer and cue-word membership, and a window of context."""

from __future__ import annotations

import re
from functools import lru_cache

from annotations.ner.lexicon import (
    ORGANISATION_CUES,
    PERSON_CUES,
    PLACE_CUES,
    SPEECH_CUES,
    arabic_words,
    person_names,
    place_names,
)

_CLITIC_STRIP = re.compile(r"^(?:وبال|وكال|فبال|وال|فال|بال|كال|ولل|لل|و|ف|ب|ل|ك)(?=..)")
_ARTICLE = re.compile(r"^ال(?=..)")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=262144)
def core(word: str) -> str:
    """The folded word without proclitics and article: a rough stem for lookups."""
    return _ARTICLE.sub("", _CLITIC_STRIP.sub("", word))


@lru_cache(maxsize=1)
def _lexicons():
    frequency, dictionary, stopwords = arabic_words()
    return place_names(), person_names(), frequency, dictionary, stopwords


@lru_cache(maxsize=262144)
def _word_features(word: str, prefix: str) -> tuple[str, ...]:
    """What a word says about itself, under a position prefix ("", "-1:", "+1:").
    Cached: news vocabulary repeats, so most words are looked up once."""
    places, people, frequency, dictionary, stopwords = _lexicons()
    stem = core(word)
    return (
        f"{prefix}w={word}",
        f"{prefix}core={stem}",
        f"{prefix}freq={frequency.get(word, 0)}",
        f"{prefix}cfreq={frequency.get(stem, 0)}",
        f"{prefix}dict={int(word in dictionary or stem in dictionary)}",
        f"{prefix}stop={int(word in stopwords)}",
        f"{prefix}place={int(word in places or stem in places or ('ال' + stem) in places)}",
        f"{prefix}name={int(word in people or stem in people)}",
        f"{prefix}person_cue={int(word in PERSON_CUES)}",
        f"{prefix}speech_cue={int(word in SPEECH_CUES)}",
        f"{prefix}org_cue={int(word in ORGANISATION_CUES or stem in ORGANISATION_CUES)}",
    )


@lru_cache(maxsize=262144)
def _own_features(word: str) -> tuple[str, ...]:
    """The word's features at the centre of the window: the above plus affixes and shape."""
    stem = core(word)
    return (
        "bias",
        *_word_features(word, ""),
        f"p1={word[:1]}", f"p2={word[:2]}", f"p3={word[:3]}",
        f"s1={word[-1:]}", f"s2={word[-2:]}", f"s3={word[-3:]}",
        f"cs2={stem[-2:]}", f"cp2={stem[:2]}",
        f"len={min(len(word), 8)}",
        f"latin={int(bool(_LATIN.search(word)))}",
        f"digit={int(bool(_DIGIT.search(word)))}",
        f"punct={int(not word[:1].isalnum())}",
        f"article={int(word.startswith('ال'))}",
    )


@lru_cache(maxsize=262144)
def _far_features(word: str, prefix: str) -> tuple[str, ...]:
    """Features of the words two places away."""
    stem = core(word)
    if prefix == "-2:":
        _, people, *_ = _lexicons()
        return (f"-2:w={word}", f"-2:core={stem}", f"-2:person_cue={int(word in PERSON_CUES)}", f"-2:name={int(stem in people)}")
    return (f"+2:w={word}", f"+2:core={stem}")


def own_features(word: str) -> tuple[str, ...]:
    """What a token says about itself."""
    return _own_features(word)


@lru_cache(maxsize=262144)
def context_features(word: str, offset: int) -> tuple[str, ...]:
    """What a word says about the token `offset` places away from it (one of CONTEXT_OFFSETS)."""
    if offset == -1:
        return (*_word_features(word, "-1:"), f"-1:place_cue={int(word in PLACE_CUES)}")
    if offset == 1:
        return _word_features(word, "+1:")
    return _far_features(word, f"{offset:+d}:")


# The neighbours whose words shape a token's features, by their offset from it.
CONTEXT_OFFSETS = (-2, -1, 1, 2)
SENTENCE_START, SENTENCE_END = "BOS", "EOS"


def pair_feature(previous: str, word: str) -> str:
    """The token together with the word before it."""
    return f"-1:w|w={previous}|{word}"


def sentence_features(words: list[str]) -> list[list[str]]:
    """CRF features for each word of one sentence; `words` are folded tokens.

    A token's features are the union of its own, its neighbours' context
    features, the pair feature (or the sentence-start marker) and the
    sentence-end marker: the same groups that `annotations.ner.crf` scores
    word by word, so this function is the one definition of the features."""
    rows = []
    count = len(words)
    for i, word in enumerate(words):
        row = list(own_features(word))
        for offset in CONTEXT_OFFSETS:
            if 0 <= i + offset < count:
                row += context_features(words[i + offset], offset)
        row.append(pair_feature(words[i - 1], word) if i else SENTENCE_START)
        if i == count - 1:
            row.append(SENTENCE_END)
        rows.append(row)
    return rows
