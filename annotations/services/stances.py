"""Stances: the position of an article or a comment toward a claim, with the
spans that justify it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from annotations.access import access_claim, access_stance, require_annotator, require_work_open
from annotations.errors import Conflict, InvalidInput
from annotations.models import AuditAction, Layer, Stance, StanceLabel, StanceRationale
from annotations.representations import stance_dict
from annotations.services.audit import record_event
from annotations.services.claims import final_claim
from annotations.services.spans import CODE_POINTS, SpanTarget, checked_span, resolve_target
from annotations.services.versions import check_version
from newsdesk.bulk import insert_one

STANCE = "stance"
NOTE_DIRECTIONS = ("", "ltr", "rtl", "auto")


def _check_label(label) -> str:
    if label not in StanceLabel.values:
        raise InvalidInput(
            gettext("Unknown stance %(label)r.") % {"label": label},
            fields={"label": [gettext("Choose one of %(choices)s.") % {"choices": ", ".join(StanceLabel.values)}]},
        )
    return label


def _check_note(note, note_dir) -> tuple[str, str]:
    if not isinstance(note, str):
        raise InvalidInput(gettext("note must be a string."), fields={"note": [gettext("A string is required.")]})
    if note_dir not in NOTE_DIRECTIONS:
        raise InvalidInput(
            gettext("Unknown note direction %(direction)r.") % {"direction": note_dir}, fields={"note_dir": [gettext("Use ltr, rtl or auto.")]}
        )
    return note, note_dir


def _rationale_rows(user, stance_target: SpanTarget, rationales, unit: str) -> list[StanceRationale]:
    """Validated rationale spans. Each lies in the stance's own text: the comment,
    or a revision of the article (the current one unless it names another)."""
    if not isinstance(rationales, list):
        raise InvalidInput(gettext("rationales must be a list."), fields={"rationales": [gettext("A list is required.")]})
    rows = []
    for index, item in enumerate(rationales):
        field = f"rationales[{index}]."
        if not isinstance(item, dict):
            raise InvalidInput(
                gettext("rationales[%(index)s] must be an object.") % {"index": index},
                fields={f"rationales[{index}]": [gettext("An object is required.")]},
            )
        if stance_target.comment is not None and item.get("revision") is not None:
            raise InvalidInput(
                gettext("A comment's stance takes its rationales from the comment: rationales[%(index)s] names a revision.")
                % {"index": index},
                fields={f"{field}revision": [gettext("Not for a comment's stance.")]},
            )
        if item.get("revision") is None:
            target = stance_target
        else:
            target = resolve_target(user, revision=item["revision"], article=stance_target.article.pk)
        start, end = checked_span(target, item.get("start"), item.get("end"), item.get("quote"), unit=unit, field=field)
        rows.append(
            StanceRationale(
                article=target.article, revision=target.revision, comment=target.comment,
                start=start, end=end, quote=item["quote"], position=index,
            )
        )
    return rows


def describe_stance(stance: Stance) -> dict:
    return stance_dict(stance, list(stance.rationales.all()))


@transaction.atomic
def set_stance(
    *, annotator, target: SpanTarget, claim_id, label, note: str = "", note_dir: str = "",
    rationales: list | None = None, unit: str = CODE_POINTS,
) -> Stance:
    """Record this annotator's stance of the target (article or comment) toward
    a claim. One per annotator, target and claim: a second is a conflict that
    carries the existing stance, to be updated instead."""
    require_annotator(annotator)
    require_work_open(annotator, target.article)
    claim = final_claim(access_claim(annotator, claim_id, with_author=False))
    label = _check_label(label)
    note, note_dir = _check_note(note, note_dir)
    rows = _rationale_rows(annotator, target, rationales or [], unit)
    existing = Stance.objects.filter(
        annotator=annotator, claim=claim, article=target.article, comment=target.comment, layer=Layer.ANNOTATION
    ).first()
    if existing is not None:
        raise Conflict(gettext("You already set a stance on this text toward this claim; update it instead."), current=describe_stance(existing))
    try:
        with transaction.atomic():
            stance = insert_one(
                Stance(
                    claim=claim, article=target.article, comment=target.comment, label=label,
                    note=note, note_dir=note_dir, annotator=annotator,
                )
            )
    except IntegrityError:  # the same stance created concurrently
        existing = Stance.objects.get(
            annotator=annotator, claim=claim, article=target.article, comment=target.comment, layer=Layer.ANNOTATION
        )
        raise Conflict(gettext("You already set a stance on this text toward this claim; update it instead."), current=describe_stance(existing)) from None
    for row in rows:
        row.stance = stance
    StanceRationale.objects.bulk_create(rows)
    record_event(
        actor=annotator, action=AuditAction.CREATE, object_type=STANCE, object_id=stance.pk,
        article_id=stance.article_id, claim_id=claim.pk, after=describe_stance(stance),
    )
    return stance


def _span_keys(rationales) -> list[tuple]:
    """The rationales as a comparable list, in their order."""
    return [(r.start, r.end, r.quote, r.revision_id, r.comment_id) for r in rationales]


@transaction.atomic
def update_stance(*, user, stance_id, version, changes: dict, unit: str = CODE_POINTS, from_header: bool = False) -> Stance:
    """Change the label, note or rationales (the list is replaced as a whole)."""
    stance = access_stance(user, stance_id, for_update=True, to_change=True)
    unknown = set(changes) - {"label", "note", "note_dir", "rationales"}
    if unknown:
        raise InvalidInput(
            gettext("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, fields={name: [gettext("Not editable.")] for name in unknown}
        )
    label = _check_label(changes["label"]) if "label" in changes else stance.label
    note, note_dir = (
        _check_note(changes.get("note", stance.note), changes.get("note_dir", stance.note_dir))
        if "note" in changes or "note_dir" in changes
        else (stance.note, stance.note_dir)
    )
    rows = None
    if "rationales" in changes:
        target = SpanTarget(
            article=stance.article,
            revision=stance.article.current_revision if stance.comment_id is None else None,
            comment=stance.comment,
        )
        rows = _rationale_rows(user, target, changes["rationales"], unit)
    if (label, note, note_dir) == (stance.label, stance.note, stance.note_dir) and (
        rows is None or _span_keys(rows) == _span_keys(stance.rationales.all())
    ):
        # Already so — sent twice, or sent again after its answer was lost: nothing to
        # refuse (even on the version it was sent with) and nothing to change.
        return stance
    check_version(stance, version, describe=describe_stance, from_header=from_header, audit_type=STANCE)
    before = describe_stance(stance)
    stance.label, stance.note, stance.note_dir = label, note, note_dir
    if rows is not None:
        stance.rationales.all().delete()
        for row in rows:
            row.stance = stance
        StanceRationale.objects.bulk_create(rows)
    stance.version += 1
    stance.save(update_fields=["label", "note", "note_dir", "version", "updated_at"])
    record_event(
        actor=user, action=AuditAction.UPDATE, object_type=STANCE, object_id=stance.pk,
        article_id=stance.article_id, claim_id=stance.claim_id, before=before, after=describe_stance(stance),
    )
    return stance


@transaction.atomic
def delete_stance(*, user, stance_id, version, from_header: bool = False) -> None:
    stance = access_stance(user, stance_id, for_update=True, to_change=True)
    check_version(stance, version, describe=describe_stance, from_header=from_header, audit_type=STANCE)
    record_event(
        actor=user, action=AuditAction.DELETE, object_type=STANCE, object_id=stance.pk,
        article_id=stance.article_id, claim_id=stance.claim_id, before=describe_stance(stance),
    )
    stance.delete()


def set_stance_for(*, annotator, article=None, comment=None, **fields) -> Stance:
    """set_stance with the target given by ids, as the API receives it."""
    target = resolve_target(annotator, article=article, comment=comment)
    return set_stance(annotator=annotator, target=target, **fields)
