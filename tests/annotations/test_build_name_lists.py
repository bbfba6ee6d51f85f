"""`manage.py build_name_lists`: the person-name gazetteers from the two wheels."""

import json
import sqlite3
import zipfile

import pytest
from django.core.management import CommandError, call_command

from annotations.management.commands import build_name_lists
from annotations.ner.lexicon import FOREIGN_NAMES_FILE, WORLD_NAMES_FILE


def romanizer_wheel(tmp_path, keys):
    index = tmp_path / "names.sqlite3"
    with sqlite3.connect(index) as db:
        db.execute("CREATE TABLE units (arabic_key TEXT, latin TEXT)")
        db.executemany("INSERT INTO units VALUES (?, ?)", [(key, "x") for key in keys])
    wheel = tmp_path / "arabic_name_romanizer-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(index, build_name_lists.ROMANIZER_INDEX)
    return wheel


def arabnamer_wheel(tmp_path, pairs):
    wheel = tmp_path / "arabnamer-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(build_name_lists.ARABNAMER_DICTIONARY, json.dumps(pairs, ensure_ascii=False))
    return wheel


@pytest.fixture
def lists(tmp_path, monkeypatch):
    """The two list files, written under tmp_path instead of the repository."""
    world, foreign = tmp_path / WORLD_NAMES_FILE.name, tmp_path / FOREIGN_NAMES_FILE.name
    monkeypatch.setattr(build_name_lists, "WORLD_NAMES_FILE", world)
    monkeypatch.setattr(build_name_lists, "FOREIGN_NAMES_FILE", foreign)
    return world, foreign


def words(path):
    return [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def test_the_lists_hold_folded_arabic_words_with_their_provenance(tmp_path, lists, capsys):
    world, foreign = lists
    romanizer = romanizer_wheel(tmp_path, ["محمد", "أسامة", "com.بليسيس", "ب"])
    arabnamer = arabnamer_wheel(tmp_path, {"obama": "أوباما", "george bush": "جورج بوش"})

    call_command("build_name_lists", str(arabnamer), str(romanizer))

    assert words(world) == ["اسامه", "محمد"]  # folded; Latin junk and one-letter keys left out
    assert words(foreign) == ["اوباما", "بوش", "جورج"]
    assert "Wikidata (CC0 1.0)" in world.read_text(encoding="utf-8")
    assert "CC BY 4.0" in foreign.read_text(encoding="utf-8")
    assert "Wrote person_names_world.txt: 2 names" in capsys.readouterr().out


def test_a_wheel_without_name_data_is_refused_by_name(tmp_path, lists):
    stranger = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(stranger, "w") as archive:
        archive.writestr("other/__init__.py", "")
    with pytest.raises(CommandError, match="other-1.0-py3-none-any.whl: neither"):
        call_command("build_name_lists", str(stranger), str(arabnamer_wheel(tmp_path, {})))
    assert not lists[0].exists() and not lists[1].exists()


def test_both_wheels_are_needed(tmp_path, lists):
    arabnamer = arabnamer_wheel(tmp_path, {"obama": "أوباما"})
    with pytest.raises(CommandError, match="Give both wheels"):
        call_command("build_name_lists", str(arabnamer), str(arabnamer))
