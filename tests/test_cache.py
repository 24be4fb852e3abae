"""The page cache: anonymous readers get cached pages, and every editorial change invalidates them."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles import importers
from articles.importers import import_pages
from articles.models import Article, Byline, ContentVersion
from tests.factories import ArticleFactory, BylineFactory, ReporterFactory

# Real commits (autocommit), so on_commit hooks run as they do in production; serialized_rollback keeps the
# editorial groups that a flush would otherwise remove.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_second_request_is_served_from_cache(client, django_assert_num_queries):
    article = ArticleFactory(title="缓存里的文章")
    url = article.get_absolute_url()
    assert "缓存里的文章" in client.get(url).content.decode()
    with django_assert_num_queries(1):  # only the content version
        response = client.get(url)
    assert "缓存里的文章" in response.content.decode()


def test_saving_an_article_invalidates(client):
    article = ArticleFactory(title="旧标题")
    client.get("/articles/")
    article.title = "新标题"
    article.save()
    body = client.get("/articles/").content.decode()
    assert "新标题" in body and "旧标题" not in body


def test_admin_unpublish_action_invalidates(client, chief_editor):
    article = ArticleFactory(title="将被撤回")
    assert "将被撤回" in client.get("/articles/").content.decode()
    assert "将被撤回" in client.get("/feeds/latest/").content.decode()
    editor = type(client)()
    editor.force_login(chief_editor)
    editor.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish_articles", "_selected_action": [article.pk]},
    )
    assert "将被撤回" not in client.get("/articles/").content.decode()
    assert "将被撤回" not in client.get("/feeds/latest/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_admin_publish_action_invalidates(client, chief_editor):
    draft = ArticleFactory(title="刚刚发布", status=Article.Status.DRAFT, published_at=None)
    assert "刚刚发布" not in client.get("/articles/").content.decode()
    chief = type(client)()
    chief.force_login(chief_editor)
    chief.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_articles", "_selected_action": [draft.pk]},
    )
    assert "刚刚发布" in client.get("/articles/").content.decode()


def test_tag_and_byline_changes_invalidate(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)
    article.tags.add("新标签")
    assert "新标签" in client.get(url).content.decode()
    BylineFactory(article=article, reporter=ReporterFactory(name="新署名"), role=Byline.Role.PHOTOGRAPHER)
    assert "新署名" in client.get(url).content.decode()


def test_import_invalidates(client, seeds_dir):
    assert "以球会友" not in client.get("/articles/").content.decode()
    import_pages(paths=[seeds_dir / "000_d9c63f2169cdf48b.txt"])
    assert "以球会友" in client.get("/articles/").content.decode()


def _version():
    return ContentVersion.objects.get(pk=1).number


def test_an_import_bumps_the_version_once_per_interval_and_at_its_end(client, seeds_dir, monkeypatch):
    monkeypatch.setattr(importers, "CACHE_BUMP_SECONDS", 3600)
    before = _version()
    report = import_pages(paths=[seeds_dir])
    # The first page bumps at once, the other four wait for the interval, which the end of the import cuts short.
    assert report.ok and report.count("created") == 5
    assert _version() == before + 2
    assert "以球会友" in client.get("/articles/").content.decode()


def test_an_import_with_no_interval_bumps_for_every_page(seeds_dir, monkeypatch):
    monkeypatch.setattr(importers, "CACHE_BUMP_SECONDS", 0)
    before = _version()
    import_pages(paths=[seeds_dir])
    assert _version() >= before + 5


def test_batched_bumps_let_the_first_change_through_and_flush_the_rest_at_the_end():
    from articles.cache import batched_bumps

    article = ArticleFactory()
    before = _version()
    with batched_bumps(3600):
        article.title = "编辑改了标题"
        article.save()
        article.save()
        assert _version() == before + 1
    assert _version() == before + 2
    with batched_bumps(3600):
        pass  # nothing changed: no bump at the end
    assert _version() == before + 2


def test_scheduled_article_appears_when_its_time_comes(client, monkeypatch):
    soon = timezone.now() + datetime.timedelta(minutes=5)
    ArticleFactory(title="定时发布的文章", published_at=soon)
    assert "定时发布的文章" not in client.get("/articles/").content.decode()
    later = soon + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "定时发布的文章" in client.get("/articles/").content.decode()


def test_logged_in_editors_bypass_the_cache(client, superuser, django_assert_max_num_queries):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None, title="预览草稿")
    client.force_login(superuser)
    assert client.get(draft.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
