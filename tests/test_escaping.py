"""Imported text with HTML, template syntax and javascript: links is inert everywhere, the admin included."""

import json

import pytest
from django.urls import reverse

from articles.importers import SourceFile, import_pages
from articles.models import Article

pytestmark = pytest.mark.django_db

HOSTILE_PAGE = """

深入学习贯彻党的二十大精神

<script>alert(1)</script>职工之家建设推进会召开

本报讯（记者 白莹）近日，{{ settings.SECRET_KEY }}北京市总工会召开职工之家建设推进会，{% debug %}会议要求做好服务。

详情见<a href="javascript:alert(2)">这里</a>，<img src=x onerror=alert(3)>职工们纷纷表示支持。
"""
RAW_MARKUP = ["<script>alert(1)</script>", '<a href="javascript:alert(2)">', "<img src=x onerror=alert(3)>"]


@pytest.fixture
def hostile_article():
    report = import_pages(sources=[SourceFile("hostile.txt", HOSTILE_PAGE.encode())])
    assert report.ok, report.failed[0].error if report.failed else ""
    article = Article.objects.get()
    assert "<script>" in article.title and "{{ settings.SECRET_KEY }}" in article.body
    return article


def _assert_inert(body: str, settings):
    for raw in RAW_MARKUP:
        assert raw not in body, raw
    assert settings.SECRET_KEY not in body
    assert "sql_queries" not in body  # {% debug %} never ran


@pytest.mark.parametrize(
    "url",
    [
        lambda a: a.get_absolute_url(),
        lambda a: "/articles/",
        lambda a: "/articles/?q=职工之家",
        lambda a: "/",
        lambda a: a.issue.get_absolute_url(),
        lambda a: "/feeds/latest/",
        lambda a: "/feeds/latest/atom/",
    ],
)
def test_public_pages_show_markup_as_text(client, hostile_article, url, settings):
    response = client.get(url(hostile_article))
    assert response.status_code == 200
    body = response.content.decode()
    _assert_inert(body, settings)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body or "&amp;lt;script" in body


def test_json_carries_the_text_without_markup_characters(client, hostile_article, settings):
    for url in ("/api/articles/", f"/api/articles/{hostile_article.pk}/"):
        response = client.get(url)
        raw = response.content.decode()
        assert "<script>" not in raw and "<img" not in raw
        data = json.loads(raw)
        text = json.dumps(data, ensure_ascii=False)
        assert "<script>alert(1)</script>" in text  # the data is intact, only its encoding is safe


@pytest.mark.parametrize(
    "url",
    [
        lambda a: reverse("admin:articles_article_changelist"),
        lambda a: reverse("admin:articles_article_change", args=[a.pk]),
        lambda a: reverse("admin:articles_issue_change", args=[a.issue_id]),
    ],
)
def test_admin_shows_markup_as_text(superuser_client, hostile_article, url, settings):
    response = superuser_client.get(url(hostile_article))
    assert response.status_code == 200
    _assert_inert(response.content.decode(), settings)
