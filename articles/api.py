"""Read-only JSON mirror of the public article pages; same filters, same published-only rule."""

import html

from django.core.paginator import EmptyPage
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from . import images, search
from .cache import LISTS, article_key, depends_on, issue_key
from .filters import (
    PAGE_SIZE,
    ArticleFilter,
    facet_counts,
    facet_cover,
)
from .models import Article

MAX_PAGE_SIZE = 100
EXCERPT_LENGTH = 120

# The characters json_script escapes: a title such as "</script><script>…" never appears as markup in the bytes.
MARKUP_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


class MarkupSafeJSONEncoder(DjangoJSONEncoder):
    """JSON whose strings cannot be read as HTML even by a client that sniffs content."""

    def encode(self, o):
        return super().encode(o).translate(MARKUP_ESCAPES)


def json_response(data, status=200):
    return JsonResponse(data, status=status, encoder=MarkupSafeJSONEncoder, json_dumps_params={"ensure_ascii": False})


def json_error(message, status, **details):
    return json_response({"error": message, **details}, status=status)


def positive_int(raw, default):
    """The integer in a query-string value; None for anything that is not a positive integer."""
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw) or None


def plain_excerpt(article, query):
    if query:
        return html.unescape(strip_tags(search.excerpt(article.body, query, width=EXCERPT_LENGTH)))
    return Truncator(" ".join(article.paragraphs)).chars(EXCERPT_LENGTH)


def serialize_article(article, request, query=""):
    issue_date = article.issue.date.isoformat() if article.issue.date else None
    return {
        "id": article.pk,
        "kicker": article.kicker,
        "title": article.title,
        "subtitle": article.subtitle,
        "kind": article.kind,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "issue_date": issue_date,
        "page": article.page.number if article.page else None,
        "people": [
            {
                "name": byline.reporter.name,
                "role": byline.role,
                "role_label": byline.get_role_display(),
                "slug": byline.reporter.slug,
            }
            for byline in article.byline_list()
        ],
        "tags": [{"name": tag.name, "slug": tag.slug} for tag in article.tag_list()],
        "organisations": [
            {"name": organisation.name, "slug": organisation.slug} for organisation in article.organisations.all()
        ],
        "excerpt": plain_excerpt(article, query),
        "images": [serialize_image(image, request) for image in article.photo_list()],
    }


def serialize_image(image, request):
    """A photo: caption, credit, and its rendition URLs by width and format (the original until they exist)."""
    credit = image.credit
    urls = {
        width: {label: request.build_absolute_uri(url) for label, url in formats.items()}
        for width, formats in images.rendition_urls(image).items()
    }
    return {
        "caption": image.caption,
        "credit": {
            "name": image.credit_name,
            "slug": credit.slug if credit else None,
            "url": request.build_absolute_uri(credit.get_absolute_url()) if credit else None,
        },
        "width": image.width,
        "height": image.height,
        "original": request.build_absolute_uri(image.file.url),
        "urls": urls,
    }


def page_url(request, number):
    params = request.GET.copy()
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def facets(articles):
    counted, months = facet_counts(articles)
    return {
        "tags": [{"slug": t.slug, "name": t.name, "count": t.article_count} for t in counted["tag"]],
        "reporters": [{"slug": r.slug, "name": r.name, "count": r.article_count} for r in counted["reporter"]],
        "organisations": [{"slug": o.slug, "name": o.name, "count": o.article_count} for o in counted["organisation"]],
        "months": [{"month": row["month"].strftime("%Y-%m"), "count": row["article_count"]} for row in months],
    }


@require_safe
def article_list(request):
    """GET /api/articles/: the filtered, paginated article list with facet counts."""
    page_size = positive_int(request.GET.get("page_size"), PAGE_SIZE)
    if page_size is None or page_size > MAX_PAGE_SIZE:
        return json_error(f"page_size 须为 1 到 {MAX_PAGE_SIZE} 之间的整数。", 400)
    number = positive_int(request.GET.get("page"), 1)
    if number is None:
        return json_error("page 须为正整数。", 400)
    filterset = ArticleFilter(data=request.GET, queryset=Article.objects.published().with_labels(), request=request)
    filterset.relevance_rows = number * page_size  # a relevance order reads its best hits down to this page's end
    if not filterset.is_valid():
        # Codes only: some messages quote the rejected value back.
        errors = {
            field: [error["code"] for error in found] for field, found in filterset.errors.get_json_data().items()
        }
        return json_error("筛选条件无效。", 400, fields=errors)
    paginator = search.SearchPaginator(filterset.qs, page_size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return json_error("没有这一页。", 404, count=paginator.count)
    query = filterset.form.cleaned_data.get("q", "")
    depends_on(request, LISTS, *(article_key(article.pk) for article in page.object_list))
    return json_response(
        {
            "count": paginator.count,
            "count_is_estimate": paginator.count_is_estimate,
            "next": page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": page_url(request, page.previous_page_number()) if page.has_previous() else None,
            "results": [serialize_article(article, request, query) for article in page.object_list],
            "facets": facets(filterset.qs),
            # How many of the newest matches the facet counts cover.
            "facets_cover": facet_cover(paginator.count),
        }
    )


@require_safe
def article_detail(request, pk):
    """GET /api/articles/<id>/: one published article with its body as a list of paragraphs."""
    article = Article.objects.published().with_labels().filter(pk=pk).first()
    if article is None:
        return json_error("没有这篇文章。", 404)
    depends_on(request, article_key(article.pk), issue_key(article.issue_id))
    data = serialize_article(article, request)
    data.update(
        dateline=article.dateline,
        published_at=article.published_at,
        page_banner=article.page.banner if article.page else "",
        issue_url=request.build_absolute_uri(article.issue.get_absolute_url()),
        body=article.paragraphs,
    )
    return json_response(data)
