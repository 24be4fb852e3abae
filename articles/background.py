"""Queries a page hands to a thread with a database connection of its own, and collects before it renders."""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection, connections

# One request at a time per sync worker; a second thread for a threaded server's overlapping requests.
WORKERS = 2

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def runs_in_background() -> bool:
    """Whether start() hands work to the thread: on PostgreSQL, when the request reads outside a transaction."""
    # Inside a transaction (a test's, an editor's atomic block) another connection would not see its rows.
    return settings.NEWSROOM_BACKGROUND_QUERIES and connection.vendor == "postgresql" and not connection.in_atomic_block


def start(function, /, *args, **kwargs) -> Future:
    """function(*args, **kwargs) in the background thread when runs_in_background(), else here and now."""
    if not runs_in_background():
        future = Future()
        try:
            future.set_result(function(*args, **kwargs))
        except Exception as error:  # raised again by result(), as the thread's would be
            future.set_exception(error)
        return future
    return _executor().submit(_in_thread, function, args, kwargs)


def _forget_pool_after_fork() -> None:
    # A forked child (a server worker forked after a request in its parent) has none of the parent's threads.
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:  # made in each server process after the fork, on its first page
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="newsroom-queries")
        return _pool


def _in_thread(function, args, kwargs):
    # What Django does around each request for the request's thread: drop a connection past CONN_MAX_AGE or
    # broken, and check a reused one before the first query.
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


def shutdown() -> None:
    """Close the threads' connections and stop them (the next start() makes new ones): before a test database
    is dropped, which no open session may use."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    # One closing task per thread: each waits at the barrier until every thread holds one.
    barrier = threading.Barrier(WORKERS)

    def close():
        connections.close_all()
        barrier.wait(timeout=30)

    for _ in range(WORKERS):
        pool.submit(close)
    pool.shutdown(wait=True)
