"""Load a newsroom's list of names: every new extraction looks for them."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.services.name_lists import NameListError, list_names, read_name_list


class Command(BaseCommand):
    help = (
        "Put the names of a CSV file (header: name,type[,aliases]; type PER, ORG, LOC or MISC; aliases separated "
        "by |) on the name list, which every new extraction looks for. A file with a bad line changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--replace", action="store_true", help="take every name not in the file off the list")

    def handle(self, *args, file, replace, **options):
        try:
            names = read_name_list(Path(file))
        except NameListError as error:
            for problem in error.problems:
                sys.stderr.write(f"FAILED {problem}\n")
            count = len(error.problems)
            raise CommandError(f"Nothing listed: {count} problem{'s' if count != 1 else ''} in {file}.") from None
        report = list_names(names, replace=replace)
        for note in report.taken:
            self.stderr.write(f"NOTE {file} {note}: left with it")
        summary = f"Listed {_count(report.listed, 'name')} ({_count(report.new, 'new entity', 'new entities')})"
        if replace:
            summary += f", took {report.unlisted} off the list"
        self.stdout.write(
            summary + ". New extractions look for them; `manage.py extract_entities --all` applies them to earlier articles."
        )


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"
