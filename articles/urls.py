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


register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", cached(views.HomeView.as_view()), name="home"),
    path("articles/", cached(views.ArticleListView.as_view()), name="article_list"),
    path("articles/<int:pk>/<uslug:slug>/", cached(views.ArticleDetailView.as_view()), name="article_detail"),
    path("issues/", cached(views.IssueListView.as_view()), name="issue_list"),
    path("issues/<int:pk>/", cached(views.IssueDetailView.as_view()), name="issue_detail"),
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
