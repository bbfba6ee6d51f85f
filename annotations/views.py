"""Pages: a claim ("who says what") and an entity ("where it appears"), with
what their editors do there: correct a claim and give its verdict, merge
duplicate claims, merge and split entities."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from annotations.access import (
    access_claim,
    access_entity,
    as_id,
    can_change_claim,
    findable_claims,
    require_editor,
    require_reader,
    visible_annotations,
)
from annotations.errors import Conflict, InvalidInput, NotFound
from annotations.forms import ClaimEditForm
from annotations.models import Claim, ClaimMention, EntityType, Stance, StanceLabel
from annotations.selectors import (
    also_written,
    claim_merge_candidates,
    claims_to_merge_into,
    entities_to_merge_into,
    entity_appearances,
    entity_index,
    entity_merge_candidates,
    entity_spellings,
    spellings_of,
    stance_summary_by_source,
)
from annotations.services import claims as claim_services
from annotations.services import entities as entity_services
from annotations.services import name_lists
from annotations.services.claims import final_claim, search_claims
from newsdesk.models import Article, Comment
from newsdesk.roles import is_editor


@login_required
def claim_list(request):
    require_reader(request.user)
    query = request.GET.get("q", "").strip()
    claims = findable_claims(request.user, Claim.objects.filter(merged_into__isnull=True)).select_related("created_by").order_by("-updated_at")
    claims = search_claims(claims, query)
    return render(request, "annotations/claim_list.html", {"claims": claims[:200], "query": query})


@login_required
def claim_detail(request, claim_id: int):
    claim = access_claim(request.user, claim_id)
    if claim.merged_into_id:  # an old link: the claim lives on in the one it was merged into
        survivor = final_claim(claim)
        messages.info(request, _("Claim %(old)s was merged into this one.") % {"old": claim.pk})
        return redirect("claim-detail", survivor.pk)
    return _claim_page(request, claim)


def _claim_page(request, claim: Claim, *, form: ClaimEditForm | None = None, status: int = 200):
    """Every article and comment that mentions the claim or takes a stance on
    it, grouped by outlet, with each stance side by side; for its author and
    editors the form that corrects it, and for editors the search for the
    claim it duplicates."""
    mentions = visible_annotations(request.user, ClaimMention.objects.filter(claim=claim)).select_related("annotator").order_by("start")
    stances = visible_annotations(request.user, Stance.objects.filter(claim=claim)).select_related("annotator", "comment").prefetch_related("rationales")
    rows: dict[int, dict] = defaultdict(
        lambda: {
            "mentions": [],
            "article_stances": [],
            "comments": defaultdict(lambda: {"mentions": [], "stances": []}),
        }
    )
    for mention in mentions:
        row = rows[mention.article_id]
        (row["comments"][mention.comment_id]["mentions"] if mention.comment_id else row["mentions"]).append(mention)
    for stance in stances:
        row = rows[stance.article_id]
        (row["comments"][stance.comment_id]["stances"] if stance.comment_id else row["article_stances"]).append(stance)
    articles = {a.id: a for a in Article.objects.filter(id__in=rows).select_related("source")}
    comment_ids = [cid for row in rows.values() for cid in row["comments"]]
    comments = {c.id: c for c in Comment.objects.filter(id__in=comment_ids)}
    outlets: dict[str, list] = defaultdict(list)
    for article_id, row in rows.items():
        article = articles[article_id]
        outlets[article.source.name].append(
            {
                "article": article,
                "mentions": row["mentions"],
                "stances": row["article_stances"],
                "comments": [
                    {"comment": comments[cid], **entry}
                    for cid, entry in sorted(row["comments"].items())
                    if cid in comments
                ],
            }
        )
    editor = is_editor(request.user)
    if form is None and can_change_claim(request.user, claim):
        form = ClaimEditForm(
            initial={"text": claim.text, "claimant": claim.claimant, "verdict": claim.verdict, "version": claim.version},
            can_judge=editor,
        )
    merge_query = request.GET.get("merge_q", "").strip() if editor else ""
    return render(
        request,
        "annotations/claim_detail.html",
        {
            "claim": claim,
            "outlets": sorted(outlets.items()),
            "summary": stance_summary_by_source(claim, viewer=request.user),
            "labels": StanceLabel.choices,
            "form": form,
            "can_merge": editor,
            "merge_query": merge_query,
            "merge_candidates": claim_merge_candidates(claim, merge_query) if merge_query else [],
            "merge_target": _merge_target(request, claims_to_merge_into(claim)) if editor else None,
        },
        status=status,
    )


@login_required
@require_POST
def claim_edit(request, claim_id: int):
    """Save a correction of the claim. A refused one (stale version, bad input)
    shows the page again with what was typed, so nothing typed is lost."""
    claim = access_claim(request.user, claim_id, to_change=True)
    if claim.merged_into_id:
        messages.error(
            request,
            _("Claim %(old)s was merged into this one while you edited it; nothing was saved. What you wrote: «%(text)s»")
            % {"old": claim.pk, "text": request.POST.get("text", "")},
        )
        return redirect("claim-detail", final_claim(claim).pk)
    form = ClaimEditForm(request.POST, can_judge=is_editor(request.user))
    if not form.is_valid():
        return _claim_page(request, claim, form=form, status=400)
    changes = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    try:
        claim_services.update_claim(user=request.user, claim_id=claim.pk, version=form.cleaned_data["version"], changes=changes)
    except Conflict:
        claim.refresh_from_db()
        form.add_error(None, _("Someone changed this claim since you opened it; nothing was saved. What is stored now is shown "
                              "above the form; your text is still in it."))
        form.data = {**form.data.dict(), "version": claim.version}
        return _claim_page(request, claim, form=form, status=409)
    except InvalidInput as error:
        for field, problems in (error.fields or {None: [error.message]}).items():
            form.add_error(field if field in form.fields else None, problems)
        return _claim_page(request, claim, form=form, status=400)
    messages.success(request, _("Claim saved."))
    return redirect("claim-detail", claim.pk)


def _merge_target(request, candidates):
    """The candidate named by ?merge_into=, shown for confirmation before the merge."""
    chosen = as_id(request.GET.get("merge_into", ""))
    return candidates.filter(pk=chosen).first() if chosen else None


def _chosen_id(request, what: str) -> int:
    """The id a merge form sends as `into`."""
    chosen = as_id(request.POST.get("into", ""))
    if chosen is None:
        raise InvalidInput(_("Choose %(what)s.") % {"what": what}, fields={"into": [_("A whole number is required.")]})
    return chosen


@login_required
@require_POST
def claim_merge(request, claim_id: int):
    """Fold this duplicate claim into the one chosen; its mentions and stances move there."""
    return _merge_and_go(
        request, claim_id, page="claim-detail", what=_("the claim to merge into"),
        merge=lambda into: claim_services.merge_claims(editor=request.user, claim_id=claim_id, into_id=into),
        done=_("Claim %(duplicate)s is merged into this one: its mentions and stances are here now."),
    )


def _merge_and_go(request, duplicate_id: int, *, merge, page: str, what: str, done: str):
    """Run a merge form's `merge(into_id)` (for editors only), then show the
    survivor, or the duplicate again with what was wrong."""
    require_editor(request.user)
    try:
        survivor = merge(_chosen_id(request, what))
    except (InvalidInput, NotFound) as error:
        messages.error(request, error.message)
        return redirect(page, duplicate_id)
    messages.success(request, done % {"duplicate": duplicate_id})
    return redirect(page, survivor.pk)


@login_required
def entity_list(request, status: int = 200):
    require_reader(request.user)
    query = request.GET.get("q", "").strip()
    entity_type = request.GET.get("type", "")
    if entity_type not in EntityType.values:
        entity_type = ""
    listed = request.GET.get("listed") == "on"
    page = Paginator(entity_index(request.user, query=query, entity_type=entity_type, listed=listed), 50).get_page(request.GET.get("page"))
    # The spellings shown are those of the texts the viewer may see, as on each entity's page.
    spellings = spellings_of([entity.pk for entity in page], request.user)
    for entity in page:
        entity.also_written = also_written(entity, spellings.get(entity.pk, []))
    context = {
        "page": page, "query": query, "type": entity_type, "listed": listed, "types": EntityType.choices,
        "can_edit": is_editor(request.user),
    }
    return render(request, "annotations/entity_list.html", context, status=status)


# A name list is a few thousand lines; anything far larger is not one.
NAME_LIST_MAX_BYTES = 5 * 2**20
# A refused list's problems shown on the page (the command prints them all).
NAME_LIST_PROBLEMS_SHOWN = 20


@login_required
@require_POST
def entity_name_list(request):
    """An editor loads the newsroom's list of names (services.name_lists)."""
    upload = request.FILES.get("names")
    if upload is None:
        messages.error(request, _("Choose a CSV file of names."))
        return entity_list(request, status=400)
    if upload.size > NAME_LIST_MAX_BYTES:
        messages.error(request, _("%(file)s is %(size)s bytes; a name list may have at most %(limit)s.") % {
            "file": upload.name, "size": f"{upload.size:,}", "limit": f"{NAME_LIST_MAX_BYTES:,}"})
        return entity_list(request, status=400)
    try:
        report = name_lists.upload_name_list(
            editor=request.user, data=upload.read(), origin=upload.name, replace=request.POST.get("replace") == "on"
        )
    except name_lists.NameListError as error:
        shown = error.problems[:NAME_LIST_PROBLEMS_SHOWN]
        messages.error(request, _("Nothing was listed: %(count)s problem(s) in the file.") % {"count": len(error.problems)})
        for problem in shown:
            messages.error(request, problem, extra_tags="ltr")  # file, line and field, as the command prints them
        if len(error.problems) > len(shown):
            messages.error(request, _("… and %(count)s more.") % {"count": len(error.problems) - len(shown)})
        return entity_list(request, status=400)
    done = _("Listed %(listed)s names (%(new)s new entities); new articles are searched for them.") % {
        "listed": report.listed, "new": report.new}
    if request.POST.get("replace") == "on":
        done += " " + _("%(count)s names were taken off the list.") % {"count": report.unlisted}
    messages.success(request, done)
    for note in report.taken[:NAME_LIST_PROBLEMS_SHOWN]:
        messages.warning(request, note, extra_tags="ltr")
    return redirect("entity-list")



@login_required
def entity_detail(request, entity_id: int):
    entity = access_entity(request.user, entity_id)
    if entity.merged_into_id:  # an old link: the entity lives on in the one it was merged into
        while entity.merged_into_id:
            entity = access_entity(request.user, entity.merged_into_id)
        messages.info(request, _("Entity %(old)s was merged into this one.") % {"old": entity_id})
        return redirect("entity-detail", entity.pk)
    return _entity_page(request, entity)


def _entity_page(request, entity, *, typed: dict | None = None, status: int = 200):
    """The entity's page; `typed` is what an editor's refused form held (the
    rename or split panel opens again with it, so nothing typed is lost)."""
    spellings = entity_spellings(entity, viewer=request.user)
    context = {
        "entity": entity,
        "spellings": spellings,
        # As the texts the viewer may see write it (not every alias: in blind
        # campaigns another annotator's added spelling is theirs).
        "also_written": also_written(entity, spellings),
        **entity_appearances(entity, viewer=request.user),
    }
    if is_editor(request.user):
        merge_query = request.GET.get("merge_q", "").strip()
        context.update(
            can_edit=True,
            merge_query=merge_query,
            merge_candidates=entity_merge_candidates(entity, merge_query) if merge_query else [],
            merge_target=_merge_target(request, entities_to_merge_into(entity)),
            typed=typed or {},
        )
    return render(request, "annotations/entity_detail.html", context, status=status)


@login_required
@require_POST
def entity_merge(request, entity_id: int):
    """Fold this duplicate entity into the one chosen; its mentions and spellings move there."""
    return _merge_and_go(
        request, entity_id, page="entity-detail", what=_("the entity to merge into"),
        merge=lambda into: entity_services.merge_entities(editor=request.user, entity_id=entity_id, into_id=into),
        done=_("Entity %(duplicate)s is merged into this one: its mentions are here now."),
    )


@login_required
@require_POST
def entity_rename(request, entity_id: int):
    try:
        entity_services.rename_entity(
            editor=request.user, entity_id=entity_id, version=as_id(request.POST.get("version", "")),
            canonical_name=request.POST.get("canonical_name", ""),
        )
    except (InvalidInput, Conflict) as error:
        messages.error(request, error.message)
        typed = {"panel": "rename", "canonical_name": request.POST.get("canonical_name", "")}
        return _entity_page(request, access_entity(request.user, entity_id), typed=typed, status=409 if isinstance(error, Conflict) else 400)
    messages.success(request, _("The entity has its new name; the old one stays one of its spellings."))
    return redirect("entity-detail", entity_id)


@login_required
@require_POST
def entity_split(request, entity_id: int):
    """Move the mentions written in the chosen spellings to a new entity."""
    try:
        new = entity_services.split_entity_by_spellings(
            editor=request.user, entity_id=entity_id, spellings=request.POST.getlist("spelling"),
            canonical_name=request.POST.get("canonical_name", ""),
        )
    except InvalidInput as error:
        messages.error(request, error.message)
        typed = {"panel": "split", "canonical_name": request.POST.get("canonical_name", ""), "spellings": request.POST.getlist("spelling")}
        return _entity_page(request, access_entity(request.user, entity_id), typed=typed, status=400)
    messages.success(request, _("The new entity holds the mentions split off entity %(source)s.") % {"source": entity_id})
    return redirect("entity-detail", new.pk)
