"""Token features for the CRF: the word and its affixes, its shape, the word
without clitics, gazetteer and cue-word membership, a window of context, and
what the word's other occurrences in the same document say about it.

A token's features are groups, each depending on one word (or one pair of
neighbouring words, or one word's standing in the document), so that
`annotations.ner.crf` can score them word by word; `sentence_features` puts
the groups together and is the one definition that training uses."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from annotations.ner.lexicon import (
    ORGANISATION_CUES,
    PERSON_CUES,
    PLACE_CUES,
    RAREST_CORPUS_WORD,
    SPEECH_CUES,
    arabic_words,
    corpus_frequencies,
    foreign_names,
    person_names,
    place_names,
    world_names,
)

_CLITIC_STRIP = re.compile(r"^(?:وبال|وكال|فبال|وال|فال|بال|كال|ولل|لل|و|ف|ب|ل|ك)(?=..)")
_ARTICLE = re.compile(r"^ال(?=..)")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


@lru_cache(maxsize=262144)
def core(word: str) -> str:
    """The folded word without proclitics and article: a rough stem for lookups."""
    return _ARTICLE.sub("", _CLITIC_STRIP.sub("", word))


class Lexicons(NamedTuple):
    places: frozenset[str]
    people: frozenset[str]
    frequency: dict[str, int]
    dictionary: frozenset[str]
    stopwords: frozenset[str]
    world: frozenset[str]
    foreign: frozenset[str]
    corpus: dict[str, int]


@lru_cache(maxsize=1)
def _lexicons() -> Lexicons:
    frequency, dictionary, stopwords = arabic_words()
    return Lexicons(
        place_names(), person_names(), frequency, dictionary, stopwords, world_names(), foreign_names(), corpus_frequencies()
    )


@lru_cache(maxsize=262144)
def _word_features(word: str, prefix: str) -> tuple[str, ...]:
    """What a word says about itself, under a position prefix ("", "-1:", "+1:").
    Cached: news vocabulary repeats, so most words are looked up once."""
    places, people, frequency, dictionary, stopwords, world, foreign, _ = _lexicons()
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
        f"{prefix}world_name={int(word in world or stem in world)}",
        f"{prefix}foreign_name={int(word in foreign or stem in foreign)}",
        f"{prefix}person_cue={int(word in PERSON_CUES)}",
        f"{prefix}speech_cue={int(word in SPEECH_CUES)}",
        f"{prefix}org_cue={int(word in ORGANISATION_CUES or stem in ORGANISATION_CUES)}",
    )


# Pronoun and plural suffixes (folded): ordinary nouns take them, names seldom do.
_NOUN_SUFFIXES = ("ها", "هم", "ات", "ين", "ون", "يه", "هما", "كم")
# Forms at least this common (centibels below 1) count as in use.
_IN_USE = 700


def _corpus_band(centibels: int | None) -> str:
    return "unseen" if centibels is None else str(centibels // 50)


@lru_cache(maxsize=262144)
def _usage_features(word: str) -> tuple[str, ...]:
    """How common the word and its core are in a large body of Arabic, and
    whether the core takes the forms an ordinary word takes: the article and
    pronoun or plural suffixes. A name seldom does, though it may be common
    (لافروف is; اللافروف is never written), which tells names the training
    corpus never saw from words."""
    if not _ARABIC_LETTER.search(word):
        # Latin words in Arabic text are quoted English ("apple" is common), not names or words.
        return ("usage=not arabic",)
    corpus = _lexicons().corpus
    stem = core(word)
    if stem != word and not word.startswith("ال") and corpus.get(stem, RAREST_CORPUS_WORD) > corpus.get(word, RAREST_CORPUS_WORD):
        stem = word  # rarer without its first letters: they are the word's own (لافروف, وزير), not clitics
    stem_cb, article_cb = corpus.get(stem), corpus.get("ال" + stem)
    if stem_cb is not None and article_cb is not None:
        # How much commoner the form with the article is, in steps of 5 dB.
        article = str(max(-4, min(4, (stem_cb - article_cb) // 50)))
    else:
        article = "core only" if stem_cb is not None else "article only" if article_cb is not None else "neither"
    suffixed = sum(1 for suffix in _NOUN_SUFFIXES if corpus.get(stem + suffix, _IN_USE) < _IN_USE)
    return (
        f"usage={_corpus_band(corpus.get(word))}",
        f"core_usage={_corpus_band(stem_cb)}",
        f"with_article={article}",
        f"suffixed={min(suffixed, 4)}",
        # How common its commonest other form as a verb is (يطلقان: يطلق, one word in 16,000).
        f"verb_forms={_corpus_band(min((corpus[form] for form in _verb_forms(stem) if form in corpus), default=None))}",
    )


# A verb form at least this common (centibels below 1: one word in 300,000) makes a word verb-like.
_COMMON_VERB_FORM = 550


@lru_cache(maxsize=65536)
def verb_like(word: str) -> bool:
    """Whether the folded `word` reads as a present-tense verb, by how common
    its other persons and numbers are (يطلقان: يطلق, تطلقان). Verbs follow
    names in headlines ("كيري ولافروف يطلقان خطة") and are not part of them."""
    corpus = _lexicons().corpus
    return any(corpus.get(form, RAREST_CORPUS_WORD) < _COMMON_VERB_FORM for form in _verb_forms(word))


def _verb_forms(stem: str) -> set[str]:
    """Other persons and numbers of the verb `stem` would be, if it is one:
    verbs take no article either, so "كيري ولافروف يطلقان" needs telling that
    يطلقان is used as تطلقان and يطلق too, as no name is."""
    forms = set()
    if stem[:1] in ("ي", "ت", "ن", "ا") and len(stem) > 3:
        forms |= {prefix + stem[1:] for prefix in ("ي", "ت", "ن", "ا")} - {stem}
    if stem[-2:] in ("ان", "ون", "وا", "ين") and len(stem) > 4:
        forms.add(stem[:-2])
    return forms


@lru_cache(maxsize=262144)
def own_features(word: str) -> tuple[str, ...]:
    """What a token says about itself: the above plus affixes and shape."""
    stem = core(word)
    return (
        "bias",
        *_word_features(word, ""),
        f"p1={word[:1]}", f"p2={word[:2]}", f"p3={word[:3]}",
        f"s1={word[-1:]}", f"s2={word[-2:]}", f"s3={word[-3:]}",
        f"cs1={stem[-1:]}", f"cs2={stem[-2:]}", f"cs3={stem[-3:]}", f"cs4={stem[-4:]}",
        f"cp1={stem[:1]}", f"cp2={stem[:2]}", f"cp3={stem[:3]}", f"cp4={stem[:4]}",
        f"len={min(len(word), 8)}",
        f"latin={int(bool(_LATIN.search(word)))}",
        f"digit={int(bool(_DIGIT.search(word)))}",
        f"punct={int(not word[:1].isalnum())}",
        f"article={int(word.startswith('ال'))}",
        *_usage_features(word),
    )


@lru_cache(maxsize=262144)
def _far_features(word: str, prefix: str) -> tuple[str, ...]:
    """Features of the words two places away."""
    stem = core(word)
    if prefix == "-2:":
        people = _lexicons().people
        return (f"-2:w={word}", f"-2:core={stem}", f"-2:person_cue={int(word in PERSON_CUES)}", f"-2:name={int(stem in people)}")
    return (f"+2:w={word}", f"+2:core={stem}")


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
# The neighbours whose standing in the document shapes a token's features.
DOCUMENT_OFFSETS = (-1, 0, 1)
SENTENCE_START, SENTENCE_END = "BOS", "EOS"


def pair_feature(previous: str, word: str) -> str:
    """The token together with the word before it."""
    return f"-1:w|w={previous}|{word}"


def next_pair_feature(word: str, following: str) -> str:
    """The token together with the word after it."""
    return f"w|+1:w={word}|{following}"


@lru_cache(maxsize=262144)
def _known_name(word: str) -> bool:
    lexicons = _lexicons()
    stem = core(word)
    return any(form in names for form in (word, stem) for names in (lexicons.people, lexicons.world, lexicons.foreign))


def document_features(sentences: list[list[str]]) -> dict[str, tuple[str, ...]]:
    """For each word core of a document (its sentences of folded words), what
    all its occurrences say together: seen after a title or an organisation
    noun, after a place cue ("في", "مدينة"…), next to a verb of saying or to a
    known name, with the article or a clitic, and how often. A name
    introduced once with its title ("الوزير لافروف") can then be recognised alone
    further down.

    A document is an article's text or a comment; in training, a block of
    consecutive corpus sentences (the corpus has no document boundaries)."""
    seen: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for words in sentences:
        last = len(words) - 1
        for i, word in enumerate(words):
            stem = core(word)
            counts[stem] = counts.get(stem, 0) + 1
            flags = seen.setdefault(stem, set())
            previous = words[i - 1] if i else ""
            following = words[i + 1] if i < last else ""
            if previous in PERSON_CUES or (i > 1 and words[i - 2] in PERSON_CUES):
                flags.add("person_cue")
            if previous and (previous in ORGANISATION_CUES or core(previous) in ORGANISATION_CUES):
                flags.add("org_cue")
            if previous in PLACE_CUES:
                flags.add("place_cue")
            if previous in SPEECH_CUES or following in SPEECH_CUES:
                flags.add("speech_cue")
            if previous and _known_name(previous):
                flags.add("after_name")
            if following and _known_name(following):
                flags.add("before_name")
            if word.startswith("ال"):
                flags.add("article")
            elif word != stem:
                flags.add("clitic")
    return {stem: _document_group(frozenset(flags), counts[stem]) for stem, flags in seen.items()}


@lru_cache(maxsize=4096)
def _document_group(flags: frozenset[str], count: int) -> tuple[str, ...]:
    bucket = "1" if count == 1 else "2" if count == 2 else "3-5" if count <= 5 else "6+"
    return (*(f"doc:{flag}" for flag in sorted(flags)), f"doc:count={bucket}")


@lru_cache(maxsize=4096)
def document_context(group: tuple[str, ...], offset: int) -> tuple[str, ...]:
    """A document group as seen from the token `offset` places away (one of DOCUMENT_OFFSETS)."""
    return group if offset == 0 else tuple(f"{offset:+d}:{feature}" for feature in group)


def sentence_features(words: list[str], document: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """CRF features for each word of one sentence; `words` are folded tokens
    and `document` is `document_features` of the document the sentence is in.

    A token's features are the union of its own, its neighbours' context
    features, the pair features (or the sentence-start and end markers), and
    its own and its neighbours' document groups."""
    rows = []
    count = len(words)
    for i, word in enumerate(words):
        row = list(own_features(word))
        for offset in CONTEXT_OFFSETS:
            if 0 <= i + offset < count:
                row += context_features(words[i + offset], offset)
        row.append(pair_feature(words[i - 1], word) if i else SENTENCE_START)
        row.append(next_pair_feature(word, words[i + 1]) if i < count - 1 else SENTENCE_END)
        for offset in DOCUMENT_OFFSETS:
            if 0 <= i + offset < count:
                row += document_context(document[core(words[i + offset])], offset)
        rows.append(row)
    return rows
