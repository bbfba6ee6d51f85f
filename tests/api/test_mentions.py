"""Claim mentions over the API: code-point offsets, quotes, versions, permissions."""

import re

import pytest

from annotations.models import AuditEvent, ClaimMention
from newsdesk.text import code_point_to_utf16
from tests.factories import make_article

pytestmark = pytest.mark.django_db

EMOJI_TEXT = ("أهم المواضيع 💡 اليوم: وزير المياه قال إن السد سيكتمل، وJohn Kerry\u00a0وافق على ذلك.",)


def span_of(text: str, phrase: str) -> dict:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "quote": phrase}


@pytest.fixture
def emoji_article():
    return make_article(paragraphs=EMOJI_TEXT, comments=[("قارئ", "👍🏽 برافو 🎉 الوزير قال إن السد سيكتمل")])


def post_mention(client, claim, **target_and_span):
    return client.post("/api/v1/mentions/", {"claim": claim["id"], **target_and_span}, format="json")


def test_mention_after_an_emoji_round_trips_in_code_points(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وزير المياه قال إن السد سيكتمل")
    response = post_mention(as_journalist, claim, article=emoji_article.id, **span)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["start"], created["end"], created["quote"]) == (span["start"], span["end"], span["quote"])
    stored = ClaimMention.objects.get(pk=created["id"])
    assert text[stored.start : stored.end] == stored.quote
    assert created["revision"] == emoji_article.current_revision_id and created["target_type"] == "article"


def test_utf16_offsets_sent_as_code_points_are_refused_with_where_and_what(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وزير المياه قال")
    utf16_start = code_point_to_utf16(text, span["start"])
    assert utf16_start == span["start"] + 1  # the 💡 before it takes two UTF-16 units
    response = post_mention(
        as_journalist, claim, article=emoji_article.id, start=utf16_start, end=utf16_start + 15, quote="وزير المياه قال"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert f"[{utf16_start}, {utf16_start + 15})" in error["message"] and "Unicode code points" in error["message"]
    assert "quote" in error["fields"]
    assert ClaimMention.objects.count() == 0


def test_utf16_offsets_are_accepted_when_declared(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وزير المياه قال")
    response = post_mention(
        as_journalist, claim, article=emoji_article.id, offsets="utf16",
        start=code_point_to_utf16(text, span["start"]), end=code_point_to_utf16(text, span["end"]), quote=span["quote"],
    )
    assert response.status_code == 201, response.json()
    utf16 = (code_point_to_utf16(text, span["start"]), code_point_to_utf16(text, span["end"]))
    assert (response.json()["start"], response.json()["end"]) == utf16  # answered in the unit it was asked in
    stored = ClaimMention.objects.get()
    assert (stored.start, stored.end) == (span["start"], span["end"])  # stored in code points
    mention_id = response.json()["id"]
    for url in (f"/api/v1/mentions/{mention_id}/?offsets=utf16", f"/api/v1/mentions/?article={emoji_article.id}&offsets=utf16"):
        body = as_journalist.get(url).json()
        assert ((body.get("results") or [body])[0]["start"], (body.get("results") or [body])[0]["end"]) == utf16, url
    plain = as_journalist.get(f"/api/v1/mentions/{mention_id}/").json()
    assert (plain["start"], plain["end"]) == (span["start"], span["end"])


def test_a_utf16_update_of_one_edge_keeps_the_other_where_it_was(as_journalist, emoji_article, claim):
    comment = emoji_article.comments.get()
    text = comment.text
    drop = span_of(text, "برافو 🎉")
    created = post_mention(as_journalist, claim, comment=comment.id, **drop).json()
    wider = text.index("🎉") + 1  # one code point further: past the astral 🎉 is two UTF-16 units further
    response = as_journalist.patch(
        f"/api/v1/mentions/{created['id']}/",
        {"end": code_point_to_utf16(text, wider + 1), "quote": text[drop["start"] : wider + 1], "offsets": "utf16", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    stored = ClaimMention.objects.get()
    assert (stored.start, stored.end) == (drop["start"], wider + 1)
    assert response.json()["start"] == code_point_to_utf16(text, drop["start"])


def test_a_utf16_offset_inside_a_surrogate_pair_is_refused(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    emoji_at = code_point_to_utf16(text, text.index("💡"))
    response = post_mention(as_journalist, claim, article=emoji_article.id, offsets="utf16", start=emoji_at + 1, end=emoji_at + 4, quote="x")
    assert response.status_code == 400
    assert "surrogate pair" in response.json()["error"]["message"]
    assert set(response.json()["error"]["fields"]) == {"start"}
    past_the_end = post_mention(as_journalist, claim, article=emoji_article.id, offsets="utf16", start=0, end=10_000, quote="x")
    assert set(past_the_end.json()["error"]["fields"]) == {"end"}


def test_a_utf16_quote_mismatch_names_both_units(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وزير المياه")
    start16, end16 = code_point_to_utf16(text, span["start"]), code_point_to_utf16(text, span["end"])
    response = post_mention(as_journalist, claim, article=emoji_article.id, offsets="utf16", start=start16, end=end16, quote="وزير الماء")
    message = response.json()["error"]["message"]
    assert f"[{span['start']}, {span['end']}) (Unicode code points)" in message
    assert f"sent as [{start16}, {end16}) in UTF-16 code units" in message


def test_mixed_arabic_english_span_with_a_no_break_space_round_trips(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وJohn Kerry\u00a0وافق")
    response = post_mention(as_journalist, claim, article=emoji_article.id, **span)
    assert response.status_code == 201, response.json()
    detail = as_journalist.get(f"/api/v1/mentions/{response.json()['id']}/").json()
    assert detail["quote"] == "وJohn Kerry\u00a0وافق"
    assert detail["quote"].encode() == span["quote"].encode()


def test_mention_in_a_comment_with_emoji(as_journalist, emoji_article, claim):
    comment = emoji_article.comments.get()
    span = span_of(comment.text, "الوزير قال")
    response = post_mention(as_journalist, claim, comment=comment.id, **span)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["target_type"], body["comment"], body["revision"]) == ("comment", comment.id, None)
    assert comment.text[body["start"] : body["end"]] == "الوزير قال"


def test_overlapping_mentions_are_allowed(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    for phrase in ("وزير المياه قال", "المياه قال إن السد"):
        assert post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, phrase)).status_code == 201
    assert ClaimMention.objects.count() == 2


@pytest.mark.parametrize(
    "start, end, field",
    [(-1, 3, "start"), (5, 5, "end"), (5, 100000, "end")],
)
def test_impossible_offsets_are_refused(as_journalist, article, claim, start, end, field):
    response = post_mention(as_journalist, claim, article=article.id, start=start, end=end, quote="x")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_span_edge_between_a_letter_and_its_harakat_is_refused(as_journalist, claim):
    article = make_article(paragraphs=("سيعلن قريباً عن الخطة",))
    text = article.current_revision.text
    start = text.index("قريباً")
    cut = start + len("قريبا")  # before the tanween
    response = post_mention(as_journalist, claim, article=article.id, start=start, end=cut, quote=text[start:cut])
    assert response.status_code == 400
    assert "U+064B" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "emoji, cut",
    [("👷\u200d♀\ufe0f", 1), ("👷\u200d♀\ufe0f", 2), ("👷\u200d♀\ufe0f", 3), ("👍🏽", 1)],  # around the ZWJ, before VS16, before the skin tone
)
def test_a_span_edge_inside_an_emoji_sequence_is_refused(as_journalist, claim, emoji, cut):
    article = make_article(paragraphs=(f"العمال {emoji} في الموقع",))
    text = article.current_revision.text
    start = text.index(emoji)
    response = post_mention(as_journalist, claim, article=article.id, start=start, end=start + cut, quote=text[start : start + cut])
    assert response.status_code == 400 and "emoji" in response.json()["error"]["message"]
    whole = post_mention(as_journalist, claim, article=article.id, start=start, end=start + len(emoji), quote=emoji)
    assert whole.status_code == 201, whole.json()


def test_unknown_target_and_claim_are_404(as_journalist, article, claim):
    assert post_mention(as_journalist, claim, article=999999, start=0, end=1, quote="و").status_code == 404
    response = as_journalist.post("/api/v1/mentions/", {"claim": 999999, "article": article.id, "start": 0, "end": 4, "quote": article.current_revision.text[:4]}, format="json")
    assert response.status_code == 404


def test_stale_update_is_refused_with_conflict_and_the_current_state(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    created = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    moved = as_journalist.patch(f"/api/v1/mentions/{created['id']}/", {"version": 1, **span_of(text, "وزير المياه قال")}, format="json")
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = as_journalist.patch(f"/api/v1/mentions/{created['id']}/", {"version": 1, **span_of(text, "السد")}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["quote"] == "وزير المياه قال"
    assert stale.json()["changed_by"] == ClaimMention.objects.get().annotator.username  # who saved the stored version
    assert ClaimMention.objects.get().quote == "وزير المياه قال"


def test_if_match_with_a_stale_etag_is_412(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    created = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه"))
    assert created["ETag"] == '"1"'
    mention_id = created.json()["id"]
    ok = as_journalist.patch(f"/api/v1/mentions/{mention_id}/", span_of(text, "السد"), format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = as_journalist.delete(f"/api/v1/mentions/{mention_id}/", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 2


def test_an_update_without_a_version_is_refused(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    created = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    response = as_journalist.patch(f"/api/v1/mentions/{created['id']}/", span_of(text, "السد"), format="json")
    assert response.status_code == 400 and "version" in response.json()["error"]["fields"]


def test_deleting_a_mention_is_recorded(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    created = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    assert as_journalist.delete(f"/api/v1/mentions/{created['id']}/?version=1").status_code == 204
    assert not ClaimMention.objects.exists()
    event = AuditEvent.objects.get(action="delete", object_type="mention")
    assert event.before["quote"] == "وزير المياه" and event.actor.username == "layla"
    deletions = as_journalist.get("/api/v1/deletions/?object_type=mention").json()["results"]
    assert deletions == [{"object_type": "mention", "object_id": created["id"], "deleted_at": deletions[0]["deleted_at"], "article": emoji_article.id}]


def test_only_the_annotator_or_an_editor_may_change_a_mention(as_journalist, as_second_journalist, as_editor, emoji_article, claim):
    text = emoji_article.current_revision.text
    created = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    response = as_second_journalist.delete(f"/api/v1/mentions/{created['id']}/?version=1")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert as_editor.delete(f"/api/v1/mentions/{created['id']}/?version=1").status_code == 204


def test_anonymous_requests_get_401(api, article):
    for path in ("/api/v1/articles/", f"/api/v1/articles/{article.id}/", "/api/v1/mentions/", "/api/v1/export/articles.jsonl"):
        response = api.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert api.post("/api/v1/claims/", {"text": "x"}, format="json").status_code == 401


def test_messages_are_english_unless_the_client_names_a_language(api, settings):
    def message(**headers):
        response = api.get("/api/v1/articles/", **headers)
        return response["Content-Language"], response.json()["error"]["message"]

    assert message() == ("en", "Authentication credentials were not provided.")
    language, arabic = message(HTTP_ACCEPT_LANGUAGE="ar")
    assert language == "ar" and arabic != "Authentication credentials were not provided."
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"  # the interface's language switch
    assert message()[0] == "ar"


def test_service_errors_speak_the_language_the_client_names(as_journalist, emoji_article, claim):
    """The Arabic interface's calls carry its language: a missing mention and a
    stale save are said in Arabic, whole; a client that names none reads English."""
    text = emoji_article.current_revision.text
    created = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    as_journalist.patch(f"/api/v1/mentions/{created['id']}/", {**span_of(text, "وزير المياه قال"), "version": 1}, format="json")

    def error(method, path, **headers):
        return getattr(as_journalist, method)(path, {"version": 1}, format="json", **headers).json()["error"]["message"]

    missing = error("patch", "/api/v1/mentions/999999/", HTTP_ACCEPT_LANGUAGE="ar")
    assert "999999" in missing and not re.search(r"[A-Za-z]", missing), missing
    assert error("patch", "/api/v1/mentions/999999/") == "No mention with id 999999."
    stale = error("delete", f"/api/v1/mentions/{created['id']}/", HTTP_ACCEPT_LANGUAGE="ar")
    assert stale.startswith("غيّر أحدهم هذا العنصر") and "1" in stale and "2" in stale, stale
    assert error("delete", f"/api/v1/mentions/{created['id']}/").startswith("Someone changed this since you loaded it")


def test_read_only_token_reads_but_cannot_write(as_api_client, article):
    assert as_api_client.get(f"/api/v1/articles/{article.id}/").status_code == 200
    response = as_api_client.post("/api/v1/claims/", {"text": "ادعاء"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This token is read-only."


def test_a_user_without_a_role_cannot_read(outsider, article):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get("/api/v1/articles/").status_code == 403


def test_bad_and_revoked_tokens_are_401(api, read_only_token, api_client_user):
    api.credentials(HTTP_AUTHORIZATION="Bearer nd_not-a-real-token")
    assert api.get("/api/v1/articles/").status_code == 401
    from newsdesk.api.auth import revoke_token

    revoke_token(api_client_user.api_tokens.get())
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_only_token}")
    assert api.get("/api/v1/articles/").status_code == 401


def test_a_retried_create_with_the_same_idempotency_key_makes_one_mention(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    body = {"claim": claim["id"], "article": emoji_article.id, **span_of(text, "وزير المياه قال")}
    first = as_journalist.post("/api/v1/mentions/", body, format="json", HTTP_IDEMPOTENCY_KEY="save-7f3a")
    again = as_journalist.post("/api/v1/mentions/", body, format="json", HTTP_IDEMPOTENCY_KEY="save-7f3a")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ClaimMention.objects.count() == 1
    other = as_journalist.post("/api/v1/stances/", {"article": emoji_article.id, "claim": claim["id"], "label": "agree"}, format="json", HTTP_IDEMPOTENCY_KEY="save-7f3a")
    assert other.status_code == 400 and "Idempotency-Key" in other.json()["error"]["fields"]
    # The same key with another span is another request: refused, not answered with the first mention.
    moved = as_journalist.post("/api/v1/mentions/", {**body, **span_of(text, "السد سيكتمل")}, format="json", HTTP_IDEMPOTENCY_KEY="save-7f3a")
    assert moved.status_code == 400 and "different body" in moved.json()["error"]["message"]
    assert ClaimMention.objects.count() == 1


def test_tokens_are_issued_to_existing_users_and_to_new_clients_only_when_asked(django_user_model, journalist, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user layal. To create an API client user, add --new-client"):
        call_command("create_api_token", "layal")  # a typo of layla
    assert not django_user_model.objects.filter(username="layal").exists()
    call_command("create_api_token", "mirror-bot", "--new-client")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    journalist.is_active = False
    journalist.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", "layla")
    assert journalist.groups.filter(name="api_client").count() == 0


def test_the_same_span_for_the_same_claim_twice_is_a_conflict_carrying_the_first(as_journalist, as_second_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وزير المياه")
    first = post_mention(as_journalist, claim, article=emoji_article.id, **span)
    again = post_mention(as_journalist, claim, article=emoji_article.id, **span)
    assert again.status_code == 409 and again.json()["current"]["id"] == first.json()["id"]
    assert "already marked" in again.json()["error"]["message"]
    # Another annotator marks the same span: their own mention.
    assert post_mention(as_second_journalist, claim, article=emoji_article.id, **span).status_code == 201
    # The same words in a comment are another text.
    comment = emoji_article.comments.get()
    assert post_mention(as_journalist, claim, comment=comment.id, **span_of(comment.text, "الوزير")).status_code == 201
    assert post_mention(as_journalist, claim, comment=comment.id, **span_of(comment.text, "الوزير")).status_code == 409
    assert ClaimMention.objects.count() == 3
    assert AuditEvent.objects.filter(object_type="mention", action="create").count() == 3


def test_moving_a_mention_onto_its_twin_is_a_conflict(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    kept = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    moved = post_mention(as_journalist, claim, article=emoji_article.id, **span_of(text, "وزير المياه قال")).json()
    response = as_journalist.patch(f"/api/v1/mentions/{moved['id']}/", {"version": moved["version"], **span_of(text, "وزير المياه")}, format="json")
    assert response.status_code == 409 and response.json()["current"]["id"] == kept["id"]
    assert ClaimMention.objects.get(pk=moved["id"]).quote == "وزير المياه قال"


def test_merging_claims_marked_on_one_span_keeps_one_mention_and_records_the_other(as_journalist, as_editor, emoji_article, claim):
    text = emoji_article.current_revision.text
    other = as_journalist.post("/api/v1/claims/", {"text": "السد يكتمل قريبًا"}, format="json").json()
    span = span_of(text, "السد سيكتمل")
    kept = post_mention(as_journalist, claim, article=emoji_article.id, **span).json()
    repeat = post_mention(as_journalist, other, article=emoji_article.id, **span).json()
    elsewhere = post_mention(as_journalist, other, article=emoji_article.id, **span_of(text, "وزير المياه")).json()
    assert as_editor.post(f"/api/v1/claims/{other['id']}/merge/", {"into": claim["id"]}, format="json").status_code == 200
    assert set(ClaimMention.objects.filter(claim_id=claim["id"]).values_list("id", flat=True)) == {kept["id"], elsewhere["id"]}
    deletions = as_journalist.get("/api/v1/deletions/", {"object_type": "mention"}).json()["results"]
    assert [row["object_id"] for row in deletions] == [repeat["id"]]


def test_a_repeat_in_utf16_answers_in_utf16(as_journalist, emoji_article, claim):
    text = emoji_article.current_revision.text
    span = span_of(text, "وزير المياه")
    start16 = code_point_to_utf16(text, span["start"])
    body = {"article": emoji_article.id, "offsets": "utf16", "start": start16, "end": start16 + 11, "quote": "وزير المياه"}
    first = post_mention(as_journalist, claim, **body).json()
    again = post_mention(as_journalist, claim, **body)
    assert again.status_code == 409 and again.json()["current"]["start"] == first["start"] == start16


def test_a_same_key_retry_that_lost_the_race_replays_the_first_answer(as_journalist, emoji_article, claim, monkeypatch):
    """The retry looked for the key before the first request committed; its
    own create then meets the first mention. It gets the first answer."""
    from annotations.models import IdempotentRequest

    span = span_of(emoji_article.current_revision.text, "وزير المياه")
    headers = {"HTTP_IDEMPOTENCY_KEY": "race-1"}
    first = as_journalist.post("/api/v1/mentions/", {"claim": claim["id"], "article": emoji_article.id, **span}, format="json", **headers)
    real_filter = IdempotentRequest.objects.filter

    class NotYetCommitted:
        def first(self):
            return None

    looks = iter([NotYetCommitted()])  # the retry's first look, before the first request committed
    monkeypatch.setattr(IdempotentRequest.objects, "filter", lambda *a, **k: next(looks, None) or real_filter(*a, **k))
    retry = as_journalist.post("/api/v1/mentions/", {"claim": claim["id"], "article": emoji_article.id, **span}, format="json", **headers)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"] and ClaimMention.objects.count() == 1


def test_an_article_without_text_cannot_be_marked(as_journalist, claim):
    from newsdesk.models import Article

    article = make_article()
    Article.objects.filter(pk=article.pk).update(current_revision=None)
    refused = post_mention(as_journalist, claim, article=article.id, start=0, end=3, quote="abc")
    assert refused.status_code == 400 and "no text" in refused.json()["error"]["message"]
