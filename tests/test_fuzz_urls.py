"""Hostile query strings against every public URL: never a 5xx, never reflected markup."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.importers import import_pages
from articles.models import Article, Issue, Organisation, Reporter

pytestmark = pytest.mark.django_db

KEYS = [
    "q",
    "issue",
    "date_from",
    "date_to",
    "reporter",
    "role",
    "organisation",
    "tag",
    "kind",
    "sort",
    "page",
    "page_size",
]
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "' OR 1=1 --",
    "'; DROP TABLE articles_article; --",
    "%00",
    "%ff%fe",
    "%e4%b8",
    "%",
    "-1",
    "99999999999999999999999",
    "1e309",
    "2022-13-45",
    "0000-00-00",
    "劳模" * 1000,
    "&&&|||!!!((()))<-><->",
    "\\x00",
    "javascript:alert(1)",
    "relevance",
    "photo",
]
# Reflected HTML would be markup; reflected {{ }} is inert text (data is never rendered as a template),
# so for template syntax the test checks that nothing it names leaks out.
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror"]


@pytest.fixture
def public_paths(db, seeds_dir):
    """One of each public page over the imported seeds (rolled back after the test, like any test data)."""
    import_pages(paths=[seeds_dir])
    article = Article.objects.published().first()
    return [
        *("/", "/articles/", "/issues/", "/api/articles/", "/feeds/latest/", "/sitemap.xml", "/robots.txt"),
        article.get_absolute_url(),
        f"/api/articles/{article.pk}/",
        Issue.objects.first().get_absolute_url(),
        Reporter.objects.first().get_absolute_url(),
        Organisation.objects.first().get_absolute_url(),
    ]


def _check(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (path, query, response.status_code)
    body = response.content.decode("utf-8", "replace")
    for marker in MARKUP:
        assert marker not in body, (path, query, marker)
    from django.conf import settings as django_settings

    assert django_settings.SECRET_KEY not in body


def test_known_hostile_values_on_every_url(client, public_paths):
    for path in public_paths:
        # The filter pages read every key; the others are tried with the keys any page might read.
        keys = KEYS if path in ("/articles/", "/api/articles/") else ["q", "page", "tag", "sort"]
        for key in keys:
            for value in HOSTILE:
                _check(client, path, f"{key}={value}")
        _check(client, path, "page=2&page=abc&tag=a&tag=b&tag=c&q=%00&q=%ff")
        _check(client, path, "&".join(f"tag={n}" for n in range(300)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(KEYS + ["", "x", "%00", "q[]"]),
            st.one_of(st.text(max_size=60), st.sampled_from(HOSTILE), st.binary(max_size=20).map(lambda b: b.hex())),
        ),
        max_size=6,
    ),
    path_index=st.integers(min_value=0, max_value=11),
)
def test_random_query_strings_never_break_a_page(client, public_paths, pairs, path_index):
    from urllib.parse import quote

    query = "&".join(f"{quote(key, safe='%[]')}={quote(value, safe='%')}" for key, value in pairs)
    _check(client, public_paths[path_index % len(public_paths)], query)


@pytest.mark.parametrize("path", ["/no-such-page/", "/articles/999999/x/", "/issues/abc/", "/reporters/%00/"])
def test_unknown_paths_are_404_in_site_style(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() or "找不到" in response.content.decode()
