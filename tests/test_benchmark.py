"""A small benchmark run (2,000 articles, SQLite), only to keep the benchmark working: no timing assertions."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from articles.devtools.benchmark import _parse_wrk, load_queries

MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
IMPORT_KEYS = {
    "seconds",
    "articles_per_s",
    "jieba_only_seconds",
    "ratio_vs_jieba",
    "parallel_seconds",
    "parallel_ratio_vs_jieba",
    "peak_rss_mb",
}
SEARCH_KEYS = {
    "queries",
    "p50_ms",
    "p95_ms",
    "icontains_p50_ms",
    "icontains_p95_ms",
    "trgm_p50_ms",
    "speedup_vs_icontains_p50",
    "title_hits_top20",
    "title_hits_top20_exact",
    "peer_p50_ms",
    "peer_p95_ms",
    "p50_vs_peer",
    "p95_vs_peer",
}
PAGE_KEYS = {
    "hello_rps",
    "detail_rps",
    "list_rps",
    "search_rps",
    "issue_rps",
    "detail_vs_hello",
    "list_vs_hello",
    "search_vs_hello",
}


def test_forty_queries_are_kept_in_the_repository():
    queries = load_queries()
    assert len(queries) == 40
    assert {"工会", "职工", "北京"} <= set(queries)
    assert any(q.startswith('"') for q in queries) and any(" " in q for q in queries)


def test_wrk_output_is_parsed():
    sample = """Running 5s test @ http://127.0.0.1:8000/
  Latency Distribution
     50%   12.50ms
     75%   20.00ms
     90%   30.00ms
     99%    1.20s
  1234 requests in 5.00s, 10.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    246.80
"""
    assert _parse_wrk(sample) == {
        "requests": 1234,
        "rps": 246.8,
        "p50_ms": 12.5,
        "p99_ms": 1200.0,
        "non_2xx": 3,
        "socket_errors": 1,
        "timeouts": 2,
    }


@pytest.mark.sqlite
def _figures(args, env, out):
    """Run a manage.py command that writes its figures to `out` (--json); the finished process and the figures."""
    run = subprocess.run(
        [*MANAGE, *args, "--json", str(out)], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run, json.loads(out.read_text())


def test_small_benchmark_run_writes_every_figure(tmp_path):
    if not shutil.which("wrk") and os.environ.get("CI"):
        pytest.fail("wrk is missing in CI: .ci/run installs it")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        # The admin rename's reindexing goes through the real queue and its worker.
        "DJANGO_TASKS_BACKEND": "database",
    }
    subprocess.run([*MANAGE, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    run, figures = _figures(
        ["benchmark", "--articles", "2000", "--archive", str(tmp_path / "pages")]
        + ["--page-seconds", "1", "--uncached-renders", "5", "--admin-rename"],
        env,
        tmp_path / "bench.json",
    )
    assert figures["database"] == "sqlite" and figures["articles"] == 2000
    assert set(figures["import"]) >= IMPORT_KEYS
    assert set(figures["search"]) >= SEARCH_KEYS and figures["search"]["queries"] == 40
    # Nothing is cut from ranking: the first pages hold as many headline hits as ranking every hit does.
    assert figures["search"]["title_hits_top20"] == figures["search"]["title_hits_top20_exact"] > 100
    assert figures["search"]["peer_title_hits_top20"] > 0
    assert set(figures["queries_per_page"]) == {"home", "list", "search", "detail", "issue", "reporter"}
    assert "import.ratio_vs_jieba" in run.stdout  # the printed table
    # Uncached renders of every public page kind, whether or not wrk is there.
    uncached = figures["pages"]["uncached_p95_ms"]
    assert set(uncached) == {
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
    }
    assert all(value > 0 for value in uncached.values())
    assert figures["pages"]["uncached_p95_ms_max"] == max(uncached.values())
    counting = figures["pages"]["uncached_p95_ms_counting_facets"]
    assert set(counting) == {"reporter", "organisation", "tag"} and all(value > 0 for value in counting.values())
    admin = figures["admin"]
    assert admin["organisation_articles"] > 0 and admin["found_by_new_name"] == admin["organisation_articles"]
    assert admin["rename_request_ms"] > 0 and admin["rename_reindex_s"] > 0
    assert "admin.rename_reindex_s" in run.stdout
    # The changelist per filter and search, each with its query count.
    variants = {"plain", "page_far", "status", "date", "organisation", "search_organisation", "reporter"}
    assert variants | {"search_reporter", "tag", "search_word"} == set(admin["changelist_p95_ms"])
    assert set(admin["changelist_queries"]) == set(admin["changelist_p95_ms"]) == set(admin["changelist_p50_ms"])
    assert all(value > 0 for value in admin["changelist_p95_ms"].values())
    assert admin["changelist_p95_ms_max"] == max(admin["changelist_p95_ms"].values())
    if shutil.which("wrk"):
        assert set(figures["pages"]) >= PAGE_KEYS
    else:
        pytest.skip("wrk is not installed: page throughput not measured (apt-get install wrk)")


@pytest.mark.django_db
def test_queries_per_page_are_those_of_a_rendered_page_even_with_the_page_cache_on(settings, seeds_dir):
    from articles.devtools.benchmark import measure_queries_per_page, sample_urls
    from articles.importers import import_pages

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    import_pages(paths=[seeds_dir])
    counts = measure_queries_per_page(sample_urls())
    # A cached page runs one query (the content version); every page renders with several.
    assert all(count > 3 for count in counts.values()), counts


def test_static_files_are_collected_when_pages_need_their_manifest(settings, tmp_path):
    from django.contrib.staticfiles.storage import staticfiles_storage

    from articles.devtools.benchmark import collect_static

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    logged = []
    collect_static(logged.append)
    assert staticfiles_storage.url("css/site.css").startswith("/static/css/site.")  # hashed: from the manifest
    assert logged and "collecting" in logged[0]
    # A manifest from an older checkout lacks the files added since: it is collected again, not trusted.
    extra = tmp_path / "extra"
    (extra / "css").mkdir(parents=True)
    (extra / "css" / "added-later.css").write_text("body{}")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, extra]
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        staticfiles_storage.url("css/added-later.css")
    collect_static(logged.append)
    assert staticfiles_storage.url("css/added-later.css").startswith("/static/css/added-later.")


def test_bench_tools_never_fail_and_say_what_is_missing(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no wrk, no apt-get
    for tool in ("id", "sh"):
        (tmp_path / tool).symlink_to(shutil.which(tool))
    run = subprocess.run(
        ["/bin/sh", str(Path(settings.BASE_DIR) / ".ci" / "bench-tools")], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0
    assert "wrk is missing" in run.stdout or "could not install wrk" in run.stdout


def test_loadtest_warms_the_pages_then_holds_connections_beside_an_import(tmp_path, seeds_dir):
    if not shutil.which("wrk"):
        if os.environ.get("CI"):
            pytest.fail("wrk is missing in CI: .ci/run installs it")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'load.sqlite3'}"}
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings.test"
    subprocess.run([*MANAGE, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    subprocess.run([*MANAGE, "import_seeds", str(seeds_dir)], env=env, check=True, cwd=settings.BASE_DIR)
    more = tmp_path / "more"
    subprocess.run(
        [*MANAGE, "generate_archive", "--articles", "60", "--seed", "5", "--out", str(more)],
        env=env,
        check=True,
        cwd=settings.BASE_DIR,
        capture_output=True,
    )
    run, figures = _figures(
        ["loadtest", "--connections", "4", "--seconds", "3", "--workers", "1", "--with-import", str(more)],
        env,
        tmp_path / "load.json",
    )
    assert figures["requests"] > 0 and figures["non_2xx"] == figures["socket_errors"] == 0
    assert figures["import_exit_code"] == 0 and "created" in figures["import_summary"]
    # Every distinct page was requested once before the load; the served site's list delay is reported.
    assert figures["distinct_urls"] <= figures["urls"] and figures["warm_up_seconds"] > 0
    assert figures["list_refresh_seconds"] == 60
    assert "rendered once" in run.stderr
