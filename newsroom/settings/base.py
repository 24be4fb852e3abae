"""Settings read from the environment; see README "Configuration"."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = secret_key(DEBUG)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "taggit",
    "axes",
    "reversion",
    "sorl.thumbnail",
    "django_tasks",
    "django_tasks_db",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML, JSON and feeds (whitenoise serves static files compressed on its own); see docs/site.md on
    # BREACH: public pages carry no CSRF token or other secret.
    "django.middleware.gzip.GZipMiddleware",
    # After GZip, so the ETag is that of the uncompressed page (GZip then weakens it); answers 304s.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cached pages for anonymous readers, answered before the layers below (articles/cache.py); below GZip and
    # ConditionalGet, so a cached page is still compressed and answered with 304 per request.
    "articles.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.middleware.ContentSecurityPolicyMiddleware",
    # Must be last: it answers locked-out logins before the view runs (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded SQLite file is the default so that `make run` needs no server;
# a postgres:// URL switches to PostgreSQL through psycopg 3.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Server-side binding lets psycopg prepare a statement after its fifth run on a connection, so PostgreSQL stops
# parsing it again. Turn it off behind a pooler in transaction mode (PgBouncer), which cannot keep prepared
# statements (https://docs.djangoproject.com/en/5.2/ref/databases/#server-side-parameters-binding).
# Each run is still planned for its own values (plan_cache_mode): a generic plan, made once for any search word,
# walked every headline with a frequent word instead of the newest articles (0.6 s instead of 20 ms)
# (https://www.postgresql.org/docs/15/runtime-config-query.html#GUC-PLAN-CACHE_MODE).
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DJANGO_DB_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5, options="-c plan_cache_mode=force_custom_plan"
    )
# SQLite: the task worker polls in write transactions beside the server; a request's transaction that starts
# reading and then writes would fail at once with "database is locked" instead of waiting. IMMEDIATE takes the
# write lock up front, so writers queue for up to `timeout` seconds
# (https://docs.djangoproject.com/en/5.2/ref/databases/#database-is-locked-errors).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads (photos, admin import batches) go through this backend; DJANGO_MEDIA_STORAGE=storages.backends.s3.S3Storage
# with the AWS_* variables of django-storages puts them in S3-compatible object storage (README "Photos").
STORAGES = {
    "default": {"BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Local memory by default; CACHE_URL=redis://host:6379/0 shares one cache between app servers.
# Cached pages are keyed on a version kept in the database, so even per-process caches never serve stale pages.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: only redis:// and rediss:// URLs are supported.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom"}}
NEWSROOM_PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 300)
# How late lists, searches and feeds may show newly added articles (docs/site.md, "Lists during an import").
NEWSROOM_LIST_REFRESH_SECONDS = env_int("DJANGO_LIST_REFRESH_SECONDS", 60)
# How many stale lists may be rendered again at once, site-wide; other readers get the last ones meanwhile.
NEWSROOM_LIST_RENDERS = env_int("DJANGO_LIST_RENDERS", 1)
# A list's facets and the home page's popular subjects are read on a second connection while the page reads its
# rows (articles/background.py; PostgreSQL only).
NEWSROOM_BACKGROUND_QUERIES = env_bool("DJANGO_BACKGROUND_QUERIES", default=True)
# Cache-Control max-age of anonymous readers' pages, for browsers and a CDN; short, as an edit cannot recall them.
NEWSROOM_HTTP_CACHE_SECONDS = env_int("DJANGO_HTTP_CACHE_SECONDS", 60)

# Tags keep their Chinese names in slugs (taggit uses slugify(allow_unicode=True) unless told otherwise).
TAGGIT_CASE_INSENSITIVE = True

# Security headers; HSTS is opt-in because it cannot be undone from the server side.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
if env_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Photos served from object storage or a CDN come from another origin (DJANGO_MEDIA_ORIGIN=https://media.example.com).
MEDIA_ORIGIN = os.environ.get("DJANGO_MEDIA_ORIGIN", "").strip()
_IMAGE_SOURCES = " ".join(["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])])
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {_IMAGE_SOURCES}; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# django-axes: lock an admin login after repeated failures for one username from one address.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("DJANGO_AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Debug runs serve MEDIA_ROOT themselves; production leaves that to the storage or the web server.
NEWSROOM_SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=False)
# Photos: the upload limits (a 40-megapixel RGB image decodes to 160 MB of memory) and the rendition widths.
NEWSROOM_IMAGE_MAX_BYTES = env_int("DJANGO_IMAGE_MAX_BYTES", 20 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("DJANGO_IMAGE_MAX_PIXELS", 40_000_000)
NEWSROOM_IMAGE_WIDTHS = (480, 960, 1600)
# sorl-thumbnail makes the renditions (articles/images.py); a narrow photo is never blown up to a wider rendition.
THUMBNAIL_UPSCALE = False
THUMBNAIL_QUALITY = 82
THUMBNAIL_PREFIX = "renditions/"

# Background work (Django's Tasks API through the django-tasks backport). The database backend needs no other
# service and `manage.py db_worker` runs its tasks; DJANGO_TASKS_BACKEND=rq queues in Redis (DJANGO_RQ_URL) and
# `manage.py rqworker --job-class django_tasks_rq.Job default` runs them; "immediate" runs each task inside the
# request that enqueues it (tests).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("DJANGO_TASKS_BACKEND", "database")
if _tasks_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"DJANGO_TASKS_BACKEND={_tasks_backend!r}: use one of {', '.join(TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}
if _tasks_backend == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_URL = os.environ.get("DJANGO_RQ_URL", "redis://localhost:6379/0")
    RQ_QUEUES = {"default": {"URL": RQ_URL, "DEFAULT_TIMEOUT": 3600}}

# Import limits for page files (bytes), overridable for operators with larger pages.
NEWSROOM_IMPORT_MAX_BYTES = env_int("DJANGO_IMPORT_MAX_BYTES", 5 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"articles": {"level": "INFO"}},
}

# The masthead shown on the public site and in the admin.
NEWSROOM_SITE_NAME = os.environ.get("DJANGO_SITE_NAME", "劳动午报")
