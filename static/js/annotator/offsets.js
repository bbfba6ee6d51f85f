// The one place where browser positions (UTF-16, DOM nodes) meet Newsdesk
// offsets (Unicode code points into a canonical text, half-open [start, end)).
//
// A "unit" is one canonical text: the article (element [data-unit="article"],
// whose [data-start] blocks are its lines) or a comment ([data-unit="comment"],
// one block). Inside a block, an element with [data-original] stands for the
// characters it holds there (a revealed bidi control shows a label instead).

const SEGMENTER = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("ar", { granularity: "grapheme" }) : null;

export function isHighSurrogate(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Number of code points in a JavaScript (UTF-16) string. */
export function codePointLength(text) {
  let length = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (!(isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length)) length += 1;
  }
  return length;
}

/** Code-point offset of UTF-16 index `index` in `text`. */
export function utf16ToCodePoint(text, index) {
  return codePointLength(text.slice(0, index));
}

/** UTF-16 index of code-point offset `offset` in `text`. */
export function codePointToUtf16(text, offset) {
  let index = 0;
  for (let seen = 0; seen < offset && index < text.length; seen += 1) {
    index += isHighSurrogate(text.charCodeAt(index)) && index + 1 < text.length ? 2 : 1;
  }
  return index;
}

/** Code points of `text` from code point `start` to `end`. */
export function sliceCodePoints(text, start, end) {
  return text.slice(codePointToUtf16(text, start), codePointToUtf16(text, end));
}

/**
 * Widen [start, end) (UTF-16 indices) to grapheme-cluster edges, so a base
 * letter is never cut from its harakat and a surrogate pair never split.
 */
export function snapToGraphemes(text, start, end) {
  if (!SEGMENTER) {
    if (start > 0 && isHighSurrogate(text.charCodeAt(start - 1))) start -= 1;
    if (end > 0 && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += 1;
    return [start, end];
  }
  let snappedStart = start;
  let snappedEnd = end;
  for (const { index, segment } of SEGMENTER.segment(text)) {
    const segmentEnd = index + segment.length;
    if (index < start && start < segmentEnd) snappedStart = index;
    if (index < end && end < segmentEnd) snappedEnd = segmentEnd;
    if (index >= end) break;
  }
  return [snappedStart, snappedEnd];
}

// --- DOM ------------------------------------------------------------------

export function unitOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest("[data-unit]") : null;
}

function blockOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest("[data-start]") : null;
}

/** The pieces of a block in order: text nodes, and [data-original] stand-ins. */
function pieces(block) {
  const found = [];
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, {
    acceptNode(node) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.hasAttribute("data-original")) return NodeFilter.FILTER_ACCEPT;
        return NodeFilter.FILTER_SKIP;
      }
      return node.parentElement && node.parentElement.closest("[data-original]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const original = node.nodeType === Node.ELEMENT_NODE ? node.getAttribute("data-original") : node.data;
    found.push({ node, text: original, standIn: node.nodeType === Node.ELEMENT_NODE });
  }
  return found;
}

/** The canonical text of a block, as the server stored it. */
export function blockText(block) {
  return pieces(block).map((piece) => piece.text).join("");
}

/** The canonical text of a unit: its blocks joined by line ends. */
export function unitText(unit) {
  return [...unit.querySelectorAll("[data-start]")].map(blockText).join("\n");
}

/** Code points of a block before a boundary point that sits between children. */
function lengthBefore(block, node, offset) {
  const child = node.childNodes[offset] || null;
  let count = 0;
  for (const piece of pieces(block)) {
    const before = child
      ? Boolean(child.compareDocumentPosition(piece.node) & Node.DOCUMENT_POSITION_PRECEDING) && !piece.node.contains(child)
      : node.contains(piece.node) || Boolean(node.compareDocumentPosition(piece.node) & Node.DOCUMENT_POSITION_PRECEDING);
    if (!before) break;
    count += codePointLength(piece.text);
  }
  return count;
}

/** Code-point offset (in the unit's text) of a DOM boundary point. */
export function pointToOffset(node, offset) {
  const block = blockOf(node);
  if (!block) {
    // Between blocks (a triple click ends there): the start of the next line.
    const unit = unitOf(node);
    if (!unit) return null;
    const point = document.createRange();
    point.setStart(node, offset);
    const blocks = [...unit.querySelectorAll("[data-start]")];
    const next = blocks.find((candidate) => point.comparePoint(candidate, 0) > 0);
    if (next) return Number(next.dataset.start);
    const last = blocks[blocks.length - 1];
    return last ? Number(last.dataset.start) + codePointLength(blockText(last)) : 0;
  }
  if (node.nodeType === Node.ELEMENT_NODE) {
    return Number(block.dataset.start) + lengthBefore(block, node, offset);
  }
  let count = 0;
  for (const piece of pieces(block)) {
    if (piece.node === node) return Number(block.dataset.start) + count + utf16ToCodePoint(piece.text, offset);
    if (piece.standIn && piece.node.contains(node)) return Number(block.dataset.start) + count;
    count += codePointLength(piece.text);
  }
  return null;
}

/**
 * The span a DOM range selects: {unit, start, end, quote} in code points,
 * widened to grapheme clusters; null when it is empty or crosses units.
 */
export function rangeToSpan(range) {
  const unit = unitOf(range.startContainer);
  if (!unit) return null;
  let endNode = range.endContainer;
  let endOffset = range.endOffset;
  if (unit !== unitOf(endNode)) {
    // A triple click selects a whole paragraph and ends just past it, at the
    // start of whatever follows (the next comment's header): the end of the unit.
    const past = document.createRange();
    past.setStart(unit, unit.childNodes.length);
    past.setEnd(endNode, endOffset);
    if (past.collapsed || past.toString().trim() !== "") return null;
    [endNode, endOffset] = [unit, unit.childNodes.length];
  }
  const text = unitText(unit);
  let start = pointToOffset(range.startContainer, range.startOffset);
  let end = pointToOffset(endNode, endOffset);
  if (start === null || end === null) return null;
  if (end < start) [start, end] = [end, start];
  const [from, to] = snapToGraphemes(text, codePointToUtf16(text, start), codePointToUtf16(text, end));
  // Leading and trailing spaces are not part of what was meant.
  let a = from;
  let b = to;
  while (a < b && /\s/.test(text[a]) && text[a] !== "\u00a0") a += 1;
  while (b > a && /\s/.test(text[b - 1]) && text[b - 1] !== "\u00a0") b -= 1;
  if (a >= b) return null;
  return { unit, text, start: utf16ToCodePoint(text, a), end: utf16ToCodePoint(text, b), quote: text.slice(a, b) };
}

/** Per-unit index of blocks for fast offset → DOM lookups (1,000 spans on 200 KB). */
export class UnitIndex {
  constructor(unit) {
    this.unit = unit;
    this.blocks = [...unit.querySelectorAll("[data-start]")].map((element) => {
      const parts = pieces(element);
      const text = parts.map((piece) => piece.text).join("");
      return { element, start: Number(element.dataset.start), length: codePointLength(text), parts, text };
    });
  }

  _block(offset) {
    let low = 0;
    let high = this.blocks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.blocks[middle].start <= offset) low = middle;
      else high = middle - 1;
    }
    return this.blocks[low];
  }

  /** DOM boundary point for a code-point offset. */
  point(offset) {
    const block = this._block(offset);
    let remaining = Math.min(Math.max(offset - block.start, 0), block.length);
    for (const piece of block.parts) {
      const length = codePointLength(piece.text);
      if (remaining <= length) {
        if (piece.standIn) {
          return remaining === 0 ? { node: piece.node.parentNode, offset: indexIn(piece.node), before: true } : afterNode(piece.node);
        }
        return { node: piece.node, offset: codePointToUtf16(piece.text, remaining) };
      }
      remaining -= length;
    }
    const last = block.parts[block.parts.length - 1];
    return last ? afterNode(last.node) : { node: block.element, offset: 0 };
  }

  /** A DOM Range for [start, end) (code points of the unit text). */
  range(start, end) {
    const range = document.createRange();
    const from = this.point(start);
    const to = this.point(end);
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }
}

function indexIn(node) {
  return Array.prototype.indexOf.call(node.parentNode.childNodes, node);
}

function afterNode(node) {
  if (node.nodeType === Node.TEXT_NODE) return { node, offset: node.data.length };
  return { node: node.parentNode, offset: indexIn(node) + 1 };
}
