"""A newsroom's own list of names (its style guide's organisations, parties,
clubs, people), loaded with `manage.py import_names FILE`.

Each listed name becomes (or marks) a canonical entity with `listed=True`;
every new extraction then looks for its name and spellings as it does for
the names people taught in the reader (annotations/ner/taught.py). The file
is CSV with a header: `name,type[,aliases]`; aliases are other spellings,
separated by `|`. A file with any bad line changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotations.access import require_editor
from annotations.models import Entity, EntityType
from annotations.services.entities import add_alias_key, find_entity, link_entity, match_key
from newsdesk.text import canonical_text

MAX_NAME = 300
# ANERcorp's tag for people, and the product's.
TYPE_NAMES = {"PER": EntityType.PER, "PERS": EntityType.PER, "ORG": EntityType.ORG, "LOC": EntityType.LOC, "MISC": EntityType.MISC}


class NameListError(ValueError):
    """The file cannot be loaded; `problems` names each bad line and field."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ListedName:
    line: int
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class NameListReport:
    listed: int = 0  # names on the list now marked
    new: int = 0  # of them, entities that did not exist yet
    unlisted: int = 0  # with --replace: names no longer on the list
    taken: list[str] = field(default_factory=list)  # spellings that already name another entity


def read_name_list(path: Path) -> list[ListedName]:
    """The names of a CSV file, or NameListError naming every bad line and field."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NameListError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    return parse_name_list(data, str(path))


def parse_name_list(data: bytes, origin: str) -> list[ListedName]:
    """The names of CSV `data` (a file called `origin` in messages), or
    NameListError naming every bad line and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NameListError([f"{origin}: not UTF-8: invalid byte 0x{data[exc.start]:02x} at byte offset {exc.start}"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in ("name", "type") if column not in header]
    if missing:
        found = ", ".join(reader.fieldnames or []) or "nothing"
        raise NameListError([f"{origin} line 1: the header needs the columns name and type (and may have aliases); it has {found}"])
    reader.fieldnames = header
    names: list[ListedName] = []
    problems: list[str] = []
    for row in reader:
        where = f"{origin} line {reader.line_num}"
        name = canonical_text((row.get("name") or "").strip())
        given_type = (row.get("type") or "").strip().upper()
        aliases = [canonical_text(alias.strip()) for alias in (row.get("aliases") or "").split("|") if alias.strip()]
        if not name:
            problems.append(f"{where}, field 'name': empty")
        if given_type not in TYPE_NAMES:
            problems.append(f"{where}, field 'type': {given_type or 'empty'}; use PER, ORG, LOC or MISC")
        for label, value in [("name", name), *(("aliases", alias) for alias in aliases)]:
            if value and not any(char.isalnum() for char in value):
                problems.append(f"{where}, field '{label}': {value!r} has no letters")
            if len(value) > MAX_NAME:
                problems.append(f"{where}, field '{label}': {len(value):,} characters; the limit is {MAX_NAME}")
        if name and given_type in TYPE_NAMES:
            names.append(ListedName(reader.line_num, name, TYPE_NAMES[given_type], aliases))
    if problems:
        raise NameListError(problems)
    if not names:
        raise NameListError([f"{origin}: no names (a header and no lines)"])
    return names


def upload_name_list(*, editor, data: bytes, origin: str, replace: bool = False) -> NameListReport:
    """An editor's name list, sent from the Entities page."""
    require_editor(editor)
    return list_names(parse_name_list(data, origin), replace=replace)


@transaction.atomic
def list_names(names: list[ListedName], *, replace: bool = False) -> NameListReport:
    """Mark these names' entities as listed (creating those that are new);
    `replace` first takes every other entity off the list. All or nothing."""
    report = NameListReport()
    now = timezone.now()
    marked: set[int] = set()
    for listed in names:
        existed = find_entity(listed.type, match_key(listed.name)) is not None
        entity = link_entity(listed.type, listed.name)
        report.new += not existed
        changed = not entity.listed
        for alias in listed.aliases:
            owner = find_entity(listed.type, match_key(alias))
            if owner is None:
                add_alias_key(entity, match_key(alias))
            elif owner.pk != entity.pk:
                report.taken.append(f"line {listed.line}: {alias!r} already names entity {owner.pk} ({owner.canonical_name})")
                continue
            if alias not in entity.aliases:
                entity.aliases = [*entity.aliases, alias]
                changed = True
        if changed:
            entity.listed = True
            entity.version += 1
            entity.save(update_fields=["aliases", "listed", "version", "updated_at"])
        marked.add(entity.pk)
    report.listed = len(marked)
    if replace:
        report.unlisted = (
            Entity.objects.filter(listed=True)
            .exclude(pk__in=marked)
            .update(listed=False, version=F("version") + 1, updated_at=now)
        )
    return report
