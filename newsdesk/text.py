"""Everything about text that needs no database.

Canonical text (what spans point into), code-point/UTF-16 offsets, Arabic
search folding, script and language guesses, and the parsing of the dates and
relative times that news pages print. Pure functions; see tests/newsdesk/test_text.py.

Offsets everywhere in Newsdesk are Unicode code points (Python `str` indices)
into the canonical text, half-open `[start, end)`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

from babel.dates import get_month_names
from dateutil.relativedelta import relativedelta

NBSP = "\u00a0"

# Bidi embedding/override/isolate controls. Kept in canonical text (they are
# part of the source), recorded, and shown (never obeyed) by the reader.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Marks that are legitimate in Arabic copy (ALM, LRM, RLM): recorded, not flagged.
BIDI_MARKS = frozenset("\u061c\u200e\u200f")

_BIDI_CONTROL = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps", "ckb", "yi", "dv"})


# --- Canonical text --------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
# A line of nothing visible: spaces of any kind (no-break ones from `&nbsp;`
# included), bidi marks and controls, zero-width characters, a stray BOM.
_INVISIBLE_LINE = re.compile(r"[\s\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*")


def canonical_text(text: str) -> str:
    """The stored form of a text: NFC, `\\n` line ends, no ASCII edge spaces per line.

    No-break spaces, bidi controls and everything else are kept as they are.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _LINE_BREAKS.sub("\n", text)
    return "\n".join([line.strip(" \t\f\v") for line in text.split("\n")])


def visible_lines(canonical: str) -> list[str]:
    """The lines of an already canonical text that show something: blank ones,
    and ones of only no-break spaces or invisible marks, are dropped."""
    return [line for line in canonical.split("\n") if not _INVISIBLE_LINE.fullmatch(line)]


def canonical_lines(text: str) -> list[str]:
    """The visible canonical lines of a text."""
    return visible_lines(canonical_text(text))


def text_notes(text: str) -> dict:
    """What canonical text carries that a reader should know about.

    `nbsp` counts no-break spaces; `bidi_controls` lists `[offset, "U+202E"]`
    for each bidi control character, by code-point offset.
    """
    notes: dict = {}
    nbsp = text.count(NBSP)
    if nbsp:
        notes["nbsp"] = nbsp
    controls = [[m.start(), f"U+{ord(m.group()):04X}"] for m in _BIDI_CONTROL.finditer(text)]
    if controls:
        notes["bidi_controls"] = controls
    return notes


def sha256_hex(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


# --- Offsets ---------------------------------------------------------------


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def code_point_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 index of code-point `offset` in `text`."""
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} is outside 0..{len(text)}")
    return offset + sum(1 for ch in text[:offset] if ord(ch) > 0xFFFF)


class Utf16OffsetError(ValueError):
    """A UTF-16 offset that names no code point: outside the text (`char` is
    None, `length` the text's length in UTF-16 units) or inside the surrogate
    pair of `char`, the code point at `index`. The fields let callers say it in
    the reader's language."""

    def __init__(self, offset: int, *, length: int = 0, char: str | None = None, index: int = 0):
        self.offset, self.length, self.char, self.index = offset, length, char, index
        if char is None:
            super().__init__(f"UTF-16 offset {offset} is outside 0..{length}")
        else:
            super().__init__(f"UTF-16 offset {offset} splits the surrogate pair of {char!r} at code point {index}")


def utf16_to_code_point(text: str, offset: int) -> int:
    """The code-point index of UTF-16 `offset` in `text`.

    Raises Utf16OffsetError (a ValueError) for an offset outside the text or
    inside a surrogate pair.
    """
    units = 0
    for index, ch in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            raise Utf16OffsetError(offset, char=ch, index=index)
    if units == offset:
        return len(text)
    raise Utf16OffsetError(offset, length=units)


@dataclass(frozen=True)
class QuoteMismatch:
    """Where and how a span's quote differs from the text at its offsets."""

    start: int
    end: int
    expected: str
    given: str

    @property
    def first_difference(self) -> int:
        """The index of the first character where the quote and the text part."""
        return next(
            (i for i, (a, b) in enumerate(zip(self.expected, self.given)) if a != b),
            min(len(self.expected), len(self.given)),
        )

    @property
    def message(self) -> str:
        """In English; annotations/services/spans.py says it in the reader's language."""
        return (
            f"quote does not match the text at [{self.start}, {self.end}) (Unicode code points): "
            f"the text there is {self.expected!r} but the quote is {self.given!r}; "
            f"they differ from character {self.first_difference}."
        )


def check_quote(text: str, start: int, end: int, quote: str) -> QuoteMismatch | None:
    """None when `text[start:end] == quote`, else what differs."""
    expected = text[start:end]
    if expected == quote:
        return None
    return QuoteMismatch(start=start, end=end, expected=expected, given=quote)


# --- Arabic search folding -------------------------------------------------

# What a hit carries along at its end: the marks of its last letter (harakat,
# superscript alef, tatweel) and invisible characters, never punctuation.
_WORD_MARKS = frozenset(
    [chr(c) for c in range(0x064B, 0x0653)]  # harakat: fathatan … sukun
    + ["\u0670", "\u0640"]  # superscript alef, tatweel
    + list(BIDI_MARKS)
    + ["\u200b", "\u200c", "\u200d", "\ufeff"]
)
_FOLD_DROP = frozenset(
    _WORD_MARKS
    | BIDI_CONTROLS
    # Quotation marks glued to words (بـ"خطوات): dropped so the word is found whole.
    | set("\"'«»“”„‘’‹›")
)
_FOLD_MAP = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ة": "ه",
    "ى": "ي",
    NBSP: " ",
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
}


_FOLD_TABLE = {ord(ch): None for ch in _FOLD_DROP} | {ord(ch): mapped for ch, mapped in _FOLD_MAP.items()}


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold `text` for search and map every folded character back.

    Returns `(folded, origin)` where `origin[i]` is the code-point offset in
    `text` of folded character `i`, and `origin[len(folded)] == len(text)`, so
    a hit `[i, j)` in the folded text covers `text[origin[i]:end]`, where end
    extends over dropped marks (see `unfold_span`).
    """
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if ch in _FOLD_DROP:
            continue
        mapped = _FOLD_MAP.get(ch)
        if mapped is None:
            mapped = ch.lower()
        for part in mapped:
            out.append(part)
            origin.append(index)
    origin.append(len(text))
    return "".join(out), origin


_FOLDED_CHARACTER = re.compile("[" + re.escape("".join(sorted(_FOLD_DROP | _FOLD_MAP.keys()))) + "]")


# Proclitics, folded: conjunctions و ف, prepositions ب ل ك, and their
# combinations. Those ending in the article come first (always clitics); then
# single letters before pairs, so وكيري loses its و, not وك. "لل" is ل + the
# article's lam.
PROCLITICS = (
    "وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل",
    "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل",
)


def fold(text: str) -> str:
    """The search form of a text (ARABIC.md F24); applied to index and query alike.

    Same result as `fold_with_offsets(text)[0]`, computed in C: one
    str.replace per folded character the text contains (a text holds a
    handful of them). str.translate would look every character up in the
    table, four times slower on Arabic text; no replacement is itself a
    folded character, so the order of the replacements does not matter."""
    for character in set(_FOLDED_CHARACTER.findall(text)):
        text = text.replace(character, _FOLD_TABLE[ord(character)] or "")
    return text.lower()


def search_text(text: str, comment_texts: list[str]) -> str:
    """What article search matches: an article's text and its comments, folded."""
    return fold("\n".join([text, *comment_texts]))


def unfold_span(text: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a folded-text hit `[start, end)` to canonical offsets, marks included.

    A hit on `قريبا` in `قريباً` covers the tanween too: the end extends over
    the characters that folding dropped after the last matched letter.
    """
    cp_start = origin[start]
    cp_end = origin[end - 1] + 1 if end > start else cp_start
    while cp_end < len(text) and text[cp_end] in _WORD_MARKS:
        cp_end += 1
    return cp_start, cp_end


# --- Script and language ---------------------------------------------------


# Runs of letters: Arabic-script letters (base block, supplement, presentation
# forms) and Latin letters with their accented forms. Counting runs is several
# times faster than counting single characters with the re module.
_ARABIC_LETTERS = re.compile("[\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06fc\u06ff\u0750-\u077f\ufb50-\ufdfb\ufe70-\ufefc]+")
_LATIN_LETTERS = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, Latin letters) in `text`."""
    return sum(map(len, _ARABIC_LETTERS.findall(text))), sum(map(len, _LATIN_LETTERS.findall(text)))


def guess_language(text: str, default: str = "ar") -> str:
    """'ar' or 'en' by the dominant script; `default` when there are no letters."""
    if not _LATIN_LETTERS.search(text):
        return "ar" if _ARABIC_LETTERS.search(text) else default
    latin = sum(map(len, _LATIN_LETTERS.findall(text)))
    # Arabic letters are counted only until they outnumber the Latin ones: in
    # an Arabic article with an English caption that is a few words, not all.
    arabic = 0
    for run in _ARABIC_LETTERS.finditer(text):
        arabic += run.end() - run.start()
        if arabic >= latin:
            return "ar"
    return "en"


def direction_for(language: str) -> str:
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


# --- Dates and relative times ----------------------------------------------

_DIGITS = str.maketrans({**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}})

# Arabic relative-time units, folded. Dual forms ("ساعتين") mean two.
_RELATIVE_UNITS: list[tuple[str, str, int]] = [
    # (folded word, relativedelta field, implied count or 0 for "use the number")
    ("ثانيتين", "seconds", 2), ("ثانيتان", "seconds", 2), ("ثواني", "seconds", 0), ("ثوان", "seconds", 0), ("ثانيه", "seconds", 0),
    ("دقيقتين", "minutes", 2), ("دقيقتان", "minutes", 2), ("دقائق", "minutes", 0), ("دقيقه", "minutes", 0),
    ("ساعتين", "hours", 2), ("ساعتان", "hours", 2), ("ساعات", "hours", 0), ("ساعه", "hours", 0),
    ("يومين", "days", 2), ("يومان", "days", 2), ("ايام", "days", 0), ("يوم", "days", 0),
    ("اسبوعين", "weeks", 2), ("اسبوعان", "weeks", 2), ("اسابيع", "weeks", 0), ("اسبوع", "weeks", 0),
    ("شهرين", "months", 2), ("شهران", "months", 2), ("اشهر", "months", 0), ("شهور", "months", 0), ("شهر", "months", 0),
    ("سنتين", "years", 2), ("سنتان", "years", 2), ("سنوات", "years", 0), ("سنين", "years", 0), ("سنه", "years", 0),
    ("عامين", "years", 2), ("عامان", "years", 2), ("اعوام", "years", 0), ("عام", "years", 0),
]
_UNIT_LOOKUP = {word: (field, implied) for word, field, implied in _RELATIVE_UNITS}
_RELATIVE_PART = re.compile(
    r"(?:(\d+)\s*)?(" + "|".join(sorted(_UNIT_LOOKUP, key=len, reverse=True)) + r")(?![\u0600-\u06ff])"
)
_ENGLISH_RELATIVE = re.compile(r"(\d+|an?)\s+(second|minute|hour|day|week|month|year)s?\b", re.I)


@lru_cache(maxsize=4096)
def parse_relative_time(text: str, now: datetime) -> datetime | None:
    """`now` minus what a page prints as "منذ 7 سنوات 8 أشهر" or "3 hours ago".

    Returns None when the text is not a relative time. Kept per (text, now):
    an import passes one `now`, and its pages print a few dozen such times
    thousands of times (relativedelta's arithmetic is slow).
    """
    folded = fold(text).translate(_DIGITS).strip()
    delta: dict[str, int] = {}
    if folded.startswith("منذ") or folded.startswith("قبل"):
        for number, word in _RELATIVE_PART.findall(folded[3:]):
            field, implied = _UNIT_LOOKUP[word]
            delta[field] = delta.get(field, 0) + (implied or int(number or 1))
    elif folded.endswith("ago"):
        for number, unit in _ENGLISH_RELATIVE.findall(folded):
            count = 1 if number.lower() in ("a", "an") else int(number)
            delta[unit.lower() + "s"] = delta.get(unit.lower() + "s", 0) + count
    if not delta:
        return None
    return now - relativedelta(**delta)


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    """Folded month names → month number: CLDR's Arabic names (Egyptian/Gulf and
    Levantine/Iraqi sets) plus English, through Babel."""
    names: dict[str, int] = {}
    for locale in ("ar", "ar_SY", "ar_IQ", "ar_LB", "ar_MA", "ar_TN", "ar_DZ", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[fold(name)] = number
    return names


_DATE_CANDIDATES = [
    re.compile(r"(?P<day>\d{1,2})[./-](?P<month>\d{1,2})[./-](?P<year>\d{4})"),
    re.compile(r"(?P<year>\d{4})[./-](?P<month>\d{1,2})[./-](?P<day>\d{1,2})"),
    re.compile(r"(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+(?:\s*/\s*[^\W\d_]+)?)\s*,?\s+(?P<year>\d{4})"),
]
_TIME = re.compile(r"(?<!\d)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)")


def parse_date(text: str, tz: tzinfo, patterns: list[re.Pattern] | None = None) -> datetime | None:
    """A publication date printed on a page, as an aware datetime in `tz`.

    `patterns` (from an outlet profile) are tried before the generic ones; each
    names its groups `day`, `month` (number or name), `year` and optionally
    `hour`, `minute`. Returns None when nothing parses.
    """
    plain = text.translate(_DIGITS)
    for pattern in [*(patterns or []), *_DATE_CANDIDATES]:
        match = pattern.search(plain)
        if not match:
            continue
        parts = match.groupdict()
        month = _month_from(parts.get("month") or "")
        try:
            day, year = int(parts["day"]), int(parts["year"])
        except (KeyError, TypeError, ValueError):
            continue
        if month is None:
            continue
        hour, minute = parts.get("hour"), parts.get("minute")
        if hour is None:
            time_match = _TIME.search(plain)
            hour, minute = (time_match["hour"], time_match["minute"]) if time_match else (0, 0)
        try:
            return datetime(year, month, day, int(hour), int(minute or 0), tzinfo=tz)
        except ValueError:
            continue
    return None


def _month_from(token: str) -> int | None:
    token = token.strip()
    if token.isdigit():
        return int(token) if 1 <= int(token) <= 12 else None
    for name in re.split(r"\s*/\s*", fold(token)):
        if name in _month_numbers():
            return _month_numbers()[name]
    return None
