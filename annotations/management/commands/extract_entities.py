"""Re-extract entities for a chosen set of articles (with the newest model)."""

import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from annotations.services.extraction import request_extraction, run_extractions
from newsdesk.models import Article, Source

CHUNK = 200


class Command(BaseCommand):
    help = (
        "Queue entity extraction for --all articles, a --source (name, slug or domain), or those imported --since a date; "
        "--now runs it here instead of on the worker. Shows progress."
    )

    def add_arguments(self, parser):
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--all", action="store_true", help="every article")
        chosen.add_argument("--source", help="the articles of one outlet: its name, slug or domain")
        chosen.add_argument(
            "--since", help="the articles imported since then: an ISO date (midnight, local time) or date-time"
        )
        parser.add_argument(
            "--now", action="store_true", help="extract in this process and wait for it, instead of queueing for the worker"
        )

    def handle(self, *args, **options):
        articles = Article.objects.exclude(current_revision__isnull=True).order_by("id")
        if options["source"]:
            name = options["source"]
            source = Source.objects.filter(Q(slug=name) | Q(name=name) | Q(domain=name)).first()
            if source is None:
                raise CommandError(f"--source: no outlet named {name!r} (give its name, slug or domain).")
            articles = articles.filter(source=source)
        elif options["since"]:
            articles = articles.filter(created_at__gte=self._since(options["since"]))
        ids = list(articles.values_list("id", flat=True))
        outcomes: dict[str, int] = {}
        # tqdm redraws one line; Django's stderr wrapper would end every redraw with a newline.
        with tqdm(total=len(ids), unit="article", file=sys.stderr) as progress:
            for start in range(0, len(ids), CHUNK):
                chunk = list(Article.objects.filter(id__in=ids[start : start + CHUNK]).only("id", "current_revision_id"))
                run_ids = request_extraction(chunk, send=not options["now"])
                if options["now"]:
                    for outcome, number in run_extractions(run_ids).items():
                        outcomes[outcome] = outcomes.get(outcome, 0) + number
                progress.update(len(chunk))
        if options["now"]:
            done = ", ".join(f"{count} {state}" for state, count in sorted(outcomes.items())) or "nothing to do"
            self.stdout.write(f"Extracted the entities of {_articles(len(ids))} ({done})")
        else:
            self.stdout.write(f"Queued extraction for {_articles(len(ids))}")

    @staticmethod
    def _since(text: str) -> datetime:
        """An ISO date (midnight, in the configured time zone) or date-time."""
        try:
            since = parse_datetime(text)
            if since is None:
                day = parse_date(text)
                since = datetime(day.year, day.month, day.day) if day else None
        except ValueError as exc:  # well formed but impossible: 2024-13-45
            raise CommandError(f"--since: {text!r} is not a date: {exc}.") from None
        if since is None:
            raise CommandError(f"--since: {text!r} is not a date (use e.g. 2025-03-14 or 2025-03-14T11:20:00Z).")
        return since if timezone.is_aware(since) else timezone.make_aware(since)


def _articles(count: int) -> str:
    return "1 article" if count == 1 else f"{count} articles"
