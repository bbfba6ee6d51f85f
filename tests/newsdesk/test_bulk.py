"""insert_one: a new row as Model.save() writes it, in one statement; insert_rows:
bulk rows (COPY on PostgreSQL) that read back exactly as they were given."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.models import AuditEvent, ClaimMention, Stance
from annotations.services.claims import create_claim
from newsdesk.bulk import insert_one, insert_rows
from newsdesk.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_new_row_gets_its_id_defaults_and_times(journalist):
    article = make_article()
    claim = create_claim(user=journalist, text="ادعاء")
    mention = insert_one(
        ClaimMention(claim=claim, article=article, revision=article.current_revision, start=0, end=3,
                     quote=article.current_revision.text[:3], annotator=journalist)
    )
    stored = ClaimMention.objects.get(pk=mention.pk)
    assert (stored.version, stored.layer, stored.quote) == (1, "annotation", article.current_revision.text[:3])
    assert stored.created_at == mention.created_at and stored.updated_at == mention.updated_at
    assert mention._state.adding is False
    mention.quote = "x"
    mention.save(update_fields=["quote"])  # saved later as any fetched row
    assert ClaimMention.objects.get(pk=mention.pk).quote == "x"


def test_json_and_null_columns_round_trip(journalist):
    event = insert_one(AuditEvent(actor=None, action="create", object_type="mention", object_id=7,
                                  after={"quote": "«السد» 👍🏽", "start": 3}))
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == {"quote": "«السد» 👍🏽", "start": 3}
    assert stored.before is None and stored.actor_id is None and stored.at is not None


def test_a_constraint_is_the_database_error_and_an_existing_row_is_refused(journalist):
    article = make_article()
    claim = create_claim(user=journalist, text="ادعاء")
    first = insert_one(Stance(claim=claim, article=article, label="agree", annotator=journalist))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(Stance(claim=claim, article=article, label="disagree", annotator=journalist))
    with pytest.raises(ValueError, match="new rows"):
        insert_one(first)


def test_bulk_rows_keep_escapes_empty_strings_and_nulls():
    article = make_article()
    now = timezone.now()
    tricky = "سطر أول\tبعد جدولة\r\nC:\\new\\table \\N 👍🏽"
    rows = [
        {"article_id": article.id, "position": 10 + n, "author": author, "title": "", "text": text,
         "text_hash": f"{n}" * 64, "text_notes": notes, "language": "ar", "posted_at_text": "",
         "posted_at": posted, "created_at": now, "updated_at": now}
        for n, (author, text, notes, posted) in enumerate([
            ("\\N", tricky, {"path": "a\\b", "tab": "\t"}, None),
            ("", "\\", {}, now),
        ])
    ]
    ids = insert_rows(Comment, rows)
    first, second = (Comment.objects.get(pk=pk) for pk in ids)
    assert (first.author, first.text, first.text_notes, first.posted_at) == ("\\N", tricky, {"path": "a\\b", "tab": "\t"}, None)
    assert (second.author, second.title, second.text, second.posted_at) == ("", "", "\\", now)
