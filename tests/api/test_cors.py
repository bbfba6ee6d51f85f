"""A newsroom dashboard on another site calls the API from the browser with a
token: the origins in CORS_ALLOWED_ORIGINS may, others may not, and pages
other than the API are never shared."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

DASHBOARD = "https://dashboard.newsroom.example"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dashboard_allowed():
    with override_settings(CORS_ALLOWED_ORIGINS=[DASHBOARD]):
        yield


def preflight(origin, method="PATCH", headers="authorization, content-type, if-match"):
    return APIClient().options(
        "/api/v1/mentions/1/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_an_allowed_site_may_send_a_conditional_update_with_a_token():
    response = preflight(DASHBOARD)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == DASHBOARD
    allowed = {header.strip() for header in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-match", "idempotency-key"} <= allowed
    assert "PATCH" in response["Access-Control-Allow-Methods"]
    # Tokens, not cookies: a page on another site never rides on a journalist's session.
    assert "Access-Control-Allow-Credentials" not in response


def test_an_allowed_site_reads_the_answer_and_its_version(read_only_token, article):
    response = APIClient().get(
        f"/api/v1/articles/{article.pk}/", HTTP_ORIGIN=DASHBOARD, HTTP_AUTHORIZATION=f"Bearer {read_only_token}"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == DASHBOARD
    assert "etag" in response["Access-Control-Expose-Headers"].lower()


def test_an_error_answer_is_readable_too(api):
    # A missing token's 401 must reach the dashboard's script, or it cannot tell the user why.
    response = api.get("/api/v1/articles/", HTTP_ORIGIN=DASHBOARD)
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == DASHBOARD


def test_another_site_gets_no_cors_headers(read_only_token):
    assert "Access-Control-Allow-Origin" not in preflight("https://elsewhere.example")
    response = APIClient().get(
        "/api/v1/articles/", HTTP_ORIGIN="https://elsewhere.example", HTTP_AUTHORIZATION=f"Bearer {read_only_token}"
    )
    assert "Access-Control-Allow-Origin" not in response


def test_pages_and_the_admin_are_never_shared(client):
    for path in ("/login/", "/admin/login/"):
        response = client.get(path, HTTP_ORIGIN=DASHBOARD)
        assert response.status_code == 200, path
        assert "Access-Control-Allow-Origin" not in response, path


def test_with_no_origins_configured_nothing_is_shared(read_only_token):
    with override_settings(CORS_ALLOWED_ORIGINS=[]):
        response = APIClient().get("/api/v1/articles/", HTTP_ORIGIN=DASHBOARD, HTTP_AUTHORIZATION=f"Bearer {read_only_token}")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
