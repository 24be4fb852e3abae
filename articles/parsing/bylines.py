"""People in datelines, bylines and photo credits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import ROLE_CORRESPONDENT, ROLE_PHOTOGRAPHER, ROLE_REPORTER, Person
from .text import _HAN, _LAST_END_RE, _WS, _terminated

# --- people: datelines, bylines, credits -------------------------------------------------------------------------

_ROLE_LABELS = (
    "全媒体记者",
    "融媒体记者",
    "特约通讯员",
    "特约记者",
    "见习记者",
    "首席记者",
    "摄影记者",
    "驻站记者",
    "记者",
    "通讯员",
    "实习生",
)
_ROLE_ALT = "|".join(_ROLE_LABELS)
_PAPER_ALT = (
    f"本报|[{_HAN}]{{2,8}}?(?:日报社|日报|晚报|晨报|早报|时报|青年报|报社|报|通讯社|新闻社|社|广播电视台|电视台|台|网)"
)
_NAME = f"(?:(?!{_ROLE_ALT}|本报|摄)[{_HAN}]){{2,4}}(?:[·•‧・](?:(?!{_ROLE_ALT}|摄)[{_HAN}]){{1,8}})?"
_PEOPLE_TOKEN_RE = re.compile(
    f"(?P<role>(?P<aff>{_PAPER_ALT})?(?P<label>{_ROLE_ALT}))"
    r"|(?P<sep>[\s、，,/／;；:：|｜]+)"
    f"|(?P<name>{_NAME})"
    r"|(?P<other>.)",
    re.S,
)
_DATELINE_RE = re.compile(
    f"^(?P<src>(?P<paper>{_PAPER_ALT})"
    f"(?P<mid>[{_HAN}]{{0,6}}?(?:\\d{{1,2}}月)?(?:\\d{{1,2}}日)?)(?P<kind>讯|电))"
    r"(?:[ \t\u3000]*[（(](?P<inner>[^（）()\n]{0,80})[）)])?"
)
_DATELINE_OPEN_RE = re.compile(
    f"^(?:{_PAPER_ALT})[{_HAN}\\d月日]{{0,12}}?(?:讯|电)[ \\t\\u3000]*[（(][^（）()]{{0,60}}$"
)
_CREDIT_KW_RE = re.compile(r"(?P<kw>摄影报道|摄影|摄|供图)[ \t\u3000]*[）)]?[ \t\u3000]*$")
_NO_PERSON_CREDIT_RE = re.compile(
    r"[（(]?(?:(?:本版|本组|文中)?图片由[^。！？()（）]{1,30}提供|资料图片|资料图|受访者供图|受访单位供图"
    r"|图片来源[:：][^。！？()（）]{1,30}|视觉中国供图)[）)]?[ \t\u3000]*$"
)
_BYLINE_SENTENCE_RE = re.compile(r"[，,；;：:。]")
_BYLINE_PREFIX_RE = re.compile(r"^(?:文字|撰文|文)[ \t\u3000]*[/／:：|｜][ \t\u3000]*")


@dataclass
class _Credit:
    text: str
    people: list[Person]
    photo: bool
    report: bool = False  # 摄影报道: closes a photo-news item


def _parse_people(
    text: str, *, photographer: bool = False, paper: str | None = None
) -> tuple[list[Person], list[str], bool]:
    """Persons in a 'role name name role name' string, the unreadable leftovers, and whether any role was printed."""
    people: list[Person] = []
    junk: list[str] = []
    label = ""
    affiliation = paper
    saw_role = False
    for m in _PEOPLE_TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "role":
            saw_role = True
            label = m.group("label")
            aff = m.group("aff")
            affiliation = paper if aff in (None, "本报") else aff
        elif kind == "name":
            if photographer:
                role = ROLE_PHOTOGRAPHER
            elif label in ("通讯员", "特约通讯员"):
                role = ROLE_CORRESPONDENT
            else:
                role = ROLE_REPORTER
            people.append(
                Person(
                    name=m.group("name"),
                    role=role,
                    label=label or ("摄" if photographer else ""),
                    affiliation=affiliation,
                )
            )
        elif kind == "other":
            junk.append(m.group())
    return people, junk, saw_role


def _split_credit(text: str) -> tuple[str, _Credit] | None:
    """(text before the credit, credit) when the line is or ends with a photo credit."""
    tail = max(0, len(text) - 120)
    # Each credit pattern holds 摄 or 供图 (图 for the ones without a person): most lines have none, so no search.
    m = _CREDIT_KW_RE.search(text, tail) if text.find("摄", tail) >= 0 or text.find("供图", tail) >= 0 else None
    if m:
        head = text[: m.start()]
        window_start = max(0, len(head) - 80)
        cut = None
        for end in _LAST_END_RE.finditer(head, window_start):
            cut = end.end()
        if cut is None:
            if len(head) > 80:
                return None
            cut = 0
        prefix = text[:cut]
        people_text = head[cut:].strip(_WS)
        spaced = not head or head[-1] in _WS + "/／"
        people_text = people_text.lstrip("（(").rstrip("/／" + _WS)
        if people_text:
            people, junk, saw_role = _parse_people(people_text, photographer=True)
            if people and not junk and (saw_role or spaced) and len(people) <= 8:
                kw = m.group("kw")
                return prefix.rstrip(_WS), _Credit(text[cut:].strip(_WS), people, photo=True, report=kw == "摄影报道")
    m = _NO_PERSON_CREDIT_RE.search(text, tail) if text.find("图", tail) >= 0 else None
    if m:
        prefix = text[: m.start()].rstrip(_WS)
        if not prefix or _terminated(prefix):
            return prefix, _Credit(text[m.start() :].strip(_WS), [], photo=True)
    return None


def _parse_byline(text: str) -> tuple[list[Person], bool] | None:
    """People of a line that is only a byline ('本报记者 张三 通讯员 李四'), and whether it was in brackets."""
    if len(text) > 60:
        return None
    inner = text
    bracketed = False
    if inner[:1] in "（(" and inner[-1:] in "）)":
        inner, bracketed = inner[1:-1], True
    inner = _BYLINE_PREFIX_RE.sub("", inner.strip(_WS))
    # A byline lists names with spaces or 、; commas mean a sentence (记者了解到，…) that happens to start with a role.
    if not inner or _BYLINE_SENTENCE_RE.search(inner):
        return None
    people, junk, saw_role = _parse_people(inner)
    if not people or junk or not saw_role:
        return None
    return people, bracketed
