"""Shared fixtures, and the rules for tests that need PostgreSQL, SQLite or a browser."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tests import factories

# In CI every test must run in one of the two passes: a test for the other database is
# deselected there (it runs in the other pass), never skipped; elsewhere it skips with its reason.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The browser tests (marked `browser`) share these: Debian's Chromium, driven by Playwright.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=zh-CN"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(autouse=True)
def _background_connections_closed():
    """Connections of articles.background's threads closed after each test: none may outlive the test database."""
    from articles import background

    yield
    background.shutdown()


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Forget content type ids read in an earlier test: a transactional test's flush re-creates the rows."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def pytest_collection_modifyitems(config, items):
    vendor = _database_vendor()
    wrong_db = []
    for item in items:
        for marker, needed in (("postgres", "postgresql"), ("sqlite", "sqlite")):
            if item.get_closest_marker(marker) and vendor != needed:
                wrong_db.append((item, needed))
    if IN_CI:
        deselected = {id(item) for item, _ in wrong_db}
        config.hook.pytest_deselected(items=[item for item, _ in wrong_db])
        items[:] = [item for item in items if id(item) not in deselected]
    else:
        for item, needed in wrong_db:
            item.add_marker(pytest.mark.skip(reason=f"needs {needed}; DATABASE_URL points at {vendor}"))


@pytest.fixture
def seeds_dir():
    from django.conf import settings

    return settings.BASE_DIR / "seeds"


def _user_in_group(group_name, username):
    user = factories.UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db):
    return _user_in_group("编辑", "editor")


@pytest.fixture
def chief_editor(db):
    return _user_in_group("主编", "chief")


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def chief_client(client, chief_editor):
    client.force_login(chief_editor)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # One browser per test, started after the test database is set up and stopped before it is reset: while
    # Playwright's event loop runs, asgiref treats this thread as async and Django hands out other connections.
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def seeded(seeds_dir):
    from django.contrib.contenttypes.models import ContentType

    from articles.importers import import_pages
    from articles.models import Article

    # A transactional test before this one may have flushed and reloaded the content types under other ids;
    # Django's per-process cache would then hand tag links a stale one.
    ContentType.objects.clear_cache()

    report = import_pages(paths=[seeds_dir])
    assert report.ok, report.as_json()
    assert Article.objects.published().count() == 25
    return report


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free port, without persistence, stopped after the test."""
    import redis

    server = shutil.which("redis-server")
    if server is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    from articles.devtools.benchmark import _free_port

    port = _free_port()
    log = tmp_path / "redis.log"
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with open(log, "wb") as log_file:
        process = subprocess.Popen([*command, "--dir", str(tmp_path)], stdout=log_file, stderr=subprocess.STDOUT)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not answer PING on port {port}:\n{log.read_text()}")
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def other_connection(db):
    """A second PostgreSQL session on the test database, as another process (an import, a writer) holds one."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    ) as other:
        yield other
