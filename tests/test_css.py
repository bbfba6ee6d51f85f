"""App CSS uses logical properties only and never sets the base direction
(ARABIC.md items 2 and 7): direction comes from dir attributes in HTML."""

import re
from pathlib import Path

import pytest

CSS_FILES = sorted((Path(__file__).resolve().parent.parent / "static" / "css").glob("*.css"))
PHYSICAL = re.compile(
    r"(?<![\w-])(margin|padding|border)-(left|right)\b|(?<![\w-])(left|right)\s*:|text-align\s*:\s*(left|right)|float\s*:\s*(left|right)|(?<![\w-])direction\s*:"
)


def _rules(path: Path) -> str:
    return re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("path", CSS_FILES, ids=lambda p: p.name)
def test_css_is_logical_and_leaves_direction_to_html(path):
    offending = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(_rules(path).splitlines(), 1)
        if PHYSICAL.search(line)
    ]
    assert not offending, "physical properties or `direction:` in app CSS:\n" + "\n".join(offending)


def test_the_lint_catches_what_it_should():
    for bad in ["margin-left: 1px", "padding-right:0", "left: 0", "text-align: right", "direction: rtl", "float: left"]:
        assert PHYSICAL.search(bad), bad
    for good in [
        "margin-inline-start: 1px",
        "inset-inline-start: 0",
        "text-align: start",
        "unicode-bidi: isolate",
        "border-inline-end: 0",
    ]:
        assert not PHYSICAL.search(good), good
