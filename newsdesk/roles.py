"""The roles people have in Newsdesk, as Django groups.

Annotators mark claims, stances and entities; editors also build campaigns,
review work, merge claims and entities and set verdicts; API clients read.
Admins are superusers and may do everything. A user with none of these roles
can log in but sees nothing.
"""

ANNOTATOR = "annotator"
EDITOR = "editor"
API_CLIENT = "api_client"
ROLE_GROUPS = (ANNOTATOR, EDITOR, API_CLIENT)


def role_names(user) -> frozenset[str]:
    """The user's role groups, read once per user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_newsdesk_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
        user._newsdesk_roles = cached
    return cached


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_editor(user) -> bool:
    return is_admin(user) or EDITOR in role_names(user)


def can_annotate(user) -> bool:
    return is_editor(user) or ANNOTATOR in role_names(user)


def can_read(user) -> bool:
    return can_annotate(user) or API_CLIENT in role_names(user)
