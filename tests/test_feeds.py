"""RSS and Atom feeds: the latest articles and those of one tag, reporter or organisation; published only."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.test_views import SECRET, XSS, Newspaper

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def paper():
    return Newspaper()


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_latest_rss(client, paper):
    channel, items = rss_items(client, "/feeds/latest/")
    assert channel.findtext("title") == "劳动午报 最新文章"
    links = [item.findtext("link") for item in items]
    assert links == ["http://testserver" + article.get_absolute_url() for article in paper.published]
    lead = items[0]
    assert lead.findtext("title") == paper.lead.headline
    assert {category.text for category in lead.findall("category")} == {"二十大", "学习"}
    assert lead.findtext("pubDate")
    assert SECRET not in ET.tostring(channel, encoding="unicode")


def test_latest_atom(client, paper):
    feed, entries = atom_entries(client, "/feeds/latest/atom/")
    assert feed.findtext(f"{ATOM}title") == "劳动午报 最新文章"
    assert len(entries) == 4
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "记者 白莹"


def test_subject_feeds(client, paper):
    _, items = rss_items(client, reverse("articles:feed_tag", args=["劳模"]))
    assert [item.findtext("title") for item in items] == [paper.second_on_front.title, paper.photo.title]
    _, items = rss_items(client, reverse("articles:feed_reporter", args=[paper.chen.slug]))
    assert len(items) == 3
    _, entries = atom_entries(client, reverse("articles:feed_organisation_atom", args=[paper.union.slug]))
    assert len(entries) == 3
    _, entries = atom_entries(client, reverse("articles:feed_tag_atom", args=["劳模"]))
    assert len(entries) == 2
    _, items = rss_items(client, reverse("articles:feed_organisation", args=[paper.shoukai.slug]))
    assert len(items) == 1
    _, entries = atom_entries(client, reverse("articles:feed_reporter_atom", args=[paper.bai.slug]))
    assert len(entries) == 3


def test_subject_feeds_hide_drafts(client, paper):
    _, items = rss_items(client, reverse("articles:feed_reporter", args=[paper.secret_reporter.slug]))
    assert items == []
    assert client.get("/feeds/tags/no-such-tag/").status_code == 404


def test_feed_escapes_markup(client, paper):
    paper.article(paper.front, 9, title=f"标题{XSS}", body=f"正文{XSS}")
    response = client.get("/feeds/latest/")
    assert b"<script>" not in response.content
    _, items = rss_items(client, "/feeds/latest/")
    assert any(item.findtext("title") == f"标题{XSS}" for item in items)


def test_unpublishing_removes_from_feed(client, paper):
    from articles import services
    from articles.models import Article

    services.unpublish(Article.objects.filter(pk=paper.lead.pk))
    _, items = rss_items(client, "/feeds/latest/")
    assert paper.lead.title not in [item.findtext("title") for item in items]


# Parsed as a feed reader would (feedparser): dates are the printed ones, in issue order.


def _parse(client, url):
    import feedparser

    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def _local_date(parsed):
    """feedparser gives UTC; the paper's date is Beijing's."""
    import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.datetime(*parsed[:6], tzinfo=datetime.UTC)
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).date()


def test_feeds_parse_with_issue_dates_in_order(client, paper):
    from tests.factories import IssueFactory, PageFactory

    undated = PageFactory(issue=IssueFactory(date=None), number=1)
    late_import = paper.article(undated, 1, title="日期未注明的文章")
    for url in ("/feeds/latest/", "/feeds/latest/atom/"):
        feed = _parse(client, url)
        entries = {entry.title: entry for entry in feed.entries}
        dated = [entry for entry in feed.entries if entry.get("published_parsed")]
        published = [_local_date(entry.published_parsed) for entry in dated]
        # The printed dates (2022-11-30, 2022-11-14), newest first, however the articles were imported.
        assert published == sorted(published, reverse=True), url
        assert set(published) == {paper.issue.date, paper.old_issue.date}, url
        assert _local_date(entries[paper.old.headline].published_parsed) == paper.old_issue.date
        # An undated issue's article has no invented publication date; its import time is only `updated`.
        undated_entry = entries[late_import.headline]
        assert "published_parsed" not in undated_entry, url
        assert feed.entries[-1].title == late_import.headline  # undated issues after the dated ones
        if url.endswith("atom/"):
            assert undated_entry.updated_parsed


def test_subject_feeds_parse(client, paper):
    for url in (
        reverse("articles:feed_tag", args=["劳模"]),
        reverse("articles:feed_reporter_atom", args=[paper.bai.slug]),
        reverse("articles:feed_organisation", args=[paper.union.slug]),
    ):
        feed = _parse(client, url)
        assert feed.entries, url
        assert all(entry.link.startswith("http://testserver/articles/") for entry in feed.entries)


def test_sitemap_lastmod_is_the_issue_date(client, paper):
    body = client.get("/sitemap-articles.xml").content.decode()
    lead = f"<loc>http://testserver{paper.lead.get_absolute_url()}</loc><lastmod>2022-11-30</lastmod>"
    assert lead in body.replace("\n", "").replace(" ", "")
    issues = client.get("/sitemap-issues.xml").content.decode()
    assert "<loc>http://testserver/issues/2022/11/14/</loc>" in issues
