"""Score the entity extractor on a file in the ANERcorp format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from annotations.ner.corpus import CorpusError, read_corpus
from annotations.ner.evaluation import format_table
from annotations.ner.training import evaluate_model
from annotations.services.extraction import newest_model


class Command(BaseCommand):
    help = (
        "Print precision, recall and F1 per type and micro-averaged (CoNLL exact spans) of the current model "
        "(or --model FILE) on FILE, one 'TOKEN TAG' per line as in ANERcorp."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--model", help="a .crfsuite model file instead of the newest version")

    def handle(self, *args, file, model, **options):
        try:
            version, path = (model, model) if model else newest_model()
        except DatabaseError as exc:
            raise CommandError(
                f"Cannot read the model versions from the database ({exc}); run `manage.py migrate`, "
                "or name a model file with --model."
            ) from None
        if not Path(path).is_file():
            raise CommandError(f"No model file {path}.")
        try:
            sentences = read_corpus(file)
        except (OSError, CorpusError) as exc:
            raise CommandError(str(exc)) from None
        if not sentences:
            raise CommandError(f"{file} holds no sentence to score.")
        try:
            scores = evaluate_model(path, sentences)
        except ValueError as exc:  # CRFsuite cannot open it
            raise CommandError(f"{path} is not a CRFsuite model ({exc}).") from None
        self.stdout.write(f"Model {version} on {file} ({len(sentences)} sentences, {sum(len(s) for s in sentences)} tokens)")
        self.stdout.write(format_table(scores))
