"""Public views; every one reads Article.objects.published()."""

from django.shortcuts import redirect
from django.views.generic import DetailView, ListView

from .models import Article, Issue, Organisation, Reporter


class HomeView(ListView):
    template_name = "articles/home.html"

    def get_queryset(self):
        return Article.objects.published().with_listing_relations()[:20]


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return Article.objects.published().with_listing_relations()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if kwargs["slug"] != self.object.slug:
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))


class IssueDetailView(DetailView):
    model = Issue
    template_name = "articles/issue_detail.html"


class ReporterDetailView(DetailView):
    model = Reporter
    template_name = "articles/reporter_detail.html"


class OrganisationDetailView(DetailView):
    model = Organisation
    template_name = "articles/organisation_detail.html"
