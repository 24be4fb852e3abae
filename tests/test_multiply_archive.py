"""multiply_archive: the archive copied in SQL with shifted ids and dates, index entries and links included."""

import pytest
from django.core.management import call_command

from articles import search
from articles.importers import import_pages
from articles.management.commands.multiply_archive import SEARCH_INDEXES, multiply
from articles.models import Article, Byline, Issue, Page
from tests.test_listing import assert_listing_is_current

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _hits(query):
    return set(search.search_articles(Article.objects.published(), query).values_list("pk", flat=True))


def test_copies_repeat_every_article_its_index_entry_and_links_further_back(seeds_dir):
    assert import_pages(paths=[seeds_dir]).ok
    originals = {a.pk: a for a in Article.objects.select_related("issue", "page")}
    issues, pages = Issue.objects.count(), Page.objects.count()
    bylines, tags = Byline.objects.count(), Article.tags.through.objects.count()
    before = _hits("劳模")
    assert before

    result = multiply(2, log=lambda line: None)

    assert result["articles"] == Article.objects.count() == 3 * len(originals)
    assert Byline.objects.count() == 3 * bylines and Article.tags.through.objects.count() == 3 * tags
    shift = 10 ** len(str(max(originals)))
    span = max(a.published_at for a in originals.values()) - min(a.published_at for a in originals.values())
    for pk, article in originals.items():
        copy = Article.objects.get(pk=pk + 2 * shift)
        assert (copy.title, copy.search_document) == (article.title, article.search_document)
        assert copy.published_at < article.published_at - 2 * span
        assert copy.organisations.count() == article.organisations.count()
        # The copy sits in a copy of its issue and page, dated further back: issues keep their size.
        assert copy.issue_id != article.issue_id and copy.page_id != article.page_id
        assert copy.page.issue_id == copy.issue_id and copy.page.number == article.page.number
        if article.issue.date:
            assert copy.issue.date < article.issue.date - 2 * span
    assert (Issue.objects.count(), Page.objects.count()) == (3 * issues, 3 * pages)
    dated = Issue.objects.exclude(date=None)
    assert dated.values("date").distinct().count() == dated.count()
    after = _hits("劳模")
    assert after == before | {pk + shift for pk in before} | {pk + 2 * shift for pk in before}
    assert set(result["indexes"]) == set(SEARCH_INDEXES)
    # The subject listing follows the copied links, their articles and issues (its triggers, docs/site.md).
    assert_listing_is_current()
    # New articles take ids after the copies, and the relevance order still works over them.
    assert Article.objects.create(issue=copy.issue, title="新文章").pk > max(after)
    assert search.order_by_relevance(search.search_articles(Article.objects.published(), "劳模")).exists()
    # A copied archive can be multiplied again (200,000 → 1,000,000 in docs/benchmarks.md).
    assert multiply(1, log=lambda line: None)["articles"] == Article.objects.count() == 6 * len(originals) + 2


def test_refuses_an_empty_database():
    with pytest.raises(Exception, match="import an archive first"):
        call_command("multiply_archive", "--copies", "1")
