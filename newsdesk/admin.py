"""Admin pages for the news domain. Arabic text shows right to left (see
static/css/admin-rtl.css): text fields get dir="auto" so each value takes its
own direction."""

from django.contrib import admin
from django.db import models
from django.forms import Textarea, TextInput

from newsdesk.models import Article, ArticleRevision, Comment, Source

AUTO_DIRECTION = {
    models.URLField: {"assume_scheme": "https"},
    models.CharField: {"widget": TextInput(attrs={"dir": "auto"})},
    models.TextField: {"widget": Textarea(attrs={"dir": "auto", "rows": 6})},
}


class ArabicAwareAdmin(admin.ModelAdmin):
    formfield_overrides = AUTO_DIRECTION

    class Media:
        css = {"all": ["css/admin-rtl.css"]}


class ReadOnlyAdmin(ArabicAwareAdmin):
    """News and annotations are read here, not changed: articles come from
    imports, and claims, mentions, stances and entities change through the
    product (reader, claim and entity pages, API), whose services keep the
    versions, the audit trail, the search copies and the deletion feed that
    a form here would bypass."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(ArabicAwareAdmin):
    list_display = ["name", "slug", "domain", "language", "article_count"]
    search_fields = ["name", "slug", "domain"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="articles")
    def article_count(self, source):
        return source.articles.count()


class RevisionInline(admin.StackedInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["number", "text", "blocks", "text_notes", "raw_format", "raw_name", "removed", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    can_delete = False
    fields = ["position", "author", "title", "text", "posted_at_text", "posted_at"]
    readonly_fields = ["text"]
    formfield_overrides = AUTO_DIRECTION


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["title", "source", "published_at", "language", "created_at"]
    list_filter = ["source", "language"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    # The folded search copy is derived from the text: edited by hand, search would silently break.
    readonly_fields = ["title", "current_revision", "identity", "page_hash", "search_text", "created_at", "updated_at"]
    inlines = [RevisionInline, CommentInline]
    list_select_related = ["source"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["author", "short_text", "article", "posted_at_text"]
    search_fields = ["author", "text"]
    readonly_fields = ["text", "text_hash", "text_notes"]
    list_select_related = ["article"]

    @admin.display(description="text")
    def short_text(self, comment):
        return comment.text[:80]
