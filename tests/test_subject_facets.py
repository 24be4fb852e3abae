"""Kept facets of subject pages: recorded once, marked stale by every write that changes them (PostgreSQL)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import filters, subject_facets
from articles.models import Article, Byline, Organisation, SubjectFacets, SubjectFacetsChange, SubjectListing
from tests import factories

TAG = SubjectListing.Kind.TAG


def credited(tags=(), reporters=(), organisations=(), **kwargs):
    """A published article with these tags, credited people and organisations."""
    article = factories.ArticleFactory(tags=list(tags), **kwargs)
    for reporter in reporters:
        factories.BylineFactory(article=article, reporter=reporter)
    article.organisations.add(*organisations)
    return article


def tag_id(name):
    from taggit.models import Tag

    return Tag.objects.get(name=name).pk


def plain(counts):
    """facet_counts as plain values: each facet's (name, article count), and the month rows."""
    subjects, months = counts
    named = {facet: [(subject.name, subject.article_count) for subject in found] for facet, found in subjects.items()}
    return named, months


def live(kind, subject_id, facets=tuple(filters.FACET_SUBJECTS)):
    ranking, months = subject_facets.counted(kind, subject_id)
    return plain((filters.named_counts(ranking, facets=facets), months))


def shown(kind, subject_id, facets=tuple(filters.FACET_SUBJECTS)):
    return plain(subject_facets.facet_counts(kind, subject_id, facets))


@pytest.fixture
def desk(db):
    """Three articles tagged 安全生产 with two people and an organisation; one article about something else."""
    wang, li = factories.ReporterFactory(name="王工"), factories.ReporterFactory(name="李工")
    union = factories.OrganisationFactory(name="区总工会")
    articles = [
        credited(["安全生产", "培训"], [wang], [union]),
        credited(["安全生产", "培训"], [wang, li]),
        credited(["安全生产"], [li], [union]),
    ]
    other = credited(["植树"], [li])
    return {"wang": wang, "li": li, "union": union, "articles": articles, "other": other, "tag": tag_id("安全生产")}


@pytest.mark.postgres
def test_a_subject_page_keeps_its_facets_and_reads_them_on_its_next_render(client, desk):
    url = "/tags/安全生产/"
    first = client.get(url)
    assert first.status_code == 200
    assert SubjectFacets.objects.filter(kind=TAG, subject_id=desk["tag"]).exists()
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert not [q for q in captured.captured_queries if "RANK()" in q["sql"]]  # not counted again
    assert second.context["facet_groups"] and [
        (name, [(link.label, link.count) for link in links]) for name, _, links in second.context["facet_groups"]
    ] == [(name, [(link.label, link.count) for link in links]) for name, _, links in first.context["facet_groups"]]
    assert shown(TAG, desk["tag"]) == live(TAG, desk["tag"])
    tags = dict(shown(TAG, desk["tag"])[0]["tag"])
    assert tags == {"安全生产": 3, "培训": 2}


@pytest.mark.postgres
def test_every_write_that_changes_the_facets_marks_them_stale(desk):
    subject = (TAG, desk["tag"])
    first, second, third = desk["articles"]

    def recorded():
        assert subject_facets.record(*subject) is not None
        assert subject_facets.kept(*subject, timezone.now()) is not None

    def stale():
        assert subject_facets.kept(*subject, timezone.now()) is None
        assert shown(*subject) == live(*subject)  # counted again, and kept again
        assert subject_facets.kept(*subject, timezone.now()) is not None

    writes = [
        lambda: first.tags.add("夜校"),  # a co-tag of one of its articles
        lambda: first.tags.remove("培训"),
        lambda: factories.BylineFactory(article=second, reporter=factories.ReporterFactory(name="赵工")),
        lambda: Byline.objects.filter(article=third).delete(),
        lambda: second.organisations.add(desk["union"]),
        lambda: Article.objects.filter(pk=third.pk).update(status=Article.Status.SUBMITTED),  # unpublished
        lambda: Article.objects.filter(pk=third.pk).update(status=Article.Status.PUBLISHED),
        lambda: type(first.issue).objects.filter(pk=first.issue_id).update(date=datetime.date(2023, 3, 1)),
        lambda: credited(["安全生产"], [desk["wang"]]),  # a new article of the subject
        lambda: second.delete(),
        lambda: Organisation.objects.filter(pk=desk["union"].pk).delete(),
    ]
    for write in writes:
        recorded()
        write()
        stale()


@pytest.mark.postgres
def test_writes_that_leave_the_facets_as_they_were_keep_them(desk):
    subject = (TAG, desk["tag"])
    assert subject_facets.record(*subject) is not None
    desk["other"].tags.add("绿化")  # an article the subject does not name
    credited(["植树"], [factories.ReporterFactory()])
    Byline.objects.filter(article=desk["articles"][0]).update(role=Byline.Role.PHOTOGRAPHER)  # roles are not counted
    Article.objects.filter(pk=desk["articles"][0].pk).update(title="新的标题")
    assert subject_facets.kept(*subject, timezone.now()) is not None
    assert shown(*subject) == live(*subject)


@pytest.mark.postgres
def test_a_scheduled_article_ends_the_kept_facets_at_its_publication(desk):
    subject = (TAG, desk["tag"])
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    credited(["安全生产", "夜校"], published_at=tomorrow)
    assert subject_facets.record(*subject) is not None
    assert SubjectFacets.objects.get(kind=TAG, subject_id=desk["tag"]).expires_at == tomorrow
    assert subject_facets.kept(*subject, timezone.now()) is not None
    later = tomorrow + datetime.timedelta(minutes=1)
    assert subject_facets.kept(*subject, later) is None
    assert "夜校" not in dict(shown(*subject)[0]["tag"])  # today's facets leave it out
    ranking, _ = subject_facets.counted(*subject, later)
    assert (TAG, tag_id("夜校"), 1) in ranking  # and the count after its publication takes it in


@pytest.mark.postgres
def test_no_record_while_another_transaction_writes_the_listing(desk, other_connection):
    subject = (TAG, desk["tag"])
    # An import's open transaction after a write: the listing's trigger holds the writers' lock until it commits.
    other_connection.execute("UPDATE articles_subjectlisting SET role = role WHERE id < 0")
    assert subject_facets.record(*subject) is None
    assert shown(*subject) == live(*subject)  # the page still has its facets, counted
    assert not SubjectFacets.objects.exists()
    other_connection.rollback()
    assert subject_facets.record(*subject) is not None


@pytest.mark.postgres
def test_drop_stale_removes_marked_facets_and_their_marks(desk):
    subject = (TAG, desk["tag"])
    subject_facets.record(*subject)
    subject_facets.record(SubjectListing.Kind.REPORTER, desk["wang"].pk)
    desk["other"].tags.add("夜校")  # marks nothing: no kept subject is on that article
    assert not SubjectFacetsChange.objects.exists()
    desk["articles"][2].tags.add("夜校")  # marks the tag, not 王工 (not credited there)
    assert list(SubjectFacetsChange.objects.values_list("kind", "subject_id")) == [subject]
    desk["articles"][2].tags.add("节能")  # a subject already marked is not marked twice
    assert SubjectFacetsChange.objects.count() == 1
    subject_facets.drop_stale()
    assert not SubjectFacetsChange.objects.exists()
    assert list(SubjectFacets.objects.values_list("kind", flat=True)) == [SubjectListing.Kind.REPORTER]


@pytest.mark.postgres
def test_truncating_the_listing_drops_every_kept_facet(desk):
    subject_facets.record(TAG, desk["tag"])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_subjectlisting")
    assert not SubjectFacets.objects.exists()


@pytest.mark.postgres
def test_a_read_only_database_counts_the_facets_and_keeps_none(desk, caplog):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's deferred checks, while writes are allowed
        cursor.execute("SET TRANSACTION READ ONLY")  # as on a hot standby
    assert subject_facets.record(TAG, desk["tag"]) is None
    assert dict(shown(TAG, desk["tag"])[0]["tag"]) == {"安全生产": 3, "培训": 2}
    assert not SubjectFacets.objects.exists()
    assert not caplog.records  # not tried and failed on every render: not tried at all


@pytest.mark.postgres
def test_a_subject_without_published_articles_keeps_nothing(desk):
    Article.objects.filter(tags__name="植树").update(status=Article.Status.SUBMITTED)
    assert subject_facets.record(TAG, tag_id("植树")) == ([], [])
    assert not SubjectFacets.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_that_starts_while_a_page_records_waits_and_then_marks_the_new_row(desk, other_connection):
    import threading

    from articles.locks import WRITES_LOCK

    subject = (TAG, desk["tag"])
    # A page recording on another connection: it holds the writers' lock alone and has written its row.
    other_connection.execute("SELECT pg_advisory_xact_lock(%s)", [WRITES_LOCK])
    other_connection.execute(
        "INSERT INTO articles_subjectfacets (kind, subject_id, ranking, months, recorded_at) "
        "VALUES (%s, %s, '[]', '[]', now())",
        list(subject),
    )
    wrote = threading.Event()

    def write():
        try:
            desk["articles"][0].tags.add("夜校")  # a co-tag: the recorded facets are stale once it commits
            wrote.set()
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    assert not wrote.wait(1.0)  # the write waits in its trigger for the lock
    other_connection.commit()
    writer.join(timeout=30)
    assert wrote.is_set()
    assert SubjectFacetsChange.objects.filter(kind=TAG, subject_id=desk["tag"]).exists()
    assert subject_facets.kept(*subject, timezone.now()) is None


@pytest.mark.sqlite
def test_sqlite_counts_the_facets_of_every_render_and_keeps_none(client, desk):
    response = client.get("/tags/安全生产/")
    assert response.status_code == 200
    groups = {name: links for name, _, links in response.context["facet_groups"]}
    tags = {link.label: link.count for link in groups["tag"]}
    assert tags == {"安全生产": 3, "培训": 2}
    assert not SubjectFacets.objects.exists()
