"""Split a scraped news page into its parts.

A page (plain text as scraped, or the text an HTML extractor gave) becomes a
title, an optional subtitle, byline and date lines, body paragraphs and
crossheads, photo captions, the source-attribution line, reader comments, and
the page furniture that was removed (kept for provenance). Site-specific rules
come from the outlet profile (newsdesk/profiles.py); nothing here names an
outlet. Pure: no database, no clock (the caller passes `now`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from newsdesk import text as textlib
from newsdesk.profiles import Profile, detect_profile

# Block kinds, in the order a reader meets them. Every block is one line of
# the canonical text, so a block's index is its 0-based line number.
TITLE, SUBTITLE, BYLINE, DATELINE = "title", "subtitle", "byline", "dateline"
PARAGRAPH, HEADING, CAPTION, ATTRIBUTION = "paragraph", "heading", "caption", "attribution"
BODY_KINDS = frozenset({PARAGRAPH, HEADING})

MAX_HEADING_WORDS = 8
MAX_SUBTITLE_WORDS = 20
MAX_CAPTION_WORDS = 60
# A site name glued to a title ("Title - Site") is short.
MAX_SITE_SUFFIX_WORDS = 5
# A date line is looked for only among the first lines after the title.
DATE_ZONE_LINES = 4
# A bare comments header ("تعليقات") opens the comments only when a comment
# line follows within this many lines.
COMMENT_LOOKAHEAD = 4
_TERMINAL = ".!?؟…:؛،,"
# What separates a title from the site name after it; never a colon, which
# follows the speaker of a headline ("لافروف: لا اتفاق …").
_SUFFIX_SEPARATOR = re.compile(r"\s*[-|–—]\s*")


class PageError(ValueError):
    """The page cannot be imported; the message says why."""


@dataclass
class Block:
    kind: str
    text: str
    lang: str


@dataclass
class ParsedComment:
    text: str
    author: str = ""
    title: str = ""
    posted_at_text: str = ""
    posted_at: datetime | None = None


@dataclass
class ParsedPage:
    profile: Profile
    language: str
    blocks: list[Block]
    comments: list[ParsedComment] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    published_at: datetime | None = None
    published_at_text: str = ""

    @property
    def title(self) -> str:
        return self.blocks[0].text

    def lines_of(self, *kinds: str) -> list[str]:
        return [block.text for block in self.blocks if block.kind in kinds]


def _words(line: str) -> int:
    return len(line.split())


class _Segmenter:
    def __init__(self, profile: Profile, language: str, now: datetime, source_name: str = ""):
        self.profile = profile
        # A line that is just the outlet's name is its sign-off.
        self.signoffs = {name for name in (profile.name, source_name) if name}
        self.language = language
        self.now = now
        self.blocks: list[Block] = []
        self.removed: list[dict] = []
        self.comment_lines: list[str] = []
        self.published_at: datetime | None = None
        self.published_at_text = ""

    def remove(self, kind: str, line: str) -> None:
        self.removed.append({"kind": kind, "text": line})

    def add(self, kind: str, line: str, lang: str | None = None) -> None:
        self.blocks.append(Block(kind, line, lang or self.language))

    # -- header ---------------------------------------------------------

    def take_header(self, lines: list[str], given_title: str) -> list[str]:
        """Consume section labels, the title (and its repeat) and a subtitle."""
        profile = self.profile
        rest = list(lines)
        while rest and rest[0] in profile.section_labels:
            self.remove("section_label", rest.pop(0))
        if given_title:
            title = given_title
            while rest and (rest[0] == title or rest[0].startswith(title + " ")) and _words(rest[0]) <= _words(title) + 6:
                self.remove("repeated_title", rest.pop(0))
        else:
            if not rest:
                raise PageError("no title: the page has no text")
            title = self._strip_suffix(rest.pop(0), rest)
        if not title:
            raise PageError("no title: the first line of the page is empty")
        self.add(TITLE, title)
        if len(rest) > 1 and self._is_subtitle(rest[0], title):
            self.add(SUBTITLE, rest.pop(0))
        return rest

    def _strip_suffix(self, first: str, rest: list[str]) -> str:
        for suffix in self.profile.title_suffixes:
            if first.endswith(suffix) and len(first) > len(suffix):
                self.remove("site_suffix", suffix.strip())
                first = first[: -len(suffix)].rstrip()
                break
        if rest and rest[0] == first:
            self.remove("repeated_title", rest.pop(0))
        elif rest and first.startswith(rest[0]) and (suffix := self._site_suffix(first[len(rest[0]) :])):
            # "Title - Site" followed by "Title": the page repeats the bare title.
            self.remove("site_suffix", suffix)
            first = rest.pop(0)
            self.remove("repeated_title", first)
        return first

    def _site_suffix(self, tail: str) -> str:
        """The site name in `tail`, what follows a title on its line (" - Site"),
        or "" when `tail` is not one: a site name is short, or the outlet's."""
        separator = _SUFFIX_SEPARATOR.match(tail)
        if separator is None:
            return ""
        name = tail[separator.end() :].strip()
        if name in (self.profile.name, self.profile.domain) or 0 < _words(name) <= MAX_SITE_SUFFIX_WORDS:
            return name
        return ""

    def _is_subtitle(self, line: str, title: str) -> bool:
        profile = self.profile
        return (
            line != title
            and _words(line) <= MAX_SUBTITLE_WORDS
            and line[-1] not in _TERMINAL
            and not self._caption_kind(line)
            and not profile.byline.search(line)
            and not profile.date_lines.search(line)
            and not profile.attribution.search(line)
            and not profile.drops.kind_of(line)
            and not profile.sections.kind_of(line)
            and not profile.comments.headers.search(line)
        )

    # -- body -------------------------------------------------------------

    def _caption_kind(self, line: str) -> str | None:
        """'en'/'ar' (the caption's language) when `line` is a photo caption."""
        if _words(line) > MAX_CAPTION_WORDS:
            return None
        if self.language != "en" and self.profile.latin_caption_markers.search(line):
            arabic, latin = textlib.script_counts(line)
            if latin > arabic:
                return "en"
        profile = self.profile
        if profile.caption_credit.search(line) or ("©" in line and profile.caption_copyright.search(line)):
            return textlib.guess_language(line, self.language)
        return None

    def _credit(self, line: str) -> re.Match | None:
        """The photo credit that ends `line`: "(رويترز)", or "© AFP"."""
        return self.profile.caption_credit.search(line) or (
            self.profile.caption_copyright.search(line) if "©" in line else None
        )

    def add_caption(self, line: str, lang: str) -> None:
        credit = self._credit(line)
        head = line[: credit.start()].rstrip() if credit else line
        half = len(head) // 2
        if len(head) > 20 and head[half] == " " and head[:half] == head[half + 1 :]:
            # The scraper printed the image's alt text and its caption side by side.
            self.remove("duplicate_caption", head[:half])
            line = head[:half] + line[len(head) :]
        previous = next((b for b in reversed(self.blocks) if b.kind == CAPTION), None)
        if previous is not None and previous.text == line and self.blocks[-1] is previous:
            self.remove("duplicate_caption", line)
            return
        self.add(CAPTION, line, lang)

    @staticmethod
    def _is_prose(line: str) -> bool:
        """A sentence of the story rather than a listed headline: long, or ending
        in a full stop (headlines end bare, in a question mark, or cut off with "...")."""
        full_stop = line.endswith(".") and not line.endswith("..")
        return _words(line) > MAX_SUBTITLE_WORDS or (_words(line) > MAX_HEADING_WORDS and full_stop)

    def take_body(self, lines: list[str], state: str = "body") -> None:
        """Classify body lines; `state="comments"` when `lines` are all comments."""
        profile = self.profile
        section = ""
        seen_paragraph = False
        for index, line in enumerate(lines):
            kind = profile.sections.kind_of(line)
            if kind:
                state, section = "section", kind
                self.remove(kind, line)
                continue
            header = profile.comments.headers.kind_of(line)
            if header == "start" or (header == "bare_start" and (state == "comments" or self._comments_follow(lines, index))):
                state = "comments"
                self.remove("comment_count" if re.search(r"\d", line) else "comments_header", line)
                continue
            if state == "section":
                if section == "related" and self._is_prose(line):
                    # "اقرأ أيضاً" mid-article: its list of headlines ends where the story goes on.
                    state = "body"
                else:
                    self.remove(section, line)
                    continue
            if state == "comments":
                if profile.comments.count.search(line) and not self._follows_anchor():
                    self.remove("comment_count", line)
                elif profile.comments.policy.search(line):
                    self.remove("comment_policy", line)
                else:
                    self.comment_lines.append(line)
                continue
            drop = profile.drops.kind_of(line)
            if drop:
                self.remove(drop, line)
                continue
            if line in self.signoffs or profile.attribution.search(line):
                self.add(ATTRIBUTION, line)
                continue
            if not seen_paragraph and profile.byline.search(line):
                self.add(BYLINE, line)
                continue
            if self.published_at is None and index < DATE_ZONE_LINES and profile.date_lines.search(line):
                parsed = textlib.parse_date(line, profile.timezone)
                if parsed is not None:
                    self.published_at, self.published_at_text = parsed, line
                    self.add(DATELINE, line)
                    continue
            caption_lang = self._caption_kind(line)
            if caption_lang:
                self.add_caption(line, caption_lang)
                continue
            lang = textlib.guess_language(line, self.language)
            if seen_paragraph and _words(line) <= MAX_HEADING_WORDS and line[-1] not in _TERMINAL:
                self.add(HEADING, line, lang)
                continue
            self.add(PARAGRAPH, line, lang)
            seen_paragraph = True
        # A crosshead is followed by a paragraph; a short last line is not one.
        for position, block in enumerate(self.blocks):
            if block.kind == HEADING and not any(b.kind == PARAGRAPH for b in self.blocks[position + 1 :]):
                block.kind = PARAGRAPH

    # -- comments ---------------------------------------------------------

    def _follows_anchor(self) -> bool:
        """Whether the comment line before is an anchor (an author or time
        line): then a number on the next line ("100") is what the comment says,
        not a comment count."""
        return bool(self.comment_lines) and bool(self.profile.comments.anchor_pattern.match(self.comment_lines[-1]))

    def _comments_follow(self, lines: list[str], index: int) -> bool:
        """Whether the bare header at `lines[index]` heads reader comments: a
        comment line (its anchor, a count, a policy notice) follows within a
        few lines, or nothing but page furniture does."""
        profile = self.profile
        layout = profile.comments
        following = lines[index + 1 : index + 1 + COMMENT_LOOKAHEAD]
        if not following or profile.sections.kind_of(following[0]):
            return True
        for line in following:
            if layout.count.search(line) or layout.policy.search(line):
                return True
            anchor = layout.anchor_pattern.match(line)
            if anchor and _words(line) <= MAX_HEADING_WORDS and self._is_anchor_value(anchor["value"]):
                return True
        return False

    def _is_anchor_value(self, value: str) -> bool:
        """A time anchor must read as a time ("قبل ساعات من …" starts a sentence)."""
        if self.profile.comments.anchor != "time":
            return True
        return bool(textlib.parse_relative_time(value, self.now) or textlib.parse_date(value, self.profile.timezone))

    def parse_comments(self) -> list[ParsedComment]:
        layout = self.profile.comments
        lines = self.comment_lines
        anchors = [i for i, line in enumerate(lines) if layout.anchor_pattern.match(line)]
        if not anchors:
            return [ParsedComment(text=line) for line in lines]
        before = layout.fields[: layout.fields.index(layout.anchor)]
        after = layout.fields[layout.fields.index(layout.anchor) + 1 :]
        comments = []
        region_start = 0
        for number, anchor in enumerate(anchors):
            pre_start = max(region_start, anchor - len(before))
            for line in lines[region_start:pre_start]:
                self.remove("comment_unparsed", line)
            values = dict(zip(before[len(before) - (anchor - pre_start) :], lines[pre_start:anchor]))
            values[layout.anchor] = layout.anchor_pattern.match(lines[anchor])["value"].strip()
            region_end = anchors[number + 1] - len(before) if number + 1 < len(anchors) else len(lines)
            region_end = max(region_end, anchor + 1)
            post = lines[anchor + 1 : region_end]
            for name in after[:-1]:
                values[name] = post.pop(0) if post else ""
            if after:
                values[after[-1]] = "\n".join(post)
            comment = self._comment(values)
            if comment.text:
                comments.append(comment)
            else:  # an author and a time with no text: nothing to annotate, kept for provenance
                for line in lines[pre_start:region_end]:
                    self.remove("comment_unparsed", line)
            region_start = region_end
        return comments

    def _comment(self, values: dict) -> ParsedComment:
        posted_text = values.get("time", "")
        posted_at = None
        if posted_text:
            posted_at = textlib.parse_relative_time(posted_text, self.now) or textlib.parse_date(
                posted_text, self.profile.timezone
            )
        text_value = values.get("text", "") or values.get("title", "")
        title = values.get("title", "") if values.get("text") else ""
        return ParsedComment(
            text=text_value,
            author=values.get("author", ""),
            title=title,
            posted_at_text=posted_text,
            posted_at=posted_at,
        )


def segment_page(
    raw: str,
    *,
    now: datetime,
    profile: Profile | None = None,
    source_name: str = "",
    title: str = "",
    hostname: str = "",
    comments_text: str = "",
) -> ParsedPage:
    """Segment one page. `title`, `hostname` and `comments_text` come from an
    HTML extractor when there is one; a plain-text page carries them inline."""
    canonical = textlib.canonical_text(raw)
    lines = textlib.visible_lines(canonical)
    if not lines and not title:
        raise PageError("empty page: no text after normalisation")
    profile = profile or detect_profile(canonical, hostname=hostname)
    language = profile.language if not profile.is_generic else textlib.guess_language(canonical)
    segmenter = _Segmenter(profile.for_page(canonical + "\n" + comments_text), language, now, source_name)
    body = segmenter.take_header(lines, textlib.canonical_text(title).replace("\n", " ").strip())
    segmenter.take_body(body)
    if comments_text:
        comment_lines = textlib.canonical_lines(comments_text)
        segmenter.take_body(comment_lines, state="comments")
    comments = segmenter.parse_comments()
    return ParsedPage(
        profile=profile,
        language=language,
        blocks=segmenter.blocks,
        comments=comments,
        removed=segmenter.removed,
        published_at=segmenter.published_at,
        published_at_text=segmenter.published_at_text,
    )
