"""API authentication and the role check.

Browsers use their session; API clients send `Authorization: Bearer <key>`.
Tokens can be read-only. Kept apart from the rest of the API framework
because DRF imports these classes while it is itself being imported.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from annotations.models import ApiToken
from newsdesk.roles import can_read, role_names

TOKEN_PREFIX = "nd_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# A token, its user and the user's roles are looked up once and kept this long:
# API clients make many requests, and each lookup is two queries. Revoking a
# token (revoke_token) clears it at once; a role change in the admin applies
# within this time.
TOKEN_CACHE_SECONDS = 30


def _cache_key(key_hash: str) -> str:
    return f"newsdesk:token:{key_hash}"


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    cache.delete(_cache_key(token.key_hash))


def issue_token(*, user, name: str, read_only: bool = True) -> tuple[ApiToken, str]:
    """A new token and its key; the key is not stored and cannot be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_prefix=key[:8], key_hash=hash_key(key), read_only=read_only)
    return token, key


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(gettext("Malformed Authorization header: expected 'Bearer <token>'."))
        key_hash = hash_key(parts[1].decode("latin-1"))
        cached = cache.get(_cache_key(key_hash))
        if cached is None:
            token = ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True).first()
            if token is None or not token.user.is_active:
                raise exceptions.AuthenticationFailed(gettext("Unknown or revoked token."))
            cached = (token, role_names(token.user))
            cache.set(_cache_key(key_hash), cached, TOKEN_CACHE_SECONDS)
        token, roles = cached
        token.user._newsdesk_roles = roles
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            token.last_used_at = now
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            cache.set(_cache_key(key_hash), (token, roles), TOKEN_CACHE_SECONDS)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to requests without credentials.
        return 'Bearer realm="newsdesk"'


class IsNewsdeskReader(BasePermission):
    """Authenticated, with a role; writes need a read-write credential.
    Object-level rules live in annotations.access."""

    message = gettext_lazy("You have no role in Newsdesk; ask an admin for access.")

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if isinstance(request.auth, ApiToken) and request.auth.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(gettext("This token is read-only."))
        return can_read(request.user)




class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token scheme in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer <key>`. Read-only tokens can only GET.",
        }
