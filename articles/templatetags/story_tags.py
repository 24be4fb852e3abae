"""A story card and its byline credits, built in Python: lists render dozens of them per page."""

# As templates, the card and its credits dominated a list page's render time (a Django include resolves each
# variable through the context stack); the markup is the same as the templates it replaces. The parts are
# f-strings over html.escape, which Django's escape and format_html call behind lazy-string wrappers that cost more
# than the escaping.

from html import escape

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .photo_tags import picture
from .site_tags import cn_date, excerpt, highlight, page_label, page_url

register = template.Library()

PHOTO_BADGE = mark_safe('<span class="badge">图片新闻</span>')
THUMB_SIZES = {True: "(max-width: 640px) 100vw, 640px", False: "160px"}


def _credit(byline) -> str:
    reporter = byline.reporter
    role = byline.label or byline.get_role_display()
    taken = ' <span class="byline-role">摄</span>' if byline.label and byline.role == "photographer" else ""
    return (
        f'<span class="byline-credit"><span class="byline-role">{escape(role)}</span> '
        f'<a href="{escape(reporter.get_absolute_url())}">{escape(reporter.name)}</a>{taken}</span>'
    )


@register.simple_tag
def byline_credits(article) -> SafeString:
    """<p class="byline"> with each credit's role and a link to the person; nothing for an uncredited article."""
    bylines = article.byline_list()
    if not bylines:
        return mark_safe("")
    return mark_safe(f'<p class="byline">{"".join(_credit(byline) for byline in bylines)}</p>')


def _thumbnail(article, image, lead: bool) -> SafeString:
    pic = picture(image, thumbnail=True)
    sources = ""
    if pic["webp"]:
        sizes = THUMB_SIZES[bool(lead)]
        sources = format_html(
            '<source type="image/webp" srcset="{}" sizes="{}"><source type="image/jpeg" srcset="{}" sizes="{}">',
            pic["webp"],
            sizes,
            pic["jpeg"],
            sizes,
        )
    caption = Truncator(image.caption).chars(80)
    return format_html(
        '<a class="story-thumb" href="{}" tabindex="-1" aria-hidden="true"><picture>{}<img src="{}" width="{}"'
        ' height="{}" alt="{}" loading="lazy" decoding="async"></picture></a>',
        article.get_absolute_url(),
        sources,
        pic["src"],
        pic["width"],
        pic["height"],
        caption,
    )


def _meta(article, *, short_meta: bool) -> SafeString:
    """The date, page and photo badge line of a card outside its issue."""
    issue, page = article.issue, article.page
    show_page = bool(page) and not short_meta
    photo = article.kind == "photo"
    parts = []
    if issue.date:
        parts.append(f'<a href="{escape(issue.get_absolute_url())}">{escape(cn_date(issue.date))}</a>')
    if show_page:
        parts.append(f'<a href="{escape(page_url(article))}">{escape(page_label(page) or "本版")}</a>')
    if photo:
        parts.append(PHOTO_BADGE)
    if not parts:
        return mark_safe("")
    return mark_safe(f'<p class="story-meta">{" · ".join(parts)}</p>')


@register.simple_tag(takes_context=True)
def story(
    context, article, *, level=2, lead=False, compact=False, on_front=False, on_page=False, short_meta=False
) -> SafeString:
    """One article as a card: thumbnail, 引题, headline, 副题, date and page, credits and an excerpt."""
    query = context.get("query") or ""
    marked = (lambda text: highlight(text, query)) if query else escape
    level = int(level)
    parts = ['<article class="story story-lead">' if lead else '<article class="story">']
    if not compact:
        image = next(iter(article.photo_list()), None)
        if image:
            parts.append(_thumbnail(article, image, lead))
    if article.kicker:
        parts.append(f'<p class="kicker">{marked(article.kicker)}</p>')
    url = escape(article.get_absolute_url())
    parts.append(f'<h{level} class="story-title"><a href="{url}">{marked(article.title)}</a></h{level}>')
    if article.subtitle:
        parts.append(f'<p class="subtitle">{marked(article.subtitle)}</p>')
    if not compact:
        if on_front or on_page:
            if article.kind == "photo":
                parts.append(format_html('<p class="story-meta">{}</p>', PHOTO_BADGE))
        else:
            parts.append(_meta(article, short_meta=short_meta))
        parts.append(byline_credits(article))
        parts.append(f'<p class="story-excerpt">{conditional_escape(excerpt(article, query))}</p>')
    parts.append(mark_safe("</article>"))
    return mark_safe("".join(parts))
