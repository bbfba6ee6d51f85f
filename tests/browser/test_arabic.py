"""ARABIC.md in the browser: fonts, line height, bidi isolation, logical
selection, grapheme-safe span edges, highlights that keep letters joined,
and a reader that works on a phone."""

import pytest
from playwright.sync_api import expect

from annotations.models import ClaimMention
from newsdesk.models import Comment
from tests.browser.helpers import mark_new_claim, reader_ready, wait_saved
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

OFFSETS = "/static/js/annotator/offsets.js"


def test_the_arabic_font_is_really_there(open_page, journalist):
    page = open_page(journalist, f"/articles/{make_article().id}/")
    reader_ready(page)
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate("""() => document.fonts.check('16px "Noto Naskh Arabic"', 'ب')""")
    family = page.locator(".block-paragraph").first.evaluate("(e) => getComputedStyle(e).fontFamily")
    assert family.startswith('"Noto Naskh Arabic"')


def test_harakat_are_not_clipped_by_the_line_box(open_page, journalist):
    words = "قريباً إعلان التزاماً"
    article = make_article(paragraphs=[f"{words} " + "كلمة " * 60 + words])
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    clipped = page.evaluate(
        """() => {
          const block = document.querySelector('.block-paragraph');
          const style = getComputedStyle(block);
          const lineHeight = parseFloat(style.lineHeight), fontSize = parseFloat(style.fontSize);
          const node = block.firstChild, problems = [];
          if (lineHeight / fontSize < 1.6) problems.push(`line-height ${lineHeight / fontSize}`);
          const box = block.getBoundingClientRect();
          for (const word of ['قريباً', 'إعلان', 'التزاماً']) {
            for (const at of [node.data.indexOf(word), node.data.lastIndexOf(word)]) {
              const range = document.createRange();
              range.setStart(node, at); range.setEnd(node, at + word.length);
              for (const rect of range.getClientRects()) {
                if (rect.top < box.top - 0.5 || rect.bottom > box.bottom + 0.5) problems.push(word);
              }
            }
          }
          return problems;
        }"""
    )
    assert clipped == []


def test_the_english_caption_reads_left_to_right_inside_an_arabic_article(open_page, journalist, seeds_dir):
    from django.core.management import call_command

    from newsdesk.models import Article

    call_command("import_articles", str(seeds_dir / "001_cf6faa348c352f3a.txt"))
    page = open_page(journalist, f"/articles/{Article.objects.get().id}/")
    reader_ready(page)
    caption = page.locator(".block-caption", has_text="Secretary of State")
    assert caption.get_attribute("lang") == "en" and caption.get_attribute("dir") == "auto"
    assert caption.evaluate("(e) => getComputedStyle(e).direction") == "ltr"
    assert page.locator("[data-unit=article]").evaluate("(e) => getComputedStyle(e).direction") == "rtl"


def test_a_bidi_override_in_a_comment_stays_inside_it_and_offsets_ignore_its_label(open_page, journalist):
    article = make_article(comments=[("قارئ", "رأيي \u202eabc\u202c والسد بعيد")])
    comment = Comment.objects.get(article=article)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    header = page.locator(f"#comment-{comment.id}-who")
    before = header.inner_text()
    page.keyboard.press("b")  # reveal
    expect(page.locator("body.reveal-bidi")).to_have_count(1)
    label = page.locator(".bidi-control").first.evaluate("(e) => getComputedStyle(e, '::before').content")
    assert "RLO" in label
    assert header.inner_text() == before
    # The surrounding text keeps its order: the override acts on nothing but itself.
    assert page.locator(".bidi-control").first.evaluate("(e) => getComputedStyle(e).unicodeBidi") == "isolate"
    # A span after the revealed controls still lands at the right code points.
    mark_new_claim(page, f'[data-unit=comment][data-comment="{comment.id}"]', "والسد بعيد", "السد بعيد")
    wait_saved(page)
    (mention,) = ClaimMention.objects.all()
    assert comment.text[mention.start : mention.end] == "والسد بعيد"


def test_offsets_module_counts_code_points_and_snaps_to_graphemes(open_page, journalist):
    page = open_page(journalist, f"/articles/{make_article().id}/")
    reader_ready(page)
    result = page.evaluate(
        """async (url) => {
          const m = await import(url);
          const text = 'فكرة 💡 جديدة';
          const after = text.indexOf('جديدة');        // UTF-16 index
          const bafatha = 'كتَب';                      // ت + fatha
          return {
            length: m.codePointLength(text),
            after: m.utf16ToCodePoint(text, after),
            back: m.codePointToUtf16(text, m.utf16ToCodePoint(text, after)),
            emojiEnd: m.snapToGraphemes(text, 0, text.indexOf('💡') + 1),
            fatha: m.snapToGraphemes(bafatha, 0, 2),
          };
        }""",
        OFFSETS,
    )
    text = "فكرة 💡 جديدة"
    assert result["length"] == len(text)
    assert result["after"] == text.index("جديدة")
    assert result["back"] == text.encode("utf-16-le").index("جديدة".encode("utf-16-le")) // 2
    assert result["emojiEnd"] == [0, 7]  # never half of the surrogate pair
    assert result["fatha"] == [0, 3]  # the fatha stays with its letter


def test_keyboard_selection_extends_by_logical_words(open_page, journalist):
    # With nothing selected, `]` starts at the first line of the article: here the title.
    article = make_article(title="بالفيروس انتشر في المدينة")
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    selection = "() => window.getSelection().toString().trim()"
    page.keyboard.press("]")
    assert page.evaluate(selection) == "بالفيروس"
    page.keyboard.press("]")
    assert page.evaluate(selection) == "بالفيروس انتشر"
    page.keyboard.press("[")
    assert page.evaluate(selection) == "بالفيروس"


def test_a_double_click_takes_the_whole_word_with_its_clitics(open_page, journalist):
    article = make_article(paragraphs=["انتشر بالفيروس في المدينة"])
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    box = page.evaluate(
        """() => { const node = document.querySelector('.block-paragraph').firstChild;
          const at = node.data.indexOf('بالفيروس') + 3; const r = document.createRange();
          r.setStart(node, at); r.setEnd(node, at + 1); const b = r.getBoundingClientRect();
          return {x: b.left + b.width / 2, y: b.top + b.height / 2}; }"""
    )
    page.mouse.dblclick(box["x"], box["y"])
    expect(page.locator("#popover")).to_be_visible()
    assert page.locator(".popover-quote").first.inner_text() == "بالفيروس"


def test_a_highlight_in_the_middle_of_a_word_changes_only_the_background(open_page, journalist):
    article = make_article(paragraphs=["يستطيعون"])
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    block = page.locator(".block-paragraph").first
    page.evaluate("() => document.fonts.ready")
    plain = block.screenshot()
    page.evaluate(
        """() => { const node = document.querySelector('.block-paragraph').firstChild;
          const r = document.createRange(); r.setStart(node, 3); r.setEnd(node, 5);
          CSS.highlights.set('nd-mention', new Highlight(r)); }"""
    )
    marked = block.screenshot()
    # The word is one text node either way: no element was wrapped around letters.
    assert block.evaluate("(e) => e.childNodes.length") == 1
    from io import BytesIO

    from PIL import Image, ImageChops

    before, after = (Image.open(BytesIO(shot)).convert("RGB") for shot in (plain, marked))
    changed = ImageChops.difference(before, after).getbbox()
    assert changed is not None, "the highlight was not painted"
    # Ink (dark pixels) is where it was: letters did not change shape or join.
    # Only a few anti-aliased edge pixels may cross the threshold on the new background.
    dark = lambda image: image.convert("L").point(lambda value: 255 if value < 100 else 0)  # noqa: E731
    ink = dark(before).histogram()[255]
    moved = ImageChops.difference(dark(before), dark(after)).histogram()[255]
    assert ink > 100 and moved <= max(4, ink * 0.02), (moved, ink)


def test_reading_works_at_360_pixels(open_page, journalist):
    article = make_article()
    page = open_page(journalist, f"/articles/{article.id}/", width=360, height=740)
    reader_ready(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    font_size = page.locator(".block-paragraph").first.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert font_size >= 16
    expect(page.locator(".panel")).to_be_visible()


def test_the_shortcut_sheet_opens_with_question_mark_and_focus_is_visible(open_page, journalist):
    page = open_page(journalist, f"/articles/{make_article().id}/")
    reader_ready(page)
    page.keyboard.press("?")
    expect(page.locator("#help-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help-dialog")).to_be_hidden()
    page.keyboard.press("Tab")  # the skip link comes first
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert outline != "none"


def test_the_header_wraps_rather_than_widening_the_page_on_a_phone_in_either_language(open_page, editor, live_server):
    page = open_page(editor, "/campaigns/", width=390, height=844)
    seen = set()
    for language in ("ar", "en"):
        switch = page.locator(f".language-form button[value={language}]")
        if switch.count():
            switch.click()  # as a user switches
            page.wait_for_load_state()
        for path in ("/campaigns/", "/articles/", "/entities/"):
            page.goto(live_server.url + path)
            seen.add(page.evaluate("() => document.documentElement.lang"))
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, (language, path)
    assert seen == {"ar", "en"}


def press_on_an_arabic_layout(page, key: str, code: str, shift: bool = False) -> None:
    """What a key press sends with an Arabic keyboard layout: the Arabic
    character as the key, the key's place as the code."""
    page.evaluate(
        "([key, code, shiftKey]) => document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key, code, shiftKey, bubbles: true, cancelable: true}))",
        [key, code, shift],
    )


def test_shortcuts_work_with_an_arabic_keyboard_layout(open_page, journalist):
    from tests.browser.test_reader import article_with_a_marked_claim

    article, *_ = article_with_a_marked_claim(journalist)
    page = open_page(journalist, f"/articles/{article.id}/")
    reader_ready(page)
    press_on_an_arabic_layout(page, "؟", "Slash", shift=True)  # the key marked ?
    expect(page.locator("#help-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    for _ in range(12):  # the key marked J types ت
        press_on_an_arabic_layout(page, "ت", "KeyJ")
        if page.evaluate("() => document.body.dataset.focused || ''").startswith("mention:"):
            break
    assert page.evaluate("() => document.body.dataset.focused || ''").startswith("mention:")
