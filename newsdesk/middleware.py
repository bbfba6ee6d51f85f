"""Project middleware: request timing, the liveness probe, and the pages'
answer to the services' access errors."""

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

HEALTH_PATH = "/healthz"


class ServerTimingMiddleware:
    """Every answer says how long Django took to make it (`Server-Timing:
    app;dur=<ms>`): browsers show it in their developer tools, and the reader
    benchmark sums it over a page and the requests the page makes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


class HealthCheckMiddleware:
    """A liveness probe answered before host validation and HTTPS redirects,
    so container health checks work whatever ALLOWED_HOSTS says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        try:
            connection.ensure_connection()
        except DatabaseError:
            return HttpResponse("database unavailable", status=503, content_type="text/plain")
        return HttpResponse("ok", content_type="text/plain")


class ApiLanguageMiddleware:
    """An API client that names no language (no Accept-Language header, no
    language cookie: curl, scripts) gets its messages in English, the
    language of the API's field names and codes. A browser's calls carry its
    language, so the Arabic interface keeps its Arabic. After LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/api/")
            and "HTTP_ACCEPT_LANGUAGE" not in request.META
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


class ApiCacheMiddleware:
    """API answers are one user's view of the data (blind campaigns, roles): a
    shared cache must not keep them, and a browser asks again before reusing
    one. An answer that says otherwise (the public schema) keeps its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/v1/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-cache"
            patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        return response


class AccessErrorMiddleware:
    """Pages that raise the services' NotFound or NotAllowed answer 404 or 403
    with the message (the API maps them in its own exception handler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from annotations.errors import NotAllowed, NotFound

        if isinstance(exception, (NotFound, NotAllowed)):
            status = 404 if isinstance(exception, NotFound) else 403
            return render(request, "error.html", {"message": exception.message, "status": status}, status=status)
        return None
