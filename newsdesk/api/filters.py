"""Query filters of the list endpoints (django-filter, documented in the schema)."""

import re
from datetime import UTC, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext

from annotations.access import visible_annotations
from annotations.models import (
    AnnotationTask,
    AuditEvent,
    Campaign,
    Claim,
    ClaimMention,
    Entity,
    EntityMention,
    Stance,
    StanceLabel,
)
from annotations.selectors import LAYER_HELP, check_layer, in_layer
from annotations.services.claims import final_claim, search_claims
from annotations.services.entities import search_entities
from newsdesk.models import Article, Comment, Source
from newsdesk.selectors import search_articles

# The largest id a 64-bit key holds: a bigger number is a client's mistake (400), not an overflow (500).
MAX_ID = 2**63 - 1


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time in UTC. Any offset Python accepts works, even those
    PostgreSQL would refuse (-23:07); an offset whose `+` arrived as a space (an
    unencoded query string) is read as `+`; a time that leaves the calendar in
    UTC (year 1 at +05:00) is refused by name."""

    def __init__(self, *args, end_of_day: bool = False, **kwargs):
        # A bare date as an upper bound ("published until 2025-03-15") means the whole day.
        self.end_of_day = end_of_day
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if self.end_of_day and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            day = super().to_python(value.strip())
            try:
                return (day + timedelta(days=1) - timedelta(microseconds=1)).astimezone(UTC) if day is not None else None
            except OverflowError:
                raise forms.ValidationError(gettext("This date is out of range."), code="invalid") from None
        if isinstance(value, str):
            value = re.sub(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$", r"\1+\2", value.strip())
        value = super().to_python(value)
        try:
            return value.astimezone(UTC) if value is not None else None
        except OverflowError:
            raise forms.ValidationError(gettext("This date-time is out of range."), code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{"min_value": 0, "max_value": MAX_ID, **kwargs})


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class UsernameField(forms.CharField):
    """A username that someone has: a misspelt one is refused, not answered with an empty list."""

    def clean(self, value):
        value = super().clean(value)
        if value and not get_user_model().objects.filter(username=value).exists():
            raise forms.ValidationError(gettext("No user named %(username)r.") % {"username": value})
        return value


class UsernameFilter(django_filters.CharFilter):
    field_class = UsernameField


def is_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID  # "²".isdigit() is true too


class StrictBooleanField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no); anything else is refused, not ignored."""

    widget = forms.TextInput  # the select widget would read any other value as "unknown"

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise forms.ValidationError(gettext("Use true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def surviving_claim_id(claim_id) -> int:
    """A merged claim's mentions and stances moved to the claim it was merged
    into: an old link or a mirror's stored id finds them there."""
    claim = Claim.objects.filter(pk=claim_id).only("id", "merged_into_id").first()
    return final_claim(claim).pk if claim is not None else claim_id


class UpdatedSinceFilterSet(django_filters.FilterSet):
    updated_since = UtcDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Only objects created or changed at or after this time (ISO 8601)."
    )


class ArticleFilter(UpdatedSinceFilterSet):
    source = django_filters.CharFilter(method="filter_source", label="Source id or slug.")
    published_after = UtcDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = UtcDateTimeFilter(field_name="published_at", lookup_expr="lte", end_of_day=True)
    claim = IdFilter(method="filter_claim", label="Articles that mention this claim or take a stance on it.")
    stance = django_filters.ChoiceFilter(
        choices=StanceLabel.choices, method="filter_stance", label="Articles (or their comments) with a stance of this label (toward `claim` when given)."
    )
    annotated = BooleanFilter(method="filter_annotated", label="Articles with (true) or without (false) claim mentions or stances.")
    q = django_filters.CharFilter(method="filter_search", label="Search text and comments; Arabic spelling variants match (أ/ا, ة/ه, ى/ي, harakat, tatweel).")

    class Meta:
        model = Article
        fields = []

    def filter_source(self, queryset, name, value):
        return queryset.filter(source__id=value) if is_id(value) else queryset.filter(source__slug=value)

    def _visible(self, annotations):
        """Only the mentions or stances the requester may see count: in a blind
        campaign, whether an article matches must not reveal another
        annotator's work. Without a request (a service acting for an editor),
        everything counts."""
        viewer = getattr(self.request, "user", None)
        return annotations if viewer is None else visible_annotations(viewer, annotations)

    def filter_claim(self, queryset, name, value):
        value = surviving_claim_id(value)
        mentions = self._visible(ClaimMention.objects.filter(article=OuterRef("pk"), claim_id=value))
        stances = self._visible(Stance.objects.filter(article=OuterRef("pk"), claim_id=value))
        return queryset.filter(Q(Exists(mentions)) | Q(Exists(stances)))

    def filter_stance(self, queryset, name, value):
        stances = Stance.objects.filter(article=OuterRef("pk"), label=value)
        claim = self.data.get("claim")
        if claim and is_id(claim):
            stances = stances.filter(claim_id=surviving_claim_id(claim))
        return queryset.filter(Exists(self._visible(stances)))

    def filter_annotated(self, queryset, name, value):
        annotated = Q(Exists(self._visible(ClaimMention.objects.filter(article=OuterRef("pk"))))) | Q(
            Exists(self._visible(Stance.objects.filter(article=OuterRef("pk"))))
        )
        return queryset.filter(annotated if value else ~annotated)

    def filter_search(self, queryset, name, value):
        return search_articles(queryset, value)


class EntityFilter(UpdatedSinceFilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Entities with a spelling containing these words (Arabic spelling variants match: سيرجي finds سيرغي).")
    merged = BooleanFilter(field_name="merged_into", lookup_expr="isnull", exclude=True, label="Merged (true) or surviving (false) entities.")
    listed = BooleanFilter(field_name="listed", label="On the newsroom's name list (true) or not (false).")

    class Meta:
        model = Entity
        fields = ["type"]

    def filter_search(self, queryset, name, value):
        return search_entities(queryset, value)


class CommentFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Comment
        fields = ["article"]


class ClaimFilter(UpdatedSinceFilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Claims whose text or claimant contains these words, Arabic spelling folded as in article search.")
    merged = BooleanFilter(field_name="merged_into", lookup_expr="isnull", exclude=True, label="Merged (true) or surviving (false) claims.")

    class Meta:
        model = Claim
        fields = ["verdict", "language"]

    def filter_search(self, queryset, name, value):
        return search_claims(queryset, value)


class AnnotationFilter(UpdatedSinceFilterSet):
    """Mentions and stances. Ids are plain numbers: an id nothing has (a deleted
    claim) finds nothing, and a merged claim's id finds what moved to its survivor."""

    article = IdFilter(field_name="article_id")
    claim = IdFilter(method="filter_claim", label="This claim, or the claim it was merged into.")
    comment = IdFilter(field_name="comment_id")
    annotator = UsernameFilter(field_name="annotator__username", label="The annotator's username.")
    layer = django_filters.CharFilter(method="filter_layer", label=LAYER_HELP)

    def filter_layer(self, queryset, name, value):
        return in_layer(queryset, check_layer(value.strip()))

    def filter_claim(self, queryset, name, value):
        return queryset.filter(claim_id=surviving_claim_id(value))


class ClaimMentionFilter(AnnotationFilter):
    revision = IdFilter(field_name="revision_id")

    class Meta:
        model = ClaimMention
        fields = []


class StanceFilter(AnnotationFilter):
    class Meta:
        model = Stance
        fields = ["label"]


class EntityMentionFilter(UpdatedSinceFilterSet):
    class Meta:
        model = EntityMention
        fields = ["article", "entity", "type", "status", "origin", "comment"]


# What the audit trail records changes of.
AUDITED_TYPES = [(name, name) for name in ("claim", "mention", "stance", "entity", "entity_mention")]


class AuditEventFilter(django_filters.FilterSet):
    article = IdFilter(field_name="article_id")
    claim = IdFilter(field_name="claim_id")
    user = UsernameFilter(field_name="actor__username", label="The acting user's username.")
    object_type = django_filters.ChoiceFilter(choices=AUDITED_TYPES)
    since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", label="Events at or after this time.")
    # The name every other list takes for incremental sync.
    updated_since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", label="Events at or after this time (as `since`).")

    class Meta:
        model = AuditEvent
        fields = ["action"]


class DeletionFilter(django_filters.FilterSet):
    updated_since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", label="Deletions at or after this time.")
    object_type = django_filters.ChoiceFilter(choices=AUDITED_TYPES)

    class Meta:
        model = AuditEvent
        fields = []


class SourceFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Source
        fields = []


class CampaignFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Campaign
        fields = ["state"]


class TaskFilter(UpdatedSinceFilterSet):
    campaign = IdFilter(field_name="campaign_id")
    article = IdFilter(field_name="article_id")
    annotator = UsernameFilter(field_name="annotator__username", label="The annotator's username.")

    class Meta:
        model = AnnotationTask
        fields = ["state"]
