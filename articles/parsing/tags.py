"""Tags: TF-IDF keywords over the article's segmented fields."""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from .text import _HAN, _HAN_RE, _JIEBA_LOCK, _TOKEN_CACHE_LIMIT, _idf, _stop

TARGET_TAGS = 5
MAX_TAGS = 8

# --- tags ----------------------------------------------------------------------------------------------------------

_FIELD_WEIGHT = {"kicker": 1, "title": 3, "subtitle": 2, "body": 1}
_NUMBERISH_RE = re.compile(
    r"^[\d０-９.%〇零一二三四五六七八九十百千万亿两几第]+"
    r"[个名位家项次届期场批件人年月日天号岁门把张条支块份本台辆座所棵株只双对套间层级轮遍回些点种类]?$"
)
# Two-character tokens led by a function word are jieba's leftovers of an idiom (以赛促训 → 以赛), not words.
_FUNCTION_LEAD = frozenset("以该其各每此这那为在对将把被让给与和及或并也还都已又再就之所而且")
_MAX_TAG = 12
_QUOTED_RE = re.compile(f'[“"「『]([{_HAN}]{{2,8}})[”"」』]')


def _taggable(token: str, stop: frozenset[str]) -> bool:
    return (
        2 <= len(token) <= _MAX_TAG
        and token not in stop
        and bool(_HAN_RE.search(token))
        and not _NUMBERISH_RE.match(token)
        and not any(ch.isdigit() for ch in token)
        and not (len(token) == 2 and token[0] in _FUNCTION_LEAD)
    )


# Per-word tag facts, filled lazily and shared by every page. _tag_factor: None for a word that can be no tag, else
# the product of its IDF and unknown-word bonus (for a first, approximate ranking); _tag_weight: the two factors.
# One look-up per distinct word in the big table: after jieba has run, each costs cache misses.
_tag_factor: dict[str, float | None] = {}
_tag_weight: dict[str, tuple[float, float]] = {}
# The exact ranking is worked out for this many of the best approximately ranked words; that is enough for the pick
# in practice, and the pick falls back to ranking every word when it is not.
_TAG_CANDIDATES = 16
# Approximate and exact scores differ by a few units in the last place; a far wider margin keeps every word that
# could be in the exact top group among the candidates.
_TAG_MARGIN = 1 - 1e-9


def _judge_tag_words(words: Iterable[str]) -> None:
    stop = _stop()
    idf, median = _idf()
    for word in words:
        if not _taggable(word, stop):
            _tag_factor[word] = None
            continue
        # Words jieba's corpus never saw are this paper's own terms (新就业形态劳动者, 职工小家, org names): the longer,
        # the more specific. Known long words get no boost, or idioms (干劲十足) would crowd out the topic.
        weight = (idf[word], 1) if word in idf else (median, 1 + 0.2 * min(len(word) - 2, 6))
        _tag_weight[word] = weight
        _tag_factor[word] = weight[0] * weight[1]


def _tags(tokens: dict[str, list[str]], aliases: Mapping[str, str]) -> list[str]:
    """3–8 TF-IDF keywords from the article's own tokens (title counted 3×); short org forms count as the full name."""
    return _pick_tags(_tag_counts(tokens, aliases))


def _tag_counts(tokens: dict[str, list[str]], aliases: Mapping[str, str]) -> Counter[str]:
    """Each word's weighted count, in first-seen order (title, subtitle, kicker, body); short forms as full names.

    The page counts each article right after cutting it, while its tokens are still in the CPU caches, and picks the
    tags once all are cut, so that the tag tables stay in them.
    """
    # One stream in which each field appears as often as it weighs.
    stream: Iterable[str] = list(
        itertools.chain(
            *(
                tokens.get(name, ())
                for name in ("title", "subtitle", "kicker", "body")
                for _ in range(_FIELD_WEIGHT[name])
            )
        )
    )
    if aliases:
        with _JIEBA_LOCK:
            table = _tag_factor
            _judge_tag_words([short for short in aliases if short not in table])
            # A short form counts as its full name (which is then judged as a tag itself); a short form that can be
            # no tag stays itself and is dropped when the tags are picked.
            as_word = {short: full for short, full in aliases.items() if table[short] is not None}
        stream = map(as_word.get, stream, stream)
    return Counter(stream)


def _pick_tags(counter: Counter[str]) -> list[str]:
    with _JIEBA_LOCK:
        if len(_tag_factor) > _TOKEN_CACHE_LIMIT:
            _tag_factor.clear()
            _tag_weight.clear()
        return _pick_tags_locked(counter)


def _pick_tags_locked(counter: Counter[str]) -> list[str]:
    table = _tag_factor
    try:
        factors = list(map(table.__getitem__, counter))
    except KeyError:
        # Not counter.keys() - table.keys(): that walks the whole table.
        _judge_tag_words(list(itertools.filterfalse(table.__contains__, counter)))
        factors = list(map(table.__getitem__, counter))
    is_tag = list(map(operator.is_not, factors, itertools.repeat(None)))
    words = list(itertools.compress(counter, is_tag))
    if not words:
        return []
    counts = list(map(counter.__getitem__, words))
    total = sum(counts)
    n = len(words)
    if n <= _TAG_CANDIDATES:
        candidates: Iterable[int] = range(n)
    else:
        approx = list(map(operator.mul, counts, itertools.compress(factors, is_tag)))
        order = sorted(range(n), key=approx.__getitem__, reverse=True)
        floor = approx[order[_TAG_CANDIDATES - 1]] * _TAG_MARGIN
        end = _TAG_CANDIDATES
        while end < n and approx[order[end]] >= floor:
            end += 1
        candidates = order[:end]
    scores = _tag_scores(words, counts, total, candidates)
    # Highest score first, ties in first-seen order (sorted is stable, also with reverse=True).
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:_TAG_CANDIDATES]
    chosen, done = _choose_tags(ranked, scores)
    if not done and len(ranked) < n:
        scores = _tag_scores(words, counts, total, range(n))
        chosen, _ = _choose_tags(sorted(scores, key=scores.__getitem__, reverse=True), scores)
    return chosen


def _tag_scores(words: list[str], counts: list[int], total: int, which: Iterable[int]) -> dict[str, float]:
    """TF-IDF scores of the words at the given indexes, keyed in first-seen order."""
    scores = {}
    for k in sorted(which):
        word = words[k]
        idf, bonus = _tag_weight[word]
        scores[word] = counts[k] / total * idf * bonus
    return scores


def _choose_tags(ranked: list[str], scores: dict[str, float]) -> tuple[list[str], bool]:
    """The tags picked from the best-first words, and whether the pick stopped before running out of words."""
    top = scores[ranked[0]]
    chosen: list[str] = []
    for word in ranked:
        if len(chosen) == MAX_TAGS or (len(chosen) >= TARGET_TAGS and scores[word] < top * 0.3):
            return chosen, True
        # 劳模 adds nothing next to 劳模精神; 京华集团 nothing next to 京华集团工会.
        if any(word in kept for kept in chosen):
            continue
        chosen.append(word)
    return chosen, False
