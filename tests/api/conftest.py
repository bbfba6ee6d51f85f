import pytest
from rest_framework.test import APIClient

from newsdesk.api.auth import issue_token
from newsdesk.roles import API_CLIENT
from tests.conftest import _user
from tests.factories import make_article


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_journalist(journalist):
    client = APIClient()
    client.force_authenticate(journalist)
    return client


@pytest.fixture
def as_second_journalist(second_journalist):
    client = APIClient()
    client.force_authenticate(second_journalist)
    return client


@pytest.fixture
def as_editor(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def api_client_user(django_user_model):
    return _user(django_user_model, "datateam", role=API_CLIENT)


@pytest.fixture
def read_only_token(api_client_user):
    return issue_token(user=api_client_user, name="mirror", read_only=True)[1]


@pytest.fixture
def as_api_client(read_only_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_only_token}")
    return client


@pytest.fixture
def article(db):
    return make_article()


@pytest.fixture
def claim(as_journalist):
    response = as_journalist.post("/api/v1/claims/", {"text": "سد وادي السنديان سيكتمل نهاية 2027", "claimant": "سامر الحداد"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()
