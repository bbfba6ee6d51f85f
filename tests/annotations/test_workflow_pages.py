"""The campaign pages for each role, and what they show."""

import pytest

from annotations.services.campaigns import create_campaign, set_campaign_state
from annotations.services.claims import create_claim
from tests.factories import make_article, submit_stances

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(editor, journalist, second_journalist):
    article = make_article()
    created = create_campaign(
        editor=editor, name="حملة <b>عريضة</b>", guidelines="# عنوان\n<script>alert(1)</script> **مهم**",
        selection={"articles": [article.id]}, annotators=[journalist.username, second_journalist.username], overlap=2,
    )
    return set_campaign_state(editor=editor, campaign_id=created.id, state="active")


def test_guidelines_are_markdown_without_raw_html(client, journalist, campaign):
    client.force_login(journalist)
    page = client.get(f"/campaigns/{campaign.id}/").text
    assert "<strong>مهم</strong>" in page and '<h1 dir="auto">عنوان</h1>' in page  # each block in its own direction
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "حملة &lt;b&gt;عريضة&lt;/b&gt;" in page
    assert 'data-shortcut="n"' in page  # an annotator gets the next-task key


def test_pages_per_role(client, journalist, editor, outsider, second_journalist, django_user_model, campaign):
    stranger = django_user_model.objects.create_user("annotator-elsewhere")
    stranger.groups.add(*journalist.groups.all())
    pages = [f"/campaigns/{campaign.id}/queue/", f"/campaigns/{campaign.id}/dashboard/", f"/campaigns/{campaign.id}/articles/{campaign.items.first().article_id}/"]
    client.force_login(editor)
    assert all(client.get(url).status_code == 200 for url in pages)
    client.force_login(journalist)
    assert client.get(f"/campaigns/{campaign.id}/").status_code == 200
    assert all(client.get(url).status_code == 403 for url in pages)
    client.force_login(stranger)  # an annotator outside the campaign does not see it
    assert client.get(f"/campaigns/{campaign.id}/").status_code == 404
    assert f"/campaigns/{campaign.id}/" not in client.get("/campaigns/").text
    client.force_login(outsider)
    assert client.get("/campaigns/").status_code == 403


def test_next_task_key_opens_the_reader_and_submit_opens_the_next(client, journalist, campaign):
    client.force_login(journalist)
    response = client.post(f"/campaigns/{campaign.id}/next/")
    assert response.status_code == 302 and "?task=" in response["Location"]
    reader = client.get(response["Location"])
    assert 'id="task-submit-form"' in reader.text
    task = journalist.annotation_tasks.get()
    assert task.state == "in_progress"
    done = client.post(f"/tasks/{task.id}/submit/")
    assert done.status_code == 302 and done["Location"] == f"/campaigns/{campaign.id}/"  # nothing left
    task.refresh_from_db()
    assert task.state == "submitted"
    # Pressing submit again (the back button, a double key press) says why nothing happened.
    again = client.post(f"/tasks/{task.id}/submit/", follow=True)
    assert again.status_code == 200 and "لا يمكن تسليم مهمة حالتها «مُسلَّمة»." in again.text  # "cannot be submitted"
    # Back in the reader, the handed-in work says so up front and offers no editing.
    locked = client.get(f"/articles/{task.article_id}/")
    assert 'class="message work-locked"' in locked.text and "عملك على هذا المقال" in locked.text
    assert locked.context["reader_data"]["user"]["canAnnotate"] is False
    assert locked.context["reader_data"]["user"]["lockedBecause"]  # the stances are shown, read-only, and why


def test_a_closed_campaign_takes_no_submissions(client, journalist, editor, campaign):
    client.force_login(journalist)
    opened = client.get(client.post(f"/campaigns/{campaign.id}/next/")["Location"])
    task = journalist.annotation_tasks.get()
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="closed")
    reader = client.get(f"/articles/{task.article_id}/?task={task.id}")
    assert 'id="task-submit-form"' in opened.text and 'id="task-submit-form"' not in reader.text
    assert "هذه الحملة غير نشطة" in reader.text  # "this campaign is not active"
    for action in ("submit", "skip"):
        refused = client.post(f"/tasks/{task.id}/{action}/", {"reason": "خارج الموضوع"}, follow=True)
        assert refused.status_code == 200 and "الحملة مغلقة: لا يمكن تسليم مهامها أو تخطيها." in refused.text
    task.refresh_from_db()
    assert task.state == "in_progress"


def test_dashboard_shows_progress_chart_agreement_and_worst_articles(client, editor, journalist, second_journalist, campaign):
    claim = create_claim(user=journalist, text="السد يكتمل")
    *_, task = submit_stances(campaign, claim, [(journalist, "agree"), (second_journalist, "disagree")])
    client.force_login(editor)
    page = client.get(f"/campaigns/{campaign.id}/dashboard/").text
    assert '<progress max="2" value="2"' in page
    assert page.count('class="bar"') == 14
    assert "<bdi>layla</bdi> · <bdi>omar</bdi>" in page
    assert f"/campaigns/{campaign.id}/articles/{task.article_id}/" in page  # most disagreement
    queue_page = client.get(f"/campaigns/{campaign.id}/queue/?disagreement=1").text
    assert "has-disagreement" in queue_page


def test_notifications_are_listed_and_marked_read(client, journalist, campaign):
    client.force_login(journalist)
    assert 'class="badge"' in client.get("/").text
    page = client.get("/notifications/").text
    assert "حملة &lt;b&gt;عريضة&lt;/b&gt;" in page
    assert 'class="badge"' not in client.get("/").text


def test_login_is_throttled_after_five_failures(client, journalist):
    for _ in range(4):
        assert client.post("/login/", {"username": "layla", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "layla", "password": "wrong"}).status_code == 429  # the fifth locks
    locked = client.post("/login/", {"username": "layla", "password": "pw-layla"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_editor_reassigns_an_open_task_from_the_compare_page(client, editor, journalist, second_journalist, django_user_model):
    third = django_user_model.objects.create_user("salma")
    third.groups.add(*journalist.groups.all())
    article = make_article()
    created = create_campaign(
        editor=editor, name="حملة", selection={"articles": [article.id]},
        annotators=[journalist.username, second_journalist.username, third.username], overlap=2,
    )
    campaign = set_campaign_state(editor=editor, campaign_id=created.id, state="active")
    for person in (journalist, second_journalist):
        client.force_login(person)
        client.post(f"/campaigns/{campaign.id}/next/")
    task = journalist.annotation_tasks.get()
    compare_url = f"/campaigns/{campaign.id}/articles/{article.id}/"
    client.force_login(journalist)
    assert client.post(f"/tasks/{task.id}/reassign/", {"annotator": third.username}).status_code == 403
    client.force_login(editor)
    page = client.get(compare_url).text
    # Only an annotator without this article is offered.
    assert f'action="/tasks/{task.id}/reassign/"' in page
    assert '<option value="salma">' in page and f'<option value="{second_journalist.username}">' not in page
    response = client.post(f"/tasks/{task.id}/reassign/", {"annotator": third.username}, follow=True)
    assert response.redirect_chain[-1][0] == compare_url
    task.refresh_from_db()
    assert task.annotator == third and task.state == "assigned"
    assert third.notifications.filter(kind="assigned").count() == 2  # the campaign, then this article
    refused = client.post(f"/tasks/{task.id}/reassign/", {"annotator": second_journalist.username}, follow=True)
    assert f"المقال عند {second_journalist.username} من قبل." in refused.text  # "already has this article"
    task.refresh_from_db()
    assert task.annotator == third
    # The first annotator's tab, reloaded: the article still, and why the task is gone from it.
    client.force_login(journalist)
    reloaded = client.get(f"/articles/{article.id}/?task={task.id}")
    assert reloaded.status_code == 200
    assert "لم تعد هذه المهمة لك" in reloaded.text  # "This task is no longer yours"


def test_a_decision_refused_because_another_editor_decided_keeps_the_typed_comment(client, editor, journalist, campaign):
    from annotations.services.reviews import review_task

    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    (task,) = submit_stances(campaign, claim, [(journalist, "agree")])
    review_task(editor=editor, task_id=task.id, decision="accept", version=task.version)  # decided first, elsewhere
    client.force_login(editor)
    response = client.post(
        f"/tasks/{task.id}/review/", {"decision": "reject", "comment": "الموقف لا يسنده النص", "version": task.version}
    )
    assert response.status_code == 409
    assert ">الموقف لا يسنده النص</textarea>" in response.text


def test_rejecting_work_needs_a_reason_which_the_annotator_is_told(client, editor, journalist, campaign):
    from annotations.models import Notification

    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    (task,) = submit_stances(campaign, claim, [(journalist, "agree")])
    client.force_login(editor)
    refused = client.post(f"/tasks/{task.id}/review/", {"decision": "reject", "comment": " ", "version": task.version}, follow=True)
    assert "اذكر سبب رفض العمل." in refused.text  # "Say why the work is rejected."
    task.refresh_from_db()
    assert task.state == "submitted"
    client.post(f"/tasks/{task.id}/review/", {"decision": "reject", "comment": "المقال خارج موضوع الحملة", "version": task.version})
    task.refresh_from_db()
    assert task.state == "rejected"
    note = Notification.objects.filter(user=journalist, kind="reviewed").latest("id")
    assert "المقال خارج موضوع الحملة" in note.text
