"""ArticleFilter and /articles/: each filter, their combinations, facets, chips, and hostile query strings."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles import filters
from articles.filters import ArticleFilter, active_filter_chips, facet_links
from articles.models import Article, Byline
from tests.factories import ArticleFactory, IssueFactory, PageFactory
from tests.test_views import SECRET, Newspaper, reindex

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    return Newspaper()


def filtered(**params):
    data = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    filterset = ArticleFilter(data=data, queryset=Article.objects.published())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


def test_default_order_is_newest_issue_first_in_page_order(paper):
    assert filtered() == [paper.lead, paper.second_on_front, paper.photo, paper.old]
    assert filtered(sort="oldest") == [paper.old, paper.lead, paper.second_on_front, paper.photo]


def test_drafts_and_scheduled_never_match(paper):
    assert paper.draft not in filtered(tag=["秘密标签"]) + filtered(q=SECRET) + filtered()
    assert filtered(tag=["秘密标签"]) == []


def test_issue_and_dates(paper):
    assert filtered(issue=str(paper.old_issue.pk)) == [paper.old]
    assert filtered(date_from="2022-11-15") == [paper.lead, paper.second_on_front, paper.photo]
    assert filtered(date_to="2022-11-14") == [paper.old]
    assert filtered(date_from="2022-11-14", date_to="2022-11-14") == [paper.old]


def test_reporter_role_and_their_combination(paper):
    assert set(filtered(reporter=paper.bai.slug)) == {paper.lead, paper.second_on_front, paper.photo}
    assert filtered(role="photographer") == [paper.second_on_front, paper.photo]
    # 白莹 is the correspondent of the photo only, even though the photo has a photographer too.
    assert filtered(reporter=paper.bai.slug, role="correspondent") == [paper.photo]
    assert filtered(reporter=paper.bai.slug, role="photographer") == []
    assert filtered(reporter=paper.chen.slug, role="reporter") == [paper.old]


def test_reporter_in_two_roles_is_listed_once(paper):
    Byline.objects.create(article=paper.old, reporter=paper.chen, role=Byline.Role.PHOTOGRAPHER)
    assert filtered(reporter=paper.chen.slug).count(paper.old) == 1


def test_organisation_kind_and_tags(paper):
    assert set(filtered(organisation=paper.union.slug)) == {paper.lead, paper.second_on_front, paper.old}
    assert filtered(kind="photo") == [paper.photo]
    assert filtered(kind="news", tag=["劳模"]) == [paper.second_on_front]
    # Several tags mean all of them.
    assert filtered(tag=["劳模"]) == [paper.second_on_front, paper.photo]
    assert filtered(tag=["劳模", "学习"]) == [paper.second_on_front]
    assert filtered(tag=["劳模", "二十大"]) == []


def test_search_finds_and_ranks(paper):
    found = filtered(q="劳模")
    assert paper.second_on_front in found
    assert paper.lead not in found
    assert filtered(q="大兴区 宣讲") == [paper.old]
    # Every factory body mentions 学习会, so the other filters decide here.
    assert filtered(q="学习", kind="photo") == [paper.photo]


def test_sort_defaults_to_relevance_with_query_only():
    assert ArticleFilter(data=QueryDict("q=劳模")).form.is_valid()
    with_query = ArticleFilter(data=QueryDict("q=劳模"), queryset=Article.objects.published())
    with_query.qs  # noqa: B018  (validates)
    assert with_query.sort_order == "relevance"
    without = ArticleFilter(data=QueryDict("sort=relevance"), queryset=Article.objects.published())
    without.qs  # noqa: B018
    assert without.sort_order == "newest"
    chosen = ArticleFilter(data=QueryDict("q=劳模&sort=oldest"), queryset=Article.objects.published())
    chosen.qs  # noqa: B018
    assert chosen.sort_order == "oldest"


def test_facets_count_under_current_filters(paper):
    params = QueryDict("tag=劳模", mutable=True)
    filterset = ArticleFilter(data=params, queryset=Article.objects.published())
    facets = facet_links(filterset.qs, params, filterset.form.cleaned_data)
    tags = {link.label: link.count for link in facets["tag"]}
    assert tags == {"劳模": 2, "学习": 1}
    reporters = {link.label: link.count for link in facets["reporter"]}
    assert reporters == {"白莹": 2, "陈艺": 2}
    assert {link.label: link.count for link in facets["organisation"]} == {"北京市总工会": 1, "首开集团": 1}
    assert [(link.label, link.count) for link in facets["month"]] == [("2022年11月", 2)]
    # A facet link adds its value and keeps the rest; the current tag is marked, not added twice.
    study = next(link for link in facets["tag"] if link.label == "学习")
    assert QueryDict(study.query).getlist("tag") == ["劳模", "学习"]
    current = next(link for link in facets["tag"] if link.label == "劳模")
    assert current.active and QueryDict(current.query).getlist("tag") == ["劳模"]
    bai = next(link for link in facets["reporter"] if link.label == "白莹")
    assert QueryDict(bai.query).dict() == {"tag": "劳模", "reporter": paper.bai.slug}
    month = facets["month"][0]
    assert QueryDict(month.query)["date_from"] == "2022-11-01" and QueryDict(month.query)["date_to"] == "2022-11-30"


def test_facets_count_only_the_newest_matches_and_say_so(client, monkeypatch):
    monkeypatch.setattr(filters, "FACET_SCOPE", 2)
    old = ArticleFactory(tags=["旧话题"], published_at=timezone.now() - datetime.timedelta(days=30))
    newer = [ArticleFactory(tags=["新话题"]) for _ in range(2)]
    assert old.published_at < min(article.published_at for article in newer)

    response = client.get("/articles/")
    tags = {
        link.label: link.count for link in dict((n, links) for n, _, links in response.context["facet_groups"])["tag"]
    }
    assert tags == {"新话题": 2}
    assert response.context["facets_cover"] == 2
    assert "按最新 2 篇统计" in response.content.decode()

    api = client.get("/api/articles/").json()
    assert api["count"] == 3 and api["facets_cover"] == 2
    assert [tag["name"] for tag in api["facets"]["tags"]] == ["新话题"]


def test_facets_cover_every_match_within_the_scope(client):
    ArticleFactory(tags=["话题"])
    response = client.get("/articles/")
    assert response.context["facets_cover"] is None
    assert "篇统计" not in response.content.decode()
    assert client.get("/api/articles/").json()["facets_cover"] == 1


def test_chips_remove_one_filter_each(paper):
    params = QueryDict(f"tag=劳模&tag=学习&reporter={paper.bai.slug}&kind=news&q=学习&page=2", mutable=True)
    filterset = ArticleFilter(data=params, queryset=Article.objects.published())
    filterset.qs  # noqa: B018
    chips = {chip.label: QueryDict(chip.query) for chip in active_filter_chips(filterset, params)}
    assert set(chips) == {"标签：劳模", "标签：学习", "记者：白莹", "类型：新闻", "关键词：学习"}
    assert chips["标签：劳模"].getlist("tag") == ["学习"]
    assert chips["标签：学习"].getlist("tag") == ["劳模"]
    assert "reporter" not in chips["记者：白莹"] and chips["记者：白莹"].getlist("tag") == ["劳模", "学习"]
    assert all("page" not in query for query in chips.values())


def test_list_page_shows_chips_facets_and_keeps_filters_in_links(client, paper):
    response = client.get("/articles/", {"tag": "劳模", "kind": "news"})
    body = response.content.decode()
    assert list(response.context["page_obj"].object_list) == [paper.second_on_front]
    assert "标签：劳模" in body and "类型：新闻" in body
    assert 'href="?kind=news"' in body  # removing the tag chip keeps the kind
    assert '<input type="hidden" name="tag" value="劳模">' in body


def test_pagination_carries_every_filter(client, paper):
    issue = IssueFactory(date=datetime.date(2023, 1, 5))
    page = PageFactory(issue=issue, number=1)
    made = [ArticleFactory(page=page, position=n, tags=["分页"]) for n in range(1, 46)]
    reindex(made)
    response = client.get("/articles/", {"tag": "分页", "kind": "news"})
    assert response.context["page_obj"].paginator.num_pages == 3
    assert len(response.context["page_obj"].object_list) == 20
    body = response.content.decode()
    assert 'href="?tag=%E5%88%86%E9%A1%B5&amp;kind=news&amp;page=2"' in body
    last = client.get("/articles/", {"tag": "分页", "kind": "news", "page": "3"})
    assert len(last.context["page_obj"].object_list) == 5


HOSTILE = [
    ("date_from", "abc"),
    ("date_to", "2022-13-45"),
    ("date_from", "2022-11-01\x00"),
    ("kind", "bogus"),
    ("role", "<script>alert(1)</script>"),
    ("sort", "random"),
    ("issue", "abc"),
    ("issue", "9" * 40),
    ("issue", "-1"),
    ("reporter", "<script>alert(1)</script>"),
    ("reporter", "x" * 5000),
    ("organisation", "\x00"),
    ("tag", "<script>alert(1)</script>"),
    ("tag", "劳模\x00"),
    ("q", "劳模\x00"),
    ("q", "劳" * 5000),
    ("q", '"<script>alert(1)</script>'),
    ("page", "abc"),
    ("page", "99999"),
    ("page", "-3"),
    ("page", "9" * 40),
]


@pytest.mark.parametrize(("name", "value"), HOSTILE)
def test_hostile_values_never_fail_or_reflect_markup(client, paper, name, value):
    response = client.get("/articles/", {name: value})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script" not in body
    assert "\x00" not in body
    assert len(body) < 60_000  # a huge value is not echoed back into every link
    # The valid part of the request still lists the published articles.
    if name == "page":
        assert response.context["page_obj"].object_list
    elif name != "q":
        assert "以下筛选条件无效" in body
        assert set(response.context["page_obj"].object_list) == set(paper.published)


def test_repeated_keys_use_the_last_value_and_tags_combine(client, paper):
    response = client.get("/articles/?kind=photo&kind=news&tag=劳模&tag=劳模")
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [paper.second_on_front]


def test_invalid_field_is_ignored_while_valid_ones_apply(client, paper):
    response = client.get("/articles/", {"kind": "photo", "date_from": "not-a-date"})
    assert list(response.context["page_obj"].object_list) == [paper.photo]
    assert "起始日期" in response.content.decode()


def test_facet_ids_are_one_parameter_whatever_their_number(django_assert_num_queries):
    from articles.filters import facet_ids, subject_counts, subject_ranking

    for n in range(30):
        ArticleFactory(tags=["劳模" if n % 2 else "工会"])
    scope = facet_ids(Article.objects.published())
    # The ids travel as one array (PostgreSQL) or one JSON text (SQLite), not as thirty placeholders.
    _, params = subject_ranking(scope).query.sql_with_params()
    assert len(params) < 10
    with django_assert_num_queries(2):  # the ranking, then the names of the tags (no person or organisation)
        counts = {tag.name: tag.article_count for tag in subject_counts(scope)["tag"]}
    assert counts == {"劳模": 15, "工会": 15}


def test_months_of_read_dates_count_as_month_counts_do(db):
    from articles.filters import month_counts, months_of
    from articles.models import Article, Issue

    for day in (datetime.date(2022, 11, 14), datetime.date(2022, 11, 30), datetime.date(2023, 1, 2), None):
        issue = IssueFactory(date=day) if day else Issue.objects.create(date=None, import_ref="undated")
        ArticleFactory(page__issue=issue)
    ids = list(Article.objects.values_list("pk", flat=True))
    dates = Article.objects.values_list("issue__date", flat=True)
    assert (
        months_of(dates)
        == list(month_counts(ids))
        == [
            {"month": datetime.date(2023, 1, 1), "article_count": 1},
            {"month": datetime.date(2022, 11, 1), "article_count": 2},
        ]
    )
    assert months_of(dates, limit=1) == list(month_counts(ids, limit=1))


def test_facets_keep_ties_at_the_last_place_and_break_them_by_name(db):
    from articles.filters import subject_counts
    from tests.factories import BylineFactory, OrganisationFactory, ReporterFactory

    # 丙 and 乙 tie for the second place; 丙 (U+4E19) comes first by code point, 乙 (U+4E59) is left out.
    counts = {"甲": 3, "乙": 2, "丙": 2, "丁": 1}
    people = {name: ReporterFactory(name=name) for name in counts}
    bodies = {name: OrganisationFactory(name=f"{name}公司工会") for name in counts}
    for name, n in counts.items():
        for _ in range(n):
            article = ArticleFactory(tags=[name])
            BylineFactory(article=article, reporter=people[name])
            BylineFactory(article=article, reporter=people[name], role=Byline.Role.CORRESPONDENT)  # counted once
            article.organisations.add(bodies[name])
    scope = filters.facet_ids(Article.objects.published())
    expected = [("甲", 3), ("丙", 2)]
    counted = subject_counts(scope, 2)
    assert [(tag.name, tag.article_count) for tag in counted["tag"]] == expected
    assert [(person.name, person.article_count) for person in counted["reporter"]] == expected
    assert [(body.name[0], body.article_count) for body in counted["organisation"]] == expected
    assert [tag.name for tag in subject_counts(scope, 3, facets=["tag"])["tag"]] == ["甲", "丙", "乙"]
    assert subject_counts([], 2) == {"tag": [], "reporter": [], "organisation": []}


def _as_querydict_would(params, change):
    """The link's query string as QueryDict builds it: a copy, one name changed, the page number dropped."""
    copied = params.copy()
    change(copied)
    copied.pop("page", None)
    return copied.urlencode()


QUERY_NAMES = ["q", "tag", "page", "reporter", "date_from"]


@given(
    st.lists(st.tuples(st.sampled_from(QUERY_NAMES), st.text(max_size=6)), max_size=8),
    st.sampled_from(["q", "tag", "reporter", "organisation"]),
    st.text(max_size=6),
)
@hypothesis_settings(max_examples=200)
def test_links_encode_the_query_string_as_querydict_does(pairs, name, value):
    params = QueryDict(mutable=True)
    for key, raw in pairs:
        params.appendlist(key, raw)
    values = filters.query_values(params)
    assert filters._with(values, **{name: value}) == _as_querydict_would(params, lambda d: d.__setitem__(name, value))
    assert filters._append(values, name, value) == _as_querydict_would(params, lambda d: d.appendlist(name, value))
    assert filters._without(values, name) == _as_querydict_would(params, lambda d: d.pop(name, None))
    kept = [raw for raw in params.getlist(name) if raw != value]
    assert filters._without(values, name, value) == _as_querydict_would(params, lambda d: d.setlist(name, kept))
