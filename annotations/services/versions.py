"""Optimistic concurrency: every annotation carries a version, and a write
based on an older one is refused with the current state."""

from __future__ import annotations

from collections.abc import Callable

from annotations.errors import Conflict, InvalidInput, PreconditionFailed


def check_version(obj, version, *, describe: Callable[[object], dict], from_header: bool = False) -> None:
    """Raise Conflict (409) — or PreconditionFailed (412) for an If-Match
    header — unless `version` is the stored one. Call with the row locked."""
    if version is None:
        raise InvalidInput(
            "Send the version you edited (field 'version', or an If-Match header).",
            fields={"version": ["This field is required."]},
        )
    if int(version) != obj.version:
        error = PreconditionFailed if from_header else Conflict
        raise error(
            f"Someone changed this since you loaded it (you edited version {version}, "
            f"the stored one is {obj.version}). Nothing was saved.",
            current=describe(obj),
        )
