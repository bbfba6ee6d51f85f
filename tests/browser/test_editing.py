"""An editor on the claim and entity pages, in a real browser: gives a verdict,
merges a duplicate claim after confirming, merges and splits entities."""

import pytest
from playwright.sync_api import expect

from annotations.models import Claim, Entity, EntityMention
from annotations.services.claims import create_claim
from annotations.services.entities import link_entity
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_gives_a_verdict_and_merges_a_duplicate_claim(open_page, editor, journalist):
    claim = create_claim(user=journalist, text="السد سيكتمل نهاية 2027", claimant="وزير المياه")
    duplicate = create_claim(user=journalist, text="سيكتمل السد في نهاية 2027")
    page = open_page(editor, f"/claims/{claim.id}/")
    page.locator("#claim-edit summary").click()
    page.get_by_label("الحكم").select_option("misleading")
    page.get_by_role("button", name="حفظ").click()
    expect(page.locator(".message-success")).to_contain_text("حُفظ الادعاء")
    expect(page.locator("h1 + p.meta")).to_contain_text("مضلِّل")
    assert Claim.objects.get(pk=claim.pk).verdict == "misleading"

    page.goto(page.url.split("/claims/")[0] + f"/claims/{duplicate.id}/")
    page.locator("#claim-merge summary").click()
    page.locator("#merge-q").fill("السد 2027")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="ادمج فيه…").click()
    expect(page.locator(".merge-confirm blockquote")).to_have_text(claim.text)
    page.locator(".merge-confirm").get_by_role("button", name="ادمج").click()
    expect(page.locator("h1")).to_have_text(claim.text)
    expect(page.locator(".message-success")).to_contain_text(f"دُمج الادعاء {duplicate.id}")
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id == claim.id


def test_editor_merges_and_splits_entities(open_page, editor):
    article = make_article(paragraphs=("قال سيرغي لافروف إن سيرجي لافروف سيلتقي والده لافروف الأب في جنيف.",))
    text = article.current_revision.text
    lavrov = link_entity("PER", "سيرغي لافروف")
    duplicate = Entity.objects.create(type="PER", canonical_name="سيرجي لافروف الوزير", aliases=["سيرجي لافروف"])
    for entity, quote in ((lavrov, "سيرغي لافروف"), (duplicate, "سيرجي لافروف"), (lavrov, "لافروف الأب")):
        start = text.index(quote)
        EntityMention.objects.create(
            article=article, revision=article.current_revision, start=start, end=start + len(quote), quote=quote,
            type="PER", entity=entity, origin="machine", status="suggested", extractor_version="test",
        )
    page = open_page(editor, f"/entities/{duplicate.id}/")
    page.locator("#entity-merge summary").click()
    page.locator("#merge-q").fill("سيرغي")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="ادمج فيه…").click()
    page.locator(".merge-confirm").get_by_role("button", name="ادمج").click()
    expect(page.locator("h1")).to_have_text("سيرغي لافروف")
    expect(page.locator(".message-success")).to_be_visible()

    page.locator("#entity-split summary").click()
    page.get_by_label("لافروف الأب").check()
    page.get_by_label("اسم الكيان الجديد").fill("لافروف الأب")
    page.get_by_role("button", name="افصل").click()
    expect(page.locator("h1")).to_have_text("لافروف الأب")
    father = Entity.objects.get(canonical_name="لافروف الأب")
    assert set(EntityMention.objects.filter(entity=lavrov).values_list("quote", flat=True)) == {"سيرغي لافروف", "سيرجي لافروف"}
    assert list(EntityMention.objects.filter(entity=father).values_list("quote", flat=True)) == ["لافروف الأب"]
