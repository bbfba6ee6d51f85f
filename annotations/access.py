"""Permission-checked fetches: the only way views, API views and services get
objects. Each returns the object or raises NotFound / NotAllowed, and is
tested once with every role (tests/annotations/test_access.py).

Reading needs a role; changing an annotation needs to be its author, an
editor or an admin.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext, gettext_lazy

from annotations.errors import NotAllowed, NotFound
from annotations.models import (
    AnnotationTask,
    Campaign,
    CampaignMember,
    CampaignRole,
    CampaignState,
    Claim,
    ClaimMention,
    Entity,
    EntityMention,
    Stance,
    TaskState,
)
from newsdesk.models import Article, ArticleRevision, Comment
from newsdesk.roles import EDITOR, can_annotate, can_read, is_editor

# "No … with id …" is one whole sentence per kind of object, so that each
# language can say it as it says it (in Arabic the noun's gender shapes the verb).
NO_SUCH = {
    "article": gettext_lazy("No article with id %(id)s."),
    "article revision": gettext_lazy("No article revision with id %(id)s."),
    "comment": gettext_lazy("No comment with id %(id)s."),
    "claim": gettext_lazy("No claim with id %(id)s."),
    "mention": gettext_lazy("No mention with id %(id)s."),
    "stance": gettext_lazy("No stance with id %(id)s."),
    "entity": gettext_lazy("No entity with id %(id)s."),
    "entity mention": gettext_lazy("No entity mention with id %(id)s."),
    "campaign": gettext_lazy("No campaign with id %(id)s."),
    "task": gettext_lazy("No task with id %(id)s."),
}
FINAL_LAYER_EDITORS_ONLY = {
    "mention": gettext_lazy("Only an editor can change the final layer's mention."),
    "stance": gettext_lazy("Only an editor can change the final layer's stance."),
}
OWN_ANNOTATION_ONLY = {
    "mention": gettext_lazy("Only the mention's annotator or an editor can change it."),
    "stance": gettext_lazy("Only the stance's annotator or an editor can change it."),
}


def require_reader(user) -> None:
    if not can_read(user):
        raise NotAllowed(gettext("You have no role in Newsdesk; ask an admin for access."))


def _get(queryset: QuerySet, pk, label: str, *, for_update: bool) -> Model:
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(NO_SUCH[label] % {"id": pk}) from None


def access_article(user, article_id, *, for_update: bool = False) -> Article:
    require_reader(user)
    # The folded search copy and the raw page are large and never shown here.
    articles = Article.objects.select_related("source", "current_revision").defer(
        "search_text", "current_revision__raw_page", "current_revision__removed"
    )
    return _get(articles, article_id, "article", for_update=for_update)


def access_article_text(user, article_id) -> Article:
    """The article with only what a span on its current text needs (its id and
    the current revision's id and text). For an annotator it also says, in the
    same query, whether they handed in their work on it (`work_handed_in`, see
    require_work_open).

    Creating an annotation is the busiest write, and building this query with
    the ORM (select_related, only, the EXISTS annotation) cost it a millisecond
    of Python per request, eight times the query written out
    (docs/benchmarks.md); the instances are built as the ORM builds deferred
    ones, so any other field still loads on access."""
    require_reader(user)
    pk = _integer_id(article_id, "article")
    handed_in, params = ("FALSE", []) if is_editor(user) else _handed_in_sql(user)
    article_table, revision_table = Article._meta.db_table, ArticleRevision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {article_table}.current_revision_id, revision.text, {handed_in} FROM {article_table} "
            f"LEFT JOIN {revision_table} revision ON revision.id = {article_table}.current_revision_id "
            f"WHERE {article_table}.id = %s",
            [*params, pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound(NO_SUCH["article"] % {"id": article_id})
    revision_id, text, work_handed_in = row
    article = Article.from_db(connection.alias, ["id", "current_revision_id"], [pk, revision_id])
    article.current_revision = (
        ArticleRevision.from_db(connection.alias, ["id", "article_id", "text"], [revision_id, pk, text]) if revision_id else None
    )
    article.work_handed_in = bool(work_handed_in)
    return article


def as_id(value) -> int | None:
    """A row id (or version) as sent: a positive integer that fits a bigint,
    given as a number or as ASCII digits; anything else is None."""
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) < 20 else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value < 2**63 else None


def _integer_id(value, label: str) -> int:
    pk = as_id(value)
    if pk is None:
        raise NotFound(NO_SUCH[label] % {"id": value})
    return pk


def _handed_in_sql(user) -> tuple[str, list]:
    """Has `user` a handed-in task on the outer article? One table and no join
    (the campaign's state is checked, on a hit, by require_work_open)."""
    states = ", ".join(["%s"] * len(HANDED_IN_STATES))
    sql = (
        f"EXISTS (SELECT 1 FROM {AnnotationTask._meta.db_table} handed_in WHERE handed_in.annotator_id = %s "
        f"AND handed_in.article_id = {Article._meta.db_table}.id AND handed_in.state IN ({states}))"
    )
    return sql, [user.pk, *map(str, HANDED_IN_STATES)]


# Work handed in to an editor: no longer the annotator's to change, unless the
# editor asks for changes (which reopens the task).
HANDED_IN_STATES = [TaskState.SUBMITTED, TaskState.ACCEPTED, TaskState.REJECTED]


def _handed_in_tasks(user, article) -> QuerySet:
    return AnnotationTask.objects.filter(
        annotator=user, article=article, campaign__state=CampaignState.ACTIVE, state__in=HANDED_IN_STATES
    )


def require_work_open(user, article: Article | int) -> None:
    """Refuse an annotator's change to their annotations of an article whose
    task in an active campaign they have handed in: what the editor reviewed
    and the agreement figures count must not change under them."""
    if is_editor(user):
        return
    if getattr(article, "work_handed_in", True) is False:  # known from access_article_text
        return
    article_id = article.pk if isinstance(article, Article) else article
    task = _handed_in_tasks(user, article_id).select_related("campaign").first()
    if task is not None:
        raise NotAllowed(
            gettext("Your work on this article is {state} in the campaign «{campaign}»; it can change again if an editor asks for changes.").format(
                state=TaskState(task.state).label, campaign=task.campaign.name
            )
        )


def access_revision(user, revision_id) -> ArticleRevision:
    require_reader(user)
    return _get(ArticleRevision.objects.select_related("article"), revision_id, "article revision", for_update=False)


def access_comment(user, comment_id) -> Comment:
    require_reader(user)
    return _get(Comment.objects.select_related("article"), comment_id, "comment", for_update=False)


def access_claim(user, claim_id, *, for_update: bool = False, to_change: bool = False, with_author: bool = True) -> Claim:
    """`with_author=False` when the claim is only pointed at (a new mention or
    stance): then only its id and merge are read, written out for the busiest
    writes as access_article_text is; other fields load on access."""
    require_reader(user)
    if not with_author and not for_update and not to_change:
        return _pointed_claim(claim_id)
    claims = Claim.objects.select_related("created_by") if with_author else Claim.objects.all()
    claim = _get(claims, claim_id, "claim", for_update=for_update)
    if to_change and not can_change_claim(user, claim):
        raise NotAllowed(gettext("Only the claim's author or an editor can change it."))
    return claim


def can_change_claim(user, claim: Claim) -> bool:
    return is_editor(user) or (can_annotate(user) and claim.created_by_id == user.pk)


def _pointed_claim(claim_id) -> Claim:
    pk = _integer_id(claim_id, "claim")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT merged_into_id FROM {Claim._meta.db_table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(NO_SUCH["claim"] % {"id": claim_id})
    return Claim.from_db(connection.alias, ["id", "merged_into_id"], [pk, row[0]])


def _access_annotation(user, queryset, pk, label, *, for_update, to_change):
    require_reader(user)
    annotation = _get(visible_annotations(user, queryset), pk, label, for_update=for_update)
    if to_change and annotation.layer == "final" and not is_editor(user):
        raise NotAllowed(str(FINAL_LAYER_EDITORS_ONLY[label]))
    if to_change and not (is_editor(user) or (can_annotate(user) and annotation.annotator_id == user.pk)):
        raise NotAllowed(str(OWN_ANNOTATION_ONLY[label]))
    if to_change:
        require_work_open(user, annotation.article_id)
    return annotation


# --- Blind campaigns ------------------------------------------------------------


def blind_article_ids(user) -> QuerySet:
    """Articles in active blind campaigns where `user` annotates: there they
    see only their own work, not the other annotators' nor the final layer."""
    return (
        CampaignMember.objects.filter(
            user=user, role=CampaignRole.ANNOTATOR, campaign__blind=True, campaign__state=CampaignState.ACTIVE
        )
        .values("campaign__items__article_id")
    )


def _hide_in_blind_articles(user, queryset: QuerySet, others_work: Q, blind_ids: tuple | None) -> QuerySet:
    """`queryset` without the rows `others_work` selects in the articles of the
    active blind campaigns where `user` annotates (editors and admins see
    everything). `blind_ids`: those articles when already read
    (AnnotationScope.settled); None reads them in a subquery."""
    if is_editor(user) or not user.is_authenticated:
        return queryset
    if blind_ids is not None and not blind_ids:
        return queryset
    blind = blind_article_ids(user) if blind_ids is None else blind_ids
    return queryset.exclude(Q(article_id__in=blind) & others_work)


def visible_annotations(user, queryset: QuerySet, *, blind_ids: tuple | None = None) -> QuerySet:
    """Mentions or stances `user` may see: their own, not the other annotators'
    nor the final layer, in blind campaigns."""
    return _hide_in_blind_articles(user, queryset, ~Q(annotator=user, layer="annotation"), blind_ids)


def findable_claims(user, queryset: QuerySet) -> QuerySet:
    """Claims `user` finds in lists and searches: in blind campaigns, a claim
    another annotator made is left out while it is known only from other
    annotators' work on the articles where `user` works blind (its words would
    tell what was marked there). Claims an editor or admin made (prepared for
    the campaign) stay findable once someone has marked them, so that every
    annotator marks the same claim and their work can be compared; a claim's
    own page stays readable by id."""
    if is_editor(user) or not user.is_authenticated:
        return queryset
    blind = tuple(blind_article_ids(user).values_list("campaign__items__article_id", flat=True))
    if not blind:
        return queryset
    mentions = ClaimMention.objects.filter(claim=OuterRef("pk"))
    editors = get_user_model().groups.through.objects.filter(user_id=OuterRef("created_by_id"), group__name=EDITOR)
    return queryset.alias(
        mentioned=Exists(mentions),
        seen=Exists(visible_annotations(user, mentions, blind_ids=blind)),
        by_editor=Exists(editors),
    ).exclude(Q(mentioned=True, seen=False, by_editor=False, created_by__is_superuser=False) & ~Q(created_by=user))


def visible_entity_mentions(user, queryset: QuerySet, *, blind_ids: tuple | None = None) -> QuerySet:
    """Entity mentions `user` may see: in blind campaigns, those another
    annotator added are hidden (machine suggestions are no one's work)."""
    return _hide_in_blind_articles(user, queryset, Q(origin="person") & ~Q(annotator=user), blind_ids)


def visible_audit_events(user, queryset: QuerySet) -> QuerySet:
    """Audit events `user` may read: in blind campaigns, their own changes,
    changes to their own annotations (an editor deleting one) and the
    system's (extraction), not other people's work."""
    others_work = ~Q(actor=user) & Q(actor__isnull=False) & ~Q(before__annotator=user.get_username())
    return _hide_in_blind_articles(user, queryset, others_work, None)


# --- Campaigns and tasks ------------------------------------------------------------


def _campaign_role(user, campaign_id) -> str | None:
    return CampaignMember.objects.filter(campaign_id=campaign_id, user=user).values_list("role", flat=True).first()


def can_manage_campaign(user, campaign) -> bool:
    return is_editor(user) or _campaign_role(user, campaign.pk) == CampaignRole.EDITOR


def access_campaign(user, campaign_id, *, to_manage: bool = False, for_update: bool = False) -> Campaign:
    """Editors see every campaign; annotators the ones they are members of."""
    require_reader(user)
    # One query: the campaign with the caller's role in it (kept for the services).
    role_in_it = CampaignMember.objects.filter(campaign=OuterRef("pk"), user=user).values("role")[:1]
    campaign = _get(Campaign.objects.annotate(member_role=Subquery(role_in_it)), campaign_id, "campaign", for_update=for_update)
    role = campaign.member_role
    if not is_editor(user) and role is None:
        raise NotFound(NO_SUCH["campaign"] % {"id": campaign_id})
    if to_manage and not (is_editor(user) or role == CampaignRole.EDITOR):
        raise NotAllowed(gettext("Only the campaign's editors can manage it."))
    return campaign


def access_task(user, task_id, *, to_work: bool = False, to_review: bool = False, for_update: bool = False) -> AnnotationTask:
    """Annotators reach their own tasks (and work on them); the campaign's
    editors reach all of them (and review them)."""
    require_reader(user)
    queryset = AnnotationTask.objects.select_related("campaign", "annotator")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        task = queryset.get(pk=task_id)
    except (AnnotationTask.DoesNotExist, ValueError, TypeError):
        raise NotFound(NO_SUCH["task"] % {"id": task_id}) from None
    own = task.annotator_id == user.pk
    # The annotator working on their own task needs no role lookup (the common case).
    manager = can_manage_campaign(user, task.campaign) if (to_review or not own) else False
    if not own and not manager:
        raise NotFound(NO_SUCH["task"] % {"id": task_id})
    if to_work and not own:
        raise NotAllowed(gettext("Only the task's annotator can work on it."))
    if to_review and not manager:
        raise NotAllowed(gettext("Only the campaign's editors can review its tasks."))
    return task


def access_mention(user, mention_id, *, for_update: bool = False, to_change: bool = False) -> ClaimMention:
    return _access_annotation(
        user,
        ClaimMention.objects.select_related("annotator"),
        mention_id,
        "mention",
        for_update=for_update,
        to_change=to_change,
    )


def access_stance(user, stance_id, *, for_update: bool = False, to_change: bool = False) -> Stance:
    return _access_annotation(
        user,
        Stance.objects.select_related("annotator"),
        stance_id,
        "stance",
        for_update=for_update,
        to_change=to_change,
    )


def access_entity(user, entity_id, *, for_update: bool = False, to_change: bool = False) -> Entity:
    require_reader(user)
    entity = _get(Entity.objects.all(), entity_id, "entity", for_update=for_update)
    if to_change and not is_editor(user):
        raise NotAllowed(gettext("Only an editor can merge, split or rename entities."))
    return entity


def access_entity_mention(user, mention_id, *, for_update: bool = False, to_change: bool = False) -> EntityMention:
    require_reader(user)
    mentions = visible_entity_mentions(user, EntityMention.objects.select_related("entity"))
    mention = _get(mentions, mention_id, "entity mention", for_update=for_update)
    if to_change and not can_annotate(user):
        raise NotAllowed(gettext("Only annotators and editors can review entity mentions."))
    return mention


def require_annotator(user) -> None:
    if not can_annotate(user):
        raise NotAllowed(gettext("Only annotators and editors can annotate."))


def require_editor(user) -> None:
    if not is_editor(user):
        raise NotAllowed(gettext("Only an editor can do this."))
