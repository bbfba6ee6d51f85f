"""Claims, claim mentions, stances with rationales, entities, the audit trail and API tokens.

Every span is `[start, end)` in Unicode code points of one canonical text —
an article revision's or a reader comment's — and stores its quote; the
services refuse a span whose quote is not the text at its offsets. Exactly one
of `revision` and `comment` is set on a span; `article` is always set (the
revision's or the comment's article) so that per-article reads need no join.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from newsdesk.models import Article, ArticleRevision, Comment


class Verdict(models.TextChoices):
    TRUE = "true", _("true")
    FALSE = "false", _("false")
    MIXED = "mixed", _("mixed")
    MISLEADING = "misleading", _("misleading")
    UNVERIFIED = "unverified", _("unverified")


class StanceLabel(models.TextChoices):
    """The FNC-1 / Arabic stance-corpus label set."""

    AGREE = "agree", _("agree")
    DISAGREE = "disagree", _("disagree")
    DISCUSS = "discuss", _("discuss")
    UNRELATED = "unrelated", _("unrelated")


class EntityType(models.TextChoices):
    PER = "PER", _("person")
    ORG = "ORG", _("organisation")
    LOC = "LOC", _("location")
    MISC = "MISC", _("other")


def in_words(words: dict):
    """`value -> how a message says it` from one of the tables below. English
    keeps the API's own value, which clients see in the field; other languages
    say it in words. The tables are written out entry by entry so that
    makemessages finds every msgid."""
    return lambda value: str(words.get(value, value))


# An entity type as a message names it (PER in English).
ENTITY_TYPE_IN_MESSAGES = {
    EntityType.PER: pgettext_lazy("entity type in a message", "PER"),
    EntityType.ORG: pgettext_lazy("entity type in a message", "ORG"),
    EntityType.LOC: pgettext_lazy("entity type in a message", "LOC"),
    EntityType.MISC: pgettext_lazy("entity type in a message", "MISC"),
}


entity_type_in_words = in_words(ENTITY_TYPE_IN_MESSAGES)


class Origin(models.TextChoices):
    MACHINE = "machine", _("machine")
    PERSON = "person", _("person")


class Layer(models.TextChoices):
    """An annotator's own work, or the adjudicated (gold) layer an editor builds."""

    ANNOTATION = "annotation", _("annotation")
    FINAL = "final", _("final")


class MentionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


# Order spans and stances in an article's own text before those in its comments,
# the same on every database (PostgreSQL sorts NULL last, SQLite first).
ARTICLE_FIRST = F("comment_id").asc(nulls_first=True)


def _span_constraints(prefix: str) -> list[models.BaseConstraint]:
    """What the database guarantees about every span: sane offsets, one text."""
    return [
        models.CheckConstraint(condition=Q(start__gte=0), name=f"{prefix}_start_not_negative"),
        models.CheckConstraint(condition=Q(start__lt=F("end")), name=f"{prefix}_start_before_end"),
        models.CheckConstraint(
            condition=Q(revision__isnull=False, comment__isnull=True) | Q(revision__isnull=True, comment__isnull=False),
            name=f"{prefix}_in_one_text",
        ),
    ]


class Span(models.Model):
    """A stretch of one canonical text (abstract)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(ArticleRevision, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    start = models.PositiveIntegerField(_("start (code points)"))
    end = models.PositiveIntegerField(_("end (code points, exclusive)"))
    quote = models.TextField(_("quote"))

    class Meta:
        abstract = True

    @property
    def target_type(self) -> str:
        return "comment" if self.comment_id else "article"


class Claim(models.Model):
    """A canonical, checkable statement that many mentions point at."""

    text = models.TextField(_("claim"))
    language = models.CharField(_("language"), max_length=16, default="ar")
    claimant = models.CharField(_("claimant"), max_length=300, blank=True)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_claims"
    )
    version = models.PositiveIntegerField(default=1)
    # Text and claimant folded for search (newsdesk.text.fold), kept by the claim services.
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=["", *Verdict.values]), name="claim_verdict_valid"),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="claim_not_merged_into_itself"),
        ]
        indexes = [
            # Incremental sync: claims changed since a time.
            models.Index(fields=["updated_at", "id"], name="claim_updated"),
        ]

    def __str__(self):
        return self.text[:80]


class ClaimMention(Span):
    """A span of an article or a comment that states a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="mentions")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    layer = models.CharField(max_length=10, choices=Layer.choices, default=Layer.ANNOTATION)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claim mention")
        verbose_name_plural = _("claim mentions")
        ordering = ["article_id", "comment_id", "start", "id"]
        constraints = [
            *_span_constraints("mention"),
            models.CheckConstraint(condition=Q(layer__in=Layer.values), name="mention_layer_valid"),
            # One annotator marks a span as stating a claim once (a second, identical
            # mention is a double click, not more evidence); per kind of text, as
            # the unused text column is NULL and NULLs never collide.
            models.UniqueConstraint(
                fields=["annotator", "claim", "revision", "start", "end", "layer"],
                condition=Q(comment__isnull=True), name="mention_once_in_article_text",
            ),
            models.UniqueConstraint(
                fields=["annotator", "claim", "comment", "start", "end", "layer"],
                condition=Q(comment__isnull=False), name="mention_once_in_comment",
            ),
            # The final layer holds a span once, whoever adjudicated it.
            models.UniqueConstraint(
                fields=["claim", "revision", "start", "end"],
                condition=Q(comment__isnull=True, layer="final"), name="final_mention_once_in_article_text",
            ),
            models.UniqueConstraint(
                fields=["claim", "comment", "start", "end"],
                condition=Q(comment__isnull=False, layer="final"), name="final_mention_once_in_comment",
            ),
        ]
        indexes = [
            # The reader loads an article's mentions; the list filter "mentions claim X".
            models.Index(fields=["article", "claim"], name="mention_article_claim"),
            models.Index(fields=["claim", "article"], name="mention_claim_article"),
            models.Index(fields=["updated_at", "id"], name="mention_updated"),
        ]

    def __str__(self):
        return f"{self.quote[:40]} → claim {self.claim_id}"


class Stance(models.Model):
    """The position of an article (or one of its comments) toward a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="stances")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    label = models.CharField(_("stance"), max_length=10, choices=StanceLabel.choices)
    note = models.TextField(_("note"), blank=True)
    # The note's direction as the browser sent it (a form's `dirname`: ltr or rtl), or auto.
    note_dir = models.CharField(max_length=4, blank=True)
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # In the final layer the annotator is the adjudicating editor.
    layer = models.CharField(max_length=10, choices=Layer.choices, default=Layer.ANNOTATION)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stance")
        verbose_name_plural = _("stances")
        ordering = ["article_id", "comment_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(label__in=StanceLabel.values), name="stance_label_valid"),
            models.CheckConstraint(condition=Q(layer__in=Layer.values), name="stance_layer_valid"),
            models.UniqueConstraint(
                fields=["annotator", "article", "claim"],
                condition=Q(comment__isnull=True, layer="annotation"),
                name="stance_one_per_annotator_article_claim",
            ),
            models.UniqueConstraint(
                fields=["annotator", "comment", "claim"],
                condition=Q(comment__isnull=False, layer="annotation"),
                name="stance_one_per_annotator_comment_claim",
            ),
            # One adjudicated label per text and claim, whoever adjudicated it.
            models.UniqueConstraint(
                fields=["article", "claim"], condition=Q(comment__isnull=True, layer="final"), name="stance_one_final_article_claim"
            ),
            models.UniqueConstraint(
                fields=["comment", "claim"], condition=Q(comment__isnull=False, layer="final"), name="stance_one_final_comment_claim"
            ),
        ]
        indexes = [
            # The reader loads an article's stances; the list filters by claim and label.
            models.Index(fields=["article", "claim"], name="stance_article_claim"),
            models.Index(fields=["claim", "label"], name="stance_claim_label"),
            models.Index(fields=["updated_at", "id"], name="stance_updated"),
        ]

    def __str__(self):
        return f"{self.label} → claim {self.claim_id} ({self.target_type} {self.comment_id or self.article_id})"

    @property
    def target_type(self) -> str:
        return "comment" if self.comment_id else "article"


class StanceRationale(Span):
    """A span that justifies a stance's label."""

    stance = models.ForeignKey(Stance, on_delete=models.CASCADE, related_name="rationales")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stance rationale")
        verbose_name_plural = _("stance rationales")
        ordering = ["stance_id", "position", "id"]
        constraints = _span_constraints("rationale")

    def __str__(self):
        return self.quote[:60]


class Entity(models.Model):
    """A canonical person, organisation, place or other named thing."""

    type = models.CharField(max_length=4, choices=EntityType.choices)
    canonical_name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # On the newsroom's name list (manage.py import_names): every new extraction
    # looks for its name and spellings, as for names people taught.
    listed = models.BooleanField(_("on the name list"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["canonical_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=EntityType.values), name="entity_type_valid"),
        ]
        indexes = [
            # Linking a mention to its entity by type and name.
            models.Index(fields=["type", "canonical_name"], name="entity_type_name"),
            models.Index(fields=["updated_at", "id"], name="entity_updated"),
        ]

    def __str__(self):
        return f"{self.canonical_name} ({self.type})"


class EntityAlias(models.Model):
    """A spelling by which mentions are linked to an entity: the match key of a
    name (newsdesk.text.fold plus letter-variant rules, see
    annotations.services.entities.match_key)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="alias_keys")
    type = models.CharField(max_length=4, choices=EntityType.choices)
    key = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("entity alias")
        verbose_name_plural = _("entity aliases")
        constraints = [models.UniqueConstraint(fields=["type", "key"], name="entity_alias_unique_key")]

    def __str__(self):
        return f"{self.key} → {self.entity_id}"


# A person's decision about a name: a mention they added, or one they accepted,
# retyped or rejected. New extractions apply them (annotations/ner/taught.py).
DECIDED_MENTIONS = Q(origin="person") | ~Q(status="suggested")


class EntityMention(Span):
    """A named entity found in a text, by the extractor or by a person."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="mentions")
    type = models.CharField(max_length=4, choices=EntityType.choices)
    origin = models.CharField(max_length=8, choices=Origin.choices)
    status = models.CharField(max_length=10, choices=MentionStatus.choices, default=MentionStatus.SUGGESTED)
    extractor_version = models.CharField(max_length=40, blank=True)
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entity mention")
        verbose_name_plural = _("entity mentions")
        ordering = ["article_id", "comment_id", "start", "id"]
        constraints = [
            *_span_constraints("entity_mention"),
            models.CheckConstraint(condition=Q(type__in=EntityType.values), name="entity_mention_type_valid"),
            models.CheckConstraint(condition=Q(status__in=MentionStatus.values), name="entity_mention_status_valid"),
            # The extractor's idempotency backstop: one machine mention per span, type and version.
            models.UniqueConstraint(
                fields=["revision", "start", "end", "type", "extractor_version"],
                condition=Q(origin="machine", revision__isnull=False),
                name="entity_mention_machine_unique_in_revision",
            ),
            models.UniqueConstraint(
                fields=["comment", "start", "end", "type", "extractor_version"],
                condition=Q(origin="machine", comment__isnull=False),
                name="entity_mention_machine_unique_in_comment",
            ),
        ]
        indexes = [
            # The reader loads an article's entity mentions; an entity page lists its mentions.
            models.Index(fields=["article", "status"], name="entity_mention_article"),
            models.Index(fields=["entity", "article"], name="entity_mention_entity"),
            models.Index(fields=["updated_at", "id"], name="entity_mention_updated"),
            # Each extraction batch checks whether people decided anything new.
            models.Index(fields=["updated_at"], condition=DECIDED_MENTIONS, name="entity_mention_decided"),
        ]

    def __str__(self):
        return f"{self.quote} ({self.type}, {self.status})"


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    MERGE = "merge", _("merged")


class AuditEvent(models.Model):
    """Who changed what, when, from what to what. Never edited or deleted.

    `article_id` and `claim_id` are plain numbers (not foreign keys) so that the
    trail outlives what it describes; deletions double as the API's tombstones.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    article_id = models.BigIntegerField(null=True, blank=True)
    claim_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [
            # Audit trail per article, per claim, per user; deletions feed by type.
            models.Index(fields=["article_id", "id"], name="audit_article"),
            models.Index(fields=["claim_id", "id"], name="audit_claim"),
            models.Index(fields=["actor", "id"], name="audit_actor"),
            models.Index(fields=["action", "object_type", "at"], name="audit_action_type"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type} {self.object_id}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only a hash of the key is stored; the key
    is shown once, when the token is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        scope = "read-only" if self.read_only else "read-write"
        return f"{self.name} ({self.key_prefix}…, {scope})"


class ExtractionState(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ExtractionRun(models.Model):
    """One entity extraction of an article (its revision and its comments).

    Written in the same transaction as the import, so the work is recorded
    before any message is sent; a worker claims it with a conditional update;
    the sweep re-sends runs that never ran or whose worker died.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="extraction_runs")
    revision = models.ForeignKey(ArticleRevision, on_delete=models.CASCADE, related_name="+")
    extractor_version = models.CharField(max_length=40, blank=True, help_text="Set when the run starts.")
    state = models.CharField(max_length=8, choices=ExtractionState.choices, default=ExtractionState.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    mentions = models.PositiveIntegerField(default=0, help_text="Machine mentions the run produced.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extraction run")
        verbose_name_plural = _("extraction runs")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ExtractionState.values), name="extraction_run_state_valid"),
        ]
        indexes = [
            # The sweep: pending runs by age, running runs by lease.
            models.Index(fields=["state", "created_at"], name="extraction_run_state"),
            # An article's latest run, for its extraction state.
            models.Index(fields=["article", "id"], name="extraction_run_article"),
        ]

    def __str__(self):
        return f"run {self.pk} of article {self.article_id}: {self.state}"


class NerModel(models.Model):
    """A trained entity-extraction model version. The newest one extracts;
    mentions keep the version that made them."""

    version = models.CharField(max_length=40, unique=True)
    path = models.CharField(max_length=500, help_text="The CRF model file.")
    training_sentences = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0, help_text="Sentences from annotators' corrections.")
    scores = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entity model version")
        verbose_name_plural = _("entity model versions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.version


class IdempotentRequest(models.Model):
    """The answer to a create sent with an Idempotency-Key, so that a client
    retrying a save it never saw confirmed gets the same answer instead of a
    duplicate annotation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    # sha256 of the request's JSON: a key reused for a different request is refused, not replayed.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique_key")]

    def __str__(self):
        return f"{self.user_id} {self.key} → {self.status}"


# --- Editorial workflow: campaigns, tasks, reviews, notifications -----------------


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")


def campaign_state_in_words(state: str) -> str:
    """A campaign's state as a message names it (in English the labels are the values)."""
    return str(CampaignState(state).label) if state in CampaignState.values else state


class Campaign(models.Model):
    """A set of articles to annotate, with guidelines, a label set and an
    overlap: how many annotators annotate each article."""

    name = models.CharField(_("name"), max_length=200)
    guidelines = models.TextField(_("guidelines (Markdown)"), blank=True)
    labels = models.JSONField(_("stance labels"), default=list)
    overlap = models.PositiveSmallIntegerField(_("annotators per article"), default=2)
    blind = models.BooleanField(_("blind: annotators do not see each other's work"), default=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=CampaignState.choices, default=CampaignState.DRAFT)
    # How the article set was chosen (filters or ids), kept for the record.
    selection = models.JSONField(default=dict, blank=True)
    # A task nobody touched for this long goes back to the pool.
    abandon_after_minutes = models.PositiveIntegerField(default=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1) & Q(overlap__lte=20), name="campaign_overlap_range"),
            models.CheckConstraint(condition=Q(state__in=CampaignState.values), name="campaign_state_valid"),
        ]

    def __str__(self):
        return self.name


class CampaignRole(models.TextChoices):
    ANNOTATOR = "annotator", _("annotator")
    EDITOR = "editor", _("editor")


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_memberships")
    role = models.CharField(max_length=10, choices=CampaignRole.choices, default=CampaignRole.ANNOTATOR)

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="campaign_member_once")]

    def __str__(self):
        return f"{self.user_id} as {self.role} in campaign {self.campaign_id}"


class CampaignArticle(models.Model):
    """An article in a campaign, with how many of its slots are taken. The row
    is what "next task" locks, so two annotators never take the same slot."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    taken = models.PositiveSmallIntegerField(default=0)
    full = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("campaign article")
        verbose_name_plural = _("campaign articles")
        ordering = ["campaign_id", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "article"], name="campaign_article_once")]
        indexes = [models.Index(fields=["campaign", "full", "position"], name="campaign_open_items")]

    def __str__(self):
        return f"article {self.article_id} in campaign {self.campaign_id} ({self.taken} taken)"


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    REJECTED = "rejected", _("rejected")
    SKIPPED = "skipped", _("skipped")
    RELEASED = "released", _("released")


# A task's state as a message names it (in_progress in English).
TASK_STATE_IN_MESSAGES = {
    TaskState.ASSIGNED: pgettext_lazy("task state in a message", "assigned"),
    TaskState.IN_PROGRESS: pgettext_lazy("task state in a message", "in_progress"),
    TaskState.SUBMITTED: pgettext_lazy("task state in a message", "submitted"),
    TaskState.ACCEPTED: pgettext_lazy("task state in a message", "accepted"),
    TaskState.CHANGES_REQUESTED: pgettext_lazy("task state in a message", "changes_requested"),
    TaskState.REJECTED: pgettext_lazy("task state in a message", "rejected"),
    TaskState.SKIPPED: pgettext_lazy("task state in a message", "skipped"),
    TaskState.RELEASED: pgettext_lazy("task state in a message", "released"),
}


task_state_in_words = in_words(TASK_STATE_IN_MESSAGES)


# Tasks that hold one of their article's slots.
SLOT_HOLDING_STATES = [
    TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.SUBMITTED, TaskState.ACCEPTED, TaskState.CHANGES_REQUESTED,
]
OPEN_TASK_STATES = [TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.CHANGES_REQUESTED]


class AnnotationTask(models.Model):
    """One article for one annotator in one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotation_tasks")
    slot = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=20, choices=TaskState.choices, default=TaskState.ASSIGNED)
    assigned_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)
    skip_reason = models.TextField(blank=True)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annotation task")
        verbose_name_plural = _("annotation tasks")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=TaskState.values), name="task_state_valid"),
            models.CheckConstraint(condition=Q(slot__gte=1), name="task_slot_positive"),
            models.UniqueConstraint(fields=["campaign", "article", "annotator"], name="task_once_per_annotator"),
            # The database's own guarantee that a slot is never handed out twice.
            models.UniqueConstraint(
                fields=["campaign", "article", "slot"],
                condition=Q(state__in=SLOT_HOLDING_STATES),
                name="task_slot_held_once",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "annotator", "state"], name="task_annotator_state"),
            models.Index(fields=["campaign", "state", "last_activity_at"], name="task_state_activity"),
            models.Index(fields=["campaign", "article"], name="task_campaign_article"),
            # "My open task", asked on every next-task call: small, and exact for the planner.
            models.Index(
                fields=["campaign", "annotator"], condition=Q(state__in=OPEN_TASK_STATES), name="task_open_per_annotator"
            ),
        ]

    def __str__(self):
        return f"task {self.pk}: article {self.article_id} for {self.annotator_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        """Its annotator can still work on it and submit it."""
        return self.state in OPEN_TASK_STATES


class Notification(models.Model):
    """Something a person should know: their work was reviewed, work was assigned."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20)
    # As written, in English; `template` and `params` render it in the reader's language (`text`).
    message = models.TextField()
    template = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language (notifications stored before templates: as written)."""
        if not self.template:
            return self.message
        return render_notification(gettext(self.template), self.params)


def render_notification(template: str, params: dict) -> str:
    """A notification's words: the template with its values, then the editor's comment, if any."""
    text = template.format_map({key: value for key, value in params.items() if key != "comment"})
    return f"{text} {params['comment']}" if params.get("comment") else text

    def __str__(self):
        return self.message[:80]
