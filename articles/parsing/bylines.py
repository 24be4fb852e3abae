"""People in datelines, bylines and photo credits."""

from __future__ import annotations

import re
from collections.abc import Collection
from contextvars import ContextVar
from dataclasses import dataclass, field

from .records import ROLE_CORRESPONDENT, ROLE_PHOTOGRAPHER, ROLE_REPORTER, ROLE_UNSPECIFIED, Person
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
# A run of name characters: one name, or several printed without a space (记者王建国李思远), cut by _cut_run.
_NAME = f"(?:(?!{_ROLE_ALT}|本报|摄)[{_HAN}]){{2,12}}(?:[·•‧・](?:(?!{_ROLE_ALT}|摄)[{_HAN}]){{1,8}})?"
_PEOPLE_TOKEN_RE = re.compile(
    f"(?P<role>(?P<aff>{_PAPER_ALT})?(?P<label>{_ROLE_ALT}))"
    r"|(?P<sep>[\s、，,/／;；:：|｜]+)"
    f"|(?P<name>{_NAME})"
    r"|(?P<other>.)",
    re.S,
)
# Names, with or without roles, then 报道 after a dateline without brackets:
# 本报讯 记者王建国 通讯员李思远报道 近日，…
_PLAIN_PERSON = f"(?:(?:{_PAPER_ALT})?(?:{_ROLE_ALT})[ \\t\\u3000]*)?{_NAME}"
_PLAIN_BYLINE = (
    f"{_PLAIN_PERSON}(?:[ \\t\\u3000、，,]+{_PLAIN_PERSON}){{0,11}}[ \\t\\u3000]*报道(?=[ \\t\\u3000：:，,]|$)"
)
# 讯 after 通 is 通讯员 (本报通讯员 王建国 摄), never a dateline.
_DATELINE_RE = re.compile(
    f"^(?P<src>(?P<paper>{_PAPER_ALT})"
    f"(?P<mid>[{_HAN}]{{0,6}}?(?:\\d{{1,2}}月)?(?:\\d{{1,2}}日)?)(?P<kind>(?<!通)讯(?!员)|电))"
    r"(?:[ \t\u3000]*[（(](?P<inner>[^（）()\n]{0,80})[）)]"
    f"|[ \\t\\u3000]+(?P<plain>{_PLAIN_BYLINE}))?"
)
_DATELINE_OPEN_RE = re.compile(
    f"^(?:{_PAPER_ALT})[{_HAN}\\d月日]{{0,12}}?(?:(?<!通)讯|电)[ \\t\\u3000]*[（(][^（）()]{{0,60}}$"
)
_CREDIT_KW_RE = re.compile(r"(?P<kw>摄影报道|摄影|摄|供图)[ \t\u3000]*[）)]?[ \t\u3000]*$")
# 图/王建国: the photographer after the word 图 (or 摄影) and a slash, at the start of a line or after a sentence.
_PHOTO_PREFIX_RE = re.compile(
    r"(?:^|(?<=[。！？!?…”’」』）)]))[ \t\u3000]*"
    r"(?P<credit>[（(]?(?P<kw>图片|图|摄影)[ \t\u3000]*[/／:：|｜][ \t\u3000]*"
    r"(?P<names>[^/／()（）。！？!?:：]{2,60}?)[）)]?)"
    r"[ \t\u3000]*$"
)
# 文/王建国 图/李思远: a feature's writer and photographer on one line.
_WRITER_AND_PHOTO_RE = re.compile(
    r"^[ \t\u3000]*(?P<wkw>文字|撰文|文)[ \t\u3000]*[/／:：|｜][ \t\u3000]*"
    r"(?P<writers>[^/／()（）。！？!?:：]{2,30}?)[ \t\u3000]+"
    r"(?P<kw>图片|图|摄影)[ \t\u3000]*[/／:：|｜][ \t\u3000]*"
    r"(?P<names>[^/／()（）。！？!?:：]{2,30}?)[ \t\u3000]*$"
)
# A bracketed author at the very end of a paragraph, after its last sentence: …。（王建国 李思远）.
_END_BYLINE_RE = re.compile(
    r"(?:^|(?<=[。！？!?…”’」』]))[ \t\u3000]*(?P<credit>[（(](?P<inner>[^（）()]{2,40})[）)])[ \t\u3000]*$"
)
_NO_PERSON_CREDIT_RE = re.compile(
    r"[（(]?(?:(?:本版|本组|文中)?图片由[^。！？()（）]{1,30}提供|资料图片|资料图|受访者供图|受访单位供图"
    r"|图片来源[:：][^。！？()（）]{1,30}|视觉中国供图)[）)]?[ \t\u3000]*$"
)
_BYLINE_SENTENCE_RE = re.compile(r"[，,；;：:。]")
_BYLINE_PREFIX_RE = re.compile(r"^(?:文字|撰文|文)[ \t\u3000]*[/／:：|｜][ \t\u3000]*")

# Common surnames: how a run of name characters is cut, and how a bracket at the end of a paragraph is told from an
# ordinary aside such as （以下简称…）, （有删节）, （记者手记）.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕"
    "楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈"
    "晁芮都普阎戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶"
    "斯元束檀衣信展阴昝智幸奉植衡富尧由"
)
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "皇甫",
        "令狐",
        "慕容",
        "尉迟",
        "长孙",
        "宇文",
        "司徒",
        "端木",
        "东方",
        "夏侯",
        "公孙",
        "轩辕",
        "西门",
        "独孤",
        "南宫",
        "万俟",
        "闻人",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "呼延",
        "钟离",
        "拓跋",
        "赫连",
        "百里",
        "东郭",
        "濮阳",
        "单于",
    ]
)
# Bracketed words that start with a surname character but are not names.
_NOT_NAMES = frozenset(
    [
        "全文完",
        "未完待续",
        "待续",
        "续完",
        "完",
        "有删节",
        "有删改",
        "节选",
        "摘编",
        "综合",
        "编辑",
        "手记",
        "观察",
        "札记",
        "日记",
        "供稿",
    ]
)
_POSITION_RE = re.compile(r"^[左右前后中上下][一二三四五六七八九十起]?$")
_PHOTO_KWS = ("摄影报道", "摄影", "摄", "供图", "图片", "图")

# Names of reporters the newsroom already knows; parse_page sets them for one page (layout calls the credit readers
# line by line, and threading the set through every layout helper would tie layout to people).
_KNOWN_PEOPLE: ContextVar[frozenset[str]] = ContextVar("known_people", default=frozenset())


def known_people_scope(names: Collection[str] | None):
    """Set the known names for the page being parsed; returns the token to reset."""
    known = frozenset(n for n in names or () if isinstance(n, str) and len(n) >= 2)
    return _KNOWN_PEOPLE.set(known)


@dataclass
class _Credit:
    text: str
    people: list[Person]
    photo: bool
    report: bool = False  # 摄影报道: closes a photo-news item
    anomalies: list[str] = field(default_factory=list)


@dataclass
class _People:
    people: list[Person]
    junk: list[str]
    saw_role: bool
    uncut: list[str]  # runs of names kept whole because the cut was unsure

    @property
    def anomalies(self) -> list[str]:
        return [f"names run together, kept as one: {run}" for run in self.uncut]


def _surname_first(name: str) -> bool:
    return name[:2] in _COMPOUND_SURNAMES or name[:1] in _SURNAMES


def _cut_with_known(run: str, known: frozenset[str]) -> list[str] | None:
    """The one best cut of run into known names and 2–3 character unknown ones, favouring known characters."""
    best: list[list[str]] = []
    best_score = 0

    def walk(start: int, pieces: list[str], score: int) -> None:
        nonlocal best, best_score
        if start == len(run):
            if score > best_score:
                best, best_score = [list(pieces)], score
            elif score == best_score and score:
                best.append(list(pieces))
            return
        for end in range(start + 2, min(len(run), start + 4) + 1):
            piece = run[start:end]
            if piece in known:
                walk(end, [*pieces, piece], score + len(piece))
            elif end - start <= 3:
                walk(end, [*pieces, piece], score)

    walk(0, [], 0)
    return best[0] if len(best) == 1 else None


def _cut_run(run: str) -> tuple[list[str], bool]:
    """The names in a run of name characters, and whether the cut is sure."""
    if len(run) <= 3 or any(dot in run for dot in "·•‧・"):
        return [run], True
    known = _KNOWN_PEOPLE.get()
    if run in known:
        return [run], True
    if known:
        cut = _cut_with_known(run, known)
        if cut is not None:
            return cut, True
    if len(run) == 4:
        if run[:2] in _COMPOUND_SURNAMES:
            return [run], True
        # Two two-character names are the common case; both halves must start like a name.
        if run[0] in _SURNAMES and run[2] in _SURNAMES:
            return [run[:2], run[2:]], True
    # 5 is 2+3 or 3+2, 6 is 3+3 or 2+2+2: only the newsroom's own names can tell.
    return [run], False


def _parse_people(
    text: str, *, photographer: bool = False, paper: str | None = None, photo_label: str = "摄"
) -> _People:
    """Persons in a 'role name name role name' string, the unreadable leftovers, and whether any role was printed."""
    people: list[Person] = []
    junk: list[str] = []
    uncut: list[str] = []
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
            elif label:
                role = ROLE_REPORTER
            else:
                role = ROLE_UNSPECIFIED
            names, sure = _cut_run(m.group("name"))
            if not sure:
                uncut.append(m.group("name"))
            for name in names:
                people.append(
                    Person(
                        name=name,
                        role=role,
                        label=label or (photo_label if photographer else ""),
                        affiliation=affiliation,
                    )
                )
        elif kind == "other":
            junk.append(m.group())
    return _People(people, junk, saw_role, uncut)


def _likely_people(found: _People, *, strict: bool) -> bool:
    """Whether a candidate credit's text is people and not prose: no leftovers, no long uncut run."""
    if not found.people or found.junk or any(len(run) > 6 for run in found.uncut):
        return False
    if strict:
        # No role word to vouch for it: every name must look like one, and the cut must be sure.
        return not found.uncut and all(
            "·" in p.name or (_surname_first(p.name) and p.name not in _NOT_NAMES and not _POSITION_RE.match(p.name))
            for p in found.people
        )
    return True


def _split_credit(text: str) -> tuple[str, _Credit] | None:
    """(text before the credit, credit) when the line is or ends with a photo credit or a bracketed author."""
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
            kw = m.group("kw")
            found = _parse_people(people_text, photographer=True, photo_label=kw)
            if _likely_people(found, strict=False) and (found.saw_role or spaced) and len(found.people) <= 8:
                credit = _Credit(text[cut:].strip(_WS), found.people, photo=True, report=kw == "摄影报道")
                credit.anomalies = found.anomalies
                return prefix.rstrip(_WS), credit
    if text.find("图", tail) >= 0:
        m = _PHOTO_PREFIX_RE.search(text, tail)
        if m:
            found = _parse_people(m.group("names").strip(_WS), photographer=True, photo_label=m.group("kw"))
            if _likely_people(found, strict=not found.saw_role) and len(found.people) <= 8:
                credit = _Credit(m.group("credit"), found.people, photo=True)
                credit.anomalies = found.anomalies
                return text[: m.start("credit")].rstrip(_WS), credit
        m = _NO_PERSON_CREDIT_RE.search(text, tail)
        if m:
            prefix = text[: m.start()].rstrip(_WS)
            if not prefix or _terminated(prefix):
                return prefix, _Credit(text[m.start() :].strip(_WS), [], photo=True)
    if text.rstrip(_WS).endswith(("）", ")")):
        m = _END_BYLINE_RE.search(text, max(0, len(text) - 50))
        if m:
            inner = _BYLINE_PREFIX_RE.sub("", m.group("inner").strip(_WS))
            found = _parse_people(inner)
            if len(found.people) <= 8 and _likely_people(found, strict=True):
                credit = _Credit(m.group("credit"), found.people, photo=False)
                return text[: m.start("credit")].rstrip(_WS), credit
    return None


def _photo_credit_continued(text: str, credit: _Credit) -> _Credit | None:
    """The first line of a credit split over two lines (记者王建国、李思远 / 通讯员赵文 摄影报道), as a photo credit."""
    if not credit.photo or not credit.people or len(text) > 60:
        return None
    if not (credit.report or text.rstrip(_WS).endswith(("、", "，", ","))):
        return None
    found = _parse_people(text.rstrip(_WS + "、，,"), photographer=True)
    if not found.saw_role or not _likely_people(found, strict=False):
        return None
    return _Credit(text, found.people, photo=True, report=credit.report, anomalies=found.anomalies)


def _parse_byline(text: str) -> tuple[list[Person], bool] | None:
    """People of a line that is only a byline ('本报记者 张三 通讯员 李四'), and whether it was in brackets."""
    found = _read_byline(text)
    if found is None:
        return None
    return found[0].people, found[1]


def _read_byline(text: str) -> tuple[_People, bool] | None:
    if len(text) > 60:
        return None
    m = _WRITER_AND_PHOTO_RE.match(text)
    if m:
        writers = _parse_people(m.group("writers"))
        photo = _parse_people(m.group("names"), photographer=True, photo_label=m.group("kw"))
        if not all(_likely_people(found, strict=not found.saw_role) for found in (writers, photo)):
            return None
        # 文 is the role word the text gives a writer; a printed 记者 after it stays the label.
        named = [p if p.label else Person(p.name, p.role, m.group("wkw"), p.affiliation) for p in writers.people]
        return _People(named + photo.people, [], True, writers.uncut + photo.uncut), False
    inner = text
    bracketed = False
    if inner[:1] in "（(" and inner[-1:] in "）)":
        inner, bracketed = inner[1:-1], True
    inner = _BYLINE_PREFIX_RE.sub("", inner.strip(_WS))
    # A byline lists names with spaces or 、; commas mean a sentence (记者了解到，…) that happens to start with a role.
    if not inner or _BYLINE_SENTENCE_RE.search(inner):
        return None
    found = _parse_people(inner)
    if not found.saw_role or not _likely_people(found, strict=False):
        return None
    return found, bracketed


def _byline_anomalies(text: str) -> list[str]:
    """Anomalies of a byline line that anchors an article (names run together)."""
    found = _read_byline(text)
    return found[0].anomalies if found else []


def _dateline_people(m: re.Match[str]) -> tuple[list[Person], list[str]]:
    """People of a matched dateline, bracketed or plain (…报道), and its anomalies."""
    dateline = m.group(0).strip(_WS)
    paper = m.group("paper")
    affiliation = None if paper == "本报" else paper
    inner = m.group("inner")
    plain = m.group("plain")
    if plain is not None:
        inner = plain.rstrip(_WS).removesuffix("报道")
    if inner is None or not inner.strip(_WS):
        return [], [f"dateline names nobody: {dateline}"]
    found = _parse_people(inner, paper=affiliation)
    anomalies = []
    if not found.people:
        anomalies.append(f"dateline names nobody: {dateline}")
    if found.junk:
        anomalies.append(f"unreadable text in dateline {dateline}: {''.join(found.junk)}")
    anomalies.extend(found.anomalies)
    return found.people, anomalies
