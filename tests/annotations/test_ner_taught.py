"""Names people taught the product: confirmed names are found in new texts at
once, corrected types apply, names rejected again and again are not suggested."""

import pytest

from annotations.models import EntityMention, MentionStatus
from annotations.ner.extractor import SHIPPED_MODEL, SHIPPED_VERSION, Extractor
from annotations.ner.taught import TaughtNames
from annotations.services.entities import add_entity_mention, review_entity_mention
from tests.factories import make_article

# A made-up company: no model or name list knows it.
COMPANY = "بتروسال"


def found(text, taught=None):
    return [(entity.text, entity.type) for entity in extractor().extract(text, taught)]


def extractor():
    return Extractor(SHIPPED_MODEL, SHIPPED_VERSION)


def taught(*decisions):
    return TaughtNames.from_decisions(decisions)


COMPANY_TEXTS = [
    f"أعلنت {COMPANY} أرباحها السنوية.",
    f"وقالت إن و{COMPANY} ستبيع مصنعها.",  # the clitic stays out of the span
    f"ودعمت الحكومة ل{COMPANY} الجديدة.",
    f"Shares of {COMPANY} rose.",  # an English caption too
]


@pytest.mark.parametrize("text", COMPANY_TEXTS)
def test_a_confirmed_name_is_found_in_a_new_text(text):
    assert not [name for name, _ in found(text) if COMPANY in name]  # the model alone does not know it
    assert (COMPANY, "ORG") in found(text, taught((COMPANY, "ORG", True, 1)))


def test_a_confirmed_name_matches_its_other_spellings():
    text = "أعلنت ابتروساله أرباحها السنوية."  # taught as إبتروسالة: hamza and taa marbuta fold away
    assert not found(text)
    assert ("ابتروساله", "ORG") in found(text, taught(("إبتروسالة", "ORG", True, 1)))


def test_a_confirmed_multi_word_name_replaces_the_shorter_spans_inside_it():
    text = "فاز أتليتكو مدريد على خيتافي."
    assert ("مدريد", "LOC") in found(text)  # the model alone: the city in the club's name
    names = taught(("أتليتكو مدريد", "ORG", True, 1))
    result = found(text, names)
    assert ("أتليتكو مدريد", "ORG") in result
    assert not [name for name, _ in result if name == "مدريد"]


def test_a_type_people_corrected_replaces_the_models():
    text = "وقال وزير الخارجية الروسي سيرغي لافروف إن الحل سياسي."
    assert ("سيرغي لافروف", "PER") in found(text)
    assert ("سيرغي لافروف", "MISC") in found(text, taught(("سيرغي لافروف", "MISC", True, 1)))


def test_a_name_rejected_twice_and_never_confirmed_is_not_suggested_again():
    text = "وقال وزير الخارجية الروسي سيرغي لافروف إن الحل سياسي."
    once = taught(("سيرغي لافروف", "PER", False, 1))
    twice = taught(("سيرغي لافروف", "PER", False, 2))
    outweighed = taught(("سيرغي لافروف", "PER", False, 2), ("سيرغي لافروف", "PER", True, 3))
    assert ("سيرغي لافروف", "PER") in found(text, once)  # once may be about that one sentence
    assert ("سيرغي لافروف", "PER") not in found(text, twice)
    assert ("سيرغي لافروف", "PER") in found(text, outweighed)


def test_the_type_given_most_often_wins():
    names = taught((COMPANY, "ORG", True, 3), (COMPANY, "MISC", True, 1))
    assert (COMPANY, "ORG") in found(f"أعلنت {COMPANY} أرباحها.", names)


@pytest.mark.django_db
def test_a_name_an_annotator_adds_is_suggested_in_the_next_article(journalist, django_capture_on_commit_callbacks):
    first_text = f"أعلنت شركة {COMPANY} للأدوية أرباحها."
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article(paragraphs=(first_text,))
    start = first.current_revision.text.index(COMPANY)
    add_entity_mention(
        user=journalist, entity_type="ORG", start=start, end=start + len(COMPANY), quote=COMPANY, article=first.id
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = make_article(paragraphs=(f"وقالت و{COMPANY} إنها ستبني مصنعًا في حلب.",))
    text = second.current_revision.text
    suggested = EntityMention.objects.get(article=second, quote=COMPANY)
    assert (suggested.origin, suggested.status, suggested.type) == ("machine", MentionStatus.SUGGESTED, "ORG")
    assert text[suggested.start : suggested.end] == COMPANY
    assert suggested.entity.canonical_name == COMPANY  # the same entity as the annotator's mention


@pytest.mark.django_db
def test_a_suggestion_rejected_in_two_articles_is_not_made_in_a_third(journalist, django_capture_on_commit_callbacks):
    sentence = "وقال وزير الخارجية الروسي سيرغي لافروف إن الحل سياسي."
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(paragraphs=(sentence,))
        mention = EntityMention.objects.get(article=article, quote="سيرغي لافروف")
        review_entity_mention(user=journalist, mention_id=mention.pk, action="reject", version=mention.version)
    with django_capture_on_commit_callbacks(execute=True):
        third = make_article(paragraphs=(sentence,))
    assert not EntityMention.objects.filter(article=third, quote="سيرغي لافروف").exists()


def add_company_mention(user, article):
    start = article.current_revision.text.index(COMPANY)
    return add_entity_mention(
        user=user, entity_type="ORG", start=start, end=start + len(COMPANY), quote=COMPANY, article=article.id
    )


@pytest.mark.django_db
def test_a_name_taught_in_one_article_is_suggested_in_those_imported_before(journalist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article(paragraphs=(f"أعلنت {COMPANY} أرباحها.",))
        earlier = make_article(paragraphs=(f"افتتحت {COMPANY} مصنعًا جديدًا قرب حمص.",))
        unrelated = make_article(paragraphs=("هطلت أمطار غزيرة على دمشق.",))
    assert not EntityMention.objects.filter(article=earlier, quote=COMPANY).exists()
    runs_before = unrelated.extraction_runs.count()
    with django_capture_on_commit_callbacks(execute=True):
        add_company_mention(journalist, first)
    suggested = EntityMention.objects.get(article=earlier, quote=COMPANY)
    assert (suggested.origin, suggested.status, suggested.type) == ("machine", "suggested", "ORG")
    assert unrelated.extraction_runs.count() == runs_before  # only articles that may hold the name
    # Where the annotator marked it, their mention stands alone: no suggestion joins it.
    assert list(EntityMention.objects.filter(article=first, quote=COMPANY).values_list("origin", flat=True)) == ["person"]


@pytest.mark.django_db
def test_looking_for_a_taught_name_again_can_be_turned_off(journalist, settings, django_capture_on_commit_callbacks):
    settings.NEWSDESK_TAUGHT_NAME_ARTICLES = 0
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article(paragraphs=(f"أعلنت {COMPANY} أرباحها.",))
        earlier = make_article(paragraphs=(f"افتتحت {COMPANY} مصنعًا جديدًا قرب حمص.",))
    with django_capture_on_commit_callbacks(execute=True):
        add_company_mention(journalist, first)
    assert earlier.extraction_runs.count() == 1  # not extracted again
    assert not EntityMention.objects.filter(article=earlier, quote=COMPANY).exists()


@pytest.mark.django_db
def test_a_mention_whose_audit_event_cannot_be_written_is_not_left_behind(journalist, monkeypatch):
    from annotations.services import entities

    article = make_article(paragraphs=(f"أعلنت {COMPANY} أرباحها.",))

    def refuse(**event):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(entities, "record_event", refuse)
    with pytest.raises(RuntimeError):
        add_company_mention(journalist, article)
    assert not EntityMention.objects.filter(article=article, origin="person").exists()  # all or nothing


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ودعمت الحكومة للبتروسال خطتها.", "لبتروسال"),  # لل: the second ل is the article's, as in the model's spans
        ("وقالت والبتروسال إنها ستتوسع.", "البتروسال"),  # و + the article: the article stays
    ],
)
def test_a_taught_name_with_the_article_is_found_behind_a_clitic(text, expected):
    assert not [name for name, _ in found(text) if "بتروسال" in name]
    assert (expected, "ORG") in found(text, taught(("البتروسال", "ORG", True, 1)))
