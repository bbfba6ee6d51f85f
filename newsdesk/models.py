"""The news domain: outlets, articles (with text revisions) and reader comments.

Canonical text is what every span points into, by Unicode code point. It is
written once: an article whose text changes gets a new `ArticleRevision`, and
spans on the old revision stay readable (DESIGN.md, invariant 2).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from newsdesk.text import direction_for


class Direction(models.TextChoices):
    RTL = "rtl", _("right to left")
    LTR = "ltr", _("left to right")


class RawFormat(models.TextChoices):
    TEXT = "text", _("scraped text page")
    HTML = "html", _("HTML page")
    JSONL = "jsonl", _("JSON Lines record")
    BALY = "baly", _("claim-centred stance JSON")
    MANUAL = "manual", _("entered by hand")


class Source(models.Model):
    """A news outlet."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    language = models.CharField(_("language"), max_length=16, default="ar")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name


class Article(models.Model):
    """One page from a source. Its text lives in revisions; `title` mirrors the
    current revision's first line for lists and search."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles", verbose_name=_("source"))
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    title = models.TextField(_("title"))
    language = models.CharField(_("language"), max_length=16, default="ar")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.RTL)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_at_text = models.CharField(_("publication date as shown"), max_length=200, blank=True)
    current_revision = models.ForeignKey(
        "ArticleRevision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current revision"),
    )
    # Which page this is, for re-imports: a hash of the URL, or of the title
    # when the page has no URL. Fixed at creation.
    identity = models.CharField(max_length=64)
    # Fingerprint of the last imported page (text and comments): importing the
    # same page again is recognised without touching anything.
    page_hash = models.CharField(max_length=64, db_index=True)
    # Title, text and comments folded for search (newsdesk.text.fold). On
    # PostgreSQL it also feeds the `arabic` full-text index.
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["source", "identity"], name="article_unique_page_per_source"),
        ]
        indexes = [
            # Incremental sync (`updated_since`) and newest-first lists.
            models.Index(fields=["updated_at", "id"], name="article_updated"),
            models.Index(fields=["published_at", "id"], name="article_published"),
        ]

    def __str__(self):
        return self.title


class ArticleRevision(models.Model):
    """The canonical text of an article at one point in time.

    `text` is one block per line (title first); `blocks[i]` says what line `i`
    is (title, subtitle, byline, dateline, paragraph, heading, caption,
    attribution) and its language. Never edited once written.
    """

    # Indexed by the (article, number) unique constraint; no separate index.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", db_index=False)
    number = models.PositiveIntegerField()
    text = models.TextField()
    blocks = models.JSONField(default=list)
    text_hash = models.CharField(max_length=64)
    text_notes = models.JSONField(default=dict, blank=True)
    raw_page = models.TextField(blank=True)
    raw_format = models.CharField(max_length=8, choices=RawFormat.choices)
    raw_name = models.CharField(max_length=500, blank=True)
    removed = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_from_one"),
        ]

    def __str__(self):
        return f"{self.article_id} r{self.number}"

    def lines_of(self, *kinds: str) -> list[str]:
        lines = self.text.split("\n")
        return [line for line, block in zip(lines, self.blocks) if block["kind"] in kinds]

    @property
    def body(self) -> str:
        """Paragraphs and crossheads, one per line: the article without its furniture."""
        return "\n".join(self.lines_of("paragraph", "heading"))

    @property
    def captions(self) -> list[str]:
        return self.lines_of("caption")


class Comment(models.Model):
    """A reader comment under an article. Its text is canonical and never edited."""

    # Indexed by comment_article_position; no separate index.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments", db_index=False)
    position = models.PositiveIntegerField(_("order"))
    author = models.CharField(_("author as shown"), max_length=300, blank=True)
    title = models.CharField(_("comment title"), max_length=500, blank=True)
    text = models.TextField(_("text"))
    text_hash = models.CharField(max_length=64)
    text_notes = models.JSONField(default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16, default="ar")
    posted_at_text = models.CharField(_("time as shown"), max_length=200, blank=True)
    posted_at = models.DateTimeField(_("posted (approximate)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "position", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The reader lists an article's comments in page order.
            models.Index(fields=["article", "position"], name="comment_article_position"),
            models.Index(fields=["updated_at", "id"], name="comment_updated"),
        ]

    def __str__(self):
        return f"{self.author or '—'}: {self.text[:60]}"

    @property
    def direction(self) -> str:
        return direction_for(self.language)

