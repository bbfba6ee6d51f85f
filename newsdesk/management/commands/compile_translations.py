"""Compile locale/*/LC_MESSAGES/*.po to .mo with Babel, so no machine needs
GNU gettext to run Newsdesk in Arabic. (`makemessages` still needs xgettext,
but only translators run it.)"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the .po translation catalogues under LOCALE_PATHS to .mo files."

    def handle(self, *args, **options):
        compiled = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    try:
                        catalog = read_po(po_file, abort_invalid=True)
                    except Exception as error:  # Babel raises its own PoFileError with the line
                        raise CommandError(f"{po_path}: {error}") from error
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
                self.stdout.write(f"compiled {po_path}")
        self.stdout.write(f"{compiled} catalogue(s) compiled")
