"""Text basics: normalisation, punctuation, jieba segmentation, IDF and stop words, text anomalies."""

from __future__ import annotations

import itertools
import logging
import operator
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

USER_TERM_FREQ = 2000

# --- text basics -------------------------------------------------------------------------------------------------

_HAN = "\u4e00-\u9fff"
_HAN_RE = re.compile(f"[{_HAN}]")
_MARK_RE = re.compile(r"^[#＃]+")
_WS = " \t\u3000\xa0\u2002\u2003\u2009\u200b\ufeff"
# A paragraph ends only at sentence-final punctuation, possibly followed by closing quotes/brackets.
_CLOSERS = "”’」』）)]》\"'"
_ENDERS = "。！？!?…"
# A line ending like this is a broken sentence, never a heading.
_FRAGMENT_END_RE = re.compile(r"[，,、；;：:（(“‘《〈【\[—\-－]$")
_SENTENCE_PUNCT_RE = re.compile(r"[，,；;。！？!?]")
_LAST_END_RE = re.compile(r"[。！？!?…][”’」』）)》\"']*")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalise_text(text: str) -> str:
    """Strip a BOM, make line endings LF, compose to NFC and drop trailing spaces on every line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _terminated(text: str) -> bool:
    core = text.rstrip(_WS).rstrip(_CLOSERS)
    return core.endswith(tuple(_ENDERS)) or core.endswith("...")


def _is_punct_token(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


# --- jieba ------------------------------------------------------------------------------------------------------

_JIEBA_LOCK = threading.RLock()
_jieba_ready = False
_added_terms: set[str] = set()
# jieba only keeps a word whole when it is a run of these characters.
_JIEBA_WORD_RE = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+$")
_idf_table: tuple[dict[str, float], float] | None = None
# segment()'s verdicts on tokens not made of letters and digits only (mostly punctuation), shared by every page. Each
# per-process cache of this kind starts afresh once it holds this many words.
_TOKEN_CACHE_LIMIT = 500_000
_other_tokens: dict[str, bool] = {}
_stopwords: frozenset[str] | None = None


def _ensure_jieba() -> None:
    global _jieba_ready
    if _jieba_ready:
        return
    with _JIEBA_LOCK:
        if _jieba_ready:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        if USERDICT_PATH.exists():
            jieba.load_userdict(str(USERDICT_PATH))
        _jieba_ready = True


def load_dictionary() -> None:
    """Load jieba's dictionary now, not at the first text segmented."""
    _ensure_jieba()


def _freq(word: str) -> int:
    return jieba.dt.FREQ.get(word) or 0


def segment(text: str) -> list[str]:
    """Cut text with jieba (precise mode, HMM on), dropping whitespace-only and punctuation-only tokens."""
    if not text:
        return []
    _ensure_jieba()
    tokens = jieba.lcut(text, HMM=True)
    # Letters and digits in every character: kept, no questions asked (no such character is punctuation, a symbol,
    # a separator or a control). The rest, mostly punctuation, is judged once per distinct token.
    others = set(itertools.filterfalse(str.isalnum, tokens))
    if not others:
        return tokens
    verdicts = _other_tokens
    if not verdicts.keys() >= others:
        verdicts = _judge_tokens(others)
    kept = set(filter(verdicts.__getitem__, others))
    if not kept:
        return list(filter(str.isalnum, tokens))
    return list(itertools.compress(tokens, map(operator.or_, map(str.isalnum, tokens), map(kept.__contains__, tokens))))


def _judge_tokens(tokens: set[str]) -> dict[str, bool]:
    """Add the tokens' keep-or-drop verdicts to the cache; a new cache once the old one has grown too big."""
    global _other_tokens
    verdicts = _other_tokens
    if len(verdicts) > _TOKEN_CACHE_LIMIT:
        verdicts = _other_tokens = {}
    for tok in tokens.difference(verdicts):
        verdicts[tok] = bool(tok.strip()) and not _is_punct_token(tok)
    return verdicts


def add_user_terms(terms: Iterable[str]) -> None:
    """Teach jieba extra words (organisation and people names); adding a word twice does nothing."""
    _ensure_jieba()
    with _JIEBA_LOCK:
        for term in terms:
            # Added terms are stored stripped, so a term found as it is was added (the check below, done early).
            if not isinstance(term, str) or term in _added_terms:
                continue
            term = term.strip()
            if len(term) < 2 or term in _added_terms or not _JIEBA_WORD_RE.match(term):
                continue
            _added_terms.add(term)
            # An explicit frequency: without one jieba.add_word cuts the word itself (suggest_freq), a hidden
            # segmentation pass, and the tiny frequency it picks loses to neighbouring words anyway.
            if _freq(term) < USER_TERM_FREQ:
                jieba.add_word(term, freq=USER_TERM_FREQ)


def _idf() -> tuple[dict[str, float], float]:
    global _idf_table
    if _idf_table is None:
        with _JIEBA_LOCK:
            if _idf_table is None:
                _idf_table = _load_idf()
    return _idf_table


def _load_idf() -> tuple[dict[str, float], float]:
    """jieba's bundled IDF table and its median, read as jieba.analyse reads it.

    Importing jieba.analyse would also import jieba.posseg, which reads the whole dictionary again (about a second)
    for part-of-speech tags the parser never uses. When something else has imported it, its table is used.
    """
    analyse = sys.modules.get("jieba.analyse")
    if analyse is not None:
        table = analyse.default_tfidf
        return table.idf_freq, table.median_idf
    return _read_idf_file()


def _read_idf_file() -> tuple[dict[str, float], float]:
    content = (Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt").read_bytes().decode("utf-8")
    freq: dict[str, float] = {}
    for line in content.splitlines():
        word, value = line.strip().split(" ")
        freq[word] = float(value)
    return freq, sorted(freq.values())[len(freq) // 2]


def _stop() -> frozenset[str]:
    global _stopwords
    if _stopwords is None:
        words = set()
        if STOPWORDS_PATH.exists():
            for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    words.add(line)
        _stopwords = frozenset(words)
    return _stopwords


# --- anomalies -----------------------------------------------------------------------------------------------------

_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")


def _text_anomalies(where: str, text: str) -> list[str]:
    found = []
    for m in _LATIN_WORD_RE.finditer(text):
        word = m.group()
        if not any(ch.islower() for ch in word):
            continue  # AED, LED: acronyms belong in Chinese copy
        before = text[max(0, m.start() - 8) : m.start()].rstrip(_WS)[-1:]
        after = text[m.end() : m.end() + 8].lstrip(_WS)[:1]
        if _HAN_RE.match(before or "") or _HAN_RE.match(after or ""):
            found.append(f"Latin word “{word}” inside Chinese text in {where}")
    count = text.count
    for opened, closed, label in (
        (count("“"), count("”"), "quotes “”"),
        (count("《"), count("》"), "book-title marks 《》"),
        (count("（") + count("("), count("）") + count(")"), "brackets （）"),
    ):
        if opened != closed:
            found.append(f"unbalanced {label} in {where} ({opened} open, {closed} closed)")
    return found
