"""The public site through real requests: what each page shows, what it hides, and how many queries it costs."""

import datetime
import json
import re
from urllib.parse import unquote

import factory
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article, Byline, Issue, SubjectFacets, SubjectFacetsChange
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ImageFactory,
    IssueFactory,
    OrganisationFactory,
    PageFactory,
    ReporterFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "机密草稿"
XSS = "<script>alert(1)</script>"


def reindex(articles):
    """Bring the search index up to date for articles made by factories."""
    search.update_search_index([article.pk for article in articles])


class Newspaper:
    """Two issues of a small paper, plus a draft and a scheduled article that must stay hidden everywhere."""

    def __init__(self):
        self.old_issue = IssueFactory(date=datetime.date(2022, 11, 14), date_inferred=False, number="5001")
        self.issue = IssueFactory(date=datetime.date(2022, 11, 30), date_inferred=True, number="5002")
        self.front = PageFactory(issue=self.issue, number=1, banner="要闻")
        self.second = PageFactory(issue=self.issue, number=2, banner="工会动态")
        self.old_page = PageFactory(issue=self.old_issue, number=1, banner="综合新闻")
        self.bai = ReporterFactory(name="白莹")
        self.chen = ReporterFactory(name="陈艺")
        self.union = OrganisationFactory(name="北京市总工会")
        self.shoukai = OrganisationFactory(name="首开集团")
        self.lead = self.article(
            self.front,
            1,
            kicker="深入学习贯彻党的二十大精神",
            title="市总工会召开党组理论学习中心组学习会",
            subtitle="推动全面学习、全面把握、全面落实",
            tags=["二十大", "学习"],
            organisations=[self.union],
            bylines=[(self.bai, Byline.Role.REPORTER)],
        )
        self.second_on_front = self.article(
            self.front,
            2,
            title="首开集团组织劳模先进代表学习",
            tags=["劳模", "学习"],
            organisations=[self.shoukai, self.union],
            bylines=[(self.bai, Byline.Role.REPORTER), (self.chen, Byline.Role.PHOTOGRAPHER)],
        )
        self.photo = self.article(
            self.second,
            1,
            title="以球会友鼓干劲",
            kind=Article.Kind.PHOTO,
            tags=["劳模"],
            bylines=[(self.chen, Byline.Role.PHOTOGRAPHER), (self.bai, Byline.Role.CORRESPONDENT)],
        )
        self.old = self.article(
            self.old_page,
            1,
            title="大兴区总工会召开宣讲报告会",
            tags=["二十大"],
            organisations=[self.union],
            bylines=[(self.chen, Byline.Role.REPORTER)],
        )
        secret_reporter = ReporterFactory(name="秘密记者")
        secret_organisation = OrganisationFactory(name="秘密组织")
        self.draft = self.article(
            self.front,
            3,
            title=f"{SECRET}一",
            status=Article.Status.DRAFT,
            published_at=None,
            tags=["秘密标签", "劳模"],
            organisations=[secret_organisation, self.union],
            bylines=[(secret_reporter, Byline.Role.REPORTER), (self.bai, Byline.Role.REPORTER)],
        )
        self.scheduled = self.article(
            self.second,
            2,
            title=f"{SECRET}二",
            published_at=timezone.now() + datetime.timedelta(days=1),
            tags=["秘密标签", "劳模"],
            organisations=[secret_organisation],
            bylines=[(secret_reporter, Byline.Role.PHOTOGRAPHER)],
        )
        draft_page = PageFactory(issue=IssueFactory(date=datetime.date(2022, 12, 5)), number=1, banner="未发布的版")
        self.draft_only_issue = draft_page.issue
        self.article(draft_page, 1, title=f"{SECRET}三", status=Article.Status.DRAFT, published_at=None)
        self.secret_reporter = secret_reporter
        self.secret_organisation = secret_organisation
        reindex(Article.objects.all())

    def article(self, page, position, *, tags=(), organisations=(), bylines=(), **fields):
        article = ArticleFactory(page=page, position=position, tags=list(tags), **fields)
        article.organisations.add(*organisations)
        for order, (reporter, role) in enumerate(bylines):
            BylineFactory(article=article, reporter=reporter, role=role, order=order)
        return article

    @property
    def published(self):
        return [self.lead, self.second_on_front, self.photo, self.old]


@pytest.fixture
def paper():
    return Newspaper()


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_no_secrets(body):
    assert SECRET not in body
    assert "秘密" not in body


def titles_in_order(body, articles):
    positions = [body.index(article.title) for article in articles]
    return positions == sorted(positions)


# Home


def test_home_shows_latest_issue_front_in_page_order(client, paper):
    body = page_text(client.get("/"))
    assert "要闻" in body and "工会动态" in body
    assert titles_in_order(body, [paper.lead, paper.second_on_front, paper.photo])
    # The older issue's article is among the recent stories, not on the front.
    assert paper.old.title in body
    assert "2022年11月30日" in body
    assert_no_secrets(body)


def test_home_shows_the_first_page_in_full_and_the_others_as_their_headlines(client, paper):
    html = client.get("/").content.decode()
    first, second = re.findall(r'<section class="front-page".*?</section>', html, re.S)
    # 要闻: cards with credits and excerpts; 工会动态: its headlines, each linking to its article.
    assert 'class="front-stories"' in first and first.count('class="story-excerpt"') == 2
    assert paper.lead.title in first and paper.second_on_front.title in first
    assert 'class="toc-list"' in second and "story-excerpt" not in second and 'class="byline"' not in second
    assert f'<a href="{paper.photo.get_absolute_url()}">{paper.photo.title}</a>' in second


def test_home_popular_lists_count_published_articles_only(client, paper):
    response = client.get("/")
    tags = {tag.name: tag.article_count for tag in response.context["popular_tags"]}
    assert tags == {"二十大": 2, "学习": 2, "劳模": 2}
    reporters = {reporter.name: reporter.article_count for reporter in response.context["popular_reporters"]}
    assert reporters == {"白莹": 3, "陈艺": 3}
    organisations = {org.name: org.article_count for org in response.context["popular_organisations"]}
    assert organisations == {"北京市总工会": 3, "首开集团": 1}


def test_home_without_articles(client, db):
    body = page_text(client.get("/"))
    assert "暂无已发布的文章" in body


def test_every_page_has_landmarks_title_and_description(client, paper):
    urls = [
        "/",
        "/articles/",
        paper.lead.get_absolute_url(),
        "/issues/",
        paper.issue.get_absolute_url(),
        paper.front.get_absolute_url(),
        "/issues/calendar/2022/11/",
        paper.bai.get_absolute_url(),
        paper.union.get_absolute_url(),
        reverse("articles:tag_detail", args=["劳模"]),
    ]
    for url in urls:
        body = page_text(client.get(url))
        assert '<html lang="zh-CN">' in body
        for landmark in ("<header", "<nav", "<main", "<footer", 'class="skip-link" href="#main"'):
            assert landmark in body, (url, landmark)
        assert re.search(r"<title>[^<]+ - 劳动午报</title>|<title>劳动午报[^<]*</title>", body), url
        assert '<meta name="description" content="' in body
        assert body.count("<h1") == 1, url
        # The CSP forbids inline styles and scripts, so the pages must not rely on them.
        assert "style=" not in body and "<style" not in body, url
        # Scripts only from files, besides JSON-LD data blocks, which browsers never run.
        for script in re.findall(r"<script\b[^>]*>.*?</script>", body, flags=re.S):
            assert re.fullmatch(r'<script src="/static/[^"]+\.js" defer></script>', script) or script.startswith(
                '<script type="application/ld+json">'
            ), (url, script)


def test_every_form_control_has_a_label(client, paper):
    body = page_text(client.get("/articles/", {"q": "学习"}))
    for control_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', body):
        assert f'for="{control_id}"' in body, control_id
    for tag in re.findall(r"<(?:input|select)\b[^>]*>", body):
        assert 'type="hidden"' in tag or "id=" in tag, tag


# Article page


def test_article_page_sets_kicker_title_subtitle_and_byline(client, paper):
    body = page_text(client.get(paper.lead.get_absolute_url()))
    header = body[body.index('<article class="article"') :]
    kicker, title, subtitle = (
        header.index(text) for text in (paper.lead.kicker, paper.lead.title, paper.lead.subtitle)
    )
    assert kicker < title < subtitle
    assert f'<h1 class="article-title" id="article-title">{paper.lead.title}</h1>' in body
    assert f'href="{paper.bai.get_absolute_url()}">白莹</a>' in body
    assert paper.issue.get_absolute_url() in body and "第1版 · 要闻" in body
    for paragraph in paper.lead.paragraphs:
        assert f"<p>{paragraph}</p>" in body
    assert reverse("articles:tag_detail", args=["二十大"]) in body
    assert paper.union.get_absolute_url() in body
    assert '<meta property="og:title"' in body and '<meta property="og:type" content="article">' in body
    assert_no_secrets(body)


def test_article_page_related_by_shared_tags_and_organisations(client, paper):
    response = client.get(paper.lead.get_absolute_url())
    related = list(response.context["related_articles"])
    # second_on_front shares 学习 and 北京市总工会 (score 2); old shares 二十大 and 北京市总工会 (2).
    assert set(related) == {paper.second_on_front, paper.old}
    assert paper.lead not in related and paper.draft not in related
    assert all(article.score == 2 for article in related)


def test_article_page_previous_and_next_in_issue(client, paper):
    response = client.get(paper.second_on_front.get_absolute_url())
    assert response.context["previous_article"] == paper.lead
    # The draft at position 3 on the front is skipped; the next published one is on page 2.
    assert response.context["next_article"] == paper.photo
    first = client.get(paper.lead.get_absolute_url())
    assert first.context["previous_article"] is None


def test_stale_slug_redirects_permanently(client, paper):
    old_url = paper.lead.get_absolute_url()
    paper.lead.title = "新的标题"
    paper.lead.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert unquote(response["Location"]) == f"/articles/{paper.lead.pk}/新的标题/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("which", ["draft", "scheduled"])
def test_unpublished_article_is_404_for_readers(client, paper, which):
    article = getattr(paper, which)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/api/articles/{article.pk}/").status_code == 404


def test_staff_with_view_permission_previews_drafts(client, paper):
    editor = UserFactory(username="previewer", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(editor)
    response = client.get(paper.draft.get_absolute_url())
    body = page_text(response)
    assert "预览：未发布" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert "预览：未发布" in page_text(client.get(paper.scheduled.get_absolute_url()))
    assert "预览：未发布" not in page_text(client.get(paper.lead.get_absolute_url()))


def test_staff_without_permission_and_non_staff_get_404(client, paper):
    client.force_login(UserFactory(username="plainstaff", is_staff=True))
    assert client.get(paper.draft.get_absolute_url()).status_code == 404
    member = UserFactory(username="member")
    member.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(member)
    assert client.get(paper.draft.get_absolute_url()).status_code == 404


def test_markup_in_content_is_shown_as_text(client, paper):
    article = paper.article(paper.front, 9, title=f"标题{XSS}", kicker=XSS, subtitle=XSS, body=f"第一段{XSS}\n第二段")
    article.tags.add(XSS)
    reindex([article])
    for url in (
        article.get_absolute_url(),
        "/",
        "/articles/",
        f"/articles/?q={article.title}",
        paper.issue.get_absolute_url(),
    ):
        body = page_text(client.get(url))
        assert XSS not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


# Issues


def test_issue_toc_lists_pages_and_articles_in_order(client, paper):
    body = page_text(client.get(paper.issue.get_absolute_url()))
    assert "版面导航" in body
    assert body.index("第1版") < body.index("要闻") < body.index(paper.lead.title)
    assert titles_in_order(body, [paper.lead, paper.second_on_front, paper.photo])
    assert body.index("工会动态") < body.index(paper.photo.title)
    assert "出版日期由正文推断" in body
    assert paper.old_issue.get_absolute_url() in body  # the previous issue
    assert_no_secrets(body)
    assert "未发布的版" not in body


def test_undated_issue_is_named_once_in_its_own_place_and_its_cards_carry_no_date(client, paper):
    undated = PageFactory(issue=IssueFactory(date=None, number="3051"), number=1, banner="综合新闻")
    article = paper.article(undated, 1, title="日期不明的文章")
    reindex([article])
    assert undated.issue.get_absolute_url() == f"/issues/{undated.issue.pk}/"
    body = page_text(client.get(undated.issue.get_absolute_url()))
    assert "第3051期（日期未注明）" in body and "日期待定" not in body
    issues = page_text(client.get("/issues/"))
    # Dated issues in the list, the undated one in a section of its own, named once.
    assert issues.count("第3051期（日期未注明）") == 1
    assert issues.index(paper.old_issue.label) < issues.index('id="undated-heading"') < issues.index("第3051期")
    undated_list = page_text(client.get("/issues/undated/"))
    assert "第3051期（日期未注明）" in undated_list and paper.issue.label not in undated_list
    # The article's card in a list names its page, not an invented date.
    listing = page_text(client.get("/articles/", {"q": "日期不明"}))
    card = listing.split('class="story-list"')[1].split("</ol>")[0]
    assert "<mark>日期不明</mark>的文章" in card and "第1版 · 综合新闻" in card
    assert "日期待定" not in card and "年" not in card.split("story-meta")[1].split("</p>")[0]
    assert "日期待定" not in page_text(client.get(article.get_absolute_url()))


def test_issue_urls_by_date_and_old_urls_redirect(client, paper):
    assert paper.issue.get_absolute_url() == "/issues/2022/11/30/"
    assert paper.front.get_absolute_url() == "/issues/2022/11/30/1/"
    old = client.get(f"/issues/{paper.issue.pk}/")
    assert old.status_code == 301 and old["Location"] == "/issues/2022/11/30/"
    old_page = client.get(f"/issues/{paper.issue.pk}/2/")
    assert old_page.status_code == 301 and old_page["Location"] == "/issues/2022/11/30/2/"
    assert client.get("/issues/2022/11/30/").status_code == 200
    for missing in ("/issues/2022/11/29/", "/issues/2022/02/30/", "/issues/2022/11/30/9/", "/issues/2022/13/01/"):
        assert client.get(missing).status_code == 404, missing
    # An issue known only from drafts has no public date URL either.
    assert client.get(paper.draft_only_issue.get_absolute_url()).status_code == 404


def test_page_shows_its_articles_in_print_order_with_page_and_issue_steps(client, paper):
    body = page_text(client.get(paper.front.get_absolute_url()))
    assert "第1版" in body and "要闻" in body
    assert titles_in_order(body, [paper.lead, paper.second_on_front])
    assert paper.photo.title not in body  # on page 2
    assert f'href="{paper.second.get_absolute_url()}"><span class="step-label">下一版</span>' in body
    assert "上一版" not in body
    assert f'href="{paper.old_issue.get_absolute_url()}"><span class="step-label">上一期</span>' in body
    second = page_text(client.get(paper.second.get_absolute_url()))
    assert f'href="{paper.front.get_absolute_url()}"><span class="step-label">上一版</span>' in second
    assert "下一版" not in second
    assert_no_secrets(body + second)


def test_article_and_home_pages_carry_the_issue_navigation(client, paper):
    body = page_text(client.get(paper.photo.get_absolute_url()))
    assert f'href="{paper.front.get_absolute_url()}"><span class="step-label">上一版</span>' in body
    assert f'href="{paper.old_issue.get_absolute_url()}"><span class="step-label">上一期</span>' in body
    assert 'aria-current="page">第2版 · 工会动态</a>' in body
    old = page_text(client.get(paper.old.get_absolute_url()))
    assert f'href="{paper.issue.get_absolute_url()}"><span class="step-label">下一期</span>' in old
    home = page_text(client.get("/"))
    assert f'href="{paper.old_issue.get_absolute_url()}"><span class="step-label">上一期</span>' in home
    assert f'href="{paper.second.get_absolute_url()}">第2版 · 工会动态</a>' in home


def test_calendar_links_the_days_with_an_issue(client, paper):
    assert client.get("/issues/calendar/")["Location"] == "/issues/calendar/2022/11/"
    response = client.get("/issues/calendar/2022/11/")
    body = page_text(response)
    days = re.findall(r'<td class="has-issue"><a href="([^"]+)"[^>]*>(\d+)</a></td>', body)
    assert days == [("/issues/2022/11/14/", "14"), ("/issues/2022/11/30/", "30")]
    assert "<span>15</span>" in body  # a day without an issue is not a link
    # The archive holds November 2022 only: no way out to empty months.
    assert "上个月" not in body and "下个月" not in body
    assert "<script" not in body
    assert page_text(client.get("/issues/calendar/2022/10/")).count('class="has-issue"') == 0
    IssueFactory(date=datetime.date(2023, 1, 5))
    assert client.get("/issues/calendar/2022/13/").status_code == 404
    assert client.get("/issues/calendar/1800/01/").status_code == 404


def test_calendar_navigates_months_and_years_within_the_archive(client, paper):
    later = PageFactory(issue=IssueFactory(date=datetime.date(2024, 2, 29)), number=1)
    paper.article(later, 1, title="闰日的报纸")
    body = page_text(client.get("/issues/calendar/2022/11/"))
    assert 'href="/issues/calendar/2022/12/">下个月 ›' in body
    assert 'href="/issues/calendar/2023/11/">2023年 »' in body
    assert "上个月" not in body
    leap = page_text(client.get("/issues/calendar/2024/02/"))
    assert '<a href="/issues/2024/02/29/" aria-label="2024年2月29日">29</a>' in leap
    assert 'href="/issues/calendar/2024/03/"' not in leap  # past the newest issue
    assert 'href="/issues/calendar/2024/01/">‹ 上个月' in leap


def test_issue_neighbours_follow_the_issue_list_order(client, paper):
    undated = [PageFactory(issue=IssueFactory(date=None), number=1) for _ in range(2)]
    for page in undated:
        paper.article(page, 1, title=f"无日期{page.pk}")
    first, second = (page.issue for page in undated)
    # The list reads: 11-30, 11-14, then undated issues latest imported first (second, first).
    response = client.get(paper.issue.get_absolute_url())
    assert response.context["newer_issue"] is None and response.context["older_issue"] == paper.old_issue
    response = client.get(paper.old_issue.get_absolute_url())
    assert response.context["newer_issue"] == paper.issue and response.context["older_issue"] == second
    response = client.get(second.get_absolute_url())
    assert response.context["newer_issue"] == paper.old_issue and response.context["older_issue"] == first
    response = client.get(first.get_absolute_url())
    assert response.context["newer_issue"] == second and response.context["older_issue"] is None


def test_issue_list_names_each_issue_by_its_lead_story(client, paper):
    response = client.get("/issues/")
    issues = list(response.context["issues"])
    assert issues == [paper.issue, paper.old_issue]
    assert [issue.lead_title for issue in issues] == [paper.lead.title, paper.old.title]
    assert [issue.article_count for issue in issues] == [3, 1]


def test_issue_list_shows_only_issues_with_published_articles(client, paper):
    body = page_text(client.get("/issues/"))
    assert paper.issue.get_absolute_url() in body and paper.old_issue.get_absolute_url() in body
    assert paper.draft_only_issue.get_absolute_url() not in body
    assert client.get(paper.draft_only_issue.get_absolute_url()).status_code == 404
    assert client.get("/issues/?page=abc").status_code == 200


# Reporter, organisation and tag pages


def test_reporter_page_counts_roles_and_lists_articles(client, paper):
    response = client.get(paper.bai.get_absolute_url())
    body = page_text(response)
    assert dict(response.context["role_counts"]) == {"记者": 2, "通讯员": 1, "摄影": 0}
    assert response.context["subject_total"] == 3
    for article in (paper.lead, paper.second_on_front, paper.photo):
        assert article.title in body
    assert paper.old.title not in body.split('class="story-list"')[1].split("</ol>")[0]
    assert_no_secrets(body)


def test_reporter_page_keeps_filters_within_the_reporter(client, paper):
    response = client.get(paper.bai.get_absolute_url(), {"role": "correspondent"})
    assert list(response.context["page_obj"].object_list) == [paper.photo]
    # A reporter in the query string cannot replace the page's own reporter.
    response = client.get(paper.bai.get_absolute_url(), {"reporter": paper.chen.slug})
    assert paper.old not in response.context["page_obj"].object_list


def _article_counts(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    return response, [query["sql"] for query in queries if query["sql"].startswith("SELECT COUNT(*)")]


def test_subject_pages_count_their_articles_once(client, paper):
    response, counts = _article_counts(client, paper.bai.get_absolute_url())
    assert response.context["subject_total"] == 3 and len(counts) == 1
    # Other filters narrow the list: the subject's own total is then a count of its own.
    response, counts = _article_counts(client, paper.bai.get_absolute_url(), {"role": "correspondent"})
    assert response.context["page_obj"].paginator.count == 1
    assert response.context["subject_total"] == 3 and len(counts) == 2
    response, counts = _article_counts(client, reverse("articles:tag_detail", args=["劳模"]), {"tag": "学习"})
    assert response.context["page_obj"].paginator.count == 1
    assert response.context["subject_total"] == 2 and len(counts) == 2


def test_organisation_and_tag_pages(client, paper):
    body = page_text(client.get(paper.union.get_absolute_url()))
    assert "北京市总工会" in body and paper.lead.title in body and paper.old.title in body
    assert paper.photo.title not in body
    response = client.get(reverse("articles:tag_detail", args=["劳模"]))
    assert response.context["subject_total"] == 2
    assert set(response.context["page_obj"].object_list) == {paper.second_on_front, paper.photo}
    narrowed = client.get(reverse("articles:tag_detail", args=["劳模"]), {"tag": "学习"})
    assert list(narrowed.context["page_obj"].object_list) == [paper.second_on_front]


def test_subjects_known_only_from_drafts_are_404(client, paper):
    assert client.get(paper.secret_reporter.get_absolute_url()).status_code == 404
    assert client.get(paper.secret_organisation.get_absolute_url()).status_code == 404
    assert client.get(reverse("articles:tag_detail", args=["秘密标签"])).status_code == 404
    assert client.get("/reporters/nobody/").status_code == 404


# Site-wide


def test_404_page_in_site_style(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "劳动午报" in body and "/static/css/site.css" in body


def test_robots_txt_points_to_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemaps_list_public_urls_only(client, paper):
    index = page_text(client.get("/sitemap.xml"))
    sections = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+\.xml)</loc>", index)
    assert sorted(sections) == [f"/sitemap-{name}.xml" for name in ("articles", "issues", "organisations", "reporters")]
    everything = "".join(page_text(client.get(section)) for section in sections)
    for article in paper.published:
        assert article.get_absolute_url() in everything
    for hidden in (paper.draft, paper.scheduled):
        assert f"/articles/{hidden.pk}/" not in everything
    assert paper.bai.get_absolute_url() in everything and paper.union.get_absolute_url() in everything
    assert paper.secret_reporter.get_absolute_url() not in everything
    assert paper.secret_organisation.get_absolute_url() not in everything
    assert paper.draft_only_issue.get_absolute_url() not in everything


def test_static_css_is_served_with_debug_off(client, db):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b".masthead" in b"".join(response.streaming_content)


# Constant query counts


def grow(paper, count):
    """Add `count` published articles that load every relation the pages show: bylines, tags, organisations, photos."""
    added = []
    for n in range(count):
        page = paper.front if n % 2 else paper.old_page
        article = paper.article(
            page,
            10 + n,
            title=f"学习劳模精神第{n}篇",
            tags=["学习", "劳模", "二十大", f"专题{n}"],
            organisations=[paper.union, paper.shoukai, OrganisationFactory()],
            bylines=[
                (paper.bai, Byline.Role.REPORTER),
                (paper.chen, Byline.Role.PHOTOGRAPHER),
                (ReporterFactory(), Byline.Role.CORRESPONDENT),
            ],
        )
        for order in range(2):
            ImageFactory(
                article=article,
                file=factory.django.ImageField(width=600, height=400, format="JPEG"),
                credit=paper.chen if order == 0 else None,
                credit_text="" if order == 0 else "新华社发",
                renditions=n < 2 and order == 0,
            )
        added.append(article)
    paper.lead.tags.add(*[f"加标签{n}" for n in range(5)])
    for n in range(4):
        BylineFactory(article=paper.lead, role=Byline.Role.CORRESPONDENT, order=10 + n)
    reindex(added + [paper.lead])
    return added


PAGES = {
    "home": lambda paper: "/",
    "list": lambda paper: "/articles/",
    "list with q": lambda paper: "/articles/?q=学习",
    "list with filters": lambda paper: f"/articles/?tag=学习&tag=劳模&reporter={paper.bai.slug}&role=reporter&page=2",
    "detail": lambda paper: paper.lead.get_absolute_url(),
    "issues": lambda paper: "/issues/",
    "issue": lambda paper: paper.issue.get_absolute_url(),
    "page": lambda paper: paper.front.get_absolute_url(),
    "calendar": lambda paper: "/issues/calendar/2022/11/",
    "undated issues": lambda paper: "/issues/undated/",
    "reporter": lambda paper: paper.bai.get_absolute_url(),
    "organisation": lambda paper: paper.union.get_absolute_url(),
    "tag": lambda paper: reverse("articles:tag_detail", args=["学习"]),
    "api list": lambda paper: "/api/articles/?q=学习&page_size=100",
    "api detail": lambda paper: f"/api/articles/{paper.lead.pk}/",
    "feed": lambda paper: "/feeds/latest/",
    "atom feed": lambda paper: f"/feeds/reporters/{paper.bai.slug}/atom/",
    "sitemap": lambda paper: "/sitemap-articles.xml",
    "sitemap index": lambda paper: "/sitemap.xml",
}

# Ceilings, so that a page that slowly gains queries is noticed even when they stay constant.
# Each list of articles prefetches its photos in one query (Article.objects.with_listing_relations).
MAX_QUERIES = {
    "home": 16,
    # The facets read the ids of the newest matches once (filters.facet_basis) rather than finding them in each count.
    # The facets are ranked in one statement, and each facet's names read in another (filters.subject_counts).
    "list": 12,
    # A search on PostgreSQL: planner settings, the count, the best hits' ids (one statement per tier read, up
    # to three, each only when the ones above leave the page short), and in a test's transaction one more to put
    # the settings back, and the word's kept count (docs/search.md).
    "list with q": 20,
    "list with filters": 14,
    "detail": 10,
    "issues": 4,
    "issue": 8,
    "page": 10,
    "calendar": 4,
    "undated issues": 4,
    "reporter": 14,
    "organisation": 14,
    "tag": 14,
    # A one-word search on PostgreSQL also reads the word's kept count, and asks the planner how common the word
    # is (search.count_search_hits).
    "api list": 20,
    "api detail": 5,
    "feed": 5,
    "atom feed": 6,
    "sitemap": 2,
    "sitemap index": 6,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_query_count_does_not_grow_with_rows(client, paper, name, django_assert_max_num_queries):
    url = PAGES[name](paper)
    client.get(url)  # warms per-process caches (content types), which are not per-request costs
    # Search re-checks its names dictionary at most every few seconds; make both requests pay for that check.
    search.forget_user_terms()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    assert len(few) <= MAX_QUERIES[name], [query["sql"] for query in few.captured_queries]
    budget = len(few)  # read now: the connection's query log keeps only the last 9,000, and `few` indexes into it
    grow(paper, 30)
    if name in ("reporter", "organisation", "tag"):
        client.get(url)  # a subject page counts its changed facets again and keeps them (the test below)
    search.forget_user_terms()
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


# A subject page's render that keeps its facets (articles/subject_facets.py), on PostgreSQL: the kept row looked
# for, then in a savepoint the writers' lock, the newest articles, the ranking, the next scheduled publication,
# the marks removed, the row written and the savepoint released, instead of the newest articles and the ranking
# (outside a test's transaction, one more: the commit setting).
RECORDING_QUERIES = 9


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["reporter", "organisation", "tag"])
def test_a_subject_page_that_keeps_its_facets_runs_a_constant_number_of_queries(
    client, paper, name, django_assert_max_num_queries
):
    url = PAGES[name](paper)
    client.get(url)
    SubjectFacets.objects.all().delete()
    with CaptureQueriesContext(connection) as recording:
        assert client.get(url).status_code == 200
    assert SubjectFacets.objects.exists()
    assert len(recording) <= MAX_QUERIES[name] + RECORDING_QUERIES, [q["sql"] for q in recording.captured_queries]
    budget = len(recording)
    grow(paper, 30)
    assert not SubjectFacets.objects.exclude(
        Exists(SubjectFacetsChange.objects.filter(kind=OuterRef("kind"), subject_id=OuterRef("subject_id")))
    ).exists()  # every kept row was marked stale
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


# The real seed pages


@pytest.fixture
def seeded(seeds_dir):
    from articles.importers import import_pages

    report = import_pages(paths=[seeds_dir])
    assert report.ok, report.as_json()
    return report


def test_seed_pages_all_render(client, seeded):
    articles = list(Article.objects.published().select_related("issue"))
    assert len(articles) == 25
    for article in articles:
        body = page_text(client.get(article.get_absolute_url()))
        assert f'id="article-title">{article.title}</h1>' in body
    for issue in {article.issue for article in articles}:
        assert page_text(client.get(issue.get_absolute_url())).count('class="toc-list"') >= 1
    issues = page_text(client.get("/issues/"))
    dated = {article.issue_id for article in articles if article.issue.date}
    undated = {article.issue_id for article in articles if not article.issue.date}
    assert issues.count('class="issue-date"') == len(dated)
    assert issues.split('id="undated-heading"')[1].count("（日期未注明）") == len(undated)


def test_seed_home_is_the_latest_dated_issue(client, seeded):
    response = client.get("/")
    latest = response.context["latest_issue"]
    assert latest.date is not None
    front = list(response.context["front_articles"])
    assert [article.position for article in front] == sorted(article.position for article in front)
    assert all(article.issue_id == latest.pk for article in front)
    assert response.context["popular_tags"] and response.context["popular_reporters"]


def test_seed_search_and_facets(client, seeded):
    response = client.get("/articles/", {"q": "劳模"})
    found = list(response.context["page_obj"].object_list)
    assert found and all("劳模" in f"{a.kicker}{a.title}{a.subtitle}{a.body}{list(a.tags.names())}" for a in found)
    assert "<mark>劳模</mark>" in response.content.decode()
    reporters = response.context["facet_groups"][1][2]
    narrowed = client.get("/articles/" + reporters[0].href)
    assert narrowed.context["page_obj"].paginator.count == reporters[0].count
    api = json.loads(client.get("/api/articles/", {"q": "劳模"}).content)
    assert api["count"] == response.context["page_obj"].paginator.count


def test_seed_undated_issues_are_named_without_a_date(client, seeded):
    undated = Issue.objects.filter(date__isnull=True)
    assert undated.count() == 4  # the seeds print a date on one page only
    for issue in undated:
        body = page_text(client.get(issue.get_absolute_url()))
        assert issue.label in body and "（日期未注明）" in issue.label and "这一期的报纸上没有印出版日期" in body
        assert "日期待定" not in body
    home = page_text(client.get("/"))
    assert "日期待定" not in home


def test_an_article_lists_its_tags_by_name_wherever_it_shows_them(client):
    from taggit.models import Tag

    # Created out of name order, so that the rows' own order is not the answer.
    for name in ("工会", "劳模", "二十大"):
        Tag.objects.create(name=name, slug=name)
    article = ArticleFactory(tags=["工会", "劳模", "二十大"])
    expected = ["二十大", "劳模", "工会"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.findall(r'<meta property="article:tag" content="([^"]+)">', html) == expected
    assert re.findall(r'rel="tag">([^<]+)</a>', html) == expected
    keywords = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert keywords["keywords"] == expected
    api = json.loads(client.get(f"/api/articles/{article.pk}/").content)
    assert [tag["name"] for tag in api["tags"]] == expected
