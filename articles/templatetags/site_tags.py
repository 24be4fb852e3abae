"""Template helpers for the public site: masthead, Chinese dates, search highlighting."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
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
    """2022年11月14日; an unknown date reads 日期待定."""
    if not value:
        return "日期待定"
    return f"{value.year}年{value.month}月{value.day}日"


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
    return Truncator(" ".join(article.paragraphs)).chars(EXCERPT_WIDTH)


@register.filter
def page_label(page):
    """第3版 · 要闻; a page without a number is named by its banner alone."""
    if page is None:
        return ""
    parts = [f"第{page.number}版" if page.number else "", page.banner]
    return " · ".join(part for part in parts if part)
