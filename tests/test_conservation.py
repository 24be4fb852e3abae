"""Conservation: every printed character of a page is placed exactly once (articles/parsing/conservation.py)."""

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.parsing import ParsedArticle, ParsedPage, ParseError, parse_page
from articles.parsing.conservation import check_conservation, placed_text

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
SEED_TEXTS = [path.read_text(encoding="utf-8") for path in SEEDS]
LINES = [line for text in SEED_TEXTS for line in text.splitlines()]
# Lines of the conventions the layout reads, written for these tests.
EXTRA = [
    "2024年3月5日 星期二",
    "第3版",
    "A3版：要闻",
    "责编：周文静 美编：吴晓光 校对：钱立新",
    "编者按：本报今起推出系列报道，敬请关注。",
    "【编者按】",
    "（上接第一版）",
    "（下转第三版）",
    "本报记者 赵明轩 本报通讯员 孙丽华 摄",
    "本报通讯员 孙丽华 摄",
    "赵明轩 摄影报道",
    "一、练好基本功",
    "雪后清扫保畅通",
    "近日，环卫工人凌晨上岗清扫积雪。",
    "##",
    "# 标题",
]


@pytest.mark.parametrize("path", SEEDS, ids=[p.name[:3] for p in SEEDS])
def test_every_character_of_each_seed_is_placed(path):
    text = path.read_text(encoding="utf-8")
    assert check_conservation(text, parse_page(text)) == []


def test_a_lost_or_invented_character_is_reported():
    text = "标题一\n本报讯（记者 王建国）近日，职工运动会开幕。\n"
    page = parse_page(text)
    assert check_conservation(text, page) == []
    page.articles[0].body[0] = page.articles[0].body[0].replace("开幕", "")
    assert check_conservation(text, page) == ["2 printed characters are nowhere in the parse: 幕开"]
    page.articles[0].credits.append("赵明轩 摄")
    problems = check_conservation(text, page)
    assert problems[1] == "4 characters of the parse were never printed: 摄明赵轩"


def test_placed_text_holds_every_part_of_the_page():
    article = ParsedArticle(
        title="标题",
        kicker="引题",
        subtitle="副题",
        editor_note="编者按：按语。",
        dateline="本报讯",
        body=["正文。"],
        credits=["甲 摄"],
        continuation_marks=["（下转第三版）"],
    )
    page = ParsedPage(banner="栏目", articles=[article], header_lines=["第3版"], unassigned=["无主文字"])
    assert placed_text(page).split("\n") == [
        "栏目",
        "第3版",
        "引题",
        "标题",
        "副题",
        "编者按：按语。",
        "本报讯",
        "正文。",
        "甲 摄",
        "（下转第三版）",
        "无主文字",
    ]


@st.composite
def recombined_pages(draw):
    """Seed lines shuffled and recombined, with the layout's conventions and arbitrary lines inserted."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    lines = draw(st.sampled_from(SEED_TEXTS)).splitlines()
    operation = draw(st.sampled_from(["shuffle", "truncate", "mix", "insert"]))
    if operation == "shuffle":
        rng.shuffle(lines)
    elif operation == "truncate":
        lines = lines[rng.randrange(len(lines)) :]
    elif operation == "mix":
        lines = rng.sample(LINES, min(len(LINES), rng.randint(1, 60)))
    for extra in draw(st.lists(st.sampled_from(EXTRA) | st.text(max_size=40), max_size=8)):
        lines.insert(rng.randrange(len(lines) + 1), extra)
    return "\n".join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(recombined_pages())
def test_conservation_holds_on_recombined_pages(text):
    try:
        page = parse_page(text)
    except ParseError:
        return
    assert check_conservation(text, page) == []
    assert all(a.title.strip() for a in page.articles)
