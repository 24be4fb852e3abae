"""Top-level URLs: the editors' admin, the public site, its sitemaps and robots.txt."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from articles.views import healthz, robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    # An index, so that each section can outgrow the 50,000 URLs one sitemap file may hold.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    path("", include("articles.urls")),
]

# `make run` serves uploaded photos itself; in production the media storage (or a web server) does.
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
