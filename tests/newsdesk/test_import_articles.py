"""`manage.py import_articles`: formats, bad inputs, summaries, re-imports."""

import codecs
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from newsdesk.models import Article, ArticleRevision, Comment, Source

pytestmark = pytest.mark.django_db

PAGE = """عنوان تجريبي عن اتفاق المياه - موقع المثال

عنوان تجريبي عن اتفاق المياه

أعلن وزير المياه أن السد سيكتمل نهاية العام المقبل، وأن نسبة الإنجاز تجاوزت ستين في المئة.
وقال الوزير إن التمويل متوفر بالكامل.

التعليقات (1)

    قارئ

    ·منذ ساعتين
    كلام جميل لكن لا نصدقه 😅
"""


def run_import(*args):
    """(exit code, stdout, stderr) of one import."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


def database_state():
    return (
        Article.objects.count(),
        ArticleRevision.objects.count(),
        Comment.objects.count(),
        Source.objects.count(),
    )


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_text_page_is_split_into_title_body_and_comments(page):
    code, out, _ = run_import(str(page), "--source", "موقع المثال")
    assert code == 0
    assert "Imported 1, updated 0, revised 0, unchanged duplicates 0, failed 0" in out
    article = Article.objects.get()
    assert article.source.name == "موقع المثال"
    assert article.title == "عنوان تجريبي عن اتفاق المياه"
    assert article.current_revision.body.split("\n")[0].startswith("أعلن وزير المياه")
    comment = article.comments.get()
    assert (comment.author, comment.posted_at_text, comment.text) == ("قارئ", "منذ ساعتين", "كلام جميل لكن لا نصدقه 😅")


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"\xff\xfe\x00\x00binary", "binary file: contains NUL bytes (the first at byte offset 2)"),
        ("عنوان\n".encode() * 2000 + b"\x00", "binary file: contains NUL bytes (the first at byte offset 22000)"),
        ("عنوان".encode("cp1256"), "not UTF-8: invalid byte 0xda at byte offset 0"),
        (codecs.BOM_UTF16_LE + "عنوان الخبر\nنص".encode("utf-16-le"), "UTF-16 (byte-order mark FF FE): save it as UTF-8"),
        (codecs.BOM_UTF16_BE + "عنوان الخبر\nنص".encode("utf-16-be"), "UTF-16 (byte-order mark FE FF): save it as UTF-8"),
        (
            "عنوان الخبر\nنص".encode("utf-16-le"),
            "binary file: contains NUL bytes (the first at byte offset 11); if it is UTF-16 text, save it as UTF-8",
        ),
        (b"   \n\n  ", "empty file"),
        (b"", "empty file"),
    ],
)
def test_a_bad_file_fails_alone_with_its_reason(tmp_path, page, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    code, out, err = run_import(str(bad), str(page), "--source", "موقع المثال")
    assert code == 1
    assert f"FAILED {bad}: {reason}" in err
    assert "Imported 1, updated 0, revised 0, unchanged duplicates 0, failed 1" in out
    assert Article.objects.get().title == "عنوان تجريبي عن اتفاق المياه"


def test_a_file_over_the_size_limit_is_refused(tmp_path, settings):
    settings.NEWSDESK_MAX_PAGE_BYTES = 100
    big = tmp_path / "big.txt"
    big.write_text(PAGE, encoding="utf-8")
    code, _, err = run_import(str(big))
    assert code == 1
    assert f"too large: {big.stat().st_size:,} bytes, the limit is 100" in err
    assert database_state() == (0, 0, 0, 0)


def test_a_folder_without_pages_is_reported(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK")
    code, _, err = run_import(str(tmp_path))
    assert code == 1 and "the folder holds no page to import" in err


def test_missing_paths_and_empty_globs_are_reported(tmp_path):
    code, _, err = run_import(str(tmp_path / "nope.txt"), str(tmp_path / "*.html"))
    assert code == 1
    assert "no such file or folder" in err
    assert "no file matches this pattern" in err


def test_folders_and_globs_are_expanded(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for number in range(3):
        (folder / f"p{number}.txt").write_text(PAGE.replace("اتفاق المياه", f"اتفاق المياه {number}"), encoding="utf-8")
    (folder / "notes.md").write_text("# not a page", encoding="utf-8")
    code, out, _ = run_import(str(folder), "--source", "موقع المثال")
    assert code == 0 and "Imported 3," in out
    code, out, _ = run_import(str(folder / "p*.txt"), "--source", "موقع المثال")
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 3" in out


@pytest.fixture
def mixed_folder(tmp_path):
    """Two pages among files that are not pages, and hidden files."""
    folder = tmp_path / "scrape"
    (folder / "sub" / ".git").mkdir(parents=True)
    (folder / "page.txt").write_text(PAGE, encoding="utf-8")
    (folder / "sub" / "PAGE2.TXT").write_text(PAGE.replace("اتفاق المياه", "اتفاق الكهرباء"), encoding="utf-8")
    (folder / "README.md").write_text("# scraped on Monday", encoding="utf-8")
    (folder / "list.csv").write_text("url,title\n", encoding="utf-8")
    (folder / "sub" / "notes.md").write_text("notes", encoding="utf-8")
    for hidden in (".draft.txt", "._page.txt", "sub/.git/HEAD.txt"):
        (folder / hidden).write_text(PAGE.replace("اتفاق المياه", "مسودة"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("spec", ["{folder}", "{folder}/*", "{folder}/**/*"])
def test_folders_and_globs_import_the_pages_and_count_the_other_files_as_skipped(mixed_folder, spec):
    code, out, err = run_import(spec.format(folder=mixed_folder), "--source", "موقع المثال")
    assert (code, err) == (0, "")
    assert "Imported 2, updated 0, revised 0, unchanged duplicates 0, failed 0, skipped 3 files that are not pages (.csv 1, .md 2)" in out
    assert sorted(Article.objects.values_list("title", flat=True)) == ["عنوان تجريبي عن اتفاق الكهرباء", "عنوان تجريبي عن اتفاق المياه"]


def test_a_glob_matching_no_page_is_reported(mixed_folder):
    code, out, err = run_import(str(mixed_folder / "*.md"))
    assert code == 1
    assert f"FAILED {mixed_folder / '*.md'}: no page to import matches this pattern" in err
    assert "skipped 1 file that is not a page (.md 1)" in out


@pytest.mark.parametrize(
    "name, reason",
    [
        ("list.csv", "not a supported page type (.csv): use .txt, .html or .jsonl"),
        ("feed.json", "not a supported page type (.json): JSON Lines files end in .jsonl and hold one JSON object per line"),
    ],
)
def test_a_file_named_outright_that_is_not_a_page_fails_with_its_type(tmp_path, page, name, reason):
    (tmp_path / name).write_text('[{"title": "عنوان", "body": "نص", "source": "s"}]\n', encoding="utf-8")
    code, out, err = run_import(str(tmp_path / name), str(page), "--source", "موقع المثال")
    assert code == 1
    assert f"FAILED {tmp_path / name}: {reason}" in err
    assert "Imported 1, updated 0, revised 0, unchanged duplicates 0, failed 1" in out
    assert Article.objects.get().title == "عنوان تجريبي عن اتفاق المياه"


def test_a_file_of_any_type_is_read_when_the_format_is_given(mixed_folder):
    (mixed_folder / "page.md").write_text(PAGE, encoding="utf-8")
    code, out, _ = run_import(str(mixed_folder / "page.md"), "--format", "text", "--source", "موقع المثال")
    assert code == 0 and "Imported 1," in out


JSONL_GOOD = {
    "url": "https://wire.example/1",
    "title": "البنك الدولي يربط التمويل بتقرير السلامة",
    "body": "الفقرة الأولى.\n\nالفقرة الثانية 💡 مع \u00a0مسافة.",
    "source": "وكالة المثال",
    "published_at": "2025-03-14T11:20:00+02:00",
    "comments": [{"author": "متابع", "text": "الموعد غير مضمون 🤷", "posted_at": "2025-03-14T13:05:00+02:00"}],
}


def write_jsonl(tmp_path, lines):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_lines_import_one_article_per_line(tmp_path):
    second = {**JSONL_GOOD, "url": "https://wire.example/2", "title": "عنوان ثان", "comments": []}
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False), json.dumps(second)])
    code, out, _ = run_import(str(path))
    assert code == 0 and "Imported 2," in out
    article = Article.objects.get(url="https://wire.example/1")
    assert article.current_revision.text == "البنك الدولي يربط التمويل بتقرير السلامة\nالفقرة الأولى.\nالفقرة الثانية 💡 مع \u00a0مسافة."
    assert article.published_at.isoformat() == "2025-03-14T09:20:00+00:00"
    assert article.source.name == "وكالة المثال"
    assert article.comments.get().text == "الموعد غير مضمون 🤷"


@pytest.mark.parametrize(
    "line, reason",
    [
        ('{"title": "x", "body": "y", "source": "s"', "malformed JSON: Expecting ',' delimiter (column 42)"),
        ('["a list"]', "expected a JSON object, got list"),
        ('{"body": "نص", "source": "s"}', "field 'title' is missing"),
        ('{"title": "  ", "body": "نص", "source": "s"}', "field 'title' is empty"),
        ('{"title": 5, "body": "نص", "source": "s"}', "field 'title' must be a string, not int"),
        ('{"title": "ع", "source": "s"}', "field 'body' is missing"),
        ('{"title": "ع", "body": "ن"}', "field 'source' is missing (or pass --source)"),
        ('{"title": "ع", "body": "ن", "source": "s", "published_at": "yesterday-ish"}', "field 'published_at' is not an ISO 8601 date"),
        ('{"title": "ع", "body": "ن", "source": "s", "url": "ftp://x"}', "field 'url' must be an http(s) URL"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"author": "a"}]}', "field 'comments[0].text' is missing"),
        ('{"title": "ع", "body": "ن\\u0000ص", "source": "s"}', "field 'body' contains a NUL character (U+0000) at position 1"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"text": "\\u0000"}]}', "field 'comments[0].text' contains a NUL character"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"author": "\\udc00", "text": "x"}]}', "field 'comments[0].author' is invalid text: a lone surrogate U+DC00 at position 0"),
        ('{"title": "ع", "body": "ن", "source": "s", "url": "https://x.example/%s"}' % ("a" * 2000), "field 'url' is 2,018 characters long; the limit is 2,000"),
        ('{"title": "ع", "body": "ن", "source": "%s"}' % ("م" * 201), "field 'source' is 201 characters long; the limit is 200"),
        ('{"title": "ع", "body": "ن", "source": "s", "published_at": "منذ 3 ساعات"}', "field 'published_at' is not an ISO 8601 date: 'منذ 3 ساعات'"),
        ('{"title": "ع", "body": "ن", "source": "s", "published_at": "%s"}' % ("y" * 150), "field 'published_at' is not an ISO 8601 date: '%s…'" % ("y" * 80)),
        ('{"title": "ع", "body": "ن", "source": "s", "language": "ara"}', "field 'language' must be a language code such as ar or en-GB (BCP 47), not 'ara'"),
        ('{"title": "ع", "body": "ن", "source": "s", "language": "Arabic"}', "field 'language' must be a language code such as ar or en-GB (BCP 47), not 'Arabic'"),
        ('{"title": "ع", "body": "ن", "source": "s", "url": "https://"}', "field 'url' must be an http(s) URL: 'https://'"),
        ('{"title": "ع", "body": "ن", "source": "s", "url": "https://exa mple.org/x"}', "field 'url' must be an http(s) URL: 'https://exa mple.org/x'"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"author": "%s", "text": "x"}]}' % ("a" * 301), "field 'comments[0].author' is 301 characters long; the limit is 300"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"title": "%s", "text": "x"}]}' % ("t" * 501), "field 'comments[0].title' is 501 characters long; the limit is 500"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"text": "x", "posted_at": "%s"}]}' % ("p" * 201), "field 'comments[0].posted_at' is 201 characters long; the limit is 200"),
        ('{"title": "ع", "body": "ن", "source": "s", "comments": [{"text": "x", "posted_at": "2016-13-45T10:00"}]}', "field 'comments[0].posted_at' is not an ISO 8601 date: '2016-13-45T10:00'"),
    ],
)
def test_a_bad_json_line_fails_alone_naming_line_and_field(tmp_path, line, reason):
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False), line])
    code, out, err = run_import(str(path))
    assert code == 1
    assert f"FAILED {path} line 2: {reason}" in err
    assert "Imported 1, updated 0, revised 0, unchanged duplicates 0, failed 1" in out
    assert Article.objects.count() == 1


def test_a_utf16_json_lines_file_fails_as_a_whole(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [json.dumps({**JSONL_GOOD, "url": f"https://wire.example/{n}"}, ensure_ascii=False) for n in range(3)]
    path.write_bytes(codecs.BOM_UTF16_LE + "\n".join(lines).encode("utf-16-le"))
    code, out, err = run_import(str(path))
    assert code == 1
    assert err == f"FAILED {path}: UTF-16 (byte-order mark FF FE): save it as UTF-8\n"
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 0, failed 1" in out
    assert database_state() == (0, 0, 0, 0)


def test_a_text_page_read_as_json_lines_fails_once_for_the_file(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("عنوان الخبر\n\n" + "\n".join(f"فقرة رقم {n} من نص الخبر." for n in range(200)) + "\n", encoding="utf-8")
    code, out, err = run_import(str(page), "--format", "jsonl")
    assert code == 1
    assert err == (
        f"FAILED {page}: not JSON Lines: none of its first 50 lines is JSON "
        "(line 1: malformed JSON: Expecting value (column 1)); leave out --format jsonl to read it as a page\n"
    )
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 0, failed 1" in out
    assert database_state() == (0, 0, 0, 0)


def test_a_json_lines_file_whose_first_line_is_broken_still_imports_the_rest(tmp_path):
    good = [json.dumps({**JSONL_GOOD, "url": f"https://wire.example/{n}", "title": f"خبر {n}"}) for n in range(2)]
    path = write_jsonl(tmp_path, ['{"title": "cut off', *good, "not json either"])
    code, out, err = run_import(str(path))
    assert code == 1
    assert f"FAILED {path} line 1: malformed JSON: Unterminated string" in err
    assert f"FAILED {path} line 4: malformed JSON: Expecting value (column 1)" in err
    assert "Imported 2, updated 0, revised 0, unchanged duplicates 0, failed 2" in out


def test_a_json_line_that_cannot_be_read_fails_alone_and_the_later_batches_are_imported(tmp_path):
    """Half an emoji spelled as an escape, or nesting too deep to read, fails its
    line; the import goes on past it and prints its summary."""
    good = [json.dumps({**JSONL_GOOD, "url": f"https://wire.example/{n}", "title": f"خبر {n}"}) for n in range(4)]
    half_emoji = json.dumps({**JSONL_GOOD, "url": "https://wire.example/half", "title": "نصف \ud83d رمز"})
    deep = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = write_jsonl(tmp_path, [good[0], good[1], half_emoji, deep, good[2], good[3]])
    code, out, err = run_import(str(path), "--batch-size", "2")
    assert code == 1
    assert f"FAILED {path} line 3: field 'title' is invalid text: a lone surrogate U+D83D at position 4" in err
    assert f"FAILED {path} line 4: malformed JSON: nested too deeply to read" in err
    assert "Imported 4, updated 0, revised 0, unchanged duplicates 0, failed 2" in out
    assert Article.objects.count() == 4


def test_json_lines_times_without_a_zone_are_the_outlets_local_time(tmp_path):
    orient = {**JSONL_GOOD, "url": "https://orient-news.net/1", "source": "أورينت نت", "published_at": "2016-09-10 14:46",
              "comments": [{"author": "وائل", "text": "تعليق", "posted_at": "2016-09-10T15:00"}]}
    unknown = {**JSONL_GOOD, "url": "https://wire.example/9", "title": "خبر آخر", "published_at": "2016-09-10 14:46", "comments": []}
    path = write_jsonl(tmp_path, [json.dumps(orient, ensure_ascii=False), json.dumps(unknown, ensure_ascii=False)])
    code, _, err = run_import(str(path))
    assert code == 0, err
    damascus = Article.objects.get(source__slug="orient-news")
    assert damascus.published_at.isoformat() == "2016-09-10T11:46:00+00:00"  # 14:46 in Damascus (UTC+3)
    assert damascus.comments.get().posted_at.isoformat() == "2016-09-10T12:00:00+00:00"
    assert Article.objects.get(url="https://wire.example/9").published_at.isoformat() == "2016-09-10T14:46:00+00:00"  # no outlet time zone: UTC


def test_a_comment_time_that_cannot_be_read_is_kept_as_shown(tmp_path):
    record = {**JSONL_GOOD, "comments": [{"author": "س", "text": "تعليق البارحة", "posted_at": "أمس"}]}
    path = write_jsonl(tmp_path, [json.dumps(record, ensure_ascii=False)])
    code, _, err = run_import(str(path))
    assert code == 0, err
    comment = Article.objects.get().comments.get()
    assert (comment.posted_at_text, comment.posted_at, comment.text) == ("أمس", None, "تعليق البارحة")


@pytest.mark.parametrize("given, stored", [("AR", "ar"), ("ar-SY", "ar-SY"), ("en_GB", "en-GB"), ("ckb", "ckb")])
def test_a_json_lines_language_is_a_language_code(tmp_path, given, stored):
    path = write_jsonl(tmp_path, [json.dumps({**JSONL_GOOD, "language": given}, ensure_ascii=False)])
    code, _, err = run_import(str(path))
    assert code == 0, err
    assert Article.objects.get().language == stored


def test_half_an_emoji_is_found_in_any_field_however_it_is_spelled(tmp_path):
    good = json.dumps(JSONL_GOOD, ensure_ascii=False).encode()
    raw_bytes = b'{"title": "t", "body": "b", "source": "s", "comments": [{"text": "x \xed\xa0\xbd"}]}'  # U+D83D as UTF-8-like bytes
    upper_case = b'{"title": "t", "body": "b", "source": "\\uD83D"}'
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n".join([good, raw_bytes, upper_case]) + b"\n")
    code, out, err = run_import(str(path))
    assert f"FAILED {path} line 2: field 'comments[0].text' is invalid text: a lone surrogate U+D83D at position 2" in err
    assert f"FAILED {path} line 3: field 'source' is invalid text: a lone surrogate U+D83D at position 0" in err
    assert "Imported 1, updated 0, revised 0, unchanged duplicates 0, failed 2" in out


def test_a_failed_write_leaves_nothing_half_written(tmp_path, monkeypatch):
    """The database refusing one article leaves no trace of it; the others land."""
    from newsdesk.services import ingestion

    good = {**JSONL_GOOD, "url": "https://wire.example/ok"}
    doomed = {**JSONL_GOOD, "url": "https://wire.example/doomed", "title": "مقال سيفشل"}
    path = write_jsonl(tmp_path, [json.dumps(good), json.dumps(doomed)])
    original = ingestion._comment_rows

    def refuse_doomed(record, article_id, now, skip=frozenset()):
        rows = original(record, article_id, now, skip)
        if record.title == "مقال سيفشل":
            for row in rows:
                row["position"] = -1  # violates the positive-integer check on every database
        return rows

    monkeypatch.setattr(ingestion, "_comment_rows", refuse_doomed)
    code, out, err = run_import(str(path))
    assert code == 1
    assert f"FAILED {path} line 2: the database refused the article" in err
    assert list(Article.objects.values_list("url", flat=True)) == ["https://wire.example/ok"]
    assert ArticleRevision.objects.count() == 1 and Comment.objects.count() == 1


def test_an_article_another_import_stored_meanwhile_is_updated_not_refused(tmp_path, monkeypatch):
    """Two imports of one feed at once: this one looked for the articles before
    the other had stored them, and meets them only when it writes."""
    from newsdesk.services import ingestion

    records = [{**JSONL_GOOD, "url": f"https://wire.example/{n}", "title": f"خبر {n}"} for n in range(3)]
    path = write_jsonl(tmp_path, [json.dumps(record, ensure_ascii=False) for record in records])
    run_import(str(path))  # the other import, done first
    reply = {"author": "Hana", "text": "Standard condition."}
    more = [{**record, "comments": record["comments"] + [reply]} for record in records]
    path.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in more) + "\n", encoding="utf-8")
    monkeypatch.setattr(ingestion, "_stored_identities", lambda records: {})  # as seen before the other committed
    code, out, err = run_import(str(path))
    assert (code, err) == (0, "")
    assert "Imported 0, updated 3, revised 0, unchanged duplicates 0, failed 0" in out
    assert Article.objects.count() == 3 and Comment.objects.filter(author="Hana").count() == 3


def test_changed_text_becomes_a_new_revision_and_old_spans_keep_theirs(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False)])
    run_import(str(path))
    first = Article.objects.get().current_revision
    corrected = {**JSONL_GOOD, "body": "الفقرة الأولى بعد التصحيح."}
    path.write_text(json.dumps(corrected, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run_import(str(path))
    assert "revised 1" in out
    article = Article.objects.get()
    assert article.current_revision.number == 2
    assert article.current_revision.text.endswith("الفقرة الأولى بعد التصحيح.")
    first.refresh_from_db()
    assert first.text.endswith("مع \u00a0مسافة.")


def test_new_comments_on_a_known_page_are_added(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False)])
    run_import(str(path))
    more = {**JSONL_GOOD, "comments": JSONL_GOOD["comments"] + [{"author": "Hana", "text": "Standard condition."}]}
    path.write_text(json.dumps(more, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run_import(str(path))
    assert "updated 1" in out
    assert list(Article.objects.get().comments.values_list("author", flat=True)) == ["متابع", "Hana"]
    assert ArticleRevision.objects.count() == 1


READ_ALSO_PAGE = """عنوان الخبر عن محادثات جنيف
قال المتحدث باسم الوزارة إن المحادثات ستستأنف الأسبوع المقبل في جنيف بمشاركة جميع الأطراف المعنية بالأزمة.
اقرأ أيضاً:
المعارضة ترفض الهدنة الروسية
هل تنجح خطة الهدنة الجديدة في وقف القتال في المدينة المحاصرة؟
الحكومة تقرر رفع أسعار الوقود وسط احتجاجات واسعة في عدة مدن...
وأضاف أن الوفد الحكومي سيصل إلى جنيف يوم الاثنين، مشيرا إلى أن جدول الأعمال لم يحدد بعد.
اقرأ أيضاً: واشنطن تدعو إلى وقف إطلاق النار
\u00a0
وختم بالقول إن الحل السياسي هو الطريق الوحيد لإنهاء الصراع المستمر منذ سنوات طويلة في البلاد.
"""


def test_read_also_links_inside_the_story_are_removed_and_the_story_goes_on(tmp_path):
    path = tmp_path / "read-also.txt"
    path.write_text(READ_ALSO_PAGE, encoding="utf-8")
    code, _, _ = run_import(str(path), "--source", "موقع المثال")
    revision = Article.objects.get().current_revision
    body = revision.text.split("\n")[1:]
    assert [line.split()[0] for line in body] == ["قال", "وأضاف", "وختم"]
    assert [item["text"] for item in revision.removed if item["kind"] == "related"] == [
        "اقرأ أيضاً:", "المعارضة ترفض الهدنة الروسية", "هل تنجح خطة الهدنة الجديدة في وقف القتال في المدينة المحاصرة؟",
        "الحكومة تقرر رفع أسعار الوقود وسط احتجاجات واسعة في عدة مدن...", "اقرأ أيضاً: واشنطن تدعو إلى وقف إطلاق النار",
    ]


def test_a_comment_that_appears_above_older_ones_takes_its_place_in_page_order(tmp_path):
    first, second = JSONL_GOOD["comments"][0], {"author": "Hana", "text": "Standard condition."}
    path = write_jsonl(tmp_path, [json.dumps({**JSONL_GOOD, "comments": [first, second]}, ensure_ascii=False)])
    run_import(str(path))
    newest = {"author": "سامر", "text": "وصلني الخبر للتو"}
    path.write_text(json.dumps({**JSONL_GOOD, "comments": [newest, first, second]}, ensure_ascii=False) + "\n", encoding="utf-8")
    run_import(str(path))
    shown = Article.objects.get().comments.order_by("position")
    assert [(c.position, c.author) for c in shown] == [(0, "سامر"), (1, "متابع"), (2, "Hana")]


def test_a_comment_gone_from_the_page_keeps_its_place_after_the_one_it_followed(tmp_path):
    a, b, c = ({"author": name, "text": f"تعليق {name}"} for name in ("أ", "ب", "ج"))
    path = write_jsonl(tmp_path, [json.dumps({**JSONL_GOOD, "comments": [a, b, c]}, ensure_ascii=False)])
    run_import(str(path))
    new = {"author": "د", "text": "تعليق جديد"}
    path.write_text(json.dumps({**JSONL_GOOD, "comments": [new, a, c]}, ensure_ascii=False) + "\n", encoding="utf-8")
    run_import(str(path))
    assert list(Article.objects.get().comments.order_by("position").values_list("author", flat=True)) == ["د", "أ", "ب", "ج"]


def test_the_same_page_from_two_outlets_is_two_articles(tmp_path):
    wire_copy = {**JSONL_GOOD, "url": "https://other.example/1", "source": "صحيفة أخرى"}
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False), json.dumps(wire_copy, ensure_ascii=False)])
    code, out, _ = run_import(str(path))
    assert "Imported 2, updated 0, revised 0, unchanged duplicates 0" in out
    assert sorted(Article.objects.values_list("source__name", flat=True)) == ["صحيفة أخرى", "وكالة المثال"]


def test_pages_of_unknown_outlets_with_the_same_title_stay_apart(tmp_path):
    title = "عاجل: انفجار في دمشق"
    (tmp_path / "outlet-x.txt").write_text(f"{title}\nقالت مصادر محلية إن انفجارا وقع صباح اليوم قرب ساحة المدينة.\n", encoding="utf-8")
    (tmp_path / "outlet-y.txt").write_text(f"{title}\nأفاد شهود بسماع دوي انفجار في حي آخر من العاصمة مساء أمس.\n", encoding="utf-8")
    code, out, _ = run_import(str(tmp_path / "outlet-x.txt"), str(tmp_path / "outlet-y.txt"))
    assert "Imported 2, updated 0, revised 0" in out
    assert ArticleRevision.objects.count() == 2


def test_an_unknown_outlets_page_stored_before_the_file_name_counted_is_found_again(tmp_path):
    import importlib

    from django.apps import apps

    page = tmp_path / "outlet-x.txt"
    page.write_text("عاجل: انفجار في دمشق\nقالت مصادر محلية إن انفجارا وقع صباح اليوم قرب ساحة المدينة.\n", encoding="utf-8")
    run_import(str(page))
    from newsdesk import text as textlib

    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(identity=textlib.sha256_hex("title", article.title))  # as stored until now
    importlib.import_module("newsdesk.migrations.0005_unknown_outlet_identity").forwards(apps, None)
    page.write_text(page.read_text(encoding="utf-8") + "وأضافت أن فرق الإسعاف وصلت إلى المكان.\n", encoding="utf-8")
    code, out, _ = run_import(str(page))
    assert "revised 1" in out and Article.objects.count() == 1


def test_the_same_page_twice_in_one_batch_is_one_article(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD)] * 2)
    code, out, _ = run_import(str(path))
    assert "Imported 1, updated 0, revised 0, unchanged duplicates 1" in out


def test_two_versions_of_an_article_in_one_file_keep_the_last_and_import_again_unchanged(tmp_path):
    first = {**JSONL_GOOD, "body": "النص الأول للخبر."}
    second = {**JSONL_GOOD, "body": "النص المصحح للخبر بعد التعديل."}
    path = write_jsonl(tmp_path, [json.dumps(first), json.dumps(second), json.dumps(first)])
    code, out, _ = run_import(str(path))
    assert "Imported 1, updated 0, revised 2, unchanged duplicates 0" in out
    article = Article.objects.get()
    assert "النص الأول للخبر." in article.current_revision.text  # the file's last line
    for _ in range(2):
        code, out, _ = run_import(str(path))
        assert "Imported 0, updated 0, revised 0, unchanged duplicates 3" in out
    assert article.revisions.count() == 3
    assert Article.objects.get().updated_at == article.updated_at


def test_html_page_main_text_title_caption_and_comments(tmp_path):
    paragraphs = "".join(
        f"<p>الفقرة {n} من الخبر تتحدث عن اتفاق جديد بين الطرفين حول وقف إطلاق النار في المدينة، وقال مسؤول إن المفاوضات ستستمر.</p>"
        for n in range(5)
    )
    html = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خبر - موقع</title>
    <meta property="og:site_name" content="موقع المثال"><link rel="canonical" href="https://example.org/news/1"></head>
    <body><nav><a href="/">الرئيسية</a></nav><main><article><h1>اتفاق جديد لوقف إطلاق النار</h1>{paragraphs}
    <figure><img src="x.jpg" alt=""><figcaption>الوفدان خلال الاجتماع (رويترز)</figcaption></figure></article>
    <section id="comments"><h3>التعليقات</h3><div><p>سامي</p><p>·منذ ساعة</p><p>خبر مهم جداً 👍</p></div></section></main>
    <footer>© 2025 جميع الحقوق محفوظة</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    code, out, err = run_import(str(path))
    assert code == 0, err
    article = Article.objects.get()
    assert article.title == "اتفاق جديد لوقف إطلاق النار"
    assert article.url == "https://example.org/news/1"
    assert article.source.name == "موقع المثال"
    revision = article.current_revision
    assert revision.captions == ["الوفدان خلال الاجتماع (رويترز)"]
    assert revision.body.count("الفقرة") == 5 and "©" not in revision.text
    comment = article.comments.get()
    assert (comment.author, comment.posted_at_text, comment.text) == ("سامي", "منذ ساعة", "خبر مهم جداً 👍")


def test_html_comments_marked_up_one_per_element_keep_author_time_and_paragraphs(tmp_path):
    paragraphs = "".join(f"<p>الفقرة {n} من الخبر عن المفاوضات الجارية في جنيف بين الوفدين، وقال مسؤول إنها ستستمر.</p>" for n in range(4))
    html = f"""<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>خبر</title></head>
    <body><main><article><h1>مفاوضات جنيف تستأنف</h1>{paragraphs}</article>
    <ol class="comment-list">
      <li class="comment even depth-1" id="comment-1"><div class="comment-meta"><cite class="fn">خالد</cite>
        <time datetime="2024-05-01T09:30:00+03:00">منذ 7 سنوات</time></div>
        <div class="comment-content"><p>السطر الأول من التعليق.</p><p>والسطر الثاني 💡</p></div>
        <ol class="children"><li class="comment depth-2"><cite class="fn">Rami</cite><time>منذ يومين</time><p>رد على خالد</p></li></ol>
      </li>
    </ol></main></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    code, _, err = run_import(str(path), "--source", "موقع المثال")
    assert code == 0, err
    shown = list(Article.objects.get().comments.order_by("position").values_list("author", "posted_at_text", "text"))
    assert shown == [("خالد", "منذ 7 سنوات", "السطر الأول من التعليق.\nوالسطر الثاني 💡"), ("Rami", "منذ يومين", "رد على خالد")]
    first = Article.objects.get().comments.get(author="خالد")
    assert first.posted_at.isoformat() == "2024-05-01T06:30:00+00:00"  # the page's own timestamp, not a guess


def test_wordpress_comment_markup_gives_the_name_without_says(tmp_path):
    paragraphs = "".join(f"<p>الفقرة {n} من الخبر عن المفاوضات الجارية في جنيف بين الوفدين، وقال مسؤول إنها ستستمر.</p>" for n in range(4))
    html = f"""<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>خبر</title></head>
    <body><main><article><h1>مفاوضات جنيف تستأنف</h1>{paragraphs}</article><ol class="commentlist">
      <li class="comment"><div class="comment-author vcard"><b class="fn">أحمد</b> <span class="says">قال:</span></div>
        <div class="comment-metadata"><time datetime="2024-05-01T09:30:00Z">1 مايو 2024</time></div>
        <div class="comment-content"><p>تعليق أول</p></div></li>
      <li class="comment"><div class="comment-author"><cite class="fn">Sara</cite> <span class="says">says:</span></div>
        <div class="comment-text">تعليق بلا فقرة</div></li>
    </ol></main></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    run_import(str(path), "--source", "موقع المثال")
    shown = list(Article.objects.get().comments.order_by("position").values_list("author", "text"))
    assert shown == [("أحمد", "تعليق أول"), ("Sara", "تعليق بلا فقرة")]


def test_a_page_scraped_back_to_an_earlier_text_makes_that_text_current_again(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    run_import(str(path), "--source", "موقع المثال")
    path.write_text(PAGE.replace("متوفر بالكامل", "متوفر جزئياً"), encoding="utf-8")
    run_import(str(path), "--source", "موقع المثال")
    path.write_text(PAGE, encoding="utf-8")
    code, out, _ = run_import(str(path), "--source", "موقع المثال")
    assert "Imported 0, updated 0, revised 1, unchanged duplicates 0" in out
    article = Article.objects.get()
    assert "متوفر بالكامل" in article.current_revision.text
    assert list(article.revisions.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    assert "متوفر جزئياً" in article.revisions.get(number=2).text  # spans on it stay valid


def test_the_original_page_read_again_after_an_edited_copy_is_current_again(tmp_path):
    original, copy = tmp_path / "page.txt", tmp_path / "edited" / "page-copy.txt"
    copy.parent.mkdir()
    original.write_text(PAGE, encoding="utf-8")
    copy.write_text(PAGE.replace("متوفر بالكامل", "متوفر جزئياً"), encoding="utf-8")
    for path in (original, copy, original):
        code, out, _ = run_import(str(path), "--source", "موقع المثال")
    assert "revised 1" in out
    assert "متوفر بالكامل" in Article.objects.get().current_revision.text


def test_a_folder_holding_two_versions_of_a_page_imports_again_unchanged(tmp_path):
    (tmp_path / "1.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "2.txt").write_text(PAGE.replace("متوفر بالكامل", "متوفر جزئياً"), encoding="utf-8")
    code, out, _ = run_import(str(tmp_path), "--source", "موقع المثال")
    assert "Imported 1, updated 0, revised 1, unchanged duplicates 0" in out
    code, out, _ = run_import(str(tmp_path), "--source", "موقع المثال")
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 2" in out
    assert "متوفر جزئياً" in Article.objects.get().current_revision.text


@pytest.mark.parametrize("batch_size", ["500", "1"])
def test_a_feed_holding_two_versions_of_an_article_imports_again_unchanged_whatever_the_batches(tmp_path, batch_size):
    first = {**JSONL_GOOD, "body": "النص الأول للخبر."}
    second = {**JSONL_GOOD, "body": "النص المصحح للخبر بعد التعديل."}
    path = write_jsonl(tmp_path, [json.dumps(first), json.dumps(second), json.dumps(first), json.dumps(second)])
    run_import(str(path), "--batch-size", batch_size)
    assert Article.objects.get().revisions.count() == 4
    code, out, _ = run_import(str(path), "--batch-size", batch_size)
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 4" in out
    assert "النص المصحح" in Article.objects.get().current_revision.text
    assert ArticleRevision.objects.count() == 4


def test_a_corrected_publication_date_is_applied_without_a_new_revision(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False)])
    run_import(str(path))
    path.write_text(json.dumps({**JSONL_GOOD, "published_at": "2025-03-15T11:20:00+02:00"}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run_import(str(path))
    assert "Imported 0, updated 1, revised 0, unchanged duplicates 0" in out
    article = Article.objects.get()
    assert article.published_at.isoformat() == "2025-03-15T09:20:00+00:00"
    assert article.published_at_text == "2025-03-15T11:20:00+02:00"
    assert article.revisions.count() == 1
    code, out, _ = run_import(str(path))
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 1" in out


def test_a_corrected_language_is_applied_with_its_direction(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps({**JSONL_GOOD, "language": "en"}, ensure_ascii=False)])
    run_import(str(path))
    assert Article.objects.get().direction == "ltr"
    path.write_text(json.dumps({**JSONL_GOOD, "language": "ar"}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run_import(str(path))
    assert "Imported 0, updated 1, revised 0" in out
    assert Article.objects.values_list("language", "direction").get() == ("ar", "rtl")


def test_a_page_stored_under_an_older_fingerprint_imports_unchanged_and_is_then_known(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(JSONL_GOOD, ensure_ascii=False)])
    run_import(str(path))
    fingerprint, updated_at = Article.objects.values_list("page_hash", "updated_at").get()
    Article.objects.update(page_hash="0" * 64)
    code, out, _ = run_import(str(path))
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 1" in out
    assert Article.objects.values_list("page_hash", "updated_at").get() == (fingerprint, updated_at)


def test_an_older_version_read_again_does_not_bring_back_its_date(tmp_path):
    first = {**JSONL_GOOD, "body": "النص الأول للخبر.", "published_at": "2025-03-14T11:20:00+02:00"}
    second = {**JSONL_GOOD, "body": "النص المصحح للخبر.", "published_at": "2025-03-15T08:00:00+02:00"}
    path = write_jsonl(tmp_path, [json.dumps(first), json.dumps(second)])
    run_import(str(path))
    code, out, _ = run_import(str(path))
    assert "Imported 0, updated 0, revised 0, unchanged duplicates 2" in out
    assert Article.objects.get().published_at.isoformat() == "2025-03-15T06:00:00+00:00"


def test_a_file_whose_name_holds_glob_characters_is_imported_as_named(tmp_path):
    page = tmp_path / "page[1].txt"
    page.write_text(PAGE, encoding="utf-8")
    code, out, _ = run_import(str(page))
    assert code == 0 and "Imported 1," in out


def test_a_source_name_that_matches_no_outlet_is_said_to_make_a_new_one(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    code, out, _ = run_import(str(page), "--source", "orient-newz")  # a typo of orient-news
    assert code == 0 and "no outlet profile or stored source is named 'orient-newz'" in out
    # Named again, it is a stored source now: nothing to say.
    second = tmp_path / "second.txt"
    second.write_text(PAGE.replace("السد سيكتمل", "السد سيفتتح"), encoding="utf-8")
    code, out, _ = run_import(str(second), "--source", "orient-newz")
    assert code == 0 and "no outlet profile" not in out
    # An outlet profile by its slug: nothing to say either.
    code, out, _ = run_import(str(page), "--source", "orient-news")
    assert code == 0 and "Imported 1," in out and "no outlet profile" not in out
