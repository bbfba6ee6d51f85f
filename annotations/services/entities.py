"""Canonical entities: link mentions to them, merge and split them, and
record annotators' reviews of machine mentions.

Mentions are linked by a match key: the folded name with letter variants
unified (ج/غ for the g of foreign names: سيرجي/سيرغي; a final ة/ه/ا:
سورية/سوريا). A person mentioned by surname alone (لافروف) is linked to the
full name (سيرغي لافروف) when that surname belongs to one person only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from annotations.access import access_entity, access_entity_mention, require_annotator
from annotations.errors import Conflict, InvalidInput
from annotations.models import (
    AuditAction,
    Entity,
    EntityAlias,
    EntityMention,
    EntityType,
    MentionStatus,
    Origin,
    entity_type_in_words,
)
from annotations.representations import entity_dict, entity_mention_dict
from annotations.services.audit import record_event
from annotations.services.spans import CODE_POINTS, answer_converter, checked_span, resolve_target
from annotations.services.versions import check_version
from newsdesk.text import canonical_text, fold

logger = logging.getLogger(__name__)

_FINAL_VOWEL = re.compile(r"[هاة](?=\s|$)")
# The alias key under which a person's surname alone finds them (لافروف → سيرغي لافروف).
SURNAME_PREFIX = "surname:"
_LEADING_CLITIC_ARTICLE = re.compile(r"^(?:و|ف|ب|ك)?ال")


def match_key(name: str) -> str:
    """The form under which spellings of one name meet."""
    key = fold(name).replace("ج", "غ").replace("ؤ", "و").replace("ئ", "ي")
    key = _FINAL_VOWEL.sub("ا", key)
    return " ".join(key.split())


def _surname_key(entity_type: str, name: str) -> str | None:
    words = match_key(name).split()
    return words[-1] if entity_type == EntityType.PER and len(words) > 1 else None


def find_entity(entity_type: str, key: str) -> Entity | None:
    """The entity (merges followed) holding the match key `key`, if any."""
    alias = EntityAlias.objects.select_related("entity").filter(type=entity_type, key=key).first()
    if alias is None:
        return None
    entity = alias.entity
    while entity.merged_into_id:
        entity = Entity.objects.get(pk=entity.merged_into_id)
    return entity


def add_alias_key(entity: Entity, key: str) -> None:
    """Mentions under the match key `key` link to `entity` from now on (unless another holds it)."""
    try:
        with transaction.atomic():
            EntityAlias.objects.get_or_create(type=entity.type, key=key, defaults={"entity": entity})
    except IntegrityError:
        pass  # taken concurrently by the same or another entity: the first holds it


def link_entity(entity_type: str, surface: str) -> Entity:
    """The entity a mention of `surface` refers to, created if new."""
    key = match_key(surface)
    entity = find_entity(entity_type, key)
    if entity is None and entity_type == EntityType.PER and len(key.split()) == 1:
        entity = find_entity(entity_type, f"{SURNAME_PREFIX}{key}")
    if entity is None:
        entity = Entity.objects.create(type=entity_type, canonical_name=surface, aliases=[surface])
        add_alias_key(entity, key)
    elif surface not in entity.aliases:
        # A fuller spelling becomes the canonical name (سيرغي لافروف over لافروف).
        if len(surface.split()) > len(entity.canonical_name.split()):
            entity.canonical_name = surface
        entity.aliases = [*entity.aliases, surface]
        entity.version += 1
        entity.save(update_fields=["canonical_name", "aliases", "version", "updated_at"])
        add_alias_key(entity, key)
    surname = _surname_key(entity_type, surface)
    if surname:
        add_alias_key(entity, f"{SURNAME_PREFIX}{surname}")
    return entity


def link_entities(names: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Entity ids for many (type, surface) pairs, as `link_entity` gives them.

    Names already linked under that spelling (the usual case: news repeats
    its names) are answered from one query; the others go through
    `link_entity`, which creates or extends entities, in the order given (the
    first of two equally long spellings becomes the canonical name)."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    wanted = {}
    for entity_type, surface in names:
        surname = _surname_key(entity_type, surface)
        wanted[(entity_type, surface)] = (match_key(surface), f"{SURNAME_PREFIX}{surname}" if surname else None)
    keys = {key for pair in wanted.values() for key in pair if key}
    aliases = EntityAlias.objects.filter(type__in={t for t, _ in names}, key__in=keys).select_related("entity")
    known = {(alias.type, alias.key): alias.entity for alias in aliases}
    linked = {}
    for (entity_type, surface), (key, surname_key) in wanted.items():
        entity = known.get((entity_type, key))
        settled = (
            entity is not None
            and entity.merged_into_id is None
            and surface in entity.aliases
            and (surname_key is None or (entity_type, surname_key) in known)
        )
        linked[(entity_type, surface)] = entity.pk if settled else link_entity(entity_type, surface).pk
    return linked


def search_entities(queryset, query: str):
    """Entities with a spelling that holds every word of `query`, compared by
    match key (so سيرجي finds سيرغي, and سورية finds سوريا)."""
    words = match_key(query).split()
    if not words:
        return queryset
    spellings = EntityAlias.objects.exclude(key__startswith=SURNAME_PREFIX)  # names, not the surname index
    for word in words:
        spellings = spellings.filter(key__contains=word)
    return queryset.filter(pk__in=spellings.values("entity_id"))


# --- Editors: merge and split ----------------------------------------------------


@transaction.atomic
def merge_entities(*, editor, entity_id, into_id) -> Entity:
    """Fold a duplicate entity into another: its mentions, names and keys move."""
    duplicate = access_entity(editor, entity_id, for_update=True, to_change=True)
    target = access_entity(editor, into_id, for_update=True, to_change=True)
    if duplicate.merged_into_id is not None:
        raise InvalidInput(
            gettext("Entity %(entity)s is already merged into %(into)s.") % {"entity": duplicate.pk, "into": duplicate.merged_into_id},
            fields={"into": [gettext("Merge the surviving entity instead.")]},
        )
    while target.merged_into_id is not None:  # into a merged entity: into the one it survives in
        target = access_entity(editor, target.merged_into_id, for_update=True, to_change=True)
    if duplicate.pk == target.pk:
        raise InvalidInput(gettext("An entity cannot be merged into itself."), fields={"into": [gettext("Choose another entity.")]})
    if duplicate.type != target.type:
        raise InvalidInput(
            gettext("Cannot merge a %(type)s into a %(into)s.")
            % {"type": entity_type_in_words(duplicate.type), "into": entity_type_in_words(target.type)},
            fields={"into": [gettext("Types differ.")]},
        )
    before = entity_dict(duplicate)
    moved = EntityMention.objects.filter(entity=duplicate).update(entity=target, version=F("version") + 1, updated_at=timezone.now())
    EntityAlias.objects.filter(entity=duplicate).update(entity=target)
    target.aliases = list(dict.fromkeys([*target.aliases, *duplicate.aliases]))
    target.listed = target.listed or duplicate.listed  # a listed name stays looked for under the survivor
    target.version += 1
    target.save(update_fields=["aliases", "listed", "version", "updated_at"])
    duplicate.merged_into = target
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])
    record_event(actor=editor, action=AuditAction.MERGE, object_type="entity", object_id=duplicate.pk,
                 before=before, after={**entity_dict(duplicate), "moved_mentions": moved})
    return target


@transaction.atomic
def split_entity(*, editor, entity_id, mention_ids: list[int], canonical_name: str) -> Entity:
    """Move some mentions of an entity to a new entity named `canonical_name`
    (two people that were linked as one)."""
    source = access_entity(editor, entity_id, for_update=True, to_change=True)
    before = entity_dict(source)
    name = _new_name(source, canonical_name, keep=None)
    mentions = EntityMention.objects.filter(entity=source, pk__in=mention_ids)
    if mentions.count() != len(set(mention_ids)) or not mention_ids:
        raise InvalidInput(gettext("Every mention to split off must belong to this entity."), fields={"mentions": [gettext("Unknown mention.")]})
    if not EntityMention.objects.filter(entity=source).exclude(pk__in=mention_ids).exists():
        raise InvalidInput(
            gettext("That would move every mention: nothing would be left of this entity. Leave some, or rename it instead."),
            fields={"mentions": [gettext("Leave at least one mention.")]},
        )
    new = Entity.objects.create(type=source.type, canonical_name=name, aliases=sorted({m.quote for m in mentions} | {name}))
    surfaces = set(mentions.values_list("quote", flat=True))
    mentions.update(entity=new, version=F("version") + 1, updated_at=timezone.now())
    remaining = set(EntityMention.objects.filter(entity=source).values_list("quote", flat=True))
    gone = surfaces - remaining
    kept_keys = {match_key(surface) for surface in remaining}
    for surface in gone:
        if match_key(surface) not in kept_keys:  # سيرجي gone but سيرغي kept: one key, it stays
            EntityAlias.objects.filter(entity=source, key=match_key(surface)).update(entity=new)
    add_alias_key(new, match_key(name))
    # Spellings no mention of it uses any more are the new entity's now; so is
    # its name if it was one of them (the fullest remaining spelling takes over).
    source.aliases = [alias for alias in source.aliases if alias not in gone]
    if source.canonical_name in gone:
        source.canonical_name = max(sorted(remaining), key=lambda spelling: len(spelling.split()))
        _name_changed_on_mentions(source)
    source.version += 1  # it changed (fewer mentions): clients holding it see a new version
    source.save(update_fields=["canonical_name", "aliases", "version", "updated_at"])
    record_event(actor=editor, action="update", object_type="entity", object_id=source.pk,
                 before=before, after={**entity_dict(source), "split_into": new.pk, "mentions": sorted(mention_ids)})
    return new


@transaction.atomic
def rename_entity(*, editor, entity_id, version, canonical_name, from_header: bool = False) -> Entity:
    """Give an entity the name it is shown by; the old name stays one of its
    spellings. A name that already belongs to another entity is refused:
    the two are one, and merging says so."""
    entity = access_entity(editor, entity_id, for_update=True, to_change=True)
    if entity.merged_into_id:
        raise InvalidInput(
            gettext("Entity %(entity)s was merged into %(into)s; rename that one.") % {"entity": entity.pk, "into": entity.merged_into_id},
            fields={"canonical_name": [gettext("Merged.")]},
        )
    check_version(entity, version, describe=entity_dict, from_header=from_header)
    name = _new_name(entity, canonical_name, keep=entity)
    before = entity_dict(entity)
    entity.canonical_name = name
    entity.aliases = list(dict.fromkeys([*entity.aliases, name]))
    entity.version += 1
    entity.save(update_fields=["canonical_name", "aliases", "version", "updated_at"])
    add_alias_key(entity, match_key(name))
    if name != before["canonical_name"]:
        _name_changed_on_mentions(entity)
    record_event(actor=editor, action=AuditAction.UPDATE, object_type="entity", object_id=entity.pk, before=before, after=entity_dict(entity))
    return entity


def _name_changed_on_mentions(entity: Entity) -> None:
    """An entity's mentions show its name (`entity_name`): renaming it changes
    them too, so they get a new version and `updated_at` (a client mirroring
    with updated_since fetches them again)."""
    EntityMention.objects.filter(entity=entity).update(version=F("version") + 1, updated_at=timezone.now())


def _new_name(entity: Entity, name, *, keep: Entity | None) -> str:
    """A name for `entity` (keep: itself) or for one split from it (keep:
    None), cleaned as text is, or InvalidInput: blank, or already the name of
    another entity of that type (then the two are one, and merging says so)."""
    name = " ".join(canonical_text(name if isinstance(name, str) else "").split())
    if not name:
        raise InvalidInput(gettext("Name the entity."), fields={"canonical_name": [gettext("This field may not be blank.")]})
    owner = find_entity(entity.type, match_key(name))
    if owner is not None and (keep is None or owner.pk != keep.pk):
        raise InvalidInput(
            gettext("«%(name)s» is already the name of entity %(entity)s (%(owner_name)s); merge into it instead.")
            % {"name": name, "entity": owner.pk, "owner_name": owner.canonical_name},
            fields={"canonical_name": [gettext("Belongs to entity %(entity)s.") % {"entity": owner.pk}]},
        )
    return name


@transaction.atomic
def split_entity_by_spellings(*, editor, entity_id, spellings: list[str], canonical_name: str) -> Entity:
    """split_entity for the mentions written in `spellings`, as the entity page
    offers it (two people linked as one usually differ by how they are
    written); rejected mentions, which the page does not list, stay."""
    access_entity(editor, entity_id, for_update=True, to_change=True)
    chosen = {spelling for spelling in spellings if spelling}
    if not chosen:
        raise InvalidInput(
            gettext("Choose the spellings whose mentions go to the new entity."), fields={"mentions": [gettext("Choose at least one.")]}
        )
    mention_ids = list(
        EntityMention.objects.filter(entity_id=entity_id, quote__in=chosen).exclude(status=MentionStatus.REJECTED).values_list("pk", flat=True)
    )
    if not mention_ids:
        raise InvalidInput(gettext("None of those spellings is a mention of this entity."), fields={"mentions": [gettext("Unknown spelling.")]})
    return split_entity(editor=editor, entity_id=entity_id, mention_ids=mention_ids, canonical_name=canonical_name)


# --- Annotators: review machine mentions, add their own -------------------------------

REVIEW_ACTIONS = ("accept", "reject", "retype")


@transaction.atomic
def review_entity_mention(*, user, mention_id, action: str, version, entity_type: str | None = None, from_header=False) -> EntityMention:
    """Accept, reject or retype a mention. The decision is kept through
    re-extraction and feeds model retraining."""
    from annotations.services.versions import check_version

    mention = access_entity_mention(user, mention_id, for_update=True, to_change=True)
    check_version(mention, version, describe=entity_mention_dict, from_header=from_header)
    if action not in REVIEW_ACTIONS:
        raise InvalidInput(
            gettext("Unknown review action %(action)r.") % {"action": action},
            fields={"action": [gettext("Choose %(choices)s.") % {"choices": ", ".join(REVIEW_ACTIONS)}]},
        )
    before = entity_mention_dict(mention)
    if action == "reject":
        mention.status = MentionStatus.REJECTED
    else:
        mention.status = MentionStatus.ACCEPTED
        if action == "retype":
            if entity_type not in EntityType.values:
                raise InvalidInput(
                    gettext("Give the new type."), fields={"type": [gettext("Choose %(choices)s.") % {"choices": ", ".join(EntityType.values)}]}
                )
            mention.type = entity_type
            mention.entity = link_entity(entity_type, mention.quote)
    mention.annotator = user
    mention.version += 1
    mention.save(update_fields=["status", "type", "entity", "annotator", "version", "updated_at"])
    if action != "accept":  # accepting a suggestion as it is teaches the model nothing new
        _taught_name(mention.quote)
    record_event(actor=user, action=AuditAction.UPDATE, object_type="entity_mention", object_id=mention.pk,
                 article_id=mention.article_id, before=before, after=entity_mention_dict(mention))
    return mention


def _taught_name(name: str) -> None:
    """Once this decision is committed, the worker looks for the name again in
    the newest articles (services.extraction.extract_again_where_named)."""
    from annotations.tasks import extract_where_named_task

    def send():
        try:
            extract_where_named_task.apply_async((name,))
        except Exception:  # the broker is down: the name still applies to every later extraction
            logger.warning("could not send the re-extraction of %r to the broker", name, exc_info=True)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def add_entity_mention(*, user, entity_type, start, end, quote, article=None, revision=None, comment=None, unit=CODE_POINTS) -> EntityMention:
    """A mention the extractor missed, marked by a person."""
    require_annotator(user)
    if entity_type not in EntityType.values:
        raise InvalidInput(
            gettext("Unknown entity type %(type)r.") % {"type": entity_type},
            fields={"type": [gettext("Choose %(choices)s.") % {"choices": ", ".join(EntityType.values)}]},
        )
    target = resolve_target(user, article=article, revision=revision, comment=comment)
    start, end = checked_span(target, start, end, quote, unit=unit)
    twin = (
        EntityMention.objects.filter(
            origin=Origin.PERSON, annotator=user, type=entity_type, start=start, end=end,
            revision=target.revision if target.comment is None else None, comment=target.comment,
        )
        .exclude(status=MentionStatus.REJECTED)
        .select_related("entity", "annotator")
        .first()
    )
    if twin is not None:
        raise Conflict(gettext("You already marked this text as this entity."), current=entity_mention_dict(twin, answer_converter(target, unit)))
    mention = EntityMention.objects.create(
        article=target.article, revision=target.revision, comment=target.comment, start=start, end=end, quote=quote,
        type=entity_type, entity=link_entity(entity_type, quote), origin=Origin.PERSON, status=MentionStatus.ACCEPTED,
        annotator=user,
    )
    _taught_name(quote)
    record_event(actor=user, action=AuditAction.CREATE, object_type="entity_mention", object_id=mention.pk,
                 article_id=mention.article_id, after=entity_mention_dict(mention))
    return mention
