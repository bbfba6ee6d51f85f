"""Campaigns: an article set, guidelines, a label set, an overlap and members.

An editor builds a campaign as a draft (articles chosen by filters, search or
an explicit list), activates it (annotators are told) and closes it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from annotations.access import NO_SUCH, access_campaign, require_editor
from annotations.errors import InvalidInput
from annotations.models import (
    Campaign,
    CampaignArticle,
    CampaignMember,
    CampaignRole,
    CampaignState,
    StanceLabel,
    campaign_state_in_words,
)
from annotations.services.notifications import notify
from newsdesk.models import Article

MAX_ARTICLES = 100_000


def _article_ids(selection: dict) -> list[int]:
    """The article set a selection names: {"articles": [ids]} or filters as
    the article list takes them ({"source": slug, "q": words, ...})."""
    from newsdesk.api.filters import ArticleFilter

    if not isinstance(selection, dict):
        raise InvalidInput(gettext("selection must be an object."), fields={"selection": [gettext("An object is required.")]})
    known = {"articles", *ArticleFilter.base_filters}
    unknown = sorted(set(selection) - known)
    if unknown:  # a misspelt filter would otherwise select the whole corpus
        raise InvalidInput(
            gettext("Unknown selection key %(key)r; use 'articles' or the article list's filters (%(filters)s).")
            % {"key": unknown[0], "filters": ", ".join(sorted(known - {"articles"}))},
            fields={f"selection.{key}": [gettext("Unknown key.")] for key in unknown},
        )
    selection = {key: value for key, value in selection.items() if value not in ("", None, [])}
    if not selection:  # {} or {"q": ""}: nothing named, not "everything"
        raise InvalidInput(
            gettext("The selection is empty: name articles or filters."), fields={"selection": [gettext("Name articles or filters.")]}
        )
    ids = selection.get("articles")
    if ids is not None:
        if len(selection) > 1:
            raise InvalidInput(gettext("Give either 'articles' or filters, not both."), fields={"selection": [gettext("Articles or filters.")]})
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise InvalidInput(gettext("articles must be a list of article ids."), fields={"articles": [gettext("A list of integers.")]})
        found = Article.objects.filter(id__in=ids)
        missing = sorted(set(ids) - set(found.values_list("id", flat=True)))
        if missing:
            raise InvalidInput(
                NO_SUCH["article"] % {"id": missing[0]}, fields={"articles": [gettext("Unknown ids: %(ids)s") % {"ids": missing[:10]}]}
            )
        return list(dict.fromkeys(ids))
    filters = {key: value for key, value in selection.items() if key != "articles"}
    filterset = ArticleFilter(filters, queryset=Article.objects.order_by("published_at", "id"))
    if not filterset.is_valid():
        raise InvalidInput(gettext("The article filters are not valid."), fields={k: list(v) for k, v in filterset.errors.items()})
    return list(filterset.qs.values_list("id", flat=True)[:MAX_ARTICLES])


@transaction.atomic
def create_campaign(
    *, editor, name: str, selection: dict, annotators: list, guidelines: str = "", labels: list | None = None,
    overlap: int = 2, blind: bool = True, due_date=None, abandon_after_minutes: int = 120,
) -> Campaign:
    require_editor(editor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(gettext("A campaign needs a name."), fields={"name": [gettext("This field is required.")]})
    labels = list(labels or StanceLabel.values)
    unknown = [label for label in labels if label not in StanceLabel.values]
    if unknown or not labels:
        raise InvalidInput(
            gettext("Unknown stance label %(label)r.") % {"label": unknown[0]} if unknown else gettext("The label set is empty."),
            fields={"labels": [gettext("Choose from %(choices)s.") % {"choices": StanceLabel.values}]},
        )
    if not 1 <= int(overlap) <= 20:
        raise InvalidInput(gettext("Overlap must be between 1 and 20."), fields={"overlap": [gettext("Between 1 and 20.")]})
    users = list(get_user_model().objects.filter(username__in=annotators))
    missing = sorted(set(annotators) - {user.get_username() for user in users})
    if missing:
        raise InvalidInput(
            gettext("No user named %(username)r.") % {"username": missing[0]},
            fields={"annotators": [gettext("Unknown: %(usernames)s") % {"usernames": missing}]},
        )
    if int(overlap) > len(users):
        # Each article would wait forever for annotators the campaign does not have.
        raise InvalidInput(
            gettext("Each article needs %(overlap)d annotators, but the campaign has %(count)d.") % {"overlap": int(overlap), "count": len(users)},
            fields={"overlap": [gettext("At most the number of annotators (%(count)d).") % {"count": len(users)}]},
        )
    if due_date is not None and due_date < timezone.localdate():
        raise InvalidInput(
            gettext("The due date %(date)s has already passed.") % {"date": due_date.isoformat()},
            fields={"due_date": [gettext("Choose today or a later day.")]},
        )
    campaign = Campaign.objects.create(
        name=name, guidelines=guidelines, labels=labels, overlap=overlap, blind=blind, due_date=due_date,
        selection=selection, abandon_after_minutes=abandon_after_minutes, created_by=editor,
    )
    article_ids = _article_ids(selection)
    if not article_ids:
        raise InvalidInput(gettext("The selection holds no article."), fields={"selection": [gettext("No article matches.")]})
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
        raise InvalidInput(
            gettext("A %(state)s campaign cannot become %(wanted)s.")
            % {"state": campaign_state_in_words(campaign.state), "wanted": campaign_state_in_words(state)},
            fields={
                "state": [
                    gettext("From %(state)s: %(allowed)s")
                    % {"state": campaign_state_in_words(campaign.state), "allowed": sorted(allowed.get(campaign.state, []))}
                ]
            },
        )
    campaign.state = state
    campaign.save(update_fields=["state", "updated_at"])
    if state == CampaignState.ACTIVE:
        for member in campaign.members.filter(role=CampaignRole.ANNOTATOR).select_related("user"):
            notify(member.user, "assigned", gettext_noop("«{campaign}»: you have articles to annotate."), {"campaign": campaign.name}, f"/campaigns/{campaign.id}/")
    return campaign
