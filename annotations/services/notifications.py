"""In-app notifications: my work was reviewed; a campaign assigned me work."""

from __future__ import annotations

from django.utils import timezone

from annotations.models import Notification


def notify(user, kind: str, message: str, url: str = "") -> Notification:
    return Notification.objects.create(user=user, kind=kind, message=message, url=url)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
