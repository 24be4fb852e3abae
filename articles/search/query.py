"""Query parsing: a reader's text becomes words and phrases, and the tsquery / FTS5 expressions for them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import F

from .terms import ensure_user_terms, tokens

MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 32
# Enough of a pasted 2,000-character query to fill MAX_QUERY_CHARS after control characters go.
MAX_QUERY_SCAN = 4 * MAX_QUERY_CHARS
QUERY_USER_TERMS_MAX_AGE = 10.0
# Main FTS5 token streams take phrases; *_sub hold the extra words (see sqlite.py).
PHRASE_COLUMNS = "{title meta body}"
# What one word or phrase of a query adds to an article's rank, by the best field that holds it: the headline,
# the labels and names (kicker, subtitle, tags, people, organisations), or only the text (dateline, body).
# In the ratio of the index weights A 1.0, B 0.4, C 0.2; integers, so equal ranks are equal on both databases.
SCORE_TITLE, SCORE_META, SCORE_TEXT = 5, 2, 1


def newest_first() -> tuple:
    """How equal ranks are ordered: most recently published first, then the highest id. Articles without a
    time (drafts, in staff searches) come first, as PostgreSQL's (status, published_at) index runs backwards."""
    return (F("published_at").desc(nulls_first=True), F("pk").desc())


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SPACE_BETWEEN_HAN = re.compile(f"(?<={_HAN.pattern})\\s+(?={_HAN.pattern})")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"'})


@dataclass(frozen=True)
class ParsedQuery:
    """A reader's query: words that must all occur, and quoted phrases whose words must occur in a row."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def _clean(raw) -> str:
    if raw is None:
        return ""
    text = str(raw)[:MAX_QUERY_SCAN]
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return text.translate(_QUOTES)[:MAX_QUERY_CHARS]


def parse_query(raw: str) -> ParsedQuery:
    """Segment a query as documents are segmented; "quoted" text is a phrase; operators and symbols are dropped."""
    text = _clean(raw)
    if not text.strip():
        return ParsedQuery()
    # A results page parses the same query once per highlighted snippet; names added by another
    # process reach queries within seconds, while indexing (update_search_index) always checks.
    ensure_user_terms(max_age=QUERY_USER_TERMS_MAX_AGE)
    parts = text.split('"')
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    budget = MAX_QUERY_TOKENS
    for index, part in enumerate(parts):
        # An odd part is quoted only when a closing quote follows it; a stray quote quotes nothing.
        quoted = index % 2 == 1 and index + 1 < len(parts)
        if quoted:
            # Chinese is written without spaces, so "劳模 精神" means the text 劳模精神.
            part = _SPACE_BETWEEN_HAN.sub("", part)
        words = tokens(part)
        if quoted and len(words) > 1:
            phrase = tuple(words[:budget])
            if len(phrase) > 1:
                if phrase not in phrases:
                    phrases.append(phrase)
                    budget -= len(phrase)
                continue
            words = list(phrase)
        for word in words:
            if budget <= 0:
                break
            if word not in terms:
                terms.append(word)
                budget -= 1
    return ParsedQuery(terms=tuple(terms), phrases=tuple(phrases))


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_parts(query: ParsedQuery) -> list[str]:
    """Each word (as a prefix) and each phrase (with <->) of the query as a tsquery literal of its own."""
    # A phrase also matches as one word, for when the document holds it inside or across longer words
    # (之家 in 职工之家): the index has those as suffixes and cut-across words, which phrases cannot reach.
    parts = [f"{_lexeme(term)}:*" for term in query.terms]
    for phrase in query.phrases:
        in_a_row = " <-> ".join([*map(_lexeme, phrase[:-1]), _lexeme(phrase[-1]) + ":*"])
        parts.append(f"(({in_a_row}) | {_lexeme(''.join(phrase))}:*)")
    return parts


def whole_words_tsquery_text(query: ParsedQuery) -> str:
    """tsquery_text with each word matched whole, not as a prefix: some of tsquery_text's hits and no others."""
    return " & ".join([*map(_lexeme, query.terms), *tsquery_parts(ParsedQuery(phrases=query.phrases))])


def tsquery_text(query: ParsedQuery) -> str:
    """The query as a tsquery literal: every word and phrase of it, joined by &."""
    return " & ".join(tsquery_parts(query))


def fts_match_parts(query: ParsedQuery) -> list[str]:
    """Each word and phrase of the query in FTS5 syntax, meaning the same as tsquery_parts on the same content."""
    parts = [f'"{term}"*' for term in query.terms]
    parts += [f'(({PHRASE_COLUMNS} : "{" ".join(phrase)}"*) OR "{"".join(phrase)}"*)' for phrase in query.phrases]
    return parts


def fts_match_text(query: ParsedQuery) -> str:
    """The query in FTS5 syntax: every word and phrase of it, joined by AND."""
    return " AND ".join(fts_match_parts(query))
