"""Production settings, login rate limiting and security headers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-grade-secret-key-0123456789abcdef",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_HSTS_PRELOAD": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
}


def test_check_deploy_reports_nothing_with_production_environment():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="newsroom.settings.base")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="newsroom.settings.base", DJANGO_DEBUG="0")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_admin_login_is_locked_after_repeated_failures(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="chief", is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "chief", "password": "wrong"})
        assert response.status_code == 200
    # The failure that reaches the limit is the one that locks.
    assert client.post(url, {"username": "chief", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "chief", "password": "pass-word-123"})
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_admin_login_works_before_the_limit(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="chief", is_staff=True)
    url = reverse("admin:login")
    client.post(url, {"username": "chief", "password": "wrong"})
    response = client.post(url, {"username": "chief", "password": "pass-word-123"})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
