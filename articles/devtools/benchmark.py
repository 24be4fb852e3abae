"""Archive-scale benchmark: import, search and page throughput, each measured beside its floor in one run.

Ratios, not absolute times, are the figures to read: shared machines drift, a ratio taken in one run does not.
See docs/benchmarks.md for the targets and the results.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone

from newsroom.settings import base as production_settings

from .. import search
from ..filters import ArticleFilter
from ..models import Article, Issue, Reporter
from .generator import generate_archive

QUERIES_FILE = Path(__file__).resolve().parent.parent / "data" / "bench_queries.txt"
FIRST_PAGE = 20
MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

# jieba alone on the same text: the floor under any importer that segments. It loads the same user dictionary
# the parser loads, then cuts each page's whole text once; only the cutting is timed.
JIEBA_ONLY = r"""
import json, sys, time
from pathlib import Path
import jieba
from articles import parsing
parsing.segment("预热")
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix == ".txt")
spent = 0.0
chars = 0
for path in files:
    text = path.read_text(encoding="utf-8")
    chars += len(text)
    start = time.perf_counter()
    jieba.lcut(text)
    spent += time.perf_counter() - start
print(json.dumps({"seconds": spent, "chars": chars, "files": len(files)}))
"""


# What the benchmark measures after the import; `--only` picks some of them.
SECTIONS = ("search", "pages", "admin")


@dataclass
class BenchmarkOptions:
    articles: int
    seed: int = 1
    archive: Path | None = None
    workers: int = 0  # 0: one per core
    page_seconds: int = 10
    connections: int = 8
    skip_import: bool = False
    uncached_renders: int = 40  # per page kind, cycling through its sample URLs
    admin_rename: bool = False
    admin_renders: int = 20  # per changelist variant, for admin.changelist_p95_ms
    sections: tuple[str, ...] = SECTIONS


def load_queries() -> list[str]:
    lines = QUERIES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def machine() -> str:
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return (
        f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores{memory}, "
        f"Python {platform.python_version()}, {connection.vendor} {_database_version()}"
    )


def _database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The page figures depend on how much of the tables PostgreSQL keeps in its own buffers.
            cursor.execute(
                "SELECT current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers')"
            )
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- the archive and the database ------------------------------------------------------------------------------


def ensure_archive(options: BenchmarkOptions, log: Callable[[str], None]) -> Path:
    folder = options.archive or Path(tempfile.gettempdir()) / f"newsroom-bench-{options.articles}-{options.seed}"
    marker = folder / ".complete"
    if marker.exists():
        log(f"archive: reusing {folder}")
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    report = generate_archive(articles=options.articles, seed=options.seed, out=folder)
    marker.write_text(json.dumps({"articles": report.articles, "files": report.files}))
    log(f"archive: {report.files} files, {report.articles} articles, {report.bytes / 2**20:.0f} MiB in {folder}")
    return folder


def empty_archive_tables() -> None:
    """Remove every imported row so the import is timed into an empty database (users and groups stay)."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag, TaggedItem

    from ..models import Byline, Organisation, OrganisationAlias, Page, ReporterAlias, SubjectListing

    if connection.vendor == "postgresql":
        tables = [
            model._meta.db_table
            # TRUNCATE fires no DELETE trigger: the subject listing goes with the rows it lists.
            for model in (Byline, Article.organisations.through, TaggedItem, SubjectListing, Article, Page, Issue)
            + (ReporterAlias, Reporter, OrganisationAlias, Organisation, Tag)
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article)).delete()
        for model in (Byline, Article, Page, Issue, ReporterAlias, Reporter, OrganisationAlias, Tag):
            model.objects.all().delete()
        Organisation.objects.update(parent=None)
        Organisation.objects.all().delete()
        search.rebuild_search_index()
    connection.close()


def _child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", "newsroom.settings.base"))
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    return env


def run_measured(command: list[str], *, env: dict | None = None) -> tuple[float, float, str]:
    """Run a child process; return its wall seconds, its own peak RSS in MiB and its standard output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env or _child_env(), cwd=settings.BASE_DIR)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode not in (0,):
        raise RuntimeError(f"{' '.join(command[1:3])} exited {process.returncode}: {(stdout + stderr)[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout


def measure_import(folder: Path, options: BenchmarkOptions, log) -> dict:
    workers = options.workers or os.cpu_count() or 1
    _, _, out = run_measured([sys.executable, "-c", JIEBA_ONLY, str(folder)])
    jieba_only = json.loads(out.strip().splitlines()[-1])
    log(f"jieba alone: {jieba_only['seconds']:.1f} s for {jieba_only['chars']:,} characters")
    empty_archive_tables()
    seconds, rss, out = run_measured([*MANAGE, "import_seeds", "--no-revisions", str(folder)])
    articles = Article.objects.count()
    log(f"import: {articles} articles in {seconds:.1f} s, peak RSS {rss:.0f} MiB")
    empty_archive_tables()
    parallel_seconds, parallel_rss, _ = run_measured(
        [*MANAGE, "import_seeds", "--no-revisions", "--workers", str(workers), str(folder)]
    )
    log(f"import --workers {workers}: {parallel_seconds:.1f} s, peak RSS {parallel_rss:.0f} MiB")
    return {
        "seconds": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 1) if seconds else 0.0,
        "jieba_only_seconds": round(jieba_only["seconds"], 2),
        "ratio_vs_jieba": round(seconds / jieba_only["seconds"], 3),
        "parallel_seconds": round(parallel_seconds, 2),
        "parallel_ratio_vs_jieba": round(parallel_seconds / jieba_only["seconds"], 3),
        "peak_rss_mb": round(max(rss, parallel_rss), 1),
        "workers": workers,
    }


# --- search ----------------------------------------------------------------------------------------------------


def ranked_first_page(query: str) -> tuple[list[int], int]:
    """What /articles/?q= shows: the best first page and the count, through the same FilterSet."""
    filterset = ArticleFilter({"q": query}, queryset=Article.objects.published())
    rows = filterset.qs
    return list(rows.values_list("pk", flat=True)[:FIRST_PAGE]), search.count_matches(rows).total


def icontains_first_page(query: str) -> tuple[list[int], int]:
    """The scan a Django developer would write first: every word somewhere in title or body."""
    rows = Article.objects.published()
    for word in query.replace('"', " ").split():
        rows = rows.filter(Q(title__icontains=word) | Q(body__icontains=word))
    rows = rows.order_by("-published_at")
    return list(rows.values_list("pk", flat=True)[:FIRST_PAGE]), rows.count()


def trigram_first_page(query: str) -> tuple[list[int], int]:
    """pg_trgm word similarity on the title, the other stock PostgreSQL answer."""
    from django.contrib.postgres.search import TrigramWordSimilarity

    text = query.replace('"', " ")
    rows = (
        Article.objects.published()
        .annotate(similarity=TrigramWordSimilarity(text, "title"))
        .filter(similarity__gt=0.3)
        .order_by("-similarity")
    )
    return list(rows.values_list("pk", flat=True)[:FIRST_PAGE]), rows.count()


def _time_each(function, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        start = time.perf_counter()
        function(query)
        timings.append(time.perf_counter() - start)
    return timings


def exact_first_page(query: str) -> list[int]:
    """The same match with every hit ranked in one ORDER BY, no shortcut: the reference for the first page."""
    rows = search.search_articles(Article.objects.published(), query)
    rows = rows.order_by("-search_rank", *search.query.newest_first())
    return list(rows.values_list("pk", flat=True)[:FIRST_PAGE])


def title_hits(query: str, ids: list[int]) -> int:
    """How many of these articles hold every word (and phrase) of the query in their headline."""
    parsed = search.parse_query(query)
    parts = [*parsed.terms, *("".join(phrase) for phrase in parsed.phrases)]
    titles = Article.objects.filter(pk__in=ids).values_list("title", flat=True)
    folded = [unicodedata.normalize("NFKC", title).lower() for title in titles]
    return sum(1 for title in folded if parts and all(part in title for part in parts))


class TantivyPeer:
    """A dedicated engine beside the project: tantivy (BM25, block-max WAND) over the same segmented text
    (search_document: headline, labels and names, text), the headline boosted 3x, the same words and phrases."""

    TITLE_BOOST = 3.0

    def __init__(self, folder: Path):
        import tantivy

        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
        for name in ("title", "meta", "body"):
            builder.add_text_field(name, stored=False)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(folder))
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        documents = Article.objects.published().order_by().values_list("pk", "search_document")
        self.size = 0
        for pk, text in documents.iterator(chunk_size=2000):
            document = tantivy.Document()
            document.add_unsigned("id", pk)
            for name, line in zip(("title", "meta", "body"), (text or "").split("\n"), strict=False):
                document.add_text(name, line)
            writer.add_document(document)
            self.size += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _part(self, words: list[str]):
        tantivy = self.tantivy
        alternatives = []
        for name in ("title", "meta", "body"):
            if len(words) == 1:
                query = tantivy.Query.term_query(self.schema, name, words[0])
            else:
                query = tantivy.Query.phrase_query(self.schema, name, words)
            if name == "title":
                query = tantivy.Query.boost_query(query, self.TITLE_BOOST)
            alternatives.append((tantivy.Occur.Should, query))
        return tantivy.Query.boolean_query(alternatives)

    def first_page(self, query: str) -> tuple[list[int], int]:
        """The best FIRST_PAGE ids and the count, as the project's first page."""
        parsed = search.parse_query(query)
        parts = [[term] for term in parsed.terms] + [list(phrase) for phrase in parsed.phrases]
        if not parts:
            return [], 0
        tantivy = self.tantivy
        combined = tantivy.Query.boolean_query([(tantivy.Occur.Must, self._part(words)) for words in parts])
        found = self.searcher.search(combined, FIRST_PAGE, count=True)
        return [self.searcher.doc(address)["id"][0] for _, address in found.hits], found.count


def measure_peer(queries: list[str], log) -> tuple[dict, list[float]]:
    """Index the published articles in tantivy and time the same queries (skipped, and said so, without it)."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        log("search peer: skipped, tantivy is not installed (pip install -r requirements.txt)")
        return {}, []
    with tempfile.TemporaryDirectory(prefix="newsroom-tantivy-") as folder:
        start = time.perf_counter()
        peer = TantivyPeer(Path(folder))
        built = time.perf_counter() - start
        for query in queries:
            peer.first_page(query)
        timings = _time_each(peer.first_page, queries)
        hits = sum(title_hits(query, peer.first_page(query)[0]) for query in queries)
    log(f"search peer: tantivy indexed {peer.size} articles in {built:.1f} s")
    return {"peer_index_seconds": round(built, 1), "peer_title_hits_top20": hits}, timings


def measure_search(log) -> dict:
    queries = load_queries()
    for query in queries:  # warm caches (user terms, buffers) once, as a running site would be
        ranked_first_page(query)
    ranked = _time_each(ranked_first_page, queries)
    scanned = _time_each(icontains_first_page, queries)
    result = {
        "queries": len(queries),
        "p50_ms": _ms(statistics.median(ranked)),
        "p95_ms": _ms(_percentile(ranked, 0.95)),
        "icontains_p50_ms": _ms(statistics.median(scanned)),
        "icontains_p95_ms": _ms(_percentile(scanned, 0.95)),
        "trgm_p50_ms": None,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        result["trgm_p50_ms"] = _ms(statistics.median(_time_each(trigram_first_page, queries)))
    result["speedup_vs_icontains_p50"] = round(result["icontains_p50_ms"] / max(result["p50_ms"], 0.001), 1)
    slowest = max(zip(ranked, queries, strict=True))
    log(f"search: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms (slowest {slowest[1]!r} {_ms(slowest[0])} ms)")
    result.update(measure_relevance(queries, log))
    peer, peer_timings = measure_peer(queries, log)
    result.update(peer)
    if peer_timings:
        result["peer_p50_ms"] = _ms(statistics.median(peer_timings))
        result["peer_p95_ms"] = _ms(_percentile(peer_timings, 0.95))
        result["p50_vs_peer"] = round(result["p50_ms"] / max(result["peer_p50_ms"], 0.001), 1)
        result["p95_vs_peer"] = round(result["p95_ms"] / max(result["peer_p95_ms"], 0.001), 1)
        log(f"search peer: p50 {result['peer_p50_ms']} ms, p95 {result['peer_p95_ms']} ms")
    return result


def measure_relevance(queries: list[str], log) -> dict:
    """Title hits in the first page: the project's, and every hit ranked in one ORDER BY (timed once each)."""
    project = sum(title_hits(query, ranked_first_page(query)[0]) for query in queries)
    exact_timings, exact = [], 0
    for query in queries:
        start = time.perf_counter()
        ids = exact_first_page(query)
        exact_timings.append(time.perf_counter() - start)
        exact += title_hits(query, ids)
    log(f"search: headline hits in the first pages {project}, ranking every hit in one ORDER BY {exact}")
    return {
        "title_hits_top20": project,
        "title_hits_top20_exact": exact,
        "exact_p50_ms": _ms(statistics.median(exact_timings)),
        "exact_p95_ms": _ms(_percentile(exact_timings, 0.95)),
    }


# --- pages -----------------------------------------------------------------------------------------------------


def sample_urls() -> dict[str, str]:
    article = Article.objects.published().order_by("-published_at", "-pk").first()
    issue = Issue.objects.filter(articles__in=Article.objects.published()).order_by("-date").first()
    reporter = Reporter.objects.filter(bylines__article__in=Article.objects.published()).first()
    if article is None or issue is None or reporter is None:
        raise RuntimeError("the database holds no published article: import an archive first")
    return {
        "hello": "/healthz",
        "home": "/",
        "detail": article.get_absolute_url(),
        "list": "/articles/",
        "search": "/articles/?q=" + urllib.parse.quote("劳模"),
        "issue": issue.get_absolute_url(),
        "reporter": reporter.get_absolute_url(),
    }


UNCACHED_KINDS = (
    "home",
    "list",
    "search",
    "article",
    "issue",
    "page",
    "calendar",
    "reporter",
    "organisation",
    "tag",
    "feed",
)


def uncached_urls(limit: int = 10) -> dict[str, list[str]]:
    """Up to `limit` URLs of each public page kind, drawn from the 200 published articles imported last (by id)."""
    from taggit.models import TaggedItem

    from ..models import Byline, Organisation

    newest = list(Article.objects.published().select_related("issue", "page").order_by("-pk")[:200])
    if not newest:
        raise RuntimeError("the database holds no published article: import an archive first")
    ids = [article.pk for article in newest]

    def first(values):
        return list(dict.fromkeys(values))[:limit]

    reporters = Reporter.objects.filter(pk__in=Byline.objects.filter(article_id__in=ids).values("reporter_id"))
    organisations = Organisation.objects.filter(
        pk__in=Article.organisations.through.objects.filter(article_id__in=ids).values("organisation_id")
    )
    tags = TaggedItem.objects.filter(object_id__in=ids, content_type__model="article").select_related("tag")
    months = [article.issue.date for article in newest if article.issue.date]
    return {
        "home": ["/"],
        "list": ["/articles/", "/articles/?page=2", "/articles/?kind=photo", "/articles/?sort=oldest"],
        "search": ["/articles/?q=" + urllib.parse.quote(query) for query in load_queries()[:limit]],
        "article": first(article.get_absolute_url() for article in newest),
        "issue": first(article.issue.get_absolute_url() for article in newest),
        "page": first(article.page.url_in(article.issue) for article in newest if article.page_id),
        "calendar": first(f"/issues/calendar/{day.year}/{day.month:02d}/" for day in months) or ["/issues/calendar/"],
        "reporter": first(reporter.get_absolute_url() for reporter in reporters[:limit]),
        "organisation": first(organisation.get_absolute_url() for organisation in organisations[:limit]),
        "tag": first(f"/tags/{item.tag.slug}/" for item in tags[: limit * 10]),
        "feed": ["/feeds/latest/", "/feeds/latest/atom/"]
        + first(f"/feeds/reporters/{reporter.slug}/" for reporter in reporters[:limit]),
    }


def measure_uncached(renders: int, log) -> dict:
    """p95 of uncached renders per page kind (page cache off, Django test client in this process), in ms."""
    from newsroom.process import prepare_web_process

    prepare_web_process()  # as newsroom.wsgi readies each server process
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip("."))
    kinds = uncached_urls()
    p95 = {}
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0):
        for kind in UNCACHED_KINDS:
            urls = kinds[kind]
            if not urls:
                raise RuntimeError(f"no {kind} page to measure")
            for url in urls:  # the first request warms per-process caches
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
            times = []
            for n in range(renders):
                started = time.perf_counter()
                client.get(urls[n % len(urls)])
                times.append(time.perf_counter() - started)
            p95[kind] = _ms(_percentile(times, 0.95))
            log(f"pages: {kind} uncached p95 {p95[kind]} ms over {renders} renders of {len(urls)} URLs")
        counting = {kind: _ms(_percentile(_counting_facets(client, kinds[kind], renders), 0.95)) for kind in SUBJECTS}
        log(f"pages: subject pages counting their facets, p95 {counting} ms")
    return {
        "uncached_p95_ms": p95,
        "uncached_p95_ms_max": max(p95.values()),
        "uncached_p95_ms_counting_facets": counting,
    }


# The page kinds that keep their facets between renders (articles/subject_facets.py).
SUBJECTS = ("reporter", "organisation", "tag")


def _counting_facets(client, urls, renders) -> list[float]:
    """Render times of subject pages whose kept facets are gone, as after an import that named every subject."""
    from ..models import SubjectFacets

    times = []
    for n in range(renders):
        SubjectFacets.objects.all().delete()  # derived rows: the next render of each subject keeps them again
        started = time.perf_counter()
        client.get(urls[n % len(urls)])
        times.append(time.perf_counter() - started)
    return times


def measure_queries_per_page(urls: dict[str, str]) -> dict[str, int]:
    """SQL queries of each page as rendered, not as served from the page cache (one query when cached)."""
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip("."))
    counts = {}
    for name in ("home", "list", "search", "detail", "issue", "reporter"):
        client.get(urls[name])  # the first request warms per-process caches
        # Every query on this connection, where it is counted: none handed to articles.background's thread.
        with (
            override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0, NEWSROOM_BACKGROUND_QUERIES=False),
            CaptureQueriesContext(connection) as captured,
        ):
            response = client.get(urls[name])
        if response.status_code != 200:
            raise RuntimeError(f"{urls[name]} answered {response.status_code}")
        counts[name] = len(captured.captured_queries)
    return counts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


def measure_pages(urls: dict[str, str], options: BenchmarkOptions, log) -> dict:
    """Serve with gunicorn (2 workers) and load each URL from wrk on loopback, the "ok" view first."""
    if not shutil.which("wrk"):
        log("pages: skipped, wrk is not installed (apt-get install wrk)")
        return {}
    rates = {}
    with gunicorn_server(workers=2) as base:
        for name in ("hello", "detail", "list", "search", "issue"):
            url = base + urls[name]
            try:
                urllib.request.urlopen(url, timeout=30).read()  # warm the workers
            except urllib.error.HTTPError as error:
                raise RuntimeError(f"{url} answered {error.code} under gunicorn") from None
            output = subprocess.run(
                ["wrk", "-t1", f"-c{options.connections}", f"-d{options.page_seconds}s", "--timeout", "10s", url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            match = re.search(r"Requests/sec:\s+([\d.]+)", output)
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
            if errors:
                raise RuntimeError(f"{url}: {errors.group(1)} error responses under load")
            rates[name] = float(match.group(1)) if match else 0.0
            log(f"pages: {name} {rates[name]:.0f} requests/s")
    hello = rates["hello"] or 1.0
    return {
        "hello_rps": rates["hello"],
        "detail_rps": rates["detail"],
        "list_rps": rates["list"],
        "search_rps": rates["search"],
        "issue_rps": rates["issue"],
        "detail_vs_hello": round(rates["detail"] / hello, 3),
        "list_vs_hello": round(rates["list"] / hello, 3),
        "search_vs_hello": round(rates["search"] / hello, 3),
    }


def collect_static(log) -> None:
    """Collect static files when the pages need a manifest of them (debug off): a missing or stale one crashes."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.management import call_command

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    log(f"static files: collecting into {settings.STATIC_ROOT} (pages with debug off need their manifest)")
    call_command("collectstatic", interactive=False, verbosity=0)


# --- the whole run ---------------------------------------------------------------------------------------------


def _change_form_data(response) -> dict:
    """The POST body of an admin change form exactly as rendered: main form, then every inline's forms."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for form in formset.forms:
            add(form)
    return data


def measure_admin_rename(log) -> dict:
    """Rename the most-named organisation through the admin; time the request, then the index catching up."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from ..models import Organisation

    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        raise RuntimeError("--admin-rename needs the database task backend (DJANGO_TASKS_BACKEND=database)")
    organisation = Organisation.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    if organisation is None or not organisation.n:
        raise RuntimeError("no organisation is named by any article: import an archive first")
    client = _admin_client()
    url = f"/admin/articles/organisation/{organisation.pk}/change/"
    old_name, new_name = organisation.name, organisation.name + "（改名测试）"
    log(f"admin rename: {old_name} ({organisation.n} articles)")
    worker = subprocess.Popen(
        [*MANAGE, "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        env=_child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        timings = {}
        for label, name in (("rename", new_name), ("rename_back", old_name)):
            # The test environment records the rendered context, where the form's current values are read.
            setup_test_environment()
            try:
                data = _change_form_data(client.get(url))
            finally:
                teardown_test_environment()
            data["name"] = name
            since = timezone.now()
            start = time.perf_counter()
            response = client.post(url, data)
            request_seconds = time.perf_counter() - start
            if response.status_code != 302:
                raise RuntimeError(f"the admin refused the rename ({response.status_code})")
            # Caught up when every queued task has run and the search finds the new name in every article.
            queued = DBTaskResult.objects.filter(enqueued_at__gte=since)
            if not queued.exists():
                raise RuntimeError("the rename queued no task")
            while queued.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
                if worker.poll() is not None:
                    raise RuntimeError("the task worker stopped")
                time.sleep(0.05)
            caught_up = time.perf_counter() - start
            if queued.filter(status="FAILED").exists():
                raise RuntimeError("a reindex task failed")
            timings[label] = (request_seconds, caught_up)
            if label == "rename":
                # Proof that the index caught up: the new name, in no article's text, finds the linked articles.
                found_new = search.search_articles(Article.objects.all(), new_name).count()
    finally:
        worker.terminate()
        worker.wait(30)
    request_seconds, caught_up = timings["rename"]
    return {
        "organisation_articles": organisation.n,
        "rename_request_ms": _ms(request_seconds),
        "rename_reindex_s": round(caught_up, 2),
        "found_by_new_name": found_new,
    }


def _admin_client():
    """A test client logged in as a superuser made for the benchmark."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="benchmark-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip("."))
    client.force_login(user)
    return client


def changelist_urls() -> dict[str, str]:
    """The article changelist as editors open it: plain, paged far, filtered by each sidebar filter, searched."""
    from django.db.models import Count
    from taggit.models import Tag

    from ..models import Byline, Organisation

    base = "/admin/articles/article/"
    organisation = Organisation.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    reporter = Reporter.objects.filter(pk=Byline.objects.values("reporter_id")[:1]).first()
    tag = Tag.objects.order_by("pk").first()
    urls = {
        "plain": base,
        # far into the list: page 100, or the last page of a smaller archive
        "page_far": base + f"?p={min(100, max(1, -(-Article.objects.count() // 50)))}",
        "status": base + "?status__exact=published",
    }
    newest = Article.objects.exclude(published_at=None).order_by("-published_at").values_list("published_at", flat=True)
    if newest:
        year = timezone.localtime(newest[0]).year
        urls["date"] = base + f"?published_at__gte={year}-01-01&published_at__lt={year + 1}-01-01"
    if organisation:
        urls["organisation"] = base + f"?organisation={organisation.pk}"
        urls["search_organisation"] = base + "?q=" + urllib.parse.quote(organisation.name)
    if reporter:
        urls["reporter"] = base + f"?reporter={reporter.pk}"
        urls["search_reporter"] = base + "?q=" + urllib.parse.quote(reporter.name)
    if tag:
        urls["tag"] = base + f"?tag={tag.pk}"
    urls["search_word"] = base + "?q=" + urllib.parse.quote("劳模")
    return urls


def measure_admin_changelist(renders: int, log) -> dict:
    """p50/p95 of the article changelist per variant (superuser, rendered in this process) and its queries."""
    client = _admin_client()
    p50, p95, queries = {}, {}, {}
    for name, url in changelist_urls().items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        queries[name] = len(captured.captured_queries)
        times = []
        for _ in range(renders):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        p50[name], p95[name] = _ms(statistics.median(times)), _ms(_percentile(times, 0.95))
        log(f"admin: changelist {name} p50 {p50[name]} ms, p95 {p95[name]} ms, {queries[name]} queries")
    return {
        "changelist_p50_ms": p50,
        "changelist_p95_ms": p95,
        "changelist_p95_ms_max": max(p95.values()),
        "changelist_queries": queries,
    }


def run_benchmark(options: BenchmarkOptions, log: Callable[[str], None] = print) -> dict:
    """Run every measurement against DATABASE_URL and return the figures in the documented JSON shape."""
    result = {
        "machine": machine(),
        "database": connection.vendor,
        "articles": options.articles,
    }
    if options.skip_import:  # measure what the database holds: no archive is generated
        result["articles"] = Article.objects.count()
    else:
        result["import"] = measure_import(ensure_archive(options, log), options, log)
    sections = options.sections
    if "search" in sections:
        result["search"] = measure_search(log)
    if {"pages", "admin"} & set(sections):
        collect_static(log)  # with debug off, pages name their static files through the manifest
    if "pages" in sections:
        urls = sample_urls()
        result["pages"] = measure_pages(urls, options, log)
        result["pages"].update(measure_uncached(options.uncached_renders, log))
        result["queries_per_page"] = measure_queries_per_page(urls)
    if "admin" in sections:
        result["admin"] = measure_admin_changelist(options.admin_renders, log)
        if options.admin_rename:
            result["admin"].update(measure_admin_rename(log))
    return result


def format_table(result: dict) -> str:
    """The figures as an aligned two-column table."""
    rows = [("machine", result["machine"]), ("database", result["database"]), ("articles", result["articles"])]
    for section in ("import", "search", "pages", "queries_per_page", "admin"):
        for key, value in (result.get(section) or {}).items():
            rows.append((f"{section}.{key}", value))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


# --- load: many connections over a mix of pages, optionally while an import runs ------------------------------

WRK_MIX = r"""
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


IMPORT_NICENESS = 10


def mixed_paths(limit: int = 200) -> list[str]:
    """A reader's mix: lists, searches, article pages and issue pages, newest content first."""
    articles = list(Article.objects.published().order_by("-published_at", "-pk")[:limit])
    issues = list(Issue.objects.filter(articles__in=Article.objects.published()).distinct().order_by("-date")[:50])
    queries = load_queries()
    paths = []
    for index, article in enumerate(articles):
        paths.append(article.get_absolute_url())
        paths.append(f"/articles/?page={index % 5 + 1}")
        paths.append("/articles/?q=" + urllib.parse.quote(queries[index % len(queries)]))
        if issues:
            paths.append(issues[index % len(issues)].get_absolute_url())
    return paths


def _parse_wrk(output: str) -> dict:
    def number(pattern, cast=float, default=0):
        found = re.search(pattern, output)
        return cast(found.group(1)) if found else default

    def latency_ms(label):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not found:
            return None
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": number(r"(\d+) requests in", int),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "non_2xx": number(r"Non-2xx or 3xx responses: (\d+)", int),
        "socket_errors": sum(int(n) for n in socket_errors.groups()[:3]) if socket_errors else 0,
        "timeouts": int(socket_errors.group(4)) if socket_errors else 0,
    }


def run_load(
    *,
    connections: int,
    seconds: int,
    workers: int,
    threads: int = 1,
    import_folder: Path | None,
    access_log: Path | None = None,
    log,
) -> dict:
    """Hold `connections` for `seconds` against gunicorn; with import_folder, an import runs alongside."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    paths = mixed_paths()
    if not paths:
        raise RuntimeError("the database holds no published article: import an archive first")
    importer = None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_MIX % ", ".join(json.dumps(path) for path in paths))
    try:
        with gunicorn_server(workers=workers, threads=threads, access_log=access_log) as base:
            # A running site has its pages cached; both runs start from there, so the import is what differs.
            warm_seconds = warm_up(base, paths, workers)
            log(f"load: {len(set(paths))} pages rendered once in {warm_seconds} s")
            if import_folder:
                # Niced as the deployed task worker is (docs/deploy/newsroom-worker.service): readers come first.
                importer = subprocess.Popen(
                    ["nice", "-n", str(IMPORT_NICENESS), *MANAGE, "import_seeds", str(import_folder)],
                    env=_child_env(),
                    cwd=settings.BASE_DIR,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            output = subprocess.run(
                ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
                + ["-s", script.name, base + "/"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        result = {
            "connections": connections,
            "seconds": seconds,
            "gunicorn_workers": workers,
            "gunicorn_threads": threads,
            "import_niceness": IMPORT_NICENESS if import_folder else None,
            "urls": len(paths),
            "distinct_urls": len(set(paths)),
            "warm_up_seconds": warm_seconds,
            # As gunicorn's production settings read them, whatever settings this process runs under.
            "page_cache": production_settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "list_refresh_seconds": production_settings.NEWSROOM_LIST_REFRESH_SECONDS,
        }
        result.update(_parse_wrk(output))
        if importer is not None:
            out, _ = importer.communicate(timeout=3600)
            result["import_exit_code"] = importer.returncode
            result["import_summary"] = out.decode(errors="replace").strip().splitlines()[-1]
        log(f"load: {result}")
        return result
    finally:
        os.unlink(script.name)
        if importer is not None and importer.poll() is None:
            os.killpg(importer.pid, signal.SIGTERM)


def warm_up(base: str, paths: list[str], workers: int) -> float:
    """Request each distinct path once, `workers` at a time; the seconds it took."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(path):
        with urllib.request.urlopen(base + path, timeout=120) as response:
            response.read()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fetch, dict.fromkeys(paths)))
    return round(time.perf_counter() - start, 1)


@contextmanager
def gunicorn_server(*, workers: int, threads: int = 1, access_log: Path | None = None):
    """gunicorn serving the site with debug off on a free loopback port; yields its base URL."""
    port = _free_port()
    env = _child_env()
    env.update(
        # Production settings whatever the caller runs under (test settings serve no collected static files).
        DJANGO_SETTINGS_MODULE="newsroom.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or "benchmark-only-secret-key-not-for-production-use",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_COOKIES="0",
    )
    # Debug off serves hashed static files through whitenoise, which needs collectstatic's manifest.
    subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, cwd=settings.BASE_DIR, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        # More than one thread: gunicorn's gthread workers, which keep connections alive between requests.
        + ["--threads", str(threads)]
        # Status, microseconds and request line of each request, to find the slow pages of a run.
        + (["--access-logfile", str(access_log), "--access-logformat", "%(s)s %(D)s %(r)s"] if access_log else [])
        + ["--timeout", "60", "--backlog", "2048"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/healthz")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
