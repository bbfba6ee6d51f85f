"""In-app notifications: my work was reviewed; a campaign assigned me work."""

from __future__ import annotations

from django.utils import timezone

from annotations.models import Notification, render_notification


def notify(user, kind: str, template: str, params: dict, url: str = "") -> Notification:
    """`template` is an English message marked with gettext_noop, with {names}
    filled from `params` (and params["comment"], if any, added after it): each
    reader sees it in their own language."""
    return Notification.objects.create(
        user=user, kind=kind, message=render_notification(template, params), template=template, params=params, url=url
    )


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
