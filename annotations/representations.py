"""The JSON shape of every object, built once and used everywhere: API
responses, exports, and the before/after snapshots of the audit trail.

Plain functions over model instances (no serializer machinery). The
OpenAPI schema documents these shapes with the serializers in
annotations/api/schema.py; the suite checks responses against it.

`article_document` has a twin: on PostgreSQL the JSON Lines export has the
database write the same document (annotations/sql_documents.py). A field
added here must be added there too; tests/api/test_sql_documents.py fails
until it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from annotations.models import Claim, ClaimMention, Entity, EntityMention, Stance, StanceRationale
from newsdesk.models import Article, ArticleRevision, Comment
from newsdesk.text import code_point_to_utf16

CODE_POINTS, UTF16 = "code_points", "utf16"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def iso_time(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _entity_name(mention) -> str | None:
    if hasattr(mention, "entity_name"):
        return mention.entity_name
    return mention.entity.canonical_name if mention.entity_id else None


def _annotator(annotation) -> str | None:
    """The annotator's username: read with the row (`annotator_name`, see
    selectors.with_annotator_name) or from the related user."""
    if hasattr(annotation, "annotator_name"):
        return annotation.annotator_name
    return _user(annotation.annotator) if annotation.annotator_id else None


def offset_converter(text: str, unit: str) -> Callable[[int], int]:
    """Maps code-point offsets in `text` to `unit` (code points or UTF-16)."""
    if unit != UTF16 or not _ASTRAL.search(text):
        return lambda offset: offset
    return lambda offset: code_point_to_utf16(text, offset)


def _span(span, convert: Callable[[int], int]) -> dict:
    return {
        "target_type": span.target_type,
        "article": span.article_id,
        "revision": span.revision_id,
        "comment": span.comment_id,
        "start": convert(span.start),
        "end": convert(span.end),
        "quote": span.quote,
    }


def _times(annotation, *names: str) -> dict:
    return {name: iso_time(getattr(annotation, name)) for name in names}


def mention_dict(mention: ClaimMention, convert: Callable[[int], int] = int, *, timestamps: bool = True) -> dict:
    """`timestamps=False` leaves out created_at and updated_at (the reader
    does not show them, and a long article has a thousand mentions)."""
    return {
        "id": mention.id,
        "claim": mention.claim_id,
        **_span(mention, convert),
        "annotator": _annotator(mention),
        "layer": mention.layer,
        "version": mention.version,
        **(_times(mention, "created_at", "updated_at") if timestamps else {}),
    }


def rationale_dict(rationale: StanceRationale, convert: Callable[[int], int] = int) -> dict:
    return {"id": rationale.id, **_span(rationale, convert)}


def stance_dict(
    stance: Stance,
    rationales: Iterable[StanceRationale] | None = None,
    converters: Callable | None = None,
    *,
    timestamps: bool = True,
) -> dict:
    """`converters(rationale)` gives the offset converter for a rationale's text."""
    rationales = stance.rationales.all() if rationales is None else rationales
    return {
        "id": stance.id,
        "claim": stance.claim_id,
        "target_type": stance.target_type,
        "article": stance.article_id,
        "comment": stance.comment_id,
        "label": stance.label,
        "note": stance.note,
        "note_dir": stance.note_dir,
        "rationales": [rationale_dict(r, converters(r) if converters else int) for r in rationales],
        "annotator": _annotator(stance),
        "layer": stance.layer,
        "version": stance.version,
        **(_times(stance, "created_at", "updated_at") if timestamps else {}),
    }


def claim_dict(claim: Claim) -> dict:
    return {
        "id": claim.id,
        "text": claim.text,
        "language": claim.language,
        "claimant": claim.claimant,
        "verdict": claim.verdict,
        "created_by": _user(claim.created_by),
        "merged_into": claim.merged_into_id,
        "version": claim.version,
        "created_at": iso_time(claim.created_at),
        "updated_at": iso_time(claim.updated_at),
    }


def entity_dict(entity: Entity) -> dict:
    return {
        "id": entity.id,
        "type": entity.type,
        "canonical_name": entity.canonical_name,
        "aliases": list(entity.aliases),
        "listed": entity.listed,
        "merged_into": entity.merged_into_id,
        "version": entity.version,
        "updated_at": iso_time(entity.updated_at),
    }


def entity_mention_dict(
    mention: EntityMention, convert: Callable[[int], int] = int, *, timestamps: bool = True
) -> dict:
    return {
        "id": mention.id,
        "entity": mention.entity_id,
        "entity_name": _entity_name(mention),
        "type": mention.type,
        **_span(mention, convert),
        "origin": mention.origin,
        "status": mention.status,
        "extractor_version": mention.extractor_version,
        "annotator": _annotator(mention),
        "version": mention.version,
        **(_times(mention, "updated_at") if timestamps else {}),
    }


def source_dict(source) -> dict:
    return {"id": source.id, "name": source.name, "slug": source.slug, "domain": source.domain, "language": source.language}


def article_summary(article: Article, time: Callable = iso_time) -> dict:
    """An article in lists: no text. `time` writes its times (the article list
    leaves them to the JSON renderer, which writes them as iso_time does)."""
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": source_dict(article.source),
        "language": article.language,
        "direction": article.direction,
        "published_at": time(article.published_at),
        "published_at_text": article.published_at_text,
        "revision": article.current_revision_id,
        "extraction_state": getattr(article, "extraction_state", None),
        "created_at": time(article.created_at),
        "updated_at": time(article.updated_at),
    }


def extraction_dict(run) -> dict | None:
    if run is None:
        return None
    return {
        "state": run.state,
        "error": run.error,
        "extractor_version": run.extractor_version,
        "mentions": run.mentions,
        "created_at": iso_time(run.created_at),
        "finished_at": iso_time(run.finished_at),
    }


def comment_dict(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "article": comment.article_id,
        "position": comment.position,
        "author": comment.author,
        "title": comment.title,
        "text": comment.text,
        "language": comment.language,
        "direction": comment.direction,
        "posted_at": iso_time(comment.posted_at),
        "posted_at_text": comment.posted_at_text,
        "text_notes": comment.text_notes,
        "updated_at": iso_time(comment.updated_at),
    }


EXPANSIONS = ("comments", "mentions", "stances", "entities")


def article_document(
    article: Article,
    *,
    comments: list[Comment],
    mentions: list[ClaimMention] | None = None,
    stances: list[Stance] | None = None,
    entities: list[EntityMention] | None = None,
    extraction=None,
    offsets: str = CODE_POINTS,
    timestamps: bool = True,
) -> dict:
    """An article with its current text and whichever of comments, mentions,
    stances (with rationales) and entity mentions are given. Spans on older
    revisions keep their own revision id. `offsets` picks the unit of every
    start/end: Unicode code points (the default) or UTF-16 code units.
    `timestamps=False` leaves the annotations' timestamps out."""
    revision = article.current_revision
    texts = {("article", revision.id): revision.text}
    texts.update({("comment", c.id): c.text for c in comments})
    cache: dict[tuple, Callable[[int], int]] = {}

    def converter(span) -> Callable[[int], int]:
        key = ("comment", span.comment_id) if span.comment_id else ("article", span.revision_id)
        if key not in cache:
            text = texts.get(key)
            if text is None:  # a span on an older revision (read by id: spans may be plain rows)
                text = ArticleRevision.objects.values_list("text", flat=True).get(id=span.revision_id)
            cache[key] = offset_converter(text, offsets)
        return cache[key]

    document = {
        **article_summary(article),
        "extraction": extraction_dict(extraction),
        "offsets": offsets,
        "revision": {
            "id": revision.id,
            "number": revision.number,
            "text": revision.text,
            "blocks": revision.blocks,
            "text_notes": revision.text_notes,
        },
        "comments": [comment_dict(c) for c in comments],
    }
    if mentions is not None:
        document["mentions"] = [mention_dict(m, converter(m), timestamps=timestamps) for m in mentions]
    if stances is not None:
        # Stances come as rows (selectors.StanceRow) with their rationales as a list.
        document["stances"] = [stance_dict(s, s.rationales, converter, timestamps=timestamps) for s in stances]
    if entities is not None:
        document["entities"] = [entity_mention_dict(m, converter(m), timestamps=timestamps) for m in entities]
    return document


# --- Editorial workflow -------------------------------------------------------------


def campaign_dict(campaign, progress: dict | None = None) -> dict:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "guidelines": campaign.guidelines,
        "labels": list(campaign.labels),
        "overlap": campaign.overlap,
        "blind": campaign.blind,
        "due_date": campaign.due_date.isoformat() if campaign.due_date else None,
        "state": campaign.state,
        "selection": campaign.selection,
        "abandon_after_minutes": campaign.abandon_after_minutes,
        "created_by": _user(campaign.created_by),
        "created_at": iso_time(campaign.created_at),
        "updated_at": iso_time(campaign.updated_at),
        **({"progress": progress} if progress is not None else {}),
    }


def task_dict(task) -> dict:
    return {
        "id": task.id,
        "campaign": task.campaign_id,
        "article": task.article_id,
        "annotator": _user(task.annotator),
        "slot": task.slot,
        "state": task.state,
        "assigned_at": iso_time(task.assigned_at),
        "started_at": iso_time(task.started_at),
        "submitted_at": iso_time(task.submitted_at),
        "seconds_spent": task.seconds_spent,
        "skip_reason": task.skip_reason,
        "review_comment": task.review_comment,
        "reviewed_by": _user(task.reviewed_by) if task.reviewed_by_id else None,
        "reviewed_at": iso_time(task.reviewed_at),
        "version": task.version,
        "updated_at": iso_time(task.updated_at),
    }


def notification_dict(notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "message": notification.text,
        "url": notification.url,
        "created_at": iso_time(notification.created_at),
        "read_at": iso_time(notification.read_at),
    }
