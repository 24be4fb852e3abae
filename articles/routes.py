"""reverse() for the routes every list links to many times: a route reversed once with markers, then filled in."""

import datetime
import re
from functools import lru_cache
from urllib.parse import quote

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# reverse() tries each candidate pattern, converts, re-matches and quotes on every call: several hundred calls on a
# home or issue page. These routes take ints and slugs only, so the reversed markers give every other character.
_SLUG_RE = re.compile(r"[-\w]+")  # articles.urls.UnicodeSlugConverter.regex
# What reverse() leaves unquoted: RFC 3986's sub-delims and the rest of pchar (django.urls.resolvers).
_SAFE = "!$&'()*+,;=/~:@"


@lru_cache(maxsize=64)
def _route_pieces(viewname, kinds, script_prefix, urlconf):
    """The text around each argument of `viewname`'s URL, or None when no route takes arguments of these kinds."""
    markers = [str(9_000_000_000 + n) if kind is int else f"marker{n}x" for n, kind in enumerate(kinds)]
    try:
        url = reverse(viewname, args=markers, urlconf=urlconf)
    except NoReverseMatch:
        return None
    return _split(url, markers)


def _split(url: str, markers) -> tuple[str, ...] | None:
    """The text of `url` before, between and after `markers` (found in that order), or None if one is missing."""
    pieces = []
    for marker in markers:
        before, found, url = url.partition(marker)
        if not found:
            return None
        pieces.append(before)
    return (*pieces, url)


def url_of(viewname: str, *args) -> str:
    """reverse(viewname, args=args), filled into the route reversed once when the args are ints and slugs."""
    kinds = []
    for arg in args:
        if type(arg) is int and arg >= 0:
            kinds.append(int)
        elif type(arg) is str and _SLUG_RE.fullmatch(arg):
            kinds.append(str)
        else:
            return reverse(viewname, args=args)
    pieces = _route_pieces(viewname, tuple(kinds), get_script_prefix(), get_urlconf())
    if pieces is None:
        return reverse(viewname, args=args)  # Django's own answer, or its NoReverseMatch
    return _filled(pieces, [str(arg) if type(arg) is int else quote(arg, safe=_SAFE) for arg in args])


# Two dates whose year, month and day differ from each other and from any page number, so each is found in turn.
_MARKER_DATE, _CHECK_DATE = datetime.date(1987, 6, 5), datetime.date(2014, 12, 31)


def _date_parts(date: datetime.date) -> list[str]:
    # As the yyyy, mm and dd converters write them (articles.urls.FixedDigitsConverter).
    return [f"{date.year:04d}", f"{date.month:02d}", f"{date.day:02d}"]


@lru_cache(maxsize=16)
def _date_route_pieces(viewname, numbers, script_prefix, urlconf):
    """The text around the year, month, day and `numbers` int arguments of a date route, or None."""
    markers = [*_date_parts(_MARKER_DATE), *(str(9_000_000_000 + n) for n in range(numbers))]
    try:
        url = reverse(viewname, args=[_MARKER_DATE.year, _MARKER_DATE.month, _MARKER_DATE.day, *map(int, markers[3:])])
        check = reverse(viewname, args=[_CHECK_DATE.year, _CHECK_DATE.month, _CHECK_DATE.day, *range(7, 7 + numbers)])
    except NoReverseMatch:
        return None
    pieces = _split(url, markers)
    # The prefix or the route's own text might hold the same digits as a marker; another date must come out right.
    if pieces is None or _filled(pieces, [*_date_parts(_CHECK_DATE), *map(str, range(7, 7 + numbers))]) != check:
        return None
    return pieces


def _filled(pieces, values) -> str:
    parts = [pieces[0]]
    for value, after in zip(values, pieces[1:], strict=True):
        parts += [value, after]
    return "".join(parts)


def date_url(viewname: str, date: datetime.date, *numbers: int) -> str:
    """reverse(viewname, args=(date.year, date.month, date.day, *numbers)) for a route by date, filled in."""
    args = [date.year, date.month, date.day, *numbers]
    if not all(type(number) is int and number >= 0 for number in numbers):
        return reverse(viewname, args=args)
    pieces = _date_route_pieces(viewname, len(numbers), get_script_prefix(), get_urlconf())
    if pieces is None:
        return reverse(viewname, args=args)
    return _filled(pieces, [*_date_parts(date), *map(str, numbers)])
