import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from newsdesk.models import Article, Comment
from newsdesk.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_loads_articles_comments_and_a_user_per_role(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "imported 7," in out and "failed 0" in out
    for username in ("layla", "omar", "nadia", "admin"):
        assert f"  {username}" in out
        request = RequestFactory().post("/login/")
        assert authenticate(request=request, username=username, password=DEMO_PASSWORD) is not None
    assert Article.objects.filter(language="en").count() == 1
    assert Comment.objects.filter(text__contains="😡").exists()
    mixed = Article.objects.get(title__startswith="خبراء يشككون").current_revision
    assert any(block == {"kind": "caption", "lang": "en"} for block in mixed.blocks)
    assert "Dam Safety Review 2025" in mixed.body


def test_loading_the_demo_twice_changes_nothing(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert "imported 0, updated 0, revised 0, unchanged duplicates 7" in capsys.readouterr().out
    assert Article.objects.count() == 7
