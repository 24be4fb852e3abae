"""How workers' dailies other than the seeds' print bylines, credits, headers and long stories; the generator's menu."""

from __future__ import annotations

from datetime import date

# Each convention is what an article (or a page) exercises; the parse-quality report groups its figures by them.
# Bylines and credits of one article:
BYLINE_CONVENTIONS = (
    "dateline_plain",  # 本报讯 记者甲 通讯员乙报道 近日，…
    "dateline_plain_one",  # 本报讯 通讯员甲报道 …
    "dateline_plain_norole",  # 本报讯 甲报道 …
    "names_run_together",  # 本报讯（记者甲乙 通讯员丙丁）
    "author_at_end",  # …。（甲 乙）
    "author_at_end_roles",  # …。（本报记者 甲 通讯员 乙）
    "credit_plain",  # 甲 摄
    "credit_slash",  # 甲/摄
    "credit_tu",  # 图/甲
    "credit_xinhua",  # 新华社记者 甲 摄
    "credit_eight",  # one credit line naming eight photographers
)
# Article shapes:
SHAPE_CONVENTIONS = ("brief", "feature_sections", "editor_note")
# Photo-news items:
PHOTO_CONVENTIONS = ("photo_report_norole", "photo_report_roles", "photo_credit_split")
# Whole pages or pairs of pages:
PAGE_CONVENTIONS = ("page_header", "photo_page", "leading_photo", "continuation")

ALL_CONVENTIONS = (
    ("dateline_brackets", "photo_news") + BYLINE_CONVENTIONS + SHAPE_CONVENTIONS + PHOTO_CONVENTIONS + PAGE_CONVENTIONS
)

CN_NUMERALS = "零一二三四五六七八九十"
WEEKDAYS = "一二三四五六日"

# Section headings (小标题) inside a long feature: short, no end punctuation, sometimes numbered.
SECTION_HEADINGS = (
    "扎根一线练就过硬本领",
    "织密服务职工的网络",
    "把实事办到职工心坎上",
    "搭建技能成长的平台",
    "创新方法激发活力",
    "凝聚奋进的力量",
    "师带徒传下好手艺",
    "小创新解决大难题",
    "让服务走进班组",
    "安全生产没有旁观者",
    "数据跑路代替职工跑腿",
    "一张清单管到底",
)
SECTION_NUMBERS = ("一、", "二、", "三、", "四、", "五、")

# An editor's note before a story: the paper's own words, in the newsroom's register.
EDITOR_NOTES = (
    "今年以来，各级工会组织把服务职工的工作做细做实。本报今起推出系列报道，记录基层工会的新做法新经验。",
    "一线职工的创新创造，是企业发展的重要力量。本期我们走进几个班组，看看他们如何把点子变成成果。",
    "困难职工帮扶是工会的一项经常性工作。本报记者近日深入基层，了解帮扶政策落地的情况。",
    "技能人才是产业工人队伍的中坚。从本期起，本版陆续刊发技能竞赛获奖选手的成长故事，敬请关注。",
)

# Photo captions of a photo page (组图): several pictures of one event, each with its own credit.
PHOTO_PAGE_TITLES = (
    "职工运动会赛场掠影",
    "春运一线的工会身影",
    "技能大赛现场直击",
    "职工书屋里的读书时光",
    "高温下的坚守",
    "节日里的劳动者",
)
CAPTION_SCENES = (
    "参赛职工在赛场上奋力拼搏，现场加油声此起彼伏。",
    "工会志愿者为一线职工送上热茶和点心。",
    "技术能手在工位上演示新的操作方法，青年职工围在一旁认真学习。",
    "职工在书屋里挑选喜爱的图书，安静地享受午休时光。",
    "环卫职工在烈日下清扫路面，工会工作人员为他们递上防暑用品。",
    "检修人员顶着寒风登上作业平台，对线路逐段进行排查。",
    "医护职工为社区居民测量血压，耐心解答健康问题。",
    "快递小哥在驿站歇脚，工会工作人员为他们办理入会手续。",
)

# Bracketed text that ends a paragraph but is not a byline: a parser must leave it in the body.
NOT_AUTHOR_BRACKETS = ("（完）", "（本栏目由市总工会协办）", "（记者手记）")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二: page numbers as papers print them in 上接第…版."""
    if n <= 10:
        return CN_NUMERALS[n]
    if n < 20:
        return "十" + CN_NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    return CN_NUMERALS[tens] + "十" + (CN_NUMERALS[ones] if ones else "")


def header_lines(day: date, number: int, style: int) -> list[str]:
    """Lines a page prints above its banner: date, weekday, page label, in one of the common layouts."""
    printed = f"{day.year}年{day.month}月{day.day}日"
    weekday = "星期" + WEEKDAYS[day.weekday()]
    if style == 0:
        return [f"{printed} {weekday}", f"第{number}版"]
    if style == 1:
        return [f"{printed}　{weekday}　第{number:02d}版"]
    if style == 2:
        return [f"A{number}版", f"{printed} {weekday}"]
    return [f"第 {number} 版", printed]


def footer_line(editors: list[str], style: int) -> str:
    """The page's staff line: 责编, 美编 and 校对, spelled in one of the common ways."""
    a, b, c = editors
    if style == 0:
        return f"责任编辑：{a}　美术编辑：{b}　校对：{c}"
    if style == 1:
        return f"责编：{a} 美编：{b} 校对：{c}"
    return f"本版责编 {a}  版式 {b}  校对 {c}"


def role_of(label: str, *, photo: bool = False) -> str:
    """The role a parser should read for a printed label: photographers by the credit, else by the word."""
    if photo:
        return "photographer"
    if not label:
        return "unspecified"
    if label.removeprefix("本报") in ("通讯员", "特约通讯员"):
        return "correspondent"
    return "reporter"
