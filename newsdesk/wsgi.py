"""WSGI entry point, served by gunicorn in production.

gunicorn runs no system checks, so the security ones run here: a server
started with DEBUG off and no real SECRET_KEY (newsdesk.E001) refuses to
serve instead of signing sessions with a public key.
"""

import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")

application = get_wsgi_application()

_refusals = [error for error in checks.run_checks(tags=[checks.Tags.security]) if error.is_serious()]
if _refusals:
    raise ImproperlyConfigured("; ".join(f"{error.msg} {error.hint} ({error.id})" for error in _refusals))
