"""API latency, export throughput and memory, served by gunicorn as in production.

On PostgreSQL (DATABASE_URL must point at one; a database `<name>_bench_api`
is created and dropped), with 10,000 articles, 50,000 claim mentions and
10,000 stances, this measures:

- the article list (50 per page), first page and a deep page, at 16 concurrent clients;
- creating a claim mention, one client at a time and 16 at once;
- the full JSON Lines export: articles/s and the serving worker's peak memory;
- idle memory of the web server (gunicorn, all processes) plus one Celery worker.

Load comes from wrk (Debian package `wrk`) against 127.0.0.1, each run
bounded to a few seconds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsdesk REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.api
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("P50_US %d\\n", latency:percentile(50.0)))
  io.write(string.format("P95_US %d\\n", latency:percentile(95.0)))
  io.write(string.format("REQUESTS %d\\n", summary.requests))
  io.write(string.format("NON2XX %d\\n", summary.errors.status))
  io.write(string.format("SOCKET_ERRORS %d\\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10) -> None:
    """Until a server listens on 127.0.0.1:port (or the time is up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def bench_database(base_url: str):
    import psycopg2
    from psycopg2 import sql

    head, _, name = base_url.rpartition("/")
    bench = f"{name}_bench_api"
    admin = psycopg2.connect(f"{head}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(bench)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench)))

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(bench)))

    return f"{head}/{bench}", drop


# New mentions each server shape may create: more than 16 clients make in a run.
BODIES_PER_SHAPE = 10_000


def populate(articles: int, mentions_per_article: int, workdir: Path, shapes: int = 1) -> dict:
    """Import the articles and bulk-create claims, mentions and stances. Returns what the load needs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from annotations.models import Claim, ClaimMention, Layer, Stance, StanceRationale
    from benchmarks.ingest import build_inputs
    from newsdesk.api.auth import issue_token
    from newsdesk.bulk import insert_rows
    from newsdesk.models import Article
    from newsdesk.services.ingestion import import_paths

    call_command("migrate", verbosity=0)
    _, feed = build_inputs(workdir, articles, pages=False)
    report = import_paths([str(feed)])
    assert report.imported == articles, report.summary()

    user = get_user_model().objects.create_user("bench-annotator")
    user.groups.add(Group.objects.get_or_create(name="annotator")[0])
    _, key = issue_token(user=user, name="bench", read_only=False)
    claims = [Claim.objects.create(text=f"ادعاء رقم {n}", created_by=user) for n in range(100)]
    now = timezone.now()
    phrases = ["السد", "الوزير", "البنك الدولي", "المياه", "نهاية"]
    with transaction.atomic():
        mention_rows, stance_rows = [], []
        for article in Article.objects.select_related("current_revision").iterator(chunk_size=1000):
            text = article.current_revision.text
            made = 0
            position = 0
            while made < mentions_per_article:
                phrase = phrases[made % len(phrases)]
                start = text.find(phrase, position) if position < len(text) else -1
                if start < 0:
                    start, phrase = made, text[made : made + 5]  # a span of its own: one mention per span
                mention_rows.append(
                    {
                        "article_id": article.id, "revision_id": article.current_revision_id, "comment_id": None,
                        "start": start, "end": start + len(phrase), "quote": phrase,
                        "claim_id": claims[article.id % len(claims)].id, "annotator_id": user.id, "version": 1,
                        "layer": Layer.ANNOTATION, "created_at": now, "updated_at": now,
                    }
                )
                position = start + 1
                made += 1
            stance_rows.append(
                {
                    "claim_id": claims[article.id % len(claims)].id, "article_id": article.id, "comment_id": None,
                    "label": "discuss", "note": "", "note_dir": "", "annotator_id": user.id, "version": 1,
                    "layer": Layer.ANNOTATION, "created_at": now, "updated_at": now,
                }
            )
        insert_rows(ClaimMention, mention_rows)
        stance_ids = insert_rows(Stance, stance_rows)
        insert_rows(
            StanceRationale,
            [
                {**{k: row[k] for k in ("article_id", "revision_id", "comment_id", "start", "end", "quote")}, "stance_id": stance_id, "position": 0}
                for row, stance_id in zip(mention_rows[::mentions_per_article], stance_ids)
            ],
        )
    # New mentions to create, each one new: the span of "السد" in every article,
    # pointed at claims other than the one it already states.
    spans = [row for row in mention_rows if row["quote"] == "السد"]
    bodies = [
        json.dumps(
            {"article": row["article_id"], "claim": claims[(row["article_id"] + shift) % len(claims)].id,
             "start": row["start"], "end": row["end"], "quote": row["quote"]},
            ensure_ascii=False,
        )
        # (a shift of len(claims) would be the claim the span already states)
        for shift in range(1, min(len(claims), 1 + shapes * -(-BODIES_PER_SHAPE // max(len(spans), 1))))
        for row in spans
    ]
    return {
        "key": key,
        "mention_bodies": bodies,
        "mentions": ClaimMention.objects.count(),
        "articles": Article.objects.count(),
    }


def process_tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes, summed over a process and its children. RSS counts
    pages shared between the processes (libraries, memory a fork shares) once
    per process; PSS divides each shared page among its sharers, so its sum
    is what the tree really takes."""
    import psutil

    try:
        root = psutil.Process(pid)
        infos = [p.memory_full_info() for p in [root, *root.children(recursive=True)]]
    except psutil.NoSuchProcess:
        return 0, 0
    return sum(i.rss for i in infos), sum(i.pss for i in infos)


WRK_THREADS = 2
# Each request sends the next body of the file, which wrk's threads share out
# between them, so that no two requests create the same mention.
WRK_BODIES = """
local shards = 0
function setup(thread) thread:set("shard", shards); shards = shards + 1 end
function init(args)
  bodies, position = {}, 0
  local line_number = 0
  for line in io.lines("%s") do
    if line_number %% %d == shard then bodies[#bodies + 1] = line end
    line_number = line_number + 1
  end
end
function request()
  position = position %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[position])
end
"""


def wrk(url: str, *, key: str, connections: int, seconds: int, method: str = "GET", bodies: list[str] | None = None) -> dict:
    script = f'wrk.method = "{method}"\nwrk.headers["Authorization"] = "Bearer {key}"\n'
    if bodies is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as body_file:
            body_file.write("\n".join(bodies) + "\n")
        script += 'wrk.headers["Content-Type"] = "application/json"\n' + WRK_BODIES % (body_file.name, WRK_THREADS)
    script += WRK_REPORT
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    result = subprocess.run(
        ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", handle.name, url],
        capture_output=True, text=True, check=True,
    )
    os.unlink(handle.name)
    values = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.split(" ", 1)[0].isupper() and " " in line)
    return {
        "p50_ms": int(values["P50_US"]) / 1000,
        "p95_ms": int(values["P95_US"]) / 1000,
        "requests": int(values["REQUESTS"]),
        "rate": int(values["REQUESTS"]) / seconds,
        "non2xx": int(values["NON2XX"]),
        "socket_errors": int(values["SOCKET_ERRORS"]),
    }


def sequential_posts(port: int, *, key: str, bodies: list[str]) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    timings, failures = [], 0
    for body in bodies:
        started = time.perf_counter()
        connection.request("POST", "/api/v1/mentions/", body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        failures += response.status != 201
    timings.sort()
    return {"p50_ms": statistics.median(timings), "p95_ms": timings[int(len(timings) * 0.95) - 1], "requests": len(bodies), "non2xx": failures}


def deep_page_path(port: int, *, key: str, pages: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    path = "/api/v1/articles/?page_size=50"
    for _ in range(pages):
        connection.request("GET", path, headers={"Authorization": f"Bearer {key}"})
        page = json.loads(connection.getresponse().read())
        path = page["next"].split("127.0.0.1", 1)[-1].split(f":{port}", 1)[-1]
    return path


def export(port: int, *, key: str, gunicorn_pid: int) -> dict:
    import psutil

    workers = psutil.Process(gunicorn_pid).children()
    peak = {"rss": 0}
    stop = threading.Event()

    def sample():
        while not stop.wait(0.02):
            for worker in workers:
                try:
                    peak["rss"] = max(peak["rss"], worker.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", "/api/v1/export/articles.jsonl", headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    lines = 0
    while chunk := response.read(1 << 20):
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return {"articles": lines, "seconds": elapsed, "rate": lines / elapsed, "peak_mb": peak["rss"] / 2**20}


def stop(processes: list[subprocess.Popen]) -> None:
    """End the processes this script started: politely, then for good."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def measure_server(venv_bin: Path, env: dict, data: dict, *, workers: int, threads: int, seconds: int, worker) -> None:
    """Serve the benchmark database with gunicorn (`workers` processes of
    `threads` threads; one thread is gunicorn's sync worker, as in production),
    measure, print the tables, and stop the server."""
    port = free_port()
    command = [str(venv_bin / "gunicorn"), "newsdesk.wsgi:application", "-c", str(REPO / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]
    if threads > 1:
        command += ["--threads", str(threads), "--worker-class", "gthread"]
    # The access log stays on, as in production; its lines go nowhere.
    gunicorn = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        wrk(f"{base}/api/v1/articles/?page_size=50", key=data["key"], connections=4, seconds=2)  # warm up
        time.sleep(3)
        idle_web = process_tree_memory(gunicorn.pid)
        idle_worker = process_tree_memory(worker.pid) if worker else (0, 0)

        rows = []
        first = wrk(f"{base}/api/v1/articles/?page_size=50", key=data["key"], connections=16, seconds=seconds)
        rows.append(("list, first page, 16 clients", first))
        deep = deep_page_path(port, key=data["key"], pages=min(100, data["articles"] // 50 - 1))
        rows.append(("list, page 100, 16 clients", wrk(base + deep, key=data["key"], connections=16, seconds=seconds)))
        # Bodies no earlier server shape used: each create is a new mention.
        sequential, concurrent = data["mention_bodies"][:300], data["mention_bodies"][300:BODIES_PER_SHAPE]
        del data["mention_bodies"][:BODIES_PER_SHAPE]
        rows.append(("create mention, sequential", sequential_posts(port, key=data["key"], bodies=sequential)))
        rows.append(
            ("create mention, 16 clients", wrk(f"{base}/api/v1/mentions/", key=data["key"], connections=16, seconds=seconds, method="POST", bodies=concurrent))
        )
        exported = export(port, key=data["key"], gunicorn_pid=gunicorn.pid)
    finally:
        stop([gunicorn])

    shape = f"{workers} workers x {threads} threads" if threads > 1 else f"{workers} sync workers"
    print(f"\nAPI on PostgreSQL, gunicorn {shape}, {data['articles']:,} articles, {data['mentions']:,} mentions\n")
    print("| measurement | p50 (ms) | p95 (ms) | requests | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    for label, row in rows:
        print(f"| {label} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['requests']:,} | {row['non2xx']} |")
    print("\n| export | articles | seconds | articles/s | worker peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| JSON Lines, all annotated | {exported['articles']:,} | {exported['seconds']:.2f} | {exported['rate']:,.0f} | {exported['peak_mb']:.0f} |")
    print("\n| idle memory | RSS (MB) | PSS (MB) |")
    print("|---|---:|---:|")
    mb = 2**20
    print(f"| web (gunicorn, master + {workers} workers) | {idle_web[0] / mb:.0f} | {idle_web[1] / mb:.0f} |")
    if worker:
        print(f"| Celery worker (concurrency 1) | {idle_worker[0] / mb:.0f} | {idle_worker[1] / mb:.0f} |")
        print(f"| web + worker | {(idle_web[0] + idle_worker[0]) / mb:.0f} | {(idle_web[1] + idle_worker[1]) / mb:.0f} |")
    else:
        print("| Celery worker | not measured: REDIS_URL unset |")
    sys.stdout.flush()


def server_shape(text: str) -> tuple[int, int]:
    """"3x1" → (3 workers, 1 thread)."""
    workers, _, threads = text.partition("x")
    if not (workers.isdigit() and threads.isdigit() and int(workers) > 0 and int(threads) > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not WORKERSxTHREADS, e.g. 3x1")
    return int(workers), int(threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--mentions-per-article", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument(
        "--servers", nargs="+", type=server_shape, default=[(3, 1)], metavar="WORKERSxTHREADS",
        help="gunicorn shapes to measure in turn (default 3x1: gunicorn.conf.py's 3 sync workers, as in production)",
    )
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the figures are for PostgreSQL.")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    url, drop = bench_database(base_url)
    env = {
        **os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "benchmark-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "newsdesk.settings",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")})
    os.environ.pop("REDIS_URL", None)
    processes = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            data = populate(args.articles, args.mentions_per_article, Path(tmp), shapes=len(args.servers))
            print(f"populated {data['articles']:,} articles and {data['mentions']:,} mentions in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        venv_bin = Path(sys.executable).parent
        worker = None
        if env.get("REDIS_URL"):
            worker = subprocess.Popen(
                [str(venv_bin / "celery"), "-A", "newsdesk", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            processes.append(worker)
        for workers, threads in args.servers:
            measure_server(venv_bin, env, data, workers=workers, threads=threads, seconds=args.seconds, worker=worker)
    finally:
        stop(processes)
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
