"""Template filters for the reader: a block's text, escaped, with each bidi
control set apart in an isolated element that the reveal mode labels."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def pieces_html(pieces: list[dict]) -> str:
    """Rendered on one line with no added whitespace: the browser rebuilds the
    canonical text from these nodes, so every character here counts."""
    return mark_safe(
        "".join(
            format_html(
                '<span class="bidi-control" data-original="{}" data-label="{}" title="{}">{}</span>',
                piece["original"],
                piece["label"],
                piece["name"],
                piece["original"],
            )
            if piece["control"]
            else format_html("{}", piece["text"])
            for piece in pieces
        )
    )


_BLOCK_TAGS = {"title": "h1", "heading": "h2"}


@register.simple_tag
def text_blocks_html(blocks: list[dict], default_lang: str = "") -> str:
    """Every block of a text as one element with its code-point start, built
    here rather than in a template loop: a long article has thousands."""
    parts = []
    for block in blocks:
        kind = block.get("kind", "")
        tag = _BLOCK_TAGS.get(kind, "p")
        classes = "block" + (f" block-{kind or 'paragraph'}" if kind or default_lang else "") + (" block-empty" if block["empty"] else "")
        lang = block.get("lang") or default_lang
        parts.append(
            format_html(
                '<{} class="{}" data-start="{}"{} dir="auto">{}</{}>\n',
                tag, classes, block["start"], format_html(' lang="{}"', lang) if lang else "", pieces_html(block["pieces"]), tag,
            )
        )
    return mark_safe("".join(parts))
