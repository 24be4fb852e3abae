"""A reader and an editor in Debian's Chromium, driven by Playwright against the live test server."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Article
from tests.conftest import SCREENSHOTS
from tests.factories import UserFactory

XSS = "<script>alert(1)</script>"

# live_server needs committed data; serialized_rollback restores the editorial groups the flush removes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reader_searches_narrows_and_follows_a_byline(page, live_server, seeded):
    page.goto(live_server.url + "/")
    page.get_by_label("搜索文章").fill("劳模")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/articles/\?q="))
    assert page.get_by_role("heading", level=1).inner_text() == "“劳模”的检索结果"
    results = page.locator(".story-list > li")
    found = results.count()
    assert found >= 2
    assert page.locator(".story-list mark").first.inner_text() == "劳模"

    reporter_facet = page.locator("#facet-reporter + ul a").first
    reporter_name = reporter_facet.inner_text()
    reporter_count = int(page.locator("#facet-reporter + ul .count").first.inner_text())
    reporter_facet.click()
    page.wait_for_url(re.compile(r"reporter="))
    assert results.count() == reporter_count <= found
    expect(page.locator(".chips").get_by_text(f"记者：{reporter_name}")).to_be_visible()

    results.first.locator(".story-title a").click()
    page.wait_for_url(re.compile(r"/articles/\d+/"))
    byline = page.locator(".article-header .byline a", has_text=reporter_name)
    expect(byline).to_be_visible()
    byline.click()
    page.wait_for_url(re.compile(r"/reporters/"))
    assert page.get_by_role("heading", level=1).inner_text() == reporter_name
    expect(page.locator(".stats").get_by_text("已发表")).to_be_visible()


def test_editor_retitles_and_unpublishes_in_the_admin(browser, page, live_server, seeded):
    editor = UserFactory(username="zhubian", is_staff=True)
    editor.groups.add(Group.objects.get(name="主编"))
    first, second = Article.objects.published().order_by("pk")[:2]

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "zhubian")
    page.fill("#id_password", "pass-word-123")
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/articles/article/{first.pk}/change/")
    page.fill("#id_title", "编辑改过的新标题")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    page.goto(live_server.url + "/articles/")
    expect(page.get_by_role("link", name="编辑改过的新标题")).to_be_visible()

    page.goto(live_server.url + "/admin/articles/article/")
    page.check(f"input[name=_selected_action][value='{second.pk}']")
    page.select_option("select[name=action]", "unpublish_articles")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("已撤回 1 篇文章。")).to_be_visible()

    page.goto(live_server.url + "/articles/")
    assert page.get_by_role("link", name=second.title, exact=True).count() == 0
    assert "共 <strong>24</strong> 篇" in page.content()
    # The editor may still preview the draft; a reader may not, nor find it in the feed.
    page.goto(live_server.url + second.get_absolute_url())
    expect(page.get_by_text("预览：未发布")).to_be_visible()
    reader = browser.new_context()
    feed = reader.request.get(live_server.url + "/feeds/latest/").text()
    assert second.get_absolute_url() not in feed and "编辑改过的新标题" in feed
    assert reader.request.get(live_server.url + second.get_absolute_url()).status == 404
    reader.close()


def test_imported_script_never_runs(page, live_server, tmp_path):
    from articles.importers import import_pages

    source = tmp_path / "xss.txt"
    source.write_text(
        f"\n要闻\n\n标题里的{XSS}\n\n本报讯（记者 白莹）正文里也有{XSS}，读者只能看到文字。\n\n第二段。\n",
        encoding="utf-8",
    )
    assert import_pages(paths=[source]).ok
    article = Article.objects.published().get(title__contains="<script>")

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(live_server.url + article.get_absolute_url())
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert XSS in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".article-body").get_by_text(XSS).count() >= 1
    for path in ("/", "/articles/?q=script", article.issue.get_absolute_url()):
        page.goto(live_server.url + path)
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("script").count() == 0


def test_screenshots(page, live_server, seeded):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    latest = Article.objects.published().exclude(issue__date=None).order_by("-issue__date").first().issue
    lead = Article.objects.published().filter(issue=latest).in_page_order().first()
    pages = {
        "home": "/",
        "list": "/articles/?q=劳模",
        "article": lead.get_absolute_url(),
        "issue": lead.issue.get_absolute_url(),
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # The stylesheet loaded: the masthead is set in the site's red, not the browser's default.
        assert page.locator(".masthead-title").evaluate("el => getComputedStyle(el).color") == "rgb(179, 18, 27)"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
