"""Import news pages: scraped text pages, HTML pages and JSON Lines.

Each page is stored on its own terms: a bad file (or JSON line) fails alone,
with its reason, and leaves nothing behind; the rest of the batch goes on.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, connection

from newsdesk.readers import HTML, JSONL, TEXT, first_line
from newsdesk.services.ingestion import import_paths


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Import news pages from files, folders or glob patterns (.txt scraped pages, .html pages, "
        ".jsonl one article per line). Re-importing a page changes nothing; exits 1 if any input failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or glob pattern")
        parser.add_argument("--source", metavar="NAME", help="the outlet of every page (profile name, slug or domain, or a new name)")
        parser.add_argument("--format", choices=[TEXT, HTML, JSONL], help="read every file as this format instead of going by its extension")
        parser.add_argument("--batch-size", type=positive, default=None, help="articles written per transaction")

    def handle(self, *args, **options):
        try:  # said plainly before any page is read; a database lost later stops the import with its summary
            connection.ensure_connection()
        except (OperationalError, InterfaceError) as exc:
            raise CommandError(f"Cannot reach the database, nothing imported: {first_line(exc)}") from None
        report = import_paths(
            options["paths"], source=options["source"], fmt=options["format"], batch_size=options["batch_size"]
        )
        if report.new_source and report.imported:
            # Often a typo of an outlet's name: said, so that it is not found weeks later.
            self.stdout.write(
                self.style.WARNING(f"Note: no outlet profile or stored source is named {report.new_source!r}; the pages went to a new outlet of that name.")
            )
        for failure in report.failures:
            self.stderr.write(f"FAILED {failure}")
        style = self.style.ERROR if report.failed or report.stopped else self.style.SUCCESS
        self.stdout.write(style(report.summary().capitalize()))
        if report.stopped:
            raise CommandError(f"Import stopped: {report.stopped}", returncode=1)
        if report.failed:
            raise CommandError(f"{report.failed} input(s) failed", returncode=1)
