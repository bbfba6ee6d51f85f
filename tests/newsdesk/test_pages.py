"""The reading pages and the admin show Arabic text right to left, escaped."""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_article_list_and_reader_show_arabic_right_to_left(client, journalist):
    article = make_article(title="عنوان <script>alert(1)</script> تجريبي")
    client.force_login(journalist)
    listing = client.get("/")
    assert listing.status_code == 200
    assert 'lang="ar" dir="rtl"' in listing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text and "<script>alert" not in listing.text
    reader = client.get(f"/articles/{article.id}/")
    assert reader.status_code == 200
    assert '<article class="reader" lang="ar" dir="rtl">' in reader.text
    assert "60\u00a0في المئة" in reader.text
    assert "<bdi>Rami K.</bdi>" in reader.text


def test_unknown_article_is_404(client, journalist):
    client.force_login(journalist)
    assert client.get("/articles/999999/").status_code == 404


def test_admin_lists_and_opens_arabic_articles(client, admin_user):
    article = make_article()
    client.force_login(admin_user)
    changelist = client.get("/admin/newsdesk/article/")
    assert changelist.status_code == 200 and article.title in changelist.text
    change = client.get(f"/admin/newsdesk/article/{article.id}/change/")
    assert change.status_code == 200
    assert "admin-rtl.css" in change.text
    assert 'dir="auto"' in change.text
    assert client.get(f"/admin/newsdesk/comment/{article.comments.first().id}/change/").status_code == 200
