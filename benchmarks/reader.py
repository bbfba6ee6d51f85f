"""The reader on a heavy article and on a normal one, in headless Chromium.

A 200 KB Arabic article (text from the demo pages, repeated) with 1,000 claim
mentions and 50 stances with rationales, and a normal demo article, served as
in production (gunicorn, DEBUG off, static files by WhiteNoise) from a
throwaway database: PostgreSQL when DATABASE_URL names one (a database
`<name>_bench_api` is created and dropped), SQLite otherwise. Measures, over several page loads:

- server time: for the page and for every request it makes (styles, modules,
  fonts), the time Django took to answer (its `Server-Timing` header), summed;
  and, for comparison, the time from request to first byte as the browser saw
  it, which adds the network stack and waiting for a worker;
- when the reader is interactive (its module has indexed the text and drawn
  every highlight layer), from the start of navigation;
- moving the focus to the next highlight (`j`), and opening the popover for
  a fresh selection, measured inside the page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsdesk .venv/bin/python -m benchmarks.reader
    .venv/bin/python -m benchmarks.reader          (SQLite; both need Debian's chromium)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.api import bench_database, free_port, wait_for_port

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOADS = 10
WARM_UP = 6  # so that every gunicorn worker has served the page
TARGET_BYTES = 200_000
MENTIONS = 1000
# Each load opens a fresh browser context (cold caches, every request made
# again); its new renderer process takes CPU from the two cores for a moment.
# Loads start once it has settled, so server time measures the server.
SETTLE_MS = 500


def build(database_url: str) -> tuple[int, int, str]:
    """The heavy article, a normal one, and an annotator's session key."""
    os.environ["DATABASE_URL"] = database_url
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
    from newsdesk.services.ingestion import ImportReport, import_paths, ingest_records

    call_command("migrate", verbosity=0)
    demo = (REPO / "newsdesk" / "demo" / "pages" / "01_wahat_dam_minister.txt").read_text(encoding="utf-8")
    lines = [line for line in demo.splitlines() if len(line) > 80]
    paragraphs, size = [], 0
    while size < TARGET_BYTES:
        line = lines[len(paragraphs) % len(lines)]
        paragraphs.append(line)
        size += len(line.encode("utf-8")) + 1
    record = PageRecord(
        origin="bench", source_name="مقالات القياس", source_slug="bench", source_domain="", language="ar",
        blocks=[Block(TITLE, "مقال طويل للقياس", "ar")] + [Block(PARAGRAPH, p, "ar") for p in paragraphs],
        comments=[], url="https://news.example/long", published_at=timezone.now(), raw_format="manual",
    )
    ingest_records([record], report=ImportReport())
    demo_report = import_paths([str(REPO / "newsdesk" / "demo" / "pages" / "01_wahat_dam_minister.txt")], source="الواحة اليوم")
    assert demo_report.imported == 1, demo_report.failures
    normal = Article.objects.exclude(url="https://news.example/long").get()
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
    return article.id, normal.id, session.session_key


def main() -> None:
    if not Path("/usr/bin/chromium").exists():
        sys.exit("Needs Debian's chromium (apt-get install chromium fonts-noto-core).")
    base_url = os.environ.get("DATABASE_URL", "")
    drop = None
    with tempfile.TemporaryDirectory() as workdir:
        if base_url.startswith("postgres"):
            database_url, drop = bench_database(base_url)
        else:
            database_url = f"sqlite:///{Path(workdir) / 'reader.sqlite3'}"
        os.environ["SECRET_KEY"] = "benchmark-" + "k" * 50  # sessions are signed with it: the server must share it
        heavy_id, normal_id, session_key = build(database_url)
        port = free_port()
        env = {
            **os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "ERROR", "STATIC_ROOT": str(Path(workdir) / "static"),
        }
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "compile_translations", "-v0"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "newsdesk.wsgi:application", "-c", str(REPO / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],  # as the Dockerfile runs it
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(Path(workdir) / "server.log", "w"),
        )
        try:
            wait_for_port(port)
            base = f"http://127.0.0.1:{port}"
            try:
                rows = [measure(base, f"/articles/{heavy_id}/", session_key), measure(base, f"/articles/{normal_id}/", session_key)]
            except SystemExit:
                print((Path(workdir) / "server.log").read_text()[-3000:])
                raise
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
            if drop is not None:
                from django.db import connections

                connections.close_all()
                drop()
    report(rows, database_url.split(":", 1)[0])


def measure(base: str, path: str, session_key: str) -> dict:
    from playwright.sync_api import sync_playwright

    server, first_byte, ready, focus, popover, sizes, requests = [], [], [], [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        for load in range(LOADS + WARM_UP):  # the first loads warm every server worker up and are not counted
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
            page = context.new_page()
            page.wait_for_timeout(SETTLE_MS)
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(base + path)
            try:
                page.wait_for_selector("body[data-reader-ready]", timeout=60_000)
            except Exception:
                sys.exit(f"The reader did not start at {page.url}: {errors or 'no script error'}")
            page.evaluate("() => document.fonts.ready")
            timings = page.evaluate("""() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                .map((entry) => ({
                    server: (entry.serverTiming.find((timing) => timing.name === 'app') || {duration: NaN}).duration,
                    firstByte: entry.responseStart - entry.requestStart,
                    size: entry.decodedBodySize,
                }))""")
            mark = page.evaluate("() => performance.getEntriesByName('reader-ready')[0].startTime")
            step = page.evaluate("""() => { const t = performance.now();
                document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j', bubbles: true}));
                return performance.now() - t; }""")
            shown = page.evaluate("""() => new Promise((resolve) => {
                const blocks = document.querySelectorAll('[data-unit=article] [data-start]:not(.block-empty)');
                const node = blocks[Math.min(4, blocks.length - 1)].firstChild;
                const range = document.createRange(); range.setStart(node, 2); range.setEnd(node, 20);
                const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
                const t = performance.now();
                document.querySelector('[data-unit=article]').dispatchEvent(new MouseEvent('mouseup', {bubbles: true, button: 0}));
                const check = () => document.getElementById('popover').hidden ? requestAnimationFrame(check) : resolve(performance.now() - t);
                check(); })""")
            context.close()
            if load < WARM_UP:
                continue
            server.append(sum(entry["server"] for entry in timings))
            first_byte.append(sum(entry["firstByte"] for entry in timings))
            sizes.append(timings[0]["size"])
            requests.append(len(timings))
            ready.append(mark)
            focus.append(step)
            popover.append(shown)
        browser.close()
    return {"path": path, "server": server, "first_byte": first_byte, "ready": ready, "focus": focus, "popover": popover, "size": sizes[0], "requests": requests[0]}


def report(rows: list[dict], database: str) -> None:
    heavy, normal = rows
    print(f"\nReader on {database}, served by gunicorn (DEBUG off), {LOADS} loads each in headless Chromium: a 200 KB article with "
          f"{MENTIONS:,} claim mentions and 50 stances with rationales ({heavy['size'] / 1000:,.0f} KB of HTML), and a normal "
          f"demo article ({normal['size'] / 1000:,.0f} KB)\n")
    print("| measure | heavy: median | heavy: worst | normal: median | normal: worst | target |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")

    def row(name, key, target=""):
        cells = " | ".join(f"{statistics.median(r[key]):,.0f} ms | {max(r[key]):,.0f} ms" for r in (heavy, normal))
        print(f"| {name} | {cells} | {target} |")

    row(f"server time (Server-Timing), page and its {heavy['requests'] - 1} requests", "server", "< 100 ms")
    row("the same as the browser waited (time to first byte)", "first_byte")
    row("interactive: text indexed, every layer drawn", "ready", "< 1 s")
    row("`j`: focus the next highlight (script time)", "focus")
    row("selection → popover shown", "popover")


if __name__ == "__main__":
    main()
