"""Optimistic concurrency: every annotation carries a version, and a write
based on an older one is refused with the current state."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext

from annotations.errors import Conflict, InvalidInput, PreconditionFailed
from annotations.services.audit import last_changed_by


def check_version(
    obj, version, *, describe: Callable[[object], dict], from_header: bool = False, audit_type: str | None = None
) -> None:
    """Raise Conflict (409) — or PreconditionFailed (412) for an If-Match
    header — unless `version` is the stored one. Call with the row locked.
    With `audit_type`, the conflict also says who made the stored version
    (an annotation is one person's, but an editor may have changed it)."""
    if version is None:
        raise InvalidInput(
            gettext("Send the version you edited (field 'version', or an If-Match header)."),
            fields={"version": [gettext("This field is required.")]},
        )
    if int(version) != obj.version:
        error = PreconditionFailed if from_header else Conflict
        raise error(
            gettext(
                "Someone changed this since you loaded it (you edited version %(version)s, the stored one is %(stored)s). Nothing was saved."
            ) % {"version": version, "stored": obj.version},
            current=describe(obj),
            changed_by=last_changed_by(audit_type, obj) if audit_type else None,
        )
