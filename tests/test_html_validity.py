"""Every kind of public page is valid HTML by the Nu HTML checker (vnu-jar from npm, run with Debian's Java)."""

import json
import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import IN_CI
from tests.test_views import Newspaper, reindex

pytestmark = pytest.mark.django_db

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _vnu_or_skip():
    java = shutil.which("java")
    missing = [] if java else ["java (apt-get install default-jre-headless)"]
    if not VNU.exists():
        missing.append(f"{VNU} (npm ci)")
    if missing:
        reason = "the Nu HTML checker cannot run, missing: " + ", ".join(missing)
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return java


def test_every_page_kind_is_valid_html(client, tmp_path):
    java = _vnu_or_skip()
    paper = Newspaper()
    reindex(paper.published)
    urls = {
        "home": "/",
        "list": "/articles/",
        "search": "/articles/?q=学习&tag=劳模",
        "article": paper.lead.get_absolute_url(),
        "issue": paper.issue.get_absolute_url(),
        "page": paper.front.get_absolute_url(),
        "calendar": "/issues/calendar/2022/11/",
        "issues": "/issues/",
        "reporter": paper.bai.get_absolute_url(),
        "organisation": paper.union.get_absolute_url(),
        "tag": reverse("articles:tag_detail", args=["劳模"]),
        "not found": "/no/such/page/",
    }
    files = []
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), url
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", *files], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(run.stdout)["messages"]
    errors = [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
    # The checker really read the pages: one document per page, none of them unreadable.
    assert run.returncode == 0 and len(files) == len(urls)


def test_the_checker_reports_an_error_in_invalid_markup(tmp_path):
    java = _vnu_or_skip()
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="zh"><title>x</title><p><div></p></span>', encoding="utf-8")
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", str(page)], capture_output=True, text=True
    )
    assert any(message["type"] == "error" for message in json.loads(run.stdout)["messages"])
