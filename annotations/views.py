"""Pages: a claim ("who says what") and an entity ("where it appears")."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from annotations.access import access_claim, access_entity, require_reader, visible_annotations
from annotations.models import Claim, ClaimMention, Stance, StanceLabel
from annotations.selectors import entity_appearances, stance_summary_by_source
from annotations.services.claims import final_claim, search_claims
from newsdesk.models import Article, Comment


@login_required
def claim_list(request):
    require_reader(request.user)
    query = request.GET.get("q", "").strip()
    claims = Claim.objects.filter(merged_into__isnull=True).select_related("created_by").order_by("-updated_at")
    claims = search_claims(claims, query)
    return render(request, "annotations/claim_list.html", {"claims": claims[:200], "query": query})


@login_required
def claim_detail(request, claim_id: int):
    """Every article and comment that mentions the claim or takes a stance on
    it, grouped by outlet, with each stance side by side."""
    claim = final_claim(access_claim(request.user, claim_id))
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
    return render(
        request,
        "annotations/claim_detail.html",
        {
            "claim": claim,
            "outlets": sorted(outlets.items()),
            "summary": stance_summary_by_source(claim, viewer=request.user),
            "labels": StanceLabel.choices,
        },
    )


@login_required
def entity_detail(request, entity_id: int):
    entity = access_entity(request.user, entity_id)
    while entity.merged_into_id:
        entity = access_entity(request.user, entity.merged_into_id)
    return render(request, "annotations/entity_detail.html", {"entity": entity, **entity_appearances(entity, viewer=request.user)})
