"""Ingestion throughput and peak memory, for JSON Lines and for raw text pages.

Builds N synthetic articles from the demo pages (each made unique), imports
them into a fresh database with the same service `import_articles` uses, and
prints articles/s and the peak resident memory of the importing process. Each
run happens in its own process so the memory figures do not mix.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsdesk REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m benchmarks.ingest
    .venv/bin/python -m benchmarks.ingest --sizes 1000 10000   # SQLite when DATABASE_URL is unset
    .venv/bin/python -m benchmarks.ingest --reading-only --sizes 10000   # reading alone, no database
    DATABASE_URL=... .venv/bin/python -m benchmarks.ingest --index-costs --sizes 10000   # the article table's indexes

On PostgreSQL the script creates and drops a database named `<name>_bench`.
With REDIS_URL, the imports send their extraction runs to database 15 of that
Redis server, as a production import sends them to the worker, and the
script empties it afterwards; without it, extraction runs in the importing
process (the quick start's way), which then dominates the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_PAGES = REPO / "newsdesk" / "demo" / "pages"


def build_inputs(folder: Path, count: int, pages: bool = True) -> tuple[Path, Path]:
    """`count` unique text pages in folder/pages (unless `pages` is false) and
    `count` JSON lines in folder/feed.jsonl."""
    templates = [path.read_text(encoding="utf-8") for path in sorted(DEMO_PAGES.glob("*.txt"))]
    page_dir = folder / "pages"
    page_dir.mkdir()
    with (folder / "feed.jsonl").open("w", encoding="utf-8") as feed:
        for number in range(count):
            template = templates[number % len(templates)]
            # A unique number in the title line(s) and the first paragraph makes every page distinct.
            title, rest = template.split("\n", 1)
            bare_title = title.rsplit(" - ", 1)[0]
            page = f"{title} {number}\n" + rest.replace(bare_title, f"{bare_title} {number}", 1)
            page = page.replace("السد", f"السد رقم {number}", 1)
            if pages:
                (page_dir / f"{number:06d}.txt").write_text(page, encoding="utf-8")
            lines = [line for line in page.split("\n") if line.strip()]
            record = {
                "url": f"https://bench.example/{number}",
                "title": lines[0],
                "body": "\n\n".join(lines[1:12]),
                "source": f"Bench outlet {number % 7}",
                "published_at": "2025-03-14T11:20:00+02:00",
                "comments": [
                    {"author": "قارئ", "text": f"تعليق رقم {number} 👍", "posted_at": "2025-03-14T13:05:00+02:00"},
                    {"author": "Rami", "text": "Same story every summer. الله يعين الناس 🙏"},
                ],
            }
            feed.write(json.dumps(record, ensure_ascii=False) + "\n")
    return page_dir, folder / "feed.jsonl"


class PeakMemory:
    """Samples this process's resident set size every 10 ms."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def child(kind: str, path: str) -> None:
    """Run one import in this process and print a JSON result line."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from newsdesk.models import Article
    from newsdesk.services.ingestion import import_paths

    with PeakMemory() as memory:
        started = time.perf_counter()
        report = import_paths([path])
        elapsed = time.perf_counter() - started
    assert not report.failures, report.failures[:3]
    print(
        json.dumps(
            {
                "kind": kind,
                "imported": report.imported,
                "articles": Article.objects.count(),
                "seconds": elapsed,
                "peak_mb": memory.peak / 2**20,
            }
        )
    )


def reading_only(sizes: list[int]) -> None:
    """Print the CPU time of reading the inputs alone (parsing, segmenting,
    hashing, folding the search copy; no database), best of three: the part
    of an import that its read-ahead thread does."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    django.setup()
    from django.utils import timezone

    from newsdesk.readers import PageRecord, SourceChoice, expand_paths, iter_records

    print("| input | N | CPU seconds (best of 3) | µs per article |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            pages, feed = build_inputs(folder, size)
            for kind, path in (("JSON Lines", feed), ("raw text pages", pages)):
                paths = expand_paths([str(path)]).paths
                best = float("inf")
                for _ in range(3):
                    started = time.process_time()
                    for item in iter_records(paths, choice=SourceChoice(None), now=timezone.now(), max_bytes=10**7):
                        if isinstance(item, PageRecord):
                            item.page_hash, item.search_text, item.text_notes  # noqa: B018 (computed on reading)
                    best = min(best, time.process_time() - started)
                print(f"| {kind} | {size:,} | {best:.2f} | {best / size * 1e6:,.0f} |")


INDEX_VARIANTS = (
    ("no index", lambda name: False),
    ("the b-tree indexes", lambda name: name != "article_search_arabic"),
    ("the full-text search index only", lambda name: name == "article_search_arabic"),
    ("every index, as stored", lambda name: True),
)


def index_costs(url: str, article_count: int) -> None:
    """Time writing the imported articles' rows again into copies of their table
    that carry none, some or all of its indexes: what each index costs an import."""
    import psycopg2

    print("| article table with | rows | seconds | rows/s |")
    print("|---|---:|---:|---:|")
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'newsdesk_article'")
        indexes = cursor.fetchall()
        for label, keep in INDEX_VARIANTS:
            cursor.execute("DROP TABLE IF EXISTS bench_articles")
            cursor.execute("CREATE TABLE bench_articles (LIKE newsdesk_article INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMPRESSION)")
            for name, definition in indexes:
                if keep(name):
                    cursor.execute(definition.replace(name, f"bench_{name}", 1).replace("public.newsdesk_article", "public.bench_articles", 1))
            connection.commit()
            started = time.perf_counter()
            cursor.execute("INSERT INTO bench_articles SELECT * FROM newsdesk_article")
            connection.commit()
            elapsed = time.perf_counter() - started
            print(f"| {label} | {article_count:,} | {elapsed:.2f} | {article_count / elapsed:,.0f} |")
        cursor.execute("DROP TABLE bench_articles")


def fresh_database(base_url: str | None, workdir: Path) -> tuple[str, callable]:
    """A DATABASE_URL for an empty database, and a function that drops it."""
    if not base_url:
        path = workdir / f"bench-{time.monotonic_ns()}.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    import psycopg2
    from psycopg2 import sql

    head, _, name = base_url.rpartition("/")
    bench = f"{name}_bench"
    admin = psycopg2.connect(f"{head}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(bench)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench)))

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(bench)))

    return f"{head}/{bench}", drop


def bench_broker(redis_url: str) -> str:
    """The broker the imports send extraction runs to: database 15 of REDIS_URL's
    server, emptied after each run (no worker consumes it). Empty without REDIS_URL,
    and then extraction runs in the importing process, as in the quick start."""
    if not redis_url:
        return ""
    head, _, last = redis_url.rstrip("/").rpartition("/")
    return f"{head}/15" if last.isdigit() else f"{redis_url.rstrip('/')}/15"


def flush_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--reading-only", action="store_true", help="time reading the inputs alone, without a database")
    parser.add_argument("--index-costs", action="store_true", help="after the JSON Lines import, time what each index of the article table costs (PostgreSQL)")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.reading_only:
        reading_only(args.sizes)
        return

    base_url = os.environ.get("DATABASE_URL")
    if args.index_costs and not (base_url or "").startswith("postgres"):
        sys.exit("--index-costs measures PostgreSQL's indexes: set DATABASE_URL to a PostgreSQL database.")
    engine = "PostgreSQL" if base_url and base_url.startswith("postgres") else "SQLite"
    broker = bench_broker(os.environ.get("REDIS_URL", ""))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            pages, feed = build_inputs(folder, size)
            inputs = (("JSON Lines", feed),) if args.index_costs else (("JSON Lines", feed), ("raw text pages", pages))
            for kind, path in inputs:
                url, drop = fresh_database(base_url, Path(tmp))
                try:
                    # DEBUG off, as in production (DEBUG on would also keep every query in memory).
                    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "benchmark-" + "k" * 50}
                    if broker:
                        env["REDIS_URL"] = broker
                    else:
                        env.pop("REDIS_URL", None)
                    result = subprocess.run(
                        # As a module: run as a file, benchmarks/queue.py would shadow the standard library's queue.
                        [sys.executable, "-m", "benchmarks.ingest", "--child", kind, str(path)],
                        cwd=REPO,
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
                    if args.index_costs:
                        print(f"\nWriting the {rows[-1]['imported']:,} imported article rows again (INSERT … SELECT):\n")
                        index_costs(url, rows[-1]["imported"])
                finally:
                    drop()
                    if broker:
                        flush_broker(broker)

    extraction = "sent to Redis, as in production" if broker else "run in-process (REDIS_URL unset)"
    print(f"\nIngestion on {engine}, one process, batch size from NEWSDESK_IMPORT_BATCH_SIZE (default 500)")
    print(f"Entity extraction: {extraction}\n")
    print("| input | N | seconds | articles/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        rate = row["imported"] / row["seconds"]
        print(f"| {row['kind']} | {row['imported']:,} | {row['seconds']:.2f} | {rate:,.0f} | {row['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
