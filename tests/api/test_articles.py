"""Article lists (filters, search, pagination, sync) and article documents."""

from datetime import datetime, timezone

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def span_of(text, phrase):
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "quote": phrase}


@pytest.fixture
def corpus():
    return {
        "dam": make_article(
            source="الواحة اليوم",
            paragraphs=("قالت الوزارة إن السد سيكتمل قريباً.", "وأكدت الإدارة الأمريكية دعمها بـ\"خطوات\" عملية."),
            comments=[("وائل", "بعد الانتخابات الامريكيه سوف يتغير كل شي")],
            published_at=datetime(2025, 3, 10, tzinfo=timezone.utc),
        ),
        "caption": make_article(
            source="المرفأ نيوز",
            paragraphs=("U.S. Secretary of State John Kerry (L) and Sergei Lavrov shake hands in Moscow.", "نص عربي عن اللقاء."),
            comments=[],
            published_at=datetime(2025, 3, 20, tzinfo=timezone.utc),
        ),
        "other": make_article(
            source="صدى المدينة",
            paragraphs=("أخبار الطقس: أمطار غزيرة في الجنوب.",),
            comments=[],
            published_at=datetime(2025, 4, 1, tzinfo=timezone.utc),
        ),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("الأمريكية", ["dam"]),  # the comment writes الامريكيه
        ("الامريكيه", ["dam"]),
        ("بخطوات", ["dam"]),  # the text writes بـ"خطوات
        ("قريبا", ["dam"]),  # the text writes قريباً
        ("shake hands", ["caption"]),
        ("Kerry", ["caption"]),
        ("غزيرة", ["other"]),
    ],
)
def test_search_folds_arabic_spelling(as_journalist, corpus, query, expected):
    found = ids(as_journalist.get("/api/v1/articles/", {"q": query}))
    assert found == [corpus[name].id for name in expected]


def test_filters_by_source_and_date_range(as_journalist, corpus):
    source = corpus["caption"].source
    assert ids(as_journalist.get("/api/v1/articles/", {"source": source.slug})) == [corpus["caption"].id]
    assert ids(as_journalist.get("/api/v1/articles/", {"source": str(source.id)})) == [corpus["caption"].id]
    window = {"published_after": "2025-03-15T00:00:00Z", "published_before": "2025-03-31T23:59:59Z"}
    assert ids(as_journalist.get("/api/v1/articles/", window)) == [corpus["caption"].id]
    # Bare dates, as the reader's date fields send them: "until" includes its whole day.
    one_day = {"published_after": "2025-03-20", "published_before": "2025-03-20"}
    assert ids(as_journalist.get("/api/v1/articles/", one_day)) == [corpus["caption"].id]


def test_filters_by_claim_stance_and_annotated(as_journalist, corpus, claim):
    dam = corpus["dam"]
    text = dam.current_revision.text
    as_journalist.post("/api/v1/mentions/", {"article": dam.id, "claim": claim["id"], **span_of(text, "السد سيكتمل")}, format="json")
    as_journalist.post("/api/v1/stances/", {"article": corpus["other"].id, "claim": claim["id"], "label": "unrelated"}, format="json")
    assert sorted(ids(as_journalist.get("/api/v1/articles/", {"claim": claim["id"]}))) == sorted([dam.id, corpus["other"].id])
    assert ids(as_journalist.get("/api/v1/articles/", {"stance": "unrelated"})) == [corpus["other"].id]
    assert ids(as_journalist.get("/api/v1/articles/", {"stance": "agree"})) == []
    assert sorted(ids(as_journalist.get("/api/v1/articles/", {"annotated": "true"}))) == sorted([dam.id, corpus["other"].id])
    assert ids(as_journalist.get("/api/v1/articles/", {"annotated": "false"})) == [corpus["caption"].id]


def test_cursor_pagination_walks_every_article_once(as_journalist, corpus):
    seen, url = [], "/api/v1/articles/?page_size=2"
    while url:
        page = as_journalist.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(a.id for a in corpus.values())


@pytest.mark.parametrize("ordering", ["updated_at", "-updated_at"])
def test_cursor_pagination_over_equal_times_walks_every_row_once(as_journalist, ordering):
    # An import stamps all the comments of a batch with one time: the cursor must still not skip or repeat.
    article = make_article(comments=[(f"قارئ {n}", f"تعليق رقم {n}") for n in range(11)])
    seen, url = [], f"/api/v1/comments/?article={article.id}&ordering={ordering}&page_size=2"
    while url:
        page = as_journalist.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(article.comments.values_list("id", flat=True)) and len(seen) == 11


def test_updated_since_and_bad_dates(as_journalist, corpus):
    assert len(ids(as_journalist.get("/api/v1/articles/", {"updated_since": "2000-01-01T00:00:00Z"}))) == 3
    assert ids(as_journalist.get("/api/v1/articles/", {"updated_since": "2999-01-01T00:00:00Z"})) == []
    response = as_journalist.get("/api/v1/articles/", {"updated_since": "last tuesday"})
    assert response.status_code == 400 and "updated_since" in response.json()["error"]["fields"]


def test_an_unencoded_plus_in_a_time_offset_is_read_as_plus(as_journalist, corpus):
    # "?updated_since=2000-01-01T00:00:00+00:00" typed into a URL: the + arrives as a space.
    response = as_journalist.get("/api/v1/articles/?updated_since=2000-01-01T00:00:00+00:00")
    assert response.status_code == 200 and len(response.json()["results"]) == 3


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/articles/?updated_since=0001-01-01T00:00:00%2B05:00", "updated_since"),  # before year 1 in UTC
        ("/api/v1/articles/?published_before=9999-12-31T23:59:59-05:00", "published_before"),  # after 9999 in UTC
        ("/api/v1/audit/?since=0001-01-01T00:00:00%2B05:00", "since"),
        ("/api/v1/articles/?claim=99999999999999999999", "claim"),  # more than a 64-bit id
        ("/api/v1/articles/?stance=agree&claim=99999999999999999999", "claim"),
        ("/api/v1/tasks/?campaign=99999999999999999999", "campaign"),
        ("/api/v1/articles/?annotated=maybe", "annotated"),
        ("/api/v1/articles/?published_before=9999-12-31", "published_before"),  # the end of that day is past 9999
    ],
)
def test_a_query_value_out_of_range_is_refused_by_name(as_journalist, corpus, url, field):
    response = as_journalist.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_paths_that_name_no_endpoint_answer_in_the_error_shape(as_journalist, article):
    unknown = as_journalist.get("/api/v1/nosuch/")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert "slash" not in as_journalist.get("/api/v1/nosuch").json()["error"]["message"]  # no such endpoint with one either
    assert as_journalist.get("/api/v1/articles/?source=²").status_code == 200  # a digit that is not an id: a slug
    # A POST without the trailing slash is not redirected (the body would be lost): it is told the path.
    slashless = as_journalist.post("/api/v1/mentions", {"article": article.id}, format="json")
    assert slashless.status_code == 404
    assert "/api/v1/mentions/" in slashless.json()["error"]["message"]


def test_detail_expands_and_offsets_in_utf16(as_journalist, claim):
    article = make_article(paragraphs=("💡 الوزير قال إن السد سيكتمل.",), comments=[("قارئ", "😡 لا نصدق أن السد سيكتمل")])
    text = article.current_revision.text
    span = span_of(text, "السد سيكتمل")
    as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span}, format="json")
    plain = as_journalist.get(f"/api/v1/articles/{article.id}/").json()
    assert "comments" not in plain and "mentions" not in plain
    assert plain["revision"]["text"] == text and plain["offsets"] == "code_points"
    full = as_journalist.get(f"/api/v1/articles/{article.id}/?expand=comments,mentions,stances,entities").json()
    assert [c["author"] for c in full["comments"]] == ["قارئ"]
    assert (full["mentions"][0]["start"], full["stances"], full["entities"]) == (span["start"], [], [])
    js = as_journalist.get(f"/api/v1/articles/{article.id}/?expand=mentions&offsets=utf16").json()
    assert js["offsets"] == "utf16"
    assert js["mentions"][0]["start"] == span["start"] + 1  # the 💡 before it
    bad = as_journalist.get(f"/api/v1/articles/{article.id}/?expand=everything")
    assert bad.status_code == 400 and "expand" in bad.json()["error"]["fields"]


def test_list_and_detail_query_counts_do_not_grow_with_data(as_journalist, claim, django_assert_max_num_queries):
    articles = [make_article() for _ in range(6)]
    for article in articles:
        text = article.current_revision.text
        for phrase in ("سيكتمل", "التمويل"):
            as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(text, phrase)}, format="json")
        as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "agree", "rationales": [span_of(text, "سيكتمل")]}, format="json")
    with django_assert_max_num_queries(4):
        assert len(ids(as_journalist.get("/api/v1/articles/"))) == 6
    with django_assert_max_num_queries(9):
        as_journalist.get(f"/api/v1/articles/{articles[0].id}/?expand=comments,mentions,stances,entities")
    with django_assert_max_num_queries(4):
        as_journalist.get("/api/v1/mentions/")
    with django_assert_max_num_queries(5):
        as_journalist.get("/api/v1/stances/")


def test_comments_and_sources_endpoints(as_api_client, corpus):
    comments = as_api_client.get("/api/v1/comments/", {"article": corpus["dam"].id}).json()["results"]
    assert [c["text"] for c in comments] == ["بعد الانتخابات الامريكيه سوف يتغير كل شي"]
    names = {s["name"] for s in as_api_client.get("/api/v1/sources/").json()["results"]}
    assert names == {"الواحة اليوم", "المرفأ نيوز", "صدى المدينة"}


def test_every_error_has_one_shape(as_journalist, article):
    for response in (
        as_journalist.get("/api/v1/articles/999999/"),
        as_journalist.post("/api/v1/mentions/", {"article": article.id}, format="json"),
        as_journalist.post("/api/v1/claims/", {"text": ""}, format="json"),
        as_journalist.get("/api/v1/articles/?updated_since=nope"),
    ):
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "fields"} and body["error"]["message"]
    missing = as_journalist.post("/api/v1/mentions/", {"article": article.id}, format="json").json()["error"]
    assert set(missing["fields"]) >= {"start", "end", "quote", "claim"}


def test_documents_are_the_json_drfs_own_renderer_would_write(as_journalist, claim):
    import json

    from rest_framework.renderers import JSONRenderer

    article = make_article(paragraphs=("💡 الوزير قال إن السد سيكتمل.\u2028 سطر",), comments=[("قارئ", "😡 لا نصدق")])
    span = span_of(article.current_revision.text, "السد سيكتمل")
    as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span}, format="json")
    response = as_journalist.get(f"/api/v1/articles/{article.id}/?expand=comments,mentions,stances,entities")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(JSONRenderer().render(response.data))
    assert "💡".encode() in response.content  # UTF-8, not \\u escapes
    assert json.loads(response.content)["mentions"][0]["created_at"].endswith("Z")
    browsable = as_journalist.get(f"/api/v1/articles/{article.id}/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and "الوزير" in browsable.content.decode()


def test_a_list_item_says_what_the_article_document_says_about_the_article(as_journalist, corpus):
    import json

    from newsdesk.models import Article

    # One time with microseconds, one without: both written as the documents write them.
    Article.objects.filter(pk=corpus["dam"].pk).update(published_at=datetime(2025, 3, 10, 8, 5, 1, 120, tzinfo=timezone.utc))
    listed = {item["id"]: item for item in json.loads(as_journalist.get("/api/v1/articles/").content)["results"]}
    for article in corpus.values():
        document = json.loads(as_journalist.get(f"/api/v1/articles/{article.id}/").content)
        assert listed[article.id] == {**{key: document[key] for key in listed[article.id]}, "revision": document["revision"]["id"]}
    assert listed[corpus["dam"].id]["published_at"] == "2025-03-10T08:05:01.000120Z"
    assert listed[corpus["caption"].id]["published_at"] == "2025-03-20T00:00:00Z"


@pytest.mark.parametrize("path", ["claims/", "mentions/", "stances/", "entities/", "entity-mentions/", "campaigns/", "audit/"])
def test_every_list_reads_in_a_browser_and_answers_options(as_journalist, path):
    page = as_journalist.get(f"/api/v1/{path}", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    options = as_journalist.options(f"/api/v1/{path}")
    assert options.status_code == 200 and options.json()["name"]


def test_api_answers_are_not_for_shared_caches(as_journalist, article):
    response = as_journalist.get(f"/api/v1/articles/{article.id}/")
    assert response["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie", "Accept-Language"} <= {part.strip() for part in response["Vary"].split(",")}
    streamed = as_journalist.get("/api/v1/export/articles.jsonl")
    assert streamed["Cache-Control"] == "private, no-cache"
