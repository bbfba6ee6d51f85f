"""Stances with rationales, claims, merging, the audit trail."""

import pytest

from annotations.models import AuditEvent, Claim, ClaimMention, Stance
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def span_of(text, phrase):
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "quote": phrase}


def new_claim(client, text="سد وادي السنديان سيكتمل نهاية 2027"):
    response = client.post("/api/v1/claims/", {"text": text}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_stance_with_rationales_and_a_directed_note(as_journalist, article, claim):
    text = article.current_revision.text
    response = as_journalist.post(
        "/api/v1/stances/",
        {
            "article": article.id, "claim": claim["id"], "label": "agree", "note": "يؤكد الوزير الموعد", "note_dir": "rtl",
            "rationales": [span_of(text, "سيكتمل نهاية 2027."), span_of(text, "60\u00a0في المئة")],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["label"] == "agree" and body["note_dir"] == "rtl" and body["target_type"] == "article"
    assert [r["quote"] for r in body["rationales"]] == ["سيكتمل نهاية 2027.", "60\u00a0في المئة"]
    assert all(r["revision"] == article.current_revision_id for r in body["rationales"])


def test_a_note_of_automatic_direction_is_stored(as_journalist, article, claim):
    created = as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "discuss"}, format="json").json()
    response = as_journalist.patch(f"/api/v1/stances/{created['id']}/", {"note": "بيان الوزارة وReuters", "note_dir": "auto", "version": created["version"]}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["note"], response.json()["note_dir"]) == ("بيان الوزارة وReuters", "auto")


def test_rationales_sent_in_utf16_come_back_in_utf16(as_journalist, claim):
    from newsdesk.text import code_point_to_utf16

    article = make_article(paragraphs=("💡 قال الوزير إن السد سيكتمل نهاية العام.",))
    text = article.current_revision.text
    span = span_of(text, "السد سيكتمل")
    utf16 = {"start": code_point_to_utf16(text, span["start"]), "end": code_point_to_utf16(text, span["end"]), "quote": span["quote"]}
    response = as_journalist.post(
        "/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "agree", "rationales": [utf16], "offsets": "utf16"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert {k: response.json()["rationales"][0][k] for k in utf16} == utf16
    listed = as_journalist.get(f"/api/v1/stances/?article={article.id}&offsets=utf16").json()["results"][0]
    assert {k: listed["rationales"][0][k] for k in utf16} == utf16
    plain = as_journalist.get(f"/api/v1/stances/{listed['id']}/").json()
    assert {k: plain["rationales"][0][k] for k in span} == span


def test_one_stance_per_annotator_target_and_claim(as_journalist, as_second_journalist, article, claim):
    first = as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "agree"}, format="json")
    again = as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "disagree"}, format="json")
    assert again.status_code == 409
    assert again.json()["current"]["id"] == first.json()["id"] and again.json()["current"]["label"] == "agree"
    other = as_second_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "disagree"}, format="json")
    assert other.status_code == 201
    comment = article.comments.first()
    on_comment = as_journalist.post("/api/v1/stances/", {"comment": comment.id, "claim": claim["id"], "label": "discuss"}, format="json")
    assert on_comment.status_code == 201 and on_comment.json()["target_type"] == "comment"
    assert Stance.objects.count() == 3


def test_rationale_with_a_wrong_quote_names_the_rationale(as_journalist, article, claim):
    response = as_journalist.post(
        "/api/v1/stances/",
        {"article": article.id, "claim": claim["id"], "label": "agree", "rationales": [{"start": 0, "end": 4, "quote": "خطأ!"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "rationales[0].quote" in response.json()["error"]["fields"]
    assert not Stance.objects.exists()


def test_unknown_label_is_refused_by_field(as_journalist, article, claim):
    response = as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "maybe"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["label"]


def test_updating_a_stance_replaces_its_rationales_and_bumps_the_version(as_journalist, article, claim):
    text = article.current_revision.text
    created = as_journalist.post(
        "/api/v1/stances/",
        {"article": article.id, "claim": claim["id"], "label": "agree", "rationales": [span_of(text, "سيكتمل")]},
        format="json",
    ).json()
    updated = as_journalist.patch(
        f"/api/v1/stances/{created['id']}/", {"version": 1, "label": "discuss", "rationales": [span_of(text, "التمويل")]}, format="json"
    )
    assert updated.status_code == 200
    assert (updated.json()["label"], updated.json()["version"]) == ("discuss", 2)
    assert [r["quote"] for r in updated.json()["rationales"]] == ["التمويل"]
    events = AuditEvent.objects.filter(object_type="stance", object_id=created["id"]).order_by("id")
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].before["label"] == "agree" and events[1].after["label"] == "discuss"


def test_verdicts_are_for_editors(as_journalist, as_editor, claim):
    refused = as_journalist.patch(f"/api/v1/claims/{claim['id']}/", {"version": 1, "verdict": "false"}, format="json")
    assert refused.status_code == 403
    accepted = as_editor.patch(f"/api/v1/claims/{claim['id']}/", {"version": 1, "verdict": "misleading"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["verdict"] == "misleading"


def test_claim_detail_lists_mentions_across_articles_and_stances_per_source(as_journalist, as_second_journalist, claim):
    one = make_article(source="الواحة اليوم")
    two = make_article(source="المرفأ نيوز")
    for article in (one, two):
        text = article.current_revision.text
        assert as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(text, "سيكتمل")}, format="json").status_code == 201
    as_journalist.post("/api/v1/stances/", {"article": one.id, "claim": claim["id"], "label": "agree"}, format="json")
    as_second_journalist.post("/api/v1/stances/", {"article": one.id, "claim": claim["id"], "label": "discuss"}, format="json")
    as_journalist.post("/api/v1/stances/", {"article": two.id, "claim": claim["id"], "label": "disagree"}, format="json")
    as_second_journalist.post("/api/v1/stances/", {"article": two.id, "claim": claim["id"], "label": "disagree"}, format="json")  # the same article, alike
    # A reader under the outlet's article disagreeing is not the outlet's stance.
    reader = one.comments.first()
    assert as_journalist.post("/api/v1/stances/", {"comment": reader.id, "claim": claim["id"], "label": "disagree"}, format="json").status_code == 201
    detail = as_journalist.get(f"/api/v1/claims/{claim['id']}/").json()
    assert {m["source"]["name"] for m in detail["mentions"]} == {"الواحة اليوم", "المرفأ نيوز"}
    summary = {row["source"]["name"]: (row["agree"], row["disagree"], row["discuss"], row["unrelated"]) for row in detail["stance_summary"]}
    assert summary == {"الواحة اليوم": (1, 0, 1, 0), "المرفأ نيوز": (0, 1, 0, 0)}


def test_merging_duplicate_claims_keeps_every_mention_and_stance(as_journalist, as_second_journalist, as_editor, article):
    original = new_claim(as_journalist)
    duplicate = new_claim(as_second_journalist, "سد وادي السنديان يكتمل في 2027")
    text = article.current_revision.text
    as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": original["id"], **span_of(text, "سيكتمل")}, format="json")
    as_second_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": duplicate["id"], **span_of(text, "نهاية 2027")}, format="json")
    as_second_journalist.post("/api/v1/stances/", {"article": article.id, "claim": duplicate["id"], "label": "agree"}, format="json")

    assert as_journalist.post(f"/api/v1/claims/{duplicate['id']}/merge/", {"into": original["id"]}, format="json").status_code == 403
    merged = as_editor.post(f"/api/v1/claims/{duplicate['id']}/merge/", {"into": original["id"]}, format="json")
    assert merged.status_code == 200
    assert set(ClaimMention.objects.values_list("claim_id", flat=True)) == {original["id"]}
    assert ClaimMention.objects.count() == 2
    assert list(Stance.objects.values_list("claim_id", "label")) == [(original["id"], "agree")]
    assert Claim.objects.get(pk=duplicate["id"]).merged_into_id == original["id"]
    assert AuditEvent.objects.filter(action="merge", object_id=duplicate["id"]).exists()
    # A new mention of the merged claim lands on the survivor.
    late = as_second_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": duplicate["id"], **span_of(text, "التمويل")}, format="json")
    assert late.json()["claim"] == original["id"]
    # The article list found by the merged claim's id (an old link, a mirror's stored id) follows the merge.
    for query in (f"claim={duplicate['id']}", f"claim={duplicate['id']}&stance=agree"):
        listed = as_journalist.get(f"/api/v1/articles/?{query}").json()["results"]
        assert [item["id"] for item in listed] == [article.id], query


def test_a_claim_in_use_cannot_be_deleted(as_journalist, article, claim):
    text = article.current_revision.text
    as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(text, "سيكتمل")}, format="json")
    response = as_journalist.delete(f"/api/v1/claims/{claim['id']}/?version=1")
    assert response.status_code == 400 and "merge" in response.json()["error"]["message"]


def test_audit_trail_per_article_claim_and_user(as_journalist, as_second_journalist, article, claim):
    text = article.current_revision.text
    as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(text, "سيكتمل")}, format="json")
    as_second_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "agree"}, format="json")
    per_article = as_journalist.get(f"/api/v1/audit/?article={article.id}").json()["results"]
    assert {(e["actor"], e["action"], e["object_type"]) for e in per_article} == {("layla", "create", "mention"), ("omar", "create", "stance")}
    per_claim = as_journalist.get(f"/api/v1/audit/?claim={claim['id']}").json()["results"]
    assert {e["object_type"] for e in per_claim} == {"claim", "mention", "stance"}
    per_user = as_journalist.get("/api/v1/audit/?user=omar").json()["results"]
    assert [e["object_type"] for e in per_user] == ["stance"]
    assert per_user[0]["after"]["label"] == "agree" and per_user[0]["before"] is None


def test_spans_on_an_old_revision_stay_readable_after_a_correction(as_journalist, claim, tmp_path):
    import json

    from django.core.management import call_command

    record = {"url": "https://wire.example/r", "title": "عنوان", "body": "الوزير قال إن السد سيكتمل 💡 قريباً.", "source": "وكالة"}
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_articles", str(feed))
    article_id = as_journalist.get("/api/v1/articles/").json()["results"][0]["id"]
    old_text = as_journalist.get(f"/api/v1/articles/{article_id}/").json()["revision"]["text"]
    mention = as_journalist.post("/api/v1/mentions/", {"article": article_id, "claim": claim["id"], **span_of(old_text, "السد سيكتمل")}, format="json").json()

    feed.write_text(json.dumps({**record, "body": "تصحيح: قال الوزير إن السد سيكتمل 💡 قريباً."}, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_articles", str(feed))
    detail = as_journalist.get(f"/api/v1/articles/{article_id}/?expand=mentions").json()
    assert detail["revision"]["number"] == 2
    (kept,) = detail["mentions"]
    assert kept["revision"] == mention["revision"] != detail["revision"]["id"]
    old = as_journalist.get(f"/api/v1/revisions/{kept['revision']}/").json()
    assert old["is_current"] is False
    assert old["text"][kept["start"] : kept["end"]] == kept["quote"] == "السد سيكتمل"


def test_claim_search_folds_arabic_spelling_like_article_search(as_journalist, client, journalist):
    wanted = new_claim(as_journalist, "الأمم المتّحدة: السدُّ آمنٌ حتى نهاية 2027")["id"]
    new_claim(as_journalist, "وزير المياه يعد بالكهرباء")
    as_journalist.patch(f"/api/v1/claims/{wanted}/", {"claimant": "مصطفى القاضي", "version": 1}, format="json")
    # Without hamza, taa marbuta written as haa, without harakat, alef maqsura as yaa (in the claimant).
    for query in ("الامم المتحده", "السد امن", "«السد امن».", "مصطفي القاضي"):
        found = as_journalist.get("/api/v1/claims/", {"q": query}).json()["results"]
        assert [c["id"] for c in found] == [wanted], query
    assert as_journalist.get("/api/v1/claims/", {"q": "الامم الكهرباء"}).json()["results"] == []
    client.force_login(journalist)
    page = client.get("/claims/", {"q": "المتحده"})
    assert "السدُّ آمنٌ" in page.text and "يعد بالكهرباء" not in page.text
    nothing = client.get("/claims/", {"q": "<b>مطار</b>"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert "لا ادعاء يطابق «<bdi>&lt;b&gt;مطار&lt;/b&gt;</bdi>»." in nothing.text


def test_a_merged_claim_is_corrected_no_more(as_journalist, as_editor):
    original, duplicate = new_claim(as_journalist), new_claim(as_journalist, "سد وادي السنديان يكتمل في 2027")
    as_editor.post(f"/api/v1/claims/{duplicate['id']}/merge/", {"into": original["id"]}, format="json")
    stored = as_journalist.get("/api/v1/claims/", {"merged": "true"}).json()["results"][0]
    refused = as_journalist.patch(f"/api/v1/claims/{duplicate['id']}/", {"text": "نص متأخر", "version": stored["version"]}, format="json")
    assert refused.status_code == 400 and f"merged into claim {original['id']}" in refused.json()["error"]["message"]
    assert Claim.objects.get(pk=duplicate["id"]).text == "سد وادي السنديان يكتمل في 2027"


def test_merging_claims_adjudicated_by_two_editors_keeps_one_final_answer_per_text(journalist, editor, django_user_model, as_editor):
    from annotations.models import Layer
    from annotations.services.campaigns import create_campaign, set_campaign_state
    from annotations.services.claims import create_claim
    from annotations.services.mentions import create_mention_for
    from annotations.services.reviews import adjudicate_stance, adopt_mention
    from annotations.services.stances import set_stance_for
    from tests.conftest import _user

    other_editor = _user(django_user_model, "hala", role="editor")
    article = make_article()
    campaign = create_campaign(editor=editor, name="حملة", selection={"articles": [article.id]}, annotators=[journalist.username], overlap=1)
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    kept, duplicate = create_claim(user=journalist, text="السد يكتمل"), create_claim(user=journalist, text="السد سيكتمل")
    text = article.current_revision.text
    start = text.index("سيكتمل")
    for claim, adopter in ((kept, editor), (duplicate, other_editor)):
        mention = create_mention_for(annotator=journalist, article=article.id, start=start, end=start + 6, quote="سيكتمل", claim_id=claim.pk)
        adopt_mention(editor=adopter, campaign_id=campaign.id, mention_id=mention.pk)
        adjudicate_stance(editor=adopter, campaign_id=campaign.id, article_id=article.id, claim_id=claim.pk, label="agree")
    # The editor's own annotation-layer stance is not the final one: it stays.
    set_stance_for(annotator=editor, article=article.id, claim_id=duplicate.pk, label="discuss")

    assert as_editor.post(f"/api/v1/claims/{duplicate.id}/merge/", {"into": kept.id}, format="json").status_code == 200
    assert ClaimMention.objects.filter(layer=Layer.FINAL).count() == 1
    assert Stance.objects.filter(layer=Layer.FINAL).count() == 1
    assert Stance.objects.get(layer=Layer.ANNOTATION, annotator=editor).label == "discuss"
    assert ClaimMention.objects.filter(layer=Layer.ANNOTATION).count() == 1  # the journalist's repeat folded too
    assert as_editor.post("/api/v1/claims/abc/merge/", {"into": kept.id}, format="json").status_code == 404


def test_the_same_correction_sent_again_is_answered_not_refused(as_journalist):
    claim = new_claim(as_journalist)
    first = as_journalist.patch(f"/api/v1/claims/{claim['id']}/", {"claimant": "الوزير", "version": claim["version"]}, format="json")
    again = as_journalist.patch(f"/api/v1/claims/{claim['id']}/", {"claimant": "الوزير", "version": claim["version"]}, format="json")
    assert first.status_code == again.status_code == 200 and again.json()["version"] == first.json()["version"]
    other = as_journalist.patch(f"/api/v1/claims/{claim['id']}/", {"claimant": "غيره", "version": claim["version"]}, format="json")
    assert other.status_code == 409


def test_a_field_the_api_does_not_take_is_refused_not_dropped(as_journalist, article, claim):
    stance = as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "agree"}, format="json").json()
    other = new_claim(as_journalist, "ادعاء آخر")
    moved = as_journalist.patch(f"/api/v1/stances/{stance['id']}/", {"claim": other["id"], "version": stance["version"]}, format="json")
    assert moved.status_code == 400 and "claim" in moved.json()["error"]["fields"]
    assert Stance.objects.get().claim_id == claim["id"] and Stance.objects.get().version == stance["version"]
    typo = as_journalist.post("/api/v1/claims/", {"text": "ادعاء ثالث", "verdit": "true"}, format="json")
    assert typo.status_code == 400 and list(typo.json()["error"]["fields"]) == ["verdit"]
    assert not Claim.objects.filter(text="ادعاء ثالث").exists()


def test_a_change_sent_again_after_its_answer_was_lost_is_not_a_conflict_nor_a_new_version(as_journalist, article, claim):
    stance = as_journalist.post("/api/v1/stances/", {"article": article.id, "claim": claim["id"], "label": "agree"}, format="json").json()
    url = f"/api/v1/stances/{stance['id']}/"
    changed = as_journalist.patch(url, {"label": "discuss", "version": stance["version"]}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == stance["version"] + 1
    again = as_journalist.patch(url, {"label": "discuss", "version": stance["version"]}, format="json")  # the retry
    assert again.status_code == 200 and again.json()["version"] == changed.json()["version"]
    same = as_journalist.patch(url, {"label": "discuss", "version": changed.json()["version"]}, format="json")
    assert same.json()["version"] == changed.json()["version"]  # nothing changed: no new version
    assert AuditEvent.objects.filter(object_type="stance", action="update").count() == 1
    stale = as_journalist.patch(url, {"label": "agree", "version": stance["version"]}, format="json")
    assert stale.status_code == 409  # a different change on an old version is still refused


def test_lists_take_updated_since_and_refuse_values_they_do_not_know(as_journalist, as_editor, article, claim):
    mention = as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(article.current_revision.text, "سد وادي السنديان")}, format="json").json()
    for path in ("audit/", "sources/"):
        assert as_journalist.get(f"/api/v1/{path}", {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == [], path
        assert as_journalist.get(f"/api/v1/{path}", {"updated_since": "2000-01-01T00:00:00Z"}).json()["results"], path
    assert as_journalist.get("/api/v1/deletions/", {"object_type": "nonsense"}).status_code == 400
    assert as_journalist.get("/api/v1/export/articles.jsonl", {"all": "maybe"}).status_code == 400
    # A merged claim's id finds what moved to its survivor; an id nothing has finds nothing.
    survivor = new_claim(as_journalist, "ادعاء باقٍ")
    assert as_editor.post(f"/api/v1/claims/{claim['id']}/merge/", {"into": survivor["id"]}, format="json").status_code == 200
    assert [m["id"] for m in as_journalist.get("/api/v1/mentions/", {"claim": claim["id"]}).json()["results"]] == [mention["id"]]
    assert as_journalist.get("/api/v1/stances/", {"claim": 999999}).json()["results"] == []


def test_a_merge_sent_again_is_done_and_a_comment_rationale_cannot_name_a_revision(as_journalist, as_editor, article, claim):
    survivor = new_claim(as_journalist, "ادعاء باقٍ")
    first = as_editor.post(f"/api/v1/claims/{claim['id']}/merge/", {"into": survivor["id"]}, format="json")
    again = as_editor.post(f"/api/v1/claims/{claim['id']}/merge/", {"into": survivor["id"]}, format="json")
    assert first.status_code == again.status_code == 200 and again.json()["id"] == survivor["id"]
    comment = article.comments.first()
    quote = comment.text.split()[0]
    stance = as_journalist.post(
        "/api/v1/stances/",
        {"comment": comment.id, "claim": survivor["id"], "label": "agree",
         "rationales": [{"start": 0, "end": len(quote), "quote": quote, "revision": article.current_revision_id}]},
        format="json",
    )
    assert stance.status_code == 400 and "rationales[0].revision" in stance.json()["error"]["fields"]
