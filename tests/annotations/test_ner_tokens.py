"""Tokenisation with offsets and clitic handling (table-driven)."""

import pytest

from annotations.ner.evaluation import Score, score, spans
from annotations.ner.tokens import clitic_length, sentences, tokenize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("كيري ولافروف", [("كيري", 0, 4), ("ولافروف", 5, 12)]),
        ('ضد "جبهة النصرة"،', [("ضد", 0, 2), ('"', 3, 4), ("جبهة", 4, 8), ("النصرة", 9, 15), ('"', 15, 16), ("،", 16, 17)]),
        ("قريباً.", [("قريباً", 0, 6), (".", 6, 7)]),
        ("بـ\"خطوات", [("بـ", 0, 2), ('"', 2, 3), ("خطوات", 3, 8)]),
        ("💡 John Kerry", [("💡", 0, 1), ("John", 2, 6), ("Kerry", 7, 12)]),
        ("60\u00a0في", [("60", 0, 2), ("في", 3, 5)]),
    ],
)
def test_tokens_keep_code_point_offsets(text, expected):
    tokens = tokenize(text)
    assert [(t.text, t.start, t.end) for t in tokens] == expected
    assert all(text[t.start : t.end] == t.text for t in tokens)


# How often each folded form stands alone in an imagined article.
COUNTS = {"لافروف": 5, "ولافروف": 1, "جبهه": 4, "الامم": 2, "كيري": 6, "يري": 1, "وائل": 2, "بشار": 3, "امريكا": 2}


def rest_is_the_name(word, rest):
    return COUNTS.get(rest, 0) > COUNTS.get(word, 0)


@pytest.mark.parametrize(
    "word, clitic",
    [
        ("ولافروف", 1),  # و + لافروف
        ("بجبهة", 1),  # ب + جبهة
        ("للأمم", 1),  # ل + (ا)لأمم: one ل is the clitic, the other the article's
        ("والجيش", 1),  # و + الجيش: the article stays
        ("بالقاعدة", 1),  # ب + القاعدة
        ("وبالأمم", 2),
        ("وائل", 0),  # a name that starts with و stays whole
        ("بشار", 0),  # and one that starts with ب
        ("كيري", 0),  # يري (he sees) is a word too, but كيري is the one that stands alone here
        ("لافروف", 0),
        ("وكيري", 1),
        ("فأمريكا", 1),
        ("قريباً", 0),  # harakat: left whole
    ],
)
def test_proclitics_are_peeled_when_the_rest_is_the_name(word, clitic):
    assert clitic_length(word, rest_is_the_name) == clitic


def test_sentences_split_at_line_ends_and_final_punctuation():
    text = "قال كيري. ورد لافروف\nسطر جديد؟ نعم"
    groups = [[t.text for t in group] for group in sentences(tokenize(text), text)]
    assert groups == [["قال", "كيري", "."], ["ورد", "لافروف"], ["سطر", "جديد", "؟"], ["نعم"]]


@pytest.mark.parametrize(
    "tags, expected",
    [
        (["B-PERS", "I-PERS", "O", "B-LOC"], {("PERS", 0, 1), ("LOC", 3, 3)}),
        (["O", "I-ORG", "I-ORG"], {("ORG", 1, 2)}),  # I- after O starts a span (conlleval, seqeval)
        (["B-LOC", "I-ORG"], {("LOC", 0, 0), ("ORG", 1, 1)}),
        (["B-LOC", "B-LOC"], {("LOC", 0, 0), ("LOC", 1, 1)}),
    ],
)
def test_bio_spans(tags, expected):
    assert spans(tags) == expected


def test_exact_span_scores_on_a_worked_example():
    gold = [["B-PERS", "I-PERS", "O", "B-LOC", "O"], ["B-ORG", "I-ORG", "I-ORG"]]
    predicted = [["B-PERS", "I-PERS", "O", "B-ORG", "O"], ["B-ORG", "I-ORG", "O"]]
    result = score(gold, predicted)
    # PERS right; LOC missed (predicted as ORG); the ORG span is cut short: one hit of three.
    assert result["PERS"] == Score(1, 1, 1)
    assert result["LOC"] == Score(0, 0, 1)
    assert result["ORG"] == Score(0, 2, 1)
    assert result["micro"] == Score(1, 3, 3)
    assert round(result["micro"].f1, 4) == round(2 * (1 / 3) * (1 / 3) / (2 / 3), 4)
