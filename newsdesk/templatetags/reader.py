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
