"""Token features for the CRF: the word and its affixes, its shape, the word
without clitics, gazetteer and cue-word membership, and a window of context."""

from __future__ import annotations

import re

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


def core(word: str) -> str:
    """The folded word without proclitics and article: a rough stem for lookups."""
    return _ARTICLE.sub("", _CLITIC_STRIP.sub("", word))


def _word_features(word: str, prefix: str, places: frozenset[str], people: frozenset[str]) -> list[str]:
    stem = core(word)
    frequency, dictionary, stopwords = arabic_words()
    return [
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
    ]


def sentence_features(words: list[str]) -> list[list[str]]:
    """CRF features for each word of one sentence; `words` are folded tokens."""
    places = place_names()
    people = person_names()
    rows = []
    for i, word in enumerate(words):
        stem = core(word)
        row = [
            "bias",
            *_word_features(word, "", places, people),
            f"p1={word[:1]}", f"p2={word[:2]}", f"p3={word[:3]}",
            f"s1={word[-1:]}", f"s2={word[-2:]}", f"s3={word[-3:]}",
            f"cs2={stem[-2:]}", f"cp2={stem[:2]}",
            f"len={min(len(word), 8)}",
            f"latin={int(bool(_LATIN.search(word)))}",
            f"digit={int(bool(_DIGIT.search(word)))}",
            f"punct={int(not word[:1].isalnum())}",
            f"article={int(word.startswith('ال'))}",
        ]
        if i > 0:
            previous = words[i - 1]
            row += _word_features(previous, "-1:", places, people)
            row.append(f"-1:place_cue={int(previous in PLACE_CUES)}")
            row.append(f"-1:w|w={previous}|{word}")
        else:
            row.append("BOS")
        if i > 1:
            row.append(f"-2:w={words[i - 2]}")
            row.append(f"-2:core={core(words[i - 2])}")
            row.append(f"-2:person_cue={int(words[i - 2] in PERSON_CUES)}")
            row.append(f"-2:name={int(core(words[i - 2]) in people)}")
        if i < len(words) - 1:
            row += _word_features(words[i + 1], "+1:", places, people)
        else:
            row.append("EOS")
        if i < len(words) - 2:
            row.append(f"+2:w={words[i + 2]}")
            row.append(f"+2:core={core(words[i + 2])}")
        rows.append(row)
    return rows
