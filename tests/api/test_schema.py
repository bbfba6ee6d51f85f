"""The OpenAPI schema is valid and the API keeps to it (schemathesis)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from newsdesk.api.auth import issue_token
from newsdesk.wsgi import application
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# What the API promises: no 500s, and every answer as documented. (Requests the
# schema allows but the service refuses, such as a quote that does not match,
# are expected 400s, so "schema-valid data must be accepted" is not checked.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def test_schema_is_public_and_documents_offsets(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "Unicode code points, half-open" in schema["info"]["description"]
    start = schema["components"]["schemas"]["ClaimMention"]["properties"]["start"]
    assert "Unicode code points, half-open" in start["description"]
    assert "bearerToken" in schema["components"]["securitySchemes"]


def test_interactive_docs_are_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "cdn." not in response.text and "swagger-ui" in response.text


@pytest.fixture
def editor_key(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("schema-editor")
    user.groups.add(Group.objects.get_or_create(name="editor")[0])
    return issue_token(user=user, name="schemathesis", read_only=False)[1]


def test_api_answers_within_its_schema_and_never_500(editor_key):
    """Generated requests to every operation: no 500, responses match the schema."""
    make_article()
    # Called as a WSGI app (not through Django's test client), Django would close
    # the database connection after each request and lose the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        failures = _exercise_every_operation(editor_key)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, "\n\n".join(failures)


def _exercise_every_operation(editor_key) -> list[str]:
    api_schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = {"Authorization": f"Bearer {editor_key}"}
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    return failures
