"""The readers' site in Debian's Chromium: the paper's navigation, undated issues, print, mobile and axe-core."""

import datetime
import json
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from articles.models import Article, Byline, Issue
from tests.conftest import IN_CI, SCREENSHOTS
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    IssueFactory,
    OrganisationFactory,
    PageFactory,
    ReporterFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
MOBILE = {"width": 390, "height": 844}


@pytest.fixture
def paper(db):
    """Two dated issues of two numbered pages each, three articles a page, with bylines, tags and organisations."""
    reporter = ReporterFactory(name="白莹")
    union = OrganisationFactory(name="北京市总工会")
    made = {}
    for day, number in ((1, "9001"), (2, "9002")):
        issue = IssueFactory(date=datetime.date(2023, 3, day), date_inferred=False, number=number)
        for page_number, banner in ((1, "要闻"), (2, "工会动态")):
            page_ = PageFactory(issue=issue, number=page_number, banner=banner)
            for position in (1, 2, 3):
                article = ArticleFactory(
                    issue=issue,
                    page=page_,
                    position=position,
                    kicker="深入学习贯彻党的二十大精神" if position == 1 else "",
                    title=f"3月{day}日第{page_number}版第{position}篇",
                    subtitle="推动全面学习、全面把握、全面落实" if position == 1 else "",
                    body="本报讯（记者 白莹）近日，北京市总工会召开学习会。\n会议强调，要做好职工服务工作。",
                )
                BylineFactory(article=article, reporter=reporter, role=Byline.Role.REPORTER)
                article.organisations.add(union)
                article.tags.add("学习", "劳模")
                made[(day, page_number, position)] = article
    from articles import search

    search.update_search_index([article.pk for article in made.values()])
    return made


def test_calendar_to_issue_to_page_to_next_page_to_article_and_back(page, live_server, paper):
    page.goto(live_server.url + "/issues/calendar/")
    page.wait_for_url(re.compile(r"/issues/calendar/2023/03/$"))
    expect(page.locator(".calendar caption")).to_contain_text("2 期报纸")
    page.get_by_role("link", name="2023年3月1日").click()
    page.wait_for_url(re.compile(r"/issues/2023/03/01/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "2023年3月1日 第9001期"

    page.locator(".toc-page .page-banner a").first.click()
    page.wait_for_url(re.compile(r"/issues/2023/03/01/1/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("第1版")
    titles = page.locator(".page-stories .story-title").all_inner_texts()
    assert titles == ["3月1日第1版第1篇", "3月1日第1版第2篇", "3月1日第1版第3篇"]

    page.locator(".issue-nav").get_by_role("link", name=re.compile("下一版")).click()
    page.wait_for_url(re.compile(r"/issues/2023/03/01/2/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("第2版")
    expect(page.locator(".issue-nav")).to_contain_text("下一期")

    page.locator(".page-stories .story-title a").first.click()
    page.wait_for_url(re.compile(r"/articles/\d+/"))
    assert page.get_by_role("heading", level=1).inner_text() == "3月1日第2版第1篇"
    # Inside the issue: where it is printed, and the way to the other pages and issues.
    expect(page.locator(".issue-nav [aria-current=page]")).to_have_text("第2版 · 工会动态")
    expect(page.locator(".issue-nav").get_by_role("link", name=re.compile("上一版"))).to_be_visible()

    page.locator(".prev-next").get_by_role("link", name=re.compile("上一篇")).click()
    page.wait_for_url(re.compile(r"/articles/\d+/"))
    assert page.get_by_role("heading", level=1).inner_text() == "3月1日第1版第3篇"

    page.locator(".issue-nav").get_by_role("link", name=re.compile("下一期")).click()
    page.wait_for_url(re.compile(r"/issues/2023/03/02/$"))


def test_an_undated_issue_is_named_once_in_its_own_section(page, live_server, seeded):
    undated = Issue.objects.filter(date__isnull=True).order_by("-pk")
    assert undated.count() == 4
    page.goto(live_server.url + "/issues/")
    section = page.locator(".undated-issues")
    expect(section.get_by_role("heading", name="日期未注明的期次")).to_be_visible()
    assert section.locator("li").count() == 4
    assert page.locator(".issue-list > li").count() == 1  # the one dated issue
    assert "日期待定" not in page.content()

    section.get_by_role("link", name=undated[0].label).click()
    page.wait_for_url(re.compile(rf"/issues/{undated[0].pk}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == undated[0].label
    expect(page.get_by_text("这一期的报纸上没有印出版日期。")).to_be_visible()
    article = Article.objects.published().filter(issue=undated[0]).in_page_order().first()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator(".article-where").inner_text().startswith(undated[0].label + " · ")
    page.goto(live_server.url + "/articles/")
    # Cards of undated articles carry no date at all.
    assert "日期待定" not in page.content()
    assert "（日期未注明）" not in page.locator(".story-list").inner_text()


def test_print_stylesheet_prints_the_article_and_its_address_only(page, live_server, paper):
    article = paper[(1, 1, 1)]
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".print-url")).to_be_hidden()
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".site-search", ".sidebar", ".site-footer", ".issue-nav", ".prev-next", ".share"):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in (".masthead-title", ".article-title", ".kicker", ".subtitle", ".article-header .byline"):
        expect(page.locator(shown).first).to_be_visible()
    expect(page.locator(".article-where")).to_contain_text("2023年3月1日")
    expect(page.locator(".print-url")).to_be_visible()
    expect(page.locator(".print-url")).to_contain_text(f"{live_server.url}/articles/{article.pk}/{article.title}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "print-article.png"), full_page=True)
    assert (SCREENSHOTS / "print-article.png").stat().st_size > 10_000


def test_mobile_layout(browser, live_server, paper):
    context = browser.new_context(viewport=MOBILE, device_scale_factor=1, locale="zh-CN", is_mobile=True)
    tab = context.new_page()
    article = paper[(2, 1, 1)]
    pages = {
        "home": "/",
        "list": "/articles/?q=学习",
        "article": article.get_absolute_url(),
        "issue": article.issue.get_absolute_url(),
        "calendar": "/issues/calendar/2023/03/",
    }
    for name, path in pages.items():
        assert tab.goto(live_server.url + path).status == 200
        # Nothing wider than the screen, and the main column keeps its space below the navigation.
        assert tab.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"], name
        assert tab.locator(".site-main").evaluate("el => getComputedStyle(el).paddingTop") != "0px", name
        assert tab.locator(".masthead").evaluate("el => getComputedStyle(el).paddingTop") != "0px", name
        button = tab.locator(".site-search button")
        assert button.evaluate("el => el.getBoundingClientRect().height") < 48, name  # one line, not wrapped
        tab.screenshot(path=str(SCREENSHOTS / f"mobile-{name}.png"), full_page=True)
    tab.goto(live_server.url + "/articles/?q=学习")
    details = tab.locator("details.facets-toggle")
    expect(details).to_be_visible()
    expect(tab.locator(".facets-sidebar")).to_be_hidden()
    assert details.evaluate("el => el.open") is False
    # Folded above the results: the summary comes before the first result.
    summary_y = details.evaluate("el => el.getBoundingClientRect().top")
    result_y = tab.locator(".story-list").evaluate("el => el.getBoundingClientRect().top")
    assert summary_y < result_y
    details.locator("summary").click()
    expect(details.locator("#narrow-facet-tag + ul a").first).to_be_visible()
    context.close()


def _axe_violations(browser, url, viewport):
    # bypass_csp: the page's policy forbids the injected script, as it should for anything inline.
    context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
    tab = context.new_page()
    assert tab.goto(url).status == 200, url
    tab.add_script_tag(content=AXE.read_text())
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    return [
        {"id": violation["id"], "impact": violation["impact"], "nodes": [n["target"] for n in violation["nodes"]][:3]}
        for violation in result["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_axe_finds_no_serious_violations_at_either_width(browser, live_server, paper):
    if not AXE.exists():
        reason = f"{AXE} is missing: npm ci"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    article = paper[(2, 1, 1)]
    urls = {
        "home": "/",
        "list": "/articles/",
        "search": "/articles/?q=学习",
        "article": article.get_absolute_url(),
        "issue": article.issue.get_absolute_url(),
        "page": article.page.get_absolute_url(),
        "calendar": "/issues/calendar/2023/03/",
        "reporter": article.bylines.get().reporter.get_absolute_url(),
        "organisation": article.organisations.get().get_absolute_url(),
    }
    found = {}
    for width in ({"width": 1280, "height": 900}, MOBILE):
        for name, path in urls.items():
            violations = _axe_violations(browser, live_server.url + path, width)
            if violations:
                found[f"{name}@{width['width']}"] = violations
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
