"""Find named entities in canonical text, as code-point spans.

The CRF tags tokens; consecutive B-/I- tags make an entity; leading clitics
(و ف ب ل ك, and the first ل of لل) are peeled off the span when what remains
is a known word, so the span covers the name only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from annotations.ner.corpus import TYPE_FROM_CORPUS
from annotations.ner.features import document_features, verb_like
from annotations.ner.lexicon import RAREST_CORPUS_WORD, corpus_frequencies, name_words, place_names
from annotations.ner.taught import TaughtNames
from annotations.ner.tokens import Token, clitic_length, sentences, tokenize
from newsdesk.text import script_counts

SHIPPED_MODEL = Path(__file__).resolve().parent / "models" / "crf-anercorp-3.crfsuite"
SHIPPED_VERSION = "crf-anercorp-3"
# In centibels below 1 (lexicon.corpus_frequencies): a word rarer than one in
# three million, and a form ten times commoner.
_RARE_WORD = 650
_MUCH_COMMONER = 100


def _lower_case_latin(span: str) -> bool:
    """Latin script with no capital letter or digit anywhere: an English
    phrase quoted in Arabic text ("subject to review"), which the Arabic
    model, knowing nothing of capitals, may tag as a name. Names written in
    Latin script have one (Apple, CNN, iPhone, G20)."""
    return span.isascii() and not any(char.isupper() or char.isdigit() for char in span)


@dataclass(frozen=True)
class FoundEntity:
    type: str  # PER, ORG, LOC, MISC
    start: int
    end: int
    text: str


class Extractor:
    """One loaded model; threads may share it."""

    def __init__(self, model_path: str | Path, version: str):
        self.model_path = str(model_path)
        self.version = version
        # NumPy and CRFsuite load with the first model, not in every web process
        # that imports this module to schedule runs (about 17 MB each).
        from annotations.ner.crf import CrfModel

        # Loaded now, so a missing or broken file fails here, not in the middle of a run.
        self._model = CrfModel(model_path)

    def extract(self, text: str, taught: TaughtNames | None = None) -> list[FoundEntity]:
        """The entities of `text`; `taught`, the names people confirmed or
        corrected in the product, correct and complete what the model finds."""
        tokens = tokenize(text)
        counts = Counter(token.folded for token in tokens)
        places = place_names()
        people = name_words()
        corpus = corpus_frequencies()

        def rest_is_the_name(word: str, rest: str) -> bool:
            # A known name decides when only one of the two forms is one (فراس
            # stays whole though رأس is common; وفادي loses its و). Otherwise the
            # form without the clitic stands alone more often in this text
            # (لافروف, not ولافروف; but كيري, not يري), or it is a known place;
            # or, in a headline where neither stands alone, the whole word is
            # rare in a large corpus and the rest much commoner (ولافروف).
            if (word in people) != (rest in people):
                return rest in people
            if counts[rest] > counts[word] or rest in places or ("ال" + rest) in places:
                return True
            whole, bare = corpus.get(word, RAREST_CORPUS_WORD), corpus.get(rest, RAREST_CORPUS_WORD)
            return whole >= _RARE_WORD and whole - bare >= _MUCH_COMMONER

        every_sentence = sentences(tokens, text)
        arabic_sentences = []
        for sentence in every_sentence:
            arabic, latin = script_counts(text[sentence[0].start : sentence[-1].end])
            if latin <= arabic:  # English captions and quotes are not what this model reads
                arabic_sentences.append((sentence, [token.folded for token in sentence]))
        document = document_features([words for _, words in arabic_sentences])
        by_sentence: dict[int, list[FoundEntity]] = {}
        tagged = self._model.tag_sentences([words for _, words in arabic_sentences], document)
        for (sentence, _), labels in zip(arabic_sentences, tagged):
            by_sentence[id(sentence)] = self._entities(sentence, labels, text, rest_is_the_name)
        found: list[FoundEntity] = []
        for sentence in every_sentence:
            entities = by_sentence.get(id(sentence), [])
            if taught:  # in every sentence: a name people taught stands in English captions too
                spans = taught.apply(sentence, [(entity.start, entity.end, entity.type) for entity in entities])
                entities = [FoundEntity(type=kind, start=start, end=end, text=text[start:end]) for start, end, kind in spans]
            found.extend(entities)
        return found

    def _entities(self, sentence: list[Token], labels: list[str], text: str, rest_is_the_name) -> list[FoundEntity]:
        entities = []
        current_type, first, last = None, 0, 0
        for index, label in enumerate([*labels, "O"]):
            prefix, _, kind = label.partition("-")
            if current_type is not None and not (prefix == "I" and kind == current_type):
                entities.append(self._span(sentence[first : last + 1], current_type, text, rest_is_the_name))
                current_type = None
            if prefix == "B" or (prefix == "I" and current_type is None):
                current_type, first = kind, index
            last = index
        return [entity for entity in entities if entity is not None]

    def _span(self, tokens: list[Token], corpus_type: str, text: str, rest_is_the_name) -> FoundEntity | None:
        last = tokens[-1].folded
        if len(tokens) > 1 and verb_like(last) and last not in name_words() and last not in place_names():
            tokens = tokens[:-1]  # "لافروف يطلقان": the verb after a name is not part of it (يونس, تونس are names)
        start, end = tokens[0].start, tokens[-1].end
        start += clitic_length(tokens[0].text, rest_is_the_name)
        if end - start < 2 or not text[start:end].strip() or _lower_case_latin(text[start:end]):
            return None
        return FoundEntity(type=TYPE_FROM_CORPUS[corpus_type], start=start, end=end, text=text[start:end])
