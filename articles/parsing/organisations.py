"""Organisations named in an article: gazetteer, suffix patterns, declared short forms."""

from __future__ import annotations

import bisect
import copy
import operator
import re
from collections.abc import Collection, Iterable, Mapping

import jieba

from .text import _HAN, _HAN_RE, _JIEBA_LOCK, _freq

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
    "中国劳动关系学院": "中国劳动关系学院",
    "中共中央党校（国家行政学院）": "中共中央党校（国家行政学院）",
    "中共中央党校(国家行政学院)": "中共中央党校（国家行政学院）",
    "中共中央党校": "中共中央党校（国家行政学院）",
    "中央党校": "中共中央党校（国家行政学院）",
    "国家行政学院": "中共中央党校（国家行政学院）",
}

# Short place names that only ever prefix an organisation's name; never organisations themselves.
_PLACE_ALIASES: dict[str, str] = {}


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
    """True when the one-character breaker at pos is really part of a word (双榆树, 首都, 经济, 同济)."""
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
        # 与/和 join two names (A总工会与B) but also sit inside one (文化与传播学院, 人力资源和社会保障局).
        if len(word) == 1:
            if _protected(text, m.start(), gaz):
                continue
            # At a run start a lone 正/将/在 is a preposition only if a word follows (，将海淀区… vs 正华环保公司).
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
                # 考上北京大学, 职工齐聚北京市工会干部学院: the name begins at the first place or known name inside.
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
    # A brand that is neither a place nor rare in the dictionary (星海互娱) must prove itself: two different bodies
    # named after it (星海互娱工会联合会, 星海互娱集团), or the unmistakable 工会联合会.
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
    # Resolve short forms against the longest form of each target, so 双榆树街道总工会 and
    # 海淀区双榆树街道总工会 count as one candidate, not two.
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
