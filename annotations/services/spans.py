"""Where a span lives and whether it is valid there.

A span targets one canonical text: an article revision (the current one
unless another is named) or a reader comment. Offsets are Unicode code points,
half-open; a client working in UTF-16 says so and is converted here. The quote
must equal the text at the offsets, and an edge may not fall between a letter
and its combining marks (harakat, shadda).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from annotations.access import access_article_text, access_comment, access_revision
from annotations.errors import InvalidInput
from annotations.representations import offset_converter
from newsdesk.models import Article, ArticleRevision, Comment
from newsdesk.text import check_quote, code_point_to_utf16, utf16_to_code_point

CODE_POINTS, UTF16 = "code_points", "utf16"


@dataclass(frozen=True)
class SpanTarget:
    article: Article
    revision: ArticleRevision | None = None
    comment: Comment | None = None

    @property
    def text(self) -> str:
        return self.comment.text if self.comment is not None else self.revision.text

    @property
    def kind(self) -> str:
        return "comment" if self.comment is not None else "article"

    def same_text(self, other: SpanTarget) -> bool:
        if self.comment is not None or other.comment is not None:
            return self.comment is not None and other.comment is not None and self.comment.pk == other.comment.pk
        return self.revision.pk == other.revision.pk


def resolve_target(user, *, article=None, revision=None, comment=None) -> SpanTarget:
    """The text a span or stance refers to: `comment`, or `revision`, or the
    current revision of `article` (ids). Raises InvalidInput naming the field."""
    if comment is not None:
        if article is not None or revision is not None:
            raise InvalidInput("Name either a comment or an article/revision, not both.", fields={"comment": ["Give only one target."]})
        found = access_comment(user, comment)
        return SpanTarget(article=found.article, comment=found)
    if revision is not None:
        found = access_revision(user, revision)
        if article is not None and found.article_id != int(article):
            raise InvalidInput(f"Revision {revision} belongs to another article.", fields={"revision": ["Not a revision of this article."]})
        return SpanTarget(article=found.article, revision=found)
    if article is not None:
        found = access_article_text(user, article)
        if found.current_revision is None:
            raise InvalidInput(f"Article {found.pk} has no text yet.", fields={"article": ["No text to mark."]})
        return SpanTarget(article=found, revision=found.current_revision)
    raise InvalidInput("Name the text: an article, a revision or a comment.", fields={"article": ["This field is required."]})


def checked_span(target: SpanTarget, start, end, quote, *, unit: str = CODE_POINTS, field: str = "") -> tuple[int, int]:
    """Code-point offsets of a valid span in `target`, or InvalidInput saying
    where and what is wrong. `field` prefixes field names (e.g. "rationales[1].")."""
    text = target.text
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise InvalidInput("start and end must be integers.", fields={f"{field}start": ["An integer is required."]})
    if not isinstance(quote, str):
        raise InvalidInput("quote must be a string.", fields={f"{field}quote": ["A string is required."]})
    sent_as = ""
    if unit == UTF16:
        sent_as = f" (sent as [{start}, {end}) in UTF-16 code units)"
        edges = []
        for value, name in ((start, "start"), (end, "end")):
            try:
                edges.append(utf16_to_code_point(text, value))
            except ValueError as exc:
                raise InvalidInput(f"Bad UTF-16 {name}: {exc}.", fields={f"{field}{name}": [str(exc)]}) from None
        start, end = edges
    elif unit != CODE_POINTS:
        raise InvalidInput(f"Unknown offset unit {unit!r}.", fields={"offsets": ["Use 'code_points' or 'utf16'."]})
    if not 0 <= start < end <= len(text):
        raise InvalidInput(
            f"The span [{start}, {end}) is not inside the text, which has {len(text)} code points (offsets are half-open){sent_as}.",
            fields={f"{field}end" if start >= 0 else f"{field}start": [f"Need 0 <= start < end <= {len(text)}."]},
        )
    mismatch = check_quote(text, start, end, quote)
    if mismatch is not None:
        raise InvalidInput(mismatch.message + sent_as, fields={f"{field}quote": [mismatch.message + sent_as]})
    for edge, name in ((start, "start"), (end, "end")):
        if edge < len(text) and unicodedata.combining(text[edge]):
            message = (
                f"The span's {name} at {edge} falls between a letter and its mark "
                f"U+{ord(text[edge]):04X}; move it past the mark{sent_as}."
            )
            raise InvalidInput(message, fields={f"{field}{name}": [message]})
        if 0 < edge < len(text) and _inside_emoji(text, edge):
            message = (
                f"The span's {name} at {edge} splits an emoji sequence (U+{ord(text[edge - 1]):04X} "
                f"U+{ord(text[edge]):04X}); move it to the edge of the emoji{sent_as}."
            )
            raise InvalidInput(message, fields={f"{field}{name}": [message]})
    return start, end


ZWJ = "\u200d"


def _inside_emoji(text: str, edge: int) -> bool:
    """An edge between the parts of one emoji: around a zero-width joiner (👷‍♀️),
    before a variation selector (♀️) or a skin-tone modifier (👍🏽)."""
    after = text[edge]
    return (
        text[edge - 1] == ZWJ
        or after == ZWJ
        or "\ufe00" <= after <= "\ufe0f"
        or "\U0001f3fb" <= after <= "\U0001f3ff"
    )


def stored_edge(target: SpanTarget, offset: int, unit: str) -> int:
    """A stored code-point offset in `unit`, to stand beside an edge a client sent in that unit."""
    return code_point_to_utf16(target.text, offset) if unit == UTF16 else offset


def answer_converter(target: SpanTarget, unit: str):
    """Code points into the client's unit, for answers about a span in `target`."""
    return offset_converter(target.text, UTF16) if unit == UTF16 else int
