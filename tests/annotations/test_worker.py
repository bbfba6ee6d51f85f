"""Entity extraction on a real Celery worker process, over a real Redis, on
the test's PostgreSQL database: the happy path, a worker killed mid-task,
and a broker that is down at import time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from annotations.models import EntityMention, ExtractionRun
from annotations.services.extraction import sweep_runs
from newsdesk.models import Article
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 4
PARAGRAPH = (
    "أعلن وزير الخارجية الأمريكي جون كيري بعد اجتماعه بنظيره الروسي سيرغي لافروف في جنيف أن الأمم المتحدة "
    "ستدعم خطة لوقف إطلاق النار في سوريا، بينما قالت جبهة النصرة إنها لن تلتزم بالهدنة في حلب."
)


@pytest.fixture
def broker_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs a Redis broker: set REDIS_URL (CI does)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database (SQLite's is in memory)")
    return url


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _use_broker(url: str):
    from newsdesk.celery import app

    app.conf.broker_url = url
    # Celery caches its connection pools; drop them so the next send uses `url`.
    app._after_fork()
    return app


@pytest.fixture
def producer(broker_url):
    """This process sends tasks to the broker instead of running them in-process."""
    app = _use_broker(broker_url)
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        for queue in ("celery", "extraction"):
            conn.default_channel.queue_purge(queue) if _queue_exists(conn, queue) else None
    yield app
    app.conf.task_always_eager = True


def _queue_exists(conn, queue: str) -> bool:
    try:
        conn.default_channel.queue_declare(queue=queue, passive=True)
        return True
    except Exception:
        return False


class Worker:
    """A `celery worker` process on the test database; its log is kept for failures."""

    def __init__(self, broker_url: str):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker_url,
            "NEWSDESK_EXTRACTION_LEASE_SECONDS": str(LEASE_SECONDS),
            "DJANGO_SETTINGS_MODULE": "newsdesk.settings",
        }
        celery = Path(sys.executable).parent / "celery"
        self.process = subprocess.Popen(
            [str(celery), "-A", "newsdesk", "worker", "-Q", "celery,extraction", "--pool", "solo",
             "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.log: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            raise AssertionError("worker did not start:\n" + "".join(self.log[-40:]))

    def _read(self):
        for line in self.process.stdout:
            self.log.append(line)
            if " ready." in line:
                self.ready.set()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(broker_url):
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(broker_url)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, *, timeout: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    log = "".join(worker.log[-60:]) if worker else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def import_jsonl(tmp_path, records) -> list[Article]:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    call_command("import_articles", str(feed))
    return list(Article.objects.filter(url__in=[r["url"] for r in records]).order_by("id"))


def record(url: str, paragraphs: int = 3) -> dict:
    return {"url": url, "title": "كيري ولافروف يبحثان الهدنة في سوريا", "body": "\n".join([PARAGRAPH] * paragraphs), "source": "وكالة الاختبار"}


def finished(run_id: int) -> bool:
    return ExtractionRun.objects.get(pk=run_id).state in ("done", "failed")


def duplicates(revision_id: int) -> int:
    keys = list(EntityMention.objects.filter(revision_id=revision_id).values_list("start", "end", "type", "extractor_version"))
    return len(keys) - len(set(keys))


def test_import_then_worker_extraction_then_mentions_in_the_api(tmp_path, producer, start_worker, journalist):
    from rest_framework.test import APIClient

    worker = start_worker()
    (article,) = import_jsonl(tmp_path, [record("https://worker.example/1")])
    run = ExtractionRun.objects.get(article=article)
    wait_for(lambda: finished(run.pk), timeout=90, what="the extraction run", worker=worker)
    assert ExtractionRun.objects.get(pk=run.pk).state == "done", "".join(worker.log[-40:])

    client = APIClient()
    client.force_authenticate(journalist)
    document = client.get(f"/api/v1/articles/{article.id}/?expand=entities").json()
    assert document["extraction"]["state"] == "done" and document["extraction_state"] == "done"
    text = document["revision"]["text"]
    found = {(m["type"], m["quote"]) for m in document["entities"]}
    assert ("PER", "لافروف") in found or ("PER", "سيرغي لافروف") in found, found
    assert all(text[m["start"] : m["end"]] == m["quote"] for m in document["entities"])
    assert all(m["origin"] == "machine" and m["status"] == "suggested" for m in document["entities"])


def test_a_worker_killed_mid_task_leaves_the_run_to_the_next_one_without_duplicates(tmp_path, producer, start_worker):
    first = start_worker()
    # Long enough that the kill lands while the worker is extracting.
    (article,) = import_jsonl(tmp_path, [record("https://worker.example/long", paragraphs=3000)])
    run = ExtractionRun.objects.get(article=article)
    wait_for(lambda: ExtractionRun.objects.get(pk=run.pk).state == "running", timeout=60, what="the run to start", worker=first)
    first.kill()
    assert ExtractionRun.objects.get(pk=run.pk).state == "running"

    second = start_worker()
    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
    assert sweep_runs() >= 1
    wait_for(lambda: finished(run.pk), timeout=180, what="the run to finish", worker=second)
    result = ExtractionRun.objects.get(pk=run.pk)
    assert (result.state, result.attempts) == ("done", 2), result.error
    assert EntityMention.objects.filter(revision_id=run.revision_id).count() == result.mentions > 0
    assert duplicates(run.revision_id) == 0
    # Sending it again (a late duplicate message) changes nothing.
    sweep_runs()
    assert ExtractionRun.objects.get(pk=run.pk).attempts == 2


def test_with_the_broker_down_the_article_is_saved_and_extracted_once_it_is_back(tmp_path, producer, broker_url, start_worker):
    _use_broker("redis://127.0.0.1:9/0")  # nothing listens there
    try:
        (article,) = import_jsonl(tmp_path, [record("https://worker.example/offline")])
    finally:
        _use_broker(broker_url)
    run = ExtractionRun.objects.get(article=article)
    assert (run.state, run.sent_at) == ("pending", None)
    assert article.current_revision.text.startswith("كيري ولافروف")

    worker = start_worker()
    assert sweep_runs() == 1
    wait_for(lambda: finished(run.pk), timeout=90, what="the swept run", worker=worker)
    assert (ExtractionRun.objects.get(pk=run.pk).state, ExtractionRun.objects.get(pk=run.pk).attempts) == ("done", 1)
    assert duplicates(run.revision_id) == 0
