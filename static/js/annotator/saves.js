// No lost work: every change to annotations goes through this queue. It is
// kept in localStorage until the server confirms it, retried with backoff when
// the server or the network fails (also after a reload), sent with an
// Idempotency-Key so a retry never creates twice, and a conflict (someone else
// changed the same thing) is put to the user instead of being overwritten.

import { NetworkError, request } from "./api.js";

// One queue per user (several people may share a browser: work left unsaved by
// one is never sent as another's) and per tab: two tabs writing one stored list
// would overwrite each other's work. A tab holds a Web Lock named after its
// queue while it is open; on start it adopts the queues of this user's tabs that
// are gone (nobody holds their lock: a reload, a crash, a closed browser).
// Without Web Locks (a page served over plain HTTP to another host) a tab adopts
// every stored queue of its user when it starts.
const STORAGE_PREFIX = "newsdesk.saves.v3:";
const EARLIER_PREFIX = "newsdesk.saves.v2:"; // one queue per user, before queues were per tab
const MAX_DELAY_SECONDS = 30;

function newKey() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function storedItems(key) {
  try {
    return JSON.parse(window.localStorage.getItem(key) || "[]");
  } catch {
    return [];
  }
}

export class SaveQueue {
  /** `prepare(item)`, when given, may rewrite an item just before it is sent (it can fail like a request). */
  constructor({ owner, status, strings, onSaved, onConflict, onRejected, prepare = null, onDrained = null }) {
    this.prepare = prepare;
    this.onDrained = onDrained;
    this.ownerPrefix = `${STORAGE_PREFIX}${encodeURIComponent(owner)}:`;
    this.earlierKey = EARLIER_PREFIX + owner;
    this.storageKey = this.ownerPrefix + newKey();
    this.status = status;
    this.strings = strings;
    this.onSaved = onSaved;
    this.onConflict = onConflict;
    this.onRejected = onRejected;
    this.items = [];
    this.running = false;
    this.wake = null;
    this.retryButton = null;
    /** Settles once the work of closed tabs is in this queue. */
    this.ready = this._adoptClosedTabs();
  }

  async _adoptClosedTabs() {
    const locks = navigator.locks;
    if (locks) {
      // Held until this page goes away, when the browser lets it go.
      await new Promise((held) => {
        locks.request(this.storageKey, () => {
          held();
          return new Promise(() => {});
        });
      });
    }
    const keys = [];
    for (let index = 0; index < window.localStorage.length; index += 1) {
      const key = window.localStorage.key(index);
      if (key !== this.storageKey && (key === this.earlierKey || key.startsWith(this.ownerPrefix))) keys.push(key);
    }
    for (const key of keys) {
      if (locks) await locks.request(key, { ifAvailable: true }, (lock) => lock && this._adopt(key));
      else this._adopt(key);
    }
  }

  _adopt(key) {
    const known = new Set(this.items.map((item) => item.key));
    this.items.push(...storedItems(key).filter((item) => !known.has(item.key)));
    // Writes to one object go out in the order they were made.
    this.items.sort((a, b) => a.queuedAt - b.queuedAt);
    this._persist();
    window.localStorage.removeItem(key);
  }

  _persist() {
    if (this.items.length) window.localStorage.setItem(this.storageKey, JSON.stringify(this.items));
    else window.localStorage.removeItem(this.storageKey);
  }

  get pending() {
    return this.items.length;
  }

  /** Queue a write: {method, url, body, kind, label, scope, ref}. Returns the item. */
  add(write) {
    const item = { ...write, key: newKey(), attempts: 0, queuedAt: Date.now() };
    this.items.push(item);
    this._persist();
    this.kick();
    return item;
  }

  /** Items queued by an earlier page of this article (to show them as unsaved). */
  restored(scope) {
    return this.items.filter((item) => item.scope === scope);
  }

  /** Later writes to the same object were made on the version just replaced. */
  _rebase(url, version) {
    const base = url.split("?")[0];
    for (const later of this.items) {
      if (later.url.split("?")[0] !== base) continue;
      if (later.ifMatch) later.ifMatch = version;
      if (later.body && "version" in later.body) later.body.version = version;
    }
  }

  _show(state, text) {
    this.status.dataset.state = state;
    if (state !== "retrying") {
      this.status.textContent = text;
      return;
    }
    if (!this.retryButton) {
      this.retryButton = document.createElement("button");
      this.retryButton.type = "button";
      this.retryButton.className = "link-button";
      this.retryButton.textContent = this.strings.retryNow;
      this.retryButton.addEventListener("click", () => this.wake && this.wake());
    }
    const message = document.createElement("span");
    message.className = "retry-message";
    message.textContent = text;
    this.status.replaceChildren(message, " ", this.retryButton);
  }

  /** Wait `seconds` before the next attempt, counting down in the status; "Retry now" ends the wait. */
  _waitToRetry(seconds) {
    const say = (left) => this.strings.retrying.replace("{seconds}", String(left));
    this._show("retrying", say(seconds));
    const message = this.status.querySelector(".retry-message");
    let left = seconds;
    return new Promise((resolve) => {
      const ticker = window.setInterval(() => {
        left -= 1;
        if (left > 0) message.textContent = say(left);
        else done();
      }, 1000);
      const done = () => {
        window.clearInterval(ticker);
        this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }

  async kick() {
    if (this.running) return;
    this.running = true;
    try {
      await this.ready;
      while (this.items.length) {
        const item = this.items[0];
        this._show("saving", `${this.strings.saving} ${item.label || ""}`.trim());
        let result;
        try {
          if (this.prepare && (await this.prepare(item))) this._persist();
          const headers = item.method === "POST" ? { "Idempotency-Key": item.key } : {};
          if (item.ifMatch) headers["If-Match"] = `"${item.ifMatch}"`;
          result = await request(item.method, item.url, item.body, headers);
        } catch (error) {
          if (!(error instanceof NetworkError)) throw error;
          result = { ok: false, status: 0, data: null };
        }
        // Deleting what is already gone (another tab, an editor) has done what was asked.
        if (result.ok || (item.method === "DELETE" && result.status === 404)) {
          this.items.shift();
          if (result.data && result.data.version) this._rebase(item.url, result.data.version);
          this._persist();
          this.onSaved(item, result.data);
          this._show("saved", this.strings.saved);
          continue;
        }
        if (result.status === 409 || result.status === 412) {
          const choice = await this.onConflict(item, result.data && result.data.current, result.data && result.data.changed_by);
          if (choice === "retry") {
            // The caller rewrote the item (say, a create that must be an update).
            this._persist();
          } else if (choice === "mine" && result.data && result.data.current) {
            item.ifMatch = result.data.current.version;
            if (item.body && "version" in item.body) item.body.version = result.data.current.version;
            this._persist();
          } else {
            this.items.shift();
            this._persist();
            if (result.data && result.data.current) this.onSaved(item, result.data.current, { theirs: true });
            this._show("saved", this.strings.saved);
          }
          continue;
        }
        if (result.status === 0 || result.status >= 500 || result.status === 429) {
          item.attempts += 1;
          this._persist();
          await this._waitToRetry(Math.min(MAX_DELAY_SECONDS, 2 ** Math.min(item.attempts, 5)));
          continue;
        }
        // Refused for good (400, 403, 404): say why and drop it.
        this.items.shift();
        this._persist();
        const message = (result.data && result.data.error && result.data.error.message) || `HTTP ${result.status}`;
        this._show("failed", `${this.strings.failed} ${message}`);
        this.onRejected(item, message);
      }
      if (this.onDrained) this.onDrained();
    } finally {
      this.running = false;
    }
  }
}
