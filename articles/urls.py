from django.urls import path, register_converter

from . import api, feeds, views
from .cache import cache_public_page as cached


class UnicodeSlugConverter:
    """Slugs as readable_slug makes them (Chinese kept); anything else, a NUL byte say, never reaches a query."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class FixedDigitsConverter:
    """A zero-padded number of `width` digits: 2023, 03, 01 in /issues/2023/03/01/."""

    width = 2

    @property
    def regex(self):
        return rf"[0-9]{{{self.width}}}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):0{self.width}d}"


class YearConverter(FixedDigitsConverter):
    width = 4


register_converter(UnicodeSlugConverter, "uslug")
register_converter(YearConverter, "yyyy")
register_converter(FixedDigitsConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", cached(views.HomeView.as_view()), name="home"),
    path("articles/", cached(views.ArticleListView.as_view()), name="article_list"),
    path("articles/<int:pk>/<uslug:slug>/", cached(views.ArticleDetailView.as_view()), name="article_detail"),
    path("issues/", cached(views.IssueListView.as_view()), name="issue_list"),
    path("issues/undated/", cached(views.UndatedIssueListView.as_view()), name="issue_list_undated"),
    path("issues/calendar/", views.IssueCalendarView.as_view(), name="issue_calendar"),
    path(
        "issues/calendar/<yyyy:year>/<dd:month>/",
        cached(views.IssueCalendarView.as_view()),
        name="issue_calendar_month",
    ),
    path("issues/<yyyy:year>/<dd:month>/<dd:day>/", cached(views.IssueDetailView.as_view()), name="issue_by_date"),
    path(
        "issues/<yyyy:year>/<dd:month>/<dd:day>/<int:number>/",
        cached(views.PageDetailView.as_view()),
        name="page_by_date",
    ),
    # Undated issues keep their id; the id URL of a dated issue answers 301 to its date.
    path("issues/<int:pk>/", cached(views.IssueDetailView.as_view()), name="issue_detail"),
    path("issues/<int:pk>/<int:number>/", cached(views.PageDetailView.as_view()), name="issue_page"),
    path("issues/pages/<int:page_pk>/", cached(views.PageDetailView.as_view()), name="page_detail"),
    path("reporters/<uslug:slug>/", cached(views.ReporterDetailView.as_view()), name="reporter_detail"),
    path("organisations/<uslug:slug>/", cached(views.OrganisationDetailView.as_view()), name="organisation_detail"),
    path("tags/<uslug:slug>/", cached(views.TagDetailView.as_view()), name="tag_detail"),
    path("api/articles/", cached(api.article_list), name="api_article_list"),
    path("api/articles/<int:pk>/", cached(api.article_detail), name="api_article_detail"),
    path("feeds/latest/", cached(feeds.LatestArticlesFeed()), name="feed_latest"),
    path("feeds/latest/atom/", cached(feeds.LatestArticlesAtomFeed()), name="feed_latest_atom"),
    path("feeds/tags/<uslug:slug>/", cached(feeds.TagFeed()), name="feed_tag"),
    path("feeds/tags/<uslug:slug>/atom/", cached(feeds.TagAtomFeed()), name="feed_tag_atom"),
    path("feeds/reporters/<uslug:slug>/", cached(feeds.ReporterFeed()), name="feed_reporter"),
    path("feeds/reporters/<uslug:slug>/atom/", cached(feeds.ReporterAtomFeed()), name="feed_reporter_atom"),
    path("feeds/organisations/<uslug:slug>/", cached(feeds.OrganisationFeed()), name="feed_organisation"),
    path("feeds/organisations/<uslug:slug>/atom/", cached(feeds.OrganisationAtomFeed()), name="feed_organisation_atom"),
]
