from django.urls import path

from . import api, feeds, views
from .cache import cache_public_page as cached

app_name = "articles"

urlpatterns = [
    path("", cached(views.HomeView.as_view()), name="home"),
    path("articles/", cached(views.ArticleListView.as_view()), name="article_list"),
    path("articles/<int:pk>/<str:slug>/", cached(views.ArticleDetailView.as_view()), name="article_detail"),
    path("issues/", cached(views.IssueListView.as_view()), name="issue_list"),
    path("issues/<int:pk>/", cached(views.IssueDetailView.as_view()), name="issue_detail"),
    path("reporters/<str:slug>/", cached(views.ReporterDetailView.as_view()), name="reporter_detail"),
    path("organisations/<str:slug>/", cached(views.OrganisationDetailView.as_view()), name="organisation_detail"),
    path("tags/<str:slug>/", cached(views.TagDetailView.as_view()), name="tag_detail"),
    path("api/articles/", cached(api.article_list), name="api_article_list"),
    path("api/articles/<int:pk>/", cached(api.article_detail), name="api_article_detail"),
    path("feeds/latest/", cached(feeds.LatestArticlesFeed()), name="feed_latest"),
    path("feeds/latest/atom/", cached(feeds.LatestArticlesAtomFeed()), name="feed_latest_atom"),
    path("feeds/tags/<str:slug>/", cached(feeds.TagFeed()), name="feed_tag"),
    path("feeds/tags/<str:slug>/atom/", cached(feeds.TagAtomFeed()), name="feed_tag_atom"),
    path("feeds/reporters/<str:slug>/", cached(feeds.ReporterFeed()), name="feed_reporter"),
    path("feeds/reporters/<str:slug>/atom/", cached(feeds.ReporterAtomFeed()), name="feed_reporter_atom"),
    path("feeds/organisations/<str:slug>/", cached(feeds.OrganisationFeed()), name="feed_organisation"),
    path("feeds/organisations/<str:slug>/atom/", cached(feeds.OrganisationAtomFeed()), name="feed_organisation_atom"),
]
