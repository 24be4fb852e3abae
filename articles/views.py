"""Public views; every article they show comes from Article.objects.published()."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView
from taggit.models import Tag

from . import search
from .filters import (
    PAGE_SIZE,
    ArticleFilter,
    active_filter_chips,
    facet_cover,
    facet_links,
    facet_scope,
    organisation_counts,
    reporter_counts,
    tag_counts,
)
from .models import Article, Byline, Issue, Organisation, Page, Reporter
from .related import related_articles

RECENT_LIMIT = 8
POPULAR_LIMIT = 12
ISSUES_PER_PAGE = 30
FACET_TITLES = [("tag", "标签"), ("reporter", "记者"), ("organisation", "相关组织"), ("month", "出版月份")]
# Filters set by following links rather than typed into the form; the form carries them along as hidden inputs.
HIDDEN_FILTERS = ["issue", "reporter", "organisation", "tag"]


def public_issues():
    """Issues with at least one article readers may see."""
    return Issue.objects.filter(Exists(Article.objects.published().filter(issue=OuterRef("pk"))))


def issues_newest_first(queryset):
    """The order of the issue list: by date, newest first; undated issues last, latest imported first."""
    return queryset.order_by(F("date").desc(nulls_last=True), "-pk")


def with_lead_title(issues):
    """Issues annotated with `lead_title`, the first published article in print order, to tell undated ones apart."""
    lead = Article.objects.published().filter(issue=OuterRef("pk")).in_page_order().values("title")[:1]
    return issues.annotate(lead_title=Subquery(lead))


def issue_neighbours(issue):
    """The public issues just older and just newer than `issue` in the issue list's order."""
    issues = with_lead_title(public_issues())
    if issue.date:
        older = Q(date__lt=issue.date) | Q(date=issue.date, pk__lt=issue.pk) | Q(date__isnull=True)
        newer = Q(date__gt=issue.date) | Q(date=issue.date, pk__gt=issue.pk)
    else:
        older = Q(date__isnull=True, pk__lt=issue.pk)
        newer = Q(date__isnull=True, pk__gt=issue.pk) | Q(date__isnull=False)
    older_issue = issues_newest_first(issues.filter(older)).first()
    # Nearest first: later undated issues, then the earliest dated one.
    newer_issue = issues.filter(newer).order_by(F("date").asc(nulls_first=True), "pk").first()
    return older_issue, newer_issue


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


class HomeView(TemplateView):
    """The front of the e-paper: the latest issue page by page, more recent stories, popular subjects."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Article.objects.published()
        latest_issue = issues_newest_first(public_issues()).first()
        front = []
        # Popular among the newest articles (facet_scope): what the paper covers now, at a flat cost.
        newest = facet_scope(published)
        recent = published.with_listing_relations()
        if latest_issue:
            front = published.filter(issue=latest_issue).with_listing_relations().in_page_order()
            recent = recent.exclude(issue=latest_issue)
        context.update(
            latest_issue=latest_issue,
            front_articles=front,
            recent_articles=recent.order_by(F("issue__date").desc(nulls_last=True), "-published_at", "-pk")[
                :RECENT_LIMIT
            ],
            popular_tags=tag_counts(newest, POPULAR_LIMIT),
            popular_reporters=reporter_counts(newest, POPULAR_LIMIT),
            popular_organisations=organisation_counts(newest, POPULAR_LIMIT),
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

    def get_preset(self):
        """Filters fixed by the page itself (the reporter of a reporter page…), as query-string values."""
        return {}

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
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        preset = set(self.get_preset())
        params = valid_params(filterset, self.request)
        cleaned = getattr(filterset.form, "cleaned_data", {})
        page = context["page_obj"]
        facets = facet_links(filterset.qs, params, cleaned, preset)
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
            Article.objects.with_listing_relations()
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
        previous_article, next_article = self.neighbours(article)
        context.update(
            related_articles=related_articles(article),
            previous_article=previous_article,
            next_article=next_article,
        )
        return context

    def neighbours(self, article):
        """The published articles printed just before and after `article` in its issue."""
        order = list(
            Article.objects.published()
            .filter(issue_id=article.issue_id)
            .in_page_order()
            .only("pk", "slug", "title", "kicker")
        )
        index = next((i for i, other in enumerate(order) if other.pk == article.pk), None)
        if index is None:  # a previewed draft is not in the printed order
            return None, None
        previous_article = order[index - 1] if index > 0 else None
        next_article = order[index + 1] if index + 1 < len(order) else None
        return previous_article, next_article


class IssueListView(LenientPaginationMixin, ListView):
    """Every issue with published articles, newest first."""

    template_name = "articles/issue_list.html"
    context_object_name = "issues"
    paginate_by = ISSUES_PER_PAGE

    def get_queryset(self):
        published = Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now())
        printed = Article.objects.published().filter(page=OuterRef("pk"))
        issues = (
            with_lead_title(public_issues())
            .annotate(article_count=Count("articles", filter=published))
            .prefetch_related(Prefetch("pages", queryset=Page.objects.filter(Exists(printed))))
        )
        return issues_newest_first(issues)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context.update(
            params=QueryDict(),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        )
        return context


class IssueDetailView(DetailView):
    """An issue's table of contents (版面导航): its pages and their articles, in print order."""

    template_name = "articles/issue_detail.html"
    context_object_name = "issue"

    def get_queryset(self):
        return public_issues()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.object
        articles = Article.objects.published().filter(issue=issue).with_listing_relations().in_page_order()
        older, newer = issue_neighbours(issue)
        context.update(articles=articles, older_issue=older, newer_issue=newer)
        return context


class SubjectArticleListView(ArticleListView):
    """A reporter, organisation or tag page: who or what it is, then the article list with that filter preset."""

    template_name = "articles/subject_detail.html"
    subject_field = ""

    def get(self, request, *args, **kwargs):
        self.subject = self.get_subject()
        self.subject_total = self.subject_articles().count()
        # A subject named only in drafts is not public yet.
        if not self.subject_total:
            raise Http404("没有相关的已发布文章。")
        return super().get(request, *args, **kwargs)

    def get_subject(self):
        raise NotImplementedError

    def subject_articles(self):
        """Every published article about the subject, whatever the other filters."""
        raise NotImplementedError

    def get_preset(self):
        return {self.subject_field: self.subject.slug}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(subject=self.subject, subject_field=self.subject_field, subject_total=self.subject_total)
        return context


class ReporterDetailView(SubjectArticleListView):
    """/reporters/<slug>/: the person, how often they were credited in each role, and their articles."""

    subject_field = "reporter"

    def get_subject(self):
        return get_object_or_404(Reporter, slug=self.kwargs["slug"])

    def subject_articles(self):
        bylines = Byline.objects.filter(article=OuterRef("pk"), reporter=self.subject)
        return Article.objects.published().filter(Exists(bylines))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            Byline.objects.filter(reporter=self.subject, article__in=Article.objects.published().values("pk"))
            .values("role")
            .annotate(article_count=Count("article", distinct=True))
            .order_by()
            .values_list("role", "article_count")
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

    def get_subject(self):
        queryset = Organisation.objects.select_related("parent").prefetch_related("aliases")
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    def subject_articles(self):
        return Article.objects.published().filter(organisations=self.subject)


class TagDetailView(SubjectArticleListView):
    """/tags/<slug>/: the articles with this tag."""

    subject_field = "tag"

    def get_subject(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def subject_articles(self):
        return Article.objects.published().filter(tags=self.subject)


@require_safe
def robots_txt(request):
    """robots.txt: keep crawlers out of the admin and point them at the sitemap."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap_index"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def healthz(request):
    """Liveness for load balancers, touching no database; the benchmark also uses it as the framework's floor."""
    return HttpResponse("ok", content_type="text/plain")
