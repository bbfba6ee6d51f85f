"""The reader in a real browser: what a journalist selects is what the server
stores, in code points, and no change is lost when the server fails."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotations.models import AuditEvent, ClaimMention, Stance
from annotations.services.claims import create_claim
from annotations.services.mentions import create_mention_for
from newsdesk.models import Article, Comment
from tests.browser.helpers import block_api, drag_select, mark_new_claim, reader_ready, unblock_api, wait_saved
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "[data-unit=article]"


def comment_unit(comment) -> str:
    return f'[data-unit=comment][data-comment="{comment.id}"]'


def article_with_a_stance(journalist):
    """An article where the journalist agrees with «السد يكتمل في 2027» (no
    mention marked): (article, claim, stance)."""
    from annotations.services.stances import set_stance_for

    article = make_article()
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    return article, claim, set_stance_for(annotator=journalist, article=article.id, claim_id=claim.id, label="agree")


def focus_first_mention(page) -> None:
    """Walk the highlights with j until a claim mention has the focus."""
    for _ in range(12):
        page.keyboard.press("j")
        if page.evaluate("() => document.body.dataset.focused").startswith("mention:"):
            return
    pytest.fail("j never reached a claim mention")


def only_mention() -> ClaimMention:
    (mention,) = ClaimMention.objects.select_related("claim", "revision", "comment")
    return mention


def test_mouse_selection_on_a_seed_is_stored_at_python_offsets(open_page, journalist, seeds_dir, capsys):
    call_command("import_articles", str(seeds_dir / "001_cf6faa348c352f3a.txt"))
    article = Article.objects.select_related("current_revision").get()
    text = article.current_revision.text
    phrase = next(word for word in ["لافروف", "كيري"] if word in text)
    # A phrase of three words around the name, taken from the canonical text.
    at = text.index(phrase)
    line_start = text.rfind("\n", 0, at) + 1
    words = text[line_start:].split("\n")[0].split(" ")
    index = len(text[line_start:at].split(" ")) - 1
    selected = " ".join(words[max(0, index - 1) : index + 2]).strip("،.")
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    mark_new_claim(page, ARTICLE, selected, "لافروف وكيري يتفقان")
    wait_saved(page)
    page.reload()
    reader_ready(page)

    mention = only_mention()
    assert mention.quote == selected
    assert text[mention.start : mention.end] == selected
    assert mention.start == text.index(selected)
    assert mention.claim.text == "لافروف وكيري يتفقان"
    # After the reload the claim is in the stance panel, ready for a stance.
    expect(page.locator(".stance-claim")).to_contain_text("لافروف وكيري يتفقان")


def test_a_selection_after_an_emoji_in_a_comment_counts_code_points(open_page, journalist):
    article = make_article()
    comment = Comment.objects.get(article=article, author="أبو خالد")
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    mark_new_claim(page, comment_unit(comment), "السد نفسه", "السد وعد قديم")
    wait_saved(page)

    mention = only_mention()
    assert mention.comment_id == comment.id
    assert (mention.start, mention.end) == (comment.text.index("السد نفسه"), comment.text.index("السد نفسه") + 9)
    assert comment.text[mention.start : mention.end] == "السد نفسه"
    # In UTF-16 the emoji counts twice; the stored offsets do not.
    assert (
        mention.start
        == len(comment.text.encode("utf-16-le")) // 2 - len(comment.text[mention.start :].encode("utf-16-le")) // 2 - 1
    )


def test_a_triple_click_on_a_comment_selects_that_comment_and_enter_opens_the_menu(open_page, journalist):
    article = make_article()
    comment = Comment.objects.get(article=article, author="أبو خالد")  # followed by another comment
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    page.locator(f"{comment_unit(comment)} [data-start]").first.click(click_count=3)
    expect(page.locator("#popover")).to_be_visible()
    expect(page.locator("#popover .popover-quote").first).to_have_text(comment.text)
    page.keyboard.press("Escape")  # the menu closes, the paragraph stays selected
    page.keyboard.press("Enter")
    expect(page.locator("#popover .popover-quote").first).to_have_text(comment.text)


def test_enter_on_a_selection_across_two_texts_says_why_nothing_opens(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    page.evaluate("""() => {
      const range = document.createRange();
      range.setStart(document.querySelector("[data-unit=article] [data-start]").firstChild, 0);
      range.setEnd(document.querySelector("[data-unit=comment] [data-start]").firstChild, 3);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }""")
    page.keyboard.press("Enter")
    expect(page.locator("#popover")).to_be_hidden()
    expect(page.locator("#reader-hint")).to_have_text("حدّد داخل نص واحد: المقال، أو تعليق واحد.")


def test_a_drag_from_arabic_into_english_is_one_logical_span(open_page, journalist):
    article = make_article()
    text = article.current_revision.text
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    mark_new_claim(page, ARTICLE, 'التمويل "subject', "التمويل قيد المراجعة")
    wait_saved(page)

    mention = only_mention()
    assert text[mention.start : mention.end] == mention.quote
    assert mention.quote.startswith("التمويل") and "subject" in mention.quote
    assert "\n" not in mention.quote


def test_stance_by_keyboard_then_rationale_then_delete_leaves_an_audit_trail(open_page, journalist):
    article = make_article()
    text = article.current_revision.text
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    quote = "سد وادي السنديان سيكتمل"
    mention = create_mention_for(
        annotator=journalist,
        claim_id=claim.id,
        article=article.id,
        start=text.index(quote),
        end=text.index(quote) + len(quote),
        quote=quote,
    )
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)

    page.keyboard.press("2")  # disagree, toward the claim the panel has chosen
    wait_saved(page)
    stance = Stance.objects.get()
    assert (stance.label, stance.article_id, stance.comment_id, stance.claim_id) == (
        "disagree",
        article.id,
        None,
        claim.id,
    )
    expect(page.locator(f'.stance-claim[data-claim="{claim.id}"] input[value=disagree]')).to_be_checked()

    # Keyboard selection, in reading order: the first three words of the title.
    for _ in range(3):
        page.keyboard.press("]")
    selected = page.evaluate("() => window.getSelection().toString()")
    assert selected.strip() and text.startswith(selected.strip())
    page.keyboard.press("r")
    wait_saved(page)
    (rationale,) = Stance.objects.get().rationales.all()
    assert rationale.quote == selected.strip() == text[rationale.start : rationale.end]

    # Walk the highlights with j until the claim mention has focus, then delete it.
    for _ in range(12):
        page.keyboard.press("j")
        if page.evaluate("() => document.body.dataset.focused") == f"mention:{mention.id}":
            break
    else:
        pytest.fail("j never reached the claim mention")
    page.keyboard.press("Delete")
    wait_saved(page)
    assert not ClaimMention.objects.filter(id=mention.id).exists()
    actions = list(AuditEvent.objects.filter(article_id=article.id).order_by("id").values_list("object_type", "action"))
    assert ("mention", "create") in actions and ("mention", "delete") in actions
    assert ("stance", "create") in actions and ("stance", "update") in actions


def test_a_failed_save_is_shown_retried_and_stored_once(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    attempts = []

    def server_fails_after_doing_the_work(route):
        # The server stores the mention, then the answer is lost (a 500 on the
        # way back): the retry must not store it twice.
        attempts.append(route.request.headers.get("idempotency-key"))
        route.fetch()
        route.fulfill(status=500, json={"error": {"message": "proxy error"}})

    page.route("**/api/v1/mentions/", server_fails_after_doing_the_work)
    mark_new_claim(page, ARTICLE, "سد وادي السنديان", "السد في موعده")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "retrying", timeout=10_000)
    expect(page.locator("#save-status")).to_contain_text("أعد المحاولة الآن")  # "retry now", in the Arabic interface

    # Leaving now warns about unsaved work; the person leaves anyway.
    page.on("dialog", lambda dialog: dialog.accept())
    page.unroute("**/api/v1/mentions/")
    page.reload()  # the queued save survives the reload
    reader_ready(page)
    wait_saved(page)

    assert ClaimMention.objects.count() == 1
    assert len(set(attempts)) == 1  # every attempt carried the same idempotency key
    assert page.evaluate("() => Object.keys(localStorage).filter((key) => key.startsWith('newsdesk.saves'))") == []


def test_closing_with_unsaved_work_warns(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    page.route("**/api/v1/mentions/", lambda route: route.fulfill(status=503, json={}))
    mark_new_claim(page, ARTICLE, "سد وادي السنديان", "السد في موعده")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "retrying", timeout=10_000)
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    with page.expect_event("close"):
        asked.value.accept()


def test_the_wait_before_a_retry_counts_down_and_the_menu_has_a_close_button(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    page.route("**/api/v1/mentions/", lambda route: route.fulfill(status=503, json={}))
    drag_select(page, ARTICLE, "سد وادي السنديان")
    page.locator("#popover-close").click()  # changed my mind: the menu closes, nothing is queued
    expect(page.locator("#popover")).to_be_hidden()
    mark_new_claim(page, ARTICLE, "سد وادي السنديان", "السد في موعده")
    message = page.locator("#save-status .retry-message")
    expect(message).to_have_text(re.compile(r"بعد 2 ث"), timeout=10_000)  # the first wait: two seconds
    expect(message).to_have_text(re.compile(r"بعد 1 ث"))


def open_a_stance_conflict(open_page, journalist, changed_by=None):
    """The reader shows an "agree" stance that another tab (or `changed_by`)
    has meanwhile made "discuss"; pressing 2 (disagree) meets the conflict.
    Returns (page, claim)."""
    from annotations.services.stances import update_stance

    article, claim, stance = article_with_a_stance(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    update_stance(user=changed_by or journalist, stance_id=stance.id, version=stance.version, changes={"label": "discuss"})
    page.keyboard.press("2")
    return page, claim


def test_a_conflict_shows_both_versions_and_the_user_chooses(open_page, journalist):
    page, _ = open_a_stance_conflict(open_page, journalist)
    dialog = page.locator("#conflict-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#conflict-by-me")).to_have_text("غيّرتَ هذا العنصر في تبويب أو نافذة أخرى")  # the other tab was mine
    expect(dialog.locator("#conflict-by-me")).to_be_visible()
    expect(dialog.locator("#conflict-by-other")).to_be_hidden()
    expect(page.locator("#conflict-mine")).to_contain_text("يعارض")  # disagree, in words
    expect(page.locator("#conflict-theirs")).to_contain_text("يناقش")  # discuss
    expect(page.locator("#conflict-theirs")).to_contain_text("السد يكتمل في 2027")
    dialog.get_by_role("button", name="Keep mine").or_(dialog.locator("button[value=mine]")).first.click()
    wait_saved(page)
    assert Stance.objects.get().label == "disagree"


def test_a_conflict_with_an_editors_change_says_someone_else_made_it(open_page, journalist, editor):
    page, _ = open_a_stance_conflict(open_page, journalist, changed_by=editor)
    dialog = page.locator("#conflict-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#conflict-by-other")).to_be_visible()
    expect(dialog.locator("#conflict-by-me")).to_be_hidden()


def test_escape_does_not_end_a_conflict_without_a_choice(open_page, journalist):
    page, _ = open_a_stance_conflict(open_page, journalist)
    dialog = page.locator("#conflict-dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    expect(page.locator("#save-status")).not_to_have_attribute("data-state", "saved")
    dialog.locator("button[value=mine]").click()
    wait_saved(page)
    assert Stance.objects.get().label == "disagree"


def test_a_rationale_added_in_another_tab_stays_when_this_tab_adds_one(open_page, journalist):
    from annotations.services.stances import update_stance

    article, claim, stance = article_with_a_stance(journalist)
    text = article.current_revision.text
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    other = "البنك الدولي"
    at = text.index(other)
    update_stance(user=journalist, stance_id=stance.id, version=stance.version,
                  changes={"rationales": [{"start": at, "end": at + len(other), "quote": other}]})
    for _ in range(3):
        page.keyboard.press("]")
    selected = page.evaluate("() => window.getSelection().toString()").strip()
    page.keyboard.press("r")
    wait_saved(page)
    expect(page.locator("#conflict-dialog")).to_be_hidden()
    assert sorted(r.quote for r in Stance.objects.get().rationales.all()) == sorted([other, selected])


def test_taking_their_version_in_a_conflict_ends_the_save(open_page, journalist):
    page, claim = open_a_stance_conflict(open_page, journalist)
    page.locator("#conflict-dialog button[value=theirs]").click()
    wait_saved(page)
    expect(page.locator(f'.stance-claim[data-claim="{claim.id}"] input[value=discuss]')).to_be_checked()
    assert Stance.objects.get().label == "discuss"


def article_with_a_marked_claim(journalist, quote="سد وادي السنديان", claim_text="السد يكتمل في 2027"):
    """An article where the journalist marked `quote` as stating a claim: (article, claim)."""
    article = make_article()
    text = article.current_revision.text
    claim = create_claim(user=journalist, text=claim_text)
    create_mention_for(annotator=journalist, claim_id=claim.id, article=article.id,
                       start=text.index(quote), end=text.index(quote) + len(quote), quote=quote)
    return article, claim


def test_work_queued_offline_in_two_tabs_is_all_saved_after_both_close(open_page, journalist):
    first_article, first_claim = article_with_a_marked_claim(journalist)
    second_article, second_claim = article_with_a_marked_claim(journalist)
    first_tab = open_page(journalist, f"/articles/{first_article.id}/")
    context = first_tab.context
    context.route("**/api/v1/**", lambda route: route.abort())
    second_tab = context.new_page()
    second_tab.goto(first_tab.url.replace(f"/articles/{first_article.id}/", f"/articles/{second_article.id}/"))
    for tab, key in [(first_tab, "1"), (second_tab, "2")]:
        reader_ready(tab)
        tab.keyboard.press(key)
        expect(tab.locator("#save-status")).to_have_attribute("data-state", "retrying", timeout=10_000)
    first_tab.close()
    second_tab.close()  # the browser closes with both stances unsaved

    context.unroute("**/api/v1/**")
    later = context.new_page()
    later.goto(first_tab.url)
    reader_ready(later)
    wait_saved(later)
    stances = {(stance.article_id, stance.claim_id): stance.label for stance in Stance.objects.all()}
    assert stances == {(first_article.id, first_claim.id): "agree", (second_article.id, second_claim.id): "disagree"}


def test_a_stance_chosen_while_the_server_is_away_stays_chosen_until_it_is_saved(open_page, journalist):
    article, claim = article_with_a_marked_claim(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    block_api(page)
    page.keyboard.press("1")  # agree
    expect(page.locator("#save-status")).to_have_attribute("data-state", "retrying", timeout=10_000)
    agree = page.locator(f'.stance-claim[data-claim="{claim.id}"] input[value=agree]')
    expect(agree).to_be_checked()
    unblock_api(page)
    page.locator("#save-status button").click()  # retry now
    wait_saved(page)
    expect(agree).to_be_checked()
    assert Stance.objects.get().label == "agree"


def test_a_stance_note_is_typed_in_the_panel_and_kept_while_other_saves_land(open_page, journalist):
    article, claim, _ = article_with_a_stance(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    panel = page.locator(f'.stance-claim[data-claim="{claim.id}"]')
    panel.locator(".stance-note summary").click()
    note = panel.locator(".stance-note textarea")
    note.fill("المصدر الوحيد هو بيان الوزارة، Reuters لم تؤكد")
    # A save landing meanwhile redraws the panel: the words being typed stay.
    panel.locator('input[value=discuss]').check()
    wait_saved(page)
    expect(panel.locator(".stance-note textarea")).to_have_value("المصدر الوحيد هو بيان الوزارة، Reuters لم تؤكد")
    panel.locator(".stance-note-save").click()
    wait_saved(page)
    stance = Stance.objects.get()
    assert (stance.label, stance.note, stance.note_dir) == ("discuss", "المصدر الوحيد هو بيان الوزارة، Reuters لم تؤكد", "auto")
    page.reload()
    reader_ready(page)
    expect(page.locator(f'.stance-claim[data-claim="{claim.id}"] .stance-note textarea')).to_have_value(stance.note)


def test_a_note_typed_and_not_saved_warns_on_leaving_and_survives_a_reload(open_page, journalist):
    article, claim, _ = article_with_a_stance(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    note = f'.stance-claim[data-claim="{claim.id}"] .stance-note'
    page.locator(f"{note} summary").click()
    page.locator(f"{note} textarea").fill("بيان الوزارة وحده")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.reload()
    reader_ready(page)
    assert asked == ["beforeunload"]
    expect(page.locator(f"{note} textarea")).to_have_value("بيان الوزارة وحده")
    assert Stance.objects.get().note == ""  # typed, not saved: nothing was sent


def test_a_stance_key_without_a_claim_says_what_to_do_first(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    hint = page.locator("#reader-hint")
    expect(hint).to_be_hidden()
    page.keyboard.press("1")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("علّم ادعاءً في النص أولاً؛ يُحدَّد الموقف من الادعاء الجديد بعد حفظه.")
    assert not Stance.objects.exists()


def queue_offline_mention(page, phrase="سد وادي السنديان"):
    """Mark a new claim while the server does not answer: the save waits in the queue."""
    block_api(page)
    mark_new_claim(page, ARTICLE, phrase, "السد في موعده")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "retrying", timeout=10_000)
    page.on("dialog", lambda dialog: dialog.accept())  # leaving with unsaved work: yes
    unblock_api(page)


def test_unsaved_work_waits_for_its_author_when_someone_else_logs_in(open_page, journalist, second_journalist, live_server):
    from django.test import Client

    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    queue_offline_mention(page)

    def log_in(user):
        client = Client()
        client.force_login(user)
        page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page.reload()
        reader_ready(page)

    log_in(second_journalist)  # same browser, another person
    page.wait_for_timeout(1500)
    assert not ClaimMention.objects.exists()
    expect(page.locator("#stance-empty")).to_be_visible()

    log_in(journalist)
    wait_saved(page)
    assert only_mention().annotator == journalist


def test_marks_on_an_earlier_revision_are_not_drawn_on_the_corrected_text(open_page, journalist):
    from newsdesk.models import ArticleRevision
    from newsdesk.text import sha256_hex

    article, claim = article_with_a_marked_claim(journalist)
    corrected = "تصحيح: " + article.current_revision.text  # every offset moves
    revision = ArticleRevision.objects.create(
        article=article, number=2, text=corrected, blocks=[{"kind": "paragraph", "lang": "ar"}] * len(corrected.split("\n")),
        text_hash=sha256_hex(corrected), raw_format="jsonl",
    )
    Article.objects.filter(pk=article.pk).update(current_revision=revision)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    assert page.evaluate("() => CSS.highlights.get('nd-mention').size") == 0
    # The claim is still the article's: its stance can be set.
    expect(page.locator(f'.stance-claim[data-claim="{claim.id}"]')).to_be_visible()


def test_work_left_on_one_article_is_saved_there_and_not_drawn_on_the_next(open_page, journalist):
    first, second = make_article(), make_article()
    page = open_page(journalist, f"/articles/{first.id}/")
    reader_ready(page)
    queue_offline_mention(page)
    page.goto(page.url.replace(f"/articles/{first.id}/", f"/articles/{second.id}/"))
    reader_ready(page)
    wait_saved(page)
    assert only_mention().article_id == first.id
    assert page.evaluate("() => CSS.highlights.get('nd-mention').size") == 0
    expect(page.locator("#stance-empty")).to_be_visible()


def test_the_stance_goes_to_the_text_marked_last(open_page, journalist):
    article = make_article()
    comment = article.comments.order_by("position").first()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    mark_new_claim(page, comment_unit(comment), "سمعنا هذا الكلام", "السد وعد قديم")
    wait_saved(page)
    expect(page.locator("#stance-target")).not_to_have_text("هذا المقال")
    drag_select(page, ARTICLE, "سد وادي السنديان")
    page.locator("#claim-options button").first.click()  # the same claim, now in the article
    wait_saved(page)
    expect(page.locator("#stance-target")).to_have_text("هذا المقال")  # "this article"
    page.keyboard.press("1")
    wait_saved(page)
    stance = Stance.objects.get()
    assert (stance.label, stance.article_id, stance.comment_id) == ("agree", article.id, None)


def test_number_keys_set_a_comments_stance_after_choosing_that_comment(open_page, journalist):
    article = make_article()
    comment = article.comments.order_by("position").first()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    mark_new_claim(page, ARTICLE, "سد وادي السنديان", "السد في موعده")
    wait_saved(page)
    page.locator(f'.stance-target-button[data-comment="{comment.id}"]').click()
    page.keyboard.press("2")
    wait_saved(page)
    stance = Stance.objects.get()
    assert (stance.label, stance.comment_id) == ("disagree", comment.id)
    # The chosen label keeps keyboard focus after the panel is redrawn.
    assert page.evaluate("() => document.activeElement.value") == "disagree"


def test_a_refused_delete_puts_the_mention_back(open_page, journalist):
    article, _ = article_with_a_marked_claim(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    page.route("**/api/v1/mentions/*/", lambda route: route.fulfill(status=403, json={"error": {"code": "permission_denied", "message": "لا يمكنك الحذف"}}))
    focus_first_mention(page)
    page.keyboard.press("Delete")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "failed")
    page.wait_for_function("() => CSS.highlights.get('nd-mention').size === 1")
    assert ClaimMention.objects.count() == 1


def test_deleting_a_mention_someone_already_deleted_counts_as_done(open_page, journalist):
    from annotations.services.mentions import delete_mention

    article, _ = article_with_a_marked_claim(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    mention = only_mention()
    delete_mention(user=journalist, mention_id=mention.id, version=mention.version)  # in another tab
    focus_first_mention(page)
    page.keyboard.press("Delete")
    wait_saved(page)
    page.wait_for_function("() => CSS.highlights.get('nd-mention').size === 0")


def test_a_deleted_mention_comes_back_with_undo(open_page, journalist):
    article, claim = article_with_a_marked_claim(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    focus_first_mention(page)
    page.keyboard.press("Delete")
    wait_saved(page)
    assert not ClaimMention.objects.exists()
    page.locator("#reader-hint button").click()  # undo
    wait_saved(page)
    mention = only_mention()
    assert (mention.quote, mention.claim_id) == ("سد وادي السنديان", claim.id)
    page.wait_for_function("() => CSS.highlights.get('nd-mention').size === 1")


def test_the_keyboard_selection_starts_at_the_highlight_j_went_to(open_page, journalist):
    quote = "التمويل"
    article, _ = article_with_a_marked_claim(journalist, quote=quote, claim_text="التمويل قيد المراجعة")
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    focus_first_mention(page)
    page.keyboard.press("]")
    assert page.evaluate("() => window.getSelection().toString()").strip() == quote


def test_enter_takes_the_claim_already_there_when_typed_with_another_spelling(open_page, journalist):
    from annotations.models import Claim

    article = make_article()
    existing = create_claim(user=journalist, text="السد في موعده")
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    drag_select(page, ARTICLE, "سد وادي السنديان")
    expect(page.locator("#popover")).to_be_visible()
    page.keyboard.type("السدّ في موعدة.")  # a shadda, ta marbuta for ha, a final full stop
    expect(page.locator("#claim-options button").first).to_contain_text("السد في موعده")
    page.keyboard.press("Enter")
    wait_saved(page)
    assert only_mention().claim_id == existing.id and Claim.objects.count() == 1


def test_a_claim_found_by_search_joins_the_stance_panel_at_once(open_page, journalist, second_journalist):
    article = make_article()
    existing = create_claim(user=second_journalist, text="السد في موعده")  # not yet on this page
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    drag_select(page, ARTICLE, "سد وادي السنديان")
    page.keyboard.type("موعده")
    found = page.locator("#claim-options button:not(.create)").first
    expect(found).to_have_text("السد في موعده")
    found.click()
    wait_saved(page)
    expect(page.locator(f'.stance-claim[data-claim="{existing.id}"] .stance-claim-text')).to_have_text("السد في موعده")
    page.keyboard.press("1")  # agree, toward the claim just marked
    wait_saved(page)
    stance = Stance.objects.get()
    assert (stance.claim_id, stance.label) == (existing.id, "agree")


def test_marking_a_span_again_for_the_same_claim_keeps_one_mention_without_a_question(open_page, journalist):
    article = make_article()
    existing = create_claim(user=journalist, text="السد في موعده")
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    for _ in range(2):
        drag_select(page, ARTICLE, "سد وادي السنديان")
        expect(page.locator("#popover")).to_be_visible()
        page.keyboard.type("السد في موعده")
        expect(page.locator("#claim-options button").first).to_contain_text("السد في موعده")
        page.keyboard.press("Enter")
        wait_saved(page)
    expect(page.locator("#conflict-dialog")).to_be_hidden()
    assert only_mention().claim_id == existing.id


def test_a_new_claim_can_be_queued_while_offline(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    queue_offline_mention(page)  # searching claims fails offline; the new claim is still offered and queued
    wait_saved(page)
    assert only_mention().claim.text == "السد في موعده"


def test_a_new_claim_queued_offline_with_an_existing_claims_text_goes_to_that_claim(open_page, journalist, second_journalist):
    from annotations.models import Claim

    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    queue_offline_mention(page)  # a new claim «السد في موعده», typed while the server is away
    existing = create_claim(user=second_journalist, text="السدّ في موعده.")  # meanwhile, by a colleague
    page.locator("#save-status button").click()  # retry now
    wait_saved(page)
    assert only_mention().claim_id == existing.id and Claim.objects.count() == 1


def test_script_payloads_render_as_text(open_page, journalist):
    payload = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
    article = make_article(
        title=f"عنوان {payload}",
        paragraphs=[f"فقرة فيها {payload} نص"],
        comments=[(f"كاتب {payload}", f"تعليق {payload}")],
    )
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("main script, main img").count() == 0
    expect(page.locator(".block-title")).to_contain_text(payload)
    expect(page.locator(".comment").first).to_contain_text(payload)
    # A claim typed with a payload shows as text in the panel too.
    mark_new_claim(page, ARTICLE, "فقرة فيها", payload)
    wait_saved(page)
    expect(page.locator(".stance-claim").first).to_contain_text(payload)
    assert page.evaluate("() => window.__xss") is None


def test_a_name_marked_as_an_entity_is_suggested_in_another_article_that_holds_it(open_page, journalist):
    company = "بتروسال"  # a made-up company the model does not know
    marked = make_article(paragraphs=(f"أعلنت {company} أرباحها السنوية أمس.",))
    other = make_article(paragraphs=(f"افتتحت {company} مصنعًا جديدًا قرب حمص.",))
    page = open_page(journalist, f"/articles/{marked.id}/")
    reader_ready(page)
    drag_select(page, ARTICLE, company)
    expect(page.locator("#popover")).to_be_visible()
    page.locator("#popover select").select_option("ORG")
    page.locator("#popover button", has_text="علّم ككيان").click()
    wait_saved(page)
    expect(page.locator("#reader-hint")).to_contain_text(f"سيُقترح «{company}» (منظمة) في المقالات الأخرى")
    page.goto(page.url.replace(f"/articles/{marked.id}/", f"/articles/{other.id}/"))
    reader_ready(page)
    expect(page.locator(".entity-item", has_text=company)).to_contain_text("منظمة")


def test_on_a_phone_what_the_reader_says_shows_above_the_save_status(open_page, journalist):
    company = "بتروسال"
    paragraphs = (f"أعلنت {company} أرباحها السنوية أمس.", *(f"فقرة رقم {n} من الخبر تطول لتملأ الشاشة." for n in range(12)))
    article = make_article(paragraphs=paragraphs)
    page = open_page(journalist, f"/articles/{article.id}/", width=390, height=844)
    reader_ready(page)
    drag_select(page, ARTICLE, company)
    page.locator("#popover select").select_option("ORG")
    page.locator("#popover button", has_text="علّم ككيان").click()
    wait_saved(page)
    hint = page.locator("#reader-hint")
    expect(hint).to_contain_text(f"سيُقترح «{company}»")
    expect(hint).to_be_in_viewport(ratio=1)  # not below the article, out of sight
    hint_box, status_box = hint.bounding_box(), page.locator("#save-status").bounding_box()
    assert hint_box["y"] + hint_box["height"] <= status_box["y"]  # above the save status, not under it
