"""What the reader page needs from a canonical text: its lines as blocks that
know their code-point start, bidi controls set apart so they can be shown
instead of obeyed, and search hits mapped back from folded text.

The browser rebuilds the canonical text from these blocks (see
static/js/annotator/offsets.js), so a block's pieces must join to exactly its
line: a control character travels in `original` and is displayed by CSS.
"""

from __future__ import annotations

import re
import unicodedata

from newsdesk.text import BIDI_CONTROLS, PROCLITICS, fold, fold_with_offsets, unfold_span

_CONTROL_SPLIT = re.compile("([" + "".join(sorted(BIDI_CONTROLS)) + "])")
_CONTROL_NAMES = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}


def line_pieces(line: str) -> list[dict]:
    """A line as runs of plain text and single bidi controls, in order."""
    pieces = []
    for part in _CONTROL_SPLIT.split(line):
        if not part:
            continue
        if part in BIDI_CONTROLS:
            name = _CONTROL_NAMES[part]
            pieces.append(
                {
                    "control": True,
                    "original": part,
                    "label": f"{name} U+{ord(part):04X}",
                    "name": unicodedata.name(part),
                }
            )
        else:
            pieces.append({"control": False, "text": part})
    return pieces


def text_blocks(text: str, kinds: list[dict] | None = None) -> list[dict]:
    """One block per line: its code-point start, its pieces, and (for an
    article revision) the block's kind and language."""
    blocks, position = [], 0
    for index, line in enumerate(text.split("\n")):
        block = {"index": index, "start": position, "pieces": line_pieces(line), "empty": not line}
        if kinds is not None and index < len(kinds):
            block.update(kinds[index])
        blocks.append(block)
        position += len(line) + 1
    return blocks


# A hit starts a word, or follows the word's proclitics (والسد, بالسد, لسد for
# سد; not مسدس): the article (ال) counts as one too.
_WORD_HEAD = re.compile(r"\w*\Z")
_BEFORE_A_HIT = frozenset(("", "ال", *PROCLITICS))


def search_hits(text: str, query: str) -> list[tuple[int, int]]:
    """Code-point spans of `text` that match a word of `query` once both are
    folded (harakat, tatweel, hamza forms, ta marbuta, alef maqsura); a hit
    covers the marks folding dropped, so `قريبا` lights up all of `قريباً`.
    A match inside a word (سد in مسدس) is not a hit."""
    words = {word for word in fold(query).split() if word}
    if not words:
        return []
    folded, origin = fold_with_offsets(text)
    hits = []
    for word in words:
        for match in re.finditer(re.escape(word), folded):
            # Letters of the word before the match; looking back further than the
            # longest proclitic is not needed (a longer head is no proclitic).
            head = _WORD_HEAD.search(folded, max(0, match.start() - 6), match.start()).group()
            if head in _BEFORE_A_HIT:
                hits.append(unfold_span(text, origin, match.start(), match.end()))
    return sorted(hits)
