"""Import claims, articles and stances from the claim-centred stance JSON of
Baly et al. (NAACL 2018): all of a file, or nothing."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations

from annotations.errors import ServiceError
from annotations.exports import import_baly


class Command(BaseCommand):
    help = "Import FILE (a JSON list of claims with parallel article/url/stance/rationale lists) as USER's annotations."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the annotator the stances are recorded for")
        parser.add_argument("--source", default="", help="outlet name for articles whose URL does not name one")

    # The command speaks English, so the services' messages it passes on do too.
    @no_translations
    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {options['user']!r}.") from None
        try:
            with open(options["file"], encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{options['file']}: cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{options['file']}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        try:
            counts = import_baly(data, user=user, source_name=options["source"])
        except ServiceError as exc:
            raise CommandError(f"{options['file']}: {exc.message} Nothing was imported.") from None
        self.stdout.write(
            f"Imported {counts.get('claims', 0)} claims ({counts.get('claims_found', 0)} already here) and "
            f"{counts.get('stances', 0)} stances ({counts.get('stances_updated', 0)} updated)."
        )
        if counts.get("verdicts_left_out"):
            self.stdout.write(f"{counts['verdicts_left_out']} verdicts left out: only an editor can set one.")
