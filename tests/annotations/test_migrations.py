"""Data migrations, run against a database holding the rows they change."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations.models import AuditEvent, ClaimMention
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = ("annotations", "0008_admin_names_in_the_interface_language"), ("annotations", "0009_mention_once")


def migrate(*targets):
    """Migrate to `targets` (none: the latest of every app); the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = list(targets) or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_repeated_mentions_are_folded_into_the_first_and_recorded(journalist, second_journalist):
    article = make_article()
    apps = migrate(BEFORE)
    try:
        Claim, OldMention = apps.get_model("annotations", "Claim"), apps.get_model("annotations", "ClaimMention")
        claim = Claim.objects.create(text="ادعاء", created_by_id=journalist.pk, language="ar")
        text = article.current_revision.text

        def mark(annotator, start, end, layer="annotation"):
            return OldMention.objects.create(
                article_id=article.id, revision_id=article.current_revision_id, start=start, end=end, quote=text[start:end],
                claim=claim, annotator_id=annotator.pk, layer=layer, version=1,
            )

        first, repeat, _, other_span, other_person = mark(journalist, 0, 4), mark(journalist, 0, 4), mark(journalist, 0, 4), mark(journalist, 0, 5), mark(second_journalist, 0, 4)
        # The final layer holds a span once, whoever adopted it.
        final, final_repeat = mark(journalist, 1, 6, layer="final"), mark(second_journalist, 1, 6, layer="final")
        migrate(AFTER)
    finally:
        migrate()
    assert set(ClaimMention.objects.values_list("id", flat=True)) == {first.id, other_span.id, other_person.id, final.id}
    removed = AuditEvent.objects.filter(action="delete", object_type="mention").order_by("object_id")
    assert [event.object_id for event in removed] == [repeat.id, repeat.id + 1, final_repeat.id]
    assert removed[0].after["removed_as_repeat_of"] == first.id and removed[0].before["quote"] == text[0:4]
    assert removed[0].actor_id == journalist.pk and removed[0].before["created_at"].endswith("Z")
    assert removed[2].after["removed_as_repeat_of"] == final.id and removed[2].actor_id == second_journalist.pk
