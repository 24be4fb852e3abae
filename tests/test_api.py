"""/api/articles/: the JSON mirror of the article list, with the same filters and the same published-only rule."""

import json

import pytest

from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_views import SECRET, XSS, Newspaper, reindex

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    return Newspaper()


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_list_shape_and_published_only(client, paper):
    data = get_json(client, "/api/articles/")
    assert data["count"] == 4
    assert data["next"] is None and data["previous"] is None
    assert [item["id"] for item in data["results"]] == [a.pk for a in paper.published]
    lead = data["results"][0]
    assert lead["title"] == paper.lead.title
    assert lead["kicker"] == paper.lead.kicker and lead["subtitle"] == paper.lead.subtitle
    assert lead["url"] == "http://testserver" + paper.lead.get_absolute_url()
    assert lead["issue_date"] == "2022-11-30"
    assert lead["people"] == [{"name": "白莹", "role": "reporter", "role_label": "记者", "slug": paper.bai.slug}]
    assert {tag["name"] for tag in lead["tags"]} == {"二十大", "学习"}
    assert lead["organisations"] == [{"name": "北京市总工会", "slug": paper.union.slug}]
    assert lead["excerpt"].startswith("本报讯")
    assert set(data["facets"]) == {"tags", "reporters", "organisations", "months"}
    assert SECRET not in json.dumps(data, ensure_ascii=False)


def test_chinese_is_not_escaped_but_markup_is(client, paper):
    ArticleFactory(page=paper.front, position=8, title=f"劳动{XSS}")
    body = client.get("/api/articles/").content.decode()
    assert "劳动" in body  # ensure_ascii=False
    assert "<script>" not in body
    assert "\\u003Cscript\\u003E" in body
    titles = [item["title"] for item in json.loads(body)["results"]]
    assert f"劳动{XSS}" in titles


def test_same_filters_as_the_list_page(client, paper):
    data = get_json(client, "/api/articles/", {"reporter": paper.bai.slug, "role": "correspondent"})
    assert [item["id"] for item in data["results"]] == [paper.photo.pk]
    data = get_json(client, "/api/articles/?tag=劳模&tag=学习")
    assert [item["id"] for item in data["results"]] == [paper.second_on_front.pk]
    data = get_json(client, "/api/articles/", {"tag": "劳模"})
    assert {tag["name"]: tag["count"] for tag in data["facets"]["tags"]} == {"劳模": 2, "学习": 1}
    assert data["facets"]["months"] == [{"month": "2022-11", "count": 2}]


def test_search_excerpt_is_plain_text(client, paper):
    data = get_json(client, "/api/articles/", {"q": "大兴区"})
    assert [item["id"] for item in data["results"]] == [paper.old.pk]
    assert "<mark>" not in data["results"][0]["excerpt"]


def test_pagination_links(client, paper):
    reindex([ArticleFactory(page=paper.front, position=20 + n) for n in range(5)])
    first = get_json(client, "/api/articles/", {"page_size": "4", "kind": "news"})
    assert first["count"] == 8 and len(first["results"]) == 4
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/articles/?page_size=4&kind=news&page=2"
    second = get_json(client, "/api/articles/", {"page_size": "4", "kind": "news", "page": "2"})
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/articles/?page_size=4&kind=news&page=1"
    assert {item["id"] for item in first["results"]}.isdisjoint(item["id"] for item in second["results"])


def test_page_size_up_to_one_hundred(client, paper):
    reindex([ArticleFactory(page=paper.front, position=1) for _ in range(101)])
    assert len(get_json(client, "/api/articles/")["results"]) == 20
    assert len(get_json(client, "/api/articles/", {"page_size": "100"})["results"]) == 100


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page_size": "0"}, 400),
        ({"page_size": "101"}, 400),
        ({"page_size": "abc"}, 400),
        ({"page_size": "9" * 50}, 400),
        ({"page": "abc"}, 400),
        ({"page": "0"}, 400),
        ({"page": "-1"}, 400),
        ({"page": "99999"}, 404),
        ({"date_from": "abc"}, 400),
        ({"kind": "bogus"}, 400),
        ({"tag": XSS}, 400),
        ({"issue": "9" * 40}, 400),
        ({"q": "\x00"}, 400),
        ({"q": "劳" * 5000}, 400),
    ],
)
def test_invalid_parameters_answer_json_errors(client, paper, params, status):
    response = client.get("/api/articles/", params)
    assert response.status_code == status
    assert "<script" not in response.content.decode()
    assert "error" in json.loads(response.content)


def test_invalid_filter_names_the_field(client, paper):
    data = get_json(client, "/api/articles/", {"kind": "bogus", "date_to": "x"}, status=400)
    assert data["fields"] == {"kind": ["invalid_choice"], "date_to": ["invalid"]}


def test_detail_has_body_paragraphs(client, paper):
    data = get_json(client, f"/api/articles/{paper.lead.pk}/")
    assert data["id"] == paper.lead.pk
    assert data["body"] == paper.lead.paragraphs
    assert data["page_banner"] == "要闻"
    assert data["issue_url"] == "http://testserver" + paper.issue.get_absolute_url()


def test_detail_hides_unpublished(client, paper):
    for article in (paper.draft, paper.scheduled):
        assert get_json(client, f"/api/articles/{article.pk}/", status=404) == {"error": "没有这篇文章。"}
    assert client.get("/api/articles/999999/").status_code == 404


def test_read_only(client, paper):
    assert client.post("/api/articles/").status_code == 405
    assert client.delete(f"/api/articles/{paper.lead.pk}/").status_code == 405
    assert Article.objects.filter(pk=paper.lead.pk).exists()
