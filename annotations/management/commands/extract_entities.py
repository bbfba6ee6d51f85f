"""Re-extract entities for a chosen set of articles (with the newest model)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from annotations.services.extraction import request_extraction, run_extractions
from newsdesk.models import Article

CHUNK = 200


class Command(BaseCommand):
    help = (
        "Queue entity extraction for --all articles, a --source (name or slug), or those imported --since a date; "
        "--now runs it here instead of on the worker. Shows progress."
    )

    def add_arguments(self, parser):
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--all", action="store_true")
        chosen.add_argument("--source")
        chosen.add_argument("--since", help="ISO date or date-time")
        parser.add_argument("--now", action="store_true", help="extract in this process, not on the worker")

    def handle(self, *args, **options):
        articles = Article.objects.exclude(current_revision__isnull=True).order_by("id")
        if options["source"]:
            articles = articles.filter(source__slug=options["source"]) | articles.filter(source__name=options["source"])
        elif options["since"]:
            since = parse_datetime(options["since"]) or parse_datetime(options["since"] + "T00:00:00+00:00")
            if since is None:
                raise CommandError(f"--since: not a date: {options['since']!r}")
            articles = articles.filter(created_at__gte=since)
        ids = list(articles.values_list("id", flat=True))
        outcomes: dict[str, int] = {}
        with tqdm(total=len(ids), unit="article", file=self.stderr) as progress:
            for start in range(0, len(ids), CHUNK):
                chunk = list(Article.objects.filter(id__in=ids[start : start + CHUNK]).only("id", "current_revision_id"))
                run_ids = request_extraction(chunk)
                if options["now"]:
                    for outcome, number in run_extractions(run_ids).items():
                        outcomes[outcome] = outcomes.get(outcome, 0) + number
                progress.update(len(chunk))
        done = ", ".join(f"{count} {state}" for state, count in sorted(outcomes.items()))
        self.stdout.write(f"Queued extraction for {len(ids)} articles" + (f" ({done})" if done else ""))
