"""Explicit test settings: fast hashing, no lockouts between tests, debug off like production."""

import os

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
