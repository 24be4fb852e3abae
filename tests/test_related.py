"""Related articles: shared tags and organisations scored within a bounded candidate set."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import related
from articles.models import Article
from articles.related import related_articles

from .factories import ArticleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _loaded(article):
    return Article.objects.with_labels().get(pk=article.pk)


def test_more_shared_links_rank_first_and_drafts_never_show():
    union = OrganisationFactory(name="北京市总工会")
    article = ArticleFactory(tags=["劳模", "工匠"])
    article.organisations.add(union)
    one_tag = ArticleFactory(tags=["劳模"])
    everything = ArticleFactory(tags=["劳模", "工匠"])
    everything.organisations.add(union)
    draft = ArticleFactory(tags=["劳模", "工匠"], status=Article.Status.DRAFT, published_at=None)
    draft.organisations.add(union)
    ArticleFactory(tags=["无关"])

    found = related_articles(_loaded(article))

    assert [(other.pk, other.score) for other in found] == [(everything.pk, 3), (one_tag.pk, 1)]
    assert draft not in found and article not in found


def test_popular_link_reads_only_the_nearest_articles(monkeypatch):
    monkeypatch.setattr(related, "NEIGHBOURS", 2)
    earlier = [ArticleFactory(tags=["工会"]) for _ in range(4)]
    article = ArticleFactory(tags=["工会"])
    later = [ArticleFactory(tags=["工会"]) for _ in range(4)]

    found = {other.pk for other in related_articles(_loaded(article))}

    # Two on each side of the article on the shared tag; the farther ones are never read.
    assert found == {earlier[-1].pk, earlier[-2].pk, later[0].pk, later[1].pk}


@pytest.mark.parametrize("links", [1, 8])
def test_two_queries_whatever_the_number_of_links_and_articles(links):
    tags = [f"标签{n}" for n in range(links)]
    article = ArticleFactory(tags=tags)
    for _ in range(links * 3):
        ArticleFactory(tags=tags[:2])
    loaded = _loaded(article)

    with CaptureQueriesContext(connection) as queries:
        found = related_articles(loaded)

    assert len(queries) == 2
    assert found and len(found) <= related.RELATED_LIMIT


def test_article_without_links_has_no_related_articles():
    ArticleFactory(tags=["劳模"])
    loaded = _loaded(ArticleFactory())
    with CaptureQueriesContext(connection) as queries:
        assert related_articles(loaded) == []
    assert len(queries) == 0
