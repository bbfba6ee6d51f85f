"""A liveness probe answered before host validation and HTTPS redirects,
so container health checks work whatever ALLOWED_HOSTS says."""

from django.db import DatabaseError, connection
from django.http import HttpResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
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
