"""Whole-page cache for anonymous readers, keyed on a content version so any edit invalidates it at once.

The key holds (a) ContentVersion.number, bumped after every committed change to anything a public page
shows, and (b) the newest publication time that has already come, so a scheduled article appears when its
time arrives without anyone saving anything. Both are read in one query per request. The version lives in
the database, not in the cache, so several app servers with a per-process local-memory cache still agree.
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    Article,
    Byline,
    ContentVersion,
    Issue,
    Organisation,
    OrganisationAlias,
    Page,
    Reporter,
    ReporterAlias,
)


def bump_content_version() -> None:
    """Invalidate every cached page once the current transaction commits (at once outside one)."""
    batch = getattr(_local, "batch", None)
    if batch is not None:
        batch.pending = True
        if time.monotonic() - batch.last < batch.interval:
            return  # batched_bumps() bumps once the interval has passed, and once more at its end
        batch.last, batch.pending = time.monotonic(), False
    # One bump per transaction is enough; a rolled-back transaction drops its callback with it.
    if any(entry[1] is _bump_now for entry in connection.run_on_commit):
        return
    transaction.on_commit(_bump_now)


_local = threading.local()


@dataclass
class _Batch:
    interval: float
    last: float = float("-inf")
    pending: bool = False


@contextmanager
def batched_bumps(interval: float):
    """Bump at most once per `interval` seconds in this thread, and once at the end if anything changed since.

    An import commits a page every few hundred milliseconds; bumping on each would empty the cache of every
    page for as long as it runs, while readers gain little from seeing each page the moment it lands.
    """
    outer = getattr(_local, "batch", None)
    batch = _local.batch = _Batch(interval)
    try:
        yield
    finally:
        _local.batch = outer
        if batch.pending:
            bump_content_version()


def _bump_now() -> None:
    ContentVersion.objects.filter(pk=1).update(number=F("number") + 1)


def current_version() -> str:
    """The content version and the newest publication time already reached, in one query."""
    article = connection.ops.quote_name(Article._meta.db_table)
    version = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.number, (SELECT MAX(a.published_at) FROM {article} a "
            f"WHERE a.status = %s AND a.published_at <= %s) FROM {version} v WHERE v.id = 1",
            [Article.Status.PUBLISHED, timezone.now()],
        )
        row = cursor.fetchone()
    if row is None:
        return "none"
    number, latest = row
    return f"{number}:{latest}"


def cache_public_page(view):
    """Serve anonymous GETs from the cache; editors (logged in) always see the live page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
        if not timeout or request.method not in ("GET", "HEAD") or _logged_in(request):
            return view(request, *args, **kwargs)
        # Hashed: a query string may hold any character, and memcached-style keys allow few.
        digest = hashlib.sha256(f"{current_version()}|{request.get_full_path()}".encode()).hexdigest()
        key = f"page:{digest}"
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, response, timeout)
        return response

    return wrapper


def _logged_in(request) -> bool:
    # Only a request with a session cookie can be logged in; checking the cookie first spares a query.
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def _changed(sender, **kwargs):
    bump_content_version()


def connect_signals() -> None:
    """Bump the version on any change a public page could show (bulk writers call bump_content_version)."""
    from taggit.models import Tag, TaggedItem

    for model in (Article, Byline, Issue, Page, Reporter, ReporterAlias, Organisation, OrganisationAlias, Tag):
        post_save.connect(_changed, sender=model, dispatch_uid=f"cache-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"cache-delete-{model._meta.label}")
    post_save.connect(_changed, sender=TaggedItem, dispatch_uid="cache-save-taggeditem")
    post_delete.connect(_changed, sender=TaggedItem, dispatch_uid="cache-delete-taggeditem")
    m2m_changed.connect(_changed, sender=Article.organisations.through, dispatch_uid="cache-article-organisations")
