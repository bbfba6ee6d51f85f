"""Pages of the editorial workflow: campaigns, the annotator's next task,
the editor's queue, comparison and adjudication, the dashboard and
notifications. Each view: access, call a service, render or redirect."""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from annotations.access import (
    access_article,
    access_campaign,
    access_task,
    can_manage_campaign,
    require_editor,
    require_reader,
)
from annotations.errors import Conflict, InvalidInput
from annotations.forms import CampaignForm, ReviewForm, SkipForm
from annotations.models import AnnotationTask, Campaign, CampaignRole, Notification, StanceLabel, TaskState
from annotations.selectors import article_comparison, review_queue
from annotations.services import campaigns, notifications, queue, reviews
from annotations.services.dashboard import campaign_dashboard, campaign_progress
from newsdesk.roles import is_editor


@lru_cache(maxsize=1)
def _markdown():
    """Guidelines are Markdown written by editors: raw HTML is not rendered, and
    what Markdown makes is sanitised once more. Loaded with the first campaign
    page, not in every web process (the API never needs it)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


# Guidelines mix Arabic and English: each block takes the direction of its own words.
_OWN_DIRECTION = {tag: {"dir": "auto"} for tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "th", "td")}


def render_guidelines(text: str) -> str:
    # Safe to mark: nh3 keeps only harmless tags and attributes.
    html = nh3.clean(_markdown().render(text or ""), set_tag_attribute_values=_OWN_DIRECTION)
    return mark_safe(html)  # noqa: S308


@login_required
def campaign_list(request):
    require_reader(request.user)
    campaigns_shown = Campaign.objects.order_by("-id")
    if not is_editor(request.user):
        campaigns_shown = campaigns_shown.filter(members__user=request.user).distinct()
    return render(request, "annotations/campaign_list.html", {"campaigns": campaigns_shown[:200], "can_create": is_editor(request.user)})


@login_required
def campaign_new(request):
    require_editor(request.user)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaigns.create_campaign(
                editor=request.user, name=data["name"], guidelines=data["guidelines"], selection=form.selection(),
                annotators=[user.username for user in data["annotators"]], labels=data["labels"],
                overlap=data["overlap"], blind=data["blind"], due_date=data["due_date"],
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            return redirect("campaign-detail", campaign.id)
    return render(request, "annotations/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, campaign_id: int):
    campaign = access_campaign(request.user, campaign_id)
    my_tasks = AnnotationTask.objects.filter(campaign=campaign, annotator=request.user).select_related("article").order_by("-id")[:100]
    annotates = campaign.members.filter(user=request.user, role=CampaignRole.ANNOTATOR).exists()
    return render(
        request,
        "annotations/campaign_detail.html",
        {
            "campaign": campaign,
            "guidelines": render_guidelines(campaign.guidelines),
            "progress": campaign_progress(campaign),
            "my_tasks": my_tasks,
            "annotates": annotates,
            "manages": can_manage_campaign(request.user, campaign),
        },
    )


@login_required
@require_POST
def campaign_state(request, campaign_id: int):
    try:
        campaigns.set_campaign_state(editor=request.user, campaign_id=campaign_id, state=request.POST.get("state", ""))
    except InvalidInput as error:
        messages.error(request, error.message)
    return redirect("campaign-detail", campaign_id)


def _open_task(request, task) -> object:
    return redirect(f"{reverse('article-detail', args=[task.article_id])}?task={task.id}")


@login_required
@require_POST
def campaign_next(request, campaign_id: int):
    """The one key of the annotator's flow: the next task, opened in the reader."""
    try:
        task = queue.next_task(annotator=request.user, campaign_id=campaign_id)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("campaign-detail", campaign_id)
    if task is None:
        messages.success(request, _("Nothing left for you in this campaign. Thank you!"))
        return redirect("campaign-detail", campaign_id)
    return _open_task(request, task)


@login_required
@require_POST
def task_submit(request, task_id: int):
    try:
        task = queue.submit_task(annotator=request.user, task_id=task_id)
    except InvalidInput as error:  # submitted already (a second press), or the campaign closed
        return _back_to_task(request, task_id, error)
    messages.success(request, _("Submitted. Here is your next article."))
    following = queue.next_task(annotator=request.user, campaign_id=task.campaign_id)
    if following is None:
        messages.success(request, _("Nothing left for you in this campaign. Thank you!"))
        return redirect("campaign-detail", task.campaign_id)
    return _open_task(request, following)


@login_required
@require_POST
def task_skip(request, task_id: int):
    form = SkipForm(request.POST)
    task = access_task(request.user, task_id, to_work=True)
    if not form.is_valid():
        messages.error(request, _("Say why you skip this article."))
        return _open_task(request, task)
    try:
        queue.skip_task(annotator=request.user, task_id=task_id, reason=form.cleaned_data["reason"])
    except InvalidInput as error:
        return _back_to_task(request, task_id, error)
    return campaign_next(request, task.campaign_id)


def _back_to_task(request, task_id: int, error: InvalidInput):
    """The task could not change: say why, and show its campaign."""
    task = access_task(request.user, task_id, to_work=True)
    messages.error(request, error.message)
    return redirect("campaign-detail", task.campaign_id)


def _annotator_members(campaign):
    return campaign.members.filter(role=CampaignRole.ANNOTATOR).select_related("user").order_by("user__username")


@login_required
def review_queue_page(request, campaign_id: int):
    campaign = access_campaign(request.user, campaign_id, to_manage=True)
    annotator = request.GET.get("annotator", "").strip()
    state = request.GET.get("state", "").strip()
    disagreement = request.GET.get("disagreement") == "1"
    rows = review_queue(campaign, annotator=annotator, state=state, disagreement=disagreement)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    members = _annotator_members(campaign)
    return render(
        request,
        "annotations/review_queue.html",
        {
            "campaign": campaign, "page": page, "members": members, "states": TaskState.choices,
            "values": {"annotator": annotator, "state": state, "disagreement": disagreement},
        },
    )


@login_required
def compare(request, campaign_id: int, article_id: int):
    return _compare_page(request, campaign_id, article_id)


def _compare_page(request, campaign_id: int, article_id: int, *, kept: tuple[int, str] | None = None, status: int = 200):
    """The comparison of everyone's work on one article. `kept`: (task id,
    comment) typed into a decision that was refused, shown again in its form."""
    campaign = access_campaign(request.user, campaign_id, to_manage=True)
    article = access_article(request.user, article_id)
    comparison = article_comparison(campaign, article)
    labels = [(value, label) for value, label in StanceLabel.choices if value in campaign.labels]
    # Who an open task can go to: the campaign's annotators without this article.
    has_article = set(AnnotationTask.objects.filter(campaign=campaign, article=article).values_list("annotator_id", flat=True))
    reassign_to = [
        member.user.username
        for member in _annotator_members(campaign)
        if member.user_id not in has_article
    ]
    for task in comparison["tasks"]:
        task.kept_comment = kept[1] if kept and kept[0] == task.id else ""
    return render(
        request,
        "annotations/compare.html",
        {
            "campaign": campaign, "article": article, "labels": labels, "review_form": ReviewForm(),
            "reassign_to": reassign_to, **comparison,
        },
        status=status,
    )


def _back_to_compare(campaign_id, article_id):
    return redirect("campaign-compare", campaign_id, article_id)


@login_required
@require_POST
def adjudicate(request, campaign_id: int, article_id: int):
    comment_id = request.POST.get("comment") or None
    try:
        reviews.adjudicate_stance(
            editor=request.user, campaign_id=campaign_id, article_id=article_id, comment_id=int(comment_id) if comment_id else None,
            claim_id=int(request.POST.get("claim", "0") or 0), label=request.POST.get("label", ""),
        )
    except InvalidInput as error:
        messages.error(request, error.message)
    except ValueError:  # a claim or comment id that is not a number (a hand-made request)
        messages.error(request, _("The form sent an id that is not a whole number; reload the page."))
    return _back_to_compare(campaign_id, article_id)


@login_required
@require_POST
def adopt_mention(request, campaign_id: int, article_id: int):
    mention_id = request.POST.get("mention", "")
    try:
        if request.POST.get("drop"):
            reviews.drop_final_mention(editor=request.user, campaign_id=campaign_id, mention_id=mention_id)
        else:
            reviews.adopt_mention(editor=request.user, campaign_id=campaign_id, mention_id=mention_id)
    except InvalidInput as error:
        messages.error(request, error.message)
    return _back_to_compare(campaign_id, article_id)


@login_required
@require_POST
def task_review(request, task_id: int):
    form = ReviewForm(request.POST)
    task = access_task(request.user, task_id, to_review=True)
    refused = 400
    if form.is_valid():
        try:
            reviewed = reviews.review_task(
                editor=request.user, task_id=task_id, decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"], version=form.cleaned_data["version"],
            )
        except (InvalidInput, Conflict) as error:  # Conflict: another editor decided first
            messages.error(request, error.message)
            refused = error.status
        else:
            done = REVIEW_DONE[form.cleaned_data["decision"]]
            messages.success(request, str(done) % {"name": reviewed.annotator.get_username()})
            return _back_to_compare(task.campaign_id, task.article_id)
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    # Refused: the page again, with the comment the editor typed still in its box.
    return _compare_page(
        request, task.campaign_id, task.article_id, kept=(task.id, request.POST.get("comment", "")), status=refused
    )


# What the editor is told after a decision; the annotator gets a notification.
REVIEW_DONE = {
    "accept": gettext_lazy("%(name)s's work is accepted; they were told."),
    "request_changes": gettext_lazy("%(name)s was asked for changes; the article is open to them again."),
    "reject": gettext_lazy("%(name)s's work is rejected; they were told."),
}


@login_required
@require_POST
def task_reassign(request, task_id: int):
    task = access_task(request.user, task_id, to_review=True)
    try:
        moved = queue.reassign_task(editor=request.user, task_id=task_id, to_username=request.POST.get("annotator", ""))
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The article now goes to %(name)s.") % {"name": moved.annotator.get_username()})
    return _back_to_compare(task.campaign_id, task.article_id)


@login_required
def dashboard(request, campaign_id: int):
    campaign = access_campaign(request.user, campaign_id, to_manage=True)
    return render(request, "annotations/dashboard.html", {"campaign": campaign, **campaign_dashboard(campaign)})


@login_required
def notification_list(request):
    shown = list(Notification.objects.filter(user=request.user).order_by("-id")[:100])
    notifications.mark_all_read(request.user)
    return render(request, "annotations/notifications.html", {"notifications": shown})
