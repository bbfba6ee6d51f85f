"""Shared fixtures: personas, the seed pages, and quick test settings."""

from pathlib import Path

import pytest

from newsdesk.roles import ANNOTATOR, EDITOR

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


def pytest_configure(config):
    from django.conf import settings

    # A cheap hasher keeps user creation fast; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process unless a test starts a real worker (marker `worker`).
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (a request's language would
    otherwise stay active in the thread and leak into the next test)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Tests reuse ids; nothing cached by one may be seen by the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the seed pages are not here: {SEEDS_DIR} does not exist")
    return SEEDS_DIR


def _user(django_user_model, username, *, role=None, **extra):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def journalist(django_user_model):
    return _user(django_user_model, "layla", role=ANNOTATOR, first_name="ليلى")


@pytest.fixture
def second_journalist(django_user_model):
    return _user(django_user_model, "omar", role=ANNOTATOR, first_name="عمر")


@pytest.fixture
def editor(django_user_model):
    return _user(django_user_model, "nadia", role=EDITOR, first_name="نادية", is_staff=True)


@pytest.fixture
def outsider(django_user_model):
    return _user(django_user_model, "stranger")


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root", email="root@example.com")
