"""Relevance on both databases: a headline beats the body whatever the dates, and every hit is ranked the same
way on SQLite and PostgreSQL, checked against a reference ranking computed here in Python from the data."""

import bisect
import datetime
import random

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import search
from articles.devtools.benchmark import load_queries
from articles.devtools.generator import generate_archive
from articles.importers import import_pages
from articles.models import Article, Organisation, Reporter
from tests import factories

pytestmark = pytest.mark.django_db

# Words the dictionary keeps whole, so that each is one query word; fillers share none of their characters.
WORDS = ["心肺复苏", "暖心驿站", "技能竞赛", "职工之家", "疗休养", "羽毛球", "应急救护"]
FILLERS = ["本市召开年度会议", "各区部署下一步安排", "社区开展志愿活动", "街道举行座谈", "有关部门通报情况"]
OTHER_HITS = 300  # more than the 200 newest hits the old ranking looked at


def _found(query):
    rows = search.order_by_relevance(search.search_articles(Article.objects.published(), query))
    return list(rows.values_list("pk", flat=True))


def test_a_headline_hit_ranks_first_however_old_and_however_many_other_hits():
    now = timezone.now()
    body_of_every_word = "，".join(WORDS)
    others = [
        factories.ArticleFactory(
            title=f"{FILLERS[n % len(FILLERS)]}{n}",
            body=f"{FILLERS[(n + 1) % len(FILLERS)]}，{body_of_every_word}。",
            published_at=now - datetime.timedelta(hours=n),
        )
        for n in range(OTHER_HITS)
    ]
    search.update_search_index([article.pk for article in others])

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True),
        filler=st.sampled_from(FILLERS),
        body_age_days=st.integers(0, 3000),
        headline_older_by_days=st.integers(1, 3000),
    )
    def check(words, filler, body_age_days, headline_older_by_days):
        with transaction.atomic():
            body_date = now - datetime.timedelta(days=body_age_days)
            # Alike but for where the words are: the headline's words, or the same words only in the body.
            headline = factories.ArticleFactory(
                title="".join(words) + filler,
                body=f"{filler}。",
                published_at=body_date - datetime.timedelta(days=headline_older_by_days),
            )
            in_body = factories.ArticleFactory(title=filler, body=f"{filler}。{''.join(words)}", published_at=body_date)
            search.update_search_index([headline.pk, in_body.pk])
            for query in (" ".join(words), "".join(words)):
                ranked = _found(query)
                assert ranked[0] == headline.pk, query
                assert in_body.pk not in ranked[:1]
                assert search.count_matches(
                    search.search_articles(Article.objects.published(), query)
                ) == search.SearchCount(OTHER_HITS + 2)
            transaction.set_rollback(True)

    check()


# --- the same hits and the same best hit on both databases ----------------------------------------------------


class Reference:
    """Every published article's indexed terms per field, matched and ranked in plain Python."""

    SCORES = {"A": search.query.SCORE_TITLE, "B": search.query.SCORE_META, "C": search.query.SCORE_TEXT}

    def __init__(self):
        self.articles = []
        rows = Article.objects.published().prefetch_related("bylines__reporter", "tags", "organisations__aliases")
        for article in rows:
            document = search.index_document(article)
            fields = {}
            for weight in "ABC":
                streams = document.words(weight)
                terms = sorted({*document.extra_words(weight), *(word for stream in streams for word in stream)})
                fields[weight] = (streams, terms)
            self.articles.append((article.pk, article.published_at, fields))

    @staticmethod
    def _has_prefix(terms, word):
        at = bisect.bisect_left(terms, word)
        return at < len(terms) and terms[at].startswith(word)

    def _field_holds(self, field, part):
        streams, terms = field
        if isinstance(part, str):
            return self._has_prefix(terms, part)
        if self._has_prefix(terms, "".join(part)):
            return True
        *head, last = part
        size = len(part)
        return any(
            stream[i : i + size - 1] == head and stream[i + size - 1].startswith(last)
            for stream in streams
            for i in range(len(stream) - size + 1)
        )

    def ranked(self, query):
        """(pk, score) of every hit, best first: score desc, then newest, then the highest id."""
        parts = [*query.terms, *(list(phrase) for phrase in query.phrases)]
        hits = []
        for pk, published_at, fields in self.articles:
            score = 0
            for part in parts:
                best = next((weight for weight in "ABC" if self._field_holds(fields[weight], part)), None)
                if best is None:
                    break
                score += self.SCORES[best]
            else:
                hits.append((-score, -published_at.timestamp(), -pk))
        return [(-pk, -score) for score, _, pk in sorted(hits)]


def test_the_same_hits_and_best_hits_as_a_reference_ranking_over_seeds_and_2000_articles(seeds_dir, tmp_path):
    generate_archive(articles=2000, seed=7, out=tmp_path / "archive")
    assert import_pages(paths=[seeds_dir, tmp_path / "archive"]).ok
    reference = Reference()
    names = [*Reporter.objects.order_by("pk").values_list("name", flat=True)[:5]]
    names += [name for (name,) in Organisation.objects.filter(aliases__isnull=False).values_list("aliases__name")[:5]]
    queries = [*load_queries(), *names, "劳模", "“服务职工”", "全国劳模"]
    rng = random.Random(7)
    for title in rng.sample(list(Article.objects.published().values_list("title", flat=True)), 10):
        queries.append(" ".join(search.tokens(title)[:2]))  # known-item searches: two headline words
    checked = 0
    for query in queries:
        expected = reference.ranked(search.parse_query(query))
        hits = search.search_articles(Article.objects.published(), query)
        assert set(hits.values_list("pk", flat=True)) == {pk for pk, _ in expected}, query
        if not expected:
            continue
        checked += 1
        first_page = _found(query)[:20]
        assert first_page == [pk for pk, _ in expected[:20]], query
        ranks = dict(hits.filter(pk__in=first_page).values_list("pk", "search_rank"))
        assert [ranks[pk] for pk in first_page] == [score for _, score in expected[:20]], query
    assert checked >= 40
