"""Pages: the reading list and the reader. Each view: access, read, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy

from annotations.access import access_article, access_task, require_reader, require_work_open
from annotations.errors import NotAllowed, NotFound
from annotations.forms import SkipForm
from annotations.models import Claim, EntityType, StanceLabel
from annotations.representations import claim_dict
from annotations.selectors import AnnotationScope, article_documents, extraction_state_subquery
from annotations.services.queue import touch_task
from newsdesk.api.filters import ArticleFilter
from newsdesk.api.framework import field_in_words
from newsdesk.models import Article, Source
from newsdesk.reader_strings import reader_strings
from newsdesk.reading import search_hits, text_blocks
from newsdesk.roles import can_annotate, is_editor

ARTICLES_PER_PAGE = 50

# A filter's error names it as the form above the list labels it.
FILTER_LABELS = {
    "q": gettext_lazy("Search"),
    "source": gettext_lazy("Source"),
    "published_after": gettext_lazy("Published from"),
    "published_before": gettext_lazy("Published until"),
    "claim": gettext_lazy("Claim"),
    "stance": gettext_lazy("Stance"),
    "annotated": gettext_lazy("Annotated"),
}


@login_required
def article_list(request):
    require_reader(request.user)
    articles = Article.objects.select_related("source").annotate(extraction_state=extraction_state_subquery())
    filtered = ArticleFilter(request.GET or None, queryset=articles.order_by("-published_at", "-id"), request=request)
    queryset = filtered.qs if filtered.is_bound and filtered.is_valid() else articles.order_by("-published_at", "-id")
    page = Paginator(queryset, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "newsdesk/article_list.html",
        {
            "page": page,
            "filters": filtered,
            "filter_errors": [
                (FILTER_LABELS.get(name) or field_in_words(name), errors) for name, errors in filtered.errors.items()
            ] if filtered.is_bound else [],
            "sources": Source.objects.order_by("name"),
            "claims": Claim.objects.filter(merged_into__isnull=True).order_by("-id")[:200],
            "labels": StanceLabel.choices,
            "values": request.GET,
            "querystring": query.urlencode(),
        },
    )


def _work_locked(user, article) -> str:
    """Why the user may not change their annotations of this article now (their
    work on it is handed in, in an active campaign), or "" when they may."""
    try:
        require_work_open(user, article)
    except NotAllowed as refusal:
        return refusal.message
    return ""


def _machine_time(text: str):
    try:
        return parse_datetime(text.strip())
    except ValueError:
        return None


def comment_times(comment: dict) -> dict:
    """A comment's time for the reader: as the page printed it ("منذ ساعتين"),
    with the parsed time for a tooltip; a machine timestamp (JSON Lines carry
    ISO 8601) is shown as a local date and time instead, written as the
    article's own date is."""
    posted = parse_datetime(comment["posted_at"]) if comment["posted_at"] else None
    local = date_format(localtime(posted), "Y-m-d H:i") if posted else ""
    shown = comment["posted_at_text"]
    if posted and (not shown or _machine_time(shown)):
        shown = local
    return {"time_shown": shown, "time_parsed": local if local != shown else ""}


@login_required
def article_detail(request, article_id: int):
    article = access_article(request.user, article_id)
    (document,) = article_documents([article], scope=AnnotationScope(viewer=request.user), timestamps=False)
    revision = article.current_revision
    query = request.GET.get("q", "").strip()
    task = _task_in_reader(request, article)
    comments = [{**comment, **comment_times(comment), "blocks": text_blocks(comment["text"])} for comment in document["comments"]]
    hits = [{"unitKey": "article", "start": start, "end": end} for start, end in search_hits(revision.text, query)]
    for comment in document["comments"]:
        hits += [
            {"unitKey": f"comment:{comment['id']}", "start": s, "end": e}
            for s, e in search_hits(comment["text"], query)
        ]
    claim_ids = {m["claim"] for m in document["mentions"]} | {s["claim"] for s in document["stances"]}
    claims = [claim_dict(claim) for claim in Claim.objects.filter(id__in=claim_ids).select_related("created_by")]
    work_locked = _work_locked(request.user, article) if can_annotate(request.user) else ""
    annotate = can_annotate(request.user) and not work_locked
    reader_data = {
        "article": {"id": article.id, "revision": revision.id, "language": article.language},
        "user": {
            "username": request.user.get_username(),
            "canAnnotate": annotate,
            # Why the user's own work here is read-only now (handed in), or "".
            "lockedBecause": work_locked,
            "isEditor": is_editor(request.user),
        },
        "mentions": document["mentions"],
        "stances": document["stances"],
        "entities": document["entities"],
        "claims": claims,
        "comments": [{"id": c["id"], "author": c["author"], "title": c["title"]} for c in document["comments"]],
        "searchHits": hits,
        "task": {"id": task.id, "state": task.state} if task else None,
        "urls": {
            "api": "/api/v1/",
            "claim": reverse("claim-detail", args=[0]),
            "entity": reverse("entity-detail", args=[0]),
        },
    }
    return render(
        request,
        "newsdesk/article_detail.html",
        {
            "article": article,
            "blocks": text_blocks(revision.text, revision.blocks),
            "comments": comments,
            "document": document,
            "reader_data": reader_data,
            "reader_strings": reader_strings(),
            "labels": StanceLabel.choices,
            "entity_types": EntityType.choices,
            "query": query,
            "task": task,
            "skip_form": SkipForm() if task else None,
            "can_annotate": annotate,
            "work_locked": work_locked,
        },
    )


def _task_in_reader(request, article):
    """A campaign task opened in the reader (?task=ID): its annotator's opening
    counts as work on it; an editor may look at it."""
    task_id = request.GET.get("task")
    if not task_id:
        return None
    try:
        task = access_task(request.user, task_id)
    except NotFound:
        # Most often an editor gave the article to someone else while this tab was open.
        messages.warning(request, gettext("This task is no longer yours: an editor gave it to someone else, or it was removed."))
        return None
    if task.article_id != article.id:
        return None
    if task.annotator_id == request.user.pk:
        task = touch_task(annotator=request.user, task_id=task.id)
    return task
