"""Dates in the text: the page's year, event dates."""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterable, Iterator

from .text import _FULLWIDTH_DIGITS

# --- dates ---------------------------------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2}) ?年 ?)?(?P<m>\d{1,2}) ?月 ?(?P<d>\d{1,2}) ?[日号]"
    r"|(?<![\d月])(?P<d2>\d{1,2}) ?日(?=上午|下午|晚上|晚间|晚|早上|早晨|凌晨|中午|傍晚|夜间|夜里)"
)
_YEAR_RE = re.compile(r"(?P<y>(?:19|20)\d{2}) ?年(?P<du>度)?")
# Where a date can start: every _DATE_RE match begins like this, and a pattern led by a digit class is scanned fast.
_DATE_START_RE = re.compile(r"\d{1,4} ?[年月日]")
_FULLWIDTH_DIGIT_RE = re.compile("[０-９]")
_SENTENCE_SPLIT_RE = re.compile(r"[。！？!?]")


def _date_matches(text: str) -> Iterator[re.Match[str]]:
    """The same matches as _DATE_RE.finditer(text), trying the full pattern only where a date can start."""
    pos = 0
    search = _DATE_START_RE.search
    match = _DATE_RE.match
    while True:
        candidate = search(text, pos)
        if candidate is None:
            return
        m = match(text, candidate.start())  # the look-behind still sees the character before
        if m is None:
            pos = candidate.start() + 1
        else:
            yield m
            pos = m.end()


def _ascii_digits(text: str) -> str:
    return text.translate(_FULLWIDTH_DIGITS) if _FULLWIDTH_DIGIT_RE.search(text) else text


def _page_year(texts: Iterable[str]) -> int | None:
    """The page's year: latest year of a full date, else latest plain 'YYYY年', else latest 'YYYY年度'."""
    full: list[int] = []
    plain: list[int] = []
    fiscal: list[int] = []
    # One pass over all the texts: no date or year pattern matches across a line break.
    text = _ascii_digits("\n".join(texts))
    for m in _date_matches(text):
        if m.group("y"):
            full.append(int(m.group("y")))
    for m in _YEAR_RE.finditer(text):
        before = text[max(0, m.start() - 2) : m.start()]
        # 到2035年 / 至2025年 are targets, not the time of writing.
        if before.endswith(("到", "至")) and not before.endswith("截至"):
            continue
        (fiscal if m.group("du") else plain).append(int(m.group("y")))
    for years in (full, plain, fiscal):
        if years:
            return max(years)
    return None


def _dates_in(text: str, year: int | None, cap: datetime.date | None, month_hint: int | None):
    text = _ascii_digits(text)
    month = month_hint
    # One pass over sentence ends and years, on the first date that needs them; each date then looks back only
    # within its own sentence.
    sentence_ends: list[int] = []
    years: list[tuple[int, int]] = []
    year_starts: list[int] = []
    indexed = False
    for m in _date_matches(text):
        if m.group("d2"):
            if month is None:
                continue
            mo, day, y = month, int(m.group("d2")), None
        else:
            mo, day = int(m.group("m")), int(m.group("d"))
            y = int(m.group("y")) if m.group("y") else None
            month = mo
        if y is None:
            if not indexed:
                sentence_ends = [e.end() for e in _SENTENCE_SPLIT_RE.finditer(text)]
                years = [(e.start(), int(e.group("y"))) for e in _YEAR_RE.finditer(text)]
                year_starts = [p for p, _ in years]
                indexed = True
            k = bisect.bisect_right(sentence_ends, m.start())
            sentence_start = sentence_ends[k - 1] if k else 0
            j = bisect.bisect_left(year_starts, m.start())
            y = years[j - 1][1] if j and years[j - 1][0] >= sentence_start else year
        if y is None:
            continue
        try:
            found = datetime.date(y, mo, day)
        except ValueError:
            continue
        if cap is not None and found > cap and not m.group("y"):
            try:
                found = found.replace(year=found.year - 1)
            except ValueError:
                continue
        yield found


def _event_date(paragraphs: list[str], year: int | None, cap: datetime.date | None) -> datetime.date | None:
    month_hint = cap.month if cap else None
    for paragraph in paragraphs:
        for found in _dates_in(paragraph, year, cap, month_hint):
            return found
    return None
