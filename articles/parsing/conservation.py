"""Conservation: every printed character of a page ends up in exactly one place of the parsed page."""

from __future__ import annotations

from collections import Counter

from .records import ParsedPage
from .text import _MARK_RE, normalise_text

# How many differing characters a problem message quotes.
_SHOWN = 20


def placed_text(page: ParsedPage) -> str:
    """Everything the parse kept, one piece a line: banner, header, every article's parts, unassigned text."""
    pieces: list[str] = [page.banner, *page.header_lines]
    for a in page.articles:
        pieces.extend(t for t in (a.kicker, a.title, a.subtitle, a.editor_note, a.dateline) if t)
        pieces.extend(a.body)
        pieces.extend(a.credits)
        pieces.extend(a.continuation_marks)
    pieces.extend(page.unassigned)
    return "\n".join(pieces)


def printed_characters(text: str) -> Counter[str]:
    """The non-blank characters of the page as printed: normalised, without the `#` heading markup."""
    counted: Counter[str] = Counter()
    for line in normalise_text(text).split("\n"):
        line = line.strip()
        if line[:1] in ("#", "＃"):
            # Markup, not content (docs/parsing.md §3): the leading run, and a closing run after it.
            mark = _MARK_RE.match(line)
            line = line[mark.end() :].strip().rstrip("#＃") if mark else line
        counted.update(ch for ch in line if not ch.isspace())
    return counted


def check_conservation(text: str, page: ParsedPage) -> list[str]:
    """Problems with the page's conservation (characters lost or invented); empty when every character is placed."""
    printed = printed_characters(text)
    placed = Counter(ch for ch in placed_text(page) if not ch.isspace())
    problems = []
    lost = printed - placed
    invented = placed - printed
    if lost:
        problems.append(f"{sum(lost.values())} printed characters are nowhere in the parse: {_sample(lost)}")
    if invented:
        problems.append(f"{sum(invented.values())} characters of the parse were never printed: {_sample(invented)}")
    return problems


def _sample(counted: Counter[str]) -> str:
    return "".join(sorted(counted.elements()))[:_SHOWN]
