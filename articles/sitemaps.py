"""Sitemaps of everything readers can reach: published articles, their issues, reporters and organisations."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q

from .cache import public_issues
from .feeds import issue_datetime, issue_datetime_of
from .models import Article, Byline, Organisation, Reporter


class ArticleSitemap(Sitemap):
    changefreq = "never"
    priority = 0.8

    def items(self):
        # Evaluated per request, so published() compares with the current time.
        return (
            Article.objects.published()
            .select_related("issue")
            .only("pk", "slug", "updated_at", "issue__date")
            .order_by("pk")
        )

    def lastmod(self, article):
        """The printed date when known; the import (or last edit) time only for an undated issue."""
        return issue_datetime(article.issue) or article.updated_at

    def get_latest_lastmod(self):
        # For the index: one aggregate instead of every article's lastmod.
        latest = Article.objects.published().aggregate(
            printed=Max("issue__date"), undated=Max("updated_at", filter=Q(issue__date__isnull=True))
        )
        times = [issue_datetime_of(latest["printed"]), latest["undated"]]
        return max((time for time in times if time is not None), default=None)


class IssueSitemap(Sitemap):
    changefreq = "never"
    priority = 0.5

    def items(self):
        return public_issues().only("pk", "date").order_by("pk")

    def lastmod(self, issue):
        return issue_datetime(issue)

    def get_latest_lastmod(self):
        return issue_datetime_of(public_issues().aggregate(latest=Max("date"))["latest"])


class ReporterSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        credited = Byline.objects.filter(reporter=OuterRef("pk"), article__in=Article.objects.published().values("pk"))
        return Reporter.objects.filter(Exists(credited)).only("slug").order_by("pk")


class OrganisationSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        named = Article.organisations.through.objects.filter(
            organisation=OuterRef("pk"), article__in=Article.objects.published().values("pk")
        )
        return Organisation.objects.filter(Exists(named)).only("slug").order_by("pk")


SITEMAPS = {
    "articles": ArticleSitemap,
    "issues": IssueSitemap,
    "reporters": ReporterSitemap,
    "organisations": OrganisationSitemap,
}
