""""Next task" latency under concurrency, on PostgreSQL.

A campaign of 5,000 articles with overlap 2 (10,000 tasks) and 16 annotators,
each in its own process with its own database connection, taking the next task
and submitting it as fast as they can. Reports the latency of "next task"
(the locked slot hand-out) and of "submit", and checks afterwards that no
article got more than 2 annotators and no task was handed out twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsdesk .venv/bin/python -m benchmarks.queue

A database `<name>_bench_api` is created and dropped.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def annotate(person_id: int, campaign_id: int, tasks: int, think_ms: int, barrier, results) -> None:
    """One annotator's process: take the next task, "annotate" for `think_ms`,
    submit it; `tasks` times."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from annotations.services import queue as task_queue

    next_ms, submit_ms, errors = [], [], []
    try:
        person = get_user_model().objects.get(id=person_id)
        barrier.wait()
        for _ in range(tasks):
            started = time.perf_counter()
            task = task_queue.next_task(annotator=person, campaign_id=campaign_id)
            next_ms.append((time.perf_counter() - started) * 1000)
            if task is None:
                break
            if think_ms:
                time.sleep(think_ms / 1000)
            started = time.perf_counter()
            task_queue.submit_task(annotator=person, task_id=task.id)
            submit_ms.append((time.perf_counter() - started) * 1000)
    except Exception as error:  # noqa: BLE001 - reported in the table
        errors.append(repr(error))
    finally:
        connection.close()
        results.put((next_ms, submit_ms, errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--overlap", type=int, default=2)
    parser.add_argument("--annotators", type=int, default=16)
    parser.add_argument("--tasks-each", type=int, default=150, help="tasks each annotator takes and submits")
    parser.add_argument("--think-ms", type=int, default=0, help="time spent annotating between next task and submit (0: back to back)")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: row locking is what this measures.")
    from benchmarks.api import bench_database

    url, drop = bench_database(base_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    os.environ.pop("REDIS_URL", None)  # extraction runs are recorded, not sent
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        drop()


def run(args) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from annotations.models import AnnotationTask
    from annotations.services.campaigns import create_campaign, set_campaign_state
    from benchmarks.ingest import build_inputs
    from newsdesk.models import Article
    from newsdesk.services.ingestion import import_paths

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as workdir:
        _, feed = build_inputs(Path(workdir), args.articles, pages=False)
        report = import_paths([str(feed)])
    assert report.imported == args.articles, report.summary()
    users = get_user_model().objects
    editor = users.create_superuser("bench-editor", password="x")
    group = Group.objects.get_or_create(name="annotator")[0]
    people = []
    for number in range(args.annotators):
        person = users.create_user(f"bench-annotator-{number}")
        person.groups.add(group)
        people.append(person)
    campaign = create_campaign(
        editor=editor, name="bench", selection={"articles": list(Article.objects.order_by("id").values_list("id", flat=True))},
        annotators=[p.username for p in people], overlap=args.overlap,
    )
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    connection.close()

    # One process per annotator, as web workers are processes: no shared
    # interpreter lock between them, each with its own database connection.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    barrier = context.Barrier(len(people))
    workers = [context.Process(target=annotate, args=(person.id, campaign.id, args.tasks_each, args.think_ms, barrier, results)) for person in people]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    next_ms: list[float] = []
    submit_ms: list[float] = []
    errors: list[str] = []
    for _ in workers:
        mine_next, mine_submit, mine_errors = results.get(timeout=600)
        next_ms += mine_next
        submit_ms += mine_submit
        errors += mine_errors
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started

    over = (
        AnnotationTask.objects.filter(campaign=campaign, state__in=["assigned", "in_progress", "submitted", "accepted", "changes_requested"])
        .values("article_id").annotate(n=Count("id")).filter(n__gt=args.overlap).count()
    )
    handed = AnnotationTask.objects.filter(campaign=campaign).count()
    twice = handed - AnnotationTask.objects.filter(campaign=campaign).values("article_id", "annotator_id").distinct().count()

    print(f"\n\"Next task\" on PostgreSQL: {args.articles:,} articles × overlap {args.overlap} = {args.articles * args.overlap:,} tasks, "
          f"{args.annotators} concurrent annotators (processes), {args.tasks_each} tasks each, "
          f"{args.think_ms} ms annotating each\n")
    print("| measure | value | target |")
    print("| --- | ---: | --- |")
    print(f"| next task p50 | {statistics.median(next_ms):.1f} ms | |")
    print(f"| next task p95 | {percentile(next_ms, 0.95):.1f} ms | < 50 ms |")
    print(f"| next task max | {max(next_ms):.1f} ms | |")
    print(f"| submit p95 | {percentile(submit_ms, 0.95):.1f} ms | |")
    print(f"| tasks handed and submitted | {len(submit_ms):,} in {elapsed:.1f} s ({len(submit_ms) / elapsed:.0f}/s) | |")
    print(f"| articles over the overlap | {over} | 0 |")
    print(f"| tasks handed twice | {twice} | 0 |")
    print(f"| errors | {len(errors)} | 0 |")
    for error in errors[:5]:
        print(f"  {error}")


if __name__ == "__main__":
    main()
