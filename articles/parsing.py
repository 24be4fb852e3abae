"""Parse one extracted newspaper page into banner, articles, people, organisations, dates and tags (docs/parsing.md)."""

from __future__ import annotations

import bisect
import copy
import datetime
import itertools
import logging
import operator
import re
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jieba

__all__ = [
    "DEFAULT_GAZETTEER",
    "KIND_NEWS",
    "KIND_PHOTO",
    "ROLE_CORRESPONDENT",
    "ROLE_PHOTOGRAPHER",
    "ROLE_REPORTER",
    "ParseError",
    "ParsedArticle",
    "ParsedPage",
    "Person",
    "add_user_terms",
    "normalise_text",
    "page_to_dict",
    "parse_page",
    "segment",
]

ROLE_REPORTER = "reporter"
ROLE_CORRESPONDENT = "correspondent"
ROLE_PHOTOGRAPHER = "photographer"
KIND_NEWS = "news"
KIND_PHOTO = "photo"

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

TARGET_TAGS = 5
MAX_TAGS = 8
LONG_HEADING = 60
USER_TERM_FREQ = 2000
# Real pages declare a handful of short forms (以下简称…); more is machine-made text, not worth the work.
MAX_DECLARATIONS = 50
# The paper is Beijing's: a bare 市… (市总工会, 市疾控中心) is this city's.
HOME_CITY = "北京"

# Organisations (and their aliases) the paper names on almost every page; editors add the rest in the admin.
DEFAULT_GAZETTEER: dict[str, str] = {
    "中华全国总工会": "中华全国总工会",
    "全国总工会": "中华全国总工会",
    "全总": "中华全国总工会",
    "北京市总工会": "北京市总工会",
    "市总工会": "北京市总工会",
    "北京市工会干部学院": "北京市工会干部学院",
    "市工会干部学院": "北京市工会干部学院",
    "北京市总工会职工大学": "北京市总工会职工大学",
    "市总工会职工大学": "北京市总工会职工大学",
    "北京师范大学": "北京师范大学",
    "北师大": "北京师范大学",
    "中国劳动关系学院": "中国劳动关系学院",
    "中共中央党校（国家行政学院）": "中共中央党校（国家行政学院）",
    "中共中央党校(国家行政学院)": "中共中央党校（国家行政学院）",
    "中共中央党校": "中共中央党校（国家行政学院）",
    "中央党校": "中共中央党校（国家行政学院）",
    "国家行政学院": "中共中央党校（国家行政学院）",
}

# Short place names that only ever prefix an organisation's name; never organisations themselves.
_PLACE_ALIASES: dict[str, str] = {
    "经开区": "北京经济技术开发区",
    "北京经开区": "北京经济技术开发区",
    "亦庄经开区": "北京经济技术开发区",
}


class ParseError(ValueError):
    """The text is not a page this parser can read; the message says why."""


@dataclass(frozen=True)
class Person:
    """One named person in a dateline, byline or photo credit."""

    name: str
    role: str
    label: str
    affiliation: str | None = None


@dataclass
class ParsedArticle:
    """One article of a page, as printed."""

    title: str
    kicker: str | None = None
    subtitle: str | None = None
    kind: str = KIND_NEWS
    dateline: str | None = None
    people: list[Person] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    event_date: datetime.date | None = None
    tokens: dict[str, list[str]] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)


@dataclass
class ParsedPage:
    """One page: its banner, its articles and what the page says about itself."""

    banner: str
    articles: list[ParsedArticle]
    issue_date: datetime.date | None = None
    issue_date_inferred: bool = True
    page_number: int | None = None
    issue_number: str | None = None
    anomalies: list[str] = field(default_factory=list)


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


# --- page header ---------------------------------------------------------------------------------------------------

_HEADER_TOKEN_RE = re.compile(
    r"(?P<date>(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*日?)"
    r"|(?P<weekday>星期[一二三四五六日天]|周[一二三四五六日天]|礼拜[一二三四五六日天])"
    r"|(?P<lunar>农历[\u4e00-\u9fff]{2,10})"
    r"|(?P<page>第\s*(?P<pn>\d{1,3})\s*版(?:\s*[:：]\s*[\u4e00-\u9fff]{1,10})?|(?P<pn2>\d{1,3})\s*版|[A-Z](?P<pn3>\d{1,2})\s*版)"
    r"|(?P<issue>第\s*(?P<iss>\d{1,7})\s*期|总第\s*(?P<iss2>\d{1,7})\s*期)"
    r"|(?P<sep>[\s|｜·•/／,，、]+)"
    r"|(?P<other>.)"
)


@dataclass
class _Header:
    date: datetime.date | None = None
    page: int | None = None
    issue: str | None = None


def _read_header_line(text: str, header: _Header) -> bool:
    """Fill header from a line made only of date/page/issue marks; False (header untouched) otherwise."""
    if len(text) > 60:
        return False
    found: dict[str, object] = {}
    for m in _HEADER_TOKEN_RE.finditer(text.translate(_FULLWIDTH_DIGITS)):
        kind = m.lastgroup
        if kind == "other":
            return False
        if kind == "date":
            try:
                found["date"] = datetime.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                return False
        elif kind == "page":
            found["page"] = int(m.group("pn") or m.group("pn2") or m.group("pn3"))
        elif kind == "issue":
            found["issue"] = m.group("iss") or m.group("iss2")
        elif kind in ("weekday", "lunar"):
            found.setdefault("weekday", True)
    if not found or set(found) == {"weekday"}:
        return False
    header.date = found.get("date", header.date)  # type: ignore[assignment]
    header.page = found.get("page", header.page)  # type: ignore[assignment]
    header.issue = found.get("issue", header.issue)  # type: ignore[assignment]
    return True


# --- page structure ------------------------------------------------------------------------------------------------

# Words that open a paragraph (a dateline-less brief starts with one), and words that only continue a sentence.
_OPENER_RE = re.compile(
    r"^(?:近日|日前|近期|连日来|近年来|今年以来|入冬以来|入夏以来|昨天|昨日|今天|今日|本周|上周|记者(?:近日)?从|图为|编者按"
    r"|(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{1,2}日(?:上午|下午|晚|早))"
)
_CONTINUATION_RE = re.compile(
    r"^(?:[，。、；：）》”’,.;:)!?！？]|表示|指出|强调|介绍|说|认为|要求|称|透露|告诉|坦言|感慨|笑着|补充|解释|提出|谈到)"
)
_COLUMN_LABEL_RE = re.compile(
    r"^[【\[]?(?:开栏语|编者按|编后语?|短评|快评|微评|时评|评论员文章|本报评论员|图片新闻|图说|简讯|快讯|一线传真|工会动态"
    r"|新闻链接|相关链接|延伸阅读|记者手记|记者观察)[】\]]?[:：]?$"
)
# Supplementary headline lines start with a verb or slogan; headline proper has a subject.
_SUPPLEMENT_RE = re.compile(
    r"^(?:推动|推进|进一步|贯彻|邀请|包括|坚持|助力|线上线下|深入|加强|强化|持续|聚焦|扎实|全面|围绕|践行|弘扬|学习|落实"
    r"|打造|筑牢|奋力|喜迎|迎接|献礼|争当|争做|争创|用|以|让|把|将|为|在|做|当好|办好|抓好|建设|构建|创新|提升|提高"
    r"|促进|凝聚|引领|激发|服务|关爱|守护|传承|讲好|唱响|共建|共享|携手|同心|牢记|勇担|砥砺|踔厉|奋进|致敬|礼赞|助推|促|解决"
    r"|确保|实现|完善|健全|深化|拓展|丰富|开展|组织|举办|召开|发挥|彰显|展现|展示)"
)
_ACTION_RE = re.compile(
    r"召开|举办|举行|开展|组织|启动|发布|签约|成立|荣获|获评|开班|开学|开幕|闭幕|覆盖|掀起|走进|推出|慰问|表彰|送温暖|送暖"
    r"|变身|催生|揭牌|落户|上线|建成|完成|实现|迎来|为.{1,8}送|情暖|暖心|助力"
)


class _Item:
    __slots__ = ("text", "mark", "kind", "term", "credit", "dateline", "people", "bracketed")

    def __init__(self, text: str, mark: int):
        self.text = text
        self.mark = mark
        self.kind = "T"  # T text, N banner, H banner line that is really a headline, D dateline, B byline, C credit
        self.term = False
        self.credit: _Credit | None = None
        self.dateline: re.Match[str] | None = None
        self.people: list[Person] = []
        self.bracketed = False


def _clean_line(raw: str) -> tuple[int, str]:
    line = raw.strip(_WS)
    m = _MARK_RE.match(line) if line[:1] in ("#", "＃") else None
    mark = 0
    if m:
        mark = len(m.group())
        line = line[m.end() :].strip(_WS).rstrip("#＃").rstrip(_WS)
    return mark, line


def _classify(lines: list[tuple[int, str]]) -> list[_Item]:
    items: list[_Item] = []
    i = 0
    n = len(lines)
    while i < n:
        mark, text = lines[i]
        # A dateline whose brackets were broken across two printed lines.
        if i + 1 < n and _DATELINE_OPEN_RE.match(text):
            joined = _DATELINE_RE.match(text + lines[i + 1][1])
            if joined is not None and joined.group("inner") is not None:
                text = joined.string
                i += 1
        i += 1
        item = _Item(text, mark)
        items.append(item)
        m = _DATELINE_RE.match(text)
        if m and (m.group("inner") is not None or m.group("kind") == "讯"):
            item.kind = "D"
            item.dateline = m
            continue
        split = _split_credit(text)
        if split is not None:
            prefix, credit = split
            item.credit = credit
            if not prefix:
                item.kind = "C"
                continue
            item.text = prefix
        else:
            byline = None if _COLUMN_LABEL_RE.match(text) else _parse_byline(text)
            if byline is not None:
                item.people, item.bracketed = byline
                item.kind = "C" if item.bracketed else "B"
                if item.bracketed:
                    item.credit = _Credit(text, item.people, photo=False)
                continue
        item.term = _terminated(item.text)
    return items


def _loose_heading(item: _Item) -> bool:
    text = item.text
    return (
        item.kind == "T"
        and item.credit is None
        and not item.term
        and 0 < len(text) <= 120
        and "。" not in text
        and not _FRAGMENT_END_RE.search(text)
    )


def _strict_heading(item: _Item) -> bool:
    return _loose_heading(item) and len(item.text) <= 40 and not _SENTENCE_PUNCT_RE.search(item.text)


@dataclass
class _RawArticle:
    headings: list[_Item]
    anchor: _Item | None
    paragraphs: list[list[str]] = field(default_factory=list)
    para_open: bool = False
    credits: list[_Credit] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)

    def add_text(self, text: str, *, own_paragraph: bool = False) -> None:
        if not text:
            return
        if self.para_open and not own_paragraph:
            self.paragraphs[-1].append(text)
        else:
            self.paragraphs.append([text])
        self.para_open = not own_paragraph and not _terminated(text)

    def close(self) -> None:
        self.para_open = False


def _anchor_blocks(items: list[_Item]) -> dict[int, tuple[list[int], int]]:
    """For each dateline/byline, the 0–3 heading lines above it, keyed by where the article starts."""
    blocks: dict[int, tuple[list[int], int]] = {}
    for a, item in enumerate(items):
        if item.kind not in "DB":
            continue
        heads: list[int] = []
        j = a - 1
        while j >= 0 and len(heads) < 3 and _loose_heading(items[j]):
            heads.insert(0, j)
            j -= 1
        if item.kind == "B" and not heads:
            # A byline with no headline above it signs the previous article.
            item.kind = "C"
            item.credit = _Credit(item.text, item.people, photo=False)
            continue
        if not heads and j >= 0 and items[j].kind == "N" and j == a - 1:
            heads = [j]  # the page has no banner: its first line is this article's headline
        elif len(heads) >= 2 and j >= 0 and items[j].kind == "T" and not items[j].term and not items[heads[0]].mark:
            heads.pop(0)  # a fragment after an unfinished paragraph continues it
        blocks[heads[0] if heads else a] = (heads, a)
    return blocks


def _title_mark(items: list[_Item], blocks: dict[int, tuple[list[int], int]]) -> int:
    counts = Counter(items[h].mark for heads, _ in blocks.values() for h in heads if items[h].mark)
    if not counts:
        counts = Counter(it.mark for it in items if it.mark and it.kind == "T")
    if not counts:
        return 0
    return min(counts, key=lambda mark: (-counts[mark], mark))


def _dateless_heading(
    items: list[_Item], i: int, blocks: dict[int, tuple[list[int], int]], title_mark: int, after_credit: bool
) -> int:
    """How many lines from i head an article with no dateline (photo news, 开栏语, brief); 0 when they do not."""
    n = len(items)
    first = items[i]
    marked = bool(title_mark and first.mark == title_mark)
    run: list[int] = []
    j = i
    while j < n and len(run) < 4 and j not in blocks and items[j].kind == "T":
        it = items[j]
        if not (_strict_heading(it) or (marked and it.mark and _loose_heading(it))):
            break
        run.append(j)
        j += 1
    if not run or len(run) > 3:
        return 0
    nxt = items[j] if j < n and j not in blocks else None
    if nxt is not None and nxt.kind == "T" and _CONTINUATION_RE.match(nxt.text):
        return 0
    # A caption closed by a photo credit within a few lines; a headline after a finished paragraph on the way
    # means the credit closes the next item, not this one.
    k = j
    while k < n and k - j < 4 and k not in blocks and items[k].kind == "T" and items[k].credit is None:
        if k > j and items[k - 1].term and _strict_heading(items[k]):
            break
        k += 1
    closing = items[k] if k < n and k not in blocks else None
    if closing is not None and closing.credit is not None and closing.credit.photo:
        caption_opens = k == j or _OPENER_RE.match(items[j].text) or items[j].text.startswith("图为")
        if closing.credit.report or caption_opens or marked:
            if k > j:
                return len(run)
            if len(run) >= 2:
                return len(run) - 1
    if nxt is None or nxt.kind != "T":
        return 0
    if marked or after_credit or _COLUMN_LABEL_RE.match(first.text) or _OPENER_RE.match(nxt.text):
        return len(run)
    return 0


def _assign_headings(
    lines: list[_Item], title_mark: int, is_title_like: Callable[[str], bool]
) -> tuple[str | None, str, str | None]:
    """(kicker, title, subtitle) of a heading block: markup first, else line count, else content."""
    texts = [it.text for it in lines]
    marks = [it.mark for it in lines]
    idx = None
    if title_mark and marks.count(title_mark) == 1:
        idx = marks.index(title_mark)
    elif sum(1 for m in marks if m) == 1:
        idx = next(k for k, m in enumerate(marks) if m)
    if idx is None:
        if len(texts) == 2:
            first, second = (is_title_like(t) for t in texts)
            if first != second:
                idx = 1 if second else 0
            else:
                # Neither (or both) has a subject: a slogan line on top is the kicker, else title + subtitle.
                idx = 1 if _supplementary(texts[0]) and not _supplementary(texts[1]) else 0
        else:
            idx = len(texts) // 2 if len(texts) == 3 else 0
    kicker = " ".join(texts[:idx]) or None
    subtitle = " ".join(texts[idx + 1 :]) or None
    return kicker, texts[idx], subtitle


# --- organisations -----------------------------------------------------------------------------------------------

_ORG_SUFFIXES = (
    "工会联合会",
    "工会委员会",
    "总工会",
    "工会",
    "工委",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "分公司",
    "公司",
    "大学",
    "学院",
    "党校",
    "中学",
    "小学",
    "学校",
    "医院",
    "科学院",
    "工程院",
    "研究院",
    "研究所",
    "设计院",
    "支队",
    "大队",
    "项目部",
    "街道",
    "办事处",
    "常委会",
    "委员会",
    "协会",
    "联合会",
    "基金会",
    "促进会",
    "研究会",
    "组织部",
    "宣传部",
    "统战部",
    "中心",
    "铁矿",
    "煤矿",
    "局",
)
_ORG_SUFFIX_RE = re.compile("|".join(sorted(map(re.escape, _ORG_SUFFIXES), key=len, reverse=True)))
_ORG_SUFFIX_END_RE = re.compile("(?:" + "|".join(sorted(map(re.escape, _ORG_SUFFIXES), key=len, reverse=True)) + ")$")
# Suffixes that are also the tail of common words (大学生, 中心组, 格局): checked against the dictionary.
_WEAK_SUFFIXES = frozenset(
    {"中心", "大学", "学院", "学校", "中学", "小学", "医院", "党校", "街道", "局", "委员会", "协会"}
)
_COMMON_JU_OK = frozenset(
    {
        "公安局",
        "税务局",
        "教育局",
        "民政局",
        "财政局",
        "交通局",
        "卫生局",
        "文化局",
        "统计局",
        "审计局",
        "商务局",
        "林业局",
        "水务局",
        "气象局",
        "邮政局",
    }
)
# A run of Han characters (and ·) ends at any other character. This matches from where it starts to just after the
# last such boundary before where it stops.
_LAST_HARD_BOUNDARY_RE = re.compile(f".*[^{_HAN}·]", re.S)
_MAX_ORG = 32


# Words that cannot be inside an organisation's name, so its name starts after the last of them.
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_BREAKER_WORDS = _words(
    "近日 日前 近期 连日来 近年来 当天 当日 今年 去年 明年 目前 当前 此前 此后 随后 同时 此外 另外 现场 据悉 据了解 "
    "记者 下一步 未来 今后 期间 之际 前夕 以来 获悉 了解到 了解 表示 介绍 指出 强调 要求 召开 举办 举行 开展 邀请 "
    "来自 面向 参加 参与 获得 荣获 进行 主办 承办 协办 推动 推进 深入 走进 走访 发动 动员 依托 借助 携手 会同 配合 "
    "带领 围绕 聚焦 通过 利用 设立 启动 发放 慰问 看望 落户 位于 隶属 包括 涵盖 覆盖 作为 成为 担任 所在 所有 全体 "
    "为了 关于 对于 根据 按照 依据 由于 因为 为此 以及 或者 并且 而且 其中 之一 传达 心系 驻守 驻扎 扎根 入职 离开 "
    "加入 进入 回到 来到 前往 赶赴 调研 考察 参观 视察 联系 对接 帮助 协助 表彰 授予 命名 评为 签约 签署 揭牌 挂牌 "
    "发布 印发 出台 部署 落实 贯彻 实施 完成 实现 组建 筹建 学习 观看 听取 出席 主持 讲话 宣讲 送去 送到 捐赠 资助 "
    "赞助 感谢 鼓励 号召 倡议 希望 认为 看到 发现 知道 发出 向着 朝着 针对 结合 立足 依靠 还将 已经 正在 先后 分别 "
    "共同 一起 积极 主动 认真 全面 广泛 大力 不断 持续 进一步 切实 充分 均 由 在 对 向 为 从 将 把 被 让 给 是 了 于 "
    "至 到 等 同 跟 经 据 并 也 还 都 已 又 再 就 该 其 各 每 之 以 自 当 或 但 且 所 而 即 共 曾 正 仍 如 因 则 非 未 "
    "不 很 更 最 才 只 仅 要 赴 随 替 请 派 使 令 及 与 和 发挥 找准 "
    "就是 还是 但是 于是 总是 正是 而是 不是 也是 都是 这是 那是 现在 存在 实在 就在 都在 也在 还在 将在 已在 考上 报考"
)
_BREAKER_RE = re.compile("|".join(sorted(map(re.escape, _BREAKER_WORDS), key=len, reverse=True)))
_CONJUNCTIONS = frozenset({"与", "和"})
_MEASURE_AFTER_NUMBER_RE = re.compile(r"(?:年度|年|月|日|号|个|名|家|位|届|期|次|项|余|多)")
_NOT_IN_ORG_RE = re.compile(r"[的们性着了过之是]")
_NICKNAME_AFTER_RE = re.compile(r"[”\"」』]的?(?:美誉|美称|称号|之称|雅号|誉称)")
_NICKNAME_OPENERS = frozenset('“"「『\n')
_NICKNAME_CLOSERS = frozenset('”"」』')
_NICKNAME_BEFORE_RE = re.compile(r"(?:素有|誉为|称为|号称|被誉为|被称为)[“\"「『]$")
_PLACE_FIXED = (
    "北京市",
    "北京",
    "首都",
    "中国",
    "中华",
    "全国",
    "中央",
    "国家",
    "中共",
    "天津市",
    "天津",
    "上海市",
    "上海",
    "重庆市",
    "重庆",
    "河北省",
    "河北",
    "雄安新区",
)
_PLACE_FIXED_RE = re.compile("|".join(map(re.escape, _PLACE_FIXED)))
_PLACE_START_RE = re.compile(
    f"(?![全该各本辖园景城社小片新老地厂校营矿港郊市区街乡镇县村每此其我你他她它这那几多某])"
    f"[{_HAN}]{{2,4}}?(?<![全该各本辖园景社小片市区])(?:自治区|省|市|区|县|旗|镇|乡|街道|地区)"
)
_BARE_REGION_RE = re.compile(
    f"(?:北京市?|首都|中国|中华|全国|天津市?|上海市?|重庆市?)|(?![全该各本辖园景城社小片新老地市区])[{_HAN}]{{1,5}}(?:省|市|区|县)"
)
_GENERIC_LEVEL = frozenset(
    _words(
        "区 市 县 镇 乡 村 街道 乡镇 街乡 街道乡镇 地区 社区 基层 各级 全市 全区 全县 全镇 市区 该区 该镇 该街道 "
        "本区 项目部 项目 公司 分公司 集团 企业 单位 学校 该校 本校 机关 系统 产业 行业 区级 市级 县级 二级单位 "
        "所属 直属 院 校 部 科 镇级 村级 市级产业 区内 市内 辖区 园区 街道总 省 国有企业 民营企业 非公企业 新就业形态 "
        "大学 学院 中学 小学 医院 有限公司 股份有限公司 分公司 总公司"
    )
)
_UNIT_ENDINGS = (
    "公司",
    "集团",
    "大学",
    "学院",
    "学校",
    "中学",
    "小学",
    "医院",
    "项目部",
    "支队",
    "大队",
    "中队",
    "街道",
    "铁矿",
    "煤矿",
    "社区",
    "地区",
    "中心",
    "协会",
    "委员会",
    "研究院",
    "研究所",
    "分行",
    "支行",
    "银行",
    "车间",
    "工区",
    "厂",
    "站",
    "所",
    "院",
    "校",
    "局",
    "村",
    "镇",
    "乡",
    "馆",
    "园",
    "场",
    "队",
    "店",
)
_SECTOR_UNION_RE = re.compile(
    "(?:北京市?|首都|全国|中国)(?:教育|金融|建设|交通运输|交通|运输|农林水|农林|水务|商贸服务业|商贸|服务业|国防邮电"
    "|国防|邮电|能源化学|能源|化学|文化体育|文化|体育|卫生健康|卫生|科技|机械冶金建材|机械|冶金|建材|财贸|轻工|纺织"
    "|电力|医务|旅游|传媒|城建|环卫|海员|铁路|民航|邮政|公路|航空)+"
)
# Words that make a 大学/学院 name whatever its first word (燕京联合学院, 北方建筑学院).
_ACADEMIC_RE = re.compile(
    "职业|技术|师范|财经|经贸|科技|医科|医学|理工|农业|林业|工业|商业|外国语|传媒|建筑|电力|体育|艺术|音乐|美术|联合"
    "|政法|中医药|警官|航空|石油|化工|电子|邮电|矿业|地质|民族|服装"
)
_UNIT_GAP_RE = re.compile("[区镇乡县村]|街道")
_UNIVERSITY_RE = re.compile("(?:大学|学院)")
_SCHOOL_SUFFIXES = frozenset({"大学", "学院", "中学", "小学"})
_GENERIC_ENDINGS = (
    "基层",
    "各级",
    "系统",
    "机关",
    "产业",
    "行业",
    "单位",
    "区级",
    "市级",
    "县级",
    "所属",
    "直属",
    "企业",
)
_GENERIC_START = (
    "该",
    "本",
    "各",
    "全",
    "其",
    "我",
    "母",
    "子",
    "总",
    "分",
    "集团",
    "公司",
    "企业",
    "国有",
    "民营",
    "上市",
    "大型",
    "中小",
    "小微",
    "龙头",
    "相关",
    "有关",
    "所属",
    "下属",
    "直属",
    "基层",
    "一线",
    "多家",
    "这家",
    "那家",
    "此",
    "区",
    "市",
    "县",
    "镇",
    "乡",
    "街道",
    "项目",
    "二级",
    "单位",
    "机关",
    "系统",
    "产业",
    "行业",
    "学校",
    "校",
    "院",
    "部",
    "科",
)
_DECLARATION_RE = re.compile(
    r"[（(][ \t\u3000]*(?:以下)?(?:简称|下称)[ \t\u3000]*[:：]?[ \t\u3000]*[“\"「『]?"
    r"(?P<short>[^（）()“”\"「」『』\s，。、]{1,15}?)[”\"」』]?[ \t\u3000]*[）)]"
)


# Longer gazetteer names would nest the trie regex too deeply; a gazetteer holding one is searched without it.
_MAX_TRIE_NAME = 100


def _trie_regex(words: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any of the words, the longest one where several start at the same place.

    The words are laid out as a trie: where a word ends and longer ones go on, the longer ones are tried first.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return re.compile(r"(?!)")

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return body + "?" if len(branches) > 1 else "(?:" + body + ")?"
        return body

    return re.compile(pattern(trie))


class _Gazetteer:
    """Names to look for: the editors' gazetteer, declared aliases, and place short forms.

    Built once per distinct gazetteer (the importer passes the same one for every page) and copied for each page by
    for_page(): a page's declared short forms stay on that page.
    """

    def __init__(self, entries: Mapping[str, str]):
        self.orgs: dict[str, str] = {
            k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str) and k
        }
        self.canonicals = set(self.orgs.values())
        # The gazetteer's names as one regex that finds, at the leftmost place, the longest name starting there (its
        # nesting grows with name length: with an absurdly long name, names are looked up character by character).
        self._names_re: re.Pattern[str] | None = None
        if all(len(k) <= _MAX_TRIE_NAME for k in self.orgs):
            self._names_re = _trie_regex(self.orgs)
        self.first: dict[str, list[int]] = {}
        for key in self.orgs:
            lengths = self.first.setdefault(key[0], [])
            if len(key) not in lengths:
                lengths.append(len(key))
        for lengths in self.first.values():
            lengths.sort(reverse=True)
        self.prefixes: dict[str, str] = dict(_PLACE_ALIASES)
        self.prefixes.update(self.orgs)
        self.prefix_lengths = sorted({len(k) for k in self.prefixes}, reverse=True)
        self.prefix_first: dict[str, list[int]] = {}
        for key in self.prefixes:
            if len(key) >= 2:
                lengths = self.prefix_first.setdefault(key[0], [])
                if len(key) not in lengths:
                    lengths.append(len(key))
        self._shared = False

    def for_page(self) -> _Gazetteer:
        page = copy.copy(self)
        page._shared = True  # the prefix tables are this object's until the page declares a short form
        return page

    def declare(self, short: str, full: str) -> None:
        if not (short and full and short != full) or short in self.prefixes:
            return
        if self._shared:
            self.prefixes = dict(self.prefixes)
            self.prefix_lengths = list(self.prefix_lengths)
            self.prefix_first = {k: list(v) for k, v in self.prefix_first.items()}
            self._shared = False
        self.prefixes[short] = full
        n = len(short)
        if n not in self.prefix_lengths:
            bisect.insort(self.prefix_lengths, n, key=operator.neg)
        if n >= 2:
            lengths = self.prefix_first.setdefault(short[0], [])
            if n not in lengths:
                lengths.append(n)

    def known_at(self, text: str, pos: int) -> bool:
        lengths = self.prefix_first.get(text[pos : pos + 1])
        if lengths:
            prefixes = self.prefixes
            for n in lengths:
                if text[pos : pos + n] in prefixes:
                    return True
        return False

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Gazetteer names in text, left to right, longest first. A name of one or two characters does not count where
        the character before it and its first make a dictionary word (安全总监 holds no 全总)."""
        if self._names_re is None:
            return self._matches_by_character(text)
        found = []
        search = self._names_re.search
        freq = jieba.dt.FREQ.get
        pos = 0
        while (m := search(text, pos)) is not None:
            i, end = m.span()
            if end - i > 2 or i == 0 or (freq(text[i - 1 : i + 1]) or 0) <= 0:
                found.append((i, end, m.group()))
                pos = end
            else:
                pos = i + 1
        return found

    def _matches_by_character(self, text: str) -> list[tuple[int, int, str]]:
        found = []
        i = 0
        n = len(text)
        while i < n:
            lengths = self.first.get(text[i])
            hit = 0
            if lengths:
                for length in lengths:
                    if i + length > n:
                        continue  # a slice cut short by the end of the text is a shorter name, tried in its turn
                    key = text[i : i + length]
                    if key in self.orgs and (length > 2 or i == 0 or _freq(text[i - 1 : i + 1]) <= 0):
                        hit = length
                        break
            if hit:
                found.append((i, i + hit, text[i : i + hit]))
                i += hit
            else:
                i += 1
        return found

    def compose(self, surface: str) -> tuple[str, bool]:
        """Full name of surface, and whether a known name (gazetteer, alias, place) starts it."""
        if surface in self.orgs:
            return self.orgs[surface], True
        size = len(surface)
        prefixes = self.prefixes
        for n in self.prefix_lengths:
            if n < size and surface[:n] in prefixes:
                return prefixes[surface[:n]] + surface[n:], True
        if surface.startswith("市") and surface[1:2] not in ("级", "区", "场", "民", "内", "属", "直", "里", "值"):
            return HOME_CITY + surface, False
        return surface, False


_gazetteers: dict[tuple[tuple[str, str], ...], _Gazetteer] = {}


def _gazetteer(entries: dict[str, str]) -> _Gazetteer:
    """The gazetteer for these entries, built once: the importer passes the same names for every page."""
    key = tuple(entries.items())
    gaz = _gazetteers.get(key)
    if gaz is None:
        gaz = _Gazetteer(entries)
        with _JIEBA_LOCK:
            if len(_gazetteers) >= 4:
                _gazetteers.clear()
            _gazetteers[key] = gaz
    return gaz


# One name found in a text: (field index, start, end, surface, the organisation suffix it ends with, or None when the
# gazetteer named it).
_Mention = tuple[int, int, int, str, str | None]


def _protected(text: str, pos: int, gaz: _Gazetteer) -> bool:
    """True when the one-character breaker at pos is really part of a word (和平街, 首都, 经济, 同济)."""
    if gaz.known_at(text, pos):
        return True
    # Inside a fixed place name (首都机场: 都 is not "all"): one starting one or two characters before.
    if pos and (text.startswith(_PLACE_FIXED, pos - 1) or (pos >= 2 and text.startswith(_PLACE_FIXED, pos - 2))):
        return True
    freq = jieba.dt.FREQ.get
    after = max(freq(text[pos + 1 : pos + 3], 0), freq(text[pos + 1 : pos + 4], 0), freq(text[pos + 1 : pos + 5], 0))
    here = max(freq(text[pos : pos + 2], 0), freq(text[pos : pos + 3], 0), freq(text[pos : pos + 4], 0))
    if pos:
        ending = max(
            freq(text[pos - 1 : pos + 1], 0), freq(text[pos - 2 : pos + 1], 0), freq(text[pos - 3 : pos + 1], 0)
        )
    else:
        ending = 0
    return max(here, ending) > after


def _word_at(text: str, pos: int, gaz: _Gazetteer) -> bool:
    if gaz.known_at(text, pos):
        return True
    freq = jieba.dt.FREQ.get
    return freq(text[pos : pos + 2], 0) > 0 or freq(text[pos : pos + 3], 0) > 0 or freq(text[pos : pos + 4], 0) > 0


def _org_start(
    text: str, run_start: int, suffix_start: int, gaz: _Gazetteer
) -> tuple[int, int, list[tuple[int, bool]]]:
    """Where the name ending at suffix_start begins, the last verb before it, and the one-character cuts since.

    Each cut is (where the name would start, whether the cut character ends a dictionary word: 财经 → 经).
    """
    start = run_start
    floor = run_start
    soft: list[tuple[int, bool]] = []
    for m in _BREAKER_RE.finditer(text, run_start, suffix_start):
        word = m.group()
        # 与/和 join two names (A总工会与B) but also sit inside one (体育与运动学院, 人力资源和社会保障局).
        if len(word) == 1:
            if _protected(text, m.start(), gaz):
                continue
            # At a run start a lone 正/将/在 is a preposition only if a word follows (，将朝阳区… vs 正华环保公司).
            if m.start() == run_start and not _word_at(text, m.end(), gaz):
                continue
            # 通州区于家务乡, 密云区不老屯镇: a place chain, unless a new name plainly starts (北京市将北京市总工会).
            if (
                m.start() > run_start
                and text[m.start() - 1] in "区县市镇乡"
                and _is_place_start(text[m.end() : m.end() + 8])
                and not text.startswith(_PLACE_FIXED, m.end())
                and not gaz.known_at(text, m.end())
            ):
                continue
        # 和/与 opening a run joins nothing unless a name just closed before it (（国家行政学院）和中国…).
        if (
            word in _CONJUNCTIONS
            and m.start() == run_start
            and (not run_start or text[run_start - 1] not in "）)”』」》")
        ):
            continue
        if word in _CONJUNCTIONS and m.start() > start:
            joins_two = (
                _ORG_SUFFIX_END_RE.search(text[start : m.start()])
                or gaz.known_at(text, m.end())
                or _is_place_start(text[m.end() : m.end() + 8])
            )
            if not joins_two:
                continue
        start = m.end()
        if len(word) == 1 and word not in _CONJUNCTIONS:
            p = m.start()
            freq = jieba.dt.FREQ.get
            ends_word = p >= 1 and (
                freq(text[p - 1 : p + 1], 0) > 0
                or (p >= 2 and freq(text[p - 2 : p + 1], 0) > 0)
                or (p >= 3 and freq(text[p - 3 : p + 1], 0) > 0)
            )
            soft.append((start, ends_word))
        else:
            floor, soft = start, []
    if start > 0 and start == run_start and text[start - 1].isdigit():
        m = _MEASURE_AFTER_NUMBER_RE.match(text, start)
        if m:
            start = floor = m.end()
    return start, floor, soft


def _run_start(text: str, end: int) -> int:
    """Start of the run of Han characters (and ·) that ends at end, looking back at most _MAX_ORG characters."""
    floor = max(0, end - _MAX_ORG)
    m = _LAST_HARD_BOUNDARY_RE.match(text, floor, end)
    return m.end() if m else floor


def _find_mentions(text: str, field_index: int, gaz: _Gazetteer) -> list[_Mention]:
    mentions: list[_Mention] = [(field_index, s, e, surface, None) for s, e, surface in gaz.matches(text)]
    # This runs for every organisation suffix on the page: lookups are bound once, and _run_start and (for the
    # common run without a breaker word) _org_start are written out.
    freq = jieba.dt.FREQ.get
    known_at = gaz.known_at
    last_boundary = _LAST_HARD_BOUNDARY_RE.match
    breaker = _BREAKER_RE.search
    for m in _ORG_SUFFIX_RE.finditer(text):
        suffix = m.group()
        s0, e = m.span()
        if suffix in _WEAK_SUFFIXES:
            tail = text[e - 2 : e] if len(suffix) >= 2 else text[e - 1 : e]
            if freq(tail + text[e : e + 1], 0) > 0 or freq(tail + text[e : e + 2], 0) > 0:
                continue
            # 集中学习: the suffix straddles two words.
            if s0 and freq(text[s0 - 1 : s0 + 1], 0) > 0 and freq(text[e - 1 : e + 1], 0) > 0:
                continue
            if suffix == "局":
                word = text[e - 2 : e]
                if freq(word, 0) >= 50 and text[e - 3 : e] not in _COMMON_JU_OK:
                    continue
        floor = s0 - _MAX_ORG if s0 > _MAX_ORG else 0
        boundary = last_boundary(text, floor, s0)
        run_start = boundary.end() if boundary else floor
        cuts: list[tuple[int, bool]]
        if breaker(text, run_start, s0) is None:
            start = floor = run_start
            cuts = []
            if start > 0 and text[start - 1].isdigit():
                measure = _MEASURE_AFTER_NUMBER_RE.match(text, start)
                if measure:
                    start = floor = measure.end()
        else:
            start, floor, cuts = _org_start(text, run_start, s0, gaz)
        if s0 - start < 1:
            proper = False
        elif known_at(text, start):
            proper = True
        else:
            name = text[start:e]
            proper = _is_place_start(name) or _brand(name)
        if not proper:
            # 北京财经职业学院, 京北财经大学: a cut at a character that ends a word (经 of 财经) left a nameless
            # tail; undo such cuts, latest first, until a place, known name or school name starts the name.
            k = len(cuts)
            while k and cuts[k - 1][1]:
                k -= 1
                earlier = cuts[k - 1][0] if k else floor
                if _ORG_SUFFIX_RE.search(text, earlier, start):
                    break
                if known_at(text, earlier) or _is_place_start(text[earlier:e]) or _school(text[earlier:e]):
                    start = earlier
                    break
            if s0 - start < 1:
                continue
            else:
                # 考上北京大学, 学员齐聚北京市总工会职工大学: the name begins at the first place or known name inside.
                for p in range(start + 1, s0 - 1):
                    if known_at(text, p) or text.startswith(_PLACE_FIXED, p):
                        start = p
                        break
        surface = text[start:e]
        if _NOT_IN_ORG_RE.search(surface):
            continue
        # A nickname is quoted: no quote mark next to the name (or line break, for $), no regex.
        if (
            start
            and text[start - 1] in _NICKNAME_OPENERS
            and _NICKNAME_BEFORE_RE.search(text, max(0, start - 4), start)
        ) or (text[e : e + 1] in _NICKNAME_CLOSERS and _NICKNAME_AFTER_RE.match(text, e)):
            continue
        mentions.append((field_index, start, e, surface, suffix))
    return mentions


def _brand(name: str) -> bool:
    if not _HAN_RE.match(name[:1]) or name.startswith(_GENERIC_START):
        return False
    return jieba.dt.FREQ.get(name[:2], 0) < 100


def _school(name: str) -> bool:
    school = _ORG_SUFFIX_END_RE.search(name)
    if school is None or school.group() not in _SCHOOL_SUFFIXES:
        inner = _UNIVERSITY_RE.search(name)
        if inner is None:
            return False
        head = name[: inner.start()]
    else:
        head = name[: school.start()]
    return len(head) >= 3 and not head.startswith(_GENERIC_START) and bool(_ACADEMIC_RE.search(head))


def _is_place_start(name: str) -> bool:
    if name.startswith(_PLACE_FIXED):
        return True
    m = _PLACE_START_RE.match(name)
    # 齐聚北京市 is not a city: a real place name would start at 北京.
    return m is not None and not _PLACE_FIXED_RE.search(m.group(), 1)


def _suffix_allows(canonical: str, suffix: str, known_head: bool) -> bool:
    """Generic forms (区总工会, 首都工会, 基层工会, 该项目部工会) name no single organisation."""
    head = canonical[: -len(suffix)]
    if len(head) < 2 or head in _GENERIC_LEVEL:
        return False
    if suffix == "工会":
        # A plain 工会 belongs to a unit (公司, 大学, 街道…) or a sector (北京市教育工会, a municipal industry
        # union); 北京工会, 首都工会, 基层工会 are no one body.
        if _SECTOR_UNION_RE.fullmatch(head):
            return True
        if _BARE_REGION_RE.fullmatch(head) or head.endswith(_GENERIC_ENDINGS):
            return False
        if not (head.endswith(_UNIT_ENDINGS) or known_head):
            return False
    return not (suffix == "总工会" and head.endswith(_GENERIC_ENDINGS))


def _subsequence_alias(short: str, full: str) -> bool:
    """True when short is full with some characters left out, none of them a smaller administrative unit."""
    if len(short) < 4 or short[-2:] != full[-2:]:
        return False
    # Each character of short, from the right, at its rightmost place in full before the one matched after it; the
    # characters skipped between two matches (or after the last) form a gap. Those before the first do not count.
    end = len(full)
    for ch in reversed(short):
        k = full.rfind(ch, 0, end)
        if k < 0:
            return False
        if k + 1 < end and _UNIT_GAP_RE.search(full, k + 1, end):
            return False
        end = k
    return True


class _Resolver:
    """Finds the one longer organisation a short form stands for; indexed so a huge page stays linear."""

    MAX_LOOSE = 64
    # Up to this many targets, str.count over the targets joined with a separator stands in for the indexes.
    MAX_SCAN = 32
    SEP = "\x00"

    def __init__(self, targets: Iterable[str]):
        self.targets = set(targets)
        self.joined: str | None = None
        self.by_suffix: dict[str, set[str]] = {}
        self.by_ending: dict[str, list[str]] = {}
        if len(self.targets) <= self.MAX_SCAN and not any(self.SEP in t for t in self.targets):
            self.joined = self.SEP.join(self.targets) + self.SEP
        else:
            for t in self.targets:
                for k in range(1, len(t) - 1):
                    self.by_suffix.setdefault(t[k:], set()).add(t)
                self.by_ending.setdefault(t[-2:], []).append(t)
        self.cache: dict[str, str | None] = {}

    def __call__(self, name: str) -> str | None:
        if name not in self.cache:
            self.cache[name] = self._resolve(name)
        return self.cache[name]

    def _ending_with(self, tail: str, name: str) -> int:
        """How many targets other than name end with tail (in the joined form each target ends at a separator)."""
        assert self.joined is not None
        return self.joined.count(tail + self.SEP) - (name.endswith(tail) and name in self.targets)

    def _resolve(self, name: str) -> str | None:
        n = len(name)
        if self.joined is None:
            suffix_hits: Collection[str] = self.by_suffix.get(name, ())
        elif n >= 2 and self._ending_with(name, name):
            # The index holds the targets ending with name, at least two characters long and shorter than them.
            suffix_hits = [t for t in self.targets if len(t) > n and t.endswith(name)]
        else:
            suffix_hits = ()
        if len(suffix_hits) == 1:
            return next(iter(suffix_hits))
        if suffix_hits:
            return None
        if name.endswith("工会"):
            federations = [name + tail for tail in ("联合会", "委员会") if name + tail in self.targets]
            if len(federations) == 1:
                return federations[0]
        ending = name[-2:]
        if self.joined is None:
            bucket = self.by_ending.get(ending, [])
        elif n >= 4 and self._ending_with(ending, name):  # shorter names are never a loose alias
            bucket = [t for t in self.targets if t[-2:] == ending]
        else:
            bucket = []
        if len(bucket) > self.MAX_LOOSE:
            return None  # only on machine-made pages; loose matching there would cost more than it finds
        loose = {t for t in bucket if len(t) > n and _subsequence_alias(name, t)}
        if len(loose) == 1:
            return next(iter(loose))
        return None


def _declarations(texts: Iterable[str], gaz: _Gazetteer) -> dict[str, str]:
    declared: dict[str, str] = {}
    for text in texts:
        for m in _DECLARATION_RE.finditer(text):
            p = m.start()
            start = _org_start(text, _run_start(text, p), p, gaz)[0]
            full = text[start:p]
            short = m.group("short")
            if len(full) >= 2 and short and short != full:
                full, _ = gaz.compose(full)
                declared.setdefault(short, full)
    return declared


def _organisations(fields: list[str], gaz: _Gazetteer) -> tuple[list[str], dict[str, str]]:
    """Canonical organisations of an article in first-mention order, and the short forms it used."""
    mentions: list[_Mention] = []
    for k, text in enumerate(fields):
        if "称" in text:  # every declaration says 简称 or 下称
            text = _DECLARATION_RE.sub("", text)
        mentions.extend(_find_mentions(text, k, gaz))
    # All but the final pick depends only on a mention's surface and suffix, so it is worked out once per form:
    # form -> [canonical name, whether a known name starts it, proper, accepted].
    forms: dict[tuple[str, str | None], list] = {}
    suffixes_by_head: dict[str, set[str]] = {}
    for _, _, _, surface, suffix in mentions:
        key = (surface, suffix)
        if key in forms:
            continue
        if suffix is None:
            forms[key] = [gaz.orgs[surface], True, True, True]
            continue
        canonical, known_start = gaz.compose(surface)
        forms[key] = [canonical, known_start, False, False]
        head = surface[: -len(suffix)]
        if 2 <= len(head) <= 10 and not head.startswith(_GENERIC_START) and head not in _GENERIC_LEVEL:
            suffixes_by_head.setdefault(head, set()).add(suffix)
    # A brand that is neither a place nor rare in the dictionary (完美世界) must prove itself: two different bodies
    # named after it (完美世界工会联合会, 完美世界集团), or the unmistakable 工会联合会.
    stems = {head for head, found in suffixes_by_head.items() if len(found) >= 2 or "工会联合会" in found}
    for (_, suffix), form in forms.items():
        if suffix is None:
            continue
        name, known_start = form[0], form[1]
        if not _suffix_allows(name, suffix, known_start or name[: -len(suffix)] in stems):
            form[0] = ""
            continue
        form[2] = (
            known_start
            or _is_place_start(name)
            or (bool(stems) and any(name[:k] in stems for k in range(2, min(len(name), 11))))
            or _brand(name)
            or _school(name)
        )
    targets = {form[0] for form in forms.values() if form[2] and form[0]}
    # Resolve short forms against the longest form of each target, so 和平街街道总工会 and
    # 朝阳区和平街街道总工会 count as one candidate, not two.
    first = _Resolver(targets)
    longest = {first(t) or t for t in targets}
    resolve = first if longest == targets else _Resolver(longest)
    for (_, suffix), form in forms.items():
        if not form[0] or suffix is None:
            continue
        resolved = resolve(form[0])
        if resolved:
            form[0] = resolved
            form[3] = True
        else:
            form[3] = form[2]
    accepted = [m for m in mentions if forms[m[3], m[4]][3]]
    accepted.sort(key=lambda m: (m[0], m[1], m[1] - m[2]))
    organisations: list[str] = []
    listed: set[str] = set()
    aliases: dict[str, str] = {}
    outer: _Mention | None = None
    for m in accepted:
        field_index, start, end, surface, suffix = m
        canonical = forms[surface, suffix][0]
        if outer is not None and field_index == outer[0] and start >= outer[1] and end <= outer[2]:
            if surface != canonical and suffix is None:
                aliases.setdefault(surface, canonical)
            continue
        outer = m
        if canonical not in listed:
            listed.add(canonical)
            organisations.append(canonical)
        if surface != canonical:
            aliases.setdefault(surface, canonical)
    return organisations, aliases


def _org_mentions_title_like(text: str, gaz: _Gazetteer) -> bool:
    if text.startswith(_PLACE_FIXED) or _PLACE_START_RE.match(text) or gaz.known_at(text, 0):
        return True
    if any(s == 0 for s, _, _ in gaz.matches(text[:20])):
        return True
    return any(start == 0 and suffix for _, start, _, _, suffix in _find_mentions(text[:40], 0, gaz))


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
        # 劳模 adds nothing next to 劳模精神; 首开集团 nothing next to 首开集团工会.
        if any(word in kept for kept in chosen):
            continue
        chosen.append(word)
    return chosen, False


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


# --- the parser ----------------------------------------------------------------------------------------------------


def parse_page(text: str, *, gazetteer: Mapping[str, str] | None = None, default_year: int | None = None) -> ParsedPage:
    """Parse one page's text; raise ParseError, and nothing else, when it holds no recognisable article."""
    if not isinstance(text, str):
        raise ParseError("page text must be a string")
    try:
        return _parse_page(text, gazetteer, default_year)
    except ParseError:
        raise
    except Exception as error:
        # The importer only handles ParseError; a bug on a strange page must not abort a whole import.
        raise ParseError(f"could not parse the page ({type(error).__name__}: {error})") from error


def _parse_page(text: str, gazetteer: Mapping[str, str] | None, default_year: int | None) -> ParsedPage:
    normalised = normalise_text(text)
    lines = [_clean_line(raw) for raw in normalised.split("\n")]
    lines = [(mark, line) for mark, line in lines if line]
    if not lines:
        raise ParseError("empty page: no text")
    header = _Header()
    banner: str | None = None
    start = 0
    while start < len(lines) and start < 8:
        mark, line = lines[start]
        if _read_header_line(line, header):
            start += 1
        elif banner is None:
            banner = line
            start += 1
        else:
            break
    if banner is None:
        raise ParseError("no recognisable article: the page has only a date/page header")
    items = [_Item(banner, 0)]
    items[0].kind = "N"
    items.extend(_classify(lines[start:]))
    page_anomalies: list[str] = []
    raw_articles, title_mark = _structure(items, page_anomalies)
    if not raw_articles:
        raise ParseError("no recognisable article: no headline followed by a dateline, credit or body")
    if items[0].kind == "H":
        page_anomalies.append("no banner line: the first line is the first article's headline")
        banner = ""

    merged = dict(DEFAULT_GAZETTEER)
    if gazetteer:
        merged.update({k: v for k, v in gazetteer.items() if isinstance(k, str) and isinstance(v, str)})
    gaz = _gazetteer(merged).for_page()
    _ensure_jieba()

    articles = [_build_article(raw, title_mark, gaz) for raw in raw_articles]

    all_fields = [t for a in articles for t in _fields(a)]
    article_texts = ["\n".join(_fields(a)) for a in articles]
    for short, full in list(_declarations(all_fields, gaz).items())[:MAX_DECLARATIONS]:
        gaz.declare(short, full)
        for a, joined in zip(articles, article_texts, strict=True):
            if short in joined:
                a.aliases.setdefault(short, full)
    for a in articles:
        orgs, aliases = _organisations(_fields(a), gaz)
        a.organisations = orgs
        for short, full in aliases.items():
            a.aliases.setdefault(short, full)

    add_user_terms(
        [p.name for a in articles for p in a.people]
        + [o for a in articles for o in a.organisations]
        + [s for a in articles for s in a.aliases]
        # A coinage quoted in a headline (“爱心送考”, “以球会友”) is the story's own word.
        + [q for a in articles for h in (a.kicker, a.title, a.subtitle) if h for q in _QUOTED_RE.findall(h)]
        + [q for a in articles for q, n in Counter(_QUOTED_RE.findall("".join(a.body))).items() if n >= 2]
    )
    counts: list[Counter[str]] = []
    for a in articles:
        a.tokens = {
            "kicker": segment(a.kicker or ""),
            "title": segment(a.title),
            "subtitle": segment(a.subtitle or ""),
            "body": segment("\n".join(a.body)),
        }
        counts.append(_tag_counts(a.tokens, a.aliases))
    # Tags only once every field is cut: jieba's big tables push the tag tables out of the CPU caches.
    for a, counted in zip(articles, counts, strict=True):
        a.tags = _pick_tags(counted)

    issue_date = header.date
    year = issue_date.year if issue_date else default_year
    if year is None:
        year = _page_year([banner or ""] + all_fields)
    for a in articles:
        a.event_date = _event_date(a.body, year, issue_date)
    inferred = issue_date is None
    if inferred:
        dates = [a.event_date for a in articles if a.event_date]
        issue_date = max(dates) if dates else None
    return ParsedPage(
        banner=banner or "",
        articles=articles,
        issue_date=issue_date,
        issue_date_inferred=inferred,
        page_number=header.page,
        issue_number=header.issue,
        anomalies=page_anomalies,
    )


def _fields(article: ParsedArticle) -> list[str]:
    return [t for t in (article.kicker, article.title, article.subtitle) if t] + list(article.body)


def _structure(items: list[_Item], page_anomalies: list[str]) -> tuple[list[_RawArticle], int]:
    """Split the classified lines into articles (headings, anchor, body, credits); also the page's title mark."""
    blocks = _anchor_blocks(items)
    title_mark = _title_mark(items, blocks)
    articles: list[_RawArticle] = []
    current: _RawArticle | None = None
    orphans: list[str] = []
    closed = True
    after_credit = False
    i = 0
    n = len(items)
    while i < n:
        if i in blocks:
            heads, a = blocks[i]
            for h in heads:
                if items[h].kind == "N":
                    items[h].kind = "H"
            current = _RawArticle([items[h] for h in heads], items[a])
            articles.append(current)
            anchor = items[a]
            if anchor.kind == "D":
                rest = anchor.text[anchor.dateline.end() :].strip(_WS)
                split = _split_credit(rest) if rest else None
                if split is not None:
                    rest, credit = split
                    current.credits.append(credit)
                current.add_text(rest)
            closed = not current.para_open
            after_credit = False
            i = a + 1
            continue
        item = items[i]
        if item.kind == "N":
            i += 1
            continue
        if item.kind in "CB":
            if item.credit is not None and current is not None:
                current.credits.append(item.credit)
            elif item.credit is not None and item.credit.people:
                page_anomalies.append(f"credit before the first article ignored: {item.text}")
            elif item.credit is not None:
                page_anomalies.append(f"credit without a person: {item.text}")
            if current is not None:
                current.close()
            closed = True
            after_credit = True
            i += 1
            continue
        if item.kind == "D":  # a dateline is always in a block; kept for safety
            i += 1
            continue
        if closed or (title_mark and item.mark == title_mark):
            count = _dateless_heading(items, i, blocks, title_mark, after_credit)
            if count:
                current = _RawArticle(items[i : i + count], None)
                articles.append(current)
                i += count
                closed = True
                after_credit = False
                continue
        if current is None:
            orphans.append(item.text)
        else:
            own = bool(item.mark) and not current.para_open
            current.add_text(item.text, own_paragraph=own)
            if item.credit is not None:
                current.credits.append(item.credit)
                current.close()
        closed = current is None or not current.para_open
        after_credit = item.credit is not None
        i += 1
    if orphans:
        preview = "".join(orphans)[:30]
        page_anomalies.append(f"text before the first article was not attached to any article: {preview}…")
    return articles, title_mark


def _build_article(raw: _RawArticle, title_mark: int, gaz: _Gazetteer) -> ParsedArticle:
    anomalies = list(raw.anomalies)
    if raw.headings:
        kicker, title, subtitle = _assign_headings(raw.headings, title_mark, lambda t: _title_like(t, gaz))
    else:
        kicker, title, subtitle = None, "", None
        anomalies.append("article has no headline")
    people: list[Person] = []
    dateline = None
    if raw.anchor is not None and raw.anchor.kind == "D":
        m = raw.anchor.dateline
        dateline = m.group(0).strip(_WS)
        paper = m.group("paper")
        affiliation = None if paper == "本报" else paper
        inner = m.group("inner")
        if inner is None or not inner.strip(_WS):
            anomalies.append(f"dateline names nobody: {dateline}")
        else:
            found, junk, saw_role = _parse_people(inner, paper=affiliation)
            if not found:
                anomalies.append(f"dateline names nobody: {dateline}")
            if junk:
                anomalies.append(f"unreadable text in dateline {dateline}: {''.join(junk)}")
            if found and not saw_role:
                anomalies.append(f"dateline names people without a role: {dateline}")
            people.extend(found)
    elif raw.anchor is not None and raw.anchor.kind == "B":
        dateline = raw.anchor.text
        people.extend(raw.anchor.people)
    kind = KIND_NEWS
    for credit in raw.credits:
        people.extend(credit.people)
        if credit.report or (credit.photo and raw.anchor is None and credit.people):
            kind = KIND_PHOTO
        if not credit.people:
            anomalies.append(f"credit without a person: {credit.text}")
    body = [joined for joined in map("".join, raw.paragraphs) if joined]
    article = ParsedArticle(
        title=title, kicker=kicker, subtitle=subtitle, kind=kind, dateline=dateline, people=people, body=body
    )
    for name, value in (("kicker", kicker), ("title", title), ("subtitle", subtitle)):
        if value:
            anomalies.extend(_text_anomalies(name, value))
            if len(value) > LONG_HEADING:
                anomalies.append(f"{name} is {len(value)} characters long (over {LONG_HEADING})")
    for k, paragraph in enumerate(body, start=1):
        anomalies.extend(_text_anomalies(f"paragraph {k}", paragraph))
    if body and not _terminated(body[-1]):
        anomalies.append("the last paragraph ends without end punctuation")
    if not body:
        anomalies.append("article has no body text")
    article.anomalies = anomalies
    return article


def _supplementary(text: str) -> bool:
    return bool(_SUPPLEMENT_RE.match(text)) or text.endswith("等")


def _title_like(text: str, gaz: _Gazetteer) -> bool:
    # A subject first (将台地区总工会… is a place, not the verb 将), then the slogan test.
    if text.startswith(("本市", "全市", "首都", "我市")) or _org_mentions_title_like(text, gaz):
        return True
    if _supplementary(text):
        return False
    return bool(_ACTION_RE.search(text, 2))


def page_to_dict(page: ParsedPage) -> dict:
    """The page as JSON-ready data (dates as ISO strings)."""
    return {
        "banner": page.banner,
        "issue_date": page.issue_date.isoformat() if page.issue_date else None,
        "articles": [
            {
                "kicker": a.kicker,
                "title": a.title,
                "subtitle": a.subtitle,
                "kind": a.kind,
                "people": [{"name": p.name, "role": p.role} for p in a.people],
                "body": list(a.body),
                "organisations": list(a.organisations),
                "tags": list(a.tags),
                "event_date": a.event_date.isoformat() if a.event_date else None,
            }
            for a in page.articles
        ],
    }
