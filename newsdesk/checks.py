"""System checks for settings that are dangerous together.

`manage.py check` (and therefore every server start) fails on these, each with
an id and a hint.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=False)
def check_secret_key(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "DEBUG is off but SECRET_KEY is the development key.",
                hint="Set SECRET_KEY to a long random value in the environment.",
                id="newsdesk.E001",
            )
        ]
    return []


@register(Tags.database)
def check_production_database(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if not settings.DEBUG and engine.endswith("sqlite3"):
        return [
            Warning(
                "DEBUG is off but the database is SQLite.",
                hint="SQLite is the quick-start default; set DATABASE_URL to PostgreSQL in production.",
                id="newsdesk.W001",
            )
        ]
    return []


@register(Tags.compatibility)
def check_broker(app_configs, **kwargs):
    if not settings.DEBUG and not settings.REDIS_URL:
        return [
            Warning(
                "DEBUG is off but REDIS_URL is unset, so background tasks run inside web requests.",
                hint="Set REDIS_URL and run a Celery worker in production.",
                id="newsdesk.W002",
            )
        ]
    return []


@register(Tags.compatibility)
def check_positive_sizes(app_configs, **kwargs):
    """Sizes read from the environment that only make sense above zero."""
    names = ["NEWSDESK_IMPORT_BATCH_SIZE", "NEWSDESK_MAX_PAGE_BYTES"]
    return [
        Error(f"{name} is {getattr(settings, name)}; it must be at least 1.", hint=f"Unset {name} or give a positive number.", id="newsdesk.E002")
        for name in names
        if getattr(settings, name) < 1
    ]
