"""PostgreSQL full-text search facts that article search relies on (ARABIC.md F25–F27)."""

import pytest
from django.db import connection

from newsdesk.text import fold

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL text search; this run uses " + connection.vendor)


def matches(document: str, query: str, config: str = "arabic", folded: bool = True) -> bool:
    if folded:
        document, query = fold(document), fold(query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector(%s::regconfig, %s) @@ plainto_tsquery(%s::regconfig, %s)", [config, document, config, query])
        return cursor.fetchone()[0]


def test_arabic_stemming_alone_misses_ta_marbuta_spelling_variants():
    assert not matches("بعد الانتخابات الامريكيه", "الأمريكية", folded=False)


@pytest.mark.parametrize("document, query", [("الانتخابات الامريكيه", "الأمريكية"), ('بـ"خطوات مشتركة', "بخطوات"), ("سيكتمل قريباً", "قريبا")])
def test_folding_first_makes_spelling_variants_match(document, query):
    assert matches(document, query)


def test_the_database_locale_splits_arabic_punctuation_from_words():
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        assert cursor.fetchone()[0] not in ("C", "POSIX")
        cursor.execute("SELECT to_tsvector('arabic', 'شي؟')::text")
        assert "؟" not in cursor.fetchone()[0]


@pytest.mark.parametrize("query", ["shake hands", "Kerry", "U.S. Secretary", "LAVROV"])
def test_the_arabic_configuration_matches_english_words_whole(query):
    caption = "U.S. Secretary of State John Kerry (L) and Sergei Lavrov shake hands"
    assert matches(caption, query)
    assert not matches(caption, "handshake")


def test_the_arabic_configuration_indexes_latin_words_as_the_simple_one_does():
    # Why one `arabic` index serves English captions too (migration newsdesk 0003).
    caption = fold("U.S. Secretary of State John Kerry (L) and Sergei Lavrov shake hands, talks in Geneva's centre")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('arabic', %s)::text = to_tsvector('simple', %s)::text", [caption, caption])
        assert cursor.fetchone()[0]
