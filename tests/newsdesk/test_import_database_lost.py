"""The database stops answering in the middle of an import (a restart, a lost
connection): the import stops with its summary so far, what it reports as
stored is exactly what is stored, and importing the same file again goes on."""

import json
import time

import psycopg2
import pytest
from django.db import connection

from newsdesk.models import Article
from newsdesk.services import ingestion
from tests.newsdesk.test_import_articles import JSONL_GOOD, run_import, write_jsonl


def database_connection():
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"] or None, port=settings["PORT"] or None,
    )


def stored_articles(observer) -> int:
    with observer.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM newsdesk_article")
        return cursor.fetchone()[0]


@pytest.fixture
def importer_killed_after_first_batch(monkeypatch):
    """Ends the importing connection's server process once the first batch
    is stored, just before the second is written."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a server process to end in the middle of an import")
    observer = database_connection()
    observer.autocommit = True
    store = ingestion._store_batch
    batches = []

    def store_after_the_first_kill(records, report):
        batches.append(len(records))
        if len(batches) == 2:
            importer = connection.connection.get_backend_pid()
            with observer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [importer])
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:  # gone before the writer's next statement
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [importer])
                    if not cursor.fetchone()[0]:
                        break
                    time.sleep(0.01)
        return store(records, report)

    monkeypatch.setattr(ingestion, "_store_batch", store_after_the_first_kill)
    # Runs stay pending, as with a worker elsewhere: extracting in-process on
    # commit (the tests' eager tasks) would open a new connection and carry on.
    monkeypatch.setattr("annotations.services.extraction.send_runs", lambda run_ids: 0)
    yield observer
    observer.close()
    connection.close()  # the ended one; the next query opens a new connection


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_stops_the_import_with_a_true_summary_and_a_rerun_goes_on(tmp_path, importer_killed_after_first_batch):
    observer = importer_killed_after_first_batch
    lines = [json.dumps({**JSONL_GOOD, "url": f"https://wire.example/{n}", "title": f"خبر رقم {n}"}, ensure_ascii=False) for n in range(6)]
    path = write_jsonl(tmp_path, lines)

    code, out, err = run_import(str(path), "--batch-size", "2")

    assert code == 1, (out, err)
    assert "stopped before the end: the database stopped answering" in out
    assert "import the same files again" in out
    stored = stored_articles(observer)
    assert stored == 2  # the first batch, whole; the second not at all
    # What the summary says was stored is what is stored: no batch half-written.
    assert f"Imported {stored}," in out
    assert "FAILED" not in err  # no page is blamed for the database going away

    # Again, on a new connection (the hook's server process is gone, so nothing is ended this time).
    connection.close()
    code, out, _ = run_import(str(path), "--batch-size", "2")
    assert code == 0
    assert f"Imported {6 - stored}, updated 0, revised 0, unchanged duplicates {stored}, failed 0" in out
    assert Article.objects.count() == 6


def test_an_unreachable_database_is_said_in_one_line_and_nothing_is_read(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    page = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False)])
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/newsdesk"}  # nothing listens on port 1
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "manage.py", "import_articles", str(page)], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Cannot reach the database, nothing imported" in done.stderr
    assert "Traceback" not in done.stderr
