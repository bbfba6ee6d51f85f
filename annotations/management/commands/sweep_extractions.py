"""Send again the extraction runs that never ran: their message was lost (the
broker was down) or their worker died. Celery beat does this every minute;
run it by hand when beat is not running."""

from django.core.management.base import BaseCommand

from annotations.services.extraction import sweep_runs


class Command(BaseCommand):
    help = "Re-send pending extraction runs and runs whose worker lease expired."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {sweep_runs()} extraction runs.")
