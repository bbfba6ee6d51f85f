"""Admin pages for annotations and for the background work: extraction runs
(their state, errors and attempts) and model versions."""

from django.contrib import admin, messages

from annotations.models import (
    ApiToken,
    AuditEvent,
    Claim,
    ClaimMention,
    Entity,
    EntityMention,
    ExtractionRun,
    ExtractionState,
    NerModel,
    Stance,
)
from newsdesk.admin import ReadOnlyAdmin


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["text", "claimant", "verdict", "created_by", "merged_into", "updated_at"]
    list_filter = ["verdict", "language"]
    search_fields = ["text", "claimant"]
    readonly_fields = ["created_by", "merged_into", "version", "created_at", "updated_at"]


@admin.register(ClaimMention)
class ClaimMentionAdmin(ReadOnlyAdmin):
    list_display = ["quote", "claim", "article", "annotator", "updated_at"]
    search_fields = ["quote"]
    list_select_related = ["claim", "article", "annotator"]
    readonly_fields = [f.name for f in ClaimMention._meta.fields]


@admin.register(Stance)
class StanceAdmin(ReadOnlyAdmin):
    list_display = ["label", "claim", "article", "comment", "annotator", "updated_at"]
    list_filter = ["label"]
    list_select_related = ["claim", "article", "annotator"]
    readonly_fields = [f.name for f in Stance._meta.fields]


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ["canonical_name", "type", "merged_into", "updated_at"]
    list_filter = ["type"]
    search_fields = ["canonical_name"]
    # Renaming, merging and splitting go through the entity page (services), not a form here.
    readonly_fields = ["merged_into"]


@admin.register(EntityMention)
class EntityMentionAdmin(ReadOnlyAdmin):
    list_display = ["quote", "type", "status", "origin", "extractor_version", "article"]
    list_filter = ["type", "status", "origin", "extractor_version"]
    search_fields = ["quote"]
    list_select_related = ["article"]
    readonly_fields = ["article", "revision", "comment", "start", "end", "quote", "extractor_version"]


@admin.register(ExtractionRun)
class ExtractionRunAdmin(admin.ModelAdmin):
    """Background work, visible to admins: what ran, what failed and why."""

    list_display = ["id", "article", "state", "extractor_version", "attempts", "mentions", "created_at", "finished_at", "short_error"]
    list_filter = ["state", "extractor_version"]
    search_fields = ["article__title", "error"]
    list_select_related = ["article"]
    readonly_fields = [f.name for f in ExtractionRun._meta.fields]
    actions = ["send_again"]

    @admin.display(description="error")
    def short_error(self, run):
        return run.error[:80]

    @admin.action(description="Send the selected runs to the worker again")
    def send_again(self, request, queryset):
        from django.db.models import Q
        from django.utils import timezone

        from annotations.services.extraction import send_runs

        # A run a live worker still holds (its lease not run out) is left to it: sending it would duplicate the work.
        held = Q(state=ExtractionState.RUNNING, lease_until__gt=timezone.now())
        ids = list(queryset.exclude(state=ExtractionState.DONE).exclude(held).values_list("id", flat=True))
        queryset.filter(id__in=ids).update(state=ExtractionState.PENDING, lease_until=None, error="")
        sent = send_runs(ids)
        self.message_user(request, f"Sent {sent} of {len(ids)} runs.", messages.SUCCESS if sent == len(ids) else messages.WARNING)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an article's extraction state is its latest run


@admin.register(NerModel)
class NerModelAdmin(admin.ModelAdmin):
    """Model versions are made by retraining (`manage.py retrain_ner`); a row
    added by hand would send every extraction to a model that is not there."""

    list_display = ["version", "training_sentences", "corrections", "created_at"]
    readonly_fields = [f.name for f in NerModel._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # mentions keep the version that made them


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "article_id", "claim_id"]
    list_filter = ["action", "object_type"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `manage.py create_api_token`; here they are listed and revoked."""

    list_display = ["name", "user", "key_prefix", "read_only", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "key_prefix", "key_hash", "read_only", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from newsdesk.api.auth import revoke_token

        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token)

    def has_add_permission(self, request):
        return False
