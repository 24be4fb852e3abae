from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/<str:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("issues/<int:pk>/", views.IssueDetailView.as_view(), name="issue_detail"),
    path("reporters/<str:slug>/", views.ReporterDetailView.as_view(), name="reporter_detail"),
    path("organisations/<str:slug>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
]
