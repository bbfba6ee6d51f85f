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


@pytest.mark.seeds
def test_labels_equal_crfsuite_on_the_seed_pages(crfsuite_tagger, seeds_dir):
    model = CrfModel(SHIPPED_MODEL)
    corpus = page_sentences(seeds_dir)
    assert sum(len(words) for words, _ in corpus) > 2000
    assert [model.tag(words, document) for words, document in corpus] == [
        crfsuite_tagger.tag(sentence_features(words, document)) for words, document in corpus
    ]


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
