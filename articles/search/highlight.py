"""Highlighting: the query's words and phrases marked in escaped text, and excerpts around the first match."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import QUERY_USER_TERMS_MAX_AGE, ParsedQuery, parse_query
from .terms import ensure_user_terms, user_terms_loads


def _pattern(query: ParsedQuery) -> re.Pattern | None:
    # Between the words of a phrase the text may hold what segmentation dropped (spaces, a hyphen).
    alternatives = [r"[\W_]*".join(map(re.escape, phrase)) for phrase in query.phrases]
    alternatives += [re.escape(term) for term in query.terms]
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


def _query_pattern(raw_query: str) -> re.Pattern | None:
    """The pattern of a reader's query, parsed once per query until segmentation loads names again."""
    # A results page marks the same query in each card's headline, kicker, subtitle and excerpt.
    ensure_user_terms(max_age=QUERY_USER_TERMS_MAX_AGE)
    return _parsed_pattern(raw_query, user_terms_loads())


@lru_cache(maxsize=256)
def _parsed_pattern(raw_query: str, loads: int) -> re.Pattern | None:
    return _pattern(parse_query(raw_query))


class _FoldTable(dict):
    """str.translate table: each character to its NFKC-folded lower-case form, worked out once per character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        fold = char.lower() if char.isascii() else unicodedata.normalize("NFKC", char).lower()
        if len(fold) != 1:
            _UNEVEN.add(char)
        self[code] = fold
        return fold


_FOLDS = _FoldTable()
_UNEVEN: set[str] = set()  # characters whose folded form is not one character (ﬁ, İ, ㍿)


def _spans(text: str, pattern: re.Pattern | None) -> list[tuple[int, int]]:
    """Matched character ranges of the original text, found on its NFKC-folded lower-case form."""
    if pattern is None or not text:
        return []
    # Character by character, as the index folds them; translate looks each one up in C. An excerpt folds
    # a whole article body, on every card of a results page.
    folded = text.translate(_FOLDS)
    origin = None  # folded[i] comes from text[i], unless some character folded to more or fewer than one
    if len(folded) != len(text) or not _UNEVEN.isdisjoint(text):
        origin = [index for index, char in enumerate(text) for _ in _FOLDS[ord(char)]]
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        if match.end() == match.start():
            continue
        if origin is None:
            start, end = match.start(), match.end()
        else:
            start, end = origin[match.start()], origin[match.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    pieces, cursor = [], 0
    for start, end in spans:
        start, end = max(start - offset, 0), min(end - offset, len(text))
        if end <= cursor or start >= len(text):
            continue
        start = max(start, cursor)
        pieces += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def highlight(text: str, raw_query: str) -> SafeString:
    """The text HTML-escaped, with the query's words and phrases wrapped in <mark>; nothing else changes."""
    text = text or ""
    return mark_safe(_marked(text, _spans(text, _query_pattern(raw_query))))


def excerpt(text: str, raw_query: str, width: int = 120) -> SafeString:
    """About `width` characters around the first match (else the start), escaped and marked, … where cut."""
    text = " ".join((text or "").split())
    width = max(int(width), 1)
    spans = _spans(text, _query_pattern(raw_query))
    start = 0
    if spans and len(text) > width:
        first_start, first_end = spans[0]
        # Some text before the match for context, but never so much that the match falls off the end.
        start = max(0, min(first_start - width // 4, len(text) - width))
        if first_end > start + width:
            start = max(0, first_end - width)
    end = min(len(text), start + width)
    body = _marked(text[start:end], [(s, e) for s, e in spans if e > start and s < end], offset=start)
    return mark_safe(("…" if start > 0 else "") + body + ("…" if end < len(text) else ""))
