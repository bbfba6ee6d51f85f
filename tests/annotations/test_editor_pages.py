"""What editors do on the claim and entity pages: correct a claim and give its
verdict, merge duplicate claims, merge and split entities."""

import pytest

from annotations.models import ClaimMention, Entity, EntityMention, Stance
from annotations.services.claims import create_claim
from annotations.services.entities import link_entity
from tests.factories import make_article, mark_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(journalist):
    return create_claim(user=journalist, text="السد سيكتمل نهاية 2027", claimant="وزير المياه")


def edit(client, claim, **fields):
    return client.post(f"/claims/{claim.id}/edit/", {"text": claim.text, "claimant": claim.claimant, "version": claim.version, **fields})


def test_an_editor_gives_the_verdict_and_the_author_corrects_the_words(client, editor, journalist, claim):
    client.force_login(journalist)
    page = client.get(f"/claims/{claim.id}/").text
    assert 'id="claim-edit"' in page and 'name="verdict"' not in page and 'id="claim-merge"' not in page
    saved = edit(client, claim, text="سد وادي السنديان سيكتمل نهاية 2027", verdict="false")
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert claim.text == "سد وادي السنديان سيكتمل نهاية 2027" and claim.verdict == ""  # an annotator gives no verdict

    client.force_login(editor)
    assert 'name="verdict"' in client.get(f"/claims/{claim.id}/").text
    assert edit(client, claim, verdict="misleading").status_code == 302
    claim.refresh_from_db()
    assert claim.verdict == "misleading" and claim.version == 3
    assert "مضلِّل" in client.get(f"/claims/{claim.id}/").text  # the verdict, in the interface's Arabic


def test_another_annotator_sees_no_form_and_cannot_post_one(client, second_journalist, claim):
    client.force_login(second_journalist)
    assert 'id="claim-edit"' not in client.get(f"/claims/{claim.id}/").text
    assert edit(client, claim, text="نص آخر").status_code == 403
    claim.refresh_from_db()
    assert claim.text == "السد سيكتمل نهاية 2027"


def test_a_stale_edit_keeps_what_was_typed_and_saves_nothing(client, editor, journalist, claim):
    client.force_login(editor)
    opened = claim.version
    client.force_login(journalist)
    assert edit(client, claim, claimant="الوزير").status_code == 302
    client.force_login(editor)
    claim.version = opened
    refused = edit(client, claim, text="نص المحرر الجديد", verdict="false")
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "نص المحرر الجديد" in page and "فلم يُحفظ شيء" in page  # "nothing was saved", in the interface's Arabic
    stored = type(claim).objects.get(pk=claim.pk)
    assert (stored.text, stored.claimant, stored.verdict) == ("السد سيكتمل نهاية 2027", "الوزير", "")
    # The form now carries the stored version: saving again is a deliberate overwrite.
    assert f'name="version" value="{stored.version}"' in page
    assert client.post(f"/claims/{claim.id}/edit/", {"text": "نص المحرر الجديد", "claimant": "", "verdict": "false", "version": stored.version}).status_code == 302
    stored.refresh_from_db()
    assert (stored.text, stored.verdict) == ("نص المحرر الجديد", "false")


def test_a_blank_claim_is_refused_by_field(client, journalist, claim):
    client.force_login(journalist)
    refused = edit(client, claim, text="   ")
    assert refused.status_code == 400 and 'class="error"' in refused.content.decode()
    claim.refresh_from_db()
    assert claim.text == "السد سيكتمل نهاية 2027"


def test_an_editor_finds_the_duplicate_by_folded_words_confirms_and_merges(client, editor, journalist, claim):
    article = make_article()
    duplicate = create_claim(user=journalist, text="سيكتمل السد في نهاية عام 2027")
    mark_claim(journalist, article, duplicate, "سيكتمل")
    client.force_login(editor)
    found = client.get(f"/claims/{duplicate.id}/", {"merge_q": "السدّ سيكتمل"}).content.decode()  # a shadda does not hide it
    assert claim.text in found and f"merge_into={claim.id}" in found
    confirm = client.get(f"/claims/{duplicate.id}/", {"merge_into": claim.id}).content.decode()
    assert f'action="/claims/{duplicate.id}/merge/"' in confirm and claim.text in confirm
    merged = client.post(f"/claims/{duplicate.id}/merge/", {"into": claim.id})
    assert merged.status_code == 302 and merged["Location"] == f"/claims/{claim.id}/"
    assert ClaimMention.objects.get().claim_id == claim.id and Stance.objects.get().claim_id == claim.id
    # The duplicate's address now leads to the surviving claim, saying so.
    old_link = client.get(f"/claims/{duplicate.id}/", follow=True)
    assert old_link.redirect_chain == [(f"/claims/{claim.id}/", 302)]
    assert f"دُمج الادعاء {duplicate.id} في هذا الادعاء" in old_link.content.decode()
    again = client.post(f"/claims/{duplicate.id}/merge/", {"into": claim.id}, follow=True)  # pressed twice
    assert again.redirect_chain[-1][0] == f"/claims/{claim.id}/" and "message-error" not in again.content.decode()
    elsewhere = create_claim(user=editor, text="ادعاء ثالث لا علاقة له")
    refused = client.post(f"/claims/{duplicate.id}/merge/", {"into": elsewhere.id}, follow=True)
    assert f"دُمج الادعاء {duplicate.id} من قبل في الادعاء {claim.id}" in refused.content.decode()  # "already merged"
    nothing = client.post(f"/claims/{claim.id}/merge/", {"into": ""}, follow=True)
    assert nothing.status_code == 200 and "message-error" in nothing.content.decode()
    unknown = client.post(f"/claims/{claim.id}/merge/", {"into": "999999"}, follow=True)
    assert unknown.status_code == 200 and "لا يوجد ادعاء رقمه 999999." in unknown.content.decode()  # "No claim with id"


def test_annotators_cannot_merge_claims(client, journalist, claim):
    other = create_claim(user=journalist, text="ادعاء آخر")
    client.force_login(journalist)
    assert client.post(f"/claims/{other.id}/merge/", {"into": claim.id}).status_code == 403
    assert client.post(f"/claims/{other.id}/merge/", {"into": "abc"}).status_code == 403  # refused before the input is read
    assert type(claim).objects.get(pk=other.pk).merged_into_id is None


def mention_of(entity, article, quote):
    text = article.current_revision.text
    start = text.index(quote)
    return EntityMention.objects.create(
        article=article, revision=article.current_revision, start=start, end=start + len(quote), quote=quote,
        type=entity.type, entity=entity, origin="machine", status="suggested", extractor_version="test",
    )


def test_an_editor_merges_an_entity_found_by_another_spelling(client, editor, journalist):
    article = make_article(paragraphs=("قال سيرغي لافروف إن سيرجي لافروف نفسه سيزور جنيف.",))
    lavrov = link_entity("PER", "سيرغي لافروف")
    duplicate = Entity.objects.create(type="PER", canonical_name="سيرجي لافروف الوزير", aliases=["سيرجي لافروف"])
    mention_of(lavrov, article, "سيرغي لافروف")
    moved = mention_of(duplicate, article, "سيرجي لافروف")
    geneva = link_entity("LOC", "جنيف")

    client.force_login(journalist)
    assert 'id="entity-merge"' not in client.get(f"/entities/{duplicate.id}/").text
    assert client.post(f"/entities/{duplicate.id}/merge/", {"into": lavrov.id}).status_code == 403

    client.force_login(editor)
    found = client.get(f"/entities/{duplicate.id}/", {"merge_q": "سيرجي"}).text  # ج/غ: one name
    assert f"merge_into={lavrov.id}" in found and f"merge_into={geneva.id}" not in found  # only people
    merged = client.post(f"/entities/{duplicate.id}/merge/", {"into": lavrov.id})
    assert merged.status_code == 302 and merged["Location"] == f"/entities/{lavrov.id}/"
    moved.refresh_from_db()
    assert moved.entity_id == lavrov.id
    assert "سيرجي لافروف" in Entity.objects.get(pk=lavrov.pk).aliases


def test_an_editor_splits_off_the_mentions_of_one_spelling(client, editor):
    article = make_article(paragraphs=("قال سامر الحداد إن الحداد الأب سيزور المدينة مع سامر الحداد.",))
    samer = link_entity("PER", "سامر الحداد")
    kept = mention_of(samer, article, "سامر الحداد")
    father = mention_of(samer, article, "الحداد الأب")
    client.force_login(editor)
    page = client.get(f"/entities/{samer.id}/").text
    assert 'id="entity-split"' in page and 'value="الحداد الأب"' in page
    refused = client.post(f"/entities/{samer.id}/split/", {"canonical_name": "وليد الحداد"}, follow=True)
    assert "اختر الكتابات التي تنتقل إشاراتها إلى الكيان الجديد." in refused.text  # "Choose the spellings…"
    # The split panel opens again with the new name as typed.
    assert '<details class="editor-panel" id="entity-split" open>' in refused.text
    assert 'name="canonical_name" value="وليد الحداد"' in refused.text
    split = client.post(f"/entities/{samer.id}/split/", {"spelling": ["الحداد الأب"], "canonical_name": "وليد الحداد"})
    new = Entity.objects.get(canonical_name="وليد الحداد")
    assert split.status_code == 302 and split["Location"] == f"/entities/{new.id}/"
    father.refresh_from_db()
    kept.refresh_from_db()
    assert (father.entity_id, kept.entity_id) == (new.id, samer.id)


def test_the_entity_index_finds_any_spelling_by_type_and_counts_mentions(client, journalist):
    article = make_article(paragraphs=("قال سيرغي لافروف في جنيف إن لافروف سيعود إلى جنيف.",))
    lavrov = link_entity("PER", "سيرغي لافروف")
    geneva = link_entity("LOC", "جنيف")
    for entity, quote in ((lavrov, "سيرغي لافروف"), (geneva, "جنيف")):
        mention_of(entity, article, quote)
    rejected = mention_of(lavrov, article, "لافروف سيعود")
    rejected.status = "rejected"
    rejected.save()
    client.force_login(journalist)
    page = client.get("/entities/", {"q": "سيرجي"}).text  # ج/غ
    assert f"/entities/{lavrov.id}/" in page and f"/entities/{geneva.id}/" not in page
    assert "إشارة واحدة" in page  # one mention: the rejected one is not counted
    places = client.get("/entities/", {"type": "LOC"}).text
    assert f"/entities/{geneva.id}/" in places and f"/entities/{lavrov.id}/" not in places
    assert client.get("/entities/", {"type": "bogus", "page": "x"}).status_code == 200


def test_a_correction_of_a_claim_merged_meanwhile_goes_nowhere_and_says_so(client, editor, journalist, claim):
    duplicate = create_claim(user=journalist, text="سيكتمل السد في 2027")
    client.force_login(editor)
    client.post(f"/claims/{duplicate.id}/merge/", {"into": claim.id})
    client.force_login(journalist)
    late = edit(client, duplicate, text="سيكتمل السد في ربيع 2027")
    assert late.status_code == 302 and late["Location"] == f"/claims/{claim.id}/"
    page = client.get(late["Location"]).content.decode()
    assert "فلم يُحفظ شيء" in page and "سيكتمل السد في ربيع 2027" in page  # what was typed, to copy
    duplicate.refresh_from_db()
    assert duplicate.text == "سيكتمل السد في 2027"


def test_pressing_save_twice_is_not_a_conflict_with_oneself(client, journalist, claim):
    client.force_login(journalist)
    assert edit(client, claim, text="السد سيكتمل في ربيع 2027").status_code == 302
    again = edit(client, claim, text="السد سيكتمل في ربيع 2027")  # the same form, sent again
    assert again.status_code == 302
    assert "حُفظ الادعاء" in client.get(again["Location"]).content.decode()


def test_a_lost_version_is_said_and_new_words_get_their_language(client, journalist, claim):
    client.force_login(journalist)
    lost = client.post(f"/claims/{claim.id}/edit/", {"text": "x", "claimant": ""})
    assert lost.status_code == 400 and "أعد تحميل الصفحة" in lost.content.decode()
    assert edit(client, claim, text="The dam will be finished by the end of 2027").status_code == 302
    claim.refresh_from_db()
    assert claim.language == "en"
    assert 'lang="en"' in client.get(f"/claims/{claim.id}/").content.decode()


def test_an_old_entity_link_leads_to_its_survivor_and_an_entity_nobody_visible_names_is_not_listed(client, editor, journalist):
    lavrov = link_entity("PER", "سيرغي لافروف")
    duplicate = Entity.objects.create(type="PER", canonical_name="لافروف", aliases=["لافروف"])
    article = make_article(paragraphs=("قال سيرغي لافروف إن لافروف سيزور جنيف.",))
    mention_of(lavrov, article, "سيرغي لافروف")
    client.force_login(editor)
    client.post(f"/entities/{duplicate.id}/merge/", {"into": lavrov.id})
    old_link = client.get(f"/entities/{duplicate.id}/", follow=True)
    assert old_link.redirect_chain == [(f"/entities/{lavrov.id}/", 302)]
    unnamed = Entity.objects.create(type="PER", canonical_name="شخص بلا إشارات", aliases=["شخص بلا إشارات"])
    assert f"/entities/{unnamed.id}/" not in client.get("/entities/").text


def test_an_editor_renames_an_entity_on_its_page(client, editor, journalist):
    article = make_article(paragraphs=("قال لافروف إن الاجتماع سيعقد غدًا.",))
    lavrov = link_entity("PER", "لافروف")
    mention_of(lavrov, article, "لافروف")
    client.force_login(journalist)
    assert 'id="entity-rename"' not in client.get(f"/entities/{lavrov.id}/").text
    assert client.post(f"/entities/{lavrov.id}/rename/", {"canonical_name": "x", "version": lavrov.version}).status_code == 403
    client.force_login(editor)
    page = client.get(f"/entities/{lavrov.id}/").text
    assert 'id="entity-rename"' in page and f'name="version" value="{lavrov.version}"' in page
    done = client.post(f"/entities/{lavrov.id}/rename/", {"canonical_name": "سيرغي لافروف", "version": lavrov.version}, follow=True)
    assert "<h1><bdi>سيرغي لافروف</bdi></h1>" in done.text and "message-success" in done.text
    stale = client.post(f"/entities/{lavrov.id}/rename/", {"canonical_name": "لافروف الوزير", "version": lavrov.version}, follow=True)
    assert "message-error" in stale.text and Entity.objects.get(pk=lavrov.pk).canonical_name == "سيرغي لافروف"
    assert stale.status_code == 409 and 'value="لافروف الوزير"' in stale.text  # what was typed, to save again
    lost = client.post(f"/entities/{lavrov.id}/rename/", {"canonical_name": "لافروف الوزير", "version": "x"}, follow=True)
    assert lost.status_code == 400 and "message-error" in lost.text


def test_in_a_blind_campaign_the_entities_pages_show_only_the_spellings_one_may_see(client, editor, journalist, second_journalist):
    from annotations.services.campaigns import create_campaign, set_campaign_state
    from annotations.services.entities import add_entity_mention

    article = make_article(paragraphs=("قال سامر الحداد إن الحداد سيزور المدينة.",))
    samer = link_entity("PER", "سامر الحداد")
    mention_of(samer, article, "سامر الحداد")  # the machine's: everyone's
    campaign = create_campaign(
        editor=editor, name="حملة عمياء", selection={"articles": [article.id]},
        annotators=[journalist.username, second_journalist.username], overlap=2, blind=True,
    )
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    start = article.current_revision.text.index("الحداد سيزور")
    added = add_entity_mention(user=second_journalist, entity_type="PER", article=article.id, start=start, end=start + 6, quote="الحداد")
    assert added.entity_id == samer.id  # the surname alone links to him: a new spelling of his

    client.force_login(journalist)
    for page in (client.get("/entities/").text, client.get(f"/entities/{samer.id}/").text):
        assert "سامر الحداد" in page and "<bdi>الحداد</bdi>" not in page
    client.force_login(second_journalist)
    assert "<bdi>الحداد</bdi>" in client.get("/entities/").text


def test_the_entities_page_takes_a_fixed_number_of_queries(client, journalist, django_assert_max_num_queries):
    article = make_article(paragraphs=(" ".join(f"كيان{n}" for n in range(30)),))
    for n in range(30):
        mention_of(link_entity("ORG", f"كيان{n}"), article, f"كيان{n}")
    client.force_login(journalist)
    client.get("/entities/")  # sessions, roles: warmed
    with django_assert_max_num_queries(12):
        assert client.get("/entities/").text.count('href="/entities/') >= 30


def test_a_verdict_alone_keeps_the_language_the_claim_was_given(client, editor, claim):
    from annotations.services.claims import update_claim

    update_claim(user=editor, claim_id=claim.pk, version=claim.version, changes={"language": "en"})
    claim.refresh_from_db()
    client.force_login(editor)
    assert edit(client, claim, verdict="false").status_code == 302  # the form sends the text unchanged
    claim.refresh_from_db()
    assert (claim.verdict, claim.language) == ("false", "en")


def test_a_split_named_as_another_entity_is_refused(client, editor):
    article = make_article(paragraphs=("قال سامر الحداد إن الحداد الأب سيزور المدينة.",))
    samer, other = link_entity("PER", "سامر الحداد"), link_entity("PER", "وليد الحداد")
    mention_of(samer, article, "سامر الحداد")
    mention_of(samer, article, "الحداد الأب")
    client.force_login(editor)
    refused = client.post(f"/entities/{samer.id}/split/", {"spelling": ["الحداد الأب"], "canonical_name": "وليد  الحداد"}, follow=True)
    assert f"اسم الكيان {other.id}" in refused.text and EntityMention.objects.filter(entity=samer).count() == 2


def test_a_refused_rename_keeps_the_name_the_editor_typed(client, editor):
    samer = link_entity("PER", "سامر الحداد")
    link_entity("PER", "وليد الحداد")
    client.force_login(editor)
    refused = client.post(f"/entities/{samer.id}/rename/", {"canonical_name": "وليد الحداد", "version": samer.version})
    assert refused.status_code == 400
    assert '<details class="editor-panel" id="entity-rename" open>' in refused.text
    assert 'id="rename-name" name="canonical_name" value="وليد الحداد"' in refused.text
    samer.refresh_from_db()
    assert samer.canonical_name == "سامر الحداد"
