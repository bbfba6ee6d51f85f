"""Scraped text pages: what stays in the story and what is page furniture."""

from io import StringIO

import pytest
from django.core.management import call_command

from newsdesk.models import Article

pytestmark = pytest.mark.django_db

STORY = [
    "وقال المرصد السوري لحقوق الإنسان إن الغارات الجوية استهدفت عدة أحياء في مدينة حلب صباح اليوم، ما أسفر عن سقوط قتلى وجرحى.",
    "وأضاف المرصد أن فرق الدفاع المدني تواصل البحث عن ناجين تحت الأنقاض، في ظل نقص حاد في المعدات والوقود اللازم لتشغيل الآليات.",
    "ويأتي هذا التصعيد بعد ساعات من إعلان موسكو وواشنطن التوصل إلى تفاهم مبدئي بشأن هدنة جديدة، وهو ما اعتبره مراقبون اختباراً جدياً.",
]


def import_page(tmp_path, lines, *args):
    """The article made from a text page of `lines`."""
    path = tmp_path / "page.txt"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    err = StringIO()
    call_command("import_articles", str(path), *args, stdout=StringIO(), stderr=err)
    assert not err.getvalue()
    return Article.objects.select_related("current_revision", "source").get()


def kinds(revision):
    return [(block["kind"], line) for block, line in zip(revision.blocks, revision.text.split("\n"))]


def test_a_photo_credit_after_a_copyright_sign_is_a_caption_and_the_story_goes_on(tmp_path):
    article = import_page(tmp_path, ["عنوان عن حلب", STORY[0], "مقاتلون في حلب © AFP", STORY[1], STORY[2]])
    revision = article.current_revision
    assert kinds(revision)[1:] == [
        ("paragraph", STORY[0]), ("caption", "مقاتلون في حلب © AFP"), ("paragraph", STORY[1]), ("paragraph", STORY[2]),
    ]
    assert revision.removed == []


def test_a_sentence_that_quotes_the_copyright_notice_stays_in_the_story(tmp_path):
    quoting = "وكتبت الصحيفة في أسفل المقال عبارة جميع الحقوق محفوظة، في إشارة إلى أنها لن تسمح بإعادة نشر التقرير."
    short = "وقالت الصحيفة إن جميع الحقوق محفوظة."
    article = import_page(tmp_path, ["عنوان عن الصحافة", STORY[0], quoting, short, STORY[1]])
    assert article.current_revision.text.split("\n")[1:] == [STORY[0], quoting, short, STORY[1]]
    assert article.current_revision.removed == []


@pytest.mark.parametrize(
    "notice",
    [
        "© 2022 syria.news All Rights Reserved",
        "Copyright © 2016 Example News. All rights reserved.",
        "جميع الحقوق محفوظة لموقع المثال",
        "جميع الحقوق محفوظة © 2024",
        "المثال نت - جميع الحقوق محفوظة 2016",
    ],
)
def test_a_copyright_line_ends_the_story_and_takes_the_footer_after_it(tmp_path, notice):
    article = import_page(tmp_path, ["عنوان عن حلب", STORY[0], STORY[1], notice, "سياسة النشر | أعلن معنا"])
    revision = article.current_revision
    assert revision.text.split("\n")[1:] == [STORY[0], STORY[1]]
    assert revision.removed == [{"kind": "footer", "text": notice}, {"kind": "footer", "text": "سياسة النشر | أعلن معنا"}]


def test_an_english_paragraph_starting_with_related_is_the_story_and_a_related_block_is_not(tmp_path):
    talks = "Related talks between military officials are expected to begin next week in Geneva, according to a senior official."
    opening = "The United States and Russia agreed on Friday on a plan to restore a ceasefire in Syria, officials said after talks."
    closing = "The truce is due to start at sunset on Monday, coinciding with the Eid al-Adha holiday, the two ministers told reporters."
    article = import_page(
        tmp_path,
        ["US and Russia agree Syria truce plan", opening, talks, "Related: Aleppo aid convoy reaches the city",
         "Related stories", "Kerry meets Lavrov in Geneva", "Aid agencies warn of winter", closing],
    )
    revision = article.current_revision
    assert revision.text.split("\n")[1:] == [opening, talks, closing]
    assert [item["text"] for item in revision.removed] == [
        "Related: Aleppo aid convoy reaches the city", "Related stories", "Kerry meets Lavrov in Geneva", "Aid agencies warn of winter",
    ]


def test_a_crosshead_reading_comments_does_not_turn_the_rest_of_the_story_into_comments(tmp_path):
    article = import_page(tmp_path, ["عنوان عن ردود الفعل", STORY[0], "تعليقات", STORY[1], STORY[2]])
    assert kinds(article.current_revision)[1:] == [
        ("paragraph", STORY[0]), ("heading", "تعليقات"), ("paragraph", STORY[1]), ("paragraph", STORY[2]),
    ]
    assert not article.comments.exists()


def test_a_bare_comments_header_followed_by_comments_opens_them(tmp_path):
    article = import_page(tmp_path, ["عنوان عن ردود الفعل", STORY[0], STORY[1], "التعليقات", "سامر", "·منذ ساعة", "خبر مهم 👍"])
    assert article.current_revision.text.split("\n")[1:] == [STORY[0], STORY[1]]
    comment = article.comments.get()
    assert (comment.author, comment.posted_at_text, comment.text) == ("سامر", "منذ ساعة", "خبر مهم 👍")


def test_a_sentence_that_names_an_outlet_does_not_make_the_page_that_outlets(tmp_path):
    mention = "ونقل مراسل قناة أورينت في المدينة أن القصف تركز على الأحياء الشرقية."
    article = import_page(tmp_path, ["غارات جديدة على حلب", STORY[0], mention, STORY[1]])
    assert article.source.name == "Unknown outlet"
    assert article.current_revision.text.split("\n")[1:] == [STORY[0], mention, STORY[1]]


@pytest.mark.parametrize(
    "lines, outlet",
    [
        (["غارات جديدة على حلب - الجزيرة نت", STORY[0], STORY[1]], "الجزيرة نت"),  # the site suffix on the title line
        (["غارات جديدة على حلب", STORY[0], STORY[1], "أورينت نت"], "أورينت نت"),  # a line that is just the outlet's name
        (["غارات جديدة على حلب", STORY[0], "المصدر : الجزيرة", STORY[1]], "الجزيرة نت"),  # its attribution line
    ],
)
def test_a_page_is_an_outlets_by_its_own_lines(tmp_path, lines, outlet):
    assert import_page(tmp_path, lines).source.name == outlet


@pytest.mark.parametrize(
    "headline",
    ["لافروف: لا اتفاق مع واشنطن قبل فصل المعارضة", "لافروف - لا اتفاق مع واشنطن قبل فصل المعارضة والنصرة"],
)
def test_a_headline_followed_by_its_first_word_keeps_its_words(tmp_path, headline):
    article = import_page(tmp_path, [headline, "لافروف", STORY[0], STORY[1]])
    assert article.title == headline
    assert not [item for item in article.current_revision.removed if item["kind"] in ("site_suffix", "repeated_title")]


def test_a_site_name_after_the_title_is_stripped_when_the_page_repeats_the_bare_title(tmp_path):
    article = import_page(tmp_path, ["لافروف: لا اتفاق مع واشنطن - موقع المثال", "لافروف: لا اتفاق مع واشنطن", STORY[0], STORY[1]])
    assert article.title == "لافروف: لا اتفاق مع واشنطن"
    assert {"kind": "site_suffix", "text": "موقع المثال"} in article.current_revision.removed


def test_a_comment_that_is_only_a_number_keeps_its_author_and_time_and_counts_are_removed(tmp_path):
    article = import_page(
        tmp_path,
        [
            "عنوان فيه تعليقات رقمية", STORY[0], STORY[1], "التعليقات (3)",
            "سامر", "·منذ ساعة", "100",
            "رنا", "·منذ يومين", "أوافق تماماً على ما جاء في المقال.",
            "خالد", "·منذ 3 أيام", "2",
            "3",
        ],
    )
    shown = list(article.comments.order_by("position").values_list("author", "posted_at_text", "text"))
    assert shown == [("سامر", "منذ ساعة", "100"), ("رنا", "منذ يومين", "أوافق تماماً على ما جاء في المقال."), ("خالد", "منذ 3 أيام", "2")]
    assert [item for item in article.current_revision.removed if item["kind"] == "comment_count"] == [
        {"kind": "comment_count", "text": "التعليقات (3)"}, {"kind": "comment_count", "text": "3"},
    ]
