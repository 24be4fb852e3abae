"""Models, constraints, slugs and the published() rule."""

import datetime
from urllib.parse import unquote

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Byline, Organisation, Reporter, readable_slug
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ImageFactory,
    IssueFactory,
    OrganisationFactory,
    PageFactory,
    ReporterFactory,
)

pytestmark = pytest.mark.django_db


def test_readable_slug_keeps_chinese_title():
    # Plain slugify(allow_unicode=False) would give "" here.
    assert readable_slug("市总工会召开党组理论学习中心组学习(扩大)会") == "市总工会召开党组理论学习中心组学习扩大会"
    assert readable_slug("“以球会友”鼓干劲") == "以球会友鼓干劲"
    assert readable_slug("新大兴 新国门") == "新大兴-新国门"
    assert readable_slug("！？。") == "item"


def test_article_slug_follows_title():
    article = ArticleFactory(title="北师大工会多举措推动中国工会十八大精神走深走实")
    assert article.slug == "北师大工会多举措推动中国工会十八大精神走深走实"
    # reverse() percent-encodes the IRI; browsers show it in Chinese again.
    assert unquote(article.get_absolute_url()) == f"/articles/{article.pk}/{article.slug}/"
    article.title = "体验手工制作乐趣"
    article.save()
    assert article.slug == "体验手工制作乐趣"


def test_reporter_slugs_are_unique_and_readable():
    first = Reporter.objects.create(name="陈曦")
    second = Reporter.objects.create(name="陈曦", affiliation="工人日报")
    assert first.slug == "陈曦"
    assert second.slug == "陈曦-2"


def test_organisation_name_and_slug_unique():
    Organisation.objects.create(name="北京市总工会")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="北京市总工会")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="别的名字", slug="北京市总工会")


def test_no_duplicate_byline_but_several_roles_allowed():
    byline = BylineFactory(role=Byline.Role.REPORTER)
    Byline.objects.create(article=byline.article, reporter=byline.reporter, role=Byline.Role.PHOTOGRAPHER)
    assert byline.article.bylines.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Byline.objects.create(article=byline.article, reporter=byline.reporter, role=Byline.Role.REPORTER)


def test_byline_role_must_be_known():
    byline = BylineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Byline.objects.filter(pk=byline.pk).update(role="editor")


def test_published_status_needs_a_time():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)


def test_saving_as_published_stamps_the_time():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.published_at is not None
    assert article.is_public


def test_page_number_unique_within_issue():
    page = PageFactory(number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PageFactory(issue=page.issue, number=3)
    PageFactory(number=3)  # another issue may have its own page 3


def test_published_excludes_drafts_and_scheduled():
    now = timezone.now()
    live = ArticleFactory(published_at=now - datetime.timedelta(minutes=1))
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(status=Article.Status.DRAFT, published_at=now - datetime.timedelta(days=1))
    scheduled = ArticleFactory(published_at=now + datetime.timedelta(hours=2))
    assert list(Article.objects.published()) == [live]
    assert not scheduled.is_public


def test_unpublished_is_everything_published_leaves_out():
    now = timezone.now()
    ArticleFactory(published_at=now - datetime.timedelta(minutes=1))
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(status=Article.Status.SUBMITTED, published_at=now - datetime.timedelta(days=1))
    ArticleFactory(published_at=now + datetime.timedelta(hours=2))
    shown = set(Article.objects.published().values_list("pk", flat=True))
    hidden = set(Article.objects.unpublished().values_list("pk", flat=True))
    assert (len(shown), len(hidden)) == (1, 3)
    assert shown | hidden == set(Article.objects.values_list("pk", flat=True))


def test_scheduled_article_appears_when_its_time_comes(monkeypatch):
    scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=2))
    assert not Article.objects.published().filter(pk=scheduled.pk).exists()
    later = timezone.now() + datetime.timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Article.objects.published().filter(pk=scheduled.pk).exists()


def test_paragraphs_and_headline():
    article = ArticleFactory(kicker="引题", title="主题", subtitle="副题", body="第一段。\n\n  \n第二段。")
    assert article.paragraphs == ["第一段。", "第二段。"]
    assert article.headline == "引题 主题 副题"


def test_issue_str_with_unknown_date():
    issue = IssueFactory(date=None)
    assert str(issue) == f"编号{issue.pk}（日期未注明）"
    assert str(IssueFactory(date=None, number="7")) == "第7期（日期未注明）"
    dated = IssueFactory(date=datetime.date(2022, 11, 14), number="12345")
    assert str(dated) == "2022年11月14日 第12345期"


def test_listing_relations_query_count_is_constant(django_assert_num_queries):
    for _ in range(3):
        article = ArticleFactory(tags=["劳模", "工会"])
        BylineFactory(article=article)
        article.organisations.add(OrganisationFactory())
        ImageFactory(article=article, credit=ReporterFactory())

    def touch_everything():
        for article in Article.objects.with_labels():
            _ = (article.issue, article.page, [b.reporter.name for b in article.byline_list()])
            _ = (article.tag_list(), list(article.organisations.all()))
            _ = [(image.caption, image.credit_name) for image in article.photo_list()]

    # The articles, then one query each for bylines, tags, organisations and photos (with their credits).
    with django_assert_num_queries(5):
        touch_everything()
    for _ in range(5):
        article = ArticleFactory(tags=["职工之家"])
        BylineFactory(article=article)
        BylineFactory(article=article, reporter=ReporterFactory())
        ImageFactory(article=article, credit=ReporterFactory())
        ImageFactory(article=article, credit_text="新华社发")
    with django_assert_num_queries(5):
        touch_everything()


def test_list_rows_leave_tags_and_organisations_to_the_pages_that_show_them(django_assert_num_queries):
    article = ArticleFactory(tags=["劳模"])
    BylineFactory(article=article)
    article.organisations.add(OrganisationFactory())
    # The articles, bylines and photos: an HTML list row shows no tags or organisations.
    with django_assert_num_queries(3):
        for row in Article.objects.with_listing_relations():
            _ = (row.issue, row.page, [b.reporter.name for b in row.byline_list()], row.photo_list())
    row = Article.objects.with_labels().get()
    with django_assert_num_queries(0):
        assert [tag.name for tag in row.tag_list()] == ["劳模"] and len(row.organisations.all()) == 1
    # The feeds show tags and no organisations: the articles, bylines, photos and tags.
    with django_assert_num_queries(4):
        (row,) = Article.objects.with_tag_lists()
        assert [tag.name for tag in row.tag_list()] == ["劳模"]


def test_tag_lists_are_by_name_prefetched_or_not(django_assert_num_queries):
    article = ArticleFactory(tags=["职工", "工会", "劳模"])
    expected = sorted(["职工", "工会", "劳模"])
    plain = Article.objects.get(pk=article.pk)
    with django_assert_num_queries(1):
        assert [tag.name for tag in plain.tag_list()] == expected
    (listed,) = Article.objects.with_tag_lists()
    with django_assert_num_queries(0):
        assert [tag.name for tag in listed.tag_list()] == expected


def test_byline_and_photo_lists_are_in_print_order_prefetched_or_not(django_assert_num_queries):
    article = ArticleFactory()
    later = BylineFactory(article=article, order=2)
    first = BylineFactory(article=article, order=1, reporter=ReporterFactory())
    second_photo = ImageFactory(article=article, order=2)
    first_photo = ImageFactory(article=article, order=1)
    plain = Article.objects.get(pk=article.pk)
    with django_assert_num_queries(2):  # read when asked, with their people
        assert plain.byline_list() == [first, later] and plain.photo_list() == [first_photo, second_photo]
    (listed,) = Article.objects.with_listing_relations()
    with django_assert_num_queries(0):
        assert listed.byline_list() == [first, later] and listed.photo_list() == [first_photo, second_photo]
        assert [byline.reporter.name for byline in listed.byline_list()] == [first.reporter.name, later.reporter.name]
