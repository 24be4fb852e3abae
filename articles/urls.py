from django.urls import path

from . import api, feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path("articles/<int:pk>/<str:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("issues/", views.IssueListView.as_view(), name="issue_list"),
    path("issues/<int:pk>/", views.IssueDetailView.as_view(), name="issue_detail"),
    path("reporters/<str:slug>/", views.ReporterDetailView.as_view(), name="reporter_detail"),
    path("organisations/<str:slug>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("api/articles/", api.article_list, name="api_article_list"),
    path("api/articles/<int:pk>/", api.article_detail, name="api_article_detail"),
    path("feeds/latest/", feeds.LatestArticlesFeed(), name="feed_latest"),
    path("feeds/latest/atom/", feeds.LatestArticlesAtomFeed(), name="feed_latest_atom"),
    path("feeds/tags/<str:slug>/", feeds.TagFeed(), name="feed_tag"),
    path("feeds/tags/<str:slug>/atom/", feeds.TagAtomFeed(), name="feed_tag_atom"),
    path("feeds/reporters/<str:slug>/", feeds.ReporterFeed(), name="feed_reporter"),
    path("feeds/reporters/<str:slug>/atom/", feeds.ReporterAtomFeed(), name="feed_reporter_atom"),
    path("feeds/organisations/<str:slug>/", feeds.OrganisationFeed(), name="feed_organisation"),
    path("feeds/organisations/<str:slug>/atom/", feeds.OrganisationAtomFeed(), name="feed_organisation_atom"),
]
