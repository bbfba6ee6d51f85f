"""The word-by-word CRF tagger gives exactly CRFsuite's labels with the same model
(what it finds on the seeds is tested in test_extraction.py)."""

from pathlib import Path

import pycrfsuite
import pytest

from annotations.ner.crf import CrfModel
from annotations.ner.extractor import SHIPPED_MODEL
from annotations.ner.features import document_features, sentence_features
from annotations.ner.tokens import sentences, tokenize

DEMO_PAGES = Path(__file__).resolve().parents[2] / "newsdesk" / "demo" / "pages"


def page_sentences(folder: Path) -> list[tuple[list[str], dict]]:
    """(words, document features) of every sentence of the text pages in `folder`."""
    found = []
    for page in sorted(folder.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        words = [[token.folded for token in sentence] for sentence in sentences(tokenize(text), text)]
        document = document_features(words)
        found += [(sentence, document) for sentence in words]
    return found


@pytest.fixture(scope="module")
def crfsuite_tagger():
    tagger = pycrfsuite.Tagger()
    tagger.open(str(SHIPPED_MODEL))
    yield tagger
    tagger.close()


def test_labels_equal_crfsuite_on_the_demo_pages(crfsuite_tagger):
    model = CrfModel(SHIPPED_MODEL)
    corpus = page_sentences(DEMO_PAGES)
    assert sum(len(words) for words, _ in corpus) > 500
    expected = [crfsuite_tagger.tag(sentence_features(words, document)) for words, document in corpus]
    assert [model.tag(words, document) for words, document in corpus] == expected
    # A second pass reads the cached word scores and must not drift.
    assert [model.tag(words, document) for words, document in corpus] == expected
    assert any(label != "O" for labels in expected for label in labels)


def page_documents(folder: Path) -> list[tuple[list[list[str]], dict]]:
    """(sentences' words, document features) of each text page in `folder`."""
    found = []
    for page in sorted(folder.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        words = [[token.folded for token in sentence] for sentence in sentences(tokenize(text), text)]
        found.append((words, document_features(words)))
    return found


def test_a_documents_sentences_tagged_together_equal_crfsuite_sentence_by_sentence(crfsuite_tagger):
    model = CrfModel(SHIPPED_MODEL)
    for words, document in page_documents(DEMO_PAGES):
        lengths = {len(sentence) for sentence in words}
        assert len(words) > 3 and len(lengths) > 2  # sentences of different lengths, decoded in one batch
        with_empty = [*words[:2], [], *words[2:]]  # an empty sentence keeps its place
        expected = [crfsuite_tagger.tag(sentence_features(sentence, document)) if sentence else [] for sentence in with_empty]
        assert model.tag_sentences(with_empty, document) == expected


@pytest.mark.seeds
def test_labels_equal_crfsuite_on_the_seed_pages(crfsuite_tagger, seeds_dir):
    model = CrfModel(SHIPPED_MODEL)
    corpus = page_sentences(seeds_dir)
    assert sum(len(words) for words, _ in corpus) > 2000
    assert [model.tag(words, document) for words, document in corpus] == [
        crfsuite_tagger.tag(sentence_features(words, document)) for words, document in corpus
    ]
    for words, document in page_documents(seeds_dir):
        assert model.tag_sentences(words, document) == [crfsuite_tagger.tag(sentence_features(s, document)) for s in words]


@pytest.mark.parametrize(
    "words",
    [
        ["لافروف"],  # one token: start and end markers on the same token
        ["قال", "لافروف"],
        ["وزير", "الخارجيه", "الروسي", "سيرغي", "لافروف", "في", "موسكو", "."],
        ["كلمه", "لم", "يرها", "النموذج", "قط", "زززز"],
        ["💡", "John", "Kerry", "في", "جنيف"],
    ],
)
def test_short_and_unknown_sentences_match_crfsuite(crfsuite_tagger, words):
    document = document_features([words])
    assert CrfModel(SHIPPED_MODEL).tag(words, document) == crfsuite_tagger.tag(sentence_features(words, document))


def test_empty_sentence_has_no_labels():
    assert CrfModel(SHIPPED_MODEL).tag([], {}) == []


def test_a_broken_model_file_is_refused_on_load(tmp_path):
    broken = tmp_path / "broken.crfsuite"
    broken.write_bytes(b"not a model")
    with pytest.raises((ValueError, OSError)):
        CrfModel(broken)
