"""Outlet profiles: the literal prefilter in front of their line patterns."""

import re

import pytest

from newsdesk.profiles import load_profiles, required_literal


@pytest.mark.parametrize(
    "pattern, literal",
    [
        ("REUTERS", "REUTERS"),
        ("^المصدر\\s*:\\s*الجزيرة", "المصدر"),
        ("© \\d{4} syria\\.news", "© "),
        ("ولا تعبر بالضرورة عن رأي إيلاف$", "ولا تعبر بالضرورة عن رأي إيلاف"),
        ("/AP\\b", "/AP"),
        ("ab*c", "a"),  # b may be absent
        ("ab?c", "a"),
        ("ab{0,2}", "a"),
        ("ab+", "ab"),  # at least one b
        ("abc|def", ""),  # a match of "def" holds no "abc"
        ("ab(c|d)", "ab"),  # the alternatives come after the literal
        ("x[|]y", "x"),  # a bar inside a class is a character
        ("\\(L\\)", ""),
        ("\\bPhoto\\b", ""),
        ("(?i)reuters", ""),
        ("[Rr]euters", ""),
    ],
)
def test_required_literal_is_text_every_match_contains(pattern, literal):
    assert required_literal(pattern) == literal


def test_every_profile_pattern_literal_is_in_what_it_matches():
    generic, outlets = load_profiles()
    samples = {
        "المصدر : الجزيرة + وكالات", "بلدي نيوز - ريف حلب", "© 2016 syria.news", "REUTERS/Omar Sanadiki",
        "ولا تعبر بالضرورة عن رأي إيلاف", "💡 أهم المواضيع", "(L) John Kerry", "Photo: AFP",
    }
    checked = 0
    for profile in (generic, *outlets):
        patterns = [(pattern, literal) for pattern, literal in profile.detect_lines]
        patterns += [(pattern, literal) for _, pattern, literal in profile.latin_caption_markers._floating]
        for pattern, literal in patterns:
            assert literal == required_literal(pattern.pattern)
            for sample in samples:
                for match in re.finditer(pattern, sample):
                    assert match.group().startswith(literal)
                    checked += 1
    assert checked >= 5
