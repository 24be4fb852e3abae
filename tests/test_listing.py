"""The subject listing: the database's triggers keep it equal to the link rows, whatever writes them."""

import datetime
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import QueryDict
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles import services
from articles.models import Article, Byline, Organisation, SubjectListing
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("articles.migrations.0014_subject_listing")


def expected_listing() -> set[tuple]:
    """The listing recomputed from the link rows and the articles, as the triggers should keep it."""
    articles = {
        a.pk: (a.published_at if a.status == Article.Status.PUBLISHED else None, a.issue_id, a.issue.date)
        for a in Article.objects.select_related("issue")
    }
    rows = set()
    for article, reporter, role in Byline.objects.values_list("article_id", "reporter_id", "role"):
        rows.add(("reporter", reporter, article, "", *articles[article]))
        rows.add(("role", reporter, article, role, *articles[article]))
    for article, organisation in Article.organisations.through.objects.values_list("article_id", "organisation_id"):
        rows.add(("organisation", organisation, article, "", *articles[article]))
    items = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article))
    for article, tag in items.values_list("object_id", "tag_id"):
        rows.add(("tag", tag, article, "", *articles[article]))
    return rows


def listing() -> set[tuple]:
    columns = ("kind", "subject_id", "article_id", "role", "published_at", "issue_id", "issue_date")
    return set(SubjectListing.objects.values_list(*columns))


def assert_listing_is_current():
    expected = expected_listing()
    actual = listing()
    assert actual == expected, {"missing": expected - actual, "extra": actual - expected}


def test_an_import_lists_every_credit_organisation_and_tag(seeded):
    assert_listing_is_current()
    kinds = set(SubjectListing.objects.values_list("kind", flat=True))
    assert kinds == {"reporter", "role", "organisation", "tag"}


def test_edits_of_bylines_keep_the_listing():
    article = factories.ArticleFactory()
    reporter = factories.ReporterFactory()
    byline = factories.BylineFactory(article=article, reporter=reporter, role=Byline.Role.REPORTER)
    assert_listing_is_current()
    # A second role of the same person: the person's row stays until both credits are gone.
    photo = factories.BylineFactory(article=article, reporter=reporter, role=Byline.Role.PHOTOGRAPHER)
    assert SubjectListing.objects.filter(kind="reporter", subject_id=reporter.pk).count() == 1
    byline.delete()
    assert_listing_is_current()
    assert SubjectListing.objects.filter(kind="reporter", subject_id=reporter.pk).count() == 1
    photo.role = Byline.Role.CORRESPONDENT
    photo.save()
    assert_listing_is_current()
    photo.reporter = factories.ReporterFactory()
    photo.save()
    assert_listing_is_current()
    assert not SubjectListing.objects.filter(subject_id=reporter.pk, kind__in=["reporter", "role"]).exists()
    Byline.objects.filter(article=article).delete()
    assert_listing_is_current()


def test_organisation_and_tag_links_keep_the_listing_through_the_orm():
    article = factories.ArticleFactory()
    first, second = factories.OrganisationFactory(), factories.OrganisationFactory()
    article.organisations.add(first, second)
    article.tags.add("劳模", "职工之家")
    assert_listing_is_current()
    article.organisations.remove(first)
    article.tags.set(["书香"])
    assert_listing_is_current()
    article.organisations.clear()
    article.tags.clear()
    assert_listing_is_current()
    assert not SubjectListing.objects.filter(article=article).exists()


def test_publishing_withdrawing_and_rescheduling_move_the_listed_time():
    article = factories.ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    factories.BylineFactory(article=article)
    article.tags.add("劳模")
    assert set(SubjectListing.objects.filter(article=article).values_list("published_at", flat=True)) == {None}
    article.status = Article.Status.PUBLISHED
    article.published_at = timezone.now() - datetime.timedelta(days=1)
    article.save()
    assert_listing_is_current()
    later = timezone.now() + datetime.timedelta(days=2)
    Article.objects.filter(pk=article.pk).update(published_at=later)  # a bulk update, as the admin's actions do
    assert_listing_is_current()
    assert not SubjectListing.published("tag", Tag.objects.get(name="劳模").pk).exists()  # scheduled: not yet
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert_listing_is_current()


def test_moving_an_article_to_another_issue_or_redating_an_issue_moves_the_listed_issue():
    article = factories.ArticleFactory()
    factories.BylineFactory(article=article)
    article.tags.add("劳模")
    other = factories.IssueFactory()
    article.issue = other
    article.save()
    assert_listing_is_current()
    other.date = datetime.date(2001, 1, 1)
    other.save()
    assert_listing_is_current()
    other.date = None
    other.save()
    assert_listing_is_current()
    assert set(SubjectListing.objects.filter(article=article).values_list("issue_date", flat=True)) == {None}


def test_deleting_articles_organisations_and_tags_removes_their_rows():
    articles = [factories.ArticleFactory() for _ in range(3)]
    organisation = factories.OrganisationFactory()
    for article in articles:
        factories.BylineFactory(article=article)
        article.organisations.add(organisation)
        article.tags.add("劳模")
    articles[0].delete()
    Article.objects.filter(pk=articles[1].pk).delete()
    assert_listing_is_current()
    organisation.delete()
    Tag.objects.filter(name="劳模").delete()
    assert_listing_is_current()
    assert set(SubjectListing.objects.values_list("kind", flat=True)) == {"reporter", "role"}


def test_merges_move_the_rows_to_the_survivor():
    keep, other = factories.ReporterFactory(), factories.ReporterFactory()
    shared, own = factories.ArticleFactory(), factories.ArticleFactory()
    factories.BylineFactory(article=shared, reporter=keep)
    factories.BylineFactory(article=shared, reporter=other)
    factories.BylineFactory(article=own, reporter=other)
    kept_org, other_org = factories.OrganisationFactory(), factories.OrganisationFactory()
    shared.organisations.add(kept_org, other_org)
    own.organisations.add(other_org)
    services.merge_reporters(keep, [other])
    services.merge_organisations(kept_org, [other_org])
    assert_listing_is_current()
    assert SubjectListing.published("reporter", keep.pk).count() == 2
    assert SubjectListing.published("organisation", kept_org.pk).count() == 2


def test_links_of_other_models_tagged_by_taggit_are_not_listed():
    # An organisation tagged whose id is also an article's: only the content type tells the rows apart.
    article = factories.ArticleFactory()
    organisation_type = ContentType.objects.get_for_model(Organisation)
    tag = Tag.objects.create(name="别处", slug="bie-chu")
    TaggedItem.objects.create(tag=tag, content_type=organisation_type, object_id=article.pk)
    assert not SubjectListing.objects.filter(kind="tag").exists()
    article.tags.add(tag)
    assert list(SubjectListing.objects.filter(kind="tag").values_list("article_id", flat=True)) == [article.pk]
    TaggedItem.objects.filter(content_type=organisation_type).delete()
    assert_listing_is_current()


def test_the_migration_backfills_what_was_there(seeded):
    before = listing()
    SubjectListing.objects.all().delete()
    with connection.cursor() as cursor:
        for sql in migration.backfill_statements():
            cursor.execute(sql)
    assert listing() == before == expected_listing()


def test_subject_pages_count_list_and_facet_as_the_articles_links_do(seeded, client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    from articles.filters import ArticleFilter, facet_links
    from articles.models import Reporter

    published = Article.objects.published()
    # A withdrawn and a scheduled article must leave every subject page, and the role counts.
    withdrawn, scheduled = published.filter(bylines__isnull=False).distinct()[:2]
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() + datetime.timedelta(days=1))
    subjects = [
        ("reporter", reporter, published.filter(bylines__reporter=reporter).distinct())
        for reporter in Reporter.objects.all()
    ]
    subjects += [
        ("organisation", organisation, published.filter(organisations=organisation))
        for organisation in Organisation.objects.all()
    ]
    subjects += [("tag", tag, published.filter(tags=tag)) for tag in Tag.objects.all()]
    shown = 0
    for field, subject, articles in subjects:
        url = f"/{field}s/{subject.slug}/" if field != "tag" else f"/tags/{subject.slug}/"
        response = client.get(url)
        if not articles.exists():
            assert response.status_code == 404, url
            continue
        shown += 1
        assert response.status_code == 200, url
        context = response.context
        assert context["subject_total"] == articles.count(), url
        data = QueryDict(mutable=True)
        data.setlist(field, [subject.slug])
        first_page = ArticleFilter(data, queryset=published).qs.values_list("pk", flat=True)[:20]
        assert [a.pk for a in context["page_obj"].object_list] == list(first_page), url
        params = context["params"]
        preset = {field}
        expected = facet_links(articles, params, {}, preset)
        assert {name: [(f.label, f.count) for f in links] for name, links in expected.items()} == {
            name: [(f.label, f.count) for f in links] for name, _, links in context["facet_groups"]
        }, url
        if field == "reporter":
            roles = dict(context["role_counts"])
            for role, label in Byline.Role.choices:
                count = articles.filter(bylines__reporter=subject, bylines__role=role).count()
                assert roles.get(label, 0) == count, (url, label)
    assert shown > 100


def test_every_page_of_a_subject_lists_the_articles_in_the_papers_order(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    from articles.filters import ArticleFilter
    from articles.models import Issue

    dated = [factories.IssueFactory() for _ in range(4)]
    undated = [Issue.objects.create(date=None, number=n, import_ref=f"undated:{n}") for n in (7, 8)]
    tagged = []
    for index, issue in enumerate(dated + undated):
        for number in range(1, 4):
            page = factories.PageFactory(issue=issue, number=number)
            for position in range(3 if index % 2 else 2):
                article = factories.ArticleFactory(page=page, position=position + 1)
                article.tags.add("劳模")
                tagged.append(article)
    factories.ArticleFactory(page__issue=dated[0]).tags.add("书香")  # another subject, in a listed issue
    hidden = tagged[5]
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.DRAFT)
    tag = Tag.objects.get(name="劳模")
    data = QueryDict(mutable=True)
    data.setlist("tag", [tag.slug])
    expected = list(ArticleFilter(data, queryset=Article.objects.published()).qs.values_list("pk", flat=True))
    assert len(expected) == len(tagged) - 1 > 40
    pages = []
    for number in (1, 2, 3):
        response = client.get(f"/tags/{tag.slug}/", {"page": number})
        pages += [article.pk for article in response.context["page_obj"].object_list]
    assert pages == expected


@pytest.mark.postgres
def test_the_time_index_carries_the_issue_date_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'subject_listing_time'")
        (definition,) = cursor.fetchone()
    # The facet scope of a subject page reads article ids and issue dates from this index alone.
    assert definition.endswith("(kind, subject_id, published_at, article_id, role) INCLUDE (issue_date)")
