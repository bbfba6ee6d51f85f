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

from django.utils.translation import gettext, pgettext_lazy

from annotations.access import access_article_text, access_comment, access_revision
from annotations.errors import InvalidInput
from annotations.representations import offset_converter
from newsdesk.models import Article, ArticleRevision, Comment
from newsdesk.text import Utf16OffsetError, check_quote, code_point_to_utf16, utf16_to_code_point

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
            raise InvalidInput(
                gettext("Name either a comment or an article/revision, not both."), fields={"comment": [gettext("Give only one target.")]}
            )
        found = access_comment(user, comment)
        return SpanTarget(article=found.article, comment=found)
    if revision is not None:
        found = access_revision(user, revision)
        if article is not None and found.article_id != int(article):
            raise InvalidInput(
                gettext("Revision %(revision)s belongs to another article.") % {"revision": revision},
                fields={"revision": [gettext("Not a revision of this article.")]},
            )
        return SpanTarget(article=found.article, revision=found)
    if article is not None:
        found = access_article_text(user, article)
        if found.current_revision is None:
            raise InvalidInput(
                gettext("Article %(article)s has no text yet.") % {"article": found.pk}, fields={"article": [gettext("No text to mark.")]}
            )
        return SpanTarget(article=found, revision=found.current_revision)
    raise InvalidInput(
        gettext("Name the text: an article, a revision or a comment."), fields={"article": [gettext("This field is required.")]}
    )


def checked_span(target: SpanTarget, start, end, quote, *, unit: str = CODE_POINTS, field: str = "") -> tuple[int, int]:
    """Code-point offsets of a valid span in `target`, or InvalidInput saying
    where and what is wrong. `field` prefixes field names (e.g. "rationales[1].")."""
    text = target.text
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise InvalidInput(gettext("start and end must be integers."), fields={f"{field}start": [gettext("An integer is required.")]})
    if not isinstance(quote, str):
        raise InvalidInput(gettext("quote must be a string."), fields={f"{field}quote": [gettext("A string is required.")]})
    sent_as = ""
    if unit == UTF16:
        sent_as = " " + gettext("(sent as [%(start)s, %(end)s) in UTF-16 code units)") % {"start": start, "end": end}
        edges = []
        for value, name in ((start, "start"), (end, "end")):
            try:
                edges.append(utf16_to_code_point(text, value))
            except Utf16OffsetError as exc:
                problem = _utf16_problem(exc)
                message = gettext("Bad UTF-16 %(edge)s: %(problem)s.") % {"edge": EDGE_NAMES[name], "problem": problem}
                raise InvalidInput(message, fields={f"{field}{name}": [problem]}) from None
        start, end = edges
    elif unit != CODE_POINTS:
        raise InvalidInput(
            gettext("Unknown offset unit %(unit)r.") % {"unit": unit}, fields={"offsets": [gettext("Use 'code_points' or 'utf16'.")]}
        )
    if not 0 <= start < end <= len(text):
        raise InvalidInput(
            gettext(
                "The span [%(start)s, %(end)s) is not inside the text, which has %(length)s code points (offsets are half-open)%(sent_as)s."
            ) % {"start": start, "end": end, "length": len(text), "sent_as": sent_as},
            fields={f"{field}end" if start >= 0 else f"{field}start": [gettext("Need 0 <= start < end <= %(length)s.") % {"length": len(text)}]},
        )
    mismatch = check_quote(text, start, end, quote)
    if mismatch is not None:
        message = gettext(
            "quote does not match the text at [%(start)s, %(end)s) (Unicode code points): the text there is %(expected)r "
            "but the quote is %(given)r; they differ from character %(first)s.%(sent_as)s"
        ) % {
            "start": mismatch.start, "end": mismatch.end, "expected": mismatch.expected, "given": mismatch.given,
            "first": mismatch.first_difference, "sent_as": sent_as,
        }
        raise InvalidInput(message, fields={f"{field}quote": [message]})
    for edge, name in ((start, "start"), (end, "end")):
        if edge < len(text) and unicodedata.combining(text[edge]):
            message = gettext(
                "The span's %(edge)s at %(offset)s falls between a letter and its mark %(mark)s; move it past the mark%(sent_as)s."
            ) % {"edge": EDGE_NAMES[name], "offset": edge, "mark": f"U+{ord(text[edge]):04X}", "sent_as": sent_as}
            raise InvalidInput(message, fields={f"{field}{name}": [message]})
        if 0 < edge < len(text) and _inside_emoji(text, edge):
            message = gettext(
                "The span's %(edge)s at %(offset)s splits an emoji sequence (%(before)s %(after)s); move it to the edge of the emoji%(sent_as)s."
            ) % {
                "edge": EDGE_NAMES[name], "offset": edge, "before": f"U+{ord(text[edge - 1]):04X}",
                "after": f"U+{ord(text[edge]):04X}", "sent_as": sent_as,
            }
            raise InvalidInput(message, fields={f"{field}{name}": [message]})
    return start, end


# A span's edges as messages name them: English keeps the field names (start,
# end) that API clients send; other languages say the words.
EDGE_NAMES = {"start": pgettext_lazy("edge of a span", "start"), "end": pgettext_lazy("edge of a span", "end")}


def _utf16_problem(exc: Utf16OffsetError) -> str:
    if exc.char is None:
        return gettext("UTF-16 offset %(offset)s is outside 0..%(length)s") % {"offset": exc.offset, "length": exc.length}
    return gettext("UTF-16 offset %(offset)s splits the surrogate pair of %(char)r at code point %(index)s") % {
        "offset": exc.offset, "char": exc.char, "index": exc.index,
    }


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
