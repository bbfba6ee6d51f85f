"""Campaigns: an article set, guidelines, a label set, an overlap and members.

An editor builds a campaign as a draft (articles chosen by filters, search or
an explicit list), activates it (annotators are told) and closes it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_noop

from annotations.access import access_campaign, require_editor
from annotations.errors import InvalidInput
from annotations.models import (
    Campaign,
    CampaignArticle,
    CampaignMember,
    CampaignRole,
    CampaignState,
    StanceLabel,
)
from annotations.services.notifications import notify
from newsdesk.models import Article

MAX_ARTICLES = 100_000


def _article_ids(selection: dict) -> list[int]:
    """The article set a selection names: {"articles": [ids]} or filters as
    the article list takes them ({"source": slug, "q": words, ...})."""
    from newsdesk.api.filters import ArticleFilter

    if not isinstance(selection, dict):
        raise InvalidInput("selection must be an object.", fields={"selection": ["An object is required."]})
    known = {"articles", *ArticleFilter.base_filters}
    unknown = sorted(set(selection) - known)
    if unknown:  # a misspelt filter would otherwise select the whole corpus
        raise InvalidInput(
            f"Unknown selection key {unknown[0]!r}; use 'articles' or the article list's filters ({', '.join(sorted(known - {'articles'}))}).",
            fields={f"selection.{key}": ["Unknown key."] for key in unknown},
        )
    selection = {key: value for key, value in selection.items() if value not in ("", None, [])}
    if not selection:  # {} or {"q": ""}: nothing named, not "everything"
        raise InvalidInput("The selection is empty: name articles or filters.", fields={"selection": ["Name articles or filters."]})
    ids = selection.get("articles")
    if ids is not None:
        if len(selection) > 1:
            raise InvalidInput("Give either 'articles' or filters, not both.", fields={"selection": ["Articles or filters."]})
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise InvalidInput("articles must be a list of article ids.", fields={"articles": ["A list of integers."]})
        found = Article.objects.filter(id__in=ids)
        missing = sorted(set(ids) - set(found.values_list("id", flat=True)))
        if missing:
            raise InvalidInput(f"No article with id {missing[0]}.", fields={"articles": [f"Unknown ids: {missing[:10]}"]})
        return list(dict.fromkeys(ids))
    filters = {key: value for key, value in selection.items() if key != "articles"}
    filterset = ArticleFilter(filters, queryset=Article.objects.order_by("published_at", "id"))
    if not filterset.is_valid():
        raise InvalidInput("The article filters are not valid.", fields={k: list(v) for k, v in filterset.errors.items()})
    return list(filterset.qs.values_list("id", flat=True)[:MAX_ARTICLES])


@transaction.atomic
def create_campaign(
    *, editor, name: str, selection: dict, annotators: list, guidelines: str = "", labels: list | None = None,
    overlap: int = 2, blind: bool = True, due_date=None, abandon_after_minutes: int = 120,
) -> Campaign:
    require_editor(editor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A campaign needs a name.", fields={"name": ["This field is required."]})
    labels = list(labels or StanceLabel.values)
    unknown = [label for label in labels if label not in StanceLabel.values]
    if unknown or not labels:
        raise InvalidInput(f"Unknown stance label {unknown[0]!r}." if unknown else "The label set is empty.", fields={"labels": [f"Choose from {StanceLabel.values}."]})
    if not 1 <= int(overlap) <= 20:
        raise InvalidInput("Overlap must be between 1 and 20.", fields={"overlap": ["Between 1 and 20."]})
    users = list(get_user_model().objects.filter(username__in=annotators))
    missing = sorted(set(annotators) - {user.get_username() for user in users})
    if missing:
        raise InvalidInput(f"No user named {missing[0]!r}.", fields={"annotators": [f"Unknown: {missing}"]})
    campaign = Campaign.objects.create(
        name=name, guidelines=guidelines, labels=labels, overlap=overlap, blind=blind, due_date=due_date,
        selection=selection, abandon_after_minutes=abandon_after_minutes, created_by=editor,
    )
    article_ids = _article_ids(selection)
    if not article_ids:
        raise InvalidInput("The selection holds no article.", fields={"selection": ["No article matches."]})
    CampaignArticle.objects.bulk_create(
        [CampaignArticle(campaign=campaign, article_id=article_id, position=index) for index, article_id in enumerate(article_ids)],
        batch_size=2000,
    )
    CampaignMember.objects.bulk_create(
        [CampaignMember(campaign=campaign, user=user, role=CampaignRole.ANNOTATOR) for user in users]
        + [CampaignMember(campaign=campaign, user=editor, role=CampaignRole.EDITOR)],
        ignore_conflicts=True,
    )
    return campaign


@transaction.atomic
def set_campaign_state(*, editor, campaign_id, state: str) -> Campaign:
    campaign = access_campaign(editor, campaign_id, to_manage=True, for_update=True)
    allowed = {CampaignState.DRAFT: {CampaignState.ACTIVE}, CampaignState.ACTIVE: {CampaignState.CLOSED}, CampaignState.CLOSED: {CampaignState.ACTIVE}}
    if state not in allowed.get(campaign.state, set()):
        raise InvalidInput(f"A {campaign.state} campaign cannot become {state}.", fields={"state": [f"From {campaign.state}: {sorted(allowed.get(campaign.state, []))}"]})
    campaign.state = state
    campaign.save(update_fields=["state", "updated_at"])
    if state == CampaignState.ACTIVE:
        for member in campaign.members.filter(role=CampaignRole.ANNOTATOR).select_related("user"):
            notify(member.user, "assigned", gettext_noop("«{campaign}»: you have articles to annotate."), {"campaign": campaign.name}, f"/campaigns/{campaign.id}/")
    return campaign
