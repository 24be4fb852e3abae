"""Typed readers for the `DJANGO_`-prefixed environment variables."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False, environ=os.environ) -> bool:
    """Read a boolean; anything but a known yes/no word is a configuration error."""
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_list(name: str, default: list[str] | None = None, environ=os.environ) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    raw = environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, environ=os.environ) -> int:
    """Read an integer."""
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def secret_key(debug: bool, environ=os.environ) -> str:
    """Return DJANGO_SECRET_KEY; only a debug run may fall back to a throwaway key."""
    key = environ.get("DJANGO_SECRET_KEY", "")
    if key:
        return key
    if debug:
        return "insecure-local-development-key-do-not-use-in-production"
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
