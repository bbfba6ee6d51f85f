// The article reader: highlights, the selection popover, stances, rationales,
// entity review and keyboard shortcuts. Offsets come only from offsets.js;
// every write goes through the SaveQueue, so nothing is lost on a bad network.
//
// Text from the server (quotes, claims, names) is always put in the page with
// textContent, never as HTML.

import { NetworkError, request } from "./api.js";
import { Highlighter } from "./highlights.js";
import { UnitIndex, pointToOffset, rangeToSpan, unitOf } from "./offsets.js";
import { SaveQueue } from "./saves.js";
import { shortcutKey } from "../keys.js";

const data = JSON.parse(document.getElementById("reader-data").textContent);
const strings = JSON.parse(document.getElementById("reader-strings").textContent);
const API = data.urls.api;
const LABELS = ["agree", "disagree", "discuss", "unrelated"];
const ENTITY_TYPES = Object.keys(strings.entityTypes);
const SCOPE = `article:${data.article.id}`;

// --- State -------------------------------------------------------------------

/** Notes typed and not saved yet, by stance id, kept for this tab in sessionStorage: a reload does not lose them. */
class NoteDrafts extends Map {
  constructor(storageKey) {
    let stored = [];
    try {
      stored = JSON.parse(window.sessionStorage.getItem(storageKey) || "[]");
    } catch {
      stored = [];
    }
    super(stored);
    this.storageKey = storageKey;
  }

  set(stanceId, text) {
    super.set(stanceId, text);
    this._persist();
    return this;
  }

  delete(stanceId) {
    const had = super.delete(stanceId);
    this._persist();
    return had;
  }

  _persist() {
    if (!this.storageKey) return; // Map's constructor adds the stored entries before the key is known
    if (this.size) window.sessionStorage.setItem(this.storageKey, JSON.stringify([...this]));
    else window.sessionStorage.removeItem(this.storageKey);
  }

  /** Whether a note typed here differs from the saved one. */
  unsaved(stances) {
    return [...this].some(([id, text]) => {
      const stance = stances.find((item) => item.id === id);
      return stance && text !== (stance.note || "");
    });
  }
}

const state = {
  mentions: data.mentions,
  stances: data.stances,
  entities: data.entities.filter((entity) => entity.status !== "rejected"),
  claims: new Map(data.claims.map((claim) => [claim.id, claim])),
  target: { type: "article", comment: null },
  activeClaim: null,
  focused: null,
  popoverSpan: null,
  // Stance notes being typed, by stance id: the panel is redrawn whenever a save lands.
  noteDrafts: new NoteDrafts(`newsdesk.note-drafts.v1:${encodeURIComponent(data.user.username)}:${SCOPE}`),
};

const units = new Map();
for (const element of document.querySelectorAll("[data-unit]")) units.set(element.dataset.key, new UnitIndex(element));
const highlighter = new Highlighter((key) => units.get(key));

function unitKeyOf(span) {
  return span.comment ? `comment:${span.comment}` : "article";
}

function mine(annotation) {
  return annotation.annotator === data.user.username;
}

// --- Elements ------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const popover = $("popover");
const statusElement = $("save-status");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** Text of unknown direction, isolated. */
function bdi(text) {
  return element("bdi", { text });
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The first `length` characters as a reader counts them (an emoji or a letter with its harakat is one), and "…" when cut. */
function shorten(text, length) {
  const characters = Array.from(GRAPHEMES.segment(text), (part) => part.segment);
  return characters.length > length ? `${characters.slice(0, length).join("")}…` : text;
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// --- Saving ----------------------------------------------------------------------

const queue = new SaveQueue({
  owner: data.user.username,
  status: statusElement,
  strings,
  onSaved: savedWrite,
  onConflict: askAboutConflict,
  onRejected: (item, message) => {
    cancelSubmitWhenSaved();
    reloadAnnotations(item, message);
  },
  prepare: reuseSameClaim,
  onDrained: () => submitWhenSaved(),
});

/** A new claim queued (offline, say) whose text an existing claim already has,
 * in another spelling variant at most: the mention goes to that claim instead
 * of a duplicate. True when the item was rewritten. */
async function reuseSameClaim(item) {
  if (item.kind !== "claim" || !item.then) return false;
  const result = await request("GET", `${API}claims/?q=${encodeURIComponent(item.body.text)}&merged=false&page_size=8`);
  const key = sameClaimKey(item.body.text);
  const same = result.ok && result.data.results.find((claim) => sameClaimKey(claim.text) === key);
  if (!same) return false;
  state.claims.set(same.id, same);
  const { then } = item;
  delete item.then;
  Object.assign(item, then, { body: { ...then.body, claim: same.id } });
  return true;
}

function savedWrite(item, body, { theirs = false } = {}) {
  const { kind } = item;
  if (kind === "claim" && body && !theirs) {
    state.claims.set(body.id, body);
    if (item.then) queue.add({ ...item.then, body: { ...item.then.body, claim: body.id }, label: strings.mention });
  }
  // Work left unsaved on another article is saved there, not drawn here.
  if (item.scope !== SCOPE || kind === "claim") {
    redraw();
    return;
  }
  if (kind === "mention-create") {
    // A repeat of a mention already saved (409) answers with that one: it is drawn once.
    state.mentions = state.mentions.filter((mention) => mention.id !== body.id);
    state.mentions.push(body);
  } else if (kind === "mention-delete") {
    state.mentions = state.mentions.filter((mention) => mention.id !== item.ref);
    if (theirs && body) state.mentions.push(body); // the saved version was kept: it stays
  } else if (kind === "stance" || kind === "rationale") {
    state.stances = state.stances.filter((stance) => stance.id !== body.id);
    state.stances.push(body);
  } else if (kind === "entity-review") {
    state.entities = state.entities.filter((entity) => entity.id !== body.id);
    if (body.status !== "rejected") state.entities.push(body);
    if (!theirs && item.body.action === "retype") announceTaught(body);
  } else if (kind === "entity-create") {
    state.entities = state.entities.filter((entity) => entity.id !== body.id); // marked again: drawn once
    state.entities.push(body);
    if (!theirs) announceTaught(body);
  }
  redraw();
}

// A name marked or retyped here is suggested in the other articles too (annotations/ner/taught.py).
function announceTaught(entity) {
  statusAnnounce(format(strings.entityTaught, { name: entity.quote, type: strings.entityTypes[entity.type] }));
}

/** An annotation in words, one fact per line, for the conflict dialog (null: deleted). */
function describeAnnotation(annotation) {
  if (!annotation) return strings.deleted;
  const claim = annotation.claim && state.claims.get(annotation.claim);
  const lines = [];
  if (claim) lines.push(claim.text);
  if (annotation.quote) lines.push(`«${annotation.quote}»`);
  if (annotation.label) lines.push(strings.labels[annotation.label] || annotation.label);
  if (annotation.note) lines.push(`${strings.note}: ${annotation.note}`);
  for (const rationale of annotation.rationales || []) lines.push(`${strings.rationale}: «${rationale.quote}»`);
  if (annotation.type) lines.push(strings.entityTypes[annotation.type] || annotation.type);
  if (annotation.status) lines.push(strings.statuses[annotation.status] || annotation.status);
  if (annotation.action) lines.push(strings[annotation.action] || annotation.action);
  if (annotation.annotator) lines.push(`${strings.by} ${annotation.annotator}`);
  return lines.join("\n");
}

/** A refused write was shown before it was saved: show what the server has instead. */
async function reloadAnnotations(item) {
  if (item.scope !== SCOPE) return;
  try {
    const result = await request("GET", `${API}articles/${data.article.id}/?expand=mentions,stances,entities`);
    if (result.ok) {
      state.mentions = result.data.mentions;
      state.stances = result.data.stances;
      state.entities = result.data.entities.filter((entity) => entity.status !== "rejected");
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
  }
  redraw();
}

const conflictDialog = $("conflict-dialog");

function askAboutConflict(item, current, changedBy) {
  // My own stance already exists (set from another tab, or a create that was
  // retried): this is an update of it, not a conflict with anyone.
  if (item.kind === "stance" && item.method === "POST" && current && current.id && mine(current)) {
    Object.assign(item, { method: "PATCH", url: `${API}stances/${current.id}/`, body: { label: item.body.label, version: current.version } });
    return Promise.resolve("retry");
  }
  // The same span already marked for the same claim, by me: nothing to choose.
  if ((item.kind === "mention-create" || item.kind === "entity-create") && current && current.id && mine(current)) return Promise.resolve("theirs");
  // A rationale added or removed on my own stance, which another tab changed
  // meanwhile: the change goes on top of what that tab saved, which stays.
  // (Items queued by an older page carry no change: they are put to the user.)
  if (item.kind === "rationale" && item.change && current && current.id && mine(current)) {
    Object.assign(item.body, { rationales: rationalesAfter(current.rationales, item.change), version: current.version });
    return Promise.resolve("retry");
  }
  return choose(item, current, changedBy);
}

/** Put the two versions to the user. The dialog closes only on a choice: nothing is dropped by Escape. */
function choose(item, current, changedBy) {
  $("conflict-mine").textContent = describeAnnotation(item.method === "DELETE" ? null : { ...(current || {}), ...(item.body || {}) });
  $("conflict-theirs").textContent = describeAnnotation(current);
  // My annotation may have been changed by an editor: who saved it last says which heading is true.
  const byMe = changedBy ? changedBy === data.user.username : Boolean(current && mine(current));
  $("conflict-by-me").hidden = !byMe;
  $("conflict-by-other").hidden = byMe;
  return new Promise((resolve) => {
    const closed = () => {
      if (conflictDialog.returnValue === "mine" || conflictDialog.returnValue === "theirs") {
        conflictDialog.removeEventListener("close", closed);
        resolve(conflictDialog.returnValue);
      } else conflictDialog.showModal();
    };
    conflictDialog.returnValue = "";
    conflictDialog.addEventListener("close", closed);
    conflictDialog.showModal();
  });
}

conflictDialog.addEventListener("cancel", (event) => event.preventDefault());

window.addEventListener("beforeunload", (event) => {
  if (queue.pending || state.noteDrafts.unsaved(state.stances)) {
    event.preventDefault();
    event.returnValue = strings.leaveWarning;
  }
});

// --- Drawing ---------------------------------------------------------------------

/** Whether a span's offsets count in the text shown: a comment's, or the article's current revision's.
 * Spans on an earlier revision stay stored (and readable from that revision) but are not drawn here. */
function onShownText(span) {
  return Boolean(span.comment) || !span.revision || span.revision === data.article.revision;
}

function spansOf(list, extra = {}) {
  return list.filter(onShownText).map((item) => ({ ...item, unitKey: unitKeyOf(item), ...extra }));
}

function rationaleSpans() {
  return state.stances.flatMap((stance) =>
    stance.rationales.filter(onShownText).map((rationale) => ({ ...rationale, unitKey: unitKeyOf(stance), stance })),
  );
}

function pendingSpans() {
  return queue
    .restored(SCOPE)
    .filter((item) => item.kind === "mention-create" || (item.kind === "claim" && item.then))
    .map((item) => {
      const body = item.kind === "claim" ? item.then.body : item.body;
      return { ...body, unitKey: unitKeyOf(body) };
    });
}

function allSpans() {
  return [
    ...spansOf(state.mentions, { layer: "mention" }),
    ...rationaleSpans().map((span) => ({ ...span, layer: "rationale" })),
    ...spansOf(state.entities, { layer: "entity" }),
  ];
}

/** Every span in reading order: the article first, then comments in page order. */
function orderedSpans() {
  const keys = [...units.keys()];
  return allSpans().sort((a, b) => keys.indexOf(a.unitKey) - keys.indexOf(b.unitKey) || a.start - b.start || a.end - b.end);
}

function redraw() {
  highlighter.set("mention", spansOf(state.mentions));
  highlighter.set("rationale", rationaleSpans());
  for (const type of ENTITY_TYPES) {
    highlighter.set(`entity-${type}`, spansOf(state.entities.filter((entity) => entity.type === type)));
  }
  highlighter.set("search", data.searchHits);
  highlighter.set("pending", pendingSpans());
  highlighter.set("focus", state.focused ? [state.focused] : state.popoverSpan ? [state.popoverSpan] : []);
  renderStancePanel();
  renderEntityList();
}

// --- Stance panel ------------------------------------------------------------------

function targetMatches(annotation) {
  return state.target.type === "article" ? !annotation.comment : annotation.comment === state.target.comment;
}

function stanceFor(claimId) {
  return state.stances.find((stance) => stance.claim === claimId && mine(stance) && targetMatches(stance));
}

/** A stance chosen here and not saved yet (offline, or the server has not answered): the last label chosen. */
function unsavedStanceFor(claimId) {
  const queued = queue
    .restored(SCOPE)
    .filter((item) => item.kind === "stance" && item.method === "POST" && item.body.claim === claimId && targetMatches(item.body));
  return queued.length ? { label: queued[queued.length - 1].body.label, rationales: [], unsaved: true } : null;
}

function panelClaims() {
  const queued = queue.restored(SCOPE).filter((item) => item.kind === "mention-create").map((item) => item.body.claim);
  const ids = new Set([...state.mentions.map((m) => m.claim), ...queued, ...state.stances.filter(mine).map((s) => s.claim)]);
  return [...ids].map((id) => state.claims.get(id)).filter(Boolean);
}

/** Rebuild `list` with `children`, keeping keyboard focus on the control with the same data-focus-key. */
function replaceKeepingFocus(list, children) {
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
  list.replaceChildren(...children);
  if (focused) {
    const again = list.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function renderStancePanel() {
  const list = $("stance-claims");
  if (!list) return;
  const target = $("stance-target");
  if (state.target.type === "article") target.textContent = strings.thisArticle;
  else {
    const comment = data.comments.find((c) => c.id === state.target.comment);
    target.textContent = format(strings.commentBy, { author: (comment && (comment.author || comment.title)) || "" });
  }
  const claims = panelClaims();
  $("stance-empty").hidden = claims.length > 0;
  if (state.activeClaim === null && claims.length) state.activeClaim = claims[0].id;
  replaceKeepingFocus(
    list,
    claims.map((claim) => {
      const stance = stanceFor(claim.id) || unsavedStanceFor(claim.id);
      const name = `stance-${claim.id}`;
      const group = element(
        "div",
        { role: "radiogroup", "aria-label": claim.text, class: "stance-labels" },
        ...LABELS.map((label, index) =>
          element(
            "label",
            { class: "stance-option", "data-label": label },
            element("input", {
              type: "radio",
              name,
              value: label,
              disabled: !data.user.canAnnotate, // handed-in work is shown, not changed
              checked: stance && stance.label === label,
              "data-focus-key": `${claim.id}:${label}`,
              onchange: () => setStance(claim.id, label),
              onfocus: () => chooseClaim(claim.id, false),
            }),
            element("span", { text: strings.labels[label] }),
            element("kbd", { text: String(index + 1), "aria-hidden": "true" }),
          ),
        ),
      );
      const rationales = stance ? stance.rationales.length : 0;
      return element(
        "li",
        {
          class: `stance-claim${claim.id === state.activeClaim ? " active" : ""}`,
          "data-claim": claim.id,
          "aria-current": claim.id === state.activeClaim ? "true" : null,
        },
        element(
          "p",
          { class: "stance-claim-text" },
          element("a", { href: data.urls.claim.replace("/0/", `/${claim.id}/`), dir: "auto", text: claim.text }),
        ),
        group,
        element("p", { class: "hint", text: stance && stance.unsaved ? strings.saving : rationales ? `${strings.rationale}: ${rationales}` : "" }),
        stance && !stance.unsaved && data.user.canAnnotate ? noteEditor(stance) : null,
      );
    }),
  );
}

/** The stance's note: what the annotator wants an editor to know about this judgement. */
function noteEditor(stance) {
  const draft = state.noteDrafts.get(stance.id);
  const textarea = element("textarea", {
    class: "stance-note-text", dir: "auto", rows: "3", "aria-label": strings.note, "data-focus-key": `note:${stance.id}`,
    oninput: (event) => state.noteDrafts.set(stance.id, event.target.value),
  });
  textarea.value = draft ?? stance.note ?? "";
  const save = element("button", { type: "button", class: "stance-note-save", "data-focus-key": `note-save:${stance.id}`, text: strings.saveNote, onclick: () => saveNote(stance, textarea.value) });
  return element(
    "details",
    { class: "stance-note", open: draft !== undefined || Boolean(stance.note) },
    stance.note ? element("summary", {}, `${strings.note}: `, bdi(shorten(stance.note, 40))) : element("summary", { text: strings.note }),
    textarea,
    save,
  );
}

function saveNote(stance, note) {
  state.noteDrafts.delete(stance.id);
  if (note === (stance.note || "")) return;
  stance.note = note;
  queue.add({
    kind: "stance", scope: SCOPE, method: "PATCH", url: `${API}stances/${stance.id}/`,
    body: { note, note_dir: "auto", version: stance.version }, label: strings.note,
  });
  renderStancePanel();
}

function chooseClaim(claimId, rerender = true) {
  state.activeClaim = claimId;
  if (rerender) renderStancePanel();
  else {
    for (const item of document.querySelectorAll(".stance-claim")) {
      const active = Number(item.dataset.claim) === claimId;
      item.classList.toggle("active", active);
      if (active) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  }
}

function targetBody() {
  return state.target.type === "article" ? { article: data.article.id } : { comment: state.target.comment };
}

function setStance(claimId, label) {
  if (!data.user.canAnnotate || !claimId) return;
  const existing = stanceFor(claimId);
  if (existing) {
    existing.label = label;
    queue.add({
      kind: "stance", scope: SCOPE, method: "PATCH", url: `${API}stances/${existing.id}/`,
      body: { label, version: existing.version }, label: strings.labels[label],
    });
  } else {
    queue.add({
      kind: "stance", scope: SCOPE, method: "POST", url: `${API}stances/`,
      body: { ...targetBody(), claim: claimId, label }, label: strings.labels[label],
    });
  }
  renderStancePanel();
}

function setTarget(type, comment = null) {
  state.target = { type, comment };
  renderStancePanel();
}

for (const button of document.querySelectorAll(".stance-target-button")) {
  button.addEventListener("click", () => {
    setTarget("comment", Number(button.dataset.comment));
    const first = document.querySelector("#stance-claims input");
    if (first) first.focus();
  });
}

// --- Entities -------------------------------------------------------------------------

function renderEntityList() {
  const list = $("entity-list");
  const suggestions = state.entities.filter(onShownText).sort((a, b) => (a.comment || 0) - (b.comment || 0) || a.start - b.start);
  replaceKeepingFocus(
    list,
    suggestions.map((entity) =>
      element(
        "li",
        { class: `entity-item entity-${entity.type}`, "data-status": entity.status },
        element("button", { type: "button", class: "link-button", "data-focus-key": String(entity.id), onclick: () => focusSpan({ ...entity, layer: "entity", unitKey: unitKeyOf(entity) }) }, bdi(entity.quote)),
        " ",
        element("span", { class: "meta", text: `${strings.entityTypes[entity.type]} · ${strings.statuses[entity.status]}` }),
      ),
    ),
  );
}

function reviewEntity(entity, action, type = undefined) {
  queue.add({
    kind: "entity-review", scope: SCOPE, method: "POST", url: `${API}entity-mentions/${entity.id}/review/`,
    body: { action, ...(type ? { type } : {}), version: entity.version }, label: strings.entity,
  });
  closePopover();
}

// --- Popover ---------------------------------------------------------------------------

let popoverReturnFocus = null;

function openPopover(rect, title, body) {
  popoverReturnFocus = document.activeElement;
  $("popover-title").textContent = title;
  $("popover-body").replaceChildren(...body);
  popover.hidden = false;
  const width = Math.min(360, window.innerWidth - 16);
  const x = Math.max(8, Math.min(rect.left + rect.width / 2 - width / 2, window.innerWidth - width - 8));
  const below = rect.bottom + 8 + popover.offsetHeight < window.innerHeight;
  popover.style.width = `${width}px`;
  popover.style.left = `${x}px`;
  popover.style.top = `${below ? rect.bottom + 8 : Math.max(8, rect.top - popover.offsetHeight - 8)}px`;
  const first = popover.querySelector("input, button, select");
  if (first) first.focus();
}

function closePopover({ keepSelection = false } = {}) {
  if (popover.hidden) return;
  popover.hidden = true;
  const span = state.popoverSpan;
  state.popoverSpan = null;
  redraw();
  if (popoverReturnFocus && document.contains(popoverReturnFocus)) popoverReturnFocus.focus();
  if (keepSelection && span) {
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(units.get(span.unitKey).range(span.start, span.end));
  }
}

document.addEventListener("pointerdown", (event) => {
  if (!popover.hidden && !popover.contains(event.target)) closePopover();
});
$("popover-close").addEventListener("click", () => {
  window.getSelection().removeAllRanges();
  closePopover();
});

function spanFromSelection() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const span = rangeToSpan(selection.getRangeAt(0));
  if (!span) return null;
  const key = span.unit.dataset.key;
  return { unitKey: key, comment: span.unit.dataset.comment ? Number(span.unit.dataset.comment) : null, start: span.start, end: span.end, quote: span.quote };
}

function spanTarget(span) {
  return span.comment ? { comment: span.comment } : { article: data.article.id };
}

function openSelectionMenu(span) {
  if (!data.user.canAnnotate) return;
  setTarget(span.comment ? "comment" : "article", span.comment || null);
  state.popoverSpan = span;
  redraw();
  const range = units.get(span.unitKey).range(span.start, span.end);
  const quote = element("p", { class: "popover-quote" }, bdi(span.quote));
  const input = element("input", {
    type: "search", dir: "auto", dirname: "claim.dir", autocomplete: "off",
    "aria-label": strings.searchClaims, placeholder: strings.searchClaims,
    role: "combobox", "aria-expanded": "true", "aria-controls": "claim-options",
  });
  const options = element("ul", { id: "claim-options", role: "listbox", class: "claim-options", "aria-label": strings.markClaim });
  let searchSerial = 0;
  const showOptions = async () => {
    const text = input.value.trim();
    const serial = ++searchSerial;
    let found = panelClaims();
    if (text) {
      let result = { ok: false };
      try {
        result = await request("GET", `${API}claims/?q=${encodeURIComponent(text)}&merged=false&page_size=8`);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error; // offline: a new claim can still be queued
      }
      if (serial !== searchSerial) return;
      found = result.ok ? result.data.results : [];
    }
    const items = found.slice(0, 8).map((claim) =>
      element("li", { role: "option" }, element("button", { type: "button", class: "option-button", onclick: () => markMention(span, claim) }, bdi(claim.text))),
    );
    if (text) {
      items.push(element("li", { role: "option" }, element("button", { type: "button", class: "option-button create", onclick: () => markMention(span, null, input.value.trim() || text) }, format(strings.createClaim, { text: "" }), bdi(text))));
    }
    if (!items.length) items.push(element("li", { class: "hint", text: strings.noClaims }));
    options.replaceChildren(...items);
  };
  input.addEventListener("input", showOptions);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const typed = sameClaimKey(input.value);
      const buttons = [...options.querySelectorAll("button")];
      const exact = buttons.find((button) => !button.classList.contains("create") && sameClaimKey(button.textContent) === typed);
      const choice = exact || (typed ? options.querySelector("button.create") : buttons[0]);
      if (choice) choice.click();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      const first = options.querySelector("button");
      if (first) first.focus();
    }
  });
  options.addEventListener("keydown", (event) => {
    const buttons = [...options.querySelectorAll("button")];
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < buttons.length - 1) buttons[index + 1].focus();
    else if (event.key === "ArrowUp") (index > 0 ? buttons[index - 1] : input).focus();
    else return;
    event.preventDefault();
  });
  showOptions();

  const body = [quote, input, options];
  const stancesHere = state.stances.filter((stance) => mine(stance) && (stance.comment || null) === (span.comment || null));
  if (stancesHere.length) {
    body.push(
      element("h3", { class: "popover-subtitle", text: strings.rationaleFor }),
      element(
        "ul",
        { class: "plain-list" },
        ...stancesHere.map((stance) =>
          element(
            "li",
            {},
            element("button", { type: "button", class: "option-button", onclick: () => addRationale(stance, span) }, bdi((state.claims.get(stance.claim) || {}).text || `#${stance.claim}`), ` · ${strings.labels[stance.label]}`),
          ),
        ),
      ),
    );
  }
  const typeSelect = element("select", { "aria-label": strings.markEntity }, ...ENTITY_TYPES.map((type) => element("option", { value: type, text: strings.entityTypes[type] })));
  body.push(
    element(
      "p",
      { class: "popover-row" },
      typeSelect,
      element("button", { type: "button", onclick: () => markEntity(span, typeSelect.value) }, strings.markEntity),
    ),
  );
  openPopover(range.getBoundingClientRect(), strings.markClaim, body);
}

/** A claim's text as Enter compares it with the typed one: spelling variants
 *  (أ/ا, ة/ه, ى/ي, harakat, tatweel), spacing and final punctuation aside. */
function sameClaimKey(text) {
  return text
    .normalize("NFC")
    .replace(/[\u064B-\u0652\u0670\u0640]/g, "")
    .replace(/[أإآٱ]/g, "ا")
    .replace(/ة/g, "ه")
    .replace(/ى/g, "ي")
    .replace(/[\s.،؛:!?؟…]+$/u, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** Mark `span` as stating `claim` (one found by search, or in the panel), or a new claim of `newClaimText`. */
function markMention(span, claim, newClaimText = null) {
  const mention = { ...spanTarget(span), start: span.start, end: span.end, quote: span.quote };
  if (claim) {
    if (claim.text) state.claims.set(claim.id, claim); // a claim found by search is new to this page: the panel needs its text
    queue.add({ kind: "mention-create", scope: SCOPE, method: "POST", url: `${API}mentions/`, body: { ...mention, claim: claim.id }, label: strings.mention });
    state.activeClaim = claim.id;
  } else {
    queue.add({
      kind: "claim", scope: SCOPE, method: "POST", url: `${API}claims/`, body: { text: newClaimText, language: data.article.language }, label: strings.mention,
      then: { kind: "mention-create", scope: SCOPE, method: "POST", url: `${API}mentions/`, body: mention },
    });
  }
  window.getSelection().removeAllRanges();
  closePopover();
  redraw();
}

function markEntity(span, type) {
  queue.add({ kind: "entity-create", scope: SCOPE, method: "POST", url: `${API}entity-mentions/`, body: { ...spanTarget(span), start: span.start, end: span.end, quote: span.quote, type }, label: strings.entity });
  window.getSelection().removeAllRanges();
  closePopover();
}

function rationaleBody(rationale) {
  return { start: rationale.start, end: rationale.end, quote: rationale.quote, ...(rationale.revision && !rationale.comment ? { revision: rationale.revision } : {}) };
}

function sameRationale(a, b) {
  return a.start === b.start && a.end === b.end && a.quote === b.quote && (a.revision || null) === (b.revision || null);
}

/** The rationale list a queued change makes of `rationales` (the saved ones, when another tab changed them). */
function rationalesAfter(rationales, change) {
  const list = rationales.map(rationaleBody).filter((rationale) => !(change.remove && sameRationale(rationale, change.remove)));
  if (change.add && !list.some((rationale) => sameRationale(rationale, change.add))) list.push(change.add);
  return list;
}

function addRationale(stance, span) {
  const change = { add: { start: span.start, end: span.end, quote: span.quote } };
  const rationales = rationalesAfter(stance.rationales, change);
  stance.rationales = [...stance.rationales, { ...span }];
  queue.add({ kind: "rationale", scope: SCOPE, method: "PATCH", url: `${API}stances/${stance.id}/`, body: { rationales, version: stance.version }, change, label: strings.rationale });
  window.getSelection().removeAllRanges();
  closePopover();
  redraw();
}

function removeRationale(stance, rationale) {
  const change = { remove: rationaleBody(rationale) };
  const rationales = rationalesAfter(stance.rationales, change);
  queue.add({ kind: "rationale", scope: SCOPE, method: "PATCH", url: `${API}stances/${stance.id}/`, body: { rationales, version: stance.version }, change, label: strings.rationale });
  closePopover();
}

function deleteMention(mention) {
  state.mentions = state.mentions.filter((item) => item.id !== mention.id);
  queue.add({ kind: "mention-delete", scope: SCOPE, method: "DELETE", url: `${API}mentions/${mention.id}/`, ifMatch: mention.version, ref: mention.id, label: strings.delete });
  state.focused = null;
  closePopover();
  redraw();
  // Undo marks the same text for the same claim again (a new mention; the audit trail keeps both steps).
  statusAnnounce(strings.mentionDeleted, {
    label: strings.undo,
    run: () => markMention({ ...mention, comment: mention.comment || null }, state.claims.get(mention.claim) || { id: mention.claim }),
  });
}

/** The menu for the highlights covering one point: edit or delete each. */
function openSpanMenu(spans, rect) {
  const items = spans.map((span) => {
    const actions = [];
    let title = "";
    if (span.layer === "mention") {
      const claim = state.claims.get(span.claim);
      title = `${strings.mention}: `;
      actions.push(element("a", { href: data.urls.claim.replace("/0/", `/${span.claim}/`), dir: "auto", text: claim ? claim.text : `#${span.claim}` }));
      if (data.user.canAnnotate && mine(span)) actions.push(element("button", { type: "button", onclick: () => deleteMention(span) }, strings.delete));
      if (data.user.canAnnotate) actions.push(element("button", { type: "button", onclick: () => { chooseClaim(span.claim); closePopover(); const input = document.querySelector(".stance-claim.active input"); if (input) input.focus(); } }, strings.stanceOf));
    } else if (span.layer === "rationale") {
      const claim = state.claims.get(span.stance.claim);
      title = `${strings.rationale}: `;
      actions.push(bdi(claim ? claim.text : `#${span.stance.claim}`), ` · ${strings.labels[span.stance.label]}`);
      if (data.user.canAnnotate && mine(span.stance)) actions.push(element("button", { type: "button", onclick: () => removeRationale(span.stance, span.stance.rationales.find((r) => r.start === span.start && r.end === span.end)) }, strings.removeRationale));
    } else {
      title = `${strings.entity}: ${strings.entityTypes[span.type]} · ${strings.statuses[span.status]} `;
      if (span.entity) actions.push(element("a", { href: data.urls.entity.replace("/0/", `/${span.entity}/`) }, bdi(span.entity_name || span.quote)));
      if (data.user.canAnnotate) {
        const typeSelect = element("select", { "aria-label": strings.retype }, ...ENTITY_TYPES.map((type) => element("option", { value: type, text: strings.entityTypes[type], selected: type === span.type })));
        actions.push(
          element("button", { type: "button", onclick: () => reviewEntity(span, "accept") }, strings.accept),
          element("button", { type: "button", onclick: () => reviewEntity(span, "reject") }, strings.reject),
          typeSelect,
          element("button", { type: "button", onclick: () => reviewEntity(span, "retype", typeSelect.value) }, strings.retype),
        );
      }
    }
    return element("li", { class: `span-item span-${span.layer}` }, element("p", { class: "popover-quote" }, title, bdi(span.quote)), element("p", { class: "popover-row" }, ...actions));
  });
  openPopover(rect, spans.length ? spans[0].quote : strings.noSpans, [element("ul", { class: "plain-list" }, ...items)]);
}

function spansAt(unitKey, offset) {
  return allSpans().filter((span) => span.unitKey === unitKey && span.start <= offset && offset < span.end);
}

function caretAt(x, y) {
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    return position ? { node: position.offsetNode, offset: position.offset } : null;
  }
  const range = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
  return range ? { node: range.startContainer, offset: range.startOffset } : null;
}

// --- Mouse -------------------------------------------------------------------------------

document.addEventListener("mouseup", (event) => {
  if (popover.contains(event.target) || event.button !== 0) return;
  const unit = unitOf(event.target);
  if (!unit) return;
  window.setTimeout(() => {
    const span = spanFromSelection();
    if (span) {
      openSelectionMenu(span);
      return;
    }
    // A click (no selection) on a highlight: its menu.
    const caret = caretAt(event.clientX, event.clientY);
    if (!caret || !unitOf(caret.node)) return;
    const offset = pointToOffset(caret.node, caret.offset);
    const key = unitOf(caret.node).dataset.key;
    const spans = offset === null ? [] : spansAt(key, offset);
    if (spans.length) {
      state.focused = spans[0];
      redraw();
      openSpanMenu(spans, { left: event.clientX, right: event.clientX, top: event.clientY, bottom: event.clientY, width: 0 });
    }
  }, 0);
});

// --- Keyboard -----------------------------------------------------------------------------

function typing(target) {
  // A focused stance radio button is not typing: 1–4 still choose a label.
  return target.closest("input:not([type=radio]), textarea, select, [contenteditable]") || target.closest("dialog[open]");
}

function focusSpan(span) {
  state.focused = span;
  document.body.dataset.focused = `${span.layer}:${span.id}`;
  redraw();
  const range = units.get(span.unitKey).range(span.start, span.end);
  const rect = range.getBoundingClientRect();
  const block = range.startContainer.nodeType === Node.ELEMENT_NODE ? range.startContainer : range.startContainer.parentElement;
  if (rect.top < 0 || rect.bottom > window.innerHeight) block.scrollIntoView({ block: "center" });
  lastBlock = block.closest("[data-start]") || lastBlock;
  statusAnnounce(`${span.layer === "mention" ? strings.mention : span.layer === "rationale" ? strings.rationale : strings.entity}: ${span.quote}`);
}

// What a key did, or why it did nothing: said aloud to screen readers and shown
// under the save status for a while (a sighted keyboard user needs it as much).
const announcer = $("reader-hint");
let hintTimer = null;

/** Say `text`; with `action` ({label, run}), a button after it does the action (say, undo). */
function statusAnnounce(text, action = null) {
  announcer.textContent = text;
  if (action) {
    announcer.append(" ", element("button", { type: "button", class: "link-button", onclick: () => { announcer.textContent = ""; action.run(); } }, action.label));
  }
  window.clearTimeout(hintTimer);
  hintTimer = window.setTimeout(() => {
    announcer.textContent = "";
  }, 8000);
}

function moveFocus(step) {
  const spans = orderedSpans();
  if (!spans.length) return;
  let index = -1;
  if (state.focused) {
    index = spans.findIndex((span) => span.layer === state.focused.layer && span.unitKey === state.focused.unitKey && span.start === state.focused.start && span.end === state.focused.end);
  }
  const next = spans[(index + step + spans.length) % spans.length];
  focusSpan(next);
}

let lastBlock = document.querySelector("[data-unit] [data-start]:not(.block-empty)");
document.addEventListener("focusin", (event) => {
  const block = event.target.closest && event.target.closest("[data-start]");
  if (block) lastBlock = block;
});
document.addEventListener("mousedown", (event) => {
  const block = event.target.closest && event.target.closest("[data-start]");
  if (block) lastBlock = block;
});

/** `]` / `[`: keyboard selection by words in logical (reading) order. */
function extendSelection(direction) {
  const selection = window.getSelection();
  if (!selection.rangeCount || !unitOf(selection.anchorNode)) {
    // From the highlight j/k went to, else from the paragraph last clicked or focused.
    const range = document.createRange();
    const from = state.focused && units.get(state.focused.unitKey).point(state.focused.start);
    if (from) range.setStart(from.node, from.offset);
    else range.setStart(lastBlock, 0);
    range.collapse(true);
    selection.removeAllRanges();
    selection.addRange(range);
    selection.modify("extend", "forward", "word");
    return;
  }
  selection.modify("extend", direction, "word");
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    if (!popover.hidden) {
      closePopover({ keepSelection: true });
      event.preventDefault();
    } else if (state.focused) {
      state.focused = null;
      redraw();
    }
    return;
  }
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) {
    if (popover.contains(event.target) && event.key === "Tab") trapTab(event);
    return;
  }
  const key = shortcutKey(event);
  if (key === "?") {
    $("help-dialog").showModal();
  } else if (key === "b") {
    const reveal = $("reveal-bidi");
    reveal.checked = !reveal.checked;
    reveal.dispatchEvent(new Event("change"));
  } else if (key === "j") {
    moveFocus(1);
  } else if (key === "k") {
    moveFocus(-1);
  } else if (key === "]" || key === "[") {
    extendSelection(key === "]" ? "forward" : "backward");
  } else if (key === "a" && data.user.canAnnotate) {
    setTarget("article");
  } else if (LABELS[Number(key) - 1] && data.user.lockedBecause) {
    statusAnnounce(data.user.lockedBecause);
  } else if (LABELS[Number(key) - 1] && data.user.canAnnotate) {
    if (!panelClaims().some((claim) => claim.id === state.activeClaim)) return statusAnnounce(strings.needClaim);
    const inPanel = $("stance-claims").contains(document.activeElement);
    setStance(state.activeClaim, LABELS[Number(key) - 1]);
    // Like the arrow keys in a radio group, the key moves focus to the label it chose.
    if (inPanel) {
      const chosen = document.querySelector(`[data-focus-key="${state.activeClaim}:${LABELS[Number(key) - 1]}"]`);
      if (chosen) chosen.focus();
    }
    statusAnnounce(strings.labels[LABELS[Number(key) - 1]]);
  } else if (key === "r" && data.user.canAnnotate) {
    const span = spanFromSelection();
    if (!span) return statusAnnounce(strings.selectionEmpty);
    const stance = state.stances.find((item) => item.claim === state.activeClaim && mine(item) && (item.comment || null) === (span.comment || null));
    if (!stance) return statusAnnounce(strings.needStance);
    addRationale(stance, span);
  } else if (key === "Enter") {
    const span = spanFromSelection();
    if (span) openSelectionMenu(span);
    else if (!window.getSelection().isCollapsed && unitOf(window.getSelection().anchorNode)) {
      return statusAnnounce(strings.selectionOneText); // it runs from one text into another
    } else if (state.focused) {
      const range = units.get(state.focused.unitKey).range(state.focused.start, state.focused.end);
      openSpanMenu(spansAt(state.focused.unitKey, state.focused.start), range.getBoundingClientRect());
    } else return;
  } else if (key === "s" && submitForm) {
    submitForm.requestSubmit();
  } else if ((key === "Delete" || key === "Backspace") && state.focused && state.focused.layer === "mention" && mine(state.focused)) {
    deleteMention(state.focused);
  } else {
    return;
  }
  event.preventDefault();
});

popover.addEventListener("keydown", (event) => {
  if (event.key === "Tab") trapTab(event);
});

function trapTab(event) {
  const focusable = [...popover.querySelectorAll("input, button, select, a[href]")];
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    last.focus();
    event.preventDefault();
  } else if (!event.shiftKey && document.activeElement === last) {
    first.focus();
    event.preventDefault();
  }
}

// --- Campaign task ---------------------------------------------------------------------------

// Submitting hands the work to an editor: not while a change is still unsaved.
// Asked to submit then, the reader does it once the last change is saved
// (and not at all if one is refused: the annotator must see what failed).
const submitForm = document.getElementById("task-submit-form");
let submitPending = false;

function submitWhenSaved() {
  if (!submitPending || queue.pending) return;
  submitPending = false;
  submitForm.requestSubmit();
}

function cancelSubmitWhenSaved() {
  if (!submitPending) return;
  submitPending = false;
  statusAnnounce(strings.submitCancelled);
}

if (submitForm) {
  submitForm.addEventListener("submit", (event) => {
    if (queue.pending) {
      event.preventDefault();
      submitPending = true;
      statusAnnounce(format(strings.submitWhenSaved, { count: queue.pending }));
    } else if (!state.mentions.some(mine) && !state.stances.some(mine) && !window.confirm(strings.submitNothing)) {
      // Handing in an article with nothing marked is allowed (it may state no claim), but asked.
      event.preventDefault();
    }
  });
}

// --- Layers and reveal ----------------------------------------------------------------------

for (const box of document.querySelectorAll("[data-layer]")) {
  box.addEventListener("change", () => {
    const layers = box.dataset.layer === "entity" ? ENTITY_TYPES.map((type) => `entity-${type}`) : [box.dataset.layer];
    for (const layer of layers) highlighter.toggle(layer, box.checked);
  });
}
$("reveal-bidi").addEventListener("change", (event) => document.body.classList.toggle("reveal-bidi", event.target.checked));
$("help-button").addEventListener("click", () => $("help-dialog").showModal());

// --- Start ---------------------------------------------------------------------------------------

redraw();
queue.ready.then(() => {
  // Work left unsaved on any article (this one or another), in this tab or a closed one, is saved now.
  if (queue.pending) {
    redraw();
    statusElement.textContent = format(strings.restored, { count: queue.pending });
    queue.kick();
  }
  performance.mark("reader-ready");
  document.body.dataset.readerReady = "true";
});
