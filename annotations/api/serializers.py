"""Input serializers: they check types and shapes; the services check meaning
(offsets, quotes, permissions, versions). Text fields keep their whitespace:
a quote that starts with a no-break space must arrive with it."""

from rest_framework import serializers

from annotations.models import StanceLabel, Verdict
from annotations.services.spans import CODE_POINTS, UTF16
from newsdesk.api.schema import OFFSET_HELP

OFFSET_UNITS = [CODE_POINTS, UTF16]


def _text(**kwargs):
    return serializers.CharField(trim_whitespace=False, **kwargs)


class TargetInputSerializer(serializers.Serializer):
    article = serializers.IntegerField(required=False, help_text="An article: the span is in its current revision.")
    revision = serializers.IntegerField(required=False, help_text="A specific revision of an article.")
    comment = serializers.IntegerField(required=False, help_text="A reader comment.")


class SpanInputSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, help_text=OFFSET_HELP)
    end = serializers.IntegerField(min_value=0, help_text=OFFSET_HELP)
    quote = _text(help_text="Exactly the text at [start, end).")


class ClaimMentionCreateInputSerializer(TargetInputSerializer, SpanInputSerializer):
    claim = serializers.IntegerField()
    offsets = serializers.ChoiceField(choices=OFFSET_UNITS, default=CODE_POINTS, help_text="The unit of start/end.")


class ClaimMentionUpdateInputSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, required=False, help_text=OFFSET_HELP)
    end = serializers.IntegerField(min_value=0, required=False, help_text=OFFSET_HELP)
    quote = _text(required=False)
    claim = serializers.IntegerField(required=False)
    offsets = serializers.ChoiceField(choices=OFFSET_UNITS, default=CODE_POINTS)
    version = serializers.IntegerField(min_value=1, required=False, help_text="The version you edited (or send If-Match).")


class RationaleInputSerializer(SpanInputSerializer):
    revision = serializers.IntegerField(required=False, help_text="For article stances: a revision other than the current one.")


class StanceCreateInputSerializer(serializers.Serializer):
    article = serializers.IntegerField(required=False, help_text="The article whose stance this is.")
    comment = serializers.IntegerField(required=False, help_text="Or the reader comment whose stance this is.")
    claim = serializers.IntegerField()
    label = serializers.ChoiceField(choices=StanceLabel.values)
    note = _text(required=False, allow_blank=True, default="")
    note_dir = serializers.ChoiceField(choices=["", "ltr", "rtl", "auto"], required=False, default="")
    rationales = RationaleInputSerializer(many=True, required=False, default=list)
    offsets = serializers.ChoiceField(choices=OFFSET_UNITS, default=CODE_POINTS)


class StanceUpdateInputSerializer(serializers.Serializer):
    label = serializers.ChoiceField(choices=StanceLabel.values, required=False)
    note = _text(required=False, allow_blank=True)
    note_dir = serializers.ChoiceField(choices=["", "ltr", "rtl", "auto"], required=False)
    rationales = RationaleInputSerializer(many=True, required=False)
    offsets = serializers.ChoiceField(choices=OFFSET_UNITS, default=CODE_POINTS)
    version = serializers.IntegerField(min_value=1, required=False)


class ClaimCreateInputSerializer(serializers.Serializer):
    text = _text()
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    claimant = _text(required=False, allow_blank=True, default="", max_length=300)
    verdict = serializers.ChoiceField(choices=["", *Verdict.values], required=False, default="")


class ClaimUpdateInputSerializer(serializers.Serializer):
    text = _text(required=False)
    language = serializers.CharField(required=False, allow_blank=True, max_length=16)
    claimant = _text(required=False, allow_blank=True, max_length=300)
    verdict = serializers.ChoiceField(choices=["", *Verdict.values], required=False)
    version = serializers.IntegerField(min_value=1, required=False)


class ClaimMergeInputSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="The claim that survives.")


class VersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)


class EntityMentionCreateInputSerializer(TargetInputSerializer, SpanInputSerializer):
    type = serializers.ChoiceField(choices=["PER", "ORG", "LOC", "MISC"])
    offsets = serializers.ChoiceField(choices=OFFSET_UNITS, default=CODE_POINTS)


class EntityMentionReviewInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accept", "reject", "retype"])
    type = serializers.ChoiceField(choices=["PER", "ORG", "LOC", "MISC"], required=False, help_text="The new type, for retype.")
    version = serializers.IntegerField(min_value=1, required=False)


class EntityMergeInputSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="The entity that survives.")


class EntityRenameInputSerializer(serializers.Serializer):
    canonical_name = _text(max_length=300, help_text="The name the entity is shown by; the old one stays a spelling.")
    version = serializers.IntegerField(min_value=1, required=False, help_text="The version renamed (or send If-Match).")


class EntitySplitInputSerializer(serializers.Serializer):
    mentions = serializers.ListField(child=serializers.IntegerField(), min_length=1, help_text="Mentions that move to the new entity.")
    canonical_name = _text(max_length=300)


class CampaignCreateInputSerializer(serializers.Serializer):
    name = _text(max_length=200)
    guidelines = _text(required=False, allow_blank=True, default="", help_text="Markdown.")
    selection = serializers.DictField(help_text='{"articles": [ids]} or article-list filters such as {"source": "slug", "q": "words"}.')
    annotators = serializers.ListField(child=serializers.CharField(), help_text="Usernames.")
    labels = serializers.ListField(child=serializers.ChoiceField(choices=StanceLabel.values), required=False)
    overlap = serializers.IntegerField(min_value=1, max_value=20, default=2)
    blind = serializers.BooleanField(default=True)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    abandon_after_minutes = serializers.IntegerField(min_value=1, max_value=100_000, default=120)


class SkipInputSerializer(serializers.Serializer):
    reason = _text(help_text="Why this article is skipped.")


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "request_changes", "reject"])
    comment = _text(required=False, allow_blank=True, default="", help_text="Shown to the annotator; required to request changes.")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="The task version decided on (or If-Match): a task reviewed meanwhile is a 409."
    )


class ReassignInputSerializer(serializers.Serializer):
    annotator = serializers.CharField(help_text="Username of another annotator of the campaign.")


class AdjudicateInputSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    comment = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="For a comment's stance.")
    claim = serializers.IntegerField()
    label = serializers.ChoiceField(choices=StanceLabel.values)


class AdoptMentionInputSerializer(serializers.Serializer):
    mention = serializers.IntegerField(help_text="An annotator's claim mention to copy into the final layer.")
