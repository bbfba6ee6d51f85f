"""Turn input files into page records ready to store, or into failures that say why.

Three inputs: scraped text pages (`.txt`), HTML pages (`.html`, main text
found by trafilatura) and JSON Lines (`.jsonl`, one article per line). Each
page is checked (UTF-8, not binary, not empty, not over the size limit) and
segmented here; nothing in this module touches the database.
"""

from __future__ import annotations

import codecs
import glob
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from django.utils.text import slugify

from newsdesk import text as textlib
from newsdesk.profiles import Profile, detect_profile, generic_profile, profile_named
from newsdesk.segmentation import PARAGRAPH, TITLE, Block, PageError, ParsedComment, segment_page

TEXT, HTML, JSONL = "text", "html", "jsonl"
FORMAT_BY_SUFFIX = {".txt": TEXT, ".text": TEXT, ".html": HTML, ".htm": HTML, ".jsonl": JSONL, ".ndjson": JSONL}
UNKNOWN_SOURCE = ("Unknown outlet", "unknown")
SLUG_CHARS = 100  # Source.slug's length

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """One input that could not be imported: where (file, and line for JSON Lines) and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class PageRecord:
    """One article as it will be stored: canonical blocks, comments, provenance."""

    origin: str
    source_name: str
    source_slug: str
    source_domain: str
    language: str
    blocks: list[Block]
    comments: list[ParsedComment] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    url: str = ""
    published_at: datetime | None = None
    published_at_text: str = ""
    raw_page: str = ""
    raw_format: str = TEXT
    raw_name: str = ""

    @property
    def title(self) -> str:
        return self.blocks[0].text

    @cached_property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)

    @cached_property
    def text_hash(self) -> str:
        return textlib.sha256_hex(self.text)

    @cached_property
    def text_notes(self) -> dict:
        return textlib.text_notes(self.text)

    @cached_property
    def search_text(self) -> str:
        return textlib.search_text(self.text, [comment.text for comment in self.comments])

    @cached_property
    def page_hash(self) -> str:
        """Identity of the page's content: its text, language, publication date
        and comments, nothing else."""
        published = repr(self.published_at.timestamp()) if self.published_at else ""
        parts = [self.text_hash, self.language, published]
        for comment in self.comments:
            parts += [comment.author, comment.title, comment.text, comment.posted_at_text]
        return textlib.sha256_hex(*parts)


@lru_cache(maxsize=4096)
def source_slug(name: str) -> str:
    """The slug of an outlet named `name` (kept: a bulk load names a few outlets thousands of times)."""
    return slugify(name, allow_unicode=True) or "source"


class SourceChoice:
    """The outlet an import is forced to (`--source NAME`), if any.

    `stored` is the (name, slug, domain) of a stored source that NAME names
    when no profile does (the service looks it up), so that NAME reaches a
    source first made from an HTML page, whose slug comes from its host.
    """

    def __init__(self, name: str | None, stored: tuple[str, str, str] | None = None):
        self.name = (name or "").strip()
        self.profile = profile_named(self.name) if self.name else None
        self.stored = stored if self.name and self.profile is None else None

    def resolve(self, detected: Profile, hostname: str = "", sitename: str = "") -> tuple[str, str, str]:
        """(name, slug, domain) of the source a page belongs to. An HTML page of
        no outlet profile is its host's (`hostname` without "www."), named by
        its site name; the name may still be taken by another source, which
        `ingestion` settles when it creates the source."""
        if self.profile is not None:
            return self.profile.name, self.profile.slug, self.profile.domain
        if self.stored is not None:
            return self.stored
        if self.name:
            return self.name, source_slug(self.name), ""
        if not detected.is_generic:
            return detected.name, detected.slug, detected.domain
        host = hostname.lower().removeprefix("www.")
        if host:
            name = sitename or host
            if profile_named(name) is not None:  # an outlet profile's name is for that outlet's own pages
                name = f"{name} ({host})"
            return name, source_slug(host.replace(".", "-"))[:SLUG_CHARS], host
        return UNKNOWN_SOURCE[0], UNKNOWN_SOURCE[1], ""


# --- Checking raw input ----------------------------------------------------


def utf16_refusal(head: bytes) -> PageError | None:
    """The reason to refuse a file that starts with a UTF-16 byte-order mark
    (not UTF-32's FF FE 00 00): pages are read as UTF-8."""
    if head[:4] == b"\xff\xfe\x00\x00":
        return None
    mark = {b"\xff\xfe": "FF FE", b"\xfe\xff": "FE FF"}.get(head[:2])
    return PageError(f"UTF-16 (byte-order mark {mark}): save it as UTF-8") if mark else None


def _reads_as_utf16(data: bytes) -> bool:
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            if "\x00" not in data[: len(data) // 2 * 2].decode(encoding):
                return True
        except UnicodeDecodeError:
            continue
    return False


def decode_page(data: bytes, *, max_bytes: int) -> str:
    """The text of one page, or PageError naming what is wrong with the bytes."""
    if len(data) > max_bytes:
        raise PageError(f"too large: {len(data):,} bytes, the limit is {max_bytes:,}")
    if refusal := utf16_refusal(data):
        raise refusal
    nul = data.find(b"\x00")
    if nul >= 0:  # anywhere in the page: no database column can store it
        hint = "; if it is UTF-16 text, save it as UTF-8" if _reads_as_utf16(data) else ""
        raise PageError(f"binary file: contains NUL bytes (the first at byte offset {nul}){hint}")
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(f"not UTF-8: invalid byte 0x{data[exc.start]:02x} at byte offset {exc.start}") from None
    decoded = decoded.removeprefix("\ufeff")
    if not decoded.strip():
        raise PageError("empty file")
    return decoded


# How a page declares its character set in its first bytes (WHATWG's prescan
# reads 1,024 of them): <meta charset=…>, <meta http-equiv content="…; charset=…">
# or an XML declaration.
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:()-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:()-]+)""", re.IGNORECASE
)
_CHARSET_SCAN_BYTES = 4096
# WHATWG Encoding: pages labelled Latin-1 or ASCII are read as windows-1252.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_html(data: bytes, *, max_bytes: int) -> str:
    """The text of one HTML page, or PageError naming what is wrong with it.

    A UTF-16 or UTF-32 byte-order mark decides; otherwise a page that is valid
    UTF-8 is UTF-8 whatever it declares (a page saved as UTF-8 often keeps the
    declaration it was served with), and one that is not is read in the
    character set it declares (`<meta charset=windows-1256>`).
    """
    if data.startswith(codecs.BOM_UTF8):
        return decode_page(data, max_bytes=max_bytes)
    label = codec = next((codec for bom, codec in _BOMS if data.startswith(bom)), "")
    if not codec:
        declared = _DECLARED_CHARSET.search(data[:_CHARSET_SCAN_BYTES])
        label = (declared[1] or declared[2]).decode("ascii").lower() if declared else ""
        if not label or _is_utf8(data):
            return decode_page(data, max_bytes=max_bytes)
        try:
            codec = codecs.lookup(_CHARSET_ALIASES.get(label, label)).name
        except LookupError:
            raise PageError(f"not UTF-8, and the character set the page declares is unknown: {label!r}") from None
        if codec == "utf-8":
            return decode_page(data, max_bytes=max_bytes)  # names the bad byte
    if len(data) > max_bytes:
        raise PageError(f"too large: {len(data):,} bytes, the limit is {max_bytes:,}")
    try:
        decoded = data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise PageError(f"not {label} as the page declares: invalid byte 0x{data[exc.start]:02x} at byte offset {exc.start}") from None
    if "\x00" in decoded:
        raise PageError(f"binary file: contains NUL characters (the first at character {decoded.index(chr(0))})")
    if not decoded.strip():
        raise PageError("empty file")
    return decoded


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Expansion(NamedTuple):
    paths: list[Path]
    failures: list[Failure]
    skipped: Counter  # files that are not pages, by extension (".csv")


SUPPORTED = "use .txt, .html or .jsonl"


def _unsupported(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "not a supported page type (.json): JSON Lines files end in .jsonl and hold one JSON object per line"
    return f"not a supported page type ({suffix}): {SUPPORTED}"


def _hidden(path: Path, folder: Path) -> bool:
    """Hidden by name inside `folder` (".hidden.txt", macOS "._page.txt", anything under ".git/")."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


def expand_paths(specs: Iterable[str], *, fmt: str | None = None) -> Expansion:
    """Files named by paths, folders (their importable files) and glob patterns.

    Folders and glob patterns give their pages (files ending in .txt, .html,
    .jsonl…) and count the other files as skipped; folders leave out hidden
    files. A file named outright must be a page, or be read with `fmt`, or
    have no extension at all (then its content says what it is)."""
    found: list[Path] = []
    failures: list[Failure] = []
    not_pages: set[Path] = set()  # a set: a folder and a pattern may both reach a file

    def walk(folder: Path) -> list[Path]:
        pages = []
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or _hidden(path, folder):
                continue
            if path.suffix.lower() in FORMAT_BY_SUFFIX:
                pages.append(path)
            else:
                not_pages.add(path)
        return pages

    for spec in specs:
        # A file or folder that exists is itself, even when its name holds * ? or [ ] ("page[1].txt").
        if glob.has_magic(spec) and not Path(spec).exists():
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                failures.append(Failure(spec, "no file matches this pattern"))
                continue
            pages = []
            for match in map(Path, matches):
                if match.is_dir():
                    pages += walk(match)
                elif match.is_file() and (fmt or match.suffix.lower() in FORMAT_BY_SUFFIX):
                    pages.append(match)
                elif match.is_file():
                    not_pages.add(match)
            if not pages:
                failures.append(Failure(spec, f"no page to import matches this pattern (files ending in {', '.join(sorted(FORMAT_BY_SUFFIX))})"))
            found.extend(pages)
            continue
        path = Path(spec)
        if path.is_dir():
            pages = walk(path)
            if not pages:
                suffixes = ", ".join(sorted(FORMAT_BY_SUFFIX))
                failures.append(Failure(str(path), f"the folder holds no page to import (files ending in {suffixes})"))
            found.extend(pages)
        elif path.is_file():
            if fmt or not path.suffix or path.suffix.lower() in FORMAT_BY_SUFFIX:
                found.append(path)
            else:
                failures.append(Failure(str(path), _unsupported(path)))
        else:
            failures.append(Failure(str(path), "no such file or folder"))
    unique = list(dict.fromkeys(found))
    return Expansion(unique, failures, Counter(path.suffix.lower() or "no extension" for path in not_pages))


def sniff_format(path: Path, head: bytes) -> str:
    by_suffix = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"<":
        return HTML
    if stripped[:1] == b"{":
        return JSONL
    return TEXT


# --- Pages -----------------------------------------------------------------


def record_from_page(
    raw: str,
    *,
    origin: str,
    raw_format: str,
    choice: SourceChoice,
    now: datetime,
    url: str = "",
    title: str = "",
    hostname: str = "",
    sitename: str = "",
    comments_text: str = "",
    comments: list[ParsedComment] | None = None,
    published_hint: str = "",
    profile: Profile | None = None,
) -> PageRecord:
    """`comments` already read one by one (from HTML markup) replace the
    comments the segmenter would find in `comments_text`. A forced profile
    comes first, then `profile`; without either, the page's text decides."""
    page = segment_page(
        raw,
        now=now,
        profile=choice.profile or profile,
        source_name=choice.name,
        title=title,
        hostname=hostname,
        comments_text="" if comments else comments_text,
    )
    if comments:
        for comment in comments:
            if comment.posted_at is None and comment.posted_at_text:
                comment.posted_at = textlib.parse_relative_time(comment.posted_at_text, now) or textlib.parse_date(
                    comment.posted_at_text, page.profile.timezone
                )
        page.comments = comments
    name, slug, domain = choice.resolve(page.profile, hostname, sitename)
    published_at, published_text = page.published_at, page.published_at_text
    if published_at is None and published_hint:
        published_at = textlib.parse_date(published_hint, page.profile.timezone)
        published_text = published_hint if published_at else ""
    return PageRecord(
        origin=origin,
        source_name=name,
        source_slug=slug,
        source_domain=domain,
        language=page.language,
        blocks=page.blocks,
        comments=page.comments,
        removed=page.removed,
        url=url,
        published_at=published_at,
        published_at_text=published_text,
        raw_page=raw,
        raw_format=raw_format,
        raw_name=Path(origin).name,
    )


def record_from_html(html: str, *, origin: str, choice: SourceChoice, now: datetime) -> PageRecord:
    """Main text, title and metadata by trafilatura; then our segmentation.

    The page is parsed once. Reader comments marked up one per element are
    read from the markup and taken out of the tree before trafilatura reads
    it, so that none of them is also taken for article text (trafilatura
    knows WordPress's comment lists, not schema.org's Comment). No-break
    spaces are kept (`_extract`).
    """
    from trafilatura.utils import load_html

    tree = load_html(html)  # with trafilatura's own parser settings
    if tree is None:
        raise PageError("no article text found in the HTML")
    comments, comment_nodes = _read_comments(tree)
    for node in comment_nodes:
        node.drop_tree()  # the text after it stays
    # trafilatura drops <figcaption>; captions go right after the title, as scraped pages print them.
    captions = [_shown(node) for node in tree.iter("figcaption")]
    sitename = _site_name(tree)
    document = _extract(tree)
    if document is None or not (document.text or "").strip():
        raise PageError("no article text found in the HTML")
    title = (document.title or "").strip()
    if not title:
        raise PageError("no title found in the HTML (no <h1>, <title> or og:title)")
    url = document.url or ""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if not sitename and (document.sitename or "").lower().removeprefix("www.") != host:
        sitename = document.sitename or ""  # trafilatura's own guess falls back to the host
    body_lines = (document.text or "").split("\n")
    if body_lines and body_lines[0].strip() == title:
        body_lines = body_lines[1:]
    captions = [c for c in captions if c and c not in document.text]
    page_lines = [title, *captions, *body_lines]
    profile = choice.profile or _html_profile(host, sitename, "\n".join(page_lines))
    published = _published_time(tree, body_lines, profile.timezone)
    byline = _printed_byline(tree, profile, body_lines)
    if byline is not None:
        lines_above, line = byline
        # Under the headline (and above the captions) when no line of the text is above it.
        page_lines.insert(1 + len(captions) + lines_above if lines_above else 1, line)
    page_text = "\n".join(page_lines)
    record = record_from_page(
        page_text,
        origin=origin,
        raw_format=HTML,
        choice=choice,
        now=now,
        url=url,
        title=title,
        hostname=host,
        sitename=sitename,
        comments_text=document.comments or "",
        comments=comments,
        published_hint=document.date or "",
        profile=profile,
    )
    if published is not None:  # to the minute and in its zone, where a printed date line may give neither
        record.published_at, record.published_at_text = published
    record.raw_page = html
    return record


# Printed symbols for a blank, which trafilatura keeps as they are. It turns
# no-break spaces into spaces (its whitespace clean-up splits on every Unicode
# space) and drops private-use characters, so one of these stands in for
# U+00A0 while it reads the page.
_NBSP_STAND_INS = ("\u237d", "\u2423", "\u2422")  # ⍽ ␣ ␢
# Runs of white space other than no-break spaces, which are part of the text.
_SPACES = re.compile(r"[^\S\u00a0]+")


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ")


def _extract(tree):
    """trafilatura's reading of the page (None when it finds nothing), with
    the page's no-break spaces kept in its text, comments, title and site name."""
    import trafilatura
    from trafilatura.settings import set_date_params

    stand_in = _nbsp_stand_in(tree)
    if stand_in:
        _replace_in_text(tree, textlib.NBSP, stand_in)
    document = trafilatura.bare_extraction(
        tree,
        include_comments=True,
        with_metadata=True,
        favor_recall=True,
        include_tables=False,
        # No "extensive" date search: it guesses from any year on the page (a
        # footer's "© 2016" gave 1 January 2016, a URL's /2016/09/ 1 September).
        date_extraction_params=set_date_params(extensive=False),
    )
    if stand_in:
        _replace_in_text(tree, stand_in, textlib.NBSP)
        if document is not None:
            for name in ("text", "comments", "title", "sitename"):
                setattr(document, name, (getattr(document, name) or "").replace(stand_in, textlib.NBSP))
    return document


def _nbsp_stand_in(tree) -> str:
    """A stand-in the page does not print itself; "" when the page has no
    no-break space (or prints every stand-in)."""
    shown = "".join(tree.itertext()) + "".join(tree.xpath("//meta/@content"))
    if textlib.NBSP not in shown:
        return ""
    return next((c for c in _NBSP_STAND_INS if c not in shown), "")


def _replace_in_text(tree, old: str, new: str) -> None:
    """`old` by `new` in the page's text and its meta contents (where titles are)."""
    for element in tree.iter():
        if element.text and old in element.text:
            element.text = element.text.replace(old, new)
        if element.tail and old in element.tail:
            element.tail = element.tail.replace(old, new)
        if element.tag == "meta" and old in (element.get("content") or ""):
            element.set("content", element.get("content").replace(old, new))


def _html_profile(host: str, sitename: str, text: str) -> Profile:
    """The outlet profile of an HTML page. A page that names its own site
    takes the profile of its host (or, without a host, the one its site name
    names), else the generic one: the outlets its text mentions do not count.
    A page that names no site is recognised by its text, as a scraped page is."""
    if host:
        return detect_profile("", hostname=host)
    if sitename:
        return profile_named(sitename) or generic_profile()
    return detect_profile(textlib.canonical_text(text))


_BYLINE_MARKUP = re.compile(r"author|byline|writer", re.IGNORECASE)


def _printed_byline(tree, profile: Profile, body_lines: list[str]) -> tuple[int, str] | None:
    """A byline the page prints ("بقلم: سامر الحلبي") that trafilatura left
    out of the text, taking it for metadata, and how many lines of the text
    are printed above it. The first element marked up as the author's or the
    byline (or an <address>) whose text reads as a byline."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        marks = " ".join(element.get(name, "") for name in ("class", "id", "itemprop", "rel"))
        if element.tag != "address" and not _BYLINE_MARKUP.search(marks):
            continue
        text = _shown(element)
        if not text or not profile.byline.search(text):
            continue
        if text in body_lines:  # trafilatura kept it
            return None
        before = _collapse("".join(element.xpath("preceding::text()")))
        lines_above = 0
        while lines_above < len(body_lines) and body_lines[lines_above] in before:
            lines_above += 1
        return lines_above, text
    return None


# Where a page states when it was published, most explicit first.
_PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time" or @name="article:published_time"]',
    '//meta[@property="og:published_time" or @name="og:published_time"]',
    '//*[@itemprop="datePublished"]',
)
_NOT_THE_ARTICLES = frozenset({"nav", "aside", "li"})  # lists of other articles, page furniture


def _published_time(tree, body_lines: list[str], tz) -> tuple[datetime, str] | None:
    """When the page says it was published, as an aware datetime and as
    shown: article:published_time, og:published_time, itemprop=datePublished,
    else a <time datetime> above the story. A time without a zone is in `tz`."""
    candidates = [
        element for xpath in _PUBLISHED_XPATHS for element in tree.xpath(xpath) if not _in_other_articles(element)
    ]
    story_start = next((line for line in body_lines if len(line.split()) > 8), "")
    candidates += [
        element
        for element in tree.iter("time")
        if element.get("datetime") and not _in_other_articles(element) and _above(element, story_start)
    ]
    for element in candidates:
        value = (element.get("content") or element.get("datetime") or "").strip()
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            continue
        shown = "" if element.tag == "meta" else _shown(element)
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=tz)), shown or value
    return None


def _in_other_articles(element) -> bool:
    return any(ancestor.tag in _NOT_THE_ARTICLES for ancestor in element.iterancestors())


def _above(element, story_start: str) -> bool:
    """Whether `element` is printed above the story that begins with the line `story_start`."""
    before = _collapse("".join(element.xpath("preceding::text()")))
    return not story_start or story_start not in before


def _site_name(tree) -> str:
    """The page's own name for its site (og:site_name), if it gives one."""
    for value in tree.xpath('//meta[@property="og:site_name" or @name="og:site_name"]/@content'):
        if value.strip():
            return _collapse(value)
    return ""


# Markup of one reader comment per element (WordPress's li.comment, schema.org
# Comment, and the names sites commonly give its parts). trafilatura hands
# comments over as bare lines, which loses who wrote each and when.
_COMMENT_CLASSES = frozenset({"comment", "comment-item", "comment_item", "commentitem", "user-comment", "reader-comment"})
# The name itself (WordPress: <b class="fn">) before the block around it ("أحمد قال:").
_NAME_CLASSES = frozenset({"fn", "name", "username", "user-name", "comment-name", "commenter"})
_AUTHOR_CLASSES = frozenset({"author", "comment-author"})
_TIME_CLASSES = frozenset({"date", "time", "comment-date", "comment-time", "timestamp"})
_TEXT_CLASSES = frozenset({"comment-content", "comment-text", "comment-body", "text", "content"})
_SAYS = re.compile(r"(?:\s+(?:says|said|wrote|قال|قالت|يقول|تقول|كتب|كتبت))?\s*[:：]?\s*$", re.IGNORECASE)


def _classes(node) -> set[str]:
    return set((node.get("class") or "").lower().split())


def _is_comment(node) -> bool:
    return bool(_classes(node) & _COMMENT_CLASSES) or "schema.org/Comment" in (node.get("itemtype") or "")


def _own_elements(node):
    """`node`'s descendant elements, without those of replies nested in it."""
    stack = [child for child in reversed(node) if isinstance(child.tag, str)]
    while stack:
        element = stack.pop()
        if _is_comment(element):
            continue
        yield element
        stack.extend(child for child in reversed(element) if isinstance(child.tag, str))


def _shown(element) -> str:
    return _collapse(element.text_content())


def html_comments(tree) -> list[ParsedComment]:
    """Reader comments marked up one element each: author and time as shown
    (and a <time datetime> when there is one) and the text, a paragraph per
    line. Empty when the page has no such markup (then trafilatura's lines
    are used). A comment with no text besides its author and time is skipped."""
    return _read_comments(tree)[0]


def _read_comments(tree) -> tuple[list[ParsedComment], list]:
    """The comments marked up one element each, and the outermost elements
    that hold them (nested replies are inside), to be taken out of the page."""
    comments, outermost = [], []
    for node in tree.iter("li", "article", "div", "section"):
        if not _is_comment(node) or node.find(".//h1") is not None:  # a comment never holds the headline
            continue
        if not any(_is_comment(ancestor) for ancestor in node.iterancestors()):
            outermost.append(node)
        comment = _comment_from(node)
        if comment is not None:
            comments.append(comment)
    return comments, outermost


def _comment_from(node) -> ParsedComment | None:
    name = author_block = posted = text_block = None
    paragraphs = []
    for element in _own_elements(node):
        classes = _classes(element)
        if name is None and (element.tag == "cite" or element.get("itemprop") in ("author", "name") or classes & _NAME_CLASSES):
            name = element
        elif author_block is None and classes & _AUTHOR_CLASSES:
            author_block = element
        elif posted is None and (element.tag == "time" or classes & _TIME_CLASSES):
            posted = element
        elif text_block is None and (classes & _TEXT_CLASSES or element.get("itemprop") in ("text", "commentText")):
            text_block = element
        elif element.tag == "p" and not any(
            part is not None and part in element.iterancestors() for part in (name, author_block, posted)
        ):
            paragraphs.append(_shown(element))
    if not paragraphs:
        # No paragraph: the text block, else whatever the comment shows besides its author and time.
        paragraphs = [_shown(text_block) if text_block is not None else _loose_text(node, (name, author_block, posted))]
    text = textlib.canonical_text("\n".join(p for p in paragraphs if p))
    if not text:
        return None
    author = name if name is not None else author_block
    posted_at = None
    stamp = posted.get("datetime") if posted is not None else None
    if stamp:
        try:
            posted_at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            posted_at = posted_at if posted_at.tzinfo else posted_at.replace(tzinfo=timezone.utc)
        except ValueError:
            posted_at = None
    return ParsedComment(
        text=text,
        author=_SAYS.sub("", _shown(author)) if author is not None else "",
        posted_at_text=_shown(posted) if posted is not None else "",
        posted_at=posted_at,
    )


def _loose_text(node, parts) -> str:
    """The text of `node` outside the elements `parts` and replies nested in it."""
    pieces = [node.text or ""]
    for child in node:
        if isinstance(child.tag, str) and child not in parts and not _is_comment(child):
            pieces.append(_loose_text(child, parts))
        pieces.append(child.tail or "")
    return _collapse(" ".join(pieces))


# --- JSON Lines ------------------------------------------------------------


@lru_cache(maxsize=1)
def field_limits() -> tuple[dict[str, int], dict[str, int]]:
    """The JSON fields stored in columns of a bounded length, by the columns'
    lengths: longer text is refused, not cut. (A record's fields, a comment's.)"""
    from newsdesk.models import Article, Comment, Source

    record = {
        "url": Article._meta.get_field("url").max_length,
        "source": Source._meta.get_field("name").max_length,
        "language": Article._meta.get_field("language").max_length,
        "published_at": Article._meta.get_field("published_at_text").max_length,
    }
    comment = {
        "author": Comment._meta.get_field("author").max_length,
        "title": Comment._meta.get_field("title").max_length,
        "posted_at": Comment._meta.get_field("posted_at_text").max_length,
    }
    return record, comment


def _quoted(value: str) -> str:
    return repr(clipped(value))


# Half of a UTF-16 surrogate pair: JSON can spell one ("\\ud83d"), and Python's
# JSON reader lets its UTF-8-like bytes (ED A0 BD) through too, but it is no
# character, and no text column (nor UTF-8) can hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("title", "body", "source", "url", "language", "published_at")
_COMMENT_FIELDS = ("author", "title", "text", "posted_at")


def _refuse_lone_surrogates(record: dict, keys: tuple[str, ...] = _TEXT_FIELDS, *, comments: bool = True) -> None:
    """PageError naming the first text field that holds half a surrogate pair."""
    fields = [("", key, record.get(key)) for key in keys]
    comments = record.get("comments") if comments else None
    if isinstance(comments, list):
        for index, comment in enumerate(comments):
            if isinstance(comment, dict):
                fields += [(f"comments[{index}].", key, comment.get(key)) for key in _COMMENT_FIELDS]
    for where, key, value in fields:
        if isinstance(value, str) and (surrogate := _LONE_SURROGATE.search(value)):
            raise PageError(
                f"field '{where}{key}' is invalid text: a lone surrogate U+{ord(surrogate.group()):04X} "
                f"at position {surrogate.start()} (half of an emoji or other character)"
            )


def _string(record: dict, key: str, where: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise PageError(f"field '{where}{key}' is missing")
        return ""
    if not isinstance(value, str):
        raise PageError(f"field '{where}{key}' must be a string, not {type(value).__name__}")
    if "\x00" in value:
        raise PageError(f"field '{where}{key}' contains a NUL character (U+0000) at position {value.index(chr(0))}, which cannot be stored")
    limit = field_limits()[1 if where else 0].get(key)
    if limit and len(value.strip()) > limit:
        raise PageError(f"field '{where}{key}' is {len(value.strip()):,} characters long; the limit is {limit:,}")
    return value


def _timestamp(value: str, where: str, key: str, tz) -> datetime | None:
    """An ISO 8601 date and time; one without a zone is in `tz`."""
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PageError(f"field '{where}{key}' is not an ISO 8601 date: {_quoted(value)}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


_ISO_LIKE = re.compile(r"\d{4}")


def _comment_time(value: str, where: str, tz, now: datetime) -> datetime | None:
    """A comment's time: ISO 8601 (a broken one is refused), or the time as
    the page showed it, read when it is a relative time ("منذ 3 ساعات") and
    otherwise kept unparsed ("أمس"), as on text pages."""
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        if _ISO_LIKE.match(text):
            raise PageError(f"field '{where}posted_at' is not an ISO 8601 date: {_quoted(value)}") from None
        return textlib.parse_relative_time(text, now)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


@lru_cache(maxsize=1)
def _language_codes() -> frozenset[str]:
    """The language subtags CLDR names (ar, en, fa, ckb, arz…), through Babel."""
    from babel import Locale

    return frozenset(code for code in Locale("en").languages if "_" not in code)


def _language(value: str) -> str:
    """A BCP 47 language tag ("ar", "ar-SY"), its language subtag in lower case."""
    tag = value.strip()
    primary = tag.replace("_", "-").split("-")[0].lower()
    if not _LANGUAGE_TAG.fullmatch(tag) or primary not in _language_codes():
        raise PageError(f"field 'language' must be a language code such as ar or en-GB (BCP 47), not {_quoted(value)}")
    return primary + tag.replace("_", "-")[len(primary) :]


def _url(value: str) -> str:
    url = value.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 address
        parts = None
    # A host, and nothing a browser would not keep in an address: spaces, controls.
    host = parts.netloc.rpartition("@")[2].partition(":")[0] if parts else ""
    if parts is None or parts.scheme not in ("http", "https") or not host or " " in url or not url.isprintable():
        raise PageError(f"field 'url' must be an http(s) URL: {_quoted(value)}")
    return url


def record_from_json(
    line: bytes | str, *, origin: str, choice: SourceChoice, now: datetime, raw_name: str = ""
) -> PageRecord:
    """One JSON Lines record. Its content is stored in full as the article and
    its comments, so the line itself is not kept again as a raw page."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise NotJson(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except UnicodeDecodeError as exc:
        raise NotJson(f"not UTF-8: invalid byte 0x{line[exc.start]:02x} at byte offset {exc.start}") from None
    except RecursionError:
        raise PageError("malformed JSON: nested too deeply to read") from None
    if isinstance(record, list):
        raise PageError("expected a JSON object, got list (a JSON array: write one object per line)")
    if not isinstance(record, dict):
        raise PageError(f"expected a JSON object, got {type(record).__name__}")
    title = textlib.canonical_text(_string(record, "title", "", required=True)).replace("\n", " ").strip()
    if not title:
        raise PageError("field 'title' is empty")
    body = textlib.canonical_lines(_string(record, "body", "", required=True))
    url = _url(_string(record, "url", ""))
    source_field = _string(record, "source", "").strip()
    # Stored as they are; the other texts are checked as the record is hashed, below.
    if not (url.isascii() and source_field.isascii()):
        _refuse_lone_surrogates(record, ("source", "url"), comments=False)
    profile = choice.profile or (profile_named(source_field) if source_field else None)
    if choice.name:
        name, slug, domain = choice.resolve(generic_profile())
    elif profile is not None:
        name, slug, domain = profile.name, profile.slug, profile.domain
    elif source_field:
        name, slug, domain = source_field, source_slug(source_field), ""
    else:
        raise PageError("field 'source' is missing (or pass --source)")
    language_field = _string(record, "language", "")
    language = _language(language_field) if language_field.strip() else (
        profile.language if profile else textlib.guess_language("\n".join([title, *body]))
    )
    # Times without a zone are the outlet's local time, as printed on its pages.
    tz = profile.timezone if profile is not None else timezone.utc
    published_text = _string(record, "published_at", "")
    comments_field = record.get("comments") or []
    if not isinstance(comments_field, list):
        raise PageError("field 'comments' must be a list")
    comments = []
    for index, item in enumerate(comments_field):
        where = f"comments[{index}]."
        if not isinstance(item, dict):
            raise PageError(f"comments[{index}] must be an object")
        comment_text = textlib.canonical_text(_string(item, "text", where, required=True)).strip("\n")
        if not comment_text:
            raise PageError(f"field '{where}text' is empty")
        posted_text = _string(item, "posted_at", where)
        comments.append(
            ParsedComment(
                text=comment_text,
                author=textlib.canonical_text(_string(item, "author", where)).strip(),
                title=textlib.canonical_text(_string(item, "title", where)).strip(),
                posted_at_text=posted_text,
                posted_at=_comment_time(posted_text, where, tz, now),
            )
        )
    page = PageRecord(
        origin=origin,
        source_name=name,
        source_slug=slug,
        source_domain=domain,
        language=language,
        # Structured input: every line takes the record's language (no per-line guess).
        blocks=[Block(TITLE, title, language)] + [Block(PARAGRAPH, line, language) for line in body],
        comments=comments,
        url=url,
        published_at=_timestamp(published_text, "", "published_at", tz),
        published_at_text=published_text,
        raw_format=JSONL,
        raw_name=raw_name,
    )
    try:
        page.page_hash  # noqa: B018 - encodes every text of the record as UTF-8, as storing it will
    except UnicodeEncodeError:
        _refuse_lone_surrogates(record)
        raise
    return page


# --- Files -----------------------------------------------------------------


def iter_records(
    paths: Iterable[Path], *, choice: SourceChoice, now: datetime, max_bytes: int, fmt: str | None = None
) -> Iterator[PageRecord | Failure]:
    """Records (or failures) for every page in `paths`, in order, streaming."""
    for path in paths:
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
                kind = fmt or sniff_format(path, head)
                if kind == JSONL and (refusal := utf16_refusal(head)):
                    raise refusal  # its lines cannot be told apart as UTF-8 bytes: the whole file fails
                # A page is read whole, in the same opening; JSON Lines streams below.
                data = b"" if kind == JSONL else head + handle.read(max(0, max_bytes + 1 - len(head)))
                if len(data) > max_bytes:  # only the limit was read: say how big the file is
                    raise PageError(f"too large: {os.fstat(handle.fileno()).st_size:,} bytes, the limit is {max_bytes:,}")
            if kind == JSONL:
                yield from _iter_jsonl(path, choice=choice, now=now, max_bytes=max_bytes, forced=fmt == JSONL)
                continue
            raw = decode_html(data, max_bytes=max_bytes) if kind == HTML else decode_page(data, max_bytes=max_bytes)
            if kind == HTML:
                yield record_from_html(raw, origin=str(path), choice=choice, now=now)
            else:
                yield record_from_page(raw, origin=str(path), raw_format=TEXT, choice=choice, now=now)
        except PageError as exc:
            yield Failure(str(path), str(exc))
        except OSError as exc:
            yield Failure(str(path), f"cannot read: {exc.strerror or exc}")
        except Exception as exc:  # a page our rules cannot handle fails alone, like any bad page
            yield _unexpected(str(path), exc)


def _unexpected(origin: str, exc: Exception) -> Failure:
    logger.exception("%s: could not be read", origin)
    return Failure(origin, f"could not be read ({type(exc).__name__}: {clipped(str(exc))})")


def clipped(value: str, limit: int = 80) -> str:
    """At most `limit` characters of a value quoted in a message."""
    return value if len(value) <= limit else value[:limit] + "…"


def first_line(exc: BaseException) -> str:
    """An exception's first line for a one-line message (a database error's
    text runs on with hints and context), or its type when it says nothing."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class NotJson(PageError):
    """A JSON Lines line that is not JSON at all (as against JSON that is not a valid article)."""


# A file none of whose first lines is JSON is not JSON Lines (a text page given
# with --format jsonl, a CSV export): one failure for the file, not one per line.
NOT_JSONL_AFTER_LINES = 50


def _iter_jsonl(
    path: Path, *, choice: SourceChoice, now: datetime, max_bytes: int, forced: bool = False
) -> Iterator[PageRecord | Failure]:
    saw_record = False
    saw_json = False
    held: list[tuple[int, str]] = []  # lines that are not JSON, until a line that is shows the file is JSON Lines
    with path.open("rb") as handle:
        for number, data in enumerate(handle, start=1):
            origin = f"{path} line {number}"
            if not data.strip():
                continue
            saw_record = True
            try:
                if len(data) > max_bytes:
                    raise PageError(f"too large: {len(data):,} bytes, the limit is {max_bytes:,}")
                record = record_from_json(
                    data.strip(), origin=origin, choice=choice, now=now, raw_name=f"{path.name}:{number}"
                )
            except NotJson as exc:
                if saw_json:
                    yield Failure(origin, str(exc))
                    continue
                held.append((number, str(exc)))
                if len(held) == NOT_JSONL_AFTER_LINES:
                    break
                continue
            except PageError as exc:
                record = Failure(origin, str(exc))
            except Exception as exc:
                record = _unexpected(origin, exc)
            if not saw_json:
                saw_json = True
                yield from (Failure(f"{path} line {line}", reason) for line, reason in held)
                held = []
            yield record
    if held:
        yield _not_jsonl(path, held, forced=forced)
    elif not saw_record:
        yield Failure(str(path), "empty file")


def _not_jsonl(path: Path, held: list[tuple[int, str]], *, forced: bool) -> Failure:
    line, reason = held[0]
    lines = "its one line is" if len(held) == 1 else f"none of its first {len(held)} lines is"
    hint = "; leave out --format jsonl to read it as a page" if forced else ""
    return Failure(str(path), f"not JSON Lines: {lines} JSON (line {line}: {reason}){hint}")
