"""Terms: how documents and queries are cut into words, the extra in-word words, and the user dictionary."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence

from django.db import connection

from ..models import Organisation, OrganisationAlias, Reporter

MAX_SUFFIX_WORD = 20
# Dictionary words are looked for across up to this many consecutive words, up to this length.
SPANNING_TOKENS = 3
MAX_SPANNING_WORD = 8
# Entries per memo table of per-word work (about 200 bytes each), emptied when full.
MEMO_LIMIT = 50_000

_WORD = re.compile(r"[^\W_]+")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def _parsing():
    # Imported on first use: signals.py imports this module while apps load, and jieba need not load then.
    from .. import parsing

    return parsing


class _Memo(dict):
    """A memo table for pure per-word work: a missing key is computed once; emptied when it grows too big."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        if len(self) >= MEMO_LIMIT:
            self.clear()
        value = self[key] = self.compute(key)
        return value


# Vocabulary repeats heavily from article to article, so every per-word step is worked out once per process.
# None of these depends on jieba's dictionary (see _short_text_runs and _add_extra_words for what does).


def _pieces(word: str, folded: str) -> tuple[str, ...]:
    """The index terms of one word: its folded form cut at non-word characters."""
    pieces = tuple(_WORD.findall(folded))
    return (word,) if pieces == (word,) else pieces  # most words are their own term: keep one string


# A segment() word of NFKC text, and a word of raw text (the importer's parse), as index terms.
_SEGMENTED_PIECES = _Memo(lambda word: _pieces(word, word.lower()))
_GIVEN_PIECES = _Memo(lambda word: _pieces(word, unicodedata.normalize("NFKC", word).lower()))


def runs(text: str, words: Sequence[str] | None = None) -> list[list[str]]:
    """A text's terms in reading order, grouped in runs that touch in the text; `words` = its segment() output."""
    # Terms are jieba's words, NFKC-folded, lower-cased and cut at non-word characters. A dropped space or
    # punctuation mark ends a run, so that no cut-across word is made up from words that never touched.
    # A caller that has segmented the text already (the importer's parse) passes `words` to save a second cut.
    if not text:
        return []
    if words is None:
        text = unicodedata.normalize("NFKC", text)
        words = _parsing().segment(text)
        pieces_of = _SEGMENTED_PIECES
        given = False
    else:
        pieces_of = _GIVEN_PIECES
        given = True
    find = text.find
    found: list[list[str]] = []
    run: list[str] = []
    cursor = 0
    for word in words:
        at = find(word, cursor)
        if at != cursor:
            if at < 0:
                if given:
                    return runs(text)  # not this text's words (edited since the parse)
            else:
                cursor = at
            if run:
                found.append(run)
                run = []
        if at >= 0:
            cursor += len(word)
        pieces = pieces_of[word]
        if len(pieces) == 1:
            run.append(pieces[0])
        elif pieces:
            run.append(pieces[0])
            for piece in pieces[1:]:
                found.append(run)
                run = [piece]
    if run:
        found.append(run)
    return found


def tokens(text: str) -> list[str]:
    """The terms of a text in reading order (see runs)."""
    return [word for run in runs(text) for word in run]


def _han_word(word: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """None for a term without Chinese characters; else its in-word suffixes, and the tails a cut-across word
    may start with (longest first; the same string objects)."""
    if not _HAN.search(word):
        return None
    size = len(word)
    tails = (word, *(word[start:] for start in range(1, size)))
    suffixes = tails[1:] if 2 <= size <= MAX_SUFFIX_WORD else ()
    return suffixes, tails[max(0, size - MAX_SPANNING_WORD + 1) :]


_HAN_WORDS = _Memo(_han_word)


def _add_extra_words(item: Sequence[Sequence[str]], frequencies: dict, found: dict[str, None]) -> None:
    """Add to `found` the in-word suffixes and cut-across dictionary words of each run of words of an item."""
    # In-word suffixes: queries are prefix matches, so with every proper suffix indexed a query word matches
    # wherever it sits inside a longer word (劳模 in 全国劳模 and 劳模精神). Cut-across dictionary words
    # (党员干部 in 广大党员|干部, 组成员 in 党组|成员): the query 党员干部 is one jieba word, so it must be
    # one index term too. Dictionary lookups cost no second segmentation, and as jieba's dictionary also
    # holds every prefix of its words (with frequency 0), a miss ends the search from that character.
    # The lookups are made afresh every time: the importer's parser adds words to jieba on almost every page.
    lookup = frequencies.get
    han_words = _HAN_WORDS
    for run in item:
        info = [han_words[word] for word in run]
        last = len(run) - 1
        for index, word_info in enumerate(info):
            if word_info is None:
                continue
            if word_info[0]:
                found.update(dict.fromkeys(word_info[0]))
            if index == last or info[index + 1] is None:
                continue
            following = run[index + 1]
            first = following[0]
            extended = False
            for tail in word_info[1]:
                word = tail + first
                frequency = lookup(word)
                if frequency is None:
                    continue
                if frequency:
                    found[word] = None
                if not extended:  # rarely needed: the words after the next one, up to SPANNING_TOKENS in all
                    extended = True
                    for offset in range(index + 2, min(index + SPANNING_TOKENS, last + 1)):
                        if info[offset] is None:
                            break
                        following += run[offset]
                for end in range(2, min(len(following), MAX_SPANNING_WORD - len(tail)) + 1):
                    word = tail + following[:end]
                    frequency = lookup(word)
                    if frequency is None:
                        break
                    if frequency:
                        found[word] = None


def _dictionary() -> dict:
    import jieba

    return jieba.dt.FREQ


# --- user dictionary -----------------------------------------------------------------------------------------

_user_terms_lock = threading.Lock()
_user_terms_signature = None
_user_terms_checked_at = float("-inf")
_user_terms_loads = 0


def _gazetteer_signature() -> tuple:
    # Counts and max pks notice additions and deletions; summed name lengths notice most renames.
    parts = []
    for model in (Organisation, OrganisationAlias, Reporter):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(
            f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table}), (SELECT SUM(LENGTH(name)) FROM {table})"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return (connection.alias, *cursor.fetchone())


def ensure_user_terms(*, max_age: float = 0) -> None:
    """Load organisation names, aliases and reporter names into jieba, again only when those tables change."""
    # One cheap query checks for a change; with `max_age`, not even that if the last check is that recent.
    global _user_terms_signature, _user_terms_checked_at, _user_terms_loads
    now = time.monotonic()
    if max_age and _user_terms_signature is not None and now - _user_terms_checked_at < max_age:
        return
    signature = _gazetteer_signature()
    _user_terms_checked_at = now
    if signature == _user_terms_signature:
        return
    with _user_terms_lock:
        names = (
            Organisation.objects.order_by()
            .values_list("name", flat=True)
            .union(
                OrganisationAlias.objects.order_by().values_list("name", flat=True),
                Reporter.objects.order_by().values_list("name", flat=True),
            )
        )
        _parsing().add_user_terms(sorted({name.strip() for name in names if len(name.strip()) >= 2}))
        _user_terms_signature = signature
        _user_terms_loads += 1


def user_terms_loads() -> int:
    """How many times ensure_user_terms has loaded names into jieba: segmentation may differ after each."""
    return _user_terms_loads


def forget_user_terms() -> None:
    """Make the next ensure_user_terms reload the names (a rename may keep counts and lengths)."""
    global _user_terms_signature
    _user_terms_signature = None
