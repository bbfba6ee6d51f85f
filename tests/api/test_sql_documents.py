"""The JSON Lines export's documents built by PostgreSQL equal the ones built
in Python (annotations/representations.py), field for field."""

import json
import time
from datetime import datetime, timezone

import pytest
from django.db import connection

from annotations import exports, sql_documents
from annotations.models import ClaimMention, EntityMention, ExtractionRun, Stance
from annotations.selectors import EVERYTHING, AnnotationScope, article_documents, articles_with_text
from annotations.services.extraction import run_extractions
from newsdesk.models import Article, Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("documents built by PostgreSQL; this run uses " + connection.vendor)


def span_of(text, phrase):
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "quote": phrase}


@pytest.fixture
def articles(as_journalist, as_editor, claim):
    """Every kind of field: spans on the text, on comments and on an older
    revision; rationales; a note; machine and hand-made entity mentions;
    done, failed and missing extraction runs; times with and without
    microseconds; an article with no publication date."""
    url = "https://news.example/corrected"
    first = make_article(url=url, paragraphs=("💡 الوزير قال إن السد سيكتمل.", "Mixed English\u00a0line عن السد."))
    old_text = first.current_revision.text
    as_journalist.post("/api/v1/mentions/", {"article": first.id, "claim": claim["id"], **span_of(old_text, "السد سيكتمل")}, format="json")
    corrected = make_article(url=url, paragraphs=("💡 الوزير قال إن السد سيكتمل قريباً.", "وقال خبير إن الموعد \"غير واقعي\"."), outcome="revised")
    assert corrected.id == first.id and corrected.current_revision_id != first.current_revision_id
    text = corrected.current_revision.text
    comment = corrected.comments.order_by("position").first()
    as_journalist.post("/api/v1/mentions/", {"article": corrected.id, "claim": claim["id"], **span_of(text, "السد سيكتمل قريباً")}, format="json")
    as_journalist.post("/api/v1/mentions/", {"comment": comment.id, "claim": claim["id"], **span_of(comment.text, "السد")}, format="json")
    as_journalist.post(
        "/api/v1/stances/",
        {"article": corrected.id, "claim": claim["id"], "label": "discuss", "note": "يعرض الرأيين", "note_dir": "rtl",
         "rationales": [span_of(text, "غير واقعي"), span_of(text, "الوزير")]},
        format="json",
    )
    as_editor.post("/api/v1/stances/", {"comment": comment.id, "claim": claim["id"], "label": "disagree"}, format="json")

    undated = make_article(comments=[("قارئ", "تعليق بلا تاريخ")])
    Article.objects.filter(pk=undated.pk).update(published_at=None)
    Comment.objects.filter(article=undated).update(posted_at=None)
    as_journalist.post("/api/v1/stances/", {"article": undated.id, "claim": claim["id"], "label": "unrelated"}, format="json")
    failed = make_article(comments=[])
    as_journalist.post("/api/v1/stances/", {"article": failed.id, "claim": claim["id"], "label": "agree"}, format="json")

    run_extractions(list(ExtractionRun.objects.filter(article=corrected).values_list("id", flat=True)))
    ExtractionRun.objects.filter(article=failed).update(state="failed", error='ValueError: bad "input"\nline 2')
    ExtractionRun.objects.filter(article=undated).delete()
    assert EntityMention.objects.filter(article=corrected, origin="machine").exists()
    added = as_journalist.post(
        "/api/v1/entity-mentions/", {"article": corrected.id, "type": "PER", **span_of(text, "خبير")}, format="json"
    )
    assert added.status_code == 201, added.content
    # A time on a whole second: isoformat leaves the microseconds out.
    ClaimMention.objects.filter(comment=comment).update(updated_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc))
    return [corrected.id, undated.id, failed.id]


def python_documents(ids, scope):
    articles = list(articles_with_text().filter(id__in=ids).order_by("id"))
    return [json.loads(json.dumps(document)) for document in article_documents(articles, scope=scope)]


def sql_built_documents(ids, scope):
    lines = sql_documents.document_lines(
        ids, scope.apply(ClaimMention.objects.all()), scope.apply(Stance.objects.all()), scope.apply_to_entities(EntityMention.objects.all())
    )
    return [json.loads(line) for line in lines]


def test_documents_built_by_postgresql_equal_the_python_ones(articles):
    documents = sql_built_documents(articles, EVERYTHING)
    assert documents == python_documents(articles, EVERYTHING)
    corrected, undated, failed = documents
    on_text = [m for m in corrected["mentions"] if m["target_type"] == "article"]
    assert {m["revision"] == corrected["revision"]["id"] for m in on_text} == {True, False}  # one on the older revision
    assert [len(s["rationales"]) for s in corrected["stances"]] == [2, 0]
    assert {e["origin"] for e in corrected["entities"]} == {"machine", "person"}
    assert undated["published_at"] is None and undated["extraction"] is None and undated["comments"][0]["posted_at"] is None
    assert failed["extraction"]["error"] == 'ValueError: bad "input"\nline 2'
    assert any(m["updated_at"] == "2026-03-01T09:30:00Z" for m in corrected["mentions"])


@pytest.mark.parametrize("layer", ["", "final", "all", "layla"])
def test_postgresql_documents_keep_the_readers_scope(articles, journalist, layer):
    scope = AnnotationScope(viewer=journalist, layer=layer)
    assert sql_built_documents(articles, scope) == python_documents(articles, scope)


def database_connections(settle_to: int | None = None) -> int:
    """Backends connected to the test database. A closed connection's backend
    leaves pg_stat_activity a moment after the client hangs up: with
    `settle_to`, wait (up to 3 s) for the count to come down to it."""
    deadline = time.monotonic() + 3
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            count = cursor.fetchone()[0]
        if settle_to is None or count <= settle_to or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_export_builds_chunks_on_parallel_connections_in_order_and_closes_them(as_api_client, as_journalist, claim, monkeypatch):
    # Committed rows (no test transaction around them), so other connections see them.
    monkeypatch.setattr(exports, "JSONL_CHUNK", 2)
    ids = []
    for number in range(7):
        article = make_article(paragraphs=(f"الفقرة رقم {number} عن السد.",))
        as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(article.current_revision.text, "السد")}, format="json")
        ids.append(article.id)
    before = database_connections()
    response = as_api_client.get("/api/v1/export/articles.jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(ids)
    assert [json.loads(line) for line in lines] == python_documents(ids, EVERYTHING)
    assert database_connections(settle_to=before) == before


@pytest.mark.django_db(transaction=True)
def test_a_failing_chunk_ends_the_export_and_closes_every_connection():
    before = database_connections()

    def work(chunk):
        with connection.cursor() as cursor:  # each thread opens its own connection
            cursor.execute("SELECT 1")
        if chunk == [3]:
            raise ValueError("chunk 3 is broken")
        return b"%d\n" % chunk[0]

    stream = exports._in_threads(work, iter([[1], [2], [3], [4], [5]]), threads=2)
    with pytest.raises(ValueError, match="chunk 3 is broken"):
        assert [next(stream), next(stream)] == [b"1\n", b"2\n"]
        next(stream)
    assert database_connections(settle_to=before) == before
