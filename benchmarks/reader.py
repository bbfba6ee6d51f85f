"""The reader on a heavy article, in headless Chromium.

A 200 KB Arabic article (text from the demo pages, repeated) with 1,000 claim
mentions, 100 stances with rationales and its entity suggestions, served by
Django on a throwaway SQLite database. Measures, over several page loads:

- the server's answer (time to first byte) and the page's size;
- when the reader is interactive (its module has indexed the text and drawn
  every highlight layer), from the start of navigation;
- moving the focus to the next highlight (`j`), and opening the popover for
  a fresh selection, measured inside the page.

    .venv/bin/python -m benchmarks.reader          (needs Debian's chromium)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.api import free_port, wait_for_port

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOADS = 5
TARGET_BYTES = 200_000
MENTIONS = 1000


def build(database: Path) -> tuple[int, str]:
    """The heavy article and an annotator's session key."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from annotations.models import Claim, ClaimMention, Stance, StanceRationale
    from newsdesk.models import Article, ArticleRevision
    from newsdesk.readers import PageRecord
    from newsdesk.segmentation import PARAGRAPH, TITLE, Block
    from newsdesk.services.ingestion import ImportReport, ingest_records

    call_command("migrate", verbosity=0)
    demo = (REPO / "newsdesk" / "demo" / "pages" / "01_wahat_dam_minister.txt").read_text(encoding="utf-8")
    lines = [line for line in demo.splitlines() if len(line) > 80]
    paragraphs, size = [], 0
    while size < TARGET_BYTES:
        line = lines[len(paragraphs) % len(lines)]
        paragraphs.append(line)
        size += len(line.encode("utf-8")) + 1
    record = PageRecord(
        origin="bench", source_name="الواحة اليوم", source_slug="wahat", source_domain="", language="ar",
        blocks=[Block(TITLE, "مقال طويل للقياس", "ar")] + [Block(PARAGRAPH, p, "ar") for p in paragraphs],
        comments=[], url="https://news.example/long", published_at=timezone.now(), raw_format="manual",
    )
    ingest_records([record], report=ImportReport())
    article = Article.objects.get(url="https://news.example/long")
    revision = ArticleRevision.objects.get(id=article.current_revision_id)
    text = revision.text
    user = get_user_model().objects.create_user("bench-reader", password="x")
    user.groups.add(Group.objects.get_or_create(name="annotator")[0])
    claims = [Claim.objects.create(text=f"ادعاء {n}", created_by=user) for n in range(50)]
    step = len(text) // MENTIONS
    mentions = []
    for n in range(MENTIONS):
        start = n * step
        while text[start] in " \n":
            start += 1
        end = min(start + 12, len(text))
        while text[end - 1] in " \n":
            end -= 1
        mentions.append(ClaimMention(article=article, revision=revision, start=start, end=end, quote=text[start:end], claim=claims[n % 50], annotator=user))
    ClaimMention.objects.bulk_create(mentions)
    for n, claim in enumerate(claims):
        stance = Stance.objects.create(article=article, claim=claim, label="discuss", annotator=user)
        m = mentions[n * 7]
        StanceRationale.objects.create(stance=stance, article=article, revision=revision, start=m.start, end=m.end, quote=m.quote)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return article.id, session.session_key


def main() -> None:
    if not Path("/usr/bin/chromium").exists():
        sys.exit("Needs Debian's chromium (apt-get install chromium fonts-noto-core).")
    with tempfile.TemporaryDirectory() as workdir:
        database = Path(workdir) / "reader.sqlite3"
        article_id, session_key = build(database)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "true"}
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(Path(workdir) / "server.log", "w"),
        )
        try:
            wait_for_port(port)
            try:
                measure(f"http://127.0.0.1:{port}", article_id, session_key)
            except SystemExit:
                print((Path(workdir) / "server.log").read_text()[-3000:])
                raise
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=10)


def measure(base: str, article_id: int, session_key: str) -> None:
    from playwright.sync_api import sync_playwright

    url = f"{base}/articles/{article_id}/"
    ttfb, ready, focus, popover, sizes = [], [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        for _ in range(LOADS):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.on("console", lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None)
            page.goto(url)
            try:
                page.wait_for_selector("body[data-reader-ready]", timeout=60_000)
            except Exception:
                sys.exit(f"The reader did not start at {page.url}: {errors or 'no script error'}")
            timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
            ttfb.append(timing["responseStart"] - timing["startTime"])
            sizes.append(timing["decodedBodySize"])
            ready.append(page.evaluate("() => performance.getEntriesByName('reader-ready')[0].startTime"))
            focus.append(page.evaluate("""() => { const t = performance.now();
                document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j', bubbles: true}));
                return performance.now() - t; }"""))
            popover.append(page.evaluate("""() => new Promise((resolve) => {
                const node = document.querySelectorAll('[data-unit=article] [data-start]')[40].firstChild;
                const range = document.createRange(); range.setStart(node, 2); range.setEnd(node, 20);
                const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
                const t = performance.now();
                document.querySelector('[data-unit=article]').dispatchEvent(new MouseEvent('mouseup', {bubbles: true, button: 0}));
                const check = () => document.getElementById('popover').hidden ? requestAnimationFrame(check) : resolve(performance.now() - t);
                check(); })"""))
            context.close()
        browser.close()

    def row(name, values, unit="ms", target=""):
        print(f"| {name} | {statistics.median(values):,.0f} {unit} | {max(values):,.0f} {unit} | {target} |")

    print(f"\nReader: one article of {sizes[0] / 1000:,.0f} KB of HTML, {MENTIONS:,} claim mentions, 50 stances with rationales; "
          f"{LOADS} loads in headless Chromium\n")
    print("| measure | median | worst | target |")
    print("| --- | ---: | ---: | --- |")
    row("server answer (time to first byte)", ttfb)
    row("interactive: text indexed, every layer drawn", ready, target="quick (DESIGN.md)")
    row("`j`: focus the next highlight (script time)", focus)
    row("selection → popover shown", popover)


if __name__ == "__main__":
    main()
