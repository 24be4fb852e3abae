"""The reader's article filters, shared by the list page, the subject pages and the JSON API."""

import calendar
from collections import Counter
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import Rank, TruncMonth
from taggit.models import Tag

from . import search
from .expressions import PkAmong
from .models import Article, Byline, Issue, Organisation, Reporter, SubjectListing

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 200

SORT_CHOICES = [("newest", "最新在前"), ("oldest", "最早在前"), ("relevance", "相关度")]


def newest_first(queryset):
    """Latest issue first, each issue in page order, as the paper was read."""
    return queryset.order_by(
        F("issue__date").desc(nulls_last=True),
        "-issue_id",
        F("page__number").asc(nulls_last=True),
        "page_id",
        "position",
        "pk",
    )


def oldest_first(queryset):
    """Earliest issue first, each issue in page order; undated issues last."""
    return queryset.order_by(
        F("issue__date").asc(nulls_last=True),
        "issue_id",
        F("page__number").asc(nulls_last=True),
        "page_id",
        "position",
        "pk",
    )


def with_tags(articles, tags):
    """The `articles` having every one of `tags`."""
    # Each tag as `id IN (its items)`: a join compares the bigint id with taggit's integer object_id cast to
    # bigint, which no index serves, and PostgreSQL walked the list's order testing every article against it
    # (100-300 ms a tag page at 200,000 articles).
    items = Article.tags.through.objects.filter(content_type=ContentType.objects.get_for_model(Article))
    for tag in tags:
        articles = articles.filter(pk__in=items.filter(tag=tag).values("object_id"))
    return articles


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A model picked by its slug; set by following links, so the form carries it as a hidden input."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(*args, **kwargs)


class ArticleFilter(django_filters.FilterSet):
    """Filters over published articles; each field is one query-string key of /articles/ and /api/articles/."""

    q = django_filters.CharFilter(label="关键词", method="filter_search", max_length=QUERY_MAX_LENGTH)
    issue = django_filters.ModelChoiceFilter(label="期次", queryset=Issue.objects.all(), widget=forms.HiddenInput)
    date_from = django_filters.DateFilter(label="起始日期", field_name="issue__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label="截止日期", field_name="issue__date", lookup_expr="lte")
    reporter = SlugChoiceFilter(label="记者", queryset=Reporter.objects.all(), method="filter_reporter")
    role = django_filters.ChoiceFilter(
        label="署名角色", choices=Byline.Role.choices, empty_label="全部角色", method="filter_role"
    )
    # An article links an organisation at most once, so this join never repeats a row.
    organisation = SlugChoiceFilter(label="组织", queryset=Organisation.objects.all(), field_name="organisations")
    tag = django_filters.ModelMultipleChoiceFilter(
        label="标签",
        queryset=Tag.objects.all(),
        to_field_name="slug",
        method="filter_tags",
        widget=forms.MultipleHiddenInput,
    )
    kind = django_filters.ChoiceFilter(label="类型", choices=Article.Kind.choices, empty_label="全部类型")
    sort = django_filters.ChoiceFilter(
        label="排序", choices=SORT_CHOICES, empty_label="默认排序", method="keep_for_ordering"
    )

    class Meta:
        model = Article
        fields = []

    # How many of the best hits a relevance order reads: the end of the page shown (relevance_rows_for), or all
    # RELEVANCE_DEPTH when nobody says.
    relevance_rows = None

    def filter_search(self, queryset, name, value):
        return search.search_articles(queryset, value)

    def filter_reporter(self, queryset, name, reporter):
        # One byline must hold both the person and the role: "王某 as photographer", not "王某, and some photographer".
        bylines = Byline.objects.filter(article=OuterRef("pk"), reporter=reporter)
        role = self.form.cleaned_data.get("role")
        if role:
            bylines = bylines.filter(role=role)
        return queryset.filter(Exists(bylines))

    def filter_tags(self, queryset, name, tags):
        return with_tags(queryset, tags)

    def filter_role(self, queryset, name, role):
        if self.form.cleaned_data.get("reporter"):
            return queryset  # filter_reporter already required this role on the reporter's own byline
        return queryset.filter(Exists(Byline.objects.filter(article=OuterRef("pk"), role=role)))

    def keep_for_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, once every filter has narrowed the rows

    @property
    def sort_order(self) -> str:
        """The ordering in effect: the chosen one, else relevance for a search and newest otherwise."""
        cleaned = getattr(self.form, "cleaned_data", {})
        query = cleaned.get("q")
        sort = cleaned.get("sort") or ("relevance" if query else "newest")
        if sort == "relevance" and not query:
            return "newest"
        return sort

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.sort_order
        if sort == "relevance":
            return search.order_by_relevance(queryset, rows=self.relevance_rows)
        if sort == "oldest":
            return oldest_first(queryset)
        return newest_first(queryset)


def relevance_rows_for(page, page_size: int) -> int | None:
    """The rows a relevance order must read to show `page` (a query-string value) of `page_size` rows; None (all
    of them) for anything the paginator would turn into its last page."""
    # Paginator.get_page shows page 1 for what int() refuses, and the last page for 0, negatives and numbers past
    # the end: those read every row it can page through.
    if page is None:
        return page_size
    try:
        number = int(page)
    except (TypeError, ValueError):
        return page_size
    return number * page_size if number >= 1 else None


FACET_LIMIT = 12
# Facets count within the newest FACET_SCOPE matches: about three weeks of a daily printing forty to fifty
# articles a day. Counting tags, people and organisations over every published article took 190 ms at 22,000
# articles (grouped joins over all their link rows) and grows with the archive; within the newest matches it
# stays flat (docs/site.md, "Facets at archive size"; docs/benchmarks.md has the figures for 1,000 and 2,000),
# and the page says when the counts cover only those.
FACET_SCOPE = 1000


def facet_scope(articles, limit=None):
    """Ids of the newest `limit` (FACET_SCOPE) of `articles`, as a subquery for the facet counts."""
    return articles.order_by("-published_at", "-pk").values("pk")[: limit or FACET_SCOPE]


def facet_ids(articles):
    """The ids of facet_scope(`articles`), read once for the four facet counts (a subquery for a search)."""
    # As a subquery each count found the newest matches again: four times 40-250 ms on a reporter or tag page.
    # A search stays a subquery: reading its rows costs statements of its own (planner settings, docs/search.md).
    if getattr(articles.query, "newsroom_search", None):
        return facet_scope(articles)
    return list(facet_scope(articles).values_list("pk", flat=True))


def facet_cover(count):
    """How many of `count` matching articles the facets count: all of them, up to FACET_SCOPE."""
    return min(count, FACET_SCOPE)


def _in_scope(queryset, article_column, scope, **conditions):
    """`queryset` narrowed to rows whose `article_column` is in `scope` (a list of ids, or a subquery of them)
    and that meet `conditions`, in one filter() so that they apply to the same link row."""
    # A list goes as one array parameter, compared with the link table's own column: no join back to articles.
    if isinstance(scope, list):
        return queryset.filter(PkAmong(F(article_column), ids=scope), **conditions)
    return queryset.filter(**{f"{article_column}__in": scope}, **conditions)


# What each facet counts: the listing's rows of that kind (one per article and subject), and the subject model.
FACET_SUBJECTS = {
    "tag": (SubjectListing.Kind.TAG, Tag),
    "reporter": (SubjectListing.Kind.REPORTER, Reporter),
    "organisation": (SubjectListing.Kind.ORGANISATION, Organisation),
}


def subject_ranking(scope, limit=FACET_LIMIT, facets=tuple(FACET_SUBJECTS)):
    """(kind, subject id, count) rows of the subjects of each facet among the articles of `scope` (facet_ids)
    whose count ranks within the first `limit` of their kind, ties included."""
    # One statement for every facet, from the listing's (article, kind, subject) index alone; the names are read
    # after. Three counts over the link tables probed three indexes with the same ids, and joining the subject
    # tables before grouping hashed each whole table.
    kinds = [FACET_SUBJECTS[facet][0] for facet in facets]
    return (
        _in_scope(SubjectListing.objects.filter(kind__in=kinds), "article_id", scope)
        .values("kind", "subject_id")
        .annotate(article_count=Count("*"))
        .annotate(place=Window(Rank(), partition_by=F("kind"), order_by=F("article_count").desc()))
        .filter(place__lte=limit)
        .order_by()
        .values_list("kind", "subject_id", "article_count")
    )


def subject_counts(scope, limit=FACET_LIMIT, facets=tuple(FACET_SUBJECTS)) -> dict[str, list]:
    """The `limit` most counted tags, people and organisations (`facets`) among the articles of `scope`, each
    with `article_count` (articles, whatever the roles), most counted first and ties by name."""
    return named_counts(subject_ranking(scope, limit, facets), limit, facets)


def named_counts(ranking, limit=FACET_LIMIT, facets=tuple(FACET_SUBJECTS)) -> dict[str, list]:
    """The subjects of subject_ranking rows `ranking` as subject_counts gives them, for the kinds of `facets`."""
    counts = {kind: {} for kind, _ in FACET_SUBJECTS.values()}
    wanted = {FACET_SUBJECTS[facet][0] for facet in facets}
    for kind, subject_id, article_count in ranking:
        if kind in wanted:
            counts[kind][subject_id] = article_count
    found = {}
    for facet in facets:
        kind, model = FACET_SUBJECTS[facet]
        subjects = model.objects.in_bulk(list(counts[kind])) if counts[kind] else {}
        for pk, subject in subjects.items():
            subject.article_count = counts[kind][pk]
        # Names compare by code point, as SQLite and PostgreSQL's C.UTF-8 collation order them.
        found[facet] = sorted(subjects.values(), key=lambda subject: (-subject.article_count, subject.name))[:limit]
    return found


def month_counts(scope, limit=24):
    """Issue months in `scope`, newest first, as dicts with `month` (a date) and `article_count`."""
    return (
        _in_scope(Article.objects.filter(issue__date__isnull=False), "pk", scope)
        .annotate(month=TruncMonth("issue__date"))
        .values("month")
        .annotate(article_count=Count("pk"))
        .order_by("-month")[:limit]
    )


class FilterLink:
    """A link that changes one filter of the current query string: a facet adds it, a chip removes it."""

    def __init__(self, label, query: str, *, count=None, active=False, field=""):
        self.label = label
        self.count = count
        self.active = active
        self.field = field
        self.query = query  # the query string it leads to, without a page number

    @property
    def href(self):
        return f"?{self.query}" if self.query else "?"


def query_values(params) -> dict[str, list[str]]:
    """The query string `params` as {name: values}, without the page number: what each link changes one name of."""
    # A plain dict, so that each of a page's hundred links copies a dict rather than deep-copying a QueryDict.
    return {name: values for name, values in params.lists() if name != "page"}


def _encode(values: dict[str, list[str]], **changed: list[str]) -> str:
    """The query string of `values` with the names in `changed` given those values (encoded as QueryDict does)."""
    return urlencode({**values, **changed}, doseq=True)


def _with(values, **changed):
    return _encode(values, **{name: [value] for name, value in changed.items()})


def _without(values, name, value=None):
    kept = [] if value is None else [raw for raw in values.get(name, ()) if raw != value]
    return _encode(values, **{name: kept})


def _append(values, name, value):
    return _encode(values, **{name: [*values.get(name, ()), value]})


def active_filter_chips(filterset, params, preset=()):
    """One removable chip per valid filter in `params` (the query string); preset filters are the page's own."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    values = query_values(params)
    chips = []
    for name, filter_ in filterset.filters.items():
        if name in preset or name not in params:
            continue
        value = cleaned.get(name)
        if value in (None, "", []):
            continue
        label = filter_.label
        if name == "tag":
            for tag in value:
                chips.append(FilterLink(f"{label}：{tag.name}", _without(values, "tag", tag.slug), field=name))
            continue
        if name in ("role", "kind", "sort"):
            shown = dict(filter_.extra["choices"]).get(value, value)
        elif name in ("date_from", "date_to"):
            shown = f"{value.year}年{value.month}月{value.day}日"
        elif name == "reporter" or name == "organisation":
            shown = value.name
        else:
            shown = str(value)
        chips.append(FilterLink(f"{label}：{shown}", _without(values, name), field=name))
    return chips


def months_of(dates, limit=24):
    """month_counts over issue dates already read (None for an undated issue), newest month first."""
    counts = Counter(date.replace(day=1) for date in dates if date is not None)
    return [{"month": month, "article_count": counts[month]} for month in sorted(counts, reverse=True)[:limit]]


def facet_basis(articles):
    """What the facets of `articles` count: the scope (facet_ids) and its issue months (as month_counts)."""
    if getattr(articles.query, "newsroom_search", None):
        scope = facet_ids(articles)
        return scope, list(month_counts(scope))
    # The month facet comes from the dates read with the ids.
    rows = list(facet_scope(articles).values_list("pk", "issue__date"))
    return [pk for pk, _ in rows], months_of(date for _, date in rows)


def counted_facets(preset=()) -> list[str]:
    """The facets a page counts: all but those fixed by the page (`preset`), tags always (a second tag narrows)."""
    return [facet for facet in FACET_SUBJECTS if facet not in preset or facet == "tag"]


def facet_counts(articles, preset=()):
    """What facet_links shows, read from the database: (subject_counts, month rows) of facet_basis(`articles`),
    for counted_facets(`preset`)."""
    scope, months = facet_basis(articles)
    return subject_counts(scope, facets=counted_facets(preset)), months


def facet_links(articles, params, cleaned, preset=(), counts=None):
    """Facet counts for the filtered `articles` (facet_counts, or those read already), each a link adding that
    value to `params`."""
    counted, months = counts or facet_counts(articles, preset)
    chosen_tags = {tag.slug for tag in cleaned.get("tag") or []}
    values = query_values(params)
    facets = {}
    facets["tag"] = [
        FilterLink(
            tag.name,
            _encode(values) if tag.slug in chosen_tags else _append(values, "tag", tag.slug),
            count=tag.article_count,
            active=tag.slug in chosen_tags,
            field="tag",
        )
        for tag in counted["tag"]
    ]
    for name in ("reporter", "organisation"):
        if name in preset:
            continue
        chosen = cleaned.get(name)
        facets[name] = [
            FilterLink(
                subject.name,
                _with(values, **{name: subject.slug}),
                count=subject.article_count,
                active=chosen == subject,
                field=name,
            )
            for subject in counted[name]
        ]
    facets["month"] = []
    for row in months:
        month = row["month"]
        last_day = calendar.monthrange(month.year, month.month)[1]
        first, last = month.isoformat(), month.replace(day=last_day).isoformat()
        facets["month"].append(
            FilterLink(
                f"{month.year}年{month.month}月",
                _with(values, date_from=first, date_to=last),
                count=row["article_count"],
                active=params.get("date_from") == first and params.get("date_to") == last,
                field="month",
            )
        )
    return facets
