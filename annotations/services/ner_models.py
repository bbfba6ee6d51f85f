"""Model versions: the shipped CRF, and retrained ones that learn from
annotators' corrections (accepted, retyped, rejected and added mentions)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from annotations.models import EntityMention, MentionStatus, NerModel, Origin
from annotations.ner.corpus import TYPE_TO_CORPUS, CorpusError, Sentence, read_corpus
from annotations.ner.extractor import SHIPPED_VERSION
from annotations.ner.tokens import sentences, tokenize
from annotations.ner.training import corpus_documents, train
from newsdesk.models import ArticleRevision, Comment

TRAIN_FILE = "ANERCorp_CamelLab_train.txt"


class TrainingDataMissing(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corrected_documents() -> list[list[Sentence]]:
    """Per text an annotator reviewed, its sentences tagged as the annotators
    decided: accepted, retyped and added mentions are entities; rejected ones
    are not; mentions nobody reviewed are kept as the model found them."""
    reviewed = EntityMention.objects.filter(
        status__in=[MentionStatus.ACCEPTED, MentionStatus.REJECTED]
    ) | EntityMention.objects.filter(origin=Origin.PERSON)
    revision_ids = set(reviewed.exclude(revision__isnull=True).values_list("revision_id", flat=True))
    comment_ids = set(reviewed.exclude(comment__isnull=True).values_list("comment_id", flat=True))
    texts = [("revision", r.pk, r.text) for r in ArticleRevision.objects.filter(pk__in=revision_ids)]
    texts += [("comment", c.pk, c.text) for c in Comment.objects.filter(pk__in=comment_ids)]
    result: list[list[Sentence]] = []
    for kind, pk, text in texts:
        document: list[Sentence] = []
        mentions = EntityMention.objects.filter(**{f"{kind}_id": pk}).exclude(status=MentionStatus.REJECTED)
        spans = sorted((m.start, m.end, m.type) for m in mentions)
        for sentence in sentences(tokenize(text), text):
            tagged, touched, previous = [], False, None
            for token in sentence:
                span = next((s for s in spans if token.start < s[1] and token.end > s[0]), None)
                if span is None:
                    tagged.append((token.text, "O"))
                else:
                    tagged.append((token.text, ("I-" if span == previous else "B-") + TYPE_TO_CORPUS[span[2]]))
                    touched = True
                previous = span
            if touched:
                document.append(tagged)
        if document:
            result.append(document)
    return result


# Fewer sentences than this is no training corpus (an empty or cut-off file):
# the model would tag nothing, and every new extraction would use it.
MIN_TRAINING_SENTENCES = 20


def _next_version() -> str:
    """The next "+cN" after the highest one made, so that a deleted version's
    number is never given again."""
    numbers = [int(version.rpartition("+c")[2]) for version in NerModel.objects.values_list("version", flat=True) if version.rpartition("+c")[2].isdigit()]
    return f"{SHIPPED_VERSION}+c{max(numbers, default=0) + 1}"


def retrain_model() -> NerModel:
    """Train a new version on the ANERcorp train split plus the corrections;
    new extractions use it from now on, older mentions keep their version."""
    train_path = Path(settings.NEWSDESK_ANERCORP_DIR) / TRAIN_FILE
    if not train_path.exists():
        raise TrainingDataMissing(f"{train_path} is not there; set NEWSDESK_ANERCORP_DIR to the ANERcorp folder.")
    try:
        corpus = read_corpus(train_path)
    except CorpusError as exc:
        raise TrainingDataMissing(str(exc)) from None
    if len(corpus) < MIN_TRAINING_SENTENCES:
        raise TrainingDataMissing(
            f"{train_path} holds {len(corpus)} sentences; the ANERcorp train split has about 4,000 (at least {MIN_TRAINING_SENTENCES} needed)."
        )
    corrections = corrected_documents()
    version = _next_version()
    directory = Path(settings.NEWSDESK_MODEL_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{version}-{timezone.now():%Y%m%d%H%M%S}.crfsuite"
    train(corpus_documents(corpus) + corrections, path)
    return NerModel.objects.create(
        version=version,
        path=str(path),
        training_sentences=len(corpus),
        corrections=sum(map(len, corrections)),
        scores={"train_sha256": sha256_of(train_path)},
    )
