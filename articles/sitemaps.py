"""Sitemaps of everything readers can reach: published articles, their issues, reporters and organisations."""

from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.db.models import Exists, OuterRef

from .models import Article, Byline, Organisation, Reporter
from .views import public_issues


class ArticleSitemap(GenericSitemap):
    def __init__(self):
        # Built per request (the views instantiate classes), so published() compares with the current time.
        articles = Article.objects.published().only("pk", "slug", "updated_at").order_by("pk")
        super().__init__({"queryset": articles, "date_field": "updated_at"}, priority=0.8, changefreq="never")


class IssueSitemap(Sitemap):
    changefreq = "never"
    priority = 0.5

    def items(self):
        return public_issues().only("pk").order_by("pk")


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
