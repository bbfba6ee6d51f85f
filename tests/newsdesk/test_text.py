"""newsdesk/text.py is a promise of its own: table-driven tests."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from newsdesk import text

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("سطر\r\nسطر ثان\rثالث", "سطر\nسطر ثان\nثالث"),
        ("\u0627\u0654مريكا", "\u0623مريكا"),  # alef + combining hamza becomes أ (NFC)
        ("  مسافة في الطرفين \t", "مسافة في الطرفين"),
        ("\u00a0قبل وبعد\u00a0", "\u00a0قبل وبعد\u00a0"),  # no-break spaces are text, kept
        ("تعليق \u202eabc\u202c هنا", "تعليق \u202eabc\u202c هنا"),  # bidi controls kept
        ("أ\u2028ب", "أ\nب"),
    ],
)
def test_canonical_text(raw, expected):
    assert text.canonical_text(raw) == expected


def test_lines_of_only_no_break_spaces_or_invisible_marks_are_blank():
    raw = "أول\n\u00a0\n\u00a0 \u00a0\n\u200f\n\u202b\u202c\n\ufeff\nثان\u00a0سطر\n\u200fثالث"
    assert text.canonical_lines(raw) == ["أول", "ثان\u00a0سطر", "\u200fثالث"]


def test_text_notes_record_no_break_spaces_and_bidi_controls():
    notes = text.text_notes("أ\u00a0ب \u202eabc\u202c \u200fج")
    assert notes == {"nbsp": 1, "bidi_controls": [[4, "U+202E"], [8, "U+202C"]]}
    assert text.text_notes("نص عادي") == {}


@pytest.mark.parametrize(
    "word, query",
    [
        ("الأمريكية", "الامريكيه"),
        ('بـ"خطوات', "بخطوات"),
        ("قريباً", "قريبا"),
        ("إعلان", "اعلان"),
        ("آسيا", "اسيا"),
        ("ٱلله", "الله"),
        ("مستشفى", "مستشفي"),
        ("٢٠١٦", "2016"),
        ("۲۰۱۶", "2016"),
        ("Kerry", "kerry"),
        ("هاتفياً\u00a0", "هاتفيا "),
    ],
)
def test_fold_matches_spelling_variants(word, query):
    assert text.fold(word) == text.fold(query)


def test_fold_hit_maps_back_to_canonical_offsets_with_marks():
    canonical = "سيعلن قريباً عن الخطة"
    folded, origin = text.fold_with_offsets(canonical)
    hit = folded.index("قريبا")
    start, end = text.unfold_span(canonical, origin, hit, hit + len("قريبا"))
    assert canonical[start:end] == "قريباً"


@pytest.mark.parametrize(
    "sample, cp_offset, utf16_offset",
    [
        ("abc", 3, 3),
        ("💡 أهم", 1, 2),
        ("💡 أهم", 2, 3),
        ("أ💡ب💡ج", 5, 7),
        ("كيري John Kerry", 5, 5),
    ],
)
def test_code_point_and_utf16_offsets_round_trip(sample, cp_offset, utf16_offset):
    assert text.code_point_to_utf16(sample, cp_offset) == utf16_offset
    assert text.utf16_to_code_point(sample, utf16_offset) == cp_offset


def test_utf16_offset_inside_a_surrogate_pair_is_refused():
    with pytest.raises(ValueError, match="splits the surrogate pair"):
        text.utf16_to_code_point("أ💡ب", 2)


def test_quote_mismatch_says_where_and_what():
    mismatch = text.check_quote("💡 أهم المواضيع", 2, 5, "هم ")
    assert mismatch is not None
    assert "[2, 5)" in mismatch.message and "'أهم'" in mismatch.message
    assert text.check_quote("💡 أهم المواضيع", 2, 5, "أهم") is None


@pytest.mark.parametrize(
    "shown, expected",
    [
        ("منذ 7 سنوات 8 أشهر", datetime(2016, 9, 1, 12, 0, tzinfo=timezone.utc)),
        ("·منذ 7 سنوات 8 أشهر", None),  # the caller strips the page's bullet
        ("منذ ساعتين", datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)),
        ("منذ سنة", datetime(2023, 5, 1, 12, 0, tzinfo=timezone.utc)),
        ("منذ يومين", datetime(2024, 4, 29, 12, 0, tzinfo=timezone.utc)),
        ("منذ ٣ أيام", datetime(2024, 4, 28, 12, 0, tzinfo=timezone.utc)),
        ("منذ 5 دقائق", datetime(2024, 5, 1, 11, 55, tzinfo=timezone.utc)),
        ("قبل أسبوعين", datetime(2024, 4, 17, 12, 0, tzinfo=timezone.utc)),
        ("3 hours ago", datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)),
        ("أمس", None),
    ],
)
def test_relative_times_as_pages_print_them(shown, expected):
    assert text.parse_relative_time(shown, NOW) == expected


@pytest.mark.parametrize(
    "shown, expected",
    [
        ("01.09.2016 | 14:46", datetime(2016, 9, 1, 14, 46)),
        ("2016-09-01", datetime(2016, 9, 1, 0, 0)),
        ("الخميس 1 أيلول 2016", datetime(2016, 9, 1, 0, 0)),
        ("1 سبتمبر 2016 - 10:05", datetime(2016, 9, 1, 10, 5)),
        ("الأول من أغسطس/آب", None),
    ],
)
def test_publication_dates_in_arabic_and_numeric_forms(shown, expected):
    damascus = ZoneInfo("Asia/Damascus")
    parsed = text.parse_date(shown, damascus)
    assert parsed == (expected.replace(tzinfo=damascus) if expected else None)


@pytest.mark.parametrize(
    "sample, language",
    [("كيري ولافروف", "ar"), ("John Kerry (L) and Sergei Lavrov", "en"), ("2016", "ar"), ("Same story. الله يعين", "en")],
)
def test_guess_language_by_dominant_script(sample, language):
    assert text.guess_language(sample) == language


@pytest.mark.parametrize(
    "sample",
    [
        "بـ\"خطوات\" قريباً", "Kerry İstanbul ÉTÉ", "💡 أهم\u00a0المواضيع \u202eabc\u202c", "إعلان ٢٠١٦ مستشفى",
        # Every character folding changes or drops, between letters.
        "ب".join(sorted(text._FOLD_DROP | text._FOLD_MAP.keys())),
    ],
)
def test_fast_fold_equals_fold_with_offsets(sample):
    folded, origin = text.fold_with_offsets(sample)
    assert text.fold(sample) == folded
    assert len(origin) == len(folded) + 1
