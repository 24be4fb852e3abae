"""Whole-page cache for anonymous readers, invalidated per object: an edit empties only the pages that show it.

Every cached page names the things it shows as version keys (`a:12` an article, `i:3` an issue, `r:`, `o:`, `t:`
a reporter, organisation or tag, `lists` every list, feed and calendar, `all` everything). A change bumps the keys
of what it touched, once its transaction commits; a cached page is served while none of its keys has been bumped
since it was rendered. The versions live in the database (PageVersion), not in the cache, so several app servers
with per-process caches agree. See docs/site.md, "Caching".
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from .models import Article, Byline, Issue, Organisation, OrganisationAlias, Page, PageVersion, Reporter

ALL = "all"
LISTS = "lists"
# A change naming more objects than this (renaming 北京市总工会, named in most articles) empties everything instead.
MAX_KEYS = 2000
# A page is stored only if none of its keys was bumped after its rendering began (it may hold the old content).
# Versions are app-server clock times, so servers' clocks must agree (NTP) to within this margin.
CLOCK_MARGIN_NS = 0
# The version a page holds for a key bumped while it was rendered: never current, so the page counts as stale.
STALE = -1
# How long a request may hold a slot for rendering a stale list (if it fails, the slot frees itself then).
RENDER_CLAIM_SECONDS = 30


def article_key(pk) -> str:
    return f"a:{pk}"


def issue_key(pk) -> str:
    return f"i:{pk}"


def issue_nav_key(pk) -> str:
    """An issue as its neighbours' 上一期/下一期 show it: its existence, date, number and lead story."""
    return f"n:{pk}"


def reporter_key(pk) -> str:
    return f"r:{pk}"


def organisation_key(pk) -> str:
    return f"o:{pk}"


def tag_key(pk) -> str:
    return f"t:{pk}"


def subject_key(field: str, pk) -> str:
    """The key of a reporter, organisation or tag page's subject, by the filter name that presets it."""
    return {"reporter": reporter_key, "organisation": organisation_key, "tag": tag_key}[field](pk)


# --- what a page shows ---------------------------------------------------------------------------------------


def depends_on(request, *keys) -> None:
    """Declare that the page being rendered for `request` shows the things named by `keys`."""
    deps = getattr(request, "_page_deps", None)
    if deps is not None:
        deps.update(keys)


def versions(keys) -> dict[str, int]:
    """The current version of each key (0 for a key never bumped), in one query."""
    keys = list(keys)
    # Asked on every cached request, so the statement is written once and the keys travel as one parameter:
    # compiling key__in through the ORM cost more than the query itself.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One text literal: psycopg's list dumper checks each element of a Python list, on every cached hit.
            cursor.execute(f'SELECT "key", "number" FROM {_TABLE} WHERE "key" = ANY(%s::text[])', [_text_array(keys)])
        else:
            cursor.execute(
                f'SELECT "key", "number" FROM {_TABLE} WHERE "key" IN (SELECT value FROM json_each(%s))',
                [json.dumps(keys)],
            )
        found = dict(cursor.fetchall())
    return {key: found.get(key, 0) for key in keys}


_TABLE = f'"{PageVersion._meta.db_table}"'


def _text_array(values) -> str:
    """A PostgreSQL array literal of `values`, each quoted (https://www.postgresql.org/docs/15/arrays.html#ARRAYS-IO)."""
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def bump_keys(keys) -> None:
    """Mark the things named by `keys` as changed now."""
    keys = sorted(set(keys))
    if not keys:
        return
    if len(keys) > MAX_KEYS:
        keys = [ALL]
    now = time.time_ns()
    # One upsert; sorted keys so that two writers lock the rows in the same order.
    PageVersion.objects.bulk_create(
        [PageVersion(key=key, number=now) for key in keys],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["number"],
    )


# --- what a change touches -----------------------------------------------------------------------------------


@dataclass
class _Changes:
    """What one transaction changed, expanded into version keys when it commits."""

    keys: set = field(default_factory=set)
    articles: set = field(default_factory=set)  # their pages, issues and the people, bodies and tags they name
    pages: set = field(default_factory=set)  # every article on them
    issues: set = field(default_factory=set)  # changed as a whole: also as its neighbours show it, and theirs
    issue_rows: set = field(default_factory=set)  # the Issue row itself (its date): every article in it
    everything: bool = False
    done: bool = False

    def empty(self) -> bool:
        return not (self.keys or self.articles or self.pages or self.issues or self.issue_rows or self.everything)

    def commit(self) -> None:
        self.done = True
        batch = getattr(_local, "batch", None)
        if batch is None:
            bump_keys(self.keys_to_bump())
            return
        # Expanded when the batch is written, in one pass: the pages and issues then hold what this change put
        # there, and what it deleted was recorded as keys while it still existed.
        batch.pending.merge(self)
        if time.monotonic() - batch.last >= batch.interval:
            batch.flush()

    def keys_to_bump(self) -> set[str]:
        return {ALL} if self.everything else self.expand()

    def merge(self, other: _Changes) -> None:
        for name in ("keys", "articles", "pages", "issues", "issue_rows"):
            getattr(self, name).update(getattr(other, name))
        self.everything = self.everything or other.everything

    def expand(self) -> set[str]:
        keys = set(self.keys)
        articles, issues = set(self.articles), self.issues | self.issue_rows
        if self.pages:
            issues.update(Page.objects.filter(pk__in=self.pages).values_list("issue_id", flat=True))
            articles.update(Article.objects.filter(page_id__in=self.pages).values_list("pk", flat=True))
        if self.issue_rows:
            articles.update(Article.objects.filter(issue_id__in=self.issue_rows).values_list("pk", flat=True))
        if len(articles) > MAX_KEYS:
            return {ALL}
        if articles or issues:
            keys.add(LISTS)
        if articles:
            keys.update(keys_of_articles(articles))
            in_issues = Article.objects.filter(pk__in=articles).values_list("issue_id", flat=True).distinct()
            keys.update(issue_key(pk) for pk in in_issues)
        # An issue that appeared, went or changed its lead story: its neighbours' 上一期/下一期 links change.
        for issue in Issue.objects.filter(pk__in=issues):
            keys.update(issue_key(pk) for pk in neighbour_ids(issue))
        keys.update(issue_key(pk) for pk in issues)
        keys.update(issue_nav_key(pk) for pk in issues)
        return keys


def keys_of_articles(ids) -> set[str]:
    """The articles' own keys and those of the people, organisations and tags they name (three queries)."""
    from taggit.models import TaggedItem

    ids = list(ids)
    keys = {article_key(pk) for pk in ids}
    keys.update(
        reporter_key(pk)
        for pk in Byline.objects.filter(article_id__in=ids).values_list("reporter_id", flat=True).distinct()
    )
    through = Article.organisations.through
    keys.update(
        organisation_key(pk)
        for pk in through.objects.filter(article_id__in=ids).values_list("organisation_id", flat=True).distinct()
    )
    keys.update(
        tag_key(pk)
        for pk in TaggedItem.objects.filter(object_id__in=ids, content_type__model="article")
        .values_list("tag_id", flat=True)
        .distinct()
    )
    return keys


def public_issues():
    """Issues with at least one article readers may see."""
    return Issue.objects.filter(Exists(Article.objects.published().filter(issue=OuterRef("pk"))))


def neighbour_filters(issue) -> tuple[Q, Q]:
    """Conditions for issues older and newer than `issue` in the issue list's order (undated issues last)."""
    if issue.date:
        older = Q(date__lt=issue.date) | Q(date=issue.date, pk__lt=issue.pk) | Q(date__isnull=True)
        newer = Q(date__gt=issue.date) | Q(date=issue.date, pk__gt=issue.pk)
    else:
        older = Q(date__isnull=True, pk__lt=issue.pk)
        newer = Q(date__isnull=True, pk__gt=issue.pk) | Q(date__isnull=False)
    return older, newer


def neighbour_ids(issue) -> list[int]:
    """The ids of the public issues just older and just newer than `issue` (two queries)."""
    older, newer = neighbour_filters(issue)
    issues = public_issues().exclude(pk=issue.pk)
    found = [
        issues.filter(older).order_by(F("date").desc(nulls_last=True), "-pk").values_list("pk", flat=True).first(),
        issues.filter(newer).order_by(F("date").asc(nulls_first=True), "pk").values_list("pk", flat=True).first(),
    ]
    return [pk for pk in found if pk is not None]


_local = threading.local()


def _changes() -> _Changes:
    """This transaction's changes; its commit hook is registered once (again after a rollback dropped it)."""
    changes = getattr(_local, "changes", None)
    if changes is None or changes.done:
        changes = _local.changes = _Changes()
    return changes


def _record(**what) -> None:
    changes = _changes()
    for name, values in what.items():
        if name == "everything":
            changes.everything = changes.everything or values
        else:
            getattr(changes, name).update(value for value in values if value is not None)
    # Registered after recording: outside a transaction on_commit runs the hook at once.
    if not any(entry[1] == changes.commit for entry in connection.run_on_commit):
        transaction.on_commit(changes.commit)


def invalidate_articles(ids) -> None:
    """The pages showing these articles change when the current transaction commits (for bulk writers)."""
    _record(articles=ids)


def invalidate_everything() -> None:
    """Every cached page is stale once the current transaction commits (restoring a backup, say)."""
    _record(everything=True)


def bump_content_version() -> None:
    """Invalidate what this transaction changed: what the signals recorded (a saved Page), else everything.

    The importer calls this after saving a page and before bulk-writing its articles: the page's save has been
    recorded, and at commit every article then on the page, its issue and the people, organisations and tags
    they name are bumped; the rest of the site keeps its cache.
    """
    changes = _changes()
    if changes.empty():
        _record(everything=True)


@dataclass
class _Batch:
    interval: float
    last: float = float("-inf")
    pending: _Changes = field(default_factory=_Changes)

    def flush(self) -> None:
        self.last = time.monotonic()
        changes, self.pending = self.pending, _Changes()
        bump_keys(changes.keys_to_bump())


@contextmanager
def batched_bumps(interval: float):
    """Bump at most once per `interval` seconds in this thread, and once at the end if anything changed since.

    An import commits a page every few hundred milliseconds; each commit's keys are gathered and written
    together, so readers see new pages within seconds and the version rows are written a few times a minute.
    """
    outer = getattr(_local, "batch", None)
    batch = _local.batch = _Batch(interval)
    try:
        yield
    finally:
        _local.batch = outer
        if not batch.pending.empty():
            batch.flush()


# --- serving -------------------------------------------------------------------------------------------------


def next_scheduled():
    """When the next scheduled article goes public, or None: no cached page may outlive that moment."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


class PageCacheMiddleware:
    """Answer anonymous readers' GETs from the page cache before the session, CSRF and auth layers run.

    The views wrapped in cache_public_page say which pages are cached and what they show; this stores each such
    response as the middleware below finished it (security headers and all) and serves it while it is fresh.
    Requests with a session cookie (perhaps an editor's) always go through to the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not settings.NEWSROOM_PAGE_CACHE_SECONDS
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        # Hashed: a query string may hold any character, and memcached-style keys allow few.
        key = "page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
        response, claim = _cached(key)
        if response is not None:
            return response
        request._page_cache = pending = _Pending()
        try:
            response = self.get_response(request)
            if pending.entry is not None and response.status_code == 200 and not response.cookies:
                stored, until, started, timeout = pending.entry
                cache.set(key, (stored, until, response, started), timeout)
            return response
        finally:
            if claim is not None:
                cache.delete(claim)


@dataclass
class _Pending:
    """What cache_public_page found out while rendering: (versions, until, render start, timeout), or None."""

    entry: tuple | None = None


def _cached(key: str):
    """(the cached response if it may be served, None) or (None, the list-render slot claimed for rendering it)."""
    entry = cache.get(key)
    if entry is None:
        return None, None
    stored_versions, until, response, rendered_ns = entry
    if until is not None and timezone.now() >= until:
        return None, None
    current = versions(stored_versions)
    if current == stored_versions:
        return response, None
    if _only_new_articles(stored_versions, current):
        if _young(rendered_ns):
            return response, None
        claim = _claim_list_render()
        if claim is None:
            return response, None
        return None, claim
    return None, None


def cache_public_page(view):
    """Mark a view's pages as cached for anonymous readers (PageCacheMiddleware); editors always see the live page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if _logged_in(request):
            response = view(request, *args, **kwargs)
            # An editor's page may be a preview; no cache on the way may keep it.
            patch_cache_control(response, private=True, no_store=True)
            return response
        pending = getattr(request, "_page_cache", None)
        if pending is None:  # the page cache is off, or a session cookie came with the request
            return _public(view(request, *args, **kwargs))
        return _render(view, request, pending, args, kwargs)

    return wrapper


def _only_new_articles(stored: dict, current: dict) -> bool:
    """Only LISTS moved: articles were added to or published in the lists; nothing the page shows changed."""
    return all(current[key] == number for key, number in stored.items() if key != LISTS)


def _young(rendered_ns: int) -> bool:
    """Whether a list may still be served without the articles added since it was rendered.

    During an import the lists change every few seconds; readers see new articles within
    NEWSROOM_LIST_REFRESH_SECONDS instead of every reader's request rendering the lists again (docs/site.md).
    """
    return time.time_ns() - rendered_ns < settings.NEWSROOM_LIST_REFRESH_SECONDS * 1_000_000_000


def _claim_list_render() -> str | None:
    """Claim one of the NEWSROOM_LIST_RENDERS slots for re-rendering a stale list, or None if all are taken.

    While the slots are taken, readers of other stale lists get the last ones: however many lists go stale at
    once (an import adds articles to all of them), they take that many workers at most, and the rest keep serving.
    """
    for slot in range(max(1, settings.NEWSROOM_LIST_RENDERS)):
        claim = f"render-list:{slot}"
        # cache.add is atomic on every backend, and shared by every server with a shared cache (CACHE_URL).
        if cache.add(claim, 1, RENDER_CLAIM_SECONDS):
            return claim
    return None


def _render(view, request, pending: _Pending, args, kwargs):
    started = time.time_ns()
    request._page_deps = set()
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    response = _public(response)
    if response.status_code == 200 and not response.streaming and not response.cookies:
        keys = {ALL} | (request._page_deps or {LISTS})
        # A key bumped while (or just before) the page was rendered: the page may show the old content, so it is
        # stored as already stale on that key (a version no change ever has).
        stored = {
            key: (number if number <= started - CLOCK_MARGIN_NS else STALE) for key, number in versions(keys).items()
        }
        timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
        until = next_scheduled()
        if until is not None:
            timeout = max(1, min(timeout, int((until - timezone.now()).total_seconds()) + 1))
        set_response_etag(response)
        response.headers["Last-Modified"] = http_date(started / 1e9)
        pending.entry = (stored, until, started, timeout)
    return response


def _public(response):
    """Headers that let browsers and shared caches keep an anonymous reader's page for a short while."""
    if response.status_code == 200 and "Cache-Control" not in response.headers:
        patch_cache_control(response, public=True, max_age=settings.NEWSROOM_HTTP_CACHE_SECONDS)
        # Logged-in editors may see another page at the same address (a preview); they send a session cookie.
        patch_vary_headers(response, ["Cookie"])
    return response


def _logged_in(request) -> bool:
    # Only a request with a session cookie can be logged in; checking the cookie first spares a query.
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


# --- signals -------------------------------------------------------------------------------------------------


# The fields that decide whether an article is in its issue and whether it leads it (the neighbours show the lead).
PLACE_FIELDS = ("issue_id", "page_id", "position", "status", "published_at", "title")


def _article_saving(sender, instance, raw=False, **kwargs):
    if instance.pk is None or instance._state.adding or raw:
        return
    old = Article.objects.filter(pk=instance.pk).values_list(*PLACE_FIELDS).first()
    if old is not None and old != tuple(getattr(instance, name) for name in PLACE_FIELDS):
        # Moved, published, withdrawn or retitled: its issue (and an issue it left) changes as a whole.
        _record(issues=[old[0], instance.issue_id])


def _article_changed(sender, instance, created=True, **kwargs):
    # A new or deleted article changes its issue as a whole; an edit in place only the pages showing it.
    _record(articles=[instance.pk], issues=[instance.issue_id] if created else [])


def _article_deleting(sender, instance, **kwargs):
    # Its links go by cascade, some without signals: the things it named are bumped now, while they are known.
    _record(keys=keys_of_articles([instance.pk]), issues=[instance.issue_id])


def _byline_changed(sender, instance, **kwargs):
    _record(articles=[instance.article_id], keys=[reporter_key(instance.reporter_id)])


def _tagged_item_changed(sender, instance, **kwargs):
    if instance.content_type.model == "article":
        _record(articles=[instance.object_id], keys=[tag_key(instance.tag_id)])


def _organisations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if isinstance(instance, Article):
        if action == "pre_clear":
            ids = Article.organisations.through.objects.filter(article=instance).values_list("organisation_id")
            _record(keys=[organisation_key(pk) for (pk,) in ids])
        elif action in {"post_add", "post_remove", "post_clear"}:
            _record(articles=[instance.pk], keys=[organisation_key(pk) for pk in pk_set or ()])
    elif action == "pre_clear":
        _record(articles=instance.articles.values_list("pk", flat=True), keys=[organisation_key(instance.pk)])
    elif action in {"post_add", "post_remove"}:
        _record(articles=pk_set or (), keys=[organisation_key(instance.pk)])


def _subject_changed(key, article_ids):
    ids = list(article_ids[: MAX_KEYS + 1])
    if len(ids) > MAX_KEYS:
        _record(everything=True)
    else:
        _record(keys=[key, LISTS], articles=ids)


def _reporter_changed(sender, instance, **kwargs):
    ids = Byline.objects.filter(reporter_id=instance.pk).values_list("article_id", flat=True).distinct()
    _subject_changed(reporter_key(instance.pk), ids)


def _organisation_changed(sender, instance, **kwargs):
    ids = Article.organisations.through.objects.filter(organisation_id=instance.pk).values_list("article_id", flat=True)
    _subject_changed(organisation_key(instance.pk), ids)


def _alias_changed(sender, instance, **kwargs):
    _record(keys=[organisation_key(instance.organisation_id)])


def _tag_changed(sender, instance, **kwargs):
    from taggit.models import TaggedItem

    ids = TaggedItem.objects.filter(tag_id=instance.pk, content_type__model="article").values_list(
        "object_id", flat=True
    )
    _subject_changed(tag_key(instance.pk), ids)


def _page_changed(sender, instance, **kwargs):
    _record(pages=[instance.pk], issues=[instance.issue_id])


def _page_saving(sender, instance, raw=False, **kwargs):
    if instance.pk is None or instance._state.adding or raw:
        return
    # A page imported again may drop people, organisations or tags: what it names now is bumped too.
    ids = Article.objects.filter(page_id=instance.pk).values_list("pk", flat=True)
    _record(keys=keys_of_articles(ids))


def _issue_changed(sender, instance, **kwargs):
    # Its date and number show on every article in it, and in the lists naming them.
    _record(issue_rows=[instance.pk], keys=[issue_key(instance.pk), issue_nav_key(instance.pk)])


def connect_signals() -> None:
    """Record every change a public page could show (bulk writers call invalidate_articles or bump_content_version)."""
    from taggit.models import Tag, TaggedItem

    def connect(signal, receiver, model, name):
        signal.connect(receiver, sender=model, dispatch_uid=f"page-cache-{name}-{model._meta.label}")

    connect(pre_save, _article_saving, Article, "saving")
    connect(pre_delete, _article_deleting, Article, "deleting")
    connect(pre_save, _page_saving, Page, "saving")
    for model, receiver in (
        (Article, _article_changed),
        (Byline, _byline_changed),
        (TaggedItem, _tagged_item_changed),
        (Page, _page_changed),
        (Issue, _issue_changed),
        (OrganisationAlias, _alias_changed),
    ):
        connect(post_save, receiver, model, "save")
        connect(post_delete, receiver, model, "delete")
    for model, receiver in ((Reporter, _reporter_changed), (Organisation, _organisation_changed), (Tag, _tag_changed)):
        # Before a delete, while the links that say which articles name it still exist.
        connect(post_save, receiver, model, "save")
        connect(pre_delete, receiver, model, "delete")
    m2m_changed.connect(
        _organisations_changed, sender=Article.organisations.through, dispatch_uid="page-cache-article-organisations"
    )
