"""Claims: create, edit, merge duplicates, delete."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from annotations.access import access_claim, require_annotator, require_editor
from annotations.errors import InvalidInput, NotAllowed
from annotations.models import AuditAction, Claim, ClaimMention, Layer, Stance, Verdict
from annotations.representations import claim_dict, mention_dict, stance_dict
from annotations.services.audit import record_event
from annotations.services.versions import check_version
from newsdesk.roles import is_editor
from newsdesk.text import canonical_text, fold, guess_language

CLAIM = "claim"
EDITABLE = ("text", "language", "claimant", "verdict")


def clean_claim_text(text) -> str:
    if not isinstance(text, str) or not canonical_text(text).strip():
        raise InvalidInput(gettext("A claim needs its statement."), fields={"text": [gettext("This field may not be blank.")]})
    return canonical_text(text).strip()


def _check_verdict(verdict) -> str:
    if verdict not in ("", *Verdict.values):
        raise InvalidInput(
            gettext("Unknown verdict %(verdict)r.") % {"verdict": verdict},
            fields={"verdict": [gettext("Choose one of %(choices)s.") % {"choices": ", ".join(Verdict.values)}]},
        )
    return verdict


def final_claim(claim: Claim) -> Claim:
    """The claim that `claim` was merged into, following merges to the end."""
    seen = set()
    while claim.merged_into_id and claim.pk not in seen:
        seen.add(claim.pk)
        claim = Claim.objects.select_related("created_by").get(pk=claim.merged_into_id)
    return claim


def claim_search_text(claim: Claim) -> str:
    """What claim search matches: the text and the claimant, folded."""
    return fold(f"{claim.text}\n{claim.claimant}")


def search_claims(queryset: QuerySet[Claim], query: str) -> QuerySet[Claim]:
    """Claims containing every word of `query`, compared folded as article
    search does (hamza forms, taa marbuta, alef maqsura, harakat, tatweel);
    punctuation around the words does not count ("موعده." finds "موعده")."""
    for word in re.findall(r"\w+", fold(query)):
        queryset = queryset.filter(search_text__contains=word)
    return queryset


@transaction.atomic
def create_claim(*, user, text: str, language: str = "", claimant: str = "", verdict: str = "") -> Claim:
    require_annotator(user)
    text = clean_claim_text(text)
    if verdict and not is_editor(user):
        raise NotAllowed(gettext("Only an editor can set a verdict."))
    claim = Claim(
        text=text,
        language=language or guess_language(text),
        claimant=(claimant or "").strip(),
        verdict=_check_verdict(verdict or ""),
        created_by=user,
    )
    claim.search_text = claim_search_text(claim)
    claim.full_clean()
    claim.save()
    record_event(actor=user, action=AuditAction.CREATE, object_type=CLAIM, object_id=claim.pk, claim_id=claim.pk, after=claim_dict(claim))
    return claim


@transaction.atomic
def update_claim(*, user, claim_id: int, version, changes: dict, from_header: bool = False) -> Claim:
    claim = access_claim(user, claim_id, for_update=True, to_change=True)
    if claim.merged_into_id:
        raise InvalidInput(
            gettext("Claim %(claim)s was merged into claim %(into)s; correct that one.") % {"claim": claim.pk, "into": claim.merged_into_id},
            fields={"claim": [gettext("Merged.")]},
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            gettext("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, fields={name: [gettext("Not editable.")] for name in unknown}
        )
    if version is not None and str(version) != str(claim.version) and _already_so(claim, changes):
        return claim  # the same change sent again (Save pressed twice): nothing to refuse or do
    check_version(claim, version, describe=claim_dict, from_header=from_header, audit_type=CLAIM)
    before = claim_dict(claim)
    old_text = claim.text
    if "text" in changes:
        claim.text = clean_claim_text(changes["text"])
    if "language" in changes or claim.text != old_text:  # new words may be in another language
        claim.language = changes.get("language") or guess_language(claim.text)
    if "claimant" in changes:
        claim.claimant = (changes["claimant"] or "").strip()
    if "verdict" in changes:
        if not is_editor(user):
            raise NotAllowed(gettext("Only an editor can set a verdict."))
        claim.verdict = _check_verdict(changes["verdict"] or "")
    claim.version += 1
    claim.search_text = claim_search_text(claim)
    claim.full_clean()
    claim.save(update_fields=[*changes, *(["language"] if claim.text != old_text else []), "search_text", "version", "updated_at"])
    record_event(actor=user, action=AuditAction.UPDATE, object_type=CLAIM, object_id=claim.pk, claim_id=claim.pk, before=before, after=claim_dict(claim))
    return claim


def _already_so(claim: Claim, changes: dict) -> bool:
    """Does the claim already read as `changes` would make it?"""
    wanted = {
        "text": lambda value: canonical_text(value).strip() if isinstance(value, str) else value,
        "claimant": lambda value: (value or "").strip(),
        "verdict": lambda value: value or "",
        "language": lambda value: value,
    }
    return all(getattr(claim, name) == wanted[name](value) for name, value in changes.items())


@transaction.atomic
def merge_claims(*, editor, claim_id: int, into_id: int) -> Claim:
    """Fold a duplicate claim into another: every mention and stance moves.
    A span one annotator marked for both keeps the surviving claim's mention;
    the duplicate's is deleted and recorded.

    Where one annotator set a stance on the same text toward both claims, the
    more recently changed stance survives and the other's removal is recorded
    in the audit trail (with its full before-state), so nothing is lost.
    """
    require_editor(editor)
    duplicate = access_claim(editor, claim_id, for_update=True)
    if str(into_id).strip() == str(duplicate.pk):
        raise InvalidInput(gettext("A claim cannot be merged into itself."), fields={"into": [gettext("Choose another claim.")]})
    target = final_claim(access_claim(editor, into_id, for_update=True))
    if duplicate.merged_into_id and final_claim(duplicate).pk == target.pk:
        return target  # merged already, as asked (sent again after a lost answer): nothing to do
    if duplicate.merged_into_id:
        raise InvalidInput(
            gettext("Claim %(claim)s was already merged into claim %(into)s.") % {"claim": duplicate.pk, "into": duplicate.merged_into_id},
            fields={"claim": [gettext("Already merged.")]},
        )
    if target.pk == duplicate.pk:
        raise InvalidInput(gettext("That would merge the claim into itself."), fields={"into": [gettext("Choose another claim.")]})
    before = claim_dict(duplicate)

    for stance in Stance.objects.filter(claim=duplicate).select_related("annotator").prefetch_related("rationales"):
        # One stance per annotator and text in the annotation layer; one per text in the final layer.
        same_author = {"annotator_id": stance.annotator_id} if stance.layer == Layer.ANNOTATION else {}
        clash = Stance.objects.filter(
            claim=target, article_id=stance.article_id, comment_id=stance.comment_id, layer=stance.layer, **same_author
        ).first()
        if clash is None:
            continue
        loser = clash if stance.updated_at >= clash.updated_at else stance
        record_event(
            actor=editor, action=AuditAction.DELETE, object_type="stance", object_id=loser.pk,
            article_id=loser.article_id, claim_id=loser.claim_id, before=stance_dict(loser),
        )
        loser.delete()
    # A span one annotator marked for both claims would be there twice: the
    # target's mention stays, the duplicate's is recorded as deleted.
    for repeat in ClaimMention.objects.filter(claim=duplicate).filter(Exists(_same_span_of(target))).select_related("annotator"):
        record_event(
            actor=editor, action=AuditAction.DELETE, object_type="mention", object_id=repeat.pk,
            article_id=repeat.article_id, claim_id=repeat.claim_id, before=mention_dict(repeat),
        )
        repeat.delete()
    # Queryset updates skip auto_now: stamp updated_at so that mirrors syncing
    # with `updated_since` see the moved rows.
    moved = {"version": F("version") + 1, "updated_at": timezone.now()}
    moved_mentions = ClaimMention.objects.filter(claim=duplicate).update(claim=target, **moved)
    moved_stances = Stance.objects.filter(claim=duplicate).update(claim=target, **moved)
    # Claims merged into the duplicate earlier now point at the surviving claim.
    Claim.objects.filter(merged_into=duplicate).update(merged_into=target, **moved)

    duplicate.merged_into = target
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])
    target.version += 1
    target.save(update_fields=["version", "updated_at"])
    record_event(
        actor=editor, action=AuditAction.MERGE, object_type=CLAIM, object_id=duplicate.pk, claim_id=target.pk,
        before=before, after={**claim_dict(duplicate), "moved_mentions": moved_mentions, "moved_stances": moved_stances},
    )
    return target


def _same_span_of(claim: Claim) -> QuerySet[ClaimMention]:
    """Mentions of `claim` on the outer mention's span in the same layer: by
    the same annotator, or by anyone in the final layer (which holds a span once)."""
    same_text = Q(revision=OuterRef("revision")) | Q(revision__isnull=True, comment=OuterRef("comment"))
    same_author = Q(annotator=OuterRef("annotator")) | Q(layer=Layer.FINAL)
    return ClaimMention.objects.filter(
        same_text, same_author, claim=claim, start=OuterRef("start"), end=OuterRef("end"), layer=OuterRef("layer"),
    )


@transaction.atomic
def delete_claim(*, user, claim_id: int, version, from_header: bool = False) -> None:
    claim = access_claim(user, claim_id, for_update=True, to_change=True)
    check_version(claim, version, describe=claim_dict, from_header=from_header, audit_type=CLAIM)
    if ClaimMention.objects.filter(claim=claim).exists() or Stance.objects.filter(claim=claim).exists():
        raise InvalidInput(
            gettext("This claim still has mentions or stances; delete them or merge the claim instead."),
            fields={"claim": [gettext("In use.")]},
        )
    if Claim.objects.filter(merged_into=claim).exists():
        raise InvalidInput(gettext("Other claims were merged into this one; it cannot be deleted."), fields={"claim": [gettext("In use.")]})
    record_event(actor=user, action=AuditAction.DELETE, object_type=CLAIM, object_id=claim.pk, claim_id=claim.pk, before=claim_dict(claim))
    claim.delete()
