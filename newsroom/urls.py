"""Top-level URLs: the editors' admin, the public site, its sitemaps and robots.txt."""

import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve as static_serve

from articles.sitemaps import SITEMAPS
from articles.views import favicon, healthz, robots_txt

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
    path("favicon.ico", favicon, name="favicon"),
    path("", include("articles.urls")),
]


def serve_media(request, path):
    """Uploaded files from MEDIA_ROOT as it is now (tests move it per test)."""
    return static_serve(request, path, document_root=settings.MEDIA_ROOT)


# `make run` (debug) and the browser tests serve uploaded photos themselves; in production the media storage
# (object storage, or a web server in front of MEDIA_ROOT) does.
if settings.DEBUG or settings.NEWSROOM_SERVE_MEDIA:
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serve_media)]
