"""One mention per annotator, span and claim (and one per span and claim in
the final layer): the repeats already stored are folded into the first, then
the constraints are added."""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TEXT = ("claim_id", "revision_id", "comment_id", "start", "end", "layer")


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def remove_repeated_mentions(apps, schema_editor):
    """Of identical mentions by one annotator (in the final layer: by anyone),
    keep the first. Each removed one is recorded as a deletion (the tombstone
    API mirrors read) with its full state, in the name of the annotator whose
    repeat it was, so that blind campaigns keep it from the others, and with
    why in `after`. Repeats are rare: one aggregate query finds them, and only
    they are visited. The table is locked meanwhile so that no new repeat
    slips in before the constraints are built."""
    ClaimMention = apps.get_model("annotations", "ClaimMention")
    AuditEvent = apps.get_model("annotations", "AuditEvent")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"LOCK TABLE {ClaimMention._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    now = timezone.now()
    for fields, mentions in (
        (("annotator_id", *TEXT), ClaimMention.objects.filter(layer="annotation")),
        (TEXT, ClaimMention.objects.filter(layer="final")),
    ):
        repeated = mentions.values(*fields).annotate(count=models.Count("id"), first=models.Min("id")).filter(count__gt=1)
        for group in repeated:
            span = {name: group[name] for name in fields}
            for mention in mentions.filter(**span).exclude(id=group["first"]).select_related("annotator"):
                AuditEvent.objects.create(
                    at=now, actor_id=mention.annotator_id, action="delete", object_type="mention", object_id=mention.id,
                    article_id=mention.article_id, claim_id=mention.claim_id,
                    before={
                        "id": mention.id, "claim": mention.claim_id, "target_type": "comment" if mention.comment_id else "article",
                        "article": mention.article_id, "revision": mention.revision_id, "comment": mention.comment_id,
                        "start": mention.start, "end": mention.end, "quote": mention.quote,
                        "annotator": mention.annotator.username, "layer": mention.layer, "version": mention.version,
                        "created_at": _iso(mention.created_at), "updated_at": _iso(mention.updated_at),
                    },
                    after={"removed_as_repeat_of": group["first"], "by": "migration annotations.0009_mention_once"},
                )
                mention.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0008_admin_names_in_the_interface_language"),
        ("newsdesk", "0006_admin_names_in_the_interface_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(remove_repeated_mentions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="claimmention",
            constraint=models.UniqueConstraint(
                condition=models.Q(("comment__isnull", True)),
                fields=("annotator", "claim", "revision", "start", "end", "layer"),
                name="mention_once_in_article_text",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimmention",
            constraint=models.UniqueConstraint(
                condition=models.Q(("comment__isnull", False)),
                fields=("annotator", "claim", "comment", "start", "end", "layer"),
                name="mention_once_in_comment",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimmention",
            constraint=models.UniqueConstraint(
                condition=models.Q(("comment__isnull", True), ("layer", "final")),
                fields=("claim", "revision", "start", "end"),
                name="final_mention_once_in_article_text",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimmention",
            constraint=models.UniqueConstraint(
                condition=models.Q(("comment__isnull", False), ("layer", "final")),
                fields=("claim", "comment", "start", "end"),
                name="final_mention_once_in_comment",
            ),
        ),
    ]
