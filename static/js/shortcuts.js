// Keyboard shortcuts of the list and review pages, declared in the HTML:
// an element with data-shortcut="n" is clicked by the key n; rows marked
// data-row are walked with j / k (reading order) and Enter opens the row's
// [data-row-open] link; in a focused row, digit keys press its [data-key] buttons.
import { shortcutKey } from "./keys.js";

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable], dialog[open]");
}

const rows = [...document.querySelectorAll("[data-row]")];

function focusRow(step) {
  if (!rows.length) return;
  const current = rows.indexOf(document.activeElement.closest("[data-row]"));
  const next = current === -1 ? (step > 0 ? 0 : rows.length - 1) : Math.min(Math.max(current + step, 0), rows.length - 1);
  rows[next].focus();
  rows[next].scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  const key = shortcutKey(event);
  const row = document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-row]") : null;
  if (key === "j" || key === "k") {
    focusRow(key === "j" ? 1 : -1);
  } else if (key === "Enter" && row && row === document.activeElement) {
    const link = row.querySelector("[data-row-open]");
    if (!link) return;
    link.click();
  } else if (row && /^[1-9]$/.test(key) && row.querySelector(`[data-key="${key}"]`)) {
    row.querySelector(`[data-key="${key}"]`).click();
  } else {
    const target = document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`);
    if (!target) return;
    target.click();
  }
  event.preventDefault();
});

// After a decision the page reloads: keep the focus on the row that was decided.
const focused = window.sessionStorage.getItem("newsdesk.row");
if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
document.addEventListener("submit", (event) => {
  const row = event.target.closest("[data-row]");
  if (row && row.id) window.sessionStorage.setItem("newsdesk.row", row.id);
});

// A comment typed in one form survives the reload another form's button causes
// (a final label chosen on the comparison page while a review comment is half
// written), and the page comes back where it was rather than at its top.
const DRAFTS = `newsdesk.drafts:${window.location.pathname}`;
const drafts = JSON.parse(window.sessionStorage.getItem(DRAFTS) || "{}");
for (const [id, text] of Object.entries(drafts)) {
  const box = document.getElementById(id);
  if (box && box.tagName === "TEXTAREA" && !box.value) box.value = text;
}
document.addEventListener("input", (event) => {
  if (event.target.tagName !== "TEXTAREA" || !event.target.id) return;
  drafts[event.target.id] = event.target.value;
  window.sessionStorage.setItem(DRAFTS, JSON.stringify(drafts));
});
const SCROLL = `newsdesk.scroll:${window.location.pathname}`;
const scrolled = window.sessionStorage.getItem(SCROLL);
if (scrolled !== null) {
  window.sessionStorage.removeItem(SCROLL);
  window.scrollTo(0, Number(scrolled));
}
document.addEventListener("submit", (event) => {
  // The form sent takes its own text along: its draft is done with.
  for (const box of event.target.querySelectorAll("textarea[id]")) delete drafts[box.id];
  window.sessionStorage.setItem(DRAFTS, JSON.stringify(drafts));
  window.sessionStorage.setItem(SCROLL, String(window.scrollY));
});
