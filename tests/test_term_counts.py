"""Kept counts of frequent search words: the triggers that keep them, and the counts they spare (PostgreSQL)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article, SearchTermChange, SearchTermCount
from articles.search import term_counts
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def make(**kwargs):
    """A published article (unless told otherwise), indexed at once."""
    article = factories.ArticleFactory(**kwargs)
    search.update_search_index([article.pk])
    return article


def kept(word):
    return term_counts.kept_count(word)


def counting(query):
    """The count of a plain search of published articles, and the search's COUNT statements (not a recording's)."""
    with CaptureQueriesContext(connection) as captured:
        count = search.count_matches(search.search_articles(Article.objects.published(), query))
    return count, [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "@@" in q["sql"]]


def test_the_triggers_keep_a_recorded_count_through_every_write():
    hits = [make(body="焊工比武。") for _ in range(3)]
    make(body="职工之家。", status=Article.Status.DRAFT, published_at=None)
    make(body="焊工比武。", status=Article.Status.DRAFT, published_at=None)
    assert term_counts.record("焊工") == 4  # every article that holds it, published or not
    assert kept("工匠") is None  # words nobody searched have no row

    make(body="焊工夜校开课。")
    assert kept("焊工") == 5
    Article.objects.filter(pk=hits[0].pk).update(body="电工夜校开课。")
    search.update_search_index([hits[0].pk])  # the word leaves the article's vector
    assert kept("焊工") == 4
    edited = Article.objects.get(pk=hits[1].pk)
    edited.title = "新的标题"
    edited.save()  # a write that leaves the vector as it was
    Article.objects.filter(pk=hits[2].pk).update(status=Article.Status.DRAFT)
    assert kept("焊工") == 4
    hits[1].delete()
    assert kept("焊工") == 3
    Article.objects.all().delete()
    assert kept("焊工") == 0
    changes = SearchTermChange.objects.filter(lexeme="焊工").count()
    assert changes >= 4  # appended, one per write statement
    search.fold_term_changes()
    assert (kept("焊工"), SearchTermChange.objects.count()) == (0, 0)
    assert SearchTermCount.objects.get(lexeme="焊工").articles == 0
    make(body="焊工。")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left for TRUNCATE to trip on
        cursor.execute("TRUNCATE articles_article CASCADE")
    assert not SearchTermCount.objects.exists()  # a figure no longer kept is no proof of anything


def test_recording_counts_up_to_its_limit(monkeypatch):
    monkeypatch.setattr(term_counts, "RECORD_LIMIT", 2)
    for _ in range(3):
        make(body="焊工比武。")
    assert term_counts.record("焊工") == 2  # less than the articles that hold it: still a floor, kept as one
    make(body="焊工夜校。")
    assert kept("焊工") == 3


def test_a_word_counted_past_the_limit_is_not_counted_again(monkeypatch):
    monkeypatch.setattr(search.counts, "EXACT_COUNT_LIMIT", 3)
    published = [make(body="焊工比武。") for _ in range(6)]
    count, statements = counting("焊工")
    assert count.estimated and len(statements) == 1
    assert kept("焊工") == 6

    count, statements = counting("焊工")
    assert (count.estimated, count.total >= 6, statements) == (True, True, [])  # the proven floor, at least
    # Two unpublished by an editor, one scheduled for tomorrow: the floor is 6 - 3 = 3, no proof; counted exactly.
    Article.objects.filter(pk__in=[published[0].pk, published[1].pk]).update(status=Article.Status.SUBMITTED)
    Article.objects.filter(pk=published[2].pk).update(published_at=timezone.now() + datetime.timedelta(days=1))
    count, statements = counting("焊工")
    assert (count, len(statements)) == (search.SearchCount(3), 1)
    assert kept("焊工") == 6  # counted exactly, nothing recorded again


def test_a_word_kept_below_the_limit_is_counted_and_not_recorded_again(monkeypatch):
    # As a word whose prefix is common (焊工 in 焊工们, 焊工班…) but which is itself in few articles.
    monkeypatch.setattr(search.counts, "EXACT_COUNT_LIMIT", 3)
    for _ in range(5):
        make(body="焊工比武。")
    SearchTermCount.objects.create(lexeme="焊工", articles=2)
    with CaptureQueriesContext(connection) as captured:
        count, statements = counting("焊工")
    assert count.estimated and len(statements) == 1
    assert not any("LOCK TABLE" in q["sql"] for q in captured.captured_queries)
    assert kept("焊工") == 2


def test_no_record_while_another_transaction_writes_articles(other_connection):
    for _ in range(2):
        make(body="焊工比武。")
    # A write under way (an import's open transaction): its statement's trigger holds the writers' lock.
    other_connection.execute("UPDATE articles_article SET title = title WHERE id < 0")
    assert term_counts.record("焊工") is None
    other_connection.rollback()
    assert kept("焊工") is None
    assert term_counts.record("焊工") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_naming_the_same_kept_word_do_not_wait_for_each_other(other_connection):
    first, second = make(body="焊工比武。"), make(body="电工夜校。")
    assert term_counts.record("焊工") == 1
    # One writer's transaction stays open after its write; the other must not queue behind it.
    other_connection.execute(
        "UPDATE articles_article SET search_vector = to_tsvector('simple', '焊工') WHERE id = %s", [second.pk]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
        cursor.execute("UPDATE articles_article SET search_vector = NULL WHERE id = %s", [first.pk])
        cursor.execute("SET lock_timeout = 0")
    assert kept("焊工") == 0  # this connection's change is committed, the other's not yet
    other_connection.commit()
    assert kept("焊工") == 1
    search.fold_term_changes()
    assert kept("焊工") == 1 and not SearchTermChange.objects.exists()
