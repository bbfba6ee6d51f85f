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
