"""Parse one extracted newspaper page into banner, articles, people, organisations, dates and tags (docs/parsing.md)."""

from .organisations import DEFAULT_GAZETTEER
from .page import page_to_dict, parse_page
from .records import (
    KIND_NEWS,
    KIND_PHOTO,
    ROLE_CORRESPONDENT,
    ROLE_PHOTOGRAPHER,
    ROLE_REPORTER,
    ROLE_UNSPECIFIED,
    ParsedArticle,
    ParsedPage,
    ParseError,
    Person,
)
from .text import add_user_terms, normalise_text, segment

__all__ = [
    "DEFAULT_GAZETTEER",
    "KIND_NEWS",
    "KIND_PHOTO",
    "ROLE_CORRESPONDENT",
    "ROLE_PHOTOGRAPHER",
    "ROLE_REPORTER",
    "ROLE_UNSPECIFIED",
    "ParseError",
    "ParsedArticle",
    "ParsedPage",
    "Person",
    "add_user_terms",
    "normalise_text",
    "page_to_dict",
    "parse_page",
    "segment",
]
