"""Entity extraction throughput and memory of one Celery worker process.

Imports N articles of about 3 KB (built from the demo pages) into a fresh
PostgreSQL database, queues their extraction runs on Redis, then starts one
worker process (`--pool solo`, so the process measured is the one doing the
work) and times it until every run is done, sampling its resident memory.
Also reports the extractor alone (tagging only, no database) in this process.
`--listed N` first puts N names on the name list (phrases of one to three
words from the articles themselves), which every extraction also looks for.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsdesk REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.extraction --articles 1000
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


def three_kb_articles(count: int) -> list[dict]:
    pages = [p.read_text(encoding="utf-8") for p in sorted((REPO / "newsdesk" / "demo" / "pages").glob("*.txt"))]
    records = []
    for number in range(count):
        body = ""
        page = number
        while len(body.encode()) < 3000:
            lines = [line.strip() for line in pages[page % len(pages)].splitlines() if len(line.strip()) > 40]
            body += "\n".join(lines) + "\n"
            page += 1
        records.append(
            {"url": f"https://bench.example/x/{number}", "title": f"مقال رقم {number}", "body": body[:3000], "source": "Bench"}
        )
    return records


def phrases_to_list(records: list[dict], count: int):
    """`count` organisation names as a newsroom's list holds them: one in a
    hundred a phrase of two or three words from the articles (which, built
    from seven demo pages, each hold it again and again), the others names
    the articles never use."""
    from annotations.services.name_lists import ListedName

    words = [word.strip(".،:") for record in records for word in record["body"].split() if len(word) > 3]
    found: dict[str, None] = {}
    for start in range(0, len(words), 7):
        if len(found) >= count // 100:
            break
        found.setdefault(" ".join(words[start : start + 2 + start % 2]))
    names = [*found, *(f"مؤسسة الأفق رقم {number}" for number in range(count - len(found)))]
    return [ListedName(line, name, "ORG") for line, name in enumerate(names, start=2)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--listed", type=int, default=0, help="names on the name list (manage.py import_names)")
    args = parser.parse_args()
    base_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base_url.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the worker needs both.")

    from benchmarks.api import bench_database, process_tree_memory

    url, drop = bench_database(base_url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "benchmark-" + "k" * 50, "LOG_LEVEL": "WARNING"}
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "newsdesk.settings"})
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from annotations.models import ExtractionRun
        from annotations.services.extraction import current_extractor, taught_names
        from annotations.services.name_lists import list_names
        from newsdesk.services.ingestion import import_paths

        call_command("migrate", verbosity=0)
        records = three_kb_articles(args.articles)
        mean_bytes = sum(len(r["body"].encode()) for r in records) / len(records)
        listed = list_names(phrases_to_list(records, args.listed)).listed if args.listed else 0

        # The extractor alone, in this process.
        extractor = current_extractor()
        taught = taught_names()
        sample = [r["body"] for r in records[:200]]
        started = time.perf_counter()
        tokens = sum(len(extractor.extract(text, taught)) for text in sample)
        alone = len(sample) / (time.perf_counter() - started)

        with tempfile.TemporaryDirectory() as tmp:
            feed = Path(tmp) / "feed.jsonl"
            feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
            report = import_paths([str(feed)])  # runs are recorded and sent to Redis; no worker runs yet
        assert report.imported == len(records), report.summary()
        total = ExtractionRun.objects.count()

        celery = Path(sys.executable).parent / "celery"
        worker = subprocess.Popen(
            [str(celery), "-A", "newsdesk", "worker", "-Q", "celery,extraction", "--pool", "solo", "--loglevel", "WARNING",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        peak = {"rss": 0}
        stop = threading.Event()

        def sample_memory():
            while not stop.wait(0.05):
                peak["rss"] = max(peak["rss"], process_tree_memory(worker.pid)[0])

        threading.Thread(target=sample_memory, daemon=True).start()
        first_done = None
        started = time.perf_counter()
        while True:
            done = ExtractionRun.objects.filter(state__in=["done", "failed"]).count()
            if done and first_done is None:
                first_done = time.perf_counter()  # the worker has started and loaded its model
            if done >= total:
                break
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"only {done} of {total} runs finished in 30 minutes")
            time.sleep(0.2)
        finished = time.perf_counter()
        stop.set()
        failed = ExtractionRun.objects.filter(state="failed").count()
        elapsed = finished - first_done

        on_list = f", {listed:,} names on the name list" if listed else ""
        print(f"\nEntity extraction, {total:,} articles of {mean_bytes:,.0f} bytes on average, model {extractor.version}{on_list}\n")
        print("| measurement | articles/s | peak RSS (MB) |")
        print("|---|---:|---:|")
        print(f"| one worker process (--pool solo), with database writes | {total / elapsed:,.0f} | {peak['rss'] / 2**20:.0f} |")
        print(f"| extractor alone, in-process, {len(sample)} articles | {alone:,.0f} | |")
        print(f"\nfailed runs: {failed}; entities found by the extractor alone: {tokens:,}")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
