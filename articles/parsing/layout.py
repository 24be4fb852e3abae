"""Page layout: header lines, line classification, article blocks and headings."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .bylines import (
    _DATELINE_OPEN_RE,
    _DATELINE_RE,
    _Credit,
    _parse_byline,
    _photo_credit_continued,
    _split_credit,
    _surname_first,
)
from .records import Person
from .text import (
    _FRAGMENT_END_RE,
    _FULLWIDTH_DIGITS,
    _MARK_RE,
    _SENTENCE_PUNCT_RE,
    _WS,
    _freq,
    _terminated,
    _text_anomalies,
    segment,
)

# --- page header ---------------------------------------------------------------------------------------------------

# Page staff printed in the header or footer: 责编：王建国 美编：李思远 校对：张敏.
_STAFF_LABEL = r"(?:责任编辑|责任校对|美术编辑|版式设计|责编|美编|校对|版式|组版|照排|编辑(?=\s*[:：]))"
_HEADER_TOKEN_RE = re.compile(
    r"(?P<date>(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*日?)"
    r"|(?P<weekday>星期[一二三四五六日天]|周[一二三四五六日天]|礼拜[一二三四五六日天])"
    r"|(?P<lunar>农历[\u4e00-\u9fff]{2,10})"
    r"|(?P<page>(?P<label>第\s*(?P<pn>\d{1,3})\s*版|(?P<pn2>\d{1,3})\s*版|[A-Z]\s*(?P<pn3>\d{1,2})\s*版)"
    r"(?:\s*[:：]\s*[\u4e00-\u9fff]{1,10})?)"
    r"|(?P<issue>第\s*(?P<iss>\d{1,7})\s*期|总第\s*(?P<iss2>\d{1,7})\s*期)"
    f"|(?P<staff>(?:本版)?{_STAFF_LABEL}\\s*[:：]?\\s*(?:(?:(?!{_STAFF_LABEL})[\u4e00-\u9fff]){{2,4}}(?:[·•][\u4e00-\u9fff]{{1,8}})?[\\s、，,/／]*)+)"
    r"|(?P<sep>[\s|｜·•/／,，、]+)"
    r"|(?P<other>.)"
)


@dataclass
class _Header:
    date: datetime.date | None = None
    page: int | None = None
    issue: str | None = None
    label: str | None = None
    lines: list[str] = field(default_factory=list)


def _scan_header(text: str) -> dict[str, object] | None:
    """The marks of a line made only of date/page/issue/staff marks; None when the line holds anything else."""
    if len(text) > 80:
        return None
    found: dict[str, object] = {}
    for m in _HEADER_TOKEN_RE.finditer(text.translate(_FULLWIDTH_DIGITS)):
        kind = m.lastgroup
        if kind == "other":
            return None
        if kind == "date":
            try:
                found["date"] = datetime.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                return None
        elif kind == "page":
            found["page"] = int(m.group("pn") or m.group("pn2") or m.group("pn3"))
            found["label"] = text[m.start("label") : m.end("label")]
        elif kind == "issue":
            found["issue"] = m.group("iss") or m.group("iss2")
        elif kind in ("weekday", "lunar"):
            found.setdefault("weekday", True)
        elif kind == "staff":
            found["staff"] = True
    if not found or set(found) == {"weekday"}:
        return None
    return found


def _read_header_line(text: str, header: _Header, *, staff_only: bool = False) -> bool:
    """Fill header from a header line (only staff lines when staff_only); False (header untouched) otherwise."""
    found = _scan_header(text)
    if found is None or (staff_only and set(found) != {"staff"}):
        return False
    header.date = found.get("date", header.date)  # type: ignore[assignment]
    header.page = found.get("page", header.page)  # type: ignore[assignment]
    header.label = found.get("label", header.label)  # type: ignore[assignment]
    header.issue = found.get("issue", header.issue)  # type: ignore[assignment]
    header.lines.append(text)
    return True


# --- page structure ------------------------------------------------------------------------------------------------

# Words that open a paragraph (a dateline-less brief starts with one), and words that only continue a sentence.
_OPENER_RE = re.compile(
    r"^(?:近日|日前|近期|连日来|近年来|今年以来|入冬以来|入夏以来|昨天|昨日|今天|今日|本周|上周|记者(?:近日|日前|\d{1,2}月\d{1,2}日(?:上午|下午|晚)?)?从|图为|编者按"
    r"|(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{1,2}日(?:上午|下午|晚|早))"
)
_CONTINUATION_RE = re.compile(
    r"^(?:[，。、；：）》”’,.;:)!?！？]|表示|指出|强调|介绍|说|认为|要求|称|透露|告诉|坦言|感慨|笑着|补充|解释|提出|谈到)"
)
_COLUMN_LABEL_RE = re.compile(
    r"^[【\[]?(?:开栏语|编者按|编后语?|短评|快评|微评|时评|评论员文章|本报评论员|图片新闻|图说|简讯|快讯|一线传真|工会动态"
    r"|新闻链接|相关链接|延伸阅读|记者手记|记者观察)[】\]]?[:：]?$"
)
# An editor's note standing before an article: 编者按：…, 【编者按】…
_EDITOR_NOTE_RE = re.compile(r"^(?:【编者按】|\[编者按\]|编者按(?:[:：\s]|$))")
# Continuation of a story printed on two pages: （上接第一版） opens a part, （下转第三版） closes one.
_CONT_NUM = r"(?:第\s*)?(?P<num>[一二三四五六七八九十]{1,3}|[0-9０-９]{1,3}|[A-Z]\s*[0-9０-９]{1,2})\s*版"
_CONT_FROM_RE = re.compile(f"^[（(]\\s*(?:上接|接)\\s*{_CONT_NUM}\\s*[）)]")
_CONT_ON_RE = re.compile(f"[（(]\\s*(?:下转|转)\\s*{_CONT_NUM}\\s*[）)]$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
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
    __slots__ = ("text", "mark", "kind", "term", "credit", "dateline", "people", "bracketed", "cont_from", "cont_on")

    def __init__(self, text: str, mark: int):
        self.text = text
        self.mark = mark
        # T text, N banner, H banner line that is really a headline, D dateline, B byline, C credit,
        # E start of an editor's note (编者按), M a line that is only a continuation mark.
        self.kind = "T"
        self.term = False
        self.credit: _Credit | None = None
        self.dateline: re.Match[str] | None = None
        self.people: list[Person] = []
        self.bracketed = False
        self.cont_from: re.Match[str] | None = None  # （上接第一版） opening the line
        self.cont_on: re.Match[str] | None = None  # （下转第三版） closing the line


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
        if _continuation_marks(item):
            continue
        if _EDITOR_NOTE_RE.match(text):
            item.kind = "E"
            item.term = _terminated(text)
            continue
        m = _DATELINE_RE.match(text)
        # 本报通讯员… is a credit, not the dateline 本报通讯 (the 讯 of 通讯员).
        if m and text[m.end() : m.end() + 1] == "员" and m.group("inner") is None:
            m = None
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
                prev = items[-2] if len(items) >= 2 else None
                first = _photo_credit_continued(prev.text, credit) if prev is not None and prev.kind == "B" else None
                if first is not None:  # the credit's first line was read as a byline
                    prev.kind, prev.credit, prev.people = "C", first, []
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


def _continuation_marks(item: _Item) -> bool:
    """Cut （上接第一版） off the start and （下转第三版） off the end of the line; True when nothing else is left."""
    text = item.text
    start = _CONT_FROM_RE.match(text)
    if start:
        item.cont_from = start
        text = text[start.end() :].lstrip(_WS)
    end = _CONT_ON_RE.search(text)
    if end:
        item.cont_on = end
        text = text[: end.start()].rstrip(_WS)
    if not (start or end):
        return False
    item.text = text
    if not text:
        item.kind = "M"
        return True
    return False


def continuation_page(mark: re.Match[str]) -> int | None:
    """The page number a continuation mark points to: 第三版, 第3版, A3版."""
    number = mark.group("num").translate(_FULLWIDTH_DIGITS)
    digits = re.sub(r"\D", "", number)
    if digits:
        return int(digits)
    value = 0
    if "十" in number:
        tens, _, ones = number.partition("十")
        value = 10 * (_CN_DIGITS.get(tens, 0) if tens else 1)
        number = ones
    return value + _CN_DIGITS.get(number, 0) if number or value else None


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
    editor_note: str | None = None
    marks: list[str] = field(default_factory=list)
    continued_from: int | None = None
    continues_on: int | None = None

    def add_text(self, text: str, *, own_paragraph: bool = False) -> None:
        if not text:
            return
        if self.para_open and not own_paragraph:
            self.paragraphs[-1].append(text)
        else:
            self.paragraphs.append([text])
        self.para_open = not own_paragraph and not _terminated(text)

    def add_marks(self, item: _Item) -> None:
        """Keep the item's continuation marks (the printed text) and the pages they point to."""
        if item.cont_from is not None:
            self.marks.append(item.cont_from.group(0))
            self.continued_from = self.continued_from or continuation_page(item.cont_from)
        if item.cont_on is not None:
            self.marks.append(item.cont_on.group(0))
            self.continues_on = continuation_page(item.cont_on)

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
    items: list[_Item],
    i: int,
    blocks: dict[int, tuple[list[int], int]],
    title_mark: int,
    after_credit: bool,
    leading: bool = False,
    signed_ok: bool = True,
) -> int:
    """How many lines from i head an article with no dateline (photo news, 开栏语, brief); 0 when they do not.

    leading: no article has started yet, so a heading followed by text heads an item of its own.
    """
    n = len(items)
    first = items[i]
    marked = bool(title_mark and first.mark == title_mark)
    run: list[int] = []
    j = i
    while j < n and len(run) < 4 and j not in blocks and items[j].kind == "T":
        it = items[j]
        if run and it.cont_from is not None:
            break  # （上接第一版）… opens the continued part's text, however short its first line
        if not (_strict_heading(it) or (marked and it.mark and _loose_heading(it))):
            break
        run.append(j)
        j += 1
    if not run or len(run) > 3:
        return 0
    # With no dateline under the headline, the lead's first printed line can look like one more heading line; a
    # word running across its end (记者近日从某某总工会了 / 解到，…) shows it is the lead's first words.
    while (
        len(run) > 1
        and j < n
        and j not in blocks
        and items[j].kind == "T"
        and _broken_at_end(items[run[-1]].text, items[j].text)
    ):
        j = run.pop()
    nxt = items[j] if j < n and j not in blocks else None
    if nxt is not None and nxt.kind == "T" and _CONTINUATION_RE.match(nxt.text):
        return 0
    if nxt is not None and (nxt.kind == "E" or nxt.cont_from is not None):
        return len(run)  # a headline over an editor's note, or over the continued part of a story
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
    if leading or marked or after_credit or _COLUMN_LABEL_RE.match(first.text) or _OPENER_RE.match(nxt.text):
        return len(run)
    # signed_ok: the story above is closed (it had a dateline or its own signature); a story signed at its end
    # goes on until its signature, so a line before that is one of its paragraphs.
    if signed_ok and _signed_below(items, j, blocks) and not any(_text_anomalies("", items[r].text) for r in run):
        # Papers that sign at the end (…。（王建国）) print no dateline under the headline; a line the column broke
        # mid-word is the story's first words, not a heading.
        while run and _broken_at_end(items[run[-1]].text, items[run[-1] + 1].text):
            run.pop()
        return len(run)
    return 0


def _signed_below(items: list[_Item], j: int, blocks: dict[int, tuple[list[int], int]]) -> bool:
    """Whether the paragraphs from j, up to the next heading, end with an author in brackets (not a photo credit)."""
    k = j
    while k < len(items) and k not in blocks and items[k].kind == "T":
        credit = items[k].credit
        if credit is not None:
            return not credit.photo and bool(credit.people)
        if k > j and items[k - 1].term and _strict_heading(items[k]):
            following = items[k + 1].text if k + 1 < len(items) else ""
            if not _runs_into(items[k].text, following):
                return False  # the next story's headline
        k += 1
    return False


# Section headings (小标题) inside a long feature: numbered, or set off by a symbol or brackets.
_INTERTITLE_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．]|[◆■●▲★◇□○◎]|【[^】]{1,28}】$)"
)
INTERTITLE_MAX = 12
_FIRST_CLAUSE_RE = re.compile(r"[^，,、；;：:。！？!?”’」』）)》\"']*")


def _intertitle(
    items: list[_Item], i: int, blocks: dict[int, tuple[list[int], int]], seen: bool, body_paragraphs: int = 0
) -> bool:
    """Whether the short line at i is a section heading (小标题) of the article it stands in, not a new article.

    Numbered or marked lines are; a bare line of at most INTERTITLE_MAX characters is when the article already has
    one, or the section under it opens like a paragraph and runs on for two paragraphs or more (a brief has one).
    """
    item = items[i]
    if not _strict_heading(item) or i + 1 >= len(items) or i + 1 in blocks or items[i + 1].kind != "T":
        return False
    paragraphs = 0
    k = i + 1
    while k < len(items) and k not in blocks and items[k].kind == "T" and items[k].credit is None:
        if k > i + 1 and items[k - 1].term and _strict_heading(items[k]):
            break
        paragraphs += items[k].term
        k += 1
    if _INTERTITLE_RE.match(item.text) and len(item.text) <= 30:
        return True
    closing = items[k].credit if k < len(items) else None
    if closing is not None and closing.photo and paragraphs <= 1:
        caption = items[i + 1].text
        if closing.report or _OPENER_RE.match(caption) or caption.startswith("图为"):
            return False  # a caption closed by its photo credit: photo news
    if len(item.text) > INTERTITLE_MAX or _COLUMN_LABEL_RE.match(item.text) or _text_anomalies("", item.text):
        return False
    if items[i + 1].cont_from is not None:
        return False  # the headline over the continued part of a story
    if items[i + 1].mark:
        return False  # a kicker over a marked headline (## …): a section heading has its section's text under it
    if not seen and _signed_below(items, i + 1, blocks):
        return False  # the headline of a story signed at its end
    if _SENTENCE_LEAD_RE.match(item.text):
        return False  # 据…, 随着…: the start of a sentence the column broke
    if _ends_on_particle(item.text):
        return False  # …新开发的: a phrase ending in a bare 的 leaves its noun to the next line
    following = items[i + 1].text
    if (
        _strict_heading(items[i + 1])
        and len(following) <= 40
        and not re.search("[，,。；;：:]", following)
        and _signed_below(items, i + 2, blocks)
    ):
        return False  # a kicker over the headline of a story signed at its end
    # A sentence broken after a short printed line goes on with a clause of a character or two (务，… 下”…).
    nxt = items[i + 1].text
    first_clause = _FIRST_CLAUSE_RE.match(nxt).group()
    if _CONTINUATION_RE.match(nxt) or len(first_clause) < 2:
        return False
    # Printed columns break sentences after short lines too: a bare line is a section heading only in a feature
    # that already has one, or over a section that opens like a paragraph (近日，…) and runs on, or when it is a
    # phrase of its own: no punctuation or digits, and no word of the joined text runs across the break.
    if (seen and not _runs_into(item.text, nxt)) or (paragraphs >= 2 and bool(_OPENER_RE.match(nxt))):
        return True
    return body_paragraphs >= 2 and paragraphs >= 1 and _phrase_of_its_own(item.text, nxt)


_SENTENCE_LEAD_RE = re.compile(
    r"^(?:据|随着|根据|按照|截至|由于|经过|通过|针对|围绕|此次|本次|这次|该|这|其中|同时|此外|目前)"
)
_PHRASE_BREAKER_RE = re.compile(r"[\d，,、；;：:。！？!?“”\"'（）()《》…—]")


def _phrase_of_its_own(line: str, nxt: str) -> bool:
    """A short line that ends where a word ends and holds no clause punctuation: a heading, not a broken sentence."""
    return not _PHRASE_BREAKER_RE.search(line) and not _runs_into(line, nxt)


def _broken_at_end(line: str, nxt: str) -> bool:
    """A heading-like line that is really a sentence's first words: a long word, or a clause, runs across its end."""
    if _OPENER_RE.match(line) or _PARTICLE_START_RE.match(nxt):
        return True  # 记者…从… opens a lead; no sentence starts with 的 or 了
    if _OPENER_RE.match(nxt):
        return False  # the next line starts a sentence of its own (近日，… 记者…从…), whatever jieba joins
    # …顽强拼搏的 / 精神面貌: the noun comes on the next line; …高质量发 / 展，…: a clause of one character.
    if _ends_on_particle(line) or len(_FIRST_CLAUSE_RE.match(nxt).group()) < 2 < len(nxt):
        return True
    return _runs_into(line, nxt, longest=3) or (bool(_PHRASE_BREAKER_RE.search(line)) and _runs_into(line, nxt))


_PARTICLE_START_RE = re.compile("^[的地得了着过们]")
_PARTICLE_END_RE = re.compile("[的地得]$")


def _ends_on_particle(line: str) -> bool:
    """Whether the line ends with 的, 地 or 得 standing alone (新开发的), not inside a word (目的, 基地, 值得)."""
    return bool(_PARTICLE_END_RE.search(line)) and segment(line[-8:])[-1:] == [line[-1]]


def _runs_into(line: str, nxt: str, *, longest: int = 2) -> bool:
    """Whether a word (of `longest` characters or more) of the joined text runs across the end of `line`."""
    tail = line[-8:]
    cut = len(tail)
    joined = tail + nxt[:8]
    position = 0
    for token in segment(joined):
        # segment() drops punctuation, so each token is found in the text rather than counted from the start.
        position = joined.find(token, position)
        if position < cut < position + len(token):
            # A word of the dictionary, or a name the HMM put together (主席尹 / 梅表示); the HMM also glues other
            # unknown neighbours, which are no word (心坎上 / 据了解 gives 上据).
            return len(token) >= longest and (_freq(token) > 0 or _surname_first(token))
        position += len(token)
        if position >= cut:
            break
    return False


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


def _supplementary(text: str) -> bool:
    return bool(_SUPPLEMENT_RE.match(text)) or text.endswith("等")
