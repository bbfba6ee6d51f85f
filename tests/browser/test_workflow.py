"""The campaign flows in a real browser, with the keyboard: an annotator takes
the next task, annotates and submits; an editor compares and adjudicates."""

import pytest
from playwright.sync_api import expect

from annotations.models import AnnotationTask, ClaimMention, Layer, Stance
from annotations.services import queue
from annotations.services.campaigns import create_campaign, set_campaign_state
from annotations.services.claims import create_claim
from annotations.services.stances import set_stance_for
from tests.browser.helpers import block_api, reader_ready, unblock_api, wait_saved
from tests.factories import make_article, submit_stances

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(editor, journalist, second_journalist):
    articles = [make_article(title="بالفيروس انتشر الخبر في المدينة"), make_article()]
    created = create_campaign(
        editor=editor, name="حملة الاختبار", guidelines="**اقرأ** ثم علّم", selection={"articles": [a.id for a in articles]},
        annotators=[journalist.username, second_journalist.username], overlap=2, blind=True,
    )
    return set_campaign_state(editor=editor, campaign_id=created.id, state="active")


def test_annotator_takes_annotates_and_submits_with_the_keyboard(open_page, journalist, campaign):
    page = open_page(journalist, f"/campaigns/{campaign.id}/")
    expect(page.locator(".markdown strong")).to_have_text("اقرأ")
    page.keyboard.press("n")
    reader_ready(page)
    task = AnnotationTask.objects.get(annotator=journalist)
    assert f"task={task.id}" in page.url and task.state == "in_progress"

    # Select the first two words of the title, mark them as a new claim, agree.
    page.keyboard.press("]")
    page.keyboard.press("]")
    page.keyboard.press("Enter")
    expect(page.locator("#popover")).to_be_visible()
    page.keyboard.type("الفيروس ينتشر")
    expect(page.locator("#claim-options .create")).to_contain_text("الفيروس ينتشر")
    page.keyboard.press("Enter")
    wait_saved(page)
    expect(page.locator(".stance-claim")).to_have_count(1)
    page.keyboard.press("1")
    wait_saved(page)
    page.keyboard.press("s")
    page.wait_for_url("**/articles/*/?task=*")
    reader_ready(page)

    task.refresh_from_db()
    assert task.state == "submitted" and task.seconds_spent >= 0
    (mention,) = ClaimMention.objects.filter(annotator=journalist)
    assert mention.quote == "بالفيروس انتشر" and mention.start == 0
    assert Stance.objects.get(annotator=journalist).label == "agree"
    # The next task is the campaign's other article.
    following = AnnotationTask.objects.filter(annotator=journalist).exclude(id=task.id).get()
    assert f"task={following.id}" in page.url and following.article_id != task.article_id


def test_editor_compares_and_adjudicates_with_the_keyboard(open_page, editor, journalist, second_journalist, campaign):
    claim = create_claim(user=journalist, text="الخبر انتشر")
    *_, task = submit_stances(campaign, claim, [(journalist, "agree"), (second_journalist, "disagree")])
    article_id = task.article_id

    page = open_page(editor, f"/campaigns/{campaign.id}/")
    page.keyboard.press("q")
    expect(page.locator("h1")).to_contain_text("قائمة المراجعة")  # the interface speaks Arabic by default
    expect(page.locator("tr.has-disagreement")).to_have_count(1)
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/campaigns/{campaign.id}/articles/{article_id}/")
    expect(page.locator("td.differs")).to_have_count(2)  # one against one: no majority, both cells differ

    page.keyboard.press("j")
    page.keyboard.press("3")  # discuss, as the final label
    page.wait_for_load_state()
    expect(page.locator("button.label-discuss.chosen")).to_have_count(1)
    final = Stance.objects.get(layer=Layer.FINAL)
    assert (final.label, final.annotator_id, final.article_id) == ("discuss", editor.id, article_id)

    # Request changes from one annotator, with a comment she will see.
    review = page.locator("form[action$='/review/']").first
    review.locator("textarea").fill("راجعي الموقف")
    review.locator("button[value=request_changes]").click()
    page.wait_for_load_state()
    assert AnnotationTask.objects.filter(state="changes_requested").count() == 1
    asked = AnnotationTask.objects.get(state="changes_requested").annotator.username
    expect(page.locator(".message-success")).to_have_text(f"طُلبت تعديلات من {asked}، والمقال مفتوح له من جديد.")
    assert journalist.notifications.filter(kind="reviewed").exists() or second_journalist.notifications.filter(kind="reviewed").exists()


def test_blind_campaign_hides_the_other_annotator_in_the_reader(open_page, journalist, second_journalist, campaign):
    claim = create_claim(user=journalist, text="الخبر انتشر")
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    set_stance_for(annotator=journalist, article=task.article_id, claim_id=claim.id, label="agree")
    page = open_page(second_journalist, f"/articles/{task.article_id}/")
    reader_ready(page)
    assert page.evaluate("() => JSON.parse(document.getElementById('reader-data').textContent).stances") == []
    expect(page.locator(".stance-claim")).to_have_count(0)


def test_handed_in_work_shows_its_stances_read_only_and_says_why_keys_do_nothing(open_page, journalist, campaign):
    claim = create_claim(user=journalist, text="الخبر انتشر")
    (task,) = submit_stances(campaign, claim, [(journalist, "discuss")])
    page = open_page(journalist, f"/articles/{task.article_id}/")
    reader_ready(page)
    discuss = page.locator(f'.stance-claim[data-claim="{claim.id}"] input[value=discuss]')
    expect(discuss).to_be_checked()
    expect(discuss).to_be_disabled()
    page.keyboard.press("1")
    expect(page.locator("#reader-hint")).to_have_text(page.locator(".work-locked").inner_text())
    assert Stance.objects.get(annotator=journalist).label == "discuss"


def test_submitting_with_a_change_unsaved_hands_in_once_it_is_saved(open_page, journalist, campaign):
    claim = create_claim(user=journalist, text="الخبر انتشر")
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    set_stance_for(annotator=journalist, article=task.article_id, claim_id=claim.id, label="agree")
    page = open_page(journalist, f"/articles/{task.article_id}/?task={task.id}")
    reader_ready(page)
    block_api(page)
    page.keyboard.press("3")  # discuss, while the server is away
    expect(page.locator("#save-status")).to_have_attribute("data-state", "retrying", timeout=10_000)
    page.keyboard.press("s")
    expect(page.locator("#reader-hint")).to_contain_text("سيُسلَّم العمل فور حفظ")
    task.refresh_from_db()
    assert task.state == "in_progress"  # not handed in with the change unsaved
    unblock_api(page)
    page.locator("#save-status button").click()  # retry now
    page.wait_for_url(lambda url: f"task={task.id}" not in url)  # handed in: on to the next task
    task.refresh_from_db()
    assert task.state == "submitted" and Stance.objects.get(annotator=journalist).label == "discuss"


def test_a_review_comment_half_typed_survives_choosing_a_final_label(open_page, editor, journalist, second_journalist, campaign):
    claim = create_claim(user=journalist, text="الخبر انتشر")
    *_, task = submit_stances(campaign, claim, [(journalist, "agree"), (second_journalist, "disagree")])
    page = open_page(editor, f"/campaigns/{campaign.id}/articles/{task.article_id}/")
    review = page.locator("form[action$='/review/'] textarea").first
    review.type("الموقف يحتاج إلى")  # typed, not sent yet
    page.locator(".adjudicate-form button.label-discuss").first.click()  # a final label: the page reloads
    page.wait_for_load_state()
    expect(page.locator("button.label-discuss.chosen")).to_have_count(1)
    expect(page.locator("form[action$='/review/'] textarea").first).to_have_value("الموقف يحتاج إلى")
    # Sent with its own form, the draft is done with: it does not come back after the next reload.
    page.locator("form[action$='/review/'] textarea").first.fill("الموقف يحتاج إلى سند")
    page.locator("form[action$='/review/'] button[value=request_changes]").first.click()
    page.wait_for_load_state()
    page.reload()
    assert "الموقف يحتاج إلى" not in page.locator("form[action$='/review/'] textarea").first.input_value()


def test_handing_in_an_article_with_nothing_marked_asks_first(open_page, journalist, campaign):
    page = open_page(journalist, f"/campaigns/{campaign.id}/")
    page.keyboard.press("n")
    reader_ready(page)
    task = AnnotationTask.objects.get(annotator=journalist)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("s")
    page.wait_for_timeout(300)
    assert asked and "لم تعلّم شيئًا" in asked[0]
    task.refresh_from_db()
    assert task.state == "in_progress"  # not handed in: the annotator said no
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("s")
    page.wait_for_url(lambda url: "task=" in url and f"task={task.id}" not in url)  # on to the next task
    task.refresh_from_db()
    assert task.state == "submitted"
