"""Serializers that document response shapes in the OpenAPI schema.

Responses are built by annotations/representations.py (plain functions, fast
enough for the export); these classes describe the same shapes for
drf-spectacular, and the suite checks live responses against the schema.
Names are unique project-wide so that schema components never collide.
"""

from rest_framework import serializers

OFFSET_HELP = "Unicode code points, half-open [start, end), into the target's canonical text."


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ConflictSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
    current = serializers.DictField(help_text="The stored object, as its detail endpoint returns it.", allow_null=True)
    changed_by = serializers.CharField(
        allow_null=True, help_text="Username of whoever saved the stored version, when the audit trail knows it."
    )


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    domain = serializers.CharField()
    language = serializers.CharField()


class ArticleSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(allow_blank=True)
    title = serializers.CharField()
    source = SourceSerializer()
    language = serializers.CharField()
    direction = serializers.ChoiceField(choices=["rtl", "ltr"])
    published_at = serializers.DateTimeField(allow_null=True)
    published_at_text = serializers.CharField(allow_blank=True)
    revision = serializers.IntegerField(allow_null=True, help_text="The current revision's id.")
    extraction_state = serializers.ChoiceField(
        choices=["pending", "running", "done", "failed"], allow_null=True, help_text="Entity extraction of the latest revision."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ExtractionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["pending", "running", "done", "failed"])
    error = serializers.CharField(allow_blank=True, help_text="Why a failed run failed.")
    extractor_version = serializers.CharField(allow_blank=True)
    mentions = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class BlockSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["title", "subtitle", "byline", "dateline", "paragraph", "heading", "caption", "attribution"]
    )
    lang = serializers.CharField()


class RevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField(help_text="Canonical text: NFC, one block per line. Offsets index it by code point.")
    blocks = BlockSerializer(many=True, help_text="blocks[i] describes line i of the text.")
    text_notes = serializers.DictField(help_text="No-break-space count (nbsp) and bidi controls ([offset, 'U+202E']).")


class RevisionDetailSerializer(RevisionSerializer):
    article = serializers.IntegerField()
    is_current = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.IntegerField()
    position = serializers.IntegerField()
    author = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    language = serializers.CharField()
    direction = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True, help_text="Approximate when the page printed a relative time.")
    posted_at_text = serializers.CharField(allow_blank=True, help_text="The time as the page printed it.")
    text_notes = serializers.DictField()
    updated_at = serializers.DateTimeField()


class SpanFieldsSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=["article", "comment"])
    article = serializers.IntegerField()
    revision = serializers.IntegerField(allow_null=True, help_text="Set for spans in an article revision.")
    comment = serializers.IntegerField(allow_null=True, help_text="Set for spans in a reader comment.")
    start = serializers.IntegerField(help_text=OFFSET_HELP)
    end = serializers.IntegerField(help_text=OFFSET_HELP)
    quote = serializers.CharField(help_text="The text at [start, end), exactly.")


class ClaimMentionSerializer(SpanFieldsSerializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField()
    annotator = serializers.CharField()
    layer = serializers.ChoiceField(choices=["annotation", "final"], help_text="An annotator's own work, or the adjudicated final layer.")
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class StanceRationaleSerializer(SpanFieldsSerializer):
    id = serializers.IntegerField()


class StanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField()
    target_type = serializers.ChoiceField(choices=["article", "comment"])
    article = serializers.IntegerField()
    comment = serializers.IntegerField(allow_null=True)
    label = serializers.ChoiceField(choices=["agree", "disagree", "discuss", "unrelated"])
    note = serializers.CharField(allow_blank=True)
    note_dir = serializers.CharField(allow_blank=True)
    rationales = StanceRationaleSerializer(many=True)
    annotator = serializers.CharField()
    layer = serializers.ChoiceField(choices=["annotation", "final"], help_text="An annotator's own work, or the adjudicated final layer.")
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EntityMentionSerializer(SpanFieldsSerializer):
    id = serializers.IntegerField()
    entity = serializers.IntegerField(allow_null=True)
    entity_name = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=["PER", "ORG", "LOC", "MISC"])
    origin = serializers.ChoiceField(choices=["machine", "person"])
    status = serializers.ChoiceField(choices=["suggested", "accepted", "rejected"])
    extractor_version = serializers.CharField(allow_blank=True)
    annotator = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class ArticleDocumentSerializer(ArticleSummarySerializer):
    extraction = ExtractionSerializer(allow_null=True)
    offsets = serializers.ChoiceField(choices=["code_points", "utf16"], help_text="The unit of every start/end below.")
    revision = RevisionSerializer()
    comments = CommentSerializer(many=True, required=False, help_text="With ?expand=comments.")
    mentions = ClaimMentionSerializer(many=True, required=False, help_text="With ?expand=mentions.")
    stances = StanceSerializer(many=True, required=False, help_text="With ?expand=stances.")
    entities = EntityMentionSerializer(many=True, required=False, help_text="With ?expand=entities.")


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    language = serializers.CharField()
    claimant = serializers.CharField(allow_blank=True)
    verdict = serializers.CharField(allow_blank=True)
    created_by = serializers.CharField()
    merged_into = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ClaimMentionInArticleSerializer(ClaimMentionSerializer):
    article_title = serializers.CharField()
    source = SourceSerializer()


class StanceCountsSerializer(serializers.Serializer):
    source = SourceSerializer()
    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    discuss = serializers.IntegerField()
    unrelated = serializers.IntegerField()


class ClaimDetailSerializer(ClaimSerializer):
    mentions = ClaimMentionInArticleSerializer(many=True)
    stance_summary = StanceCountsSerializer(many=True, help_text="Stances toward this claim, per source.")


class EntitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    canonical_name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    listed = serializers.BooleanField(help_text="On the newsroom's name list (manage.py import_names): new extractions look for it.")
    merged_into = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    action = serializers.ChoiceField(choices=["create", "update", "delete", "merge"])
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    article = serializers.IntegerField(allow_null=True)
    claim = serializers.IntegerField(allow_null=True)
    before = serializers.DictField(allow_null=True)
    after = serializers.DictField(allow_null=True)


class DeletionSerializer(serializers.Serializer):
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    deleted_at = serializers.DateTimeField()
    article = serializers.IntegerField(allow_null=True)


class BalyClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.CharField()
    fact = serializers.CharField(allow_blank=True, help_text="The claim's verdict.")
    article = serializers.ListField(child=serializers.CharField(), help_text="Article texts, one per stance.")
    url = serializers.ListField(child=serializers.CharField(allow_blank=True))
    stance = serializers.ListField(child=serializers.ChoiceField(choices=["agree", "disagree", "discuss", "unrelated"]))
    rationale = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Per article, the 0-based numbers of the lines that justify the stance.",
    )


class EntityAppearanceSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    title = serializers.CharField()
    source = serializers.CharField()
    mentions = serializers.IntegerField()


class EntityClaimSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    text = serializers.CharField()
    articles = serializers.IntegerField()


class EntityDetailSerializer(EntitySerializer):
    articles = EntityAppearanceSerializer(many=True)
    claims = EntityClaimSerializer(many=True, help_text="Claims mentioned in the articles where the entity appears.")


# --- Editorial workflow -------------------------------------------------------------

TASK_STATES = ["assigned", "in_progress", "submitted", "accepted", "changes_requested", "rejected", "skipped", "released"]


class CampaignProgressSerializer(serializers.Serializer):
    articles = serializers.IntegerField()
    slots = serializers.IntegerField(help_text="articles × overlap")
    states = serializers.DictField(child=serializers.IntegerField(), help_text="Tasks per state.")


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    guidelines = serializers.CharField(allow_blank=True, help_text="Markdown.")
    labels = serializers.ListField(child=serializers.CharField())
    overlap = serializers.IntegerField(help_text="Annotators per article.")
    blind = serializers.BooleanField(help_text="Annotators do not see each other's work.")
    due_date = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["draft", "active", "closed"])
    selection = serializers.DictField(help_text="How the article set was chosen: filters or article ids.")
    abandon_after_minutes = serializers.IntegerField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    progress = CampaignProgressSerializer(required=False)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField()
    article = serializers.IntegerField()
    annotator = serializers.CharField()
    slot = serializers.IntegerField()
    state = serializers.ChoiceField(choices=TASK_STATES)
    assigned_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    seconds_spent = serializers.IntegerField()
    skip_reason = serializers.CharField(allow_blank=True)
    review_comment = serializers.CharField(allow_blank=True)
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class StanceAgreementPairSerializer(serializers.Serializer):
    a = serializers.CharField()
    b = serializers.CharField()
    items = serializers.IntegerField()
    cohen_kappa = serializers.FloatField(allow_null=True)


class StanceAgreementSerializer(serializers.Serializer):
    items = serializers.IntegerField(help_text="(text, claim) items with at least one stance.")
    fleiss_kappa = serializers.FloatField(allow_null=True, help_text="Over items with exactly `overlap` ratings.")
    fleiss_items = serializers.IntegerField()
    krippendorff_alpha = serializers.FloatField(allow_null=True, help_text="Nominal; items may miss ratings.")
    pairs = StanceAgreementPairSerializer(many=True)


class MentionAgreementPairSerializer(serializers.Serializer):
    a = serializers.CharField()
    b = serializers.CharField()
    articles = serializers.IntegerField()
    exact_f1 = serializers.FloatField(allow_null=True)
    overlap_f1 = serializers.FloatField(allow_null=True)


class MentionAgreementSerializer(serializers.Serializer):
    pairs = MentionAgreementPairSerializer(many=True)


class AgreementSerializer(serializers.Serializer):
    stances = StanceAgreementSerializer()
    mentions = MentionAgreementSerializer()


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    message = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
