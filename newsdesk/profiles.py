"""Outlet profiles: the site-specific rules of page segmentation, kept as data.

Each `newsdesk/profiles/<outlet>.toml` names an outlet and lists what marks
its pages (detection), its title suffixes, byline and date lines, comment
layout and page furniture. `_generic.toml` holds the rules every outlet
shares; an outlet's lists extend them, its scalar settings replace them. A new
outlet is a new file, not new code.
"""

from __future__ import annotations

import dataclasses
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


NEVER = re.compile(r"(?!)")
_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")


def required_literal(pattern: str) -> str:
    """Text that every match of `pattern` contains: its leading literal
    characters ("" when it starts with regex syntax or has a top-level
    alternative). A page without it cannot match, which `in` finds out far
    faster than the regex."""
    depth, escaped, in_class = 0, False, False
    for character in pattern:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
        elif character in "()":
            depth += 1 if character == "(" else -1
        elif character == "|" and depth == 0:
            return ""
    body = pattern.removeprefix("^")
    end = 0
    while end < len(body) and body[end] not in _REGEX_SYNTAX:
        end += 1
    if end < len(body) and body[end] in "*?{":  # the last literal character is optional
        end -= 1
    return body[:end]


class PatternSet:
    """Line patterns, each with a kind, checked against one line.

    Patterns anchored at the line start are joined into one expression tried at
    position 0 only; the others are searched one by one. Both keep the re
    module on its fast paths (one big alternation searched at every position is
    several times slower).
    """

    def __init__(self, pairs: list[tuple[str, str]], where: str):
        anchored = [(kind, p) for kind, p in pairs if p.startswith("^")]
        self._anchored = (
            re.compile("|".join(f"(?P<g{i}>{p})" for i, (_, p) in enumerate(anchored))) if anchored else None
        )
        self._anchored_kinds = {f"g{i}": kind for i, (kind, _) in enumerate(anchored)}
        self._floating = [(kind, re.compile(p), required_literal(p)) for kind, p in pairs if not p.startswith("^")]
        # The same patterns for a whole page, where a `$` ends every line, not just the last.
        self._in_page = {pattern: re.compile(pattern.pattern, re.MULTILINE) for _, pattern, _ in self._floating}

    def narrowed(self, text: str) -> PatternSet:
        """The same set without the unanchored patterns that occur nowhere in `text`
        (a whole page): each is scanned once per page instead of once per line."""
        floating = [entry for entry in self._floating if entry[2] in text and self._in_page[entry[1]].search(text)]
        if len(floating) == len(self._floating):  # often: a set with no unanchored pattern
            return self
        narrowed = object.__new__(PatternSet)  # copy.copy is several times slower
        narrowed.__dict__.update(self.__dict__, _floating=floating)
        return narrowed

    def kind_of(self, line: str) -> str | None:
        if self._anchored is not None:
            match = self._anchored.match(line)
            if match:
                return self._anchored_kinds[match.lastgroup]
        for kind, pattern, literal in self._floating:
            if literal in line and pattern.search(line):
                return kind
        return None

    def search(self, line: str) -> bool:
        return self.kind_of(line) is not None


@dataclass(frozen=True)
class CommentLayout:
    # The `start` and `bare_start` lists, as one set of those kinds: one look per line.
    headers: PatternSet
    count: PatternSet
    policy: PatternSet
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
    detect_lines: tuple[tuple[re.Pattern, str], ...]  # each with its required literal
    section_labels: frozenset[str]
    title_suffixes: tuple[str, ...]
    byline: PatternSet
    date_lines: PatternSet
    attribution: PatternSet
    caption_credit: re.Pattern
    caption_copyright: re.Pattern  # "… © AFP": tried only on lines with a ©
    latin_caption_markers: PatternSet
    sections: PatternSet
    drops: PatternSet
    comments: CommentLayout
    is_generic: bool = field(default=False)

    def for_page(self, text: str) -> Profile:
        """This profile with its line patterns narrowed to what can match in `text`."""
        comments = self.comments
        return dataclasses.replace(
            self,
            **{name: getattr(self, name).narrowed(text) for name in _LINE_PATTERN_FIELDS},
            comments=dataclasses.replace(
                comments,
                headers=comments.headers.narrowed(text),
                count=comments.count.narrowed(text),
                policy=comments.policy.narrowed(text),
            ),
        )

    def detection_score(self, text: str) -> int:
        """How strongly a page looks like this outlet's: each marker found
        anywhere counts 1; each signature line, the outlet's title suffix on the
        first line and a line that is just the outlet's name count 2."""
        score = sum(1 for marker in self.markers if marker in text)
        score += sum(2 for pattern, literal in self.detect_lines if literal in text and pattern.search(text))
        if self.title_suffixes:
            start = len(text) - len(text.lstrip())
            end = text.find("\n", start)
            first_line = text[start : end if end >= 0 else len(text)]
            if first_line.endswith(self.title_suffixes):
                score += 2
        # Looked for only on a page that scores already: every outlet's name holds one of its markers.
        name = self.name
        if score and name and (f"\n{name}\n" in text or text.startswith(name + "\n") or text.endswith("\n" + name)):
            score += 2
        return score


_LINE_PATTERN_FIELDS = ("byline", "date_lines", "attribution", "latin_caption_markers", "sections", "drops")


def _checked(patterns: list[str], where: str) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return patterns


def _patterns(patterns: list[str], where: str, kind: str = "") -> PatternSet:
    return PatternSet([(kind, p) for p in _checked(patterns, where)], where)


def _kinds(table: dict[str, list[str]], where: str) -> PatternSet:
    pairs = [(kind, p) for kind, patterns in table.items() for p in _checked(patterns, f"{where}.{kind}")]
    return PatternSet(pairs, where)


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
    credit = r"\((?:[^()]{0,30}?(?:" + "|".join(credit_words) + r")[^()]{0,30})\)$" if credit_words else NEVER.pattern
    copyright_credit = r"©\s*(?:" + "|".join(credit_words) + r")[^()©]{0,30}$" if credit_words else NEVER.pattern
    return Profile(
        name=get("name"),
        slug=get("slug"),
        domain=get("domain", ""),
        language=get("language", "ar"),
        timezone=ZoneInfo(get("timezone", "UTC")),
        markers=tuple(get("detect.markers", [])),
        # Signature lines are searched in the whole page text, line by line.
        detect_lines=tuple(
            (re.compile(p, re.MULTILINE), required_literal(p)) for p in _checked(get("detect.lines", []), where("detect"))
        ),
        section_labels=frozenset(get("title.section_labels", [])),
        title_suffixes=tuple(get("title.suffixes", [])),
        byline=_patterns(get("byline.patterns", []), where("byline")),
        date_lines=_patterns(get("dates.line_patterns", []), where("dates")),
        attribution=_patterns(get("attribution.patterns", []), where("attribution")),
        caption_credit=re.compile(credit),
        caption_copyright=re.compile(copyright_credit),
        latin_caption_markers=_patterns(get("captions.latin_markers", []), where("captions")),
        sections=_kinds(get("sections", {}), where("sections")),
        drops=_kinds(get("drop", {}), where("drop")),
        comments=CommentLayout(
            headers=_kinds(
                {"start": comments.get("start", []), "bare_start": comments.get("bare_start", [])}, where("comments")
            ),
            count=_patterns(comments.get("count", []), where("comments.count")),
            policy=_patterns(comments.get("policy", []), where("comments.policy")),
            fields=fields,
            anchor=anchor,
            anchor_pattern=re.compile(_checked([comments.get("anchor_pattern", "")], where("comments.anchor_pattern"))[0]),
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


# A page is an outlet's when it scores at least this much: more than the one
# point a mention of the outlet's name in a sentence ("قناة أورينت") gives.
MIN_DETECTION_SCORE = 2


def detect_profile(text: str, *, hostname: str = "") -> Profile:
    """The outlet profile a page matches best, or the generic profile.

    A known hostname decides; otherwise the profile with the highest detection
    score wins, if it reaches MIN_DETECTION_SCORE.
    """
    generic, outlets = load_profiles()
    host = hostname.lower().removeprefix("www.")
    if host:
        for profile in outlets:
            if profile.domain and (host == profile.domain or host.endswith("." + profile.domain)):
                return profile
    best, best_score = generic, MIN_DETECTION_SCORE - 1
    for profile in outlets:
        score = profile.detection_score(text)
        if score > best_score:
            best, best_score = profile, score
    return best


@lru_cache(maxsize=256)
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
