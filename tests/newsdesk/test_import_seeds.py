"""What a newcomer expects from importing the five seed pages (issue: Foundation)."""

import pytest
from django.core.management import call_command

from newsdesk.models import Article, Comment, Source

pytestmark = [pytest.mark.django_db, pytest.mark.seeds]

FURNITURE = [
    "مقالات ذات صلة",
    "الأكثر قراءة",
    "أهم المواضيع",
    "للإشتراك",
    "إنستجرام",
    "التعليقات",
    "All Rights Reserved",
    "Contact",
    "©",
    "email",
    "تعبر عن رأي كتّابها",
]


@pytest.fixture
def imported(seeds_dir, capsys):
    call_command("import_articles", str(seeds_dir))
    return capsys.readouterr().out


def article_from(seed_prefix):
    return Article.objects.select_related("current_revision", "source").get(
        current_revision__raw_name__startswith=seed_prefix
    )


def test_five_articles_from_five_outlets(imported):
    assert "Imported 5, updated 0, revised 0, unchanged duplicates 0, failed 0" in imported
    assert Article.objects.count() == 5
    assert sorted(Source.objects.values_list("name", flat=True)) == sorted(
        ["بلدي نيوز", "الجزيرة نت", "أورينت نت", "إيلاف", "سيريانيوز"]
    )


def test_importing_again_changes_nothing(imported, seeds_dir, capsys):
    before = list(Article.objects.values_list("id", "updated_at", "page_hash"))
    call_command("import_articles", str(seeds_dir))
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 5, failed 0" in capsys.readouterr().out
    assert list(Article.objects.values_list("id", "updated_at", "page_hash")) == before
    assert Comment.objects.count() == 6


def test_titles_without_site_suffix_or_section_label(imported):
    assert article_from("000").title == 'كيري ولافروف يجتمعان لقصف "النصرة" والأخيرة تناقش فك ارتباطها بالقاعدة'
    assert article_from("003").title == "واشنطن ستتعاون مع الجيش الروسي في حال صمدت الهدنة أسبوعًا"
    elaph = article_from("003").current_revision
    assert elaph.lines_of("subtitle") == ["كيري ولافروف يطلقان خطة لوقف العنف في سوريا"]
    assert {"kind": "section_label", "text": "أخبار"} in elaph.removed


def test_orient_page_has_five_comments_with_names_and_times(imported):
    comments = list(article_from("002").comments.order_by("position"))
    assert [c.author for c in comments] == [
        "ياشباب النصرة أبتعدوا عن راية القاعدة رحمة بمحبيكم",
        "علي علاو",
        "غرباء...مسافر غريب ..عين الصقر",
        "ستتحول روسيا صديق للسورين في حال طرد المليشيات الأرهابية الشيعية",
        "وائل",
    ]
    assert {c.posted_at_text for c in comments} == {"منذ 7 سنوات 8 أشهر"}
    assert all(c.posted_at is not None for c in comments)
    assert comments[4].text.startswith("لايوجد اتفاق و الموضوع هدنه صغيره")
    assert "الامريكيه" in comments[4].text
    assert not any(c.text.strip() == "5" for c in comments)


def test_elaph_page_has_one_comment_with_title_and_author(imported):
    (comment,) = article_from("003").comments.all()
    assert comment.title == "الاداره الفاشله"
    assert comment.author == "سوري"
    assert comment.text.startswith("اذا لم تتخلى ادارة اوباما")


def test_syria_news_page_has_its_publication_date_and_time(imported):
    article = article_from("004")
    assert article.published_at_text == "01.09.2016 | 14:46"
    assert article.published_at.isoformat() == "2016-09-01T11:46:00+00:00"  # 14:46 in Damascus (UTC+3)


def test_captions_english_and_doubled_are_captions_once(imported):
    revision = article_from("001").current_revision
    captions = revision.captions
    assert captions[0].startswith("U.S. Secretary of State John Kerry (L)")
    assert revision.blocks[1] == {"kind": "caption", "lang": "en"}
    doubled = "مقاتلو جبهة النصرة سيكونون مستهدفين في إطار التنسيق العسكري الأميركي الروسي (أسوشيتد برس-أرشيف)"
    assert captions.count(doubled) == 1
    assert doubled not in revision.body
    assert revision.lines_of("attribution") == ["المصدر : الجزيرة + وكالات"]


def test_no_body_carries_page_furniture(imported):
    for article in Article.objects.select_related("current_revision"):
        body = article.current_revision.body
        for furniture in FURNITURE:
            assert furniture not in body, (article.title, furniture)
        assert not any(line.strip().isdigit() for line in body.split("\n"))


def test_removed_furniture_is_kept_for_provenance(imported):
    removed = article_from("000").current_revision.removed
    assert {"kind": "related", "text": "مقالات ذات صلة"} in removed
    assert {"kind": "related", "text": "توغل إسرائيلي جديد في الأراضي السورية"} in removed
    orient = article_from("002").current_revision
    assert {"kind": "site_sections", "text": "💡 أهم المواضيع"} in orient.removed
    assert orient.raw_page.startswith("واشنطن بوست:")


def test_canonical_text_keeps_no_break_spaces_and_tatweel(imported, seeds_dir):
    jazeera = article_from("001").current_revision
    raw = (seeds_dir / jazeera.raw_name).read_text(encoding="utf-8")
    assert jazeera.text.count("\u00a0") == raw.count("\u00a0") == 11
    assert jazeera.text_notes["nbsp"] == 11
    assert 'بـ"خطوات' in article_from("002").current_revision.text


def test_language_and_direction(imported):
    assert set(Article.objects.values_list("language", "direction")) == {("ar", "rtl")}


def test_a_seed_scraped_again_after_an_edit_is_current_again(imported, seeds_dir, tmp_path, capsys):
    seed = next(seeds_dir.glob("002_*.txt"))
    edited = tmp_path / seed.name
    edited.write_text(seed.read_text(encoding="utf-8").replace("عدة أسابيع", "عدة أشهر", 1), encoding="utf-8")
    call_command("import_articles", str(edited))
    assert "revised 1" in capsys.readouterr().out
    call_command("import_articles", str(seeds_dir))
    assert "Imported 0, updated 0, revised 1, unchanged duplicates 4, failed 0" in capsys.readouterr().out
    orient = article_from("002")
    assert orient.current_revision.number == 3
    assert orient.current_revision.text == orient.revisions.get(number=1).text
