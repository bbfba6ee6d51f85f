"""Reading and writing the ANERcorp format: `TOKEN TAG` per line (split on
the last space), a blank line between sentences, BIO tags with PERS, LOC,
ORG and MISC."""

from __future__ import annotations

from pathlib import Path

from newsdesk.text import fold

Sentence = list[tuple[str, str]]
# Newsdesk's entity types use PER; ANERcorp writes PERS.
TYPE_FROM_CORPUS = {"PERS": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": "MISC"}
TYPE_TO_CORPUS = {value: key for key, value in TYPE_FROM_CORPUS.items()}


class CorpusError(ValueError):
    """A line of a corpus file is malformed; the message names file and line."""


def read_corpus(path: str | Path) -> list[Sentence]:
    try:
        return _read_sentences(path)
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 ({exc.reason}); save it as UTF-8") from None


def _read_sentences(path: str | Path) -> list[Sentence]:
    sentences: list[Sentence] = []
    current: Sentence = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                    current = []
                continue
            token, _, tag = line.rpartition(" ")
            if not token or not (tag == "O" or (tag[:2] in ("B-", "I-") and tag[2:] in TYPE_FROM_CORPUS)):
                raise CorpusError(f"{path}, line {number}: expected 'TOKEN TAG' with a BIO tag, got {line!r}")
            current.append((token, tag))
    if current:
        sentences.append(current)
    return sentences


def folded_words(sentence: Sentence) -> list[str]:
    return [fold(token) for token, _ in sentence]


def tags(sentence: Sentence) -> list[str]:
    return [tag for _, tag in sentence]
