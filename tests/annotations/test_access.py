"""The permission-checked fetches, each tried with every role."""

import pytest
from django.contrib.auth.models import Group

from annotations import access
from annotations.errors import NotAllowed, NotFound
from annotations.services.claims import create_claim
from annotations.services.mentions import create_mention_for
from annotations.services.stances import set_stance_for
from newsdesk.roles import API_CLIENT
from tests.factories import make_article

pytestmark = pytest.mark.django_db

READ, CHANGE, DENIED, MISSING = "read", "change", "denied", "missing"


@pytest.fixture
def people(journalist, second_journalist, editor, outsider, admin_user, django_user_model):
    client = django_user_model.objects.create_user("datateam")
    client.groups.add(Group.objects.get_or_create(name=API_CLIENT)[0])
    return {
        "author": journalist,
        "other annotator": second_journalist,
        "editor": editor,
        "admin": admin_user,
        "api client": client,
        "outsider": outsider,
    }


@pytest.fixture
def objects(journalist):
    article = make_article()
    text = article.current_revision.text
    claim = create_claim(user=journalist, text="ادعاء للتجربة")
    start = text.index("سيكتمل")
    mention = create_mention_for(annotator=journalist, article=article.id, start=start, end=start + 6, quote="سيكتمل", claim_id=claim.pk)
    stance = set_stance_for(annotator=journalist, article=article.id, claim_id=claim.pk, label="agree")
    return {"article": article, "claim": claim, "mention": mention, "stance": stance}


EXPECTED = {
    # who:               (read, change)
    "author": (READ, CHANGE),
    "other annotator": (READ, DENIED),
    "editor": (READ, CHANGE),
    "admin": (READ, CHANGE),
    "api client": (READ, DENIED),
    "outsider": (DENIED, DENIED),
}


def outcome(call):
    try:
        call()
    except NotAllowed:
        return DENIED
    except NotFound:
        return MISSING
    return "ok"


@pytest.mark.parametrize("who", EXPECTED)
@pytest.mark.parametrize(
    "fetch, key",
    [
        (access.access_claim, "claim"),
        (access.access_mention, "mention"),
        (access.access_stance, "stance"),
    ],
)
def test_annotations_are_read_by_roles_and_changed_by_their_author_or_an_editor(people, objects, who, fetch, key):
    user = people[who]
    can_read, can_change = EXPECTED[who]
    obj = objects[key]
    assert outcome(lambda: fetch(user, obj.pk)) == ("ok" if can_read == READ else DENIED)
    assert outcome(lambda: fetch(user, obj.pk, to_change=True)) == ("ok" if can_change == CHANGE else DENIED)
    if can_read == READ:
        assert outcome(lambda: fetch(user, 999999)) == MISSING


@pytest.mark.parametrize("who", EXPECTED)
def test_articles_comments_and_revisions_need_a_role(people, objects, who):
    user = people[who]
    article = objects["article"]
    expected = "ok" if EXPECTED[who][0] == READ else DENIED
    assert outcome(lambda: access.access_article(user, article.pk)) == expected
    assert outcome(lambda: access.access_revision(user, article.current_revision_id)) == expected
    assert outcome(lambda: access.access_comment(user, article.comments.first().pk)) == expected


@pytest.mark.parametrize("who", EXPECTED)
def test_the_text_a_new_span_lies_in_is_read_with_a_role(people, objects, who):
    user = people[who]
    article = objects["article"]
    if EXPECTED[who][0] != READ:
        assert outcome(lambda: access.access_article_text(user, article.pk)) == DENIED
        return
    found = access.access_article_text(user, str(article.pk))
    assert (found.pk, found.current_revision.pk) == (article.pk, article.current_revision_id)
    assert found.current_revision.text == article.current_revision.text
    assert found.work_handed_in is False
    assert found.title == article.title  # a field not read up front still loads
    for missing in (999999, "abc", None, -1, 2**63, "1.5"):
        assert outcome(lambda missing=missing: access.access_article_text(user, missing)) == MISSING


def test_a_claim_pointed_at_is_its_own_row_or_missing(journalist, objects):
    claim = objects["claim"]
    pointed = access.access_claim(journalist, claim.pk, with_author=False)
    assert (pointed.pk, pointed.merged_into_id) == (claim.pk, None)
    assert pointed.text == claim.text
    for missing in (999999, "x", 2**70):
        assert outcome(lambda missing=missing: access.access_claim(journalist, missing, with_author=False)) == MISSING


@pytest.mark.parametrize("who", EXPECTED)
def test_entities_are_changed_by_editors_only(people, who):
    from annotations.models import Entity

    entity = Entity.objects.create(type="PER", canonical_name="سيرغي لافروف")
    user = people[who]
    readable = EXPECTED[who][0] == READ
    assert outcome(lambda: access.access_entity(user, entity.pk)) == ("ok" if readable else DENIED)
    editor_like = who in ("editor", "admin")
    assert outcome(lambda: access.access_entity(user, entity.pk, to_change=True)) == ("ok" if editor_like else DENIED)


def test_annotating_needs_the_annotator_or_editor_role(people, objects):
    article = objects["article"]
    for who in ("api client", "outsider"):
        with pytest.raises(NotAllowed):
            create_claim(user=people[who], text="ادعاء")
        with pytest.raises(NotAllowed):
            set_stance_for(annotator=people[who], article=article.pk, claim_id=objects["claim"].pk, label="agree")
