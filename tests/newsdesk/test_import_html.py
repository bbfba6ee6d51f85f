"""`manage.py import_articles page.html`: which outlet a page belongs to, and
what of the page reaches the article (text, comments, dates, bylines)."""

from datetime import datetime, timezone

import pytest

from newsdesk.models import Article, Source
from tests.newsdesk.test_import_articles import run_import

pytestmark = pytest.mark.django_db

STORY = "".join(
    f"<p>الفقرة {n} من الخبر عن المفاوضات الجارية في جنيف بين الوفدين، وقال مسؤول إنها ستستمر أسبوعاً آخر.</p>"
    for n in range(4)
)


def html_page(*, title="مفاوضات جنيف تستأنف", url="", site="", head="", header="", story=STORY, after=""):
    """A small news page: `header` sits between the headline and the story, `after` below the article."""
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    site_name = f'<meta property="og:site_name" content="{site}">' if site else ""
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>
    {canonical}{site_name}{head}</head>
    <body><main><article><h1>{title}</h1>{header}{story}</article>{after}</main></body></html>"""


def write(tmp_path, name, html, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(html.encode(encoding))
    return path


def imported(tmp_path, html, *args, encoding="utf-8"):
    code, _, err = run_import(str(write(tmp_path, "page.html", html, encoding)), *args)
    assert code == 0, err
    return Article.objects.get()


def kinds(article):
    revision = article.current_revision
    return [(block["kind"], line) for block, line in zip(revision.blocks, revision.text.split("\n"))]


# --- Which outlet ----------------------------------------------------------


def test_two_hosts_with_the_same_site_name_are_two_outlets_and_neither_fails(tmp_path):
    first = write(tmp_path, "first.html", html_page(url="https://news.example.net/1", site="موقع الخبر"))
    second = write(tmp_path, "second.html", html_page(title="خبر آخر تماماً", url="https://other.example.org/7", site="موقع الخبر"))
    assert run_import(str(first))[0] == 0
    code, _, err = run_import(str(second))
    assert code == 0, err
    assert dict(Source.objects.values_list("domain", "name")) == {
        "news.example.net": "موقع الخبر",
        "other.example.org": "موقع الخبر (other.example.org)",
    }
    assert Article.objects.get(url="https://other.example.org/7").source.domain == "other.example.org"


def test_source_names_an_outlet_stored_from_an_html_page(tmp_path):
    first = write(tmp_path, "first.html", html_page(url="https://news.example.net/1", site="موقع الخبر"))
    copy = write(tmp_path, "copy.html", html_page(title="خبر منقول", url="https://mirror.example.com/1", site="موقع الخبر"))
    assert run_import(str(first))[0] == 0
    code, _, err = run_import(str(copy), "--source", "موقع الخبر")
    assert code == 0, err
    assert Source.objects.count() == 1
    assert Article.objects.get(url="https://mirror.example.com/1").source.name == "موقع الخبر"
    code, out, _ = run_import(str(copy), "--source", "موقع الخبر")
    assert "unchanged duplicates 1" in out


def test_blogs_on_one_platform_are_outlets_of_their_own(tmp_path):
    alice = write(tmp_path, "alice.html", html_page(title="تدوينة من أليس", url="https://alice.blogspot.com/2016/09/post.html"))
    bob = write(tmp_path, "bob.html", html_page(title="تدوينة من بوب", url="https://bob.blogspot.com/2016/09/post.html"))
    code, _, err = run_import(str(alice), str(bob))
    assert code == 0, err
    by_title = {a.title: (a.source.name, a.source.domain) for a in Article.objects.select_related("source")}
    assert by_title == {
        "تدوينة من أليس": ("alice.blogspot.com", "alice.blogspot.com"),
        "تدوينة من بوب": ("bob.blogspot.com", "bob.blogspot.com"),
    }


def test_www_is_not_part_of_an_outlets_host(tmp_path):
    one = write(tmp_path, "one.html", html_page(url="https://www.example.com/1", site="المثال"))
    two = write(tmp_path, "two.html", html_page(title="خبر ثان", url="https://example.com/2", site="المثال"))
    assert run_import(str(one), str(two))[0] == 0
    assert list(Source.objects.values_list("name", "domain")) == [("المثال", "example.com")]


def test_a_page_is_filed_under_its_own_site_not_an_outlet_its_text_mentions(tmp_path):
    story = STORY + "<p>وبحسب ما نقل موقع إيلاف فإن المفاوضات ستستأنف الأسبوع المقبل في جنيف بحضور ممثلين عن الطرفين.</p>"
    article = imported(tmp_path, html_page(url="https://independent-news.example/a/7", site="المستقل", story=story))
    assert (article.source.name, article.source.domain) == ("المستقل", "independent-news.example")


def test_a_page_on_an_outlets_host_takes_that_outlets_profile(tmp_path):
    article = imported(tmp_path, html_page(url="https://www.elaph.com/Web/News/2016/9/1.html", site="Elaph"))
    assert (article.source.name, article.source.slug) == ("إيلاف", "elaph")


# --- What reaches the article ----------------------------------------------


SCHEMA_COMMENTS = """
<div itemscope itemtype="https://schema.org/Comment"><span itemprop="author">خالد</span>
  <time datetime="2016-09-11">11/09/2016</time><div itemprop="text"><p>تعليق أول من خالد.</p></div></div>
<div itemscope itemtype="https://schema.org/Comment"><span itemprop="author">رنا</span><p>تعليق من رنا.</p></div>
<div itemscope itemtype="https://schema.org/Comment"><span itemprop="author">سامي</span> <span>رأي بلا فقرة</span></div>
<div itemscope itemtype="https://schema.org/Comment"><span itemprop="author">فارغ</span></div>"""


def test_comments_read_from_their_markup_are_not_in_the_article_text_and_an_empty_one_is_skipped(tmp_path):
    article = imported(tmp_path, html_page(after=SCHEMA_COMMENTS))
    text = article.current_revision.text
    assert not any(word in text for word in ("خالد", "تعليق", "رنا", "سامي", "فارغ"))
    shown = list(article.comments.order_by("position").values_list("author", "text"))
    assert shown == [("خالد", "تعليق أول من خالد."), ("رنا", "تعليق من رنا."), ("سامي", "رأي بلا فقرة")]


def test_publication_time_keeps_its_hour_and_zone(tmp_path):
    head = '<meta property="article:published_time" content="2016-09-10T14:46+03:00">'
    article = imported(tmp_path, html_page(head=head))
    assert article.published_at == datetime(2016, 9, 10, 11, 46, tzinfo=timezone.utc)
    assert article.published_at_text == "2016-09-10T14:46+03:00"


def test_a_time_element_above_the_story_gives_the_publication_time(tmp_path):
    header = '<time datetime="2016-09-10T14:46:00+03:00">10 أيلول 2016 - 14:46</time>'
    article = imported(tmp_path, html_page(header=header))
    assert article.published_at == datetime(2016, 9, 10, 11, 46, tzinfo=timezone.utc)
    assert article.published_at_text == "10 أيلول 2016 - 14:46"


WORDPRESS_COMMENT = """<ol class="commentlist"><li class="comment"><div class="comment-author"><b class="fn">أحمد</b>
  <span class="says">قال:</span></div><div class="comment-metadata"><time datetime="2024-05-01T09:30:00Z">1 مايو 2024</time></div>
  <div class="comment-content"><p>تعليق أول</p></div></li></ol>"""


@pytest.mark.parametrize(
    "url, after",
    [
        ("", "<footer><p>© 2016 جميع الحقوق محفوظة لموقع المثال</p></footer>"),  # a copyright year
        ("https://blog.example.com/2016/09/post.html", ""),  # a year and month in the URL
        ("", WORDPRESS_COMMENT),  # a reader comment's time
    ],
)
def test_a_page_without_a_date_of_its_own_has_no_publication_date(tmp_path, url, after):
    article = imported(tmp_path, html_page(url=url, after=after))
    assert (article.published_at, article.published_at_text) == (None, "")


def test_a_full_date_in_the_url_is_the_publication_date(tmp_path):
    article = imported(tmp_path, html_page(url="https://news.example.com/2016/09/10/truce.html"))
    assert article.published_at == datetime(2016, 9, 10, tzinfo=timezone.utc)


def test_no_break_spaces_are_kept_and_counted(tmp_path):
    story = STORY + "<p>وقال مسؤول أمريكي&nbsp;إن&nbsp;الاتفاق هش لكنه ضروري لإنقاذ المدنيين في حلب منذ أسابيع طويلة.</p>"
    caption = "<figure><img src='a.jpg' alt=''><figcaption>الوفدان&#160;في جنيف (رويترز)</figcaption></figure>"
    comment = '<ol class="commentlist"><li class="comment"><cite class="fn">قارئ</cite><p>رأي&nbsp;آخر</p></li></ol>'
    article = imported(tmp_path, html_page(story=story + caption, after=comment))
    revision = article.current_revision
    assert "أمريكي\u00a0إن\u00a0الاتفاق" in revision.text
    assert revision.captions == ["الوفدان\u00a0في جنيف (رويترز)"]
    assert revision.text_notes == {"nbsp": 3}
    assert article.comments.get().text == "رأي\u00a0آخر"


def test_a_page_that_prints_the_open_box_symbol_keeps_it(tmp_path):
    story = STORY + "<p>رمز المسافة ⍽ يظهر هنا&nbsp;في النص، وهو ليس مسافة بل رمز مطبوع في صفحة عن الطباعة.</p>"
    revision = imported(tmp_path, html_page(story=story)).current_revision
    assert "رمز المسافة ⍽ يظهر هنا\u00a0في النص" in revision.text


def test_a_byline_is_kept_as_the_byline(tmp_path):
    header = '<p class="byline">بقلم: سامر الحلبي</p>'
    article = imported(tmp_path, html_page(header=header))
    assert kinds(article)[:2] == [("title", "مفاوضات جنيف تستأنف"), ("byline", "بقلم: سامر الحلبي")]


def test_a_byline_below_a_subtitle_stays_below_it(tmp_path):
    header = '<h2>موسكو وواشنطن تتفقان على آلية مراقبة</h2><div class="byline">كتب: <a href="/a">سامر الحلبي</a></div>'
    article = imported(tmp_path, html_page(header=header))
    assert kinds(article)[1:3] == [("subtitle", "موسكو وواشنطن تتفقان على آلية مراقبة"), ("byline", "كتب: سامر الحلبي")]


def test_an_english_byline_is_a_byline(tmp_path):
    story = "".join(
        f"<p>Paragraph {n}: U.S. Secretary of State John Kerry and Russian Foreign Minister Sergei Lavrov agreed on a plan.</p>"
        for n in range(3)
    )
    html = html_page(title="Kerry and Lavrov agree on Syria truce", header="<p>By John Smith</p>", story=story)
    article = imported(tmp_path, html.replace('lang="ar" dir="rtl"', 'lang="en"'))
    assert kinds(article)[1] == ("byline", "By John Smith")


# --- Character sets --------------------------------------------------------


def test_a_page_in_the_charset_it_declares_is_read_in_it(tmp_path):
    html = html_page(title="خبر قديم بترميز ويندوز").replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
    article = imported(tmp_path, html, "--source", "موقع المثال", encoding="cp1256")
    assert article.title == "خبر قديم بترميز ويندوز"
    assert "الفقرة 0 من الخبر" in article.current_revision.text


def test_a_page_with_a_utf16_byte_order_mark_is_read_in_utf16(tmp_path):
    assert imported(tmp_path, html_page(), "--source", "موقع المثال", encoding="utf-16").title == "مفاوضات جنيف تستأنف"


def test_a_utf8_page_that_declares_another_charset_is_read_as_utf8(tmp_path):
    html = html_page().replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
    assert imported(tmp_path, html, "--source", "موقع المثال").title == "مفاوضات جنيف تستأنف"


@pytest.mark.parametrize(
    "charset, reason",
    [
        ("", "not UTF-8: invalid byte 0xe3 at byte offset 54"),
        ("x-unheard-of", "not UTF-8, and the character set the page declares is unknown: 'x-unheard-of'"),
    ],
)
def test_a_page_not_in_utf8_nor_in_a_charset_it_declares_is_refused(tmp_path, charset, reason):
    declaration = f'<meta charset="{charset}">' if charset else ""
    path = write(tmp_path, "page.html", html_page().replace('<meta charset="utf-8">', declaration), encoding="cp1256")
    code, _, err = run_import(str(path))
    assert code == 1 and f"FAILED {path}: {reason}" in err
