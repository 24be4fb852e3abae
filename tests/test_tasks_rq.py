"""Background work through django-tasks-rq, as DJANGO_TASKS_BACKEND=rq runs it: a real Redis server and a real
`manage.py rqworker --burst --job-class django_tasks_rq.Job default` process."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django_tasks import TaskResultStatus, task_backends

from tests.test_tasks import found, rename_in_admin, union_named_in_three_articles

# The worker is another process: it reads what the test committed and commits what it does. As in
# tests/test_tasks.py, no serialized_rollback, so the test logs in as a superuser (the flush removes the groups).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def rq_tasks(settings, redis_url):
    """This process enqueues into that Redis through the RQ backend, as newsroom.settings.base does for rq."""
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 3600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    return redis_url


@contextmanager
def worker_database(tmp_path):
    """A DATABASE_URL for the worker process that reaches the test's database.

    PostgreSQL: the test database itself. SQLite: the test database is in memory, which no other process can open,
    so the worker gets a file copy of it, and what the worker wrote is copied back afterwards.
    """
    test_db = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        yield url._replace(path="/" + quote(test_db)).geturl()
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
        yield f"sqlite:///{test_db}"
    elif connection.vendor == "sqlite":
        copy_path = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(copy_path)) as copy:
            connection.connection.backup(copy)
        yield f"sqlite:///{copy_path}"
        with closing(sqlite3.connect(copy_path)) as copy:
            copy.backup(connection.connection)
    else:
        pytest.fail(f"no worker database for {connection.vendor}")


def run_rq_worker(redis_url, database_url):
    """`manage.py rqworker --burst`: run every queued job, then exit, in its own process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DJANGO_TASKS_BACKEND": "rq",
        "DJANGO_RQ_URL": redis_url,
        "DATABASE_URL": database_url,
    }
    command = [sys.executable, "manage.py", "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"]
    worker = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, f"rqworker exited with {worker.returncode}:\n{worker.stdout}\n{worker.stderr}"


def test_admin_rename_enqueues_in_redis_and_the_rq_worker_reindexes(rq_tasks, superuser_client, tmp_path):
    from django_rq import get_queue

    union, articles = union_named_in_three_articles()
    queue = get_queue("default")
    queue.empty()  # the factories' own saves queued nothing the test looks at
    assert sorted(found("海淀区总工会")) == sorted(a.pk for a in articles)

    rename_in_admin(superuser_client, union, "海淀区职工联合会")
    # The request put one job in Redis and did not reindex.
    assert queue.count == 1
    job_id = queue.job_ids[0]
    queued = task_backends["default"].get_result(job_id)
    assert queued.status == TaskResultStatus.READY
    assert queued.task.module_path == "articles.tasks.reindex_named"
    assert queued.args == ["organisation", union.pk]
    assert found("海淀区职工联合会") == []

    with worker_database(tmp_path) as database_url:
        run_rq_worker(rq_tasks, database_url)

    assert queue.count == 0
    finished = task_backends["default"].get_result(job_id)
    assert finished.status == TaskResultStatus.SUCCESSFUL, [error.traceback for error in finished.errors]
    assert finished.return_value == 3
    assert finished.worker_ids, "a worker recorded the result"
    assert sorted(found("海淀区职工联合会")) == sorted(a.pk for a in articles)
