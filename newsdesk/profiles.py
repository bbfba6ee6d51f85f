"""Outlet profiles: the site-specific rules of page segmentation, kept as data.

Each `newsdesk/profiles/<outlet>.toml` names an outlet and lists what marks
its pages (detection), its title suffixes, byline and date lines, comment
layout and page furniture. `_generic.toml` holds the rules every outlet
shares; an outlet's lists extend them, its scalar settings replace them. A new
outlet is a new file, not new code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
GENERIC_FILE = "_generic.toml"


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class CommentLayout:
    start: tuple[re.Pattern, ...]
    count: tuple[re.Pattern, ...]
    policy: tuple[re.Pattern, ...]
    fields: tuple[str, ...]
    anchor: str
    anchor_pattern: re.Pattern


@dataclass(frozen=True)
class Profile:
    name: str
    slug: str
    domain: str
    language: str
    timezone: ZoneInfo
    markers: tuple[str, ...]
    detect_lines: tuple[re.Pattern, ...]
    section_labels: frozenset[str]
    title_suffixes: tuple[str, ...]
    byline: tuple[re.Pattern, ...]
    date_lines: tuple[re.Pattern, ...]
    attribution: tuple[re.Pattern, ...]
    caption_credit: re.Pattern
    latin_caption_markers: tuple[re.Pattern, ...]
    sections: tuple[tuple[str, re.Pattern], ...]
    drops: tuple[tuple[str, re.Pattern], ...]
    comments: CommentLayout
    is_generic: bool = field(default=False)

    def detection_score(self, text: str, lines: list[str]) -> int:
        """How strongly a page looks like this outlet's: line signatures count double."""
        score = sum(1 for marker in self.markers if marker in text)
        score += sum(2 for pattern in self.detect_lines if any(pattern.search(line) for line in lines))
        return score


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern, ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ProfileError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


def _merge(generic: dict, outlet: dict) -> dict:
    """Outlet lists extend generic lists; outlet scalars replace generic ones."""
    merged = dict(generic)
    for key, value in outlet.items():
        if isinstance(value, dict) and isinstance(generic.get(key), dict):
            merged[key] = _merge(generic[key], value)
        elif isinstance(value, list) and isinstance(generic.get(key), list) and key != "fields":
            merged[key] = [*generic[key], *value]
        else:
            merged[key] = value
    return merged


def _build(data: dict, filename: str, *, is_generic: bool) -> Profile:
    def get(path: str, default=None):
        node = data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is None:
                    raise ProfileError(f"{filename}: missing key {path!r}")
                return default
            node = node[part]
        return node

    where = lambda key: f"{filename} [{key}]"  # noqa: E731
    comments = get("comments")
    fields = tuple(comments.get("fields", ()))
    anchor = comments.get("anchor", "")
    if "text" not in fields or anchor not in fields or anchor == "text":
        raise ProfileError(f"{filename} [comments]: fields must include 'text' and the anchor, and the anchor cannot be 'text'")
    credit_words = [re.escape(word) for word in get("captions.credit_words", [])]
    credit = r"\((?:[^()]{0,30}?(?:" + "|".join(credit_words) + r")[^()]{0,30})\)$" if credit_words else r"(?!x)x"
    return Profile(
        name=get("name"),
        slug=get("slug"),
        domain=get("domain", ""),
        language=get("language", "ar"),
        timezone=ZoneInfo(get("timezone", "UTC")),
        markers=tuple(get("detect.markers", [])),
        detect_lines=_compile(get("detect.lines", []), where("detect")),
        section_labels=frozenset(get("title.section_labels", [])),
        title_suffixes=tuple(get("title.suffixes", [])),
        byline=_compile(get("byline.patterns", []), where("byline")),
        date_lines=_compile(get("dates.line_patterns", []), where("dates")),
        attribution=_compile(get("attribution.patterns", []), where("attribution")),
        caption_credit=re.compile(credit),
        latin_caption_markers=_compile(get("captions.latin_markers", []), where("captions")),
        sections=tuple(
            (kind, pattern)
            for kind, patterns in get("sections", {}).items()
            for pattern in _compile(patterns, where(f"sections.{kind}"))
        ),
        drops=tuple(
            (kind, pattern)
            for kind, patterns in get("drop", {}).items()
            for pattern in _compile(patterns, where(f"drop.{kind}"))
        ),
        comments=CommentLayout(
            start=_compile(comments.get("start", []), where("comments.start")),
            count=_compile(comments.get("count", []), where("comments.count")),
            policy=_compile(comments.get("policy", []), where("comments.policy")),
            fields=fields,
            anchor=anchor,
            anchor_pattern=_compile([comments.get("anchor_pattern", "")], where("comments.anchor_pattern"))[0],
        ),
        is_generic=is_generic,
    )


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path.name}: {exc}") from exc


@lru_cache(maxsize=4)
def load_profiles(directory: Path = PROFILE_DIR) -> tuple[Profile, tuple[Profile, ...]]:
    """(generic profile, outlet profiles) from `directory`."""
    generic_data = _read(directory / GENERIC_FILE)
    generic = _build(
        {"name": "", "slug": "", **generic_data}, GENERIC_FILE, is_generic=True
    )
    outlets = tuple(
        _build(_merge(generic_data, _read(path)), path.name, is_generic=False)
        for path in sorted(directory.glob("*.toml"))
        if path.name != GENERIC_FILE
    )
    return generic, outlets


def detect_profile(text: str, lines: list[str], *, hostname: str = "") -> Profile:
    """The outlet profile a page matches best, or the generic profile.

    A known hostname decides; otherwise the profile with the highest detection
    score wins.
    """
    generic, outlets = load_profiles()
    host = hostname.lower().removeprefix("www.")
    if host:
        for profile in outlets:
            if profile.domain and (host == profile.domain or host.endswith("." + profile.domain)):
                return profile
    best, best_score = generic, 0
    for profile in outlets:
        score = profile.detection_score(text, lines)
        if score > best_score:
            best, best_score = profile, score
    return best


def profile_named(name: str) -> Profile | None:
    """The outlet profile whose name, slug or domain is `name`, if any."""
    _, outlets = load_profiles()
    wanted = name.strip().casefold()
    for profile in outlets:
        if wanted in (profile.name.casefold(), profile.slug.casefold(), profile.domain.casefold()):
            return profile
    return None


def generic_profile() -> Profile:
    return load_profiles()[0]
