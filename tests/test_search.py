"""Full-text search: query parsing, matching, ranking, highlighting and index upkeep, on either database."""

import datetime
import io
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.models import Tag

from articles import search
from articles.models import Article, Organisation, Reporter
from tests import factories

pytestmark = pytest.mark.django_db

SEED_QUERIES = ["暖心驿站", "职工之家", "新就业形态劳动者", "劳模", "心肺复苏", "白莹", "经开区", "市总工会"]
HOSTILE_QUERIES = [
    "\" & | ! ( ) : * <-> ' \\ \x00",
    '"""',
    "“”",
    "劳模 & ! (职工 | 之家) :* <-> 'x' \\ \x00 \"",
    "\x00\x01\x1f\x7f\u200b\ue000",
    "AND OR NOT NEAR(劳模)",
    "劳模" * 1000,
    "职工 " * 700,
    '"' + "职工之家 " * 300,
]


@pytest.fixture(autouse=True)
def no_queued_ids():
    # on_commit never fires in a rolled-back test, so ids queued by earlier tests would otherwise linger.
    search.writer._pending().clear()
    yield
    search.writer._pending().clear()


def make(**kwargs):
    """A published article (unless told otherwise), indexed at once."""
    article = factories.ArticleFactory(**kwargs)
    search.update_search_index([article.pk])
    return article


def found(query, queryset=None):
    """Ids of the published articles a query finds, best first."""
    queryset = Article.objects.published() if queryset is None else queryset
    return list(search.order_by_relevance(search.search_articles(queryset, query)).values_list("pk", flat=True))


def fold(text):
    return unicodedata.normalize("NFKC", text).lower()


def indexed_texts(article):
    """Every text the index reads for an article, folded like the index folds it."""
    texts = [article.title, article.kicker, article.subtitle, article.dateline, article.body]
    texts += [tag.name for tag in article.tags.all()]
    texts += [byline.reporter.name for byline in article.bylines.all()]
    for organisation in article.organisations.all():
        texts += [organisation.name, *(alias.name for alias in organisation.aliases.all())]
    return [fold(text) for text in texts if text]


# --- query parsing -------------------------------------------------------------------------------------------


def test_parse_query_words_and_phrases():
    query = search.parse_query('劳模  “服务职工” "心肺复苏 培训"')
    assert "劳模" in query.terms
    assert ("服务", "职工") in query.phrases
    assert all(len(phrase) > 1 for phrase in query.phrases)
    assert query


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", None, '""', "“ ”", "& | ! ( ) : * <-> ' \\", "\x00\x00"])
def test_nothing_to_search(raw):
    assert not search.parse_query(raw)


@pytest.mark.parametrize("raw", HOSTILE_QUERIES)
def test_hostile_queries_parse_within_limits(raw):
    query = search.parse_query(raw)
    words = [*query.terms, *(word for phrase in query.phrases for word in phrase)]
    assert len(words) <= search.MAX_QUERY_TOKENS
    assert all(word.isalnum() for word in words)


ANY_TEXT = st.text(
    alphabet=st.sampled_from("劳模职工之家暖心驿站服务 \"“”&|!():*<->'\\\x00aZ１<>&"), max_size=60
) | st.text(max_size=60)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=ANY_TEXT)
def test_parse_query_never_fails(raw):
    query = search.parse_query(raw)
    words = [*query.terms, *(word for phrase in query.phrases for word in phrase)]
    assert len(words) <= search.MAX_QUERY_TOKENS
    assert all(word.isalnum() and word == word.lower() for word in words)
    assert bool(query) == bool(words)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT, raw=ANY_TEXT)
def test_highlight_only_adds_marks(text, raw):
    html = search.highlight(text, raw)
    assert html.replace("<mark>", "").replace("</mark>", "") == escape(text)


def _spans_char_by_char(text, pattern):
    """The spans as highlighting first found them: each character folded on its own, its origin kept."""
    folded, origin = [], []
    for index, char in enumerate(text):
        fold = char.lower() if char.isascii() else unicodedata.normalize("NFKC", char).lower()
        folded.append(fold)
        origin.extend([index] * len(fold))
    spans = []
    for match in pattern.finditer("".join(folded)):
        if match.end() == match.start():
            continue
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


# Characters whose folded form is longer (ﬁ, İ, ㍿, ½) or that fold across scripts and widths.
FOLDING_TEXT = st.text(alphabet=st.sampled_from("劳模职工之家ﬁİ㍿½ＡＢａｂAbΣσς，：（）丽﨑 e\u0301x５5"), max_size=40)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=FOLDING_TEXT, raw=FOLDING_TEXT)
def test_spans_are_those_of_folding_character_by_character(text, raw):
    from articles.search.highlight import _pattern, _spans

    pattern = _pattern(search.parse_query(raw))
    if pattern is None:
        return
    assert _spans(text, pattern) == _spans_char_by_char(text, pattern)


def test_spans_map_back_through_characters_that_fold_to_two():
    from articles.search.highlight import _pattern, _spans

    # ﬁ folds to "fi": the match after it must still point at the original characters.
    assert _spans("ﬁ劳模", _pattern(search.parse_query("劳模"))) == [(1, 3)]
    assert search.highlight("ﬁ劳模", "劳模") == "ﬁ<mark>劳模</mark>"


def test_a_single_word_in_quotes_is_a_plain_word():
    assert search.parse_query('"劳模"') == search.parse_query("劳模")


def test_repeated_words_are_asked_once():
    assert search.parse_query("劳模 劳模 劳模").terms == ("劳模",)


# --- matching ------------------------------------------------------------------------------------------------


def test_empty_query_is_no_filter():
    make(title="一篇文章")
    make(title="另一篇文章")
    for raw in ["", "   ", "\u3000"]:
        results = search.search_articles(Article.objects.published(), raw)
        assert results.count() == 2
        assert {row.search_rank for row in results} == {0.0}


@pytest.mark.parametrize("raw", HOSTILE_QUERIES)
def test_hostile_queries_run(raw):
    make(title="职工之家迎来劳模", body="劳模" * 5)
    list(search.search_articles(Article.objects.published(), raw))


def test_every_word_must_match():
    both = make(title="劳模宣讲", body="开展心肺复苏培训")
    only_one = make(title="劳模宣讲", body="开展消防培训")
    assert found("劳模 心肺复苏") == [both.pk]
    assert set(found("劳模")) == {both.pk, only_one.pk}


def test_a_word_inside_longer_words_matches():
    spirit = make(title="弘扬劳模精神", body="")
    team = make(title="市总工会表彰十个劳模班组", body="")
    national = make(title="全国劳模走进车间", body="")
    other = make(title="职工运动会开幕", body="")
    assert set(found("劳模")) == {spirit.pk, team.pk, national.pk}
    assert other.pk not in found("劳模")


def test_quoted_phrase_needs_the_words_in_a_row():
    assert search.parse_query("“服务职工”").phrases == (("服务", "职工"),)
    in_a_row = make(title="工会服务职工有新招", body="")
    apart = make(title="职工服务中心开门", body="")
    assert set(found("服务职工")) == {in_a_row.pk, apart.pk}
    assert found("“服务职工”") == [in_a_row.pk]
    assert found('"服务职工"') == [in_a_row.pk]


def test_phrase_does_not_run_from_one_name_into_the_next():
    article = make(title="座谈会", body="")
    factories.BylineFactory(article=article, reporter__name="服务")
    article.organisations.add(factories.OrganisationFactory(name="职工报社"))
    search.update_search_index([article.pk])
    assert found("服务 职工") == [article.pk]
    assert found('"服务 职工"') == []


def test_case_and_width_fold():
    article = make(title="ＡＰＰ上线 5G 新服务", body="")
    assert found("app") == [article.pk]
    assert found("５g") == [article.pk]


def test_reporter_organisation_alias_and_tag_are_searchable():
    organisation = factories.OrganisationFactory(name="北京经济技术开发区总工会")
    factories.OrganisationAliasFactory(organisation=organisation, name="经开区总工会")
    article = factories.ArticleFactory(title="会议召开", body="会议内容。", tags=["暖心驿站"])
    article.organisations.add(organisation)
    factories.BylineFactory(article=article, reporter=factories.ReporterFactory(name="白莹"))
    search.update_search_index([article.pk])
    for query in ["白莹", "经开区", "开发区总工会", "暖心驿站", "经开区 白莹"]:
        assert found(query) == [article.pk], query


def test_drafts_and_scheduled_articles_are_not_found():
    public = make(title="心肺复苏培训", body="")
    make(title="心肺复苏培训", body="", status=Article.Status.DRAFT, published_at=None)
    make(title="心肺复苏培训", body="", published_at=timezone.now() + datetime.timedelta(days=1))
    assert found("心肺复苏") == [public.pk]


# --- ranking -------------------------------------------------------------------------------------------------


def test_title_match_ranks_above_body_match():
    now = timezone.now()
    in_body = make(title="工会动态", body="社区开展心肺复苏培训。", published_at=now - datetime.timedelta(hours=1))
    in_title = make(title="心肺复苏培训进社区", body="社区活动。", published_at=now - datetime.timedelta(days=3))
    assert found("心肺复苏") == [in_title.pk, in_body.pk]
    ranks = dict(search.search_articles(Article.objects.published(), "心肺复苏").values_list("pk", "search_rank"))
    assert ranks[in_title.pk] > ranks[in_body.pk] > 0


def test_recency_breaks_ties():
    now = timezone.now()
    older = make(title="职工之家揭牌", body="", published_at=now - datetime.timedelta(days=2))
    newer = make(title="职工之家揭牌", body="", published_at=now - datetime.timedelta(days=1))
    assert found("职工之家") == [newer.pk, older.pk]


def test_order_by_relevance_without_a_search_keeps_recency():
    now = timezone.now()
    older = make(title="甲", published_at=now - datetime.timedelta(days=2))
    newer = make(title="乙", published_at=now - datetime.timedelta(days=1))
    ordered = search.order_by_relevance(search.search_articles(Article.objects.published(), ""))
    assert list(ordered.values_list("pk", flat=True)) == [newer.pk, older.pk]


def test_small_searches_are_counted_exactly():
    hits = [make(title=f"劳模宣讲第{n}场", body="") for n in range(3)]
    make(title="别的新闻", body="")
    results = search.order_by_relevance(search.search_articles(Article.objects.published(), "劳模"))
    count = search.count_matches(results)
    assert (count.total, count.estimated) == (3, False)
    paginator = search.SearchPaginator(results, 2)
    assert (paginator.count, paginator.num_pages, paginator.count_is_estimate) == (3, 2, False)
    assert paginator.count_display == "3"
    assert [article.pk for article in paginator.page(2)] == [hits[0].pk]


def test_counting_what_is_not_a_search():
    make(title="甲")
    assert search.count_matches(Article.objects.published()) == search.SearchCount(1)
    assert search.SearchPaginator(Article.objects.published(), 20).count == 1


def test_lists_are_counted_like_searches(monkeypatch):
    for n in range(3):
        make(title=f"新闻{n}")
    paginator = search.SearchPaginator(Article.objects.published(), 20)
    assert (paginator.count, paginator.count_is_estimate, paginator.count_display) == (3, False, "3")
    monkeypatch.setattr(search.counts, "EXACT_COUNT_LIMIT", 2)
    count = search.count_matches(Article.objects.published())
    if connection.vendor == "postgresql":  # past the limit, the planner's estimate, never below the limit
        assert count.estimated and count.total >= 3 and str(count).startswith("约 ")
    else:
        assert count == search.SearchCount(3)


def _counting_statements(queryset):
    """The count of a search, and the COUNT statements run for it."""
    with CaptureQueriesContext(connection) as captured:
        count = search.count_matches(queryset)
    return count, [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]


@pytest.mark.postgres
def test_a_word_the_statistics_put_far_past_the_limit_is_not_counted(monkeypatch):
    monkeypatch.setattr(search.counts, "EXACT_COUNT_LIMIT", 5)
    monkeypatch.setattr(search.counts, "SURELY_PAST_LIMIT", 20)
    for n in range(30):
        make(title=f"劳模宣讲第{n}场", body="劳模精神进企业。")
    for n in range(8):
        make(title=f"工匠座谈第{n}次", body="工匠精神。")
    for n in range(30):  # as many drafts: the statistics see the word in them too
        make(title=f"劳模宣讲第{n}场（草稿）", body="劳模精神进企业。", status=Article.Status.DRAFT)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    published = Article.objects.published()

    count, statements = _counting_statements(search.search_articles(published, "劳模"))
    assert count.estimated and count.total > 5 and statements == []
    # Relevance-ordered, as the list page asks: the same shortcut.
    ordered = search.order_by_relevance(search.search_articles(published, "劳模"))
    assert ordered.query.newsroom_count.estimated and len(list(ordered)) == 30

    # Past the exact limit but under SURELY_PAST_LIMIT by the statistics: counted, then estimated.
    count, statements = _counting_statements(search.search_articles(published, "工匠"))
    assert count.estimated and len(statements) == 1
    # Another filter, or two words: the statistics are not trusted, so counted.
    filtered = search.search_articles(published.filter(kind=Article.Kind.NEWS), "劳模")
    assert len(_counting_statements(filtered)[1]) == 1
    assert len(_counting_statements(search.search_articles(published, "劳模 宣讲"))[1]) == 1
    # The same columns compared with other values are not the published articles the statistics were read for.
    drafts = Article.objects.filter(status=Article.Status.DRAFT, published_at__lte=timezone.now())
    assert len(_counting_statements(search.search_articles(drafts, "劳模"))[1]) == 1
    # Within the exact limit and under SURELY_PAST_LIMIT: an exact count.
    monkeypatch.setattr(search.counts, "EXACT_COUNT_LIMIT", 50)
    monkeypatch.setattr(search.counts, "SURELY_PAST_LIMIT", 250)
    count, statements = _counting_statements(search.search_articles(published, "劳模"))
    assert (count.total, count.estimated, len(statements)) == (30, False, 1)


@pytest.mark.parametrize(
    ("value", "shown"), [(98, 98), (1349, 1300), (11_130, 11_000), (198_432, 200_000), (2_950_000, 3_000_000)]
)
def test_estimates_keep_two_digits(value, shown):
    assert search.counts._round_estimate(value) == shown
    assert str(search.SearchCount(shown, True)) == f"约 {shown:,}"


def _spread_hits(count, *, title_match=(), **kwargs):
    """Articles with 劳模 in the body, one a day back from today; those in `title_match` have it in the title."""
    now = timezone.now()
    return [
        make(
            title="劳模宣讲" if n in title_match else f"第{n}次会议",
            body="劳模",
            published_at=now - datetime.timedelta(days=n, hours=1),
            **kwargs,
        )
        for n in range(count)
    ]


@pytest.fixture
def shallow(monkeypatch):
    """Page through only the four best hits, and count exactly only up to five."""
    monkeypatch.setattr(search.ranking, "RELEVANCE_DEPTH", 4)
    monkeypatch.setattr(search.counts, "EXACT_COUNT_LIMIT", 5)


def _every_hit_ranked(query):
    """The reference order: every hit ranked by search_rank, then recency, with no shortcut."""
    rows = search.search_articles(Article.objects.published(), query)
    return list(rows.order_by("-search_rank", *search.query.newest_first()).values_list("pk", flat=True))


@pytest.mark.parametrize("query", ["劳模", "劳模 宣讲", "“劳模宣讲”", "劳模 会议 宣讲"])
def test_relevance_order_is_every_hit_ranked(shallow, query):
    now = timezone.now()
    for n in range(12):
        # Headline, label (kicker) and body hits of each word, old and new, so that every tier is crossed.
        make(
            title=["劳模宣讲", f"第{n}次会议", "宣讲会", f"会议{n}"][n % 4],
            kicker=["", "劳模", "宣讲", ""][n // 4 % 3 if n % 2 else 0],
            body=["劳模宣讲 会议", "劳模 会议 宣讲", "宣讲劳模会议"][n % 3],
            published_at=now - datetime.timedelta(days=(n * 7) % 12, hours=n),
        )
    expected = _every_hit_ranked(query)
    ranked = found(query)  # all of them on SQLite, the best four on PostgreSQL
    assert len(expected) > 4 and len(ranked) >= 4
    assert ranked == expected[: len(ranked)]


@pytest.mark.parametrize("query", ["劳模", "劳模 宣讲"])
def test_a_headline_beats_newer_label_and_body_hits(shallow, query):
    titled = _spread_hits(1, title_match={0})[0]
    Article.objects.filter(pk=titled.pk).update(published_at=F("published_at") - datetime.timedelta(days=999))
    now = timezone.now()
    labelled = make(title="会议", kicker="劳模 宣讲", body="劳模宣讲", published_at=now - datetime.timedelta(days=500))
    newer = [make(title=f"会议{n}", body="劳模宣讲", published_at=now - datetime.timedelta(hours=n)) for n in range(8)]
    assert found(query)[:4] == [titled.pk, labelled.pk, newer[0].pk, newer[1].pk]


def test_counts_are_exact_up_to_the_limit_and_estimated_beyond(shallow):
    hits = _spread_hits(5)
    results = search.order_by_relevance(search.search_articles(Article.objects.published(), "劳模"))
    pageable = 4 if connection.vendor == "postgresql" else None
    assert search.count_matches(results) == search.SearchCount(5, False, pageable)
    hits += _spread_hits(3)
    results = search.order_by_relevance(search.search_articles(Article.objects.published(), "劳模"))
    count = search.count_matches(results)
    paginator = search.SearchPaginator(results, 3)
    if connection.vendor == "postgresql":
        assert count.estimated and count.total > 5 and count.pageable == 4
        assert paginator.count_display.startswith("约 ") and paginator.num_pages == 2
    else:  # SQLite counts every hit: archives there are small
        assert count == search.SearchCount(8, False, None)
        assert paginator.num_pages == 3
    assert len(list(paginator.page(2))) == 3 - (connection.vendor == "postgresql") * 2


@pytest.mark.parametrize(
    ("page", "rows"),
    [(None, 20), ("1", 20), ("3", 60), ("２", 40), ("abc", 20), ("1.5", 20), ("0", None), ("-2", None)],
)
def test_a_page_reads_the_best_hits_down_to_its_end(page, rows):
    from articles.filters import relevance_rows_for

    # As Paginator.get_page reads the number: page 1 for what int() refuses, the last page below 1.
    assert relevance_rows_for(page, 20) == rows


def test_paging_by_relevance_page_by_page_is_the_ranking_of_every_hit(monkeypatch):
    from articles.filters import ArticleFilter

    monkeypatch.setattr(search.ranking, "RELEVANCE_DEPTH", 6)
    now = timezone.now()
    for n in range(9):
        make(
            title="劳模宣讲" if n % 3 == 0 else f"第{n}次会议",
            kicker="劳模" if n % 3 == 1 else "",
            body="劳模精神",
            published_at=now - datetime.timedelta(days=n, hours=1),
        )
    expected = _every_hit_ranked("劳模")
    shown, reads = [], []
    for number in (1, 2, 3):
        filterset = ArticleFilter({"q": "劳模"}, queryset=Article.objects.published())
        filterset.relevance_rows = number * 2
        with CaptureQueriesContext(connection) as queries:
            paginator = search.SearchPaginator(filterset.qs, 2)
            shown += [article.pk for article in paginator.page(number)]
        reads.append(queries)
        # Nine hits, of which the first RELEVANCE_DEPTH can be paged through, whatever page is shown.
        assert (paginator.count, paginator.num_pages) == (9, 3 if connection.vendor == "postgresql" else 5)
    assert shown == expected[:6]
    if connection.vendor == "postgresql":  # page 1 read the two best hits, not six
        assert any("LIMIT 2" in query["sql"] for query in reads[0].captured_queries)
        assert not any("LIMIT 6" in query["sql"] for query in reads[0].captured_queries)


def test_the_best_hits_are_taken_after_every_filter(shallow):
    from articles.filters import ArticleFilter

    hits = _spread_hits(6)
    photos = _spread_hits(6, kind=Article.Kind.PHOTO)
    filterset = ArticleFilter({"q": "劳模", "kind": "photo"}, queryset=Article.objects.published())
    assert list(filterset.qs.values_list("pk", flat=True))[:4] == [article.pk for article in photos[:4]]
    assert not {article.pk for article in hits} & set(filterset.qs.values_list("pk", flat=True))


def test_searches_in_date_order_page_through_every_hit(shallow):
    from articles.filters import ArticleFilter

    hits = _spread_hits(5)
    rows = ArticleFilter({"q": "劳模", "sort": "oldest"}, queryset=Article.objects.published()).qs
    paginator = search.SearchPaginator(rows, 3)
    assert paginator.search_count == search.SearchCount(5)
    paged = [a.pk for a in paginator.page(1)] + [a.pk for a in paginator.page(2)]
    assert sorted(paged) == sorted(a.pk for a in hits)


@pytest.mark.postgres
def test_postgres_bitmap_scans_put_the_planner_settings_back():
    from articles.search.postgres import bitmap_scans

    def settings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
            return cursor.fetchone()

    with bitmap_scans():
        assert settings() == ("off", "off")
    assert settings() == ("on", "on")


@pytest.mark.postgres
def test_postgres_headline_tier_reads_neither_the_big_vector_nor_every_hit(shallow):
    _spread_hits(8, title_match={1, 3, 5, 6, 7})
    with CaptureQueriesContext(connection) as queries:
        results = list(search.order_by_relevance(search.search_articles(Article.objects.published(), "劳模")))
    assert len(results) == 4
    # The headline tier fills the page alone, with no condition on search_vector; no other tier is read.
    tiers = [q["sql"] for q in queries.captured_queries if "LIMIT 4" in q["sql"]]
    assert len(tiers) == 1 and "UNION" not in tiers[0], tiers
    assert '"search_title" @@' in tiers[0] and '"search_vector" @@' not in tiers[0]


# --- highlighting --------------------------------------------------------------------------------------------


def test_highlight_escapes_and_marks_without_spaces():
    html = search.highlight("<script>alert(1)</script>劳模精神代代传", "劳模")
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>劳模</mark>精神代代传"


def test_highlight_marks_every_word_and_phrase():
    html = search.highlight("服务职工，职工服务。", "“服务职工”")
    assert html == "<mark>服务职工</mark>，职工服务。"
    html = search.highlight("服务职工，职工服务。", "服务 职工")
    assert html == "<mark>服务职工</mark>，<mark>职工服务</mark>。"
    assert search.highlight("APP和ａｐｐ", "app") == "<mark>APP</mark>和<mark>ａｐｐ</mark>"


def test_highlight_follows_names_loaded_since_the_query_was_last_marked():
    text, query = "葛 优雅来了", "葛优雅"  # a name segmentation does not know yet (葛 / 优雅), then does
    before = search.highlight(text, query)
    Reporter.objects.create(name="葛优雅", slug="ge-youya")
    search.forget_user_terms()
    after = search.highlight(text, query)
    assert search.parse_query(query).terms == ("葛优雅",)
    assert (before, after) == ("<mark>葛</mark> <mark>优雅</mark>来了", text)


def test_highlight_without_query_only_escapes():
    assert search.highlight("a < b & c", "") == "a &lt; b &amp; c"
    assert search.highlight("", "劳模") == ""


def test_excerpt_is_a_window_around_the_first_match():
    text = "开头" * 100 + "<b>心肺复苏</b>培训" + "结尾" * 100
    html = search.excerpt(text, "心肺复苏", width=40)
    assert html.startswith("…") and html.endswith("…")
    assert "&lt;b&gt;<mark>心肺复苏</mark>&lt;/b&gt;" in html
    visible = html.replace("<mark>", "").replace("</mark>", "").replace("&lt;", "<").replace("&gt;", ">")
    assert len(visible.strip("…")) == 40


def test_excerpt_without_a_match_starts_at_the_beginning():
    text = "第一段内容。\n第二段内容。" * 20
    html = search.excerpt(text, "劳模", width=10)
    assert html == "第一段内容。 第二段…"
    assert search.excerpt("短文", "劳模") == "短文"


# --- index upkeep --------------------------------------------------------------------------------------------


def test_title_change_reindexes_on_commit(django_capture_on_commit_callbacks):
    article = make(title="原来的题目", body="")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "心肺复苏进社区"
        article.save()
    assert found("心肺复苏") == [article.pk]
    assert found("原来") == []


def test_nothing_changes_before_commit(django_capture_on_commit_callbacks):
    article = make(title="原来的题目", body="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.title = "心肺复苏进社区"
        article.save()
        assert found("心肺复苏") == []
    assert callbacks


def test_tag_changes_reindex(django_capture_on_commit_callbacks):
    article = make(title="会议", body="")
    with django_capture_on_commit_callbacks(execute=True):
        article.tags.add("暖心驿站")
    assert found("暖心驿站") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        Tag.objects.filter(name="暖心驿站").get().delete()
    assert found("暖心驿站") == []
    with django_capture_on_commit_callbacks(execute=True):
        article.tags.set(["职工之家"])
    with django_capture_on_commit_callbacks(execute=True):
        tag = Tag.objects.get(name="职工之家")
        tag.name = "户外劳动者驿站"
        tag.save()
    assert found("驿站") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        article.tags.clear()
    assert found("驿站") == []


def test_byline_changes_reindex(django_capture_on_commit_callbacks):
    article = make(title="会议", body="")
    reporter = factories.ReporterFactory(name="白莹")
    with django_capture_on_commit_callbacks(execute=True):
        byline = factories.BylineFactory(article=article, reporter=reporter)
    assert found("白莹") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        reporter.name = "陈艺"
        reporter.save()
    assert found("陈艺") == [article.pk]
    assert found("白莹") == []
    with django_capture_on_commit_callbacks(execute=True):
        byline.delete()
    assert found("陈艺") == []
    with django_capture_on_commit_callbacks(execute=True):
        article.reporters.add(reporter, through_defaults={"role": "photographer"})
    assert found("陈艺") == [article.pk]


def test_organisation_changes_reindex(django_capture_on_commit_callbacks):
    article = make(title="会议", body="")
    organisation = factories.OrganisationFactory(name="北京市总工会")
    with django_capture_on_commit_callbacks(execute=True):
        article.organisations.add(organisation)
    assert found("北京市总工会") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        factories.OrganisationAliasFactory(organisation=organisation, name="市总")
    assert found("市总") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "北京市职工服务中心"
        organisation.save()
    assert found("职工服务中心") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        organisation.articles.clear()
    assert found("职工服务中心") == []
    with django_capture_on_commit_callbacks(execute=True):
        organisation.articles.add(article)
    assert found("职工服务中心") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        organisation.delete()
    assert found("职工服务中心") == []


def test_publishing_does_not_reindex(django_capture_on_commit_callbacks, monkeypatch):
    article = make(title="会议", body="", status=Article.Status.DRAFT, published_at=None)
    calls = []
    monkeypatch.setattr(search, "update_search_index", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
        article.save(update_fields=["status", "published_at", "updated_at"])
    assert calls == []


def test_many_changes_in_one_transaction_reindex_once(django_capture_on_commit_callbacks, monkeypatch):
    article = make(title="会议", body="")
    other = make(title="座谈", body="")
    organisation = factories.OrganisationFactory(name="北京市总工会")
    calls = []
    real = search.update_search_index
    monkeypatch.setattr(search, "update_search_index", lambda ids: calls.append(set(ids)) or real(ids))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        article.title = "职工之家揭牌"
        article.save()
        article.tags.add("暖心驿站", "劳模")
        factories.BylineFactory(article=article, reporter__name="白莹")
        factories.BylineFactory(article=other, reporter__name="陈艺")
        article.organisations.add(organisation)
        other.organisations.add(organisation)
        article.save()
    assert calls == [{article.pk, other.pk}]
    assert found("职工之家 暖心驿站 白莹 北京市总工会") == [article.pk]


def test_rolled_back_savepoint_keeps_the_other_changes(django_capture_on_commit_callbacks):
    article = make(title="会议", body="")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        article.title = "职工之家揭牌"
        article.save()
        try:
            with transaction.atomic():
                article.tags.add("暖心驿站")
                raise RuntimeError
        except RuntimeError:
            pass
    assert found("职工之家") == [article.pk]
    assert found("暖心驿站") == []


def test_deleting_an_article_drops_it_from_the_index(django_capture_on_commit_callbacks):
    article = make(title="职工之家揭牌", body="")
    pk = article.pk
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert found("职工之家", Article.objects.all()) == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {search.FTS_TABLE} WHERE rowid = %s", [pk])
            assert cursor.fetchone() == (0,)


def test_deferred_updates_hand_back_the_ids(django_capture_on_commit_callbacks, monkeypatch):
    article = make(title="会议", body="")
    calls = []
    monkeypatch.setattr(search, "update_search_index", calls.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, search.index_updates_deferred() as touched:
        article.title = "职工之家揭牌"
        article.save()
        article.tags.add("暖心驿站")
    assert touched == {article.pk}
    assert callbacks == [] and calls == []


def test_admin_save_reindexes(superuser_client, django_capture_on_commit_callbacks):
    article = make(title="会议", body="")
    reporter = factories.ReporterFactory(name="白莹")
    data = {
        "kicker": "",
        "title": "职工之家揭牌",
        "subtitle": "",
        "kind": article.kind,
        "dateline": "",
        "body": "社区开展心肺复苏培训。",
        "event_date": "",
        "issue": article.issue_id,
        "page": article.page_id,
        "position": article.position,
        "status": article.status,
        "published_at_0": timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        "tags": "暖心驿站",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "bylines-0-reporter": reporter.pk,
        "bylines-0-role": "reporter",
        "bylines-0-label": "",
        "bylines-0-order": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    assert found("职工之家 心肺复苏 暖心驿站 白莹") == [article.pk]


def test_update_search_index_query_count_is_constant(django_assert_max_num_queries):
    def build(count):
        ids = []
        for n in range(count):
            organisation = factories.OrganisationFactory()
            factories.OrganisationAliasFactory(organisation=organisation)
            article = factories.ArticleFactory(tags=[f"标签{n}", "劳模"])
            article.organisations.add(organisation)
            factories.BylineFactory.create_batch(2, article=article)
            ids.append(article.pk)
        return ids

    few, many = build(2), build(15)
    search.ensure_user_terms()
    with CaptureQueriesContext(connection) as few_queries:
        assert search.update_search_index(few) == 2
    with CaptureQueriesContext(connection) as many_queries:
        assert search.update_search_index(many) == 15
    assert len(few_queries) == len(many_queries)
    with django_assert_max_num_queries(12):
        search.update_search_index(many)


def test_user_terms_reload_only_when_names_change(django_assert_num_queries):
    factories.OrganisationFactory(name="北京经济技术开发区总工会")
    search.ensure_user_terms()
    with django_assert_num_queries(1):
        search.ensure_user_terms()
    factories.OrganisationAliasFactory(name="经开区总工会")
    with django_assert_num_queries(2):
        search.ensure_user_terms()
    assert search.tokens("经开区总工会召开会议")[0] == "经开区总工会"


def test_snippets_of_a_results_page_cost_no_queries(django_assert_num_queries):
    articles = [make(title=f"职工之家第{n}站", body="社区开展心肺复苏培训。" * 30) for n in range(5)]
    assert len(found("职工之家 心肺复苏")) == len(articles)
    with django_assert_num_queries(0):
        for article in articles:
            search.highlight(article.title, "职工之家 心肺复苏")
            search.excerpt(article.body, "职工之家 心肺复苏")


def test_reindex_command_rebuilds_everything():
    articles = [make(title=f"职工之家第{n}站", body="") for n in range(3)]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
    else:
        Article.objects.update(search_vector=None, search_document="")
    assert found("职工之家") == []
    out = io.StringIO()
    call_command("reindex", "--batch-size", "2", stdout=out)
    assert out.getvalue().splitlines() == ["indexed 2/3", "indexed 3/3", "Reindexed 3 articles."]
    assert set(found("职工之家")) == {article.pk for article in articles}
    assert "职工之家" in Article.objects.get(pk=articles[0].pk).search_document


def test_rebuild_reports_progress():
    make(title="甲")
    make(title="乙")
    seen = []
    assert search.rebuild_search_index(batch_size=1, progress=lambda done, total: seen.append((done, total))) == 2
    assert seen == [(0, 2), (1, 2), (2, 2)]


def stored_index(pk):
    """What the index holds for an article: search_document and the tsvector, or the FTS5 row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT search_document, search_vector::text FROM articles_article WHERE id = %s", [pk])
        else:
            columns = ", ".join(f"f.{column}" for column in search.FTS_COLUMNS)
            cursor.execute(
                f"SELECT a.search_document, {columns} FROM articles_article a "
                f"JOIN {search.FTS_TABLE} f ON f.rowid = a.id WHERE a.id = %s",
                [pk],
            )
        return cursor.fetchone()


def linked_article():
    article = factories.ArticleFactory(
        kicker="喜讯", title="职工之家揭牌", body="社区开展心肺复苏培训，服务职工。", tags=["劳模", "AED"]
    )
    federation = factories.OrganisationFactory(name="北京市总工会")
    factories.OrganisationAliasFactory(organisation=federation, name="市总工会")
    factories.OrganisationAliasFactory(organisation=federation, name="北京总工会")
    article.organisations.add(federation, factories.OrganisationFactory(name="朝阳区总工会"))
    factories.BylineFactory(article=article, reporter__name="白莹", order=0)
    factories.BylineFactory(article=article, reporter__name="周南", order=1)
    return article


def test_index_articles_stores_what_update_search_index_stores_without_reading_the_article():
    from articles import parsing

    article = linked_article()
    search.update_search_index([article.pk])
    expected = stored_index(article.pk)
    organisations = [(o.name, [a.name for a in o.aliases.all()]) for o in article.organisations.all()]
    tokens = {"title": parsing.segment(article.title), "body": parsing.segment(article.body)}
    sources = [
        # Names in any order, as the importer has them; organisations with their aliases, or by id.
        search.IndexSource.of(
            article, tags=["AED", "劳模"], people=["白莹", "周南"], organisations=organisations[::-1]
        ),
        search.IndexSource.of(
            article,
            tags=["劳模", "AED"],
            people=["白莹", "周南"],
            organisation_ids=[o.pk for o in article.organisations.all()],
            segmented=tokens,
        ),
    ]
    for source in sources:
        Article.objects.filter(pk=article.pk).update(search_document="")
        with CaptureQueriesContext(connection) as queries:
            assert search.index_articles([source]) == 1
        assert stored_index(article.pk) == expected
        reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
        assert not [sql for sql in reads if "articles_article" in sql or "byline" in sql or "taggit" in sql]
    assert found("北京总工会 白莹 aed") == [article.pk]


def test_prepared_entries_are_worked_out_without_the_database(django_assert_num_queries):
    article = linked_article()
    search.update_search_index([article.pk])
    expected = stored_index(article.pk)
    organisations = [(o.name, [a.name for a in o.aliases.all()]) for o in article.organisations.all()]
    source = search.IndexSource(
        pk=0,  # not known yet in a worker process
        kicker=article.kicker,
        title=article.title,
        body=article.body,
        tags=["劳模", "AED"],
        people=["白莹", "周南"],
        organisations=organisations,
    )
    with django_assert_num_queries(0):
        source.prepare()
    source.pk = article.pk
    Article.objects.filter(pk=article.pk).update(search_document="")
    assert search.index_articles([source]) == 1
    assert stored_index(article.pk) == expected
    with pytest.raises(ValueError, match="by name"):
        search.IndexSource(pk=1, organisation_ids=[1]).prepare()


def test_index_articles_writes_a_batch_in_fixed_queries():
    articles = [factories.ArticleFactory(title=f"职工之家第{n}站") for n in range(6)]
    search.ensure_user_terms()
    with CaptureQueriesContext(connection) as few:
        search.index_articles([search.IndexSource.of(article) for article in articles[:2]])
    with CaptureQueriesContext(connection) as many:
        search.index_articles([search.IndexSource.of(article) for article in articles])
    assert len(few) == len(many)
    if connection.vendor == "postgresql":
        assert len([q for q in many if q["sql"].startswith("UPDATE")]) == 1
    assert set(found("职工之家")) == {article.pk for article in articles}


def test_index_articles_takes_ids_off_the_queue(django_capture_on_commit_callbacks, monkeypatch):
    article = factories.ArticleFactory(title="会议")
    calls = []
    real = search.update_search_index
    monkeypatch.setattr(search, "update_search_index", lambda ids, **kw: calls.append(set(ids)) or real(ids, **kw))
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "心肺复苏进社区"
        article.save()
        search.index_articles([search.IndexSource.of(article)])
    assert calls == [] or calls == [set()]
    assert found("心肺复苏") == [article.pk]


def test_indexed_names_follow_words_added_to_jieba():
    from articles import parsing

    article = factories.ArticleFactory(title="会议", kicker="", subtitle="", body="", tags=["蹊跷屿鹬"])
    search.update_search_index([article.pk])
    assert "蹊跷屿鹬" not in Article.objects.get(pk=article.pk).search_document.split()
    parsing.add_user_terms(["蹊跷屿鹬"])  # as the importer's parser does with a quoted coinage
    search.update_search_index([article.pk])
    assert "蹊跷屿鹬" in Article.objects.get(pk=article.pk).search_document.split()


# --- backend specifics ---------------------------------------------------------------------------------------


@pytest.mark.sqlite
def test_sqlite_fts_row_holds_the_segmented_article():
    article = make(title="职工之家揭牌", body="社区开展心肺复苏培训")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title, body, title_sub FROM {search.FTS_TABLE} WHERE rowid = %s", [article.pk])
        title, body, title_sub = cursor.fetchone()
    assert "职工" in title.split() or "职工之家" in title.split()
    assert "心肺复苏" in body.split()
    assert "揭牌" in title.split()
    assert title_sub.split() and all(word in "职工之家揭牌" for word in title_sub.split())


@pytest.mark.sqlite
def test_sqlite_missing_fts_table_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(search.sqlite, "FTS_TABLE", "article_fts_missing")
    with pytest.raises(search.SearchIndexMissing, match="reindex"):
        search.search_articles(Article.objects.published(), "劳模")
    with pytest.raises(search.SearchIndexMissing, match="migrate"):
        search.update_search_index([1])


@pytest.mark.sqlite
def test_sqlite_lists_each_fields_hits_once():
    for n in range(3):
        make(title=f"劳模宣讲第{n}场", body="")
    plan = search.order_by_relevance(search.search_articles(Article.objects.published(), "劳模")).explain()
    # Each field's hits are listed once per statement, not looked up again for every hit (see _Fts5Score).
    assert "LIST SUBQUERY" in plan and "CORRELATED" not in plan


@pytest.mark.postgres
def test_postgres_gin_index_serves_the_search():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition.lower() and "search_vector" in definition
    make(title="心肺复苏培训进社区")
    queryset = search.search_articles(Article.objects.all(), "心肺复苏")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    # Unordered: with the list's order the planner may walk the (published_at, id) index instead, on a tiny table.
    assert "article_search_vector" in queryset.order_by().explain()


@pytest.mark.postgres
def test_postgres_vector_weights_title_names_and_body():
    article = factories.ArticleFactory(title="心肺复苏", kicker="", subtitle="", body="职工之家")
    factories.BylineFactory(article=article, reporter__name="白莹")
    search.update_search_index([article.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM articles_article WHERE id = %s", [article.pk])
        (vector,) = cursor.fetchone()
    assert "'心肺复苏':2A" in vector
    assert "'白莹':" in vector and "B" in vector.split("'白莹':")[1].split()[0]
    assert "'职工之家':" in vector and "C" in vector.split("'职工之家':")[1].split()[0]
    article.refresh_from_db()
    assert article.search_document.splitlines()[0] == "心肺复苏"


# --- the seed pages, through the real importer ---------------------------------------------------------------


@pytest.fixture
def seeded(seeds_dir):
    from articles.importers import import_pages

    report = import_pages(paths=[seeds_dir])
    assert report.ok, [(result.source, result.error) for result in report.failed]
    return report


def _published_with_texts():
    articles = Article.objects.published().prefetch_related("bylines__reporter", "tags", "organisations__aliases")
    return {article.pk: indexed_texts(article) for article in articles}


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_seed_search_finds_every_article_that_contains_the_query(seeded, query):
    texts = _published_with_texts()
    expected = {pk for pk, parts in texts.items() if any(fold(query) in part for part in parts)}
    assert expected, f"no seed article contains {query}"
    results = set(found(query))
    assert expected <= results, {pk: texts[pk][0] for pk in expected - results}
    words = search.parse_query(query).terms
    for pk in results:
        assert all(any(word in part for part in texts[pk]) for word in words), (query, texts[pk][0])


def test_seed_multi_word_and_phrase_queries(seeded):
    texts = _published_with_texts()
    for query in ["劳模 职工", "市总工会 白莹", "新就业形态劳动者 暖心驿站"]:
        words = search.parse_query(query).terms
        expected = {pk for pk, parts in texts.items() if all(any(w in part for part in parts) for w in words)}
        assert set(found(query)) == expected, query
    phrase_hits = set(found("“新就业形态劳动者”"))
    assert phrase_hits and phrase_hits <= set(found("新就业形态劳动者"))


def test_seed_drafts_and_scheduled_articles_never_appear(seeded):
    hits = found("劳模", Article.objects.all())
    assert len(hits) >= 3
    draft, scheduled, *_ = hits
    Article.objects.filter(pk=draft).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk=scheduled).update(published_at=timezone.now() + datetime.timedelta(days=1))
    remaining = found("劳模")
    assert draft not in remaining and scheduled not in remaining
    assert set(remaining) == set(hits) - {draft, scheduled}


def test_seed_import_as_drafts_is_not_searchable(seeds_dir):
    from articles.importers import import_pages

    import_pages(paths=[seeds_dir], draft=True)
    assert found("劳模", Article.objects.all())
    assert found("劳模") == []


def test_seed_reporter_and_organisation_names_are_user_words(seeded):
    search.ensure_user_terms()
    names = [
        *Reporter.objects.values_list("name", flat=True),
        *Organisation.objects.values_list("name", flat=True),
        *Organisation.objects.values_list("aliases__name", flat=True),
    ]
    names = [name for name in names if name and len(name) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in name)]
    assert len(names) > 10
    assert [name for name in names if search.tokens(name) != [name]] == []


def test_importer_segmentation_is_reused(monkeypatch):
    from articles import parsing

    article = factories.ArticleFactory(title="职工之家揭牌", body="社区开展心肺复苏培训，服务职工。")
    given_words = {"title": parsing.segment(article.title), "body": parsing.segment(article.body)}
    search.update_search_index([article.pk])
    expected = Article.objects.get(pk=article.pk).search_document
    cut = []
    real_segment = parsing.segment
    monkeypatch.setattr(parsing, "segment", lambda text: cut.append(text) or real_segment(text))
    search.update_search_index([article.pk], segmented={article.pk: given_words})
    assert article.title not in cut and article.body not in cut
    assert Article.objects.get(pk=article.pk).search_document == expected
    # Words that are not the text's own (an edit since the parse) are ignored.
    search.update_search_index([article.pk], segmented={article.pk: {"title": ["别的", "题目"]}})
    assert Article.objects.get(pk=article.pk).search_document == expected
    assert found("职工之家") == [article.pk]
