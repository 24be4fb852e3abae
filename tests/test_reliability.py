"""Faults: an import killed with SIGKILL leaves whole files only; two imports at once create no duplicates."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from articles.devtools.generator import generate_archive
from articles.models import Article, Page

MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive")
    generate_archive(articles=600, seed=5, out=folder)
    return folder


def _database_url(tmp_path) -> str:
    """A database the child processes share with this test: the test database itself on PostgreSQL,
    a migrated file on SQLite (the SQLite test database lives in this process's memory)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    subprocess.run([*MANAGE, "migrate", "-v0"], env=_env(url), check=True, cwd=settings.BASE_DIR)
    return url


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "newsroom.settings.test"}


def _pages_and_articles(url: str) -> tuple[int, dict[str, int]]:
    """Pages and the article count of each, read by a child so that SQLite files are read the same way."""
    code = (
        "import django, json; django.setup();"
        "from django.db.models import Count; from articles.models import Page;"
        "print(json.dumps(dict(Page.objects.annotate(n=Count('articles')).values_list('source_name', 'n'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(url), capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    ).stdout
    per_page = json.loads(out.strip().splitlines()[-1])
    return len(per_page), per_page


def _articles_per_file(folder: Path) -> dict[str, int]:
    from articles.parsing import parse_page

    return {str(path): len(parse_page(path.read_text("utf-8")).articles) for path in sorted(folder.glob("*.txt"))}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigkill_mid_import_leaves_whole_files_and_a_rerun_completes(archive, tmp_path):
    url = _database_url(tmp_path)
    expected = _articles_per_file(archive)
    child = subprocess.Popen(
        [*MANAGE, "import_seeds", str(archive)],
        env={**_env(url), "PYTHONUNBUFFERED": "1"},  # each progress line arrives as it is written
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=settings.BASE_DIR,
    )
    # Wait until a few files have landed, then kill without warning.
    landed = 0
    deadline = time.monotonic() + 120
    while landed < 5 and time.monotonic() < deadline:
        line = child.stdout.readline().decode()
        if not line:
            break
        landed += line.startswith("created:")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert landed >= 5, "the import ended before it could be killed"

    pages, per_page = _pages_and_articles(url)
    assert 5 <= pages < len(expected), "the kill landed mid-import"
    for name, count in per_page.items():
        assert count == expected[name], f"{name} holds {count} of {expected[name]} articles: a partial file"

    rerun = subprocess.run(
        [*MANAGE, "import_seeds", str(archive)], env=_env(url), capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    assert f"{pages} unchanged" in rerun.stdout
    pages, per_page = _pages_and_articles(url)
    assert per_page == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_one_folder_at_once_create_no_duplicates(archive, tmp_path):
    url = _database_url(tmp_path)
    expected = _articles_per_file(archive)
    command = [*MANAGE, "import_seeds", "--workers", "1", str(archive)]
    children = [
        subprocess.Popen(command, env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=settings.BASE_DIR)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=600) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, (out + err).decode()[-3000:]
    created = sum(out.decode().count("created:") for out, _ in outputs)
    unchanged = sum(out.decode().count("unchanged:") for out, _ in outputs)
    assert created == len(expected) and unchanged == len(expected), (created, unchanged)
    assert Page.objects.count() == len(expected)
    assert Article.objects.count() == sum(expected.values())
    refs = Counter(Article.objects.values_list("import_ref", flat=True))
    assert max(refs.values()) == 1
    from articles.models import Organisation, Reporter

    assert Reporter.objects.values("name", "affiliation").distinct().count() == Reporter.objects.count()
    assert Organisation.objects.values("name").distinct().count() == Organisation.objects.count()
