"""The reading pages and the admin show Arabic text right to left, escaped."""

import json

import pytest

from newsdesk.models import Article
from tests.factories import make_article, mark_claim

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_article_list_and_reader_show_arabic_right_to_left(client, journalist):
    article = make_article(title="عنوان <script>alert(1)</script> تجريبي")
    client.force_login(journalist)
    listing = client.get("/")
    assert listing.status_code == 200
    assert 'lang="ar" dir="rtl"' in listing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text and "<script>alert" not in listing.text
    reader = client.get(f"/articles/{article.id}/")
    assert reader.status_code == 200
    assert '<article class="reader unit" lang="ar" dir="rtl" data-unit="article"' in reader.text
    assert "60\u00a0في المئة" in reader.text
    assert "<bdi>Rami K.</bdi>" in reader.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reader.text and "<script>alert" not in reader.text


def test_the_original_page_link_is_there_only_when_the_article_has_an_address(client, journalist):
    with_url, without = make_article(url="https://news.example/sad"), make_article(url="")
    client.force_login(journalist)
    assert 'href="https://news.example/sad"' in client.get(f"/articles/{with_url.id}/").text
    assert 'class="source-url"' not in client.get(f"/articles/{without.id}/").text


def test_unknown_article_is_404_said_in_the_interface_language(client, journalist):
    client.force_login(journalist)
    arabic = client.get("/articles/999999/")
    assert arabic.status_code == 404 and '<p dir="auto">لا يوجد مقال رقمه 999999.</p>' in arabic.text
    english = client.get("/articles/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404 and "No article with id 999999." in english.text


def test_admin_lists_and_opens_arabic_articles(client, admin_user):
    article = make_article()
    client.force_login(admin_user)
    changelist = client.get("/admin/newsdesk/article/")
    assert changelist.status_code == 200 and article.title in changelist.text
    change = client.get(f"/admin/newsdesk/article/{article.id}/change/")
    assert change.status_code == 200
    assert "admin-rtl.css" in change.text
    # Shown, not edited (imports make articles); Arabic values read by their own direction (admin-rtl.css).
    assert 'class="readonly"' in change.text and 'name="_save"' not in change.text
    assert client.get(f"/admin/newsdesk/comment/{article.comments.first().id}/change/").status_code == 200
    # Sections and models are named in the interface's language.
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ar").text
    assert all(name in index for name in ("التوسيم", "الأخبار", "ادعاءات", "مواقف", "إشارات إلى ادعاءات", "عمليات الاستخراج")), index[:2000]
    assert ">Claims<" not in index


def _reader(client, user, article, query=""):
    client.force_login(user)
    response = client.get(f"/articles/{article.id}/{query}")
    assert response.status_code == 200
    return response


def test_reader_blocks_carry_their_code_point_starts(client, journalist):
    article = make_article()
    response = _reader(client, journalist, article)
    text = article.current_revision.text
    for index, line in enumerate(text.split("\n")):
        start = sum(len(previous) + 1 for previous in text.split("\n")[:index])
        assert f'data-start="{start}"' in response.text, line
    data = response.context["reader_data"]
    assert data["article"] == {"id": article.id, "revision": article.current_revision_id, "language": "ar"}
    assert data["user"]["canAnnotate"] is True


def test_bidi_controls_are_kept_apart_and_labelled(client, journalist):
    article = make_article(comments=[("قارئ", "رأيي \u202eabc\u202c هنا")])
    response = _reader(client, journalist, article)
    assert 'data-original="\u202e" data-label="RLO U+202E"' in response.text
    assert 'data-original="\u202c" data-label="PDF U+202C"' in response.text


def test_search_hits_cover_the_marks_folding_dropped(client, journalist):
    article = make_article(paragraphs=["سيُفتتح السد قريباً إن شاء الله."])
    response = _reader(client, journalist, article, "?q=قريبا")
    text = article.current_revision.text
    (hit,) = [h for h in response.context["reader_data"]["searchHits"] if h["unitKey"] == "article"]
    assert text[hit["start"] : hit["end"]] == "قريباً"
    # Quotation marks around a word are skipped by the search, not highlighted with it.
    quoted = make_article(paragraphs=['وقالت "النصرة" إنها لن تلتزم بالهدنة.'])
    response = _reader(client, journalist, quoted, "?q=«النصرة»")
    text = quoted.current_revision.text
    (hit,) = [h for h in response.context["reader_data"]["searchHits"] if h["unitKey"] == "article"]
    assert text[hit["start"] : hit["end"]] == "النصرة"


def test_outsiders_get_a_403_page_not_a_crash(client, outsider):
    article = make_article()
    client.force_login(outsider)
    response = client.get(f"/articles/{article.id}/")
    assert response.status_code == 403
    assert "<h1" in response.text


def test_pages_are_served_under_a_script_policy_without_inline_code(client, journalist):
    article = make_article()
    response = _reader(client, journalist, article)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert '<script type="module" src="/static/js/annotator/reader.js">' in response.text
    # The only other scripts are JSON data blocks, which never run.
    assert response.text.count("<script") == 3


def test_the_interface_speaks_arabic_by_default_and_english_on_request(client, journalist):
    client.force_login(journalist)
    arabic = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text and "المقالات" in arabic.text
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en" dir="ltr">' in english.text and ">Articles<" in english.text
    # Each language offered under its own name, in its own direction, for screen readers too.
    assert 'lang="en" dir="ltr" class="link-button">English<' in arabic.text
    assert 'lang="ar" dir="rtl" class="link-button">العربيّة<' in english.text


def test_a_bad_filter_is_named_as_the_form_labels_it(client, journalist):
    client.force_login(journalist)
    page = client.get("/", {"published_after": "أمس", "annotated": "maybe"}).text
    assert "<p>منشور منذ: " in page and "<p>معلَّق عليه: استعمل true أو false.</p>" in page
    assert "published_after" not in page.split('role="alert"')[1]
    english = client.get("/", {"published_after": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert "<p>Published from: Enter a valid date/time.</p>" in english
    # The interface's own calls to the API name the field in its words too; a client naming no language, as it sends it.
    api = client.get("/api/v1/articles/", {"published_after": "أمس"}, HTTP_ACCEPT_LANGUAGE="ar").json()["error"]
    assert api["message"].startswith("منشور منذ: ") and list(api["fields"]) == ["published_after"]
    assert client.get("/api/v1/articles/", {"published_after": "x"}).json()["error"]["message"] == "published_after: Enter a valid date/time."


def test_an_empty_search_says_so_and_a_failed_login_keeps_the_username(client, journalist):
    make_article()
    client.force_login(journalist)
    empty = client.get("/", {"q": "كلمةلاتوجد"})
    assert "لا مقال يطابق هذا البحث" in empty.text and "import_articles" not in empty.text
    client.logout()
    failed = client.post("/login/", {"username": "layla", "password": "wrong"})
    assert 'value="layla"' in failed.text


def test_the_claim_page_shows_who_says_what_by_outlet(client, journalist, second_journalist):
    from annotations.services.claims import create_claim
    from annotations.services.mentions import create_mention_for
    from annotations.services.stances import set_stance_for, update_stance

    first = make_article(source="الواحة اليوم")
    second = make_article(source="صوت الجنوب")
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    quote = "سد وادي السنديان"
    for article in (first, second):
        start = article.current_revision.text.index(quote)
        create_mention_for(
            annotator=journalist,
            article=article.id,
            claim_id=claim.id,
            start=start,
            end=start + len(quote),
            quote=quote,
        )
    agreed = set_stance_for(annotator=journalist, article=first.id, claim_id=claim.id, label="agree")
    reason = "نهاية 2027"
    at = first.current_revision.text.index(reason)
    update_stance(user=journalist, stance_id=agreed.id, version=agreed.version,
                  changes={"rationales": [{"start": at, "end": at + len(reason), "quote": reason}]})
    set_stance_for(annotator=second_journalist, article=second.id, claim_id=claim.id, label="disagree")
    comment = second.comments.get(author="أبو خالد")
    set_stance_for(annotator=journalist, comment=comment.id, claim_id=claim.id, label="disagree")

    client.force_login(journalist)
    page = client.get(f"/claims/{claim.id}/").text
    assert page.index("الواحة اليوم") < page.index("صوت الجنوب")
    assert "label-agree" in page and page.count("label-disagree") >= 2
    assert "<bdi>أبو خالد</bdi>" in page
    # A rationale and a mention look different, as in the reader.
    assert f'<blockquote class="quote-rationale" lang="ar" dir="auto" title="مبرّر">{reason}</blockquote>' in page
    assert page.count('class="quote-mention"') == 2
    assert client.get("/claims/?q=السد").text.count(f"/claims/{claim.id}/") == 1


def test_the_entity_page_lists_where_it_appears(client, journalist, django_capture_on_commit_callbacks):
    from annotations.models import EntityMention

    with django_capture_on_commit_callbacks(execute=True):
        article = make_article()
    mention = EntityMention.objects.filter(article=article, entity__isnull=False).select_related("entity").first()
    assert mention is not None, "the extractor found no entity in the factory article"
    client.force_login(journalist)
    page = client.get(f"/entities/{mention.entity_id}/").text
    assert f"/articles/{article.id}/" in page
    assert f"<bdi>{mention.entity.canonical_name}</bdi>" in page


def test_every_answer_says_how_long_the_server_took(client, journalist):
    client.force_login(journalist)
    timing = client.get("/")["Server-Timing"]
    assert timing.startswith("app;dur=") and float(timing.split("=")[1]) > 0


def test_the_readers_data_block_cannot_be_closed_by_a_claims_text(client, journalist):
    from annotations.services.claims import create_claim
    from annotations.services.mentions import create_mention_for

    article = make_article()
    hostile = 'ادعاء </script><script>alert("x")</script> & <!--'
    claim = create_claim(user=journalist, text=hostile)
    text = article.current_revision.text
    start = text.index("سد وادي")
    create_mention_for(annotator=journalist, article=article.id, start=start, end=start + 7, quote="سد وادي", claim_id=claim.id)
    response = _reader(client, journalist, article)
    block = response.text.split('<script id="reader-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert [c["text"] for c in data["claims"]] == [hostile]
    assert [(m["start"], m["quote"]) for m in data["mentions"]] == [(start, "سد وادي")]


def test_a_comment_time_reads_as_printed_or_as_a_local_date_never_as_iso(client, journalist):
    from datetime import datetime, timedelta, timezone

    from newsdesk.models import Comment

    article = make_article(comments=[("سامي", "خبر مهم"), ("ليلى", "لا أصدق")])
    machine, printed = article.comments.order_by("position")
    posted = datetime(2025, 3, 14, 13, 5, tzinfo=timezone(timedelta(hours=2)))
    Comment.objects.filter(pk=machine.pk).update(posted_at_text="2025-03-14T13:05:00+02:00", posted_at=posted)
    Comment.objects.filter(pk=printed.pk).update(posted_at_text="منذ ساعة", posted_at=posted)
    client.force_login(journalist)
    page = client.get(f"/articles/{article.id}/").text
    assert "2025-03-14T13:05:00+02:00" not in page  # a JSON Lines timestamp, not for reading
    shown = [part.split(">", 1)[1].split("</time>")[0] for part in page.split("<time dir=\"auto\"")[1:]]
    assert shown[1] == "منذ ساعة"
    assert shown[0] == "2025-03-14 11:05"  # the server's time zone (UTC here), as the article's date is written


def test_a_search_hit_starts_a_word_or_follows_its_proclitics(client, journalist):
    article = make_article(paragraphs=["قال إن السد والسد بالسد لسد، لا مسدس ولا سدادة."])
    text = article.current_revision.text
    response = _reader(client, journalist, article, "?q=سد")
    starts = {h["start"] for h in response.context["reader_data"]["searchHits"] if h["unitKey"] == "article"}
    line = text.index("قال إن السد")
    expected = {text.index(word, line) + len(word) - len("سد") for word in (" السد", "والسد", "بالسد", "لسد")}
    assert expected | {text.index("سدادة")} <= starts
    assert text.index("مسدس") + 1 not in starts  # inside a word: not a hit


def test_every_admin_page_loads_and_annotation_data_is_not_changed_there(client, admin_user, journalist):
    """A row added or edited in the admin would skip the services: an article
    with no text broke every export, a claim edited there was not found by
    search nor audited, a model version added by hand stopped extraction."""
    from django.contrib import admin as django_admin

    from annotations.services.claims import create_claim

    article = make_article()
    mark_claim(journalist, article, create_claim(user=journalist, text="السد يكتمل في 2027"), "سد وادي السنديان")
    client.force_login(admin_user)
    read_only = {"article", "comment", "claim", "claimmention", "stance", "entity", "entitymention", "nermodel", "extractionrun", "auditevent"}
    for model in django_admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        listing = client.get(base)
        assert listing.status_code == 200, base
        first = model.objects.order_by("pk").first()
        if first is not None:
            assert client.get(f"{base}{first.pk}/change/").status_code == 200, base
        if meta.model_name in read_only:
            assert client.get(f"{base}add/").status_code == 403, base
            if first is not None:
                assert client.post(f"{base}{first.pk}/delete/", {"post": "yes"}).status_code == 403, base
    assert Article.objects.filter(pk=article.pk).exists()


def test_a_fresh_install_has_the_role_groups_to_give_people(db):
    from django.contrib.auth.models import Group

    from newsdesk.roles import ROLE_GROUPS

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)


def test_sending_runs_again_from_the_admin_leaves_a_run_a_live_worker_holds(client, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from annotations.models import ExtractionRun

    held_run = ExtractionRun.objects.get(article=make_article())
    failed_run = ExtractionRun.objects.get(article=make_article())
    ExtractionRun.objects.filter(pk=held_run.pk).update(state="running", lease_until=timezone.now() + timedelta(minutes=5))
    ExtractionRun.objects.filter(pk=failed_run.pk).update(state="failed", error="the broker was down")
    client.force_login(admin_user)
    client.post("/admin/annotations/extractionrun/", {"action": "send_again", "_selected_action": [held_run.pk, failed_run.pk]})
    held_run.refresh_from_db()
    failed_run.refresh_from_db()
    assert held_run.state == "running"  # still the worker's
    assert (failed_run.state, failed_run.error) == ("done", "")  # sent, and ran in-process here
