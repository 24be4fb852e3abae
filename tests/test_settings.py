"""Settings come from the environment; bad values are configuration errors, not surprises."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings.env import env_bool, env_int, env_list, secret_key


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("On", True), ("0", False), ("no", False), ("", False)]
)
def test_env_bool(raw, expected):
    assert env_bool("X", environ={"X": raw}) is expected


def test_env_bool_default_and_garbage():
    assert env_bool("X", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="X='maybe'"):
        env_bool("X", environ={"X": "maybe"})


def test_env_list_and_int():
    assert env_list("H", environ={"H": "example.com, www.example.com,,"}) == ["example.com", "www.example.com"]
    assert env_list("H", default=["localhost"], environ={}) == ["localhost"]
    assert env_int("N", 5, environ={"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 5, environ={"N": "seven"})


def test_secret_key_required_without_debug():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        secret_key(debug=False, environ={})
    assert secret_key(debug=False, environ={"DJANGO_SECRET_KEY": "k"}) == "k"
    assert secret_key(debug=True, environ={})


def _load_base(monkeypatch, **env):
    for name in ("DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("newsroom.settings.base", None)
    try:
        return importlib.import_module("newsroom.settings.base")
    finally:
        sys.modules.pop("newsroom.settings.base", None)


def test_base_settings_defaults_to_embedded_sqlite(monkeypatch):
    base = _load_base(monkeypatch, DJANGO_SECRET_KEY="s")
    assert base.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert str(base.DATABASES["default"]["NAME"]).endswith("db.sqlite3")
    assert base.DEBUG is False
    assert base.LANGUAGE_CODE == "zh-hans"
    assert base.TIME_ZONE == "Asia/Shanghai"
    assert base.USE_TZ is True
    assert base.SESSION_COOKIE_SECURE is True


def test_base_settings_reads_postgres_url_and_hosts(monkeypatch):
    base = _load_base(
        monkeypatch,
        DJANGO_SECRET_KEY="s",
        DATABASE_URL="postgres://u:p@db.example:5433/paper",
        DJANGO_ALLOWED_HOSTS="news.example.com,www.news.example.com",
        DJANGO_DEBUG="1",
    )
    db = base.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["HOST"], db["PORT"], db["USER"]) == ("paper", "db.example", 5433, "u")
    assert base.ALLOWED_HOSTS == ["news.example.com", "www.news.example.com"]
    assert base.DEBUG is True


def test_base_settings_refuse_to_start_without_secret(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        _load_base(monkeypatch, DJANGO_DEBUG="0")


def test_test_settings_are_explicit(settings):
    assert settings.SETTINGS_MODULE == "newsroom.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_postgresql_prepares_repeated_statements_unless_turned_off(monkeypatch):
    url = "postgres://user:pw@db.internal:5432/newsroom"
    base = _load_base(monkeypatch, DJANGO_SECRET_KEY="s", DATABASE_URL=url)
    assert base.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert base.DATABASES["default"]["OPTIONS"] == {
        "server_side_binding": True,
        "prepare_threshold": 5,
        "options": "-c plan_cache_mode=force_custom_plan",
    }
    monkeypatch.setenv("DJANGO_DB_PREPARED_STATEMENTS", "0")
    off = _load_base(monkeypatch, DJANGO_SECRET_KEY="s", DATABASE_URL=url)
    assert "server_side_binding" not in off.DATABASES["default"].get("OPTIONS", {})
    sqlite = _load_base(monkeypatch, DJANGO_SECRET_KEY="s")
    assert "server_side_binding" not in sqlite.DATABASES["default"].get("OPTIONS", {})


@pytest.mark.postgres
@pytest.mark.django_db
def test_prepared_statements_are_planned_for_their_own_values():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
