"""Exceptions that services raise and the API maps to one error shape.

    {"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}

A conflict (stale write) also carries the current state under "current".
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(ServiceError):
    """The request names something impossible: bad offsets, a quote that does
    not match, a target that does not exist."""


class NotAllowed(ServiceError):
    status = 403
    code = "permission_denied"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """A write based on a stale version; `current` is what is stored now and
    `changed_by` who stored it (when known)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, current: dict | None, changed_by: str | None = None):
        super().__init__(message)
        self.current = current
        self.changed_by = changed_by


class PreconditionFailed(Conflict):
    """A stale If-Match header."""

    status = 412
    code = "precondition_failed"
