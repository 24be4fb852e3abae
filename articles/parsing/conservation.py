"""Conservation: every printed character of a page ends up in exactly one place of the parsed page."""

from __future__ import annotations

from collections import Counter

from .layout import _clean_line
from .records import ParsedPage
from .text import _WS, normalise_text

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
    for raw in normalise_text(text).split("\n"):
        # The parser's own reading of markup (docs/parsing.md §3): a leading run of #, and a closing run after it.
        _, line = _clean_line(raw)
        counted.update(ch for ch in line if not _blank(ch))
    return counted


def _blank(ch: str) -> bool:
    # Zero-width spaces and BOMs are blank to the parser (it strips them like spaces), though not to str.isspace.
    return ch.isspace() or ch in _WS


def check_conservation(text: str, page: ParsedPage) -> list[str]:
    """Problems with the page's conservation (characters lost or invented); empty when every character is placed."""
    printed = printed_characters(text)
    placed = Counter(ch for ch in placed_text(page) if not _blank(ch))
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
