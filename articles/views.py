"""Public views; every article they show comes from Article.objects.published()."""

import calendar
import datetime
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView
from taggit.models import Tag

from . import background, filters, search, subject_facets
from .cache import (
    LISTS,
    article_key,
    depends_on,
    issue_key,
    issue_nav_key,
    neighbour_filters,
    public_issues,
    subject_key,
)
from .expressions import among
from .filters import (
    PAGE_SIZE,
    ArticleFilter,
    active_filter_chips,
    facet_counts,
    facet_cover,
    facet_ids,
    facet_links,
    relevance_rows_for,
    subject_counts,
)
from .models import Article, Byline, Organisation, Page, Reporter, SubjectListing, listing_prefetches
from .related import related_articles

RECENT_LIMIT = 8
UNDATED_ON_ISSUE_LIST = 10
CALENDAR_YEARS = (1949, 2100)
POPULAR_LIMIT = 12
ISSUES_PER_PAGE = 30
FACET_TITLES = [("tag", "标签"), ("reporter", "记者"), ("organisation", "相关组织"), ("month", "出版月份")]
# Filters set by following links rather than typed into the form; the form carries them along as hidden inputs.
HIDDEN_FILTERS = ["issue", "reporter", "organisation", "tag"]


def issues_newest_first(queryset):
    """The order of the issue list: by date, newest first; undated issues last, latest imported first."""
    return queryset.order_by(F("date").desc(nulls_last=True), "-pk")


def with_lead_title(issues):
    """Issues annotated with `lead_title`, the first published article in print order, to tell undated ones apart."""
    lead = Article.objects.published().filter(issue=OuterRef("pk")).in_page_order().values("title")[:1]
    return issues.annotate(lead_title=Subquery(lead))


def issue_neighbours(issue, *, latest=False):
    """The public issues just older and just newer than `issue` (none newer than the `latest`) in the list's order."""
    issues = with_lead_title(public_issues())
    older, newer = neighbour_filters(issue)
    older_issue = issues_newest_first(issues.filter(older)).first()
    # Nearest first: later undated issues, then the earliest dated one.
    newer_issue = None if latest else issues.filter(newer).order_by(F("date").asc(nulls_first=True), "pk").first()
    return older_issue, newer_issue


def pages_of(articles, issue) -> list[Page]:
    """The distinct pages of `articles` (in print order) in their order, each told its issue so URLs cost nothing."""
    pages, seen = [], set()
    for article in articles:
        if article.page_id is not None and article.page_id not in seen:
            seen.add(article.page_id)
            article.page.issue = issue
            pages.append(article.page)
    return pages


def issue_navigation(request, issue, pages, current_page=None, *, latest=False, neighbours=None) -> dict:
    """Context for _issue_nav.html: the issue's pages, 上一版/下一版 around `current_page`, 上一期/下一期 (the
    issue_neighbours given, else read now)."""
    older, newer = neighbours.result() if neighbours else issue_neighbours(issue, latest=latest)
    # The page shows the neighbours' names and lead stories: a change to them changes it too.
    depends_on(request, issue_key(issue.pk), *(issue_nav_key(other.pk) for other in (older, newer) if other))
    index = next((i for i, page in enumerate(pages) if current_page and page.pk == current_page.pk), None)
    return {
        "nav_issue": issue,
        "nav_pages": pages,
        "nav_current_page": current_page,
        "previous_page": pages[index - 1] if index else None,
        "next_page": pages[index + 1] if index is not None and index + 1 < len(pages) else None,
        "older_issue": older,
        "newer_issue": newer,
    }


def valid_params(filterset, request):
    """The query string without fields that failed validation, so links never carry bad input onwards."""
    params = request.GET.copy()
    for name in list(params):
        if name not in filterset.filters or name in filterset.form.errors:
            del params[name]
    return params


class LenientPaginationMixin:
    """Out-of-range or malformed page numbers show the nearest real page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        # get_page turns page=abc into the first page and page=99999 into the last, instead of a 404.
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


# What a headline in an issue's contents shows (story_tags.story with compact=True), with its page.
HEADLINE_FIELDS = (
    *("pk", "issue_id", "page_id", "position", "kicker", "title", "subtitle", "slug", "kind"),
    *("page__id", "page__number", "page__banner", "page__issue_id"),
)


class HomeView(TemplateView):
    """The front of the e-paper: the latest issue page by page, more recent stories, popular subjects."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        depends_on(self.request, LISTS)
        published = Article.objects.published()
        # Popular among the newest articles (facet_ids): what the paper covers now, at a flat cost; read while
        # this thread reads the issue (articles/background.py).
        popular = background.start(lambda: subject_counts(facet_ids(published), POPULAR_LIMIT))
        latest_issue = issues_newest_first(public_issues()).first()
        front = []
        recent = published.with_listing_relations()
        if latest_issue:
            # Every row's issue is latest_issue: given, not joined and built again for each of a hundred rows.
            front = list(
                published.filter(issue=latest_issue).select_related("page").in_page_order().only(*HEADLINE_FIELDS)
            )
            for article in front:
                article.issue = latest_issue
            # The first page in full (photos, credits, excerpts); the others as their headlines, as a printed
            # issue's contents list them, and a hundred full cards cost a hundred excerpts and credit lines.
            first_page = [article for article in front if article.page_id == front[0].page_id] if front else []
            prefetch_related_objects(first_page, *listing_prefetches())
            # The excerpts' bodies, for that page alone: read for every article, they were most of the page's SQL.
            first_ids = [article.pk for article in first_page]
            bodies = dict(Article.objects.filter(pk__in=first_ids).values_list("pk", "body"))
            for article in first_page:
                article.body = bodies.get(article.pk, "")  # deleted between the two reads: shown without excerpt
            recent = recent.exclude(issue=latest_issue)
            context.update(issue_navigation(self.request, latest_issue, pages_of(front, latest_issue), latest=True))
        recent = list(recent.order_by(F("issue__date").desc(nulls_last=True), "-published_at", "-pk")[:RECENT_LIMIT])
        depends_on(self.request, *(article_key(article.pk) for article in front + recent))
        popular = popular.result()
        context.update(
            latest_issue=latest_issue,
            front_articles=front,
            recent_articles=recent,
            popular_tags=popular["tag"],
            popular_reporters=popular["reporter"],
            popular_organisations=popular["organisation"],
        )
        return context


class ArticleListView(LenientPaginationMixin, FilterView):
    """/articles/: search and filters over published articles, with facets and removable filter chips."""

    filterset_class = ArticleFilter
    paginate_by = PAGE_SIZE
    # Counts a huge search by estimate instead of ranking every hit (docs/search.md, "Counting").
    paginator_class = search.SearchPaginator
    template_name = "articles/article_list.html"
    # An invalid field is reported on the form and ignored; the valid ones still filter.
    strict = False

    def get_queryset(self):
        return Article.objects.published().with_listing_relations()

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # A search ranked by relevance reads its best hits down to this page's end, not all ten pages of them.
        filterset.relevance_rows = relevance_rows_for(self.request.GET.get(self.page_kwarg), self.paginate_by)
        return filterset

    def get_preset(self):
        """Filters fixed by the page itself (the reporter of a reporter page…), as query-string values."""
        return {}

    def count_facets(self, filterset, preset):
        """What the facets show (filters.facet_counts): read in the background thread while the page is built."""
        return facet_counts(filterset.qs, preset)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        for name, value in self.get_preset().items():
            if name == "tag":
                data.setlist(name, [value, *(slug for slug in data.getlist(name) if slug != value)])
            else:
                data[name] = value
        # Always bound, so that the default ordering in ArticleFilter.filter_queryset applies to a bare /articles/.
        kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        preset = set(self.get_preset())
        # Read while this thread counts, pages and fetches the rows (articles/background.py).
        counting = background.start(self.count_facets, filterset, preset)
        context = super().get_context_data(**kwargs)
        if not preset:
            depends_on(self.request, LISTS, *(article_key(article.pk) for article in context["page_obj"].object_list))
        params = valid_params(filterset, self.request)
        cleaned = getattr(filterset.form, "cleaned_data", {})
        page = context["page_obj"]
        facets = facet_links(filterset.qs, params, cleaned, preset, counts=counting.result())
        cover = facet_cover(page.paginator.count)
        context.update(
            params=params,
            query=cleaned.get("q", ""),
            sort_order=filterset.sort_order,
            chips=active_filter_chips(filterset, params, preset),
            facet_groups=[(name, title, facets[name]) for name, title in FACET_TITLES if name in facets],
            # Shown only when the counts leave some matches out.
            facets_cover=cover if cover < page.paginator.count else None,
            hidden_filters=[
                (name, value) for name in HIDDEN_FILTERS if name not in preset for value in params.getlist(name)
            ],
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            list_path=self.request.path,
        )
        return context


class ArticleDetailView(DetailView):
    """One article; a stale slug redirects, and staff may preview what readers cannot see yet."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def can_preview(self):
        user = self.request.user
        return user.is_staff and user.has_perm("articles.view_article")

    def get_queryset(self):
        # The other part of a continued story is linked from the page (上接/下转), in the same query.
        articles = (
            Article.objects.with_labels()
            .select_related("continuation")
            .defer("continuation__search_document", "continuation__search_vector", "continuation__body")
        )
        return articles if self.can_preview() else articles.published()

    def get(self, request, *args, **kwargs):
        article = self.object = self.get_object()
        if kwargs["slug"] != (article.slug or "article"):
            return redirect(article, permanent=True)
        preview = not article.is_public
        response = self.render_to_response(self.get_context_data(object=article, preview=preview))
        if preview:
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # Read while this thread reads the issue's order and the related articles (articles/background.py).
        neighbours = background.start(issue_neighbours, article.issue)
        order = self.issue_order(article)
        previous_article, next_article = self.neighbours(article, order)
        related = related_articles(article)
        depends_on(self.request, article_key(article.pk), *(article_key(other.pk) for other in related))
        context.update(
            related_articles=related,
            previous_article=previous_article,
            next_article=next_article,
            canonical_url=self.request.build_absolute_uri(article.get_absolute_url()),
            **issue_navigation(
                self.request, article.issue, pages_of(order, article.issue), article.page, neighbours=neighbours
            ),
        )
        return context

    def issue_order(self, article):
        """The issue's published articles in print order, with their pages (one query for both navigations)."""
        return list(
            Article.objects.published()
            .filter(issue_id=article.issue_id)
            .in_page_order()
            .select_related("page")
            .only("pk", "slug", "title", "kicker", "page_id", "page__number", "page__banner", "page__issue_id")
        )

    def neighbours(self, article, order):
        """The published articles printed just before and after `article` in its issue."""
        index = next((i for i, other in enumerate(order) if other.pk == article.pk), None)
        if index is None:  # a previewed draft is not in the printed order
            return None, None
        previous_article = order[index - 1] if index > 0 else None
        next_article = order[index + 1] if index + 1 < len(order) else None
        return previous_article, next_article


class IssueListView(LenientPaginationMixin, ListView):
    """Every dated issue with published articles, newest first; the undated ones in a section of their own."""

    template_name = "articles/issue_list.html"
    context_object_name = "issues"
    paginate_by = ISSUES_PER_PAGE
    undated = False

    def get_queryset(self):
        published = Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now())
        printed = Article.objects.published().filter(page=OuterRef("pk"))
        issues = (
            with_lead_title(public_issues().filter(date__isnull=self.undated))
            .annotate(article_count=Count("articles", filter=published))
            .prefetch_related(Prefetch("pages", queryset=Page.objects.filter(Exists(printed))))
        )
        return issues_newest_first(issues)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        depends_on(self.request, LISTS, *(issue_key(issue.pk) for issue in page.object_list))
        context.update(
            params=QueryDict(),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            undated_list=self.undated,
        )
        if not self.undated and page.number == 1:
            undated = issues_newest_first(with_lead_title(public_issues().filter(date__isnull=True)))
            shown = list(undated[: UNDATED_ON_ISSUE_LIST + 1])
            context.update(
                undated_issues=shown[:UNDATED_ON_ISSUE_LIST], more_undated=len(shown) > UNDATED_ON_ISSUE_LIST
            )
        return context


class UndatedIssueListView(IssueListView):
    """/issues/undated/: the issues whose printed date is unknown, latest imported first."""

    undated = True


def issue_from_date(kwargs):
    """The public issue of the date in the URL (the first imported when an editor gave two the same date), or 404."""
    try:
        date = datetime.date(kwargs["year"], kwargs["month"], kwargs["day"])
    except ValueError:
        raise Http404("没有这一天。") from None
    issue = public_issues().filter(date=date).order_by("pk").first()
    if issue is None:
        raise Http404("这一天没有出版的报纸。")
    return issue


def issue_from_url(kwargs):
    """The issue a URL names by its date, or by its id (for undated issues)."""
    if "pk" in kwargs:
        return get_object_or_404(public_issues(), pk=kwargs["pk"])
    return issue_from_date(kwargs)


class IssueDetailView(TemplateView):
    """An issue's table of contents (版面导航): its pages and their articles, in print order."""

    template_name = "articles/issue_detail.html"

    def get(self, request, *args, **kwargs):
        self.issue = issue_from_url(kwargs)
        if "pk" in kwargs and self.issue.date:
            return redirect(self.issue, permanent=True)  # the old id URL of a dated issue
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.issue
        neighbours = background.start(issue_neighbours, issue)  # read while this thread reads the articles
        articles = list(Article.objects.published().filter(issue=issue).with_listing_relations().in_page_order())
        navigation = issue_navigation(self.request, issue, pages_of(articles, issue), neighbours=neighbours)
        context.update(issue=issue, articles=articles, **navigation)
        return context


class PageDetailView(TemplateView):
    """One printed page (版): its articles in print order, with 上一版/下一版 and 上一期/下一期."""

    template_name = "articles/page_detail.html"

    def get(self, request, *args, **kwargs):
        if "page_pk" in kwargs:
            page = get_object_or_404(Page.objects.select_related("issue"), pk=kwargs["page_pk"], number__isnull=True)
            issue = page.issue
        else:
            issue = issue_from_url(kwargs)
            page = get_object_or_404(Page, issue=issue, number=kwargs["number"])
            page.issue = issue
        if "pk" in kwargs and issue.date:
            return redirect(page, permanent=True)
        self.issue, self.page = issue, page
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue, page = self.issue, self.page
        published = Article.objects.published().filter(issue=issue)
        articles = list(published.filter(page=page).with_listing_relations().in_page_order())
        if not articles:
            raise Http404("这一版没有已发布的文章。")
        neighbours = background.start(issue_neighbours, issue)  # read while this thread reads the pages
        pages = list(
            Page.objects.filter(Exists(published.filter(page=OuterRef("pk"))))
            .filter(issue=issue)
            .order_by(F("number").asc(nulls_last=True), "pk")
        )
        for other in pages:
            other.issue = issue
        navigation = issue_navigation(self.request, issue, pages, page, neighbours=neighbours)
        context.update(issue=issue, page=page, articles=articles, **navigation)
        return context


class IssueCalendarView(TemplateView):
    """/issues/calendar/2023/03/: a month of the paper, each day with an issue a link; no JavaScript."""

    template_name = "articles/issue_calendar.html"

    def get(self, request, *args, **kwargs):
        if "year" not in kwargs:
            latest = public_issues().filter(date__isnull=False).order_by("-date").values_list("date", flat=True)
            day = latest.first() or timezone.localdate()
            return redirect("articles:issue_calendar_month", year=day.year, month=day.month)
        if not (1 <= kwargs["month"] <= 12 and CALENDAR_YEARS[0] <= kwargs["year"] <= CALENDAR_YEARS[1]):
            raise Http404("没有这个月份。")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        depends_on(self.request, LISTS)
        year, month = kwargs["year"], kwargs["month"]
        dated = public_issues().filter(date__isnull=False)
        # Each end read from the issue date index, probing issues until one has a public article (MIN and MAX
        # probed every issue of the archive).
        first = dated.order_by("date").values_list("date", flat=True).first()
        last = dated.order_by("-date").values_list("date", flat=True).first()
        in_month = {}
        for issue in dated.filter(date__year=year, date__month=month).order_by("date", "pk"):
            in_month.setdefault(issue.date, issue)
        months_with_issues = {day.month for day in dated.filter(date__year=year).dates("date", "month")}

        def reachable(y, m):
            # Navigation stays within the archive, so crawlers cannot walk empty months for ever.
            return first is not None and (first.year, first.month) <= (y, m) <= (last.year, last.month)

        previous_month = (year, month - 1) if month > 1 else (year - 1, 12)
        next_month = (year, month + 1) if month < 12 else (year + 1, 1)
        weeks = [
            [(day, in_month.get(day) if day.month == month else None, day.month == month) for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        context.update(
            year=year,
            month=month,
            weeks=weeks,
            weekdays=["一", "二", "三", "四", "五", "六", "日"],
            issue_count=len(in_month),
            months=[(m, m in months_with_issues) for m in range(1, 13)],
            previous_month=previous_month if reachable(*previous_month) else None,
            next_month=next_month if reachable(*next_month) else None,
            previous_year=year - 1 if first and first.year < year else None,
            next_year=year + 1 if last and last.year > year else None,
            first_issue=first,
            last_issue=last,
        )
        return context


class SubjectArticleListView(ArticleListView):
    """A reporter, organisation or tag page: who or what it is, then the article list with that filter preset."""

    template_name = "articles/subject_detail.html"
    subject_field = ""
    listing_kind = ""  # SubjectListing.Kind

    def get(self, request, *args, **kwargs):
        self.subject = self.get_subject()
        return super().get(request, *args, **kwargs)

    def get_subject(self):
        raise NotImplementedError

    def listed(self):
        """The SubjectListing rows of every published article about the subject, whatever the other filters."""
        return SubjectListing.published(self.listing_kind, self.subject.pk)

    @cached_property
    def subject_count(self):
        """How many published articles are about the subject, counted in the listing (docs/site.md)."""
        return search.count_hits(self.listed())

    def get_preset(self):
        return {self.subject_field: self.subject.slug}

    def narrowed(self) -> bool:
        """Whether the query string narrows the list within the subject's articles (a role, a kind, a search…)."""
        for name, value in getattr(self.filterset.form, "cleaned_data", {}).items():
            if name == "sort" or not value:  # the tags are a queryset, already read by the filter
                continue
            if name != self.subject_field or (name == "tag" and len(value) > 1):
                return True
        return False

    def get_paginator(self, queryset, per_page, **kwargs):
        # Unless other filters narrow it, the list is every article about the subject: the listing counts it
        # without reading the articles (count_matches takes a count set on the query).
        if not self.narrowed():
            queryset = queryset.all()
            queryset.query.newsroom_count = self.subject_count
        return super().get_paginator(queryset, per_page, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        if not self.narrowed() and self.filterset.sort_order == "newest":
            # The page's rows are among the subject's articles in the issues up to the page's last row, which the
            # listing finds in its own order. Walking the paper's order instead tests every article of the newer
            # issues for the subject, all of them when the subject was common years ago and is rare now.
            bottom = (page.number - 1) * paginator.per_page
            top = bottom + paginator.per_page
            page.object_list = object_list = among(queryset, self.listed_through(top))[bottom:top]
        return paginator, page, object_list, is_paginated

    def listed_through(self, rows: int) -> list[int]:
        """Ids of the subject's articles in the issues up to its `rows`-th article, newest issue first."""
        listed = self.listed()
        newest = (F("issue_date").desc(nulls_last=True), F("issue_id").desc())
        last = listed.order_by(*newest).values_list("issue_date", "issue_id")[rows - 1 : rows]
        if last:
            date, issue = last[0]
            if date is None:
                listed = listed.filter(Q(issue_date__isnull=False) | Q(issue_id__gte=issue))
            else:
                listed = listed.filter(Q(issue_date__gt=date) | Q(issue_date=date, issue_id__gte=issue))
        return list(listed.values_list("article_id", flat=True))

    def count_facets(self, filterset, preset):
        if self.narrowed():
            return super().count_facets(filterset, preset)
        # Every article of the subject: its facets are kept between renders (articles/subject_facets.py).
        return subject_facets.facet_counts(self.listing_kind, self.subject.pk, filters.counted_facets(preset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = self.subject_count
        # A subject named only in drafts is not public yet.
        if not total.total:
            raise Http404("没有相关的已发布文章。")
        context.update(
            subject=self.subject, subject_field=self.subject_field, subject_total=total.total, subject_count=total
        )
        # A new article naming the subject bumps its key; an edit of a listed article (a co-author renamed) its own.
        depends_on(self.request, subject_key(self.subject_field, self.subject.pk))
        depends_on(self.request, *(article_key(article.pk) for article in context["page_obj"].object_list))
        return context


class ReporterDetailView(SubjectArticleListView):
    """/reporters/<slug>/: the person, how often they were credited in each role, and their articles."""

    subject_field = "reporter"
    listing_kind = SubjectListing.Kind.REPORTER

    def get_subject(self):
        return get_object_or_404(Reporter, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = SubjectListing.published(SubjectListing.Kind.ROLE, self.subject.pk)
        # COUNT(*): the time index holds the role, so PostgreSQL counts from the index alone (the id is not in it).
        counts = dict(
            roles.values("role").annotate(article_count=Count("*")).order_by().values_list("role", "article_count")
        )
        # 未注明 (no role word in print) is listed only for people credited that way.
        context["role_counts"] = [
            (label, counts.get(role, 0))
            for role, label in Byline.Role.choices
            if role != Byline.Role.UNSPECIFIED or counts.get(role)
        ]
        return context


class OrganisationDetailView(SubjectArticleListView):
    """/organisations/<slug>/: the organisation, its parent and short names, and the articles naming it."""

    subject_field = "organisation"
    listing_kind = SubjectListing.Kind.ORGANISATION

    def get_subject(self):
        queryset = Organisation.objects.select_related("parent").prefetch_related("aliases")
        return get_object_or_404(queryset, slug=self.kwargs["slug"])


class TagDetailView(SubjectArticleListView):
    """/tags/<slug>/: the articles with this tag."""

    subject_field = "tag"
    listing_kind = SubjectListing.Kind.TAG

    def get_subject(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])


@require_safe
def robots_txt(request):
    """robots.txt: keep crawlers out of the admin and point them at the sitemap."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap_index"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


FAVICON = settings.BASE_DIR / "static" / "icons" / "favicon.ico"


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links to."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=86400)
    return response


def healthz(request):
    """Liveness for load balancers, touching no database; the benchmark also uses it as the framework's floor."""
    return HttpResponse("ok", content_type="text/plain")
