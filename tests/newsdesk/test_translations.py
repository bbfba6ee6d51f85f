"""The Arabic catalogue: every message translated, placeholders kept, and it compiles."""

import io
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\w*\}")


def test_every_message_has_an_arabic_translation_with_the_same_placeholders():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po, abort_invalid=True)  # a duplicate msgid or a syntax error raises here
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(translation.strip() for translation in translations):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for translation in translations:
            if sorted(set(PLACEHOLDER.findall(translation))) != wanted and "%(counter)s" not in ids[-1]:
                problems.append(f"placeholders differ: {ids[0]!r} -> {translation!r}")
    assert not problems, "\n".join(problems)
    write_mo(io.BytesIO(), catalogue, use_fuzzy=False)
