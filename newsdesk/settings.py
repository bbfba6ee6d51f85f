"""Newsdesk settings: one file, every value from the environment.

The defaults are the embedded quick start (SQLite file, tasks run in-process,
debug on). Production sets DEBUG=false and the rest by environment variable;
dangerous combinations fail `manage.py check` (see newsdesk/checks.py).
"""

from pathlib import Path

import orjson
from corsheaders.defaults import default_headers
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

# A development key, accepted only while DEBUG is on (check newsdesk.E001).
DEVELOPMENT_SECRET_KEY = "newsdesk-development-key-not-for-production"

DEBUG = env.bool("DEBUG", default=True)
# Unset or empty: the development key, which check newsdesk.E001 refuses when DEBUG is off.
SECRET_KEY = env.str("SECRET_KEY", default="") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Sites whose pages may call the API from the browser with a token
# (django-cors-headers). The API only: pages and the admin are never shared,
# and no cookies cross (the session stays with Newsdesk's own pages).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (*default_headers, "if-match", "idempotency-key")
# Read by clients: the version to send back in If-Match, and the answer's language.
CORS_EXPOSE_HEADERS = ["ETag", "Content-Language"]
CORS_PREFLIGHT_MAX_AGE = 3600

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "corsheaders",
    "newsdesk.apps.NewsdeskConfig",
    "annotations.apps.AnnotationsConfig",
]

MIDDLEWARE = [
    "newsdesk.middleware.ServerTimingMiddleware",
    "newsdesk.middleware.HealthCheckMiddleware",
    # Before any middleware that answers by itself, so its answers carry CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "newsdesk.middleware.ApiLanguageMiddleware",
    "newsdesk.middleware.ApiCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsdesk.middleware.AccessErrorMiddleware",
    # Last, as django-axes asks: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsdesk.urls"
WSGI_APPLICATION = "newsdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsdesk.context_processors.header",
            ],
        },
    },
]

# DATABASE_URL unset: a SQLite file next to manage.py (the quick start).
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'newsdesk.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Lets the quick start's runserver threads and an import run side by side.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Login throttling (django-axes): after 5 failures for one username from one
# address, that pair waits 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# No "AXES: BEGIN" banner on every manage.py command and worker start.
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ar")
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery. REDIS_URL unset: no broker, tasks run in-process when they are sent.
REDIS_URL = env.str("REDIS_URL", default="")
# (memory://localhost/: kombu warns about a missing host name on a bare memory://.)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A send that cannot reach the broker gives up quickly: the work is already
# recorded in the database and the sweep re-sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

CELERY_TASK_ROUTES = {
    "newsdesk.extract_entities": {"queue": "extraction"},
    "newsdesk.extract_where_named": {"queue": "extraction"},
    "newsdesk.retrain_ner": {"queue": "training"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_BEAT_SCHEDULE = {
    "sweep-extraction-runs": {"task": "newsdesk.sweep_extraction_runs", "schedule": 60.0},
}

# Entity extraction.
# A worker holds a run this long; after it, the sweep hands the run to another worker.
NEWSDESK_EXTRACTION_LEASE_SECONDS = env.int("NEWSDESK_EXTRACTION_LEASE_SECONDS", default=600)
# Pending runs older than this are sent again by the sweep (their message was lost).
NEWSDESK_EXTRACTION_SWEEP_AFTER = env.int("NEWSDESK_EXTRACTION_SWEEP_AFTER", default=300)
# A name people teach (annotations/ner/taught.py) is looked for again in at most
# this many of the newest articles whose text may hold it; 0 turns that off.
NEWSDESK_TAUGHT_NAME_ARTICLES = env.int("NEWSDESK_TAUGHT_NAME_ARTICLES", default=200)
# Texts longer than this (in characters) end as a failed run instead of tying up a worker.
NEWSDESK_EXTRACTION_MAX_CHARS = env.int("NEWSDESK_EXTRACTION_MAX_CHARS", default=2_000_000)
# Retrained model versions are written here (the shipped one lives in the code).
NEWSDESK_MODEL_DIR = env.path("NEWSDESK_MODEL_DIR", default=BASE_DIR / "var" / "models")
# ANERcorp (CAMeL Lab split), for retraining and evaluation; not shipped.
NEWSDESK_ANERCORP_DIR = env.path("NEWSDESK_ANERCORP_DIR", default=BASE_DIR.parent / "shared" / "data" / "arabic-ner")

# Ingestion limits.
NEWSDESK_MAX_PAGE_BYTES = env.int("NEWSDESK_MAX_PAGE_BYTES", default=2 * 1024 * 1024)
NEWSDESK_IMPORT_BATCH_SIZE = env.int("NEWSDESK_IMPORT_BATCH_SIZE", default=500)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first: its WWW-Authenticate header makes anonymous requests a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "newsdesk.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["newsdesk.api.auth.IsNewsdeskReader"],
    "DEFAULT_PAGINATION_CLASS": "newsdesk.api.framework.NewsdeskCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # orjson renders the same JSON as DRF's own renderer, many times faster on
    # large article documents; UTC times end in "Z" as DRF writes them.
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "newsdesk.api.framework.ReadOnlyBrowsableAPIRenderer",
    ],
    "DEFAULT_METADATA_CLASS": "newsdesk.api.framework.EndpointMetadata",
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_UTC_Z, orjson.OPT_NON_STR_KEYS),
    "EXCEPTION_HANDLER": "newsdesk.api.framework.exception_handler",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsdesk API",
    "DESCRIPTION": (
        "Arabic news articles, reader comments, claims, claim mentions, stances and entities.\n\n"
        "**Offsets** (`start`, `end`) are Unicode code points, half-open `[start, end)`, into the stored "
        "canonical text of an article revision or a reader comment; every span also carries its `quote`, "
        "which must equal the text at its offsets. JavaScript clients can send and receive UTF-16 offsets "
        "with `offsets=utf16`.\n\n"
        "**Auth**: a browser session, or `Authorization: Bearer <token>` (tokens may be read-only). "
        "**Lists** are cursor-paginated; every list takes `updated_since`, and `/api/v1/deletions/` lists "
        "what was deleted, so a client can mirror the data incrementally. **Writes** carry the `version` "
        "they edited (or `If-Match`); a stale write is refused with 409 (412 for If-Match) and the current state. "
        '**Errors** all have the shape `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe the API; they hold no data.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # Value lists, not the models' choices: their labels are translated.
        "StanceLabelEnum": ["agree", "disagree", "discuss", "unrelated"],
        "VerdictEnum": ["", "true", "false", "mixed", "misleading", "unverified"],
        "EntityTypeEnum": ["PER", "ORG", "LOC", "MISC"],
        "OffsetUnitEnum": ["code_points", "utf16"],
        "TargetTypeEnum": ["article", "comment"],
        "NoteDirectionEnum": ["", "ltr", "rtl", "auto"],
        "ExtractionStateEnum": ["pending", "running", "done", "failed"],
        "CampaignStateEnum": ["draft", "active", "closed"],
        "TaskStateEnum": ["assigned", "in_progress", "submitted", "accepted", "changes_requested", "rejected", "skipped", "released"],
        "ReviewDecisionEnum": ["accept", "request_changes", "reject"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "newsdesk.api.framework.document_error_responses",
    ],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# Content-Security-Policy: no inline scripts or styles anywhere in the app; all
# code is served from our own static files. The admin and the API docs (third-
# party pages with inline scripts) are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Production hardening: on whenever DEBUG is off, each switchable by env var
# (for example behind a proxy that already redirects to HTTPS).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

env.seal()
