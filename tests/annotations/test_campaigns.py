"""Campaigns, the annotation queue, review and adjudication, as services."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone, translation

from annotations.errors import InvalidInput, NotAllowed, NotFound
from annotations.models import AnnotationTask, CampaignArticle, Layer, Notification, Stance, TaskState
from annotations.services import queue, reviews
from annotations.services.campaigns import create_campaign, set_campaign_state
from annotations.services.claims import create_claim
from annotations.services.stances import set_stance_for
from newsdesk.roles import ANNOTATOR
from tests.factories import make_article, submit_stances

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages matched below are the English ones, as API clients get them;
    test_the_freeze_is_said_in_arabic checks an Arabic one."""
    with translation.override("en"):
        yield


def annotators(django_user_model, count, prefix="annotator"):
    group = Group.objects.get_or_create(name=ANNOTATOR)[0]
    users = []
    for number in range(count):
        user = django_user_model.objects.create_user(username=f"{prefix}{number}", password="pw")
        user.groups.add(group)
        users.append(user)
    return users


def active_campaign(editor, people, articles, **options):
    campaign = create_campaign(
        editor=editor, name="سد وادي السنديان", selection={"articles": [a.id for a in articles]},
        annotators=[p.username for p in people], **options,
    )
    return set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")


def held(campaign):
    return AnnotationTask.objects.filter(campaign=campaign, state__in=["assigned", "in_progress", "submitted", "accepted", "changes_requested"])


def test_next_task_fills_each_article_up_to_the_overlap_and_no_further(editor, journalist, second_journalist, django_user_model):
    (third,) = annotators(django_user_model, 1)
    articles = [make_article() for _ in range(2)]
    campaign = active_campaign(editor, [journalist, second_journalist, third], articles, overlap=2)

    first = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    assert queue.next_task(annotator=journalist, campaign_id=campaign.id) == first  # an open task comes back
    queue.submit_task(annotator=journalist, task_id=first.id)
    second = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    assert second.article_id != first.article_id
    queue.submit_task(annotator=journalist, task_id=second.id)
    assert queue.next_task(annotator=journalist, campaign_id=campaign.id) is None  # done for layla

    omar = queue.next_task(annotator=second_journalist, campaign_id=campaign.id)
    queue.submit_task(annotator=second_journalist, task_id=omar.id)
    queue.submit_task(annotator=second_journalist, task_id=queue.next_task(annotator=second_journalist, campaign_id=campaign.id).id)
    assert queue.next_task(annotator=third, campaign_id=campaign.id) is None  # every slot is taken
    assert all(item.full and item.taken == 2 for item in CampaignArticle.objects.filter(campaign=campaign))


def test_skipping_and_abandoning_give_the_slot_back(editor, journalist, second_journalist):
    article = make_article()
    campaign = active_campaign(editor, [journalist, second_journalist], [article], overlap=1)
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    assert queue.next_task(annotator=second_journalist, campaign_id=campaign.id) is None
    with pytest.raises(InvalidInput, match="why"):
        queue.skip_task(annotator=journalist, task_id=task.id, reason=" ")
    queue.skip_task(annotator=journalist, task_id=task.id, reason="مقال رأي، لا ادعاءات فيه")
    omar_task = queue.next_task(annotator=second_journalist, campaign_id=campaign.id)
    assert omar_task.article_id == article.id
    # Omar walks away; after the timeout his slot returns to the pool.
    AnnotationTask.objects.filter(id=omar_task.id).update(last_activity_at=timezone.now() - timedelta(hours=3))
    assert queue.release_abandoned(campaign) == 1
    assert AnnotationTask.objects.get(id=omar_task.id).state == TaskState.RELEASED
    assert CampaignArticle.objects.get(campaign=campaign).full is False


def _idle_for(task, gap: timedelta) -> None:
    AnnotationTask.objects.filter(id=task.id).update(last_activity_at=timezone.now() - gap)


def test_time_spent_counts_work_not_breaks(editor, journalist):
    campaign = active_campaign(editor, [journalist], [make_article(), make_article()], overlap=1, abandon_after_minutes=30)
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    _idle_for(task, timedelta(minutes=5))
    queue.touch_task(annotator=journalist, task_id=task.id)
    _idle_for(task, timedelta(hours=2))
    submitted = queue.submit_task(annotator=journalist, task_id=task.id)
    assert 299 <= submitted.seconds_spent <= 302  # the five minutes of work, not the two-hour break
    assert submitted.state == TaskState.SUBMITTED and submitted.started_at is not None
    assert submitted.version == task.version + 1 and submitted.submitted_at is not None
    # The work between the last activity and the submission counts too.
    second = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    _idle_for(second, timedelta(hours=1))
    queue.touch_task(annotator=journalist, task_id=second.id)  # back from a break: not counted
    _idle_for(second, timedelta(minutes=10))
    submitted = queue.submit_task(annotator=journalist, task_id=second.id)
    assert 599 <= submitted.seconds_spent <= 602
    assert AnnotationTask.objects.get(id=second.id).seconds_spent == submitted.seconds_spent
    with pytest.raises(InvalidInput, match="submitted cannot be submitted"):
        queue.submit_task(annotator=journalist, task_id=second.id)


def test_only_members_reach_a_campaign_and_only_the_annotator_works_a_task(editor, journalist, second_journalist, outsider):
    campaign = active_campaign(editor, [journalist], [make_article()], overlap=1)
    with pytest.raises(NotAllowed):
        queue.next_task(annotator=outsider, campaign_id=campaign.id)
    with pytest.raises(NotFound):
        queue.next_task(annotator=second_journalist, campaign_id=campaign.id)
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    with pytest.raises(NotFound):
        queue.submit_task(annotator=second_journalist, task_id=task.id)
    with pytest.raises(NotAllowed):
        queue.submit_task(annotator=editor, task_id=task.id)
    with pytest.raises(NotAllowed):
        reviews.review_task(editor=journalist, task_id=task.id, decision="accept")


def test_next_task_only_in_an_active_campaign_and_the_open_task_survives_a_pause(editor, journalist):
    campaign = active_campaign(editor, [journalist], [make_article(), make_article()], overlap=1)
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="closed")
    with pytest.raises(InvalidInput, match="closed, not active"):
        queue.next_task(annotator=journalist, campaign_id=campaign.id)
    assert AnnotationTask.objects.filter(campaign=campaign).count() == 1  # nothing handed out while closed
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")
    assert queue.next_task(annotator=journalist, campaign_id=campaign.id) == task
    with pytest.raises(NotFound):
        queue.next_task(annotator=journalist, campaign_id="not-a-number")


def article_title(task) -> str:
    return task.article.title[:80]


def test_the_freeze_is_said_in_arabic(editor, journalist):
    from annotations.services.stances import update_stance

    article = make_article()
    campaign = active_campaign(editor, [journalist], [article], overlap=1)
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    submit_stances(campaign, claim, [(journalist, "agree")])
    stance = Stance.objects.get()
    with translation.override("ar"), pytest.raises(NotAllowed, match="حالة عملك على هذا المقال في الحملة «.*»: مُسلَّمة"):
        update_stance(user=journalist, stance_id=stance.id, version=stance.version, changes={"label": "disagree"})


def test_review_decisions_reach_the_annotator(editor, journalist):
    campaign = active_campaign(editor, [journalist], [make_article()], overlap=1)
    assert Notification.objects.filter(user=journalist, kind="assigned").count() == 1
    task = queue.next_task(annotator=journalist, campaign_id=campaign.id)
    queue.submit_task(annotator=journalist, task_id=task.id)
    with pytest.raises(InvalidInput, match="what should change"):
        reviews.review_task(editor=editor, task_id=task.id, decision="request_changes")
    reviews.review_task(editor=editor, task_id=task.id, decision="request_changes", comment="ضع موقف التعليق الأول")
    note = Notification.objects.get(user=journalist, kind="reviewed")
    assert "ضع موقف التعليق الأول" in note.message and f"task={task.id}" in note.url
    # Each reader reads it in their own language, the editor's comment as written.
    with translation.override("en"):
        assert note.text == f"{editor.username} asked for changes to your work on «{article_title(task)}». ضع موقف التعليق الأول"
    with translation.override("ar"):
        assert note.text == f"طلب {editor.username} تعديلات على عملك على «{article_title(task)}». ضع موقف التعليق الأول"
    # Changes requested: the task is open again for the annotator.
    assert queue.next_task(annotator=journalist, campaign_id=campaign.id).id == task.id
    queue.submit_task(annotator=journalist, task_id=task.id)
    assert reviews.review_task(editor=editor, task_id=task.id, decision="accept").state == TaskState.ACCEPTED


def test_adjudication_writes_the_final_layer_once_per_text_and_claim(editor, journalist, second_journalist):
    article = make_article()
    campaign = active_campaign(editor, [journalist, second_journalist], [article], overlap=2)
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    set_stance_for(annotator=journalist, article=article.id, claim_id=claim.id, label="agree")
    set_stance_for(annotator=second_journalist, article=article.id, claim_id=claim.id, label="disagree")
    reviews.adjudicate_stance(editor=editor, campaign_id=campaign.id, article_id=article.id, claim_id=claim.id, label="discuss")
    final = reviews.adjudicate_stance(editor=editor, campaign_id=campaign.id, article_id=article.id, claim_id=claim.id, label="agree")
    assert final.layer == Layer.FINAL and final.label == "agree" and final.version == 2
    assert Stance.objects.filter(layer=Layer.FINAL).count() == 1
    assert Stance.objects.filter(layer=Layer.ANNOTATION).count() == 2
    with pytest.raises(InvalidInput, match="not in this campaign"):
        reviews.adjudicate_stance(editor=editor, campaign_id=campaign.id, article_id=make_article().id, claim_id=claim.id, label="agree")
    with pytest.raises(NotAllowed):
        reviews.adjudicate_stance(editor=journalist, campaign_id=campaign.id, article_id=article.id, claim_id=claim.id, label="agree")


def test_mention_agreement_counts_an_annotator_who_marked_nothing(editor, journalist, second_journalist):
    from annotations.services.agreement import campaign_agreement
    from annotations.services.mentions import create_mention_for

    article = make_article()
    campaign = active_campaign(editor, [journalist, second_journalist], [article], overlap=2)
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    text = article.current_revision.text
    for person in (journalist, second_journalist):
        task = queue.next_task(annotator=person, campaign_id=campaign.id)
        if person == journalist:
            start = text.index("سد وادي السنديان")
            create_mention_for(annotator=person, claim_id=claim.id, article=article.id, start=start, end=start + 16, quote="سد وادي السنديان")
        queue.submit_task(annotator=person, task_id=task.id)
    (pair,) = campaign_agreement(campaign)["mentions"]["pairs"]
    assert (pair["a"], pair["b"], pair["articles"], pair["exact_f1"], pair["overlap_f1"]) == ("layla", "omar", 1, 0.0, 0.0)


def test_work_handed_in_is_frozen_until_the_editor_asks_for_changes(editor, journalist):
    from annotations.services.mentions import create_mention_for
    from annotations.services.stances import update_stance

    article = make_article()
    campaign = active_campaign(editor, [journalist], [article], overlap=1)
    claim = create_claim(user=journalist, text="السد يكتمل في 2027")
    (task,) = submit_stances(campaign, claim, [(journalist, "agree")])
    stance = Stance.objects.get()
    text = article.current_revision.text
    start = text.index("سد وادي السنديان")
    with pytest.raises(NotAllowed, match="submitted"):
        update_stance(user=journalist, stance_id=stance.id, version=stance.version, changes={"label": "disagree"})
    with pytest.raises(NotAllowed, match="submitted"):
        create_mention_for(annotator=journalist, claim_id=claim.id, article=article.id, start=start, end=start + 16, quote="سد وادي السنديان")
    reviews.review_task(editor=editor, task_id=task.id, decision="accept")
    with pytest.raises(NotAllowed, match="accepted"):
        update_stance(user=journalist, stance_id=stance.id, version=stance.version, changes={"label": "disagree"})
    reviews.review_task(editor=editor, task_id=task.id, decision="request_changes", comment="راجعي الموقف")
    update_stance(user=journalist, stance_id=stance.id, version=stance.version, changes={"label": "disagree"})
    assert Stance.objects.get().label == "disagree"
    # Once the campaign is closed, the annotations are the annotator's own again.
    queue.submit_task(annotator=journalist, task_id=task.id)
    set_campaign_state(editor=editor, campaign_id=campaign.id, state="closed")
    create_mention_for(annotator=journalist, claim_id=claim.id, article=article.id, start=start, end=start + 16, quote="سد وادي السنديان")


def test_campaign_inputs_are_checked(editor, journalist):
    with pytest.raises(InvalidInput, match="No user named 'nobody'"):
        create_campaign(editor=editor, name="x", selection={"articles": [make_article().id]}, annotators=["nobody"])
    with pytest.raises(InvalidInput, match="No article with id 999999"):
        create_campaign(editor=editor, name="x", selection={"articles": [999999]}, annotators=[journalist.username], overlap=1)
    with pytest.raises(InvalidInput, match="Unknown stance label"):
        create_campaign(editor=editor, name="x", selection={"articles": [make_article().id]}, annotators=[], labels=["maybe"])
    with pytest.raises(NotAllowed):
        create_campaign(editor=journalist, name="x", selection={}, annotators=[])
    make_article(source="صوت الجنوب")
    by_filter = create_campaign(editor=editor, name="الجنوب", selection={"source": "صوت-الجنوب"}, annotators=[journalist.username], overlap=1)
    assert by_filter.items.count() == 1
    # A misspelt or empty selection is refused, not read as "every article".
    for selection, problem in (({"sorce": "صوت-الجنوب"}, "Unknown selection key 'sorce'"), ({}, "selection is empty"), ({"q": ""}, "selection is empty"),
                               ({"articles": [make_article().id], "source": "x"}, "either 'articles' or filters")):
        with pytest.raises(InvalidInput, match=problem):
            create_campaign(editor=editor, name="x", selection=selection, annotators=[journalist.username], overlap=1)
    # A campaign that could never finish is refused: two annotators per article with one annotator, or due yesterday.
    with pytest.raises(InvalidInput, match="needs 2 annotators, but the campaign has 1") as refused:
        create_campaign(editor=editor, name="x", selection={"articles": [make_article().id]}, annotators=[journalist.username], overlap=2)
    assert "overlap" in refused.value.fields
    with pytest.raises(InvalidInput, match="has already passed") as refused:
        create_campaign(editor=editor, name="x", selection={"articles": [make_article().id]}, annotators=[journalist.username], overlap=1,
                        due_date=timezone.localdate() - timedelta(days=1))
    assert "due_date" in refused.value.fields


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SELECT … FOR UPDATE SKIP LOCKED) need PostgreSQL")
def test_concurrent_next_task_never_overfills_or_hands_a_slot_twice(django_user_model):
    editor = django_user_model.objects.create_superuser(username="chief", password="pw")
    people = annotators(django_user_model, 12)
    articles = [make_article() for _ in range(15)]
    campaign = active_campaign(editor, people, articles, overlap=3)
    handed, errors, start = [], [], threading.Barrier(len(people))

    def work(person):
        from django.db import connection as thread_connection

        try:
            start.wait()
            while (task := queue.next_task(annotator=person, campaign_id=campaign.id)) is not None:
                handed.append((task.id, task.article_id, person.id, task.slot))
                queue.submit_task(annotator=person, task_id=task.id)
        except Exception as error:  # noqa: BLE001 - collected and reported below
            errors.append(repr(error))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(handed) == len({task_id for task_id, *_ in handed}) == 15 * 3  # every slot handed, none twice
    per_article = {}
    for _, article_id, person_id, slot in handed:
        per_article.setdefault(article_id, []).append((person_id, slot))
    for article_id, takers in per_article.items():
        assert len(takers) == 3, article_id
        assert len({person for person, _ in takers}) == 3 and sorted(slot for _, slot in takers) == [1, 2, 3]
    assert held(campaign).count() == 45


def test_the_review_queue_counts_a_stance_one_annotator_took_and_the_other_did_not(editor, journalist, second_journalist):
    from annotations.selectors import review_queue

    article = make_article()
    campaign = active_campaign(editor, [journalist, second_journalist], [article], overlap=2)
    first = create_claim(user=editor, text="السد يكتمل في 2027")
    second = create_claim(user=editor, text="التمويل متوفر بالكامل")
    # Each took a stance toward a different claim: the comparison shows two half-empty rows.
    submit_stances(campaign, first, [(journalist, "agree")])
    submit_stances(campaign, second, [(second_journalist, "agree")])
    [row] = review_queue(campaign)
    assert row["disagreements"] == 2
    assert review_queue(campaign, disagreement=True) == [row]
    # Both on one claim with one label: nothing to review there.
    other = make_article()
    agreed = active_campaign(editor, [journalist, second_journalist], [other], overlap=2)
    submit_stances(agreed, first, [(journalist, "agree"), (second_journalist, "agree")])
    assert review_queue(agreed)[0]["disagreements"] == 0


def test_next_task_skips_an_article_whose_work_the_annotator_handed_in_in_another_active_campaign(editor, journalist):
    handed_in, fresh = make_article(), make_article()
    first = active_campaign(editor, [journalist], [handed_in], overlap=1)
    claim = create_claim(user=editor, text="السد يكتمل في 2027")
    submit_stances(first, claim, [(journalist, "agree")])
    second = active_campaign(editor, [journalist], [handed_in, fresh], overlap=1)
    # The first article is locked by the handed-in work: handing it out again
    # would offer to submit campaign one's stances as campaign two's.
    task = queue.next_task(annotator=journalist, campaign_id=second.id)
    assert task.article_id == fresh.id
    queue.submit_task(annotator=journalist, task_id=task.id)
    assert queue.next_task(annotator=journalist, campaign_id=second.id) is None
    # Once the first campaign is closed the lock lifts and the article comes.
    set_campaign_state(editor=editor, campaign_id=first.id, state="closed")
    assert queue.next_task(annotator=journalist, campaign_id=second.id).article_id == handed_in.id


def test_the_claims_stance_summary_counts_the_editors_decision_and_never_rejected_work(client, editor, journalist, second_journalist):
    from annotations.selectors import stance_summary_by_source

    decided, refused = make_article(), make_article()
    campaign = active_campaign(editor, [journalist, second_journalist], [decided, refused], overlap=2)
    claim = create_claim(user=editor, text="السد يكتمل في 2027")
    tasks = submit_stances(campaign, claim, [(journalist, "agree"), (second_journalist, "disagree")])
    tasks += submit_stances(campaign, claim, [(journalist, "agree"), (second_journalist, "disagree")])

    def summary():
        (row,) = stance_summary_by_source(claim)
        return {label: row[label] for label in ("agree", "disagree", "discuss", "unrelated")}

    assert summary() == {"agree": 2, "disagree": 2, "discuss": 0, "unrelated": 0}
    # The editor decides one article: its outlet agrees there, no longer both.
    reviews.adjudicate_stance(editor=editor, campaign_id=campaign.id, article_id=decided.id, claim_id=claim.id, label="agree")
    assert summary() == {"agree": 2, "disagree": 1, "discuss": 0, "unrelated": 0}
    # The claim's page says the decision is the final one, not the editor's own stance.
    client.force_login(editor)
    assert f"القرار النهائي، اتخذه <bdi>{editor.username}</bdi>" in client.get(f"/claims/{claim.id}/").text
    # Rejected work leaves the count.
    rejected = next(t for t in tasks if t.article_id == refused.id and t.annotator == second_journalist)
    reviews.review_task(editor=editor, task_id=rejected.id, decision="reject", comment="الموقف لا يسنده النص")
    assert summary() == {"agree": 2, "disagree": 0, "discuss": 0, "unrelated": 0}
