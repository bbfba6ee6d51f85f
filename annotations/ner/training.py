"""Training CRF models from ANERcorp (plus annotators' corrections), and
cross-validation on the training split for tuning."""

from __future__ import annotations

from pathlib import Path

import pycrfsuite

from annotations.ner.corpus import Sentence, folded_words, tags
from annotations.ner.crf import CrfModel
from annotations.ner.evaluation import Score, score
from annotations.ner.features import document_features, sentence_features

# Tuned by 4-fold cross-validation on contiguous blocks of the train split (docs/entity-extraction.md).
DEFAULT_PARAMS = {"c1": 0.02, "c2": 0.01, "max_iterations": 250, "feature.possible_transitions": True}
# ANERcorp has no document boundaries: this many consecutive sentences (about
# 600 words, an article's length) make one document for the document features.
DOCUMENT_SENTENCES = 20


def corpus_documents(sentences: list[Sentence]) -> list[list[Sentence]]:
    return [sentences[i : i + DOCUMENT_SENTENCES] for i in range(0, len(sentences), DOCUMENT_SENTENCES)]


def _words(document: list[Sentence]) -> tuple[list[list[str]], dict]:
    words = [folded_words(sentence) for sentence in document]
    return words, document_features(words)


def train(documents: list[list[Sentence]], model_path: str | Path, params: dict | None = None) -> None:
    """Train on `documents`, each a list of tagged sentences (see corpus_documents)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for document in documents:
        words, context = _words(document)
        for sentence, sentence_words in zip(document, words):
            trainer.append(sentence_features(sentence_words, context), tags(sentence))
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    trainer.train(str(model_path))


def predict(model: CrfModel, sentences: list[Sentence]) -> list[list[str]]:
    """Labels from the tagger extraction uses, so scores measure what runs in production."""
    labels = []
    for document in corpus_documents(sentences):
        words, context = _words(document)
        labels += model.tag_sentences(words, context)
    return labels


def evaluate_model(model_path: str | Path, sentences: list[Sentence]) -> dict[str, Score]:
    return score([tags(s) for s in sentences], predict(CrfModel(model_path), sentences))


def cross_validate(sentences: list[Sentence], folds: int, workdir: Path, params: dict | None = None) -> dict[str, Score]:
    """Scores over `folds` contiguous blocks of the training sentences.

    Blocks, not shuffled sentences: neighbouring sentences come from the same
    article, and a model tested on sentences of articles it was trained on
    looks better than it is (the official test split is the corpus's last sixth).
    """
    size = -(-len(sentences) // folds)
    gold, predicted = [], []
    for fold_index in range(folds):
        held_out = sentences[fold_index * size : (fold_index + 1) * size]
        # Documents never straddle the held-out block.
        rest = corpus_documents(sentences[: fold_index * size]) + corpus_documents(sentences[(fold_index + 1) * size :])
        path = workdir / f"cv-{fold_index}.crfsuite"
        train(rest, path, params)
        gold += [tags(s) for s in held_out]
        predicted += predict(CrfModel(path), held_out)
    return score(gold, predicted)
