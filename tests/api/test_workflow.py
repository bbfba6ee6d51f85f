"""The editorial workflow through the API: a campaign with overlap 2, two
annotators who disagree, an editor who compares and adjudicates, and exports
that select a layer. Blind campaigns hide annotators from each other."""

import json

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def body(response, expected=200):
    assert response.status_code == expected, response.content
    return response.json() if response.content else None


@pytest.fixture
def campaign(as_editor, journalist, second_journalist):
    articles = [make_article(), make_article()]
    created = body(
        as_editor.post(
            "/api/v1/campaigns/",
            {
                "name": "وعود السدود",
                "guidelines": "# الإرشادات\nحدّد **الادعاء** ثم الموقف.",
                "selection": {"articles": [a.id for a in articles]},
                "annotators": [journalist.username, second_journalist.username],
                "overlap": 2,
                "blind": True,
            },
            format="json",
        ),
        201,
    )
    assert created["state"] == "draft" and created["progress"]["slots"] == 4
    body(as_editor.post(f"/api/v1/campaigns/{created['id']}/activate/"))
    return {**created, "articles": articles}


def mark_dam(client, article_id, claim_id) -> dict:
    """A claim mention of «سد وادي السنديان» in the article."""
    text = body(client.get(f"/api/v1/articles/{article_id}/"))["revision"]["text"]
    start = text.index("سد وادي السنديان")
    span = {"start": start, "end": start + 16, "quote": "سد وادي السنديان"}
    return body(client.post("/api/v1/mentions/", {"article": article_id, "claim": claim_id, **span}, format="json"), 201)


def take_stance(client, campaign, label, claim_id=None, *, then=None):
    """Take the next task, set the article's stance (and do `then(task, claim_id)`), submit."""
    task = body(client.post(f"/api/v1/campaigns/{campaign['id']}/next-task/"))
    body(client.post(f"/api/v1/tasks/{task['id']}/touch/"))
    if claim_id is None:
        claim_id = body(client.post("/api/v1/claims/", {"text": "السد يكتمل في 2027"}, format="json"), 201)["id"]
    body(client.post("/api/v1/stances/", {"article": task["article"], "claim": claim_id, "label": label}, format="json"), 201)
    if then is not None:
        then(task, claim_id)
    submitted = body(client.post(f"/api/v1/tasks/{task['id']}/submit/"))
    assert submitted["state"] == "submitted"
    return task, claim_id


def exported(client, layer):
    response = client.get(f"/api/v1/export/articles.jsonl?layer={layer}")
    assert response.status_code == 200
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    return {(doc["id"], stance["annotator"], stance["layer"]): stance["label"] for doc in lines for stance in doc["stances"]}


def baly(client, layer=""):
    return json.loads(b"".join(client.get(f"/api/v1/export/claims.json?layer={layer}").streaming_content))


def test_disagreement_compared_adjudicated_and_exported_by_layer(campaign, as_editor, as_journalist, as_second_journalist):
    layla_task, claim_id = take_stance(as_journalist, campaign, "agree")
    omar_task, _ = take_stance(as_second_journalist, campaign, "disagree", claim_id)
    assert layla_task["article"] == omar_task["article"]  # overlap 2: both annotate the first article
    article_id = layla_task["article"]

    # The editor sees both and the disagreement.
    queue = body(as_editor.get(f"/api/v1/tasks/?campaign={campaign['id']}&state=submitted"))["results"]
    assert {task["annotator"] for task in queue} == {"layla", "omar"}
    agreement = body(as_editor.get(f"/api/v1/campaigns/{campaign['id']}/agreement/"))
    assert agreement["stances"]["items"] == 1 and agreement["stances"]["pairs"][0]["items"] == 1

    final = body(as_editor.post(f"/api/v1/campaigns/{campaign['id']}/adjudicate/", {"article": article_id, "claim": claim_id, "label": "discuss"}, format="json"))
    assert final["layer"] == "final" and final["annotator"] == "nadia"
    for task in (layla_task, omar_task):
        body(as_editor.post(f"/api/v1/tasks/{task['id']}/review/", {"decision": "accept"}, format="json"))

    assert exported(as_editor, "final") == {(article_id, "nadia", "final"): "discuss"}
    assert exported(as_editor, "all") == {(article_id, "layla", "annotation"): "agree", (article_id, "omar", "annotation"): "disagree"}
    assert exported(as_editor, "omar") == {(article_id, "omar", "annotation"): "disagree"}
    # One stance per article in the claim-centred format: the final one.
    assert [entry["stance"] for entry in baly(as_editor)] == [["discuss"]]
    assert [entry["stance"] for entry in baly(as_editor, "omar")] == [["disagree"]]
    csv_rows = b"".join(as_editor.get("/api/v1/export/stances.csv?layer=final").streaming_content).decode().splitlines()
    assert len(csv_rows) == 2 and "discuss" in csv_rows[1]
    # The annotators were told.
    notes = body(as_journalist.get("/api/v1/notifications/"))["results"]
    # A client that names no language reads English; the browser's Arabic reads Arabic.
    assert any(note["kind"] == "reviewed" and note["message"].startswith("nadia accepted your work on «") for note in notes)
    in_arabic = body(as_journalist.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="ar"))["results"]
    assert any(note["message"].startswith("قبل nadia عملك على") for note in in_arabic)


def test_blind_mode_hides_the_other_annotators_work(
    campaign, as_editor, as_journalist, as_second_journalist, client, second_journalist, editor
):
    marked = []

    def mark_and_delete(task, claim_id):
        marked.append(mark_dam(as_journalist, task["article"], claim_id))
        assert as_journalist.delete(f"/api/v1/mentions/{marked[0]['id']}/?version=1").status_code == 204

    layla_task, claim_id = take_stance(as_journalist, campaign, "agree", then=mark_and_delete)
    article_id = layla_task["article"]
    layla_stance = body(as_journalist.get(f"/api/v1/stances/?article={article_id}"))["results"][0]

    # Omar, in the same blind campaign, sees none of Layla's work anywhere.
    assert body(as_second_journalist.get(f"/api/v1/stances/?article={article_id}"))["results"] == []
    assert as_second_journalist.get(f"/api/v1/stances/{layla_stance['id']}/").status_code == 404
    document = body(as_second_journalist.get(f"/api/v1/articles/{article_id}/?expand=stances,mentions"))
    assert document["stances"] == []
    assert exported(as_second_journalist, "all") == {}
    # Nor in the audit trail, the deletions feed or the exports: not even which articles she annotated.
    mention = marked[0]
    assert body(as_second_journalist.get(f"/api/v1/audit/?article={article_id}"))["results"] == []
    assert body(as_second_journalist.get("/api/v1/deletions/"))["results"] == []
    assert len(body(as_editor.get(f"/api/v1/audit/?article={article_id}"))["results"]) == 3
    assert body(as_journalist.get("/api/v1/deletions/"))["results"][0]["object_id"] == mention["id"]
    assert b"".join(as_second_journalist.get("/api/v1/export/articles.jsonl").streaming_content) == b""
    assert baly(as_second_journalist) == [] and baly(as_editor)[0]["stance"] == ["agree"]
    # Nor can the article filters tell him that someone took a stance on it.
    for query in (f"claim={claim_id}", f"claim={claim_id}&stance=agree", "stance=agree", "annotated=true"):
        found = [a["id"] for a in body(as_second_journalist.get(f"/api/v1/articles/?{query}"))["results"]]
        assert article_id not in found, query
        assert article_id in [a["id"] for a in body(as_editor.get(f"/api/v1/articles/?{query}"))["results"]], query
    assert article_id in [a["id"] for a in body(as_second_journalist.get("/api/v1/articles/?annotated=false"))["results"]]
    client.force_login(second_journalist)
    listing = client.get("/", {"claim": claim_id})
    assert listing.status_code == 200 and f'href="/articles/{article_id}/"' not in listing.text
    client.force_login(editor)
    assert f'href="/articles/{article_id}/"' in client.get("/", {"claim": claim_id}).text
    # The editor sees it; once the campaign closes, so does everyone.
    assert len(body(as_editor.get(f"/api/v1/stances/?article={article_id}"))["results"]) == 1
    body(as_editor.post(f"/api/v1/campaigns/{campaign['id']}/close/"))
    assert len(body(as_second_journalist.get(f"/api/v1/stances/?article={article_id}"))["results"]) == 1


def test_roles_on_the_workflow_api(campaign, as_journalist, as_api_client, as_editor, journalist):
    # Annotators cannot build, manage or adjudicate campaigns.
    assert as_journalist.post("/api/v1/campaigns/", {"name": "x", "selection": {}, "annotators": []}, format="json").status_code == 403
    assert as_journalist.post(f"/api/v1/campaigns/{campaign['id']}/close/").status_code == 403
    assert as_journalist.get(f"/api/v1/campaigns/{campaign['id']}/agreement/").status_code == 403
    # Read-only API clients read, never write; they are not members, so they do not see the campaign.
    assert as_api_client.get("/api/v1/campaigns/").status_code == 200
    assert as_api_client.post(f"/api/v1/campaigns/{campaign['id']}/next-task/").status_code in (403, 404)
    # Members see their campaign; the editor downloads the dashboard as CSV.
    assert [c["id"] for c in body(as_journalist.get("/api/v1/campaigns/"))["results"]] == [campaign["id"]]
    csv_response = as_editor.get(f"/api/v1/campaigns/{campaign['id']}/dashboard-csv/")
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode()
    assert text.startswith("\ufeffsection,key,")  # Excel reads the Arabic article titles as UTF-8
    assert "tasks,assigned" in text


def test_bad_workflow_input_names_the_field(as_editor, journalist):
    response = as_editor.post("/api/v1/campaigns/", {"name": "x", "selection": {"articles": [424242]}, "annotators": [journalist.username], "overlap": 1}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "424242" in error["message"] and "articles" in error["fields"]


@pytest.mark.parametrize("path", ["/api/v1/stances/?layer={}", "/api/v1/mentions/?layer={}", "/api/v1/export/articles.jsonl?layer={}", "/api/v1/export/claims.json?layer={}"])
def test_a_misspelt_layer_is_refused_rather_than_answered_with_nothing(as_editor, journalist, path):
    response = as_editor.get(path.format("finall"))
    assert response.status_code == 400
    assert "layer" in response.json()["error"]["fields"]
    assert as_editor.get(path.format(journalist.username)).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/mentions/?annotator={}", "/api/v1/stances/?annotator={}", "/api/v1/tasks/?annotator={}", "/api/v1/audit/?user={}"])
def test_an_unknown_username_in_a_filter_is_refused(as_editor, journalist, path):
    response = as_editor.get(path.format("nobdy"))
    assert response.status_code == 400 and "nobdy" in str(response.json()["error"]["fields"])
    assert as_editor.get(path.format(journalist.username)).status_code == 200


def test_an_ordering_a_list_does_not_offer_is_refused(as_editor):
    response = as_editor.get("/api/v1/articles/?ordering=title")
    assert response.status_code == 400
    assert "use one of id, -id, updated_at, -updated_at" in response.json()["error"]["fields"]["ordering"][0]
    assert as_editor.get("/api/v1/articles/?ordering=-updated_at").status_code == 200


def test_blind_mode_also_hides_work_in_claim_details(campaign, as_editor, as_journalist, as_second_journalist):
    _, claim_id = take_stance(as_journalist, campaign, "agree", then=lambda task, claim: mark_dam(as_journalist, task["article"], claim))
    hidden = body(as_second_journalist.get(f"/api/v1/claims/{claim_id}/"))
    assert hidden["mentions"] == [] and hidden["stance_summary"] == []
    shown = body(as_editor.get(f"/api/v1/claims/{claim_id}/"))
    assert len(shown["mentions"]) == 1 and shown["stance_summary"][0]["agree"] == 1


def test_in_a_blind_campaign_an_annotator_still_sees_the_deletion_of_their_own_work(campaign, as_editor, as_journalist, as_second_journalist):
    marked = []
    take_stance(as_journalist, campaign, "agree", then=lambda task, claim: marked.append(mark_dam(as_journalist, task["article"], claim)))
    assert as_editor.delete(f"/api/v1/mentions/{marked[0]['id']}/?version=1").status_code == 204
    assert [d["object_id"] for d in body(as_journalist.get("/api/v1/deletions/"))["results"]] == [marked[0]["id"]]
    assert body(as_second_journalist.get("/api/v1/deletions/"))["results"] == []


def test_two_editors_deciding_on_one_task_the_second_is_told(campaign, as_editor, as_journalist, editor, django_user_model):
    from rest_framework.test import APIClient

    task, _ = take_stance(as_journalist, campaign, "agree")
    seen = task["version"] + 1  # what both editors loaded: the submitted task
    other_editor = django_user_model.objects.create_user("salwa")
    other_editor.groups.add(*editor.groups.all())
    second = APIClient()
    second.force_authenticate(other_editor)
    assert as_editor.post(f"/api/v1/tasks/{task['id']}/review/", {"decision": "accept", "version": seen}, format="json").status_code == 200
    late = second.post(f"/api/v1/tasks/{task['id']}/review/", {"decision": "reject", "version": seen}, format="json")
    assert late.status_code == 409 and late.json()["current"]["state"] == "accepted"


def test_an_editor_reassigns_an_open_task(campaign, as_editor, as_journalist, journalist, second_journalist):
    task = body(as_journalist.post(f"/api/v1/campaigns/{campaign['id']}/next-task/"))
    moved = body(as_editor.post(f"/api/v1/tasks/{task['id']}/reassign/", {"annotator": second_journalist.username}, format="json"))
    assert moved["annotator"] == "omar" and moved["state"] == "assigned"
    assert second_journalist.notifications.filter(kind="assigned", message__contains="assigned to you").exists()
    assert journalist.notifications.filter(kind="reassigned", message__contains="was given to omar").exists()
    refused = as_editor.post(f"/api/v1/tasks/{task['id']}/reassign/", {"annotator": "nadia"}, format="json")
    assert refused.status_code == 400 and "annotator" in refused.json()["error"]["fields"]
