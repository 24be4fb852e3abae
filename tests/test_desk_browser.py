"""The editors' desk in Debian's Chromium: exact unchanged saves for every role, and the review path."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from reversion.models import Version
from taggit.models import TaggedItem

from articles.importers import import_pages
from articles.models import Article, Byline
from articles.revisions import record_import
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def imported(seeds_dir):
    """The five seed pages through the real import service, with the revisions an admin import records."""
    report = import_pages(paths=[seeds_dir])
    assert report.ok
    record_import(report)
    assert Article.objects.count() == 25
    return report


def database_rows():
    """Every stored value of the articles, their bylines, tags and organisation links."""
    return {
        "articles": list(Article.objects.order_by("pk").values()),
        "bylines": list(Byline.objects.order_by("pk").values()),
        "tags": list(TaggedItem.objects.order_by("pk").values()),
        "organisations": list(Article.organisations.through.objects.order_by("pk").values()),
    }


def log_in(tab, live_server, group):
    username = {"编辑": "bianji", "主编": "zhubian"}[group]
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    tab.goto(live_server.url + "/admin/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", "pass-word-123")
    tab.locator("input[type=submit]").click()
    tab.wait_for_url(re.compile(r"/admin/$"))
    return user


@pytest.mark.parametrize("group", ["编辑", "主编"])
def test_unchanged_save_changes_nothing(page, live_server, imported, group):
    log_in(page, live_server, group)
    before = database_rows()
    versions, log_entries = Version.objects.count(), LogEntry.objects.count()
    saved = 0
    for pk in Article.objects.order_by("pk").values_list("pk", flat=True):
        page.goto(f"{live_server.url}/admin/articles/article/{pk}/change/")
        page.locator("input[name=_save]").click()
        page.wait_for_load_state()
        if re.search(r"/admin/articles/article/(\?.*)?$", page.url):
            saved += 1
        else:
            errors = page.locator(".errorlist, .errornote").all_inner_texts()
            pytest.fail(f"article {pk} was not saved: {errors}")
    assert saved == 25
    after = database_rows()
    for table in before:
        assert after[table] == before[table], table
    # Nothing changed, so no history claims a change and no new version is kept.
    assert Version.objects.count() == versions
    assert LogEntry.objects.count() == log_entries


def test_review_path_submit_publish_revert(browser, page, live_server, seeds_dir):
    report = import_pages(paths=[seeds_dir], draft=True)
    record_import(report)
    article = Article.objects.filter(status=Article.Status.DRAFT).order_by("pk").first()
    original_title = article.title
    assert not Article.objects.published().exists()

    # The editor rewrites the headline and submits it for review.
    log_in(page, live_server, "编辑")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.fill("#id_title", "编辑改写后的新标题")
    page.select_option("#id_status", "submitted")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))
    article.refresh_from_db()
    assert (article.title, article.status) == ("编辑改写后的新标题", Article.Status.SUBMITTED)

    # The chief editor finds it through the dashboard's review queue and publishes it.
    chief_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    chief = chief_context.new_page()
    log_in(chief, live_server, "主编")
    expect(chief.locator("#review-queue")).to_contain_text("待审")
    chief.get_by_role("link", name="查看待审稿件").click()
    chief.wait_for_url(re.compile(r"status__exact=submitted"))
    rows = chief.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("编辑改写后的新标题")
    chief.check(f"input[name=_selected_action][value='{article.pk}']")
    chief.select_option("select[name=action]", "publish_articles")
    chief.locator("button[name=index]").click()
    expect(chief.get_by_text("已发布 1 篇文章。")).to_be_visible()

    reader = browser.new_context().new_page()
    article.refresh_from_db()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_contain_text("编辑改写后的新标题")

    # The history shows the editor's change as a diff, then the chief editor reverts to the imported version.
    chief.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    history_rows = chief.locator("#change-history tbody tr")
    expect(history_rows).to_have_count(3)  # imported, the editor's save, published
    history_rows.nth(1).get_by_role("link", name="对比").click()
    previous = chief.locator("#against-previous")
    expect(previous.locator(".diff-removed", has_text=original_title).first).to_be_visible()
    expect(previous.locator(".diff-added", has_text="编辑改写后的新标题").first).to_be_visible()
    chief.go_back()
    history_rows.last.get_by_role("link", name="恢复此版本").click()
    expect(chief.locator("#id_title")).to_have_value(original_title)
    chief.locator("input[name=_save]").click()
    chief.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))

    article.refresh_from_db()
    assert article.title == original_title and article.is_public
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_contain_text(original_title)
    assert "编辑改写后的新标题" not in reader.content()
    reader.context.close()
    chief_context.close()

    # The editor may look at the history but not revert.
    response = page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    assert response.status == 200 and page.get_by_role("link", name="恢复此版本").count() == 0
    first_version = Version.objects.get_for_object(article).order_by("pk").first()
    response = page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/{first_version.pk}/")
    assert response.status == 403


def test_tag_filter_is_an_autocomplete_box(page, live_server, imported):
    from taggit.models import Tag

    tag = Tag.objects.get(name="劳模")
    tagged = set(Article.objects.filter(tags=tag).values_list("title", flat=True))
    assert 0 < len(tagged) < 25
    log_in(page, live_server, "主编")
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(live_server.url + "/admin/articles/article/")
    page.locator("#filter-tag + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill("劳模")
    page.locator(".select2-results__option", has_text="劳模").first.click()
    page.wait_for_url(re.compile(rf"tag={tag.pk}"))
    titles = set(page.locator("#result_list tbody th a").all_inner_texts())
    assert titles == tagged
    expect(page.locator("#filter-tag + .select2")).to_contain_text("劳模")
    assert errors == []
