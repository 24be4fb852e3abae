"""The story card and byline credits that lists, issues, pages and the home page render."""

import pytest
from django.template import Context, Template

from articles.models import Article, Byline, Issue
from tests import factories

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load story_tags %}" + source).render(Context(context))


def listed(article):
    return Article.objects.with_listing_relations().get(pk=article.pk)


def test_a_card_escapes_the_text_and_marks_the_query_words():
    article = factories.ArticleFactory(kicker="<b>引题</b>", title="劳模<i>精神</i>进车间", subtitle="——副题")
    html = render("{% story article level=3 %}", article=listed(article), query="劳模")
    assert '<p class="kicker">&lt;b&gt;引题&lt;/b&gt;</p>' in html
    assert f'<h3 class="story-title"><a href="{article.get_absolute_url()}"><mark>劳模</mark>&lt;i&gt;' in html
    assert '<p class="subtitle">——副题</p>' in html
    assert "<i>" not in html and "<b>" not in html


def test_a_card_outside_its_issue_names_the_date_and_page_and_marks_photo_news():
    article = factories.ArticleFactory(kind=Article.Kind.PHOTO, page__number=3, page__banner="要闻")
    html = render("{% story article %}", article=listed(article))
    issue = article.issue
    assert (
        f'<p class="story-meta"><a href="{issue.get_absolute_url()}">{issue.label}</a> · '
        f'<a href="{article.page.get_absolute_url()}">第3版 · 要闻</a> · <span class="badge">图片新闻</span></p>'
    ) in html
    short = render("{% story article short_meta=True %}", article=listed(article))
    assert "第3版" not in short and issue.label in short


def test_an_undated_issue_gives_no_date_on_the_card():
    issue = Issue.objects.create(date=None, number=5, import_ref="undated:5")
    article = factories.ArticleFactory(page__issue=issue, page__number=None, page__banner="")
    html = render("{% story article %}", article=listed(article))
    assert '<p class="story-meta"><a href="' in html and ">本版</a></p>" in html
    assert "日期" not in html


def test_a_compact_card_has_no_photo_credits_or_excerpt_and_a_front_card_no_date():
    article = factories.ArticleFactory(body="第一段。\n第二段。")
    factories.BylineFactory(article=article)
    factories.ImageFactory(article=article)
    compact = render("{% story article compact=True %}", article=listed(article))
    assert "story-thumb" not in compact and "story-excerpt" not in compact and "byline" not in compact
    front = render("{% story article lead=True on_front=True %}", article=listed(article))
    assert front.startswith('<article class="story story-lead">')
    assert "story-meta" not in front and 'class="byline"' in front
    assert '<p class="story-excerpt">第一段。 第二段。</p>' in front


def test_the_thumbnail_links_to_the_article_and_its_alt_is_the_caption_cut_to_80():
    article = factories.ArticleFactory()
    factories.ImageFactory(article=article, caption="说" * 100, renditions=True)
    html = render("{% story article lead=True %}", article=listed(article))
    assert f'<a class="story-thumb" href="{article.get_absolute_url()}" tabindex="-1" aria-hidden="true">' in html
    assert 'sizes="(max-width: 640px) 100vw, 640px"' in html
    assert f'alt="{"说" * 77}..."' in html  # truncatechars:80, with the Chinese locale's "..."
    assert 'loading="lazy"' in html


def test_credits_show_the_printed_title_and_the_photo_mark():
    article = factories.ArticleFactory()
    trainee = factories.BylineFactory(article=article, label="见习记者", order=0)
    photographer = factories.BylineFactory(article=article, role=Byline.Role.PHOTOGRAPHER, label="本报记者", order=1)
    plain = factories.BylineFactory(article=article, role=Byline.Role.CORRESPONDENT, order=2)
    html = render("{% byline_credits article %}", article=listed(article))
    assert html == (
        '<p class="byline">'
        f'<span class="byline-credit"><span class="byline-role">见习记者</span> '
        f'<a href="{trainee.reporter.get_absolute_url()}">{trainee.reporter.name}</a></span>'
        f'<span class="byline-credit"><span class="byline-role">本报记者</span> '
        f'<a href="{photographer.reporter.get_absolute_url()}">{photographer.reporter.name}</a>'
        ' <span class="byline-role">摄</span></span>'
        f'<span class="byline-credit"><span class="byline-role">通讯员</span> '
        f'<a href="{plain.reporter.get_absolute_url()}">{plain.reporter.name}</a></span></p>'
    )
    assert render("{% byline_credits article %}", article=listed(factories.ArticleFactory())) == ""


def test_the_excerpt_of_a_long_body_is_its_opening_cut_as_the_whole_body_would_be():
    from django.utils.text import Truncator

    from articles.templatetags.site_tags import excerpt

    paragraphs = [f"第{n}段，" + "职工" * (n % 7 + 1) + "。" for n in range(400)]
    for body in ("\n\n".join(paragraphs), "短文。", "  \n第一段。\n\n  第二段。  \n", "\n".join(paragraphs[:9])):
        article = Article(body=body)
        assert excerpt(article, "") == Truncator(" ".join(article.paragraphs)).chars(120)
