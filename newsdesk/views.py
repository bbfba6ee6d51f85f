from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from newsdesk import selectors
from newsdesk.models import Article

ARTICLES_PER_PAGE = 50


@login_required
def article_list(request):
    page = Paginator(selectors.articles_for_list(), ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsdesk/article_list.html", {"page": page})


@login_required
def article_detail(request, article_id: int):
    try:
        article = selectors.article_for_reading(article_id)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    revision = article.current_revision
    lines = revision.text.split("\n")
    blocks = [{"text": line, **block} for line, block in zip(lines, revision.blocks)]
    return render(
        request,
        "newsdesk/article_detail.html",
        {"article": article, "blocks": blocks[1:], "comments": article.comments.all()},
    )
