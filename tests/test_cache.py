"""The page cache: anonymous readers get cached pages; a change invalidates the pages that show it, and only those."""

import datetime
import hashlib
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles import cache as page_cache_module
from articles import importers
from articles.importers import import_pages
from articles.models import Article, Byline, PageVersion
from tests.factories import ArticleFactory, BylineFactory, IssueFactory, PageFactory, ReporterFactory

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


@pytest.fixture
def bumps(monkeypatch):
    """Every call that writes version keys, with its keys."""
    calls = []
    real = page_cache_module.bump_keys

    def recording(keys):
        calls.append(set(keys))
        real(keys)

    monkeypatch.setattr(page_cache_module, "bump_keys", recording)
    return calls


def test_an_import_bumps_once_per_interval_and_at_its_end(client, seeds_dir, monkeypatch, bumps):
    monkeypatch.setattr(importers, "CACHE_BUMP_SECONDS", 3600)
    report = import_pages(paths=[seeds_dir])
    # The first page bumps at once, the other four wait for the interval, which the end of the import cuts short.
    assert report.ok and report.count("created") == 5
    assert len(bumps) == 2
    written = set().union(*bumps)
    articles = Article.objects.all()
    assert {f"a:{article.pk}" for article in articles} <= written
    assert {f"i:{article.issue_id}" for article in articles} <= written
    assert {f"r:{pk}" for pk in Byline.objects.values_list("reporter_id", flat=True)} <= written
    assert "lists" in written and "all" not in written
    assert "以球会友" in client.get("/articles/").content.decode()


def test_an_import_with_no_interval_bumps_for_every_page(seeds_dir, monkeypatch, bumps):
    monkeypatch.setattr(importers, "CACHE_BUMP_SECONDS", 0)
    import_pages(paths=[seeds_dir])
    assert len(bumps) >= 5


def test_batched_bumps_let_the_first_change_through_and_flush_the_rest_at_the_end(bumps):
    from articles.cache import batched_bumps

    article = ArticleFactory()
    bumps.clear()
    with batched_bumps(3600):
        article.title = "编辑改了标题"
        article.save()
        article.save()
        assert len(bumps) == 1
    assert len(bumps) == 2 and f"a:{article.pk}" in bumps[1]
    with batched_bumps(3600):
        pass  # nothing changed: no bump at the end
    assert len(bumps) == 2


def _two_reporters_two_issues():
    """Article A by reporter A in issue X; article B by reporter B in issue Y, a year apart (not neighbours' pages)."""
    x, y = IssueFactory(date=datetime.date(2022, 1, 3)), IssueFactory(date=datetime.date(2023, 6, 1))
    a = ArticleFactory(issue=x, page=PageFactory(issue=x, number=1), title="甲文")
    b = ArticleFactory(issue=y, page=PageFactory(issue=y, number=1), title="乙文")
    BylineFactory(article=a, reporter=ReporterFactory(name="甲记者"))
    BylineFactory(article=b, reporter=ReporterFactory(name="乙记者"))
    return a, b


def _served_from_cache(client, url, django_assert_num_queries) -> bool:
    """Whether `url` comes from the page cache (one query: the versions) rather than being rendered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries) == 1


def test_editing_an_article_invalidates_its_pages_only(client, django_assert_num_queries):
    a, b = _two_reporters_two_issues()
    third = IssueFactory(date=datetime.date(2024, 9, 9))
    ArticleFactory(issue=third, page=PageFactory(issue=third, number=1), title="丙文")
    a_pages = [
        a.get_absolute_url(),
        a.issue.get_absolute_url(),
        a.page.get_absolute_url(),
        a.bylines.get().reporter.get_absolute_url(),
        "/articles/",
        "/",
    ]
    other_pages = [b.get_absolute_url(), b.bylines.get().reporter.get_absolute_url(), third.get_absolute_url()]
    for url in a_pages + other_pages:
        client.get(url)
        assert _served_from_cache(client, url, django_assert_num_queries), url
    a.subtitle = "甲文新加的副题"
    a.save()
    for url in a_pages:
        assert not _served_from_cache(client, url, django_assert_num_queries), url
        assert "甲文新加的副题" in client.get(url).content.decode(), url
    # Reporter B, article B and an issue two years away keep their cached pages.
    for url in other_pages:
        assert _served_from_cache(client, url, django_assert_num_queries), url


def test_a_new_issue_invalidates_its_neighbours_pages(client, django_assert_num_queries):
    a, b = _two_reporters_two_issues()
    for url in (a.issue.get_absolute_url(), b.issue.get_absolute_url(), b.get_absolute_url()):
        client.get(url)
    # An issue between X and Y: X's 下一期 and Y's 上一期 now point to it.
    between = IssueFactory(date=datetime.date(2022, 8, 1))
    ArticleFactory(issue=between, page=PageFactory(issue=between, number=1), title="中间一期")
    for url in (a.issue.get_absolute_url(), b.issue.get_absolute_url(), b.get_absolute_url()):
        assert between.get_absolute_url() in client.get(url).content.decode(), url


def test_importing_a_page_keeps_unrelated_pages_cached(client, seeds_dir, django_assert_num_queries):
    # The seed page's issue is undated, so it sits next to the earliest dated issue (A's), not B's.
    _, b = _two_reporters_two_issues()
    url = b.get_absolute_url()
    client.get(url)
    client.get("/articles/")
    import_pages(paths=[seeds_dir / "001_cd5e2c8a745e082b.txt"])
    assert _served_from_cache(client, url, django_assert_num_queries)
    imported = Article.objects.get(issue__date=None, position=1)
    assert imported.title in client.get("/articles/").content.decode()


def test_renaming_a_reporter_invalidates_the_pages_naming_them(client):
    a, b = _two_reporters_two_issues()
    reporter = a.bylines.get().reporter
    for url in (a.get_absolute_url(), a.issue.get_absolute_url()):
        client.get(url)
    reporter.name = "甲记者改名"
    reporter.save()
    for url in (a.get_absolute_url(), a.issue.get_absolute_url()):
        assert "甲记者改名" in client.get(url).content.decode(), url


def test_versions_are_rows_per_key(client):
    a, _ = _two_reporters_two_issues()
    keys = set(PageVersion.objects.values_list("key", flat=True))
    assert {f"a:{a.pk}", f"i:{a.issue_id}", "lists"} <= keys


def test_versions_read_any_key_as_written():
    keys = ["a:1", "lists", 'q"uote', "back\\slash", "com,ma", "{brace}", "sp ace", "空格 键", ""]
    page_cache_module.bump_keys(keys[:-1])
    found = page_cache_module.versions([*keys, "never:bumped"])
    assert list(found) == [*keys, "never:bumped"]
    assert all(found[key] > 0 for key in keys[:-1]) and found[""] == found["never:bumped"] == 0
    assert found == dict(PageVersion.objects.filter(key__in=keys[:-1]).values_list("key", "number")) | {
        "": 0,
        "never:bumped": 0,
    }


def test_anonymous_pages_carry_http_caching_headers_and_answer_304(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    served = client.get(url)  # from the page cache, with the validators stored with it
    assert served["ETag"] and served["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=served["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=served["Last-Modified"]).status_code == 304


def test_pages_are_compressed_for_clients_that_accept_gzip(client):
    import gzip

    article = ArticleFactory(title="压缩的文章")
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "压缩的文章" in gzip.decompress(response.content).decode()
    assert "Accept-Encoding" in response["Vary"]


def test_scheduled_article_appears_when_its_time_comes(client, monkeypatch):
    soon = timezone.now() + datetime.timedelta(minutes=5)
    ArticleFactory(title="定时发布的文章", published_at=soon)
    assert "定时发布的文章" not in client.get("/articles/").content.decode()
    later = soon + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "定时发布的文章" in client.get("/articles/").content.decode()


def test_logged_in_editors_bypass_the_cache(client, superuser, django_assert_max_num_queries):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None, title="预览草稿")
    published = ArticleFactory(title="已发布")
    client.force_login(superuser)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "public" not in client.get(published.get_absolute_url())["Cache-Control"]
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_redating_an_issue_invalidates_its_articles_pages(client):
    a, b = _two_reporters_two_issues()
    reporter_page = a.bylines.get().reporter.get_absolute_url()
    for url in (a.get_absolute_url(), reporter_page):
        assert "2022年1月3日" in client.get(url).content.decode()
    issue = a.issue
    issue.date = datetime.date(2022, 1, 4)
    issue.save()
    for url in (a.get_absolute_url(), reporter_page):
        body = client.get(url).content.decode()
        assert "2022年1月4日" in body and "2022年1月3日" not in body, url


def test_lists_show_new_articles_after_the_refresh_delay(client, settings, monkeypatch):
    settings.NEWSROOM_LIST_REFRESH_SECONDS = 60
    for day, title in ((datetime.date(2024, 5, 6), "最新一期的文章"), (datetime.date(2022, 5, 6), "先到的文章")):
        issue = IssueFactory(date=day)
        ArticleFactory(issue=issue, page=PageFactory(issue=issue, number=1), title=title)
    for url in ("/articles/", "/", "/feeds/latest/"):
        client.get(url)
    # An older issue than both, so the home page's latest issue and its 上一期 stay as they were.
    older = IssueFactory(date=datetime.date(2020, 5, 6))
    ArticleFactory(issue=older, page=PageFactory(issue=older, number=1), title="后来的文章")
    # Within the delay the lists are served as rendered; the new article's own page is there at once.
    for url in ("/articles/", "/", "/feeds/latest/"):
        assert "后来的文章" not in client.get(url).content.decode(), url
    later = time.time_ns() + 61 * 1_000_000_000
    monkeypatch.setattr(page_cache_module.time, "time_ns", lambda: later)
    for url in ("/articles/", "/", "/feeds/latest/"):
        assert "后来的文章" in client.get(url).content.decode(), url


def test_a_withdrawn_or_retitled_article_leaves_the_lists_at_once(client, settings):
    settings.NEWSROOM_LIST_REFRESH_SECONDS = 3600
    withdrawn, retitled = ArticleFactory(title="将被撤回的文章"), ArticleFactory(title="旧的标题")
    for url in ("/articles/", "/", "/feeds/latest/", "/api/articles/"):
        client.get(url)
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    retitled.title = "改过的标题"
    retitled.save()
    for url in ("/articles/", "/", "/feeds/latest/", "/api/articles/"):
        body = client.get(url).content.decode()
        assert "将被撤回的文章" not in body and "旧的标题" not in body and "改过的标题" in body, url


def test_stale_lists_are_rendered_again_one_at_a_time_while_the_others_keep_the_last_one(
    client, settings, django_assert_num_queries
):
    settings.NEWSROOM_LIST_RENDERS = 2
    ArticleFactory(title="先到的文章")
    for url in ("/articles/", "/articles/?page=1", "/feeds/latest/"):
        client.get(url)
    ArticleFactory(title="后来的文章")
    # Both slots are held by requests rendering other lists: every stale list is served as it was, for one query.
    assert cache.add("render-list:0", 1, 30) and cache.add("render-list:1", 1, 30)
    for url in ("/articles/", "/articles/?page=1", "/feeds/latest/"):
        with django_assert_num_queries(1):
            assert "后来的文章" not in client.get(url).content.decode(), url
    # A page never cached is rendered whatever the slots.
    assert "后来的文章" in client.get("/articles/?sort=oldest").content.decode()
    cache.delete("render-list:1")
    # A slot is free: this request renders its list, and frees the slot when it is done.
    assert "后来的文章" in client.get("/articles/").content.decode()
    assert cache.get("render-list:1") is None and cache.get("render-list:0") == 1


def test_a_page_rendered_while_its_keys_moved_is_stored_as_stale(client, monkeypatch):
    article = ArticleFactory(title="渲染中被改")
    url = article.get_absolute_url()
    real = page_cache_module.versions

    def bumped_during_render(keys):
        # The article is edited between the render's start and the reading of the versions.
        page_cache_module.bump_keys([f"a:{article.pk}"])
        monkeypatch.setattr(page_cache_module, "versions", real)
        return real(keys)

    monkeypatch.setattr(page_cache_module, "versions", bumped_during_render)
    client.get(url)
    stored, *_ = cache.get("page:" + hashlib.sha256(url.encode()).hexdigest())
    assert stored[f"a:{article.pk}"] == page_cache_module.STALE
    Article.objects.filter(pk=article.pk).update(title="改好的标题")
    assert "改好的标题" in client.get(url).content.decode()


def test_changes_in_a_batch_are_expanded_once_when_the_batch_is_written(bumps, monkeypatch):
    from articles.cache import _Changes, batched_bumps

    expansions = []
    real = _Changes.expand

    def counted(self):
        expansions.append(set(self.articles))
        return real(self)

    monkeypatch.setattr(_Changes, "expand", counted)
    articles = [ArticleFactory() for _ in range(3)]
    bumps.clear()
    expansions.clear()
    with batched_bumps(3600):
        articles[0].save()  # the first change is written at once
        for article in articles[1:]:
            article.title += "（更正）"
            article.save()
        # What the later saves touch is worked out (queries) only when the batch is written.
        assert len(expansions) == 1
    assert len(expansions) == 2 and expansions[1] == {article.pk for article in articles[1:]}
    assert len(bumps) == 2
    assert {f"a:{article.pk}" for article in articles[1:]} | {f"i:{articles[1].issue_id}"} <= bumps[1]


def test_a_cached_page_carries_the_headers_of_the_rendered_one(client, django_assert_num_queries):
    article = ArticleFactory()
    url = article.get_absolute_url()
    rendered = client.get(url)
    with django_assert_num_queries(1):
        cached = client.get(url)
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Cache-Control", "Vary"):
        assert rendered.headers.get(header) and cached.headers.get(header) == rendered.headers[header], header
    assert cached.content == rendered.content and cached.headers["ETag"] == rendered.headers["ETag"]


def test_a_reader_with_a_session_cookie_gets_the_live_page(client):
    article = ArticleFactory(title="旧标题")
    client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(title="没有信号的新标题")  # no bump: the cache keeps the old page
    assert "旧标题" in client.get(article.get_absolute_url()).content.decode()
    client.cookies["sessionid"] = "not-a-session"
    response = client.get(article.get_absolute_url())
    assert "没有信号的新标题" in response.content.decode() and "public" in response.headers["Cache-Control"]
