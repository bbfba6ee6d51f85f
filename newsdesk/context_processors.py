"""What every page's header shows: the unread notification count."""

from annotations.services.notifications import unread_count


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
