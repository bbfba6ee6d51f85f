"""Entities over the API: merging and splitting by editors, incremental sync,
and blind campaigns hiding what other annotators added."""

import pytest

from annotations.models import Entity, EntityMention
from annotations.services.campaigns import create_campaign, set_campaign_state
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def person(name: str) -> Entity:
    return Entity.objects.create(type="PER", canonical_name=name, aliases=[name])


def mention_of(entity: Entity, article, quote: str) -> EntityMention:
    text = article.current_revision.text
    start = text.index(quote)
    return EntityMention.objects.create(
        article=article, revision=article.current_revision, start=start, end=start + len(quote), quote=quote,
        type=entity.type, entity=entity, origin="machine", status="suggested", extractor_version="test",
    )


def test_merging_refuses_a_merged_duplicate_and_follows_a_merged_target(as_editor, article):
    lavrov, lavrov_again, sergei = person("لافروف"), person("سيرغي لافروف"), person("سيرجي لافروف")
    assert as_editor.post(f"/api/v1/entities/{lavrov_again.id}/merge/", {"into": lavrov.id}, format="json").status_code == 200
    again = as_editor.post(f"/api/v1/entities/{lavrov_again.id}/merge/", {"into": sergei.id}, format="json")
    assert again.status_code == 400 and "already merged" in again.json()["error"]["message"]
    # Into the merged one: the survivor takes it.
    merged = as_editor.post(f"/api/v1/entities/{sergei.id}/merge/", {"into": lavrov_again.id}, format="json")
    assert merged.status_code == 200 and merged.json()["id"] == lavrov.id
    assert Entity.objects.get(pk=sergei.id).merged_into_id == lavrov.id


def test_splitting_changes_the_version_of_the_entity_split_from(as_editor, as_journalist):
    article = make_article(paragraphs=("قال سامر الحداد إن الوزير الحداد سيزور المدينة.",))
    samer = person("سامر الحداد")
    first = mention_of(samer, article, "سامر الحداد")
    mention_of(samer, article, "الحداد سيزور")
    before = as_journalist.get(f"/api/v1/entities/{samer.id}/")
    assert as_journalist.post(f"/api/v1/entities/{samer.id}/split/", {"mentions": [first.id], "canonical_name": "سامر"}, format="json").status_code == 403
    split = as_editor.post(f"/api/v1/entities/{samer.id}/split/", {"mentions": [first.id], "canonical_name": "سامر الحداد الابن"}, format="json")
    assert split.status_code == 201
    after = as_journalist.get(f"/api/v1/entities/{samer.id}/")
    assert after["ETag"] != before["ETag"] and after.json()["updated_at"] > before.json()["updated_at"]
    since = before.json()["updated_at"]
    changed = {e["id"] for e in as_journalist.get("/api/v1/entities/", {"updated_since": since}).json()["results"]}
    assert {samer.id, split.json()["id"]} <= changed


def test_the_entity_list_takes_updated_since_like_every_list(as_journalist):
    person("لافروف")
    assert as_journalist.get("/api/v1/entities/", {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == []
    bad = as_journalist.get("/api/v1/entities/", {"updated_since": "yesterday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()["error"]["fields"]


def test_a_blind_campaign_hides_the_entities_and_claims_another_annotator_added(
    editor, journalist, second_journalist, as_journalist, as_second_journalist
):
    article = make_article()
    campaign = create_campaign(
        editor=editor, name="حملة عمياء", selection={"articles": [article.id]},
        annotators=[journalist.username, second_journalist.username], overlap=2, blind=True,
    )
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    text = article.current_revision.text
    start = text.index("سامر الحداد")
    added = as_second_journalist.post(
        "/api/v1/entity-mentions/", {"article": article.id, "type": "PER", "start": start, "end": start + 11, "quote": "سامر الحداد"}, format="json"
    ).json()
    claim = as_second_journalist.post("/api/v1/claims/", {"text": "ادعاء سري"}, format="json").json()
    dam = text.index("سد وادي السنديان")
    as_second_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], "start": dam, "end": dam + 16, "quote": "سد وادي السنديان"}, format="json")

    assert added["id"] not in [m["id"] for m in as_journalist.get(f"/api/v1/entity-mentions/?article={article.id}").json()["results"]]
    assert as_journalist.get(f"/api/v1/entity-mentions/{added['id']}/").status_code == 404
    assert as_journalist.get(f"/api/v1/articles/{article.id}/?expand=entities").json()["entities"] == []
    page = as_journalist.get(f"/api/v1/entities/{added['entity']}/").json()
    assert page["articles"] == [] and page["claims"] == []
    assert as_second_journalist.get(f"/api/v1/entities/{added['entity']}/").json()["claims"][0]["claim"] == claim["id"]
    # Nor does searching the claims tell what the other annotator marked.
    assert as_journalist.get("/api/v1/claims/", {"q": "سري"}).json()["results"] == []
    assert [c["id"] for c in as_second_journalist.get("/api/v1/claims/", {"q": "سري"}).json()["results"]] == [claim["id"]]
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="closed")
    assert [c["id"] for c in as_journalist.get("/api/v1/claims/", {"q": "سري"}).json()["results"]] == [claim["id"]]


def test_entities_are_found_by_any_spelling_and_merged_ones_left_out(as_editor, as_journalist):
    from annotations.services.entities import link_entity

    lavrov = link_entity("PER", "سيرغي لافروف")
    other = link_entity("PER", "سيرجي شويغو")
    geneva = link_entity("LOC", "جنيف")
    found = as_journalist.get("/api/v1/entities/", {"q": "سيرجي لافروف"}).json()["results"]  # ج for غ
    assert [e["id"] for e in found] == [lavrov.id]
    assert {e["id"] for e in as_journalist.get("/api/v1/entities/", {"q": "سيرجي"}).json()["results"]} == {lavrov.id, other.id}
    assert as_journalist.get("/api/v1/entities/", {"q": "جنيف", "type": "PER"}).json()["results"] == []
    assert as_editor.post(f"/api/v1/entities/{other.id}/merge/", {"into": lavrov.id}, format="json").status_code == 200
    surviving = {e["id"] for e in as_journalist.get("/api/v1/entities/", {"merged": "false"}).json()["results"]}
    assert surviving == {lavrov.id, geneva.id}


def test_a_split_takes_its_spellings_along_and_never_empties_the_entity(as_editor):
    article = make_article(paragraphs=("قال سامر الحداد إن الحداد الأب سيزور المدينة.",))
    samer = Entity.objects.create(type="PER", canonical_name="سامر الحداد", aliases=["سامر الحداد", "الحداد الأب"])
    son, father = mention_of(samer, article, "سامر الحداد"), mention_of(samer, article, "الحداد الأب")
    everything = as_editor.post(f"/api/v1/entities/{samer.id}/split/", {"mentions": [son.id, father.id], "canonical_name": "س"}, format="json")
    assert everything.status_code == 400 and "every mention" in everything.json()["error"]["message"]
    split = as_editor.post(f"/api/v1/entities/{samer.id}/split/", {"mentions": [son.id], "canonical_name": "سامر الحداد الابن"}, format="json")
    assert split.status_code == 201
    samer.refresh_from_db()
    # Its name and spellings are what its remaining mention writes; the new one has the rest.
    assert (samer.canonical_name, samer.aliases) == ("الحداد الأب", ["الحداد الأب"])
    assert set(split.json()["aliases"]) == {"سامر الحداد", "سامر الحداد الابن"}


def test_every_word_searched_must_be_in_one_spelling(as_journalist):
    from annotations.models import EntityAlias
    from annotations.services.entities import link_entity, match_key

    prince = link_entity("PER", "محمد بن سلمان")
    EntityAlias.objects.create(entity=prince, type="PER", key=match_key("ولي العهد السعودي"))
    found = lambda q: [e["id"] for e in as_journalist.get("/api/v1/entities/", {"q": q}).json()["results"]]  # noqa: E731
    assert found("محمد سلمان") == found("العهد السعودي") == [prince.id]
    assert found("محمد السعودي") == []  # one word from each of two spellings


def test_editors_rename_an_entity_and_a_name_of_another_is_refused(as_editor, as_journalist):
    from annotations.services.entities import link_entity

    lavrov, shoigu = link_entity("PER", "لافروف"), link_entity("PER", "سيرغي شويغو")
    url = f"/api/v1/entities/{lavrov.id}/"
    assert as_journalist.patch(url, {"canonical_name": "سيرغي لافروف", "version": lavrov.version}, format="json").status_code == 403
    renamed = as_editor.patch(url, {"canonical_name": "  سيرغي   لافروف ", "version": lavrov.version}, format="json")
    assert renamed.status_code == 200 and renamed.json()["canonical_name"] == "سيرغي لافروف"
    assert set(renamed.json()["aliases"]) == {"لافروف", "سيرغي لافروف"}
    stale = as_editor.patch(url, {"canonical_name": "س. لافروف", "version": lavrov.version}, format="json")
    assert stale.status_code == 409
    taken = as_editor.patch(url, {"canonical_name": "سيرجي شويغو", "version": renamed.json()["version"]}, format="json")  # ج/غ: Shoigu's name
    assert taken.status_code == 400 and f"entity {shoigu.id}" in taken.json()["error"]["message"]
    blank = as_editor.patch(url, {"canonical_name": " ", "version": renamed.json()["version"]}, format="json")
    assert blank.status_code == 400
    # Found by the new name.
    assert [e["id"] for e in as_journalist.get("/api/v1/entities/", {"q": "سيرجي لافروف"}).json()["results"]] == [lavrov.id]


def test_in_a_blind_campaign_an_entity_shows_only_the_spellings_one_may_see(
    editor, journalist, second_journalist, as_journalist, as_second_journalist, as_editor
):
    from annotations.services.entities import link_entity

    article = make_article(paragraphs=("قال سامر الحداد إن الحداد سيزور المدينة.",))
    samer = link_entity("PER", "سامر الحداد")
    mention_of(samer, article, "سامر الحداد")
    campaign = create_campaign(
        editor=editor, name="حملة عمياء", selection={"articles": [article.id]},
        annotators=[journalist.username, second_journalist.username], overlap=2, blind=True,
    )
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    start = article.current_revision.text.index("الحداد سيزور")
    added = as_second_journalist.post(
        "/api/v1/entity-mentions/", {"article": article.id, "type": "PER", "start": start, "end": start + 6, "quote": "الحداد"}, format="json"
    ).json()
    assert added["entity"] == samer.id

    def aliases(client):
        listed = {e["id"]: e for e in client.get("/api/v1/entities/").json()["results"]}[samer.id]["aliases"]
        assert client.get(f"/api/v1/entities/{samer.id}/").json()["aliases"] == listed
        return listed

    assert aliases(as_journalist) == ["سامر الحداد"]
    assert aliases(as_second_journalist) == aliases(as_editor) == ["سامر الحداد", "الحداد"]


def test_renaming_an_entity_shows_its_mentions_as_changed_to_a_mirror(as_editor, as_journalist):
    article = make_article(paragraphs=["وقال لافروف إن المحادثات مستمرة."])
    lavrov = person("لافروف")
    mention = mention_of(lavrov, article, "لافروف")
    from django.utils import timezone

    since = timezone.now().isoformat()  # the mirror is up to date now
    as_editor.patch(f"/api/v1/entities/{lavrov.id}/", {"canonical_name": "سيرغي لافروف", "version": lavrov.version}, format="json")
    changed = as_journalist.get("/api/v1/entity-mentions/", {"updated_since": since}).json()["results"]
    assert [(item["id"], item["entity_name"]) for item in changed] == [(mention.id, "سيرغي لافروف")]


def test_an_entity_mention_is_marked_once_and_speaks_utf16_when_asked(as_journalist):
    article = make_article(paragraphs=["💡 وقال لافروف إن المحادثات مستمرة."])
    text = article.current_revision.text
    start = text.index("لافروف")
    utf16_start = len(text[:start].encode("utf-16-le")) // 2  # the emoji counts twice
    body = {"article": article.id, "type": "PER", "start": utf16_start, "end": utf16_start + 6, "quote": "لافروف", "offsets": "utf16"}
    created = as_journalist.post("/api/v1/entity-mentions/", body, format="json")
    assert created.status_code == 201 and (created.json()["start"], created.json()["end"]) == (utf16_start, utf16_start + 6)
    again = as_journalist.post("/api/v1/entity-mentions/", body, format="json")
    assert again.status_code == 409 and again.json()["current"]["id"] == created.json()["id"]
    assert EntityMention.objects.filter(origin="person").count() == 1
    listed = as_journalist.get("/api/v1/entity-mentions/", {"offsets": "utf16"}).json()["results"]
    assert [(m["start"], m["end"]) for m in listed if m["id"] == created.json()["id"]] == [(utf16_start, utf16_start + 6)]
    stored = as_journalist.get(f"/api/v1/entity-mentions/{created.json()['id']}/").json()
    assert (stored["start"], stored["end"]) == (start, start + 6)  # code points by default
    assert as_journalist.get("/api/v1/entity-mentions/", {"offsets": "bogus"}).status_code == 400


def test_in_a_blind_campaign_a_claim_the_editor_prepared_stays_findable_after_someone_marks_it(
    editor, journalist, second_journalist, as_editor, as_journalist, as_second_journalist
):
    """Both annotators must mark the same prepared claim, or their stances
    land on two claims and cannot be compared."""
    article = make_article()
    campaign = create_campaign(
        editor=editor, name="حملة عمياء", selection={"articles": [article.id]},
        annotators=[journalist.username, second_journalist.username], overlap=2, blind=True,
    )
    prepared = as_editor.post("/api/v1/claims/", {"text": "اكتمال بناء السد في نهاية 2027"}, format="json").json()
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    text = article.current_revision.text
    dam = text.index("سد وادي السنديان")
    marked = as_second_journalist.post(
        "/api/v1/mentions/", {"article": article.id, "claim": prepared["id"], "start": dam, "end": dam + 16, "quote": "سد وادي السنديان"},
        format="json",
    )
    assert marked.status_code == 201

    found = as_journalist.get("/api/v1/claims/", {"q": "اكتمال"}).json()["results"]
    assert [c["id"] for c in found] == [prepared["id"]]
    # What the other annotator marked with it stays hidden.
    assert as_journalist.get(f"/api/v1/articles/{article.id}/?expand=mentions").json()["mentions"] == []
