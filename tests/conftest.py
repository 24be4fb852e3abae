"""Shared fixtures, and the rules for tests that need PostgreSQL, SQLite or a browser."""

import os

import pytest
from django.contrib.auth.models import Group

from tests import factories

# In CI every test must run in one of the two passes: a test for the other database is
# deselected there (it runs in the other pass), never skipped; elsewhere it skips with its reason.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
