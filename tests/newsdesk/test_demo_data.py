import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from annotations.models import Claim
from newsdesk.models import Article, Comment
from newsdesk.services.demo import DEMO_CLAIMS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_loads_articles_comments_and_a_user_per_role(capsys):
    call_command("load_demo", force=True)
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
    call_command("load_demo", force=True)
    call_command("load_demo", force=True)
    assert "imported 0, updated 0, revised 0, unchanged duplicates 7" in capsys.readouterr().out
    assert Article.objects.count() == 7
    assert Claim.objects.count() == len(DEMO_CLAIMS)


def test_the_demo_claims_are_found_with_the_words_of_the_articles(capsys, client):
    call_command("load_demo", force=True)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="layla"))
    found = client.get("/claims/", {"q": "سيكتمل سدّ"}).content.decode()  # another word order, a shadda
    assert DEMO_CLAIMS[0][0] in found
    # Two of them say the same thing: an editor can try a merge.
    assert Claim.objects.filter(text__contains="2027").count() == 2


def test_with_debug_off_the_demo_is_not_loaded_unless_forced(db, settings):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off.*--force"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username="admin").exists()
