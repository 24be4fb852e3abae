"""Template helpers for the public site: masthead, Chinese dates, search highlighting."""

import json

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.encoding import uri_to_iri
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles import search

register = template.Library()

EXCERPT_WIDTH = 120


@register.simple_tag
def site_name():
    """The masthead, from settings.NEWSROOM_SITE_NAME."""
    return settings.NEWSROOM_SITE_NAME


@register.filter
def cn_date(value):
    """2022年11月14日; an unknown date reads as nothing (no date is invented)."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, canonical_url):
    """A schema.org NewsArticle for search engines, as a JSON data block (not script: the CSP does not apply)."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
        "inLanguage": "zh-CN",
        "dateModified": article.updated_at.isoformat(),
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": request.build_absolute_uri("/"),
            "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(static("icons/apple-touch-icon.png"))},
        },
    }
    if article.subtitle:
        data["alternativeHeadline"] = article.subtitle
    if article.issue.date:
        data["datePublished"] = article.issue.date.isoformat()
    # schema.org's Role carries the credit (记者, 通讯员, 摄影) alongside the person.
    authors = [
        {
            "@type": "Role",
            "roleName": byline.label or byline.get_role_display(),
            "author": {
                "@type": "Person",
                "name": byline.reporter.name,
                "url": request.build_absolute_uri(byline.reporter.get_absolute_url()),
            },
        }
        for byline in article.byline_list()
    ]
    if authors:
        data["author"] = authors
    tags = [tag.name for tag in article.tag_list()]
    if tags:
        data["keywords"] = tags
    image = context.get("article_image_url")  # set by the photo feature when the article has one
    if image:
        data["image"] = [image]
    text = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


# As django.utils.html.json_script: no "</script>" or markup can end the data block early.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def as_iri(url):
    """A URL with its Chinese readable again (the printed address), not percent-encoded."""
    return uri_to_iri(url)


@register.filter
def page_url(article):
    """The URL of the article's printed page, from the issue already loaded with it."""
    return article.page.url_in(article.issue) if article.page_id else ""


@register.filter
def page_url_in(page, issue):
    """The URL of `page` of `issue`."""
    return page.url_in(issue)


@register.filter
def issue_label(issue):
    """2023年3月1日, or 第5期（日期未注明） for an issue whose date is unknown."""
    return issue.label if issue else ""


@register.filter
def highlight(text, query):
    """`text` escaped, with the search terms of `query` marked."""
    if not query:
        return conditional_escape(text)
    return search.highlight(text, query)


@register.filter
def excerpt(article, query):
    """A passage of the article body: around the search terms of `query`, else its opening."""
    if query:
        return search.excerpt(article.body, query, width=EXCERPT_WIDTH)
    return Truncator(_opening(article.body, 4 * EXCERPT_WIDTH)).chars(EXCERPT_WIDTH)


def _opening(body: str, size: int) -> str:
    """The first paragraphs of `body` joined by spaces, at least `size` characters of them when the body has them."""
    # Truncator normalises and scans the whole text it is given; a list shows the first 120 characters.
    paragraphs = []
    for line in body.splitlines():
        line = line.strip()
        if line:
            paragraphs.append(line)
            size -= len(line) + 1
            if size < 0:
                break
    return " ".join(paragraphs)


@register.filter
def page_label(page):
    """第3版 · 要闻; a page without a number is named by its banner alone."""
    if page is None:
        return ""
    parts = [f"第{page.number}版" if page.number else "", page.banner]
    return " · ".join(part for part in parts if part)
