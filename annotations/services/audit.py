"""The audit trail: one event per create, update, delete or merge."""

from __future__ import annotations

from annotations.models import AuditEvent
from newsdesk.bulk import insert_one


def record_event(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: int,
    article_id: int | None = None,
    claim_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Write one audit event. Runs inside the caller's transaction, so the event
    exists exactly when the change does."""
    return insert_one(
        AuditEvent(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            article_id=article_id,
            claim_id=claim_id,
            before=before,
            after=after,
        )
    )


def last_changed_by(object_type: str, obj) -> str | None:
    """Username of whoever made the latest audited change to `obj` (None when
    the trail does not say)."""
    events = AuditEvent.objects.filter(object_type=object_type, object_id=obj.pk)
    # Narrowed through an indexed column: the trail is kept per claim and per article.
    if object_type == "claim":
        events = events.filter(claim_id=obj.pk)
    elif getattr(obj, "article_id", None):
        events = events.filter(article_id=obj.article_id)
    event = events.select_related("actor").order_by("-id").first()
    return event.actor.get_username() if event and event.actor else None
