"""Train an entity-extraction model from an ANERcorp-format file.

Rebuilds the shipped model (docs/entity-extraction.md gives the exact command
and the data's sha256), or cross-validates on the training split for tuning.
"""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.ner.corpus import CorpusError, read_corpus
from annotations.ner.evaluation import format_table
from annotations.ner.training import corpus_documents, cross_validate, train
from annotations.services.ner_models import sha256_of


class Command(BaseCommand):
    help = "Train a CRF model on TRAIN_FILE and write it to --output; --folds N cross-validates instead."

    def add_arguments(self, parser):
        parser.add_argument("train_file")
        parser.add_argument("--output", help="the .crfsuite file to write")
        parser.add_argument("--folds", type=int, default=0, help="cross-validate on contiguous blocks of the training file")

    def handle(self, *args, train_file, output, folds, **options):
        # Said before hours of training, not after.
        if folds == 1 or folds < 0:
            raise CommandError(f"--folds {folds}: cross-validation needs at least 2 folds.")
        if output and Path(output).is_dir():
            raise CommandError(f"--output {output}: it is a folder; name the model file to write.")
        if output and not Path(output).resolve().parent.is_dir():
            raise CommandError(f"--output {output}: the folder {Path(output).resolve().parent} does not exist.")
        try:
            sentences = read_corpus(train_file)
        except (OSError, CorpusError) as exc:
            raise CommandError(str(exc)) from None
        if not sentences:
            raise CommandError(f"{train_file} holds no sentence to train on.")
        self.stdout.write(f"{train_file}: {len(sentences)} sentences, sha256 {sha256_of(Path(train_file))}")
        if folds:
            with tempfile.TemporaryDirectory() as workdir:
                self.stdout.write(format_table(cross_validate(sentences, folds, Path(workdir))))
            return
        if not output:
            raise CommandError("Give --output FILE (or --folds N to cross-validate).")
        train(corpus_documents(sentences), output)
        self.stdout.write(f"Wrote {output} ({Path(output).stat().st_size:,} bytes)")
