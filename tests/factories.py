"""Factories that build real-looking Arabic news through the ingestion service,
so factory-made articles obey the same rules as imported ones (canonical text,
blocks, hashes). Default text carries a no-break space and an astral emoji."""

from __future__ import annotations

import itertools

from django.utils import timezone
from django.utils.text import slugify

from newsdesk.models import Article
from newsdesk.readers import PageRecord
from newsdesk.segmentation import PARAGRAPH, TITLE, Block, ParsedComment
from newsdesk.services.ingestion import ImportReport, ingest_records

_numbers = itertools.count(1)

DEFAULT_PARAGRAPHS = (
    "أعلن وزير المياه سامر الحداد أن سد وادي السنديان سيكتمل نهاية 2027.",
    "وقال إن نسبة الإنجاز تجاوزت 60\u00a0في المئة، وإن التمويل \"subject to review\" بحسب البنك الدولي 💡.",
)
DEFAULT_COMMENTS = (
    ("أبو خالد", "سمعنا هذا الكلام من قبل 😡 السد نفسه وعدونا به سنة 2019!"),
    ("Rami K.", "Same story every summer. الله يعين الناس 🙏"),
)


def make_article(
    *,
    title: str | None = None,
    paragraphs: tuple[str, ...] | list[str] = DEFAULT_PARAGRAPHS,
    comments: tuple | list = DEFAULT_COMMENTS,
    source: str = "الواحة اليوم",
    url: str | None = None,
    language: str = "ar",
    published_at=None,
    outcome: str = "imported",
) -> Article:
    """Store one article (with its comments) the way an import would. A known
    URL with new text makes a new revision: pass `outcome="revised"`."""
    number = next(_numbers)
    title = title or f"وزير المياه: سد وادي السنديان سيكتمل نهاية 2027 ({number})"
    record = PageRecord(
        origin=f"factory-{number}",
        source_name=source,
        source_slug=slugify(source, allow_unicode=True),
        source_domain="",
        language=language,
        blocks=[Block(TITLE, title, language)] + [Block(PARAGRAPH, p, language) for p in paragraphs],
        comments=[ParsedComment(text=text, author=author, posted_at_text="منذ ساعة") for author, text in comments],
        url=url if url is not None else f"https://news.example/{number}",
        published_at=published_at or timezone.now(),
        raw_format="manual",
    )
    report = ingest_records([record], report=ImportReport())
    assert getattr(report, outcome) == 1, report.failures or report.summary()
    return Article.objects.select_related("current_revision", "source").get(
        source__slug=record.source_slug, page_hash=record.page_hash
    )


def submit_stances(campaign, claim, labels: list[tuple]) -> list:
    """Each (annotator, label): take the next task of `campaign`, set the
    article's stance toward `claim`, submit. Returns the tasks."""
    from annotations.services import queue
    from annotations.services.stances import set_stance_for

    tasks = []
    for person, label in labels:
        task = queue.next_task(annotator=person, campaign_id=campaign.id)
        set_stance_for(annotator=person, article=task.article_id, claim_id=claim.id, label=label)
        tasks.append(queue.submit_task(annotator=person, task_id=task.id))
    return tasks


def mark_claim(annotator, article, claim, quote: str, label: str | None = "agree"):
    """Mark the first `quote` of the article's text as stating `claim` and,
    with `label`, take the article's stance toward it."""
    from annotations.services.mentions import create_mention_for
    from annotations.services.stances import set_stance_for

    start = article.current_revision.text.index(quote)
    mention = create_mention_for(annotator=annotator, article=article.id, start=start, end=start + len(quote), quote=quote, claim_id=claim.pk)
    if label:
        set_stance_for(annotator=annotator, article=article.id, claim_id=claim.pk, label=label)
    return mention
