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
