// Highlights drawn with the CSS Custom Highlight API: no element is wrapped
// around any letters, so Arabic letters keep joining across a highlight edge.
// Each layer is one named highlight styled in CSS with ::highlight(nd-…).

export const LAYERS = ["search", "entity-PER", "entity-ORG", "entity-LOC", "entity-MISC", "mention", "rationale", "pending", "focus"];

export function highlightsSupported() {
  return typeof CSS !== "undefined" && "highlights" in CSS && typeof Highlight !== "undefined";
}

export class Highlighter {
  /** `indexOf(unitKey)` gives the UnitIndex of "article" or "comment:<id>". */
  constructor(indexOf) {
    this.indexOf = indexOf;
    this.hidden = new Set();
    this.spans = new Map();
  }

  set(layer, spans) {
    this.spans.set(layer, spans);
    this._draw(layer);
  }

  toggle(layer, visible) {
    if (visible) this.hidden.delete(layer);
    else this.hidden.add(layer);
    this._draw(layer);
  }

  redrawAll() {
    for (const layer of this.spans.keys()) this._draw(layer);
  }

  _draw(layer) {
    if (!highlightsSupported()) return;
    const name = `nd-${layer}`;
    if (this.hidden.has(layer)) {
      CSS.highlights.delete(name);
      return;
    }
    const ranges = [];
    for (const span of this.spans.get(layer) || []) {
      const index = this.indexOf(span.unitKey);
      if (index) ranges.push(index.range(span.start, span.end));
    }
    const highlight = new Highlight(...ranges);
    highlight.priority = LAYERS.indexOf(layer);
    CSS.highlights.set(name, highlight);
  }
}
