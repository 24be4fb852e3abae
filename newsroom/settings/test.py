"""Explicit test settings: fast hashing, no lockouts between tests, debug off like production."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
AXES_ENABLED = False
# Tests never run collectstatic; whitenoise serves from the finders instead of an empty STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Page-cache behaviour has its own tests (tests/test_cache.py), which switch it on.
NEWSROOM_PAGE_CACHE_SECONDS = 0
# A cached list shows a new article at the next request, as the tests expect unless they set a delay.
NEWSROOM_LIST_REFRESH_SECONDS = 0
# Tasks run inside the request that enqueues them; tests/test_tasks.py switches to the database backend and a worker,
# tests/test_tasks_rq.py to RQ, a throwaway Redis and an rqworker process.
# A benchmark run under these settings asks for the database backend through the environment.
if "DJANGO_TASKS_BACKEND" not in os.environ:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
# sorl-thumbnail's record of renditions: the database alone, which each test rolls back (a cache would outlive
# the test's MEDIA_ROOT and point at files that are gone).
CACHES["thumbnails"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405
THUMBNAIL_CACHE = "thumbnails"
# The browser tests load photos from the live server.
NEWSROOM_SERVE_MEDIA = True
# Uploads (photos, import batches, renditions) go to a temporary folder of this run, never to the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="newsroom-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
