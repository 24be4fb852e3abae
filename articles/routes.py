"""reverse() for the routes every list links to many times: a route reversed once with markers, then filled in."""

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
    parts = [pieces[0]]
    for arg, after in zip(args, pieces[1:], strict=True):
        parts.append(str(arg) if type(arg) is int else quote(arg, safe=_SAFE))
        parts.append(after)
    return "".join(parts)
