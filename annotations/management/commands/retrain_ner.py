"""Build a new entity-model version from ANERcorp plus the annotators' corrections."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.services.ner_models import TrainingDataMissing, retrain_model


class Command(BaseCommand):
    help = (
        "Queue the retraining of the entity model (ANERcorp's train split plus every reviewed or added "
        "entity mention) on the worker's 'training' queue; --now trains here. New extractions use the new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="train in this process (takes minutes) instead of on the worker")

    def handle(self, *args, now, **options):
        if now or not settings.REDIS_URL:
            try:
                model = retrain_model()
            except TrainingDataMissing as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Trained {model.version} ({model.corrections} corrected tokens) → {model.path}")
            return
        from annotations.tasks import retrain_ner_task

        result = retrain_ner_task.apply_async()
        self.stdout.write(f"Queued retraining as task {result.id} on the 'training' queue.")
