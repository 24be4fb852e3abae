"""articles.background: work handed to a thread with its own connection, or done at once where that is unsafe."""

import os
import threading

import pytest
from django.db import connection
from django.test import override_settings

from articles import background, filters
from articles.models import Article
from tests.factories import ArticleFactory


def _where():
    """The thread and the database session that ran this."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 1")
        return threading.get_ident(), cursor.fetchone()[0]


def _plain(counts):
    """facet_counts as plain values: each facet's (name, article count), and the month rows."""
    counted, months = counts
    return {facet: [(subject.name, subject.article_count) for subject in found] for facet, found in counted.items()}, [
        (row["month"], row["article_count"]) for row in months
    ]


@pytest.mark.django_db
def test_inside_a_transaction_the_work_is_done_at_once_on_this_connection():
    # A test's transaction: another connection would not see the rows it holds.
    ArticleFactory()
    here = _where()
    assert background.start(_where).result() == here
    assert background.start(Article.objects.count).result() == 1


@pytest.mark.django_db
def test_errors_come_back_from_result():
    future = background.start(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        future.result()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_it_runs_on_another_connection_and_sees_committed_rows():
    tagged = ArticleFactory(tags=["劳模"])
    ArticleFactory(tags=["劳模", "工匠"])
    assert background.runs_in_background()
    here = _where()
    there = background.start(_where).result()
    assert there[0] != here[0] and there[1] != here[1]
    published = Article.objects.published()
    counted = _plain(background.start(filters.facet_counts, published).result())
    assert counted == _plain(filters.facet_counts(published))
    assert counted[0]["tag"] == [("劳模", 2), ("工匠", 1)]
    with override_settings(NEWSROOM_BACKGROUND_QUERIES=False):
        assert background.start(_where).result() == here
    assert tagged.pk in filters.facet_ids(published)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_makes_its_own_threads():
    background._executor()  # the parent has a pool (and, once used, threads)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its pool must be new, and work in it must finish
        try:
            fresh = background._pool is None and background._executor().submit(lambda: 7).result(timeout=10) == 7
            os.write(write, b"1" if fresh else b"0")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_that_uses_the_thread_reads_the_same_without_it(client):
    from articles.models import SubjectFacets
    from tests.factories import BylineFactory, ReporterFactory

    reporter = ReporterFactory(name="王工")
    articles = [ArticleFactory(tags=["劳模", f"专题{n}"]) for n in range(3)]
    for article in articles:
        BylineFactory(article=article, reporter=reporter)
    middle = articles[1]
    urls = [
        "/",
        "/articles/",
        middle.get_absolute_url(),
        middle.issue.get_absolute_url(),
        middle.page.get_absolute_url(),
        reporter.get_absolute_url(),
        "/tags/劳模/",
    ]
    assert background.runs_in_background()
    threaded = {url: client.get(url) for url in urls}
    assert SubjectFacets.objects.count() == 2  # kept by the thread's connection, committed
    with override_settings(NEWSROOM_BACKGROUND_QUERIES=False):
        SubjectFacets.objects.all().delete()
        inline = {url: client.get(url) for url in urls}
    for url in urls:
        assert threaded[url].status_code == inline[url].status_code == 200, url
        assert threaded[url].content == inline[url].content, url
    # The navigation the thread read: 上一期/下一期 around the middle issue.
    navigation = threaded[middle.get_absolute_url()].context
    assert (navigation["older_issue"], navigation["newer_issue"]) == (articles[0].issue, articles[2].issue)
