"""Bylines and credits of workers' papers (articles/parsing/bylines.py), on small hand-written pages."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.parsing import (
    KIND_PHOTO,
    ROLE_CORRESPONDENT,
    ROLE_PHOTOGRAPHER,
    ROLE_REPORTER,
    ROLE_UNSPECIFIED,
    ParsedPage,
    ParseError,
    normalise_text,
    parse_page,
)

BANNER = "职工天地 劳动者的报纸"
R, C, P, U = ROLE_REPORTER, ROLE_CORRESPONDENT, ROLE_PHOTOGRAPHER, ROLE_UNSPECIFIED
FIRST = "朝阳区总工会举办职工运动会\n本报讯（记者 白莹）近日，朝阳区总工会举办职工运动会，千余名职工参加。"

# The same page set in ASCII punctuation, as some papers' text exports print it.
_ASCII = str.maketrans({"（": "(", "）": ")", "，": ",", "／": "/", "：": ":", "；": ";", "！": "!", "？": "?"})
PUNCT = pytest.mark.parametrize("punct", ["fullwidth", "ascii"])


def typeset(text: str, punct: str) -> str:
    return text if punct == "fullwidth" else text.translate(_ASCII)


def page(*articles: str) -> str:
    return BANNER + "\n\n" + "\n\n".join(articles) + "\n"


def people(article):
    return [(p.name, p.role, p.label, p.affiliation) for p in article.people]


def assert_conserved(text: str, parsed: ParsedPage) -> None:
    """Every non-blank character of the page is in exactly one place of the result."""
    placed = [parsed.banner]
    for a in parsed.articles:
        placed += [a.kicker or "", a.title, a.subtitle or "", a.dateline or "", *a.body, *a.credits]
    assert Counter("".join(placed).replace(" ", "")) == Counter(
        "".join(normalise_text(text).split()).replace("\u3000", "")
    )


def parse(text: str, **kwargs) -> ParsedPage:
    parsed = parse_page(text, **kwargs)
    assert_conserved(text, parsed)
    return parsed


def article_with(text: str, title: str, **kwargs):
    (article,) = [a for a in parse(text, **kwargs).articles if a.title == title]
    return article


def body_has_none_of(article, names) -> None:
    joined = "".join(article.body)
    assert not [name for name in names if name in joined]


# --- datelines without brackets: 本报讯 记者甲 通讯员乙报道 …------------------------------------------------------


@PUNCT
@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("本报讯 记者王建国 通讯员李思远报道", [("王建国", R, "记者", None), ("李思远", C, "通讯员", None)]),
        ("本报讯 记者 王建国 通讯员 李思远 报道", [("王建国", R, "记者", None), ("李思远", C, "通讯员", None)]),
        ("本报讯 通讯员李思远报道", [("李思远", C, "通讯员", None)]),
        ("本报讯 王建国报道", [("王建国", U, "", None)]),
        ("本报讯 王建国、刘晓梅报道", [("王建国", U, "", None), ("刘晓梅", U, "", None)]),
        ("工人日报讯 记者王建国报道", [("王建国", R, "记者", "工人日报")]),
    ],
)
def test_dateline_without_brackets_ends_at_baodao(punct, dateline, expected):
    sentence = typeset("近日，西城区总工会为一线职工送去慰问品，受到职工欢迎。", punct)
    article = article_with(page(f"西城区总工会慰问一线职工\n{dateline} {sentence}"), "西城区总工会慰问一线职工")
    assert article.dateline == dateline
    assert people(article) == expected
    assert article.body == [sentence]
    body_has_none_of(article, [p[0] for p in expected])
    assert not [a for a in article.anomalies if "dateline" in a]


@pytest.mark.parametrize(
    "sentence",
    ["近日，区总工会发布报道称职工书屋已经开放。", "区总工会举办报道会，介绍职工书屋建设情况。"],
)
def test_baodao_inside_a_sentence_is_not_a_byline(sentence):
    article = article_with(page(f"职工书屋开放\n本报讯 {sentence}"), "职工书屋开放")
    assert article.people == []
    assert article.dateline == "本报讯"
    assert article.body == [sentence]


# --- the author in brackets at the very end of the last paragraph -------------------------------------------------


@PUNCT
@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("（王建国 李思远）", [("王建国", U, "", None), ("李思远", U, "", None)]),
        ("（王建国、李思远）", [("王建国", U, "", None), ("李思远", U, "", None)]),
        ("（刘晓梅）", [("刘晓梅", U, "", None)]),
        ("（本报记者 王建国 通讯员 李思远）", [("王建国", R, "记者", None), ("李思远", C, "通讯员", None)]),
        ("（通讯员 李思远）", [("李思远", C, "通讯员", None)]),
    ],
)
@pytest.mark.parametrize("own_line", [False, True])
def test_author_in_brackets_at_the_end_of_the_article(punct, credit, expected, own_line):
    credit = typeset(credit, punct)
    last = "书屋共有图书三千册，全天向职工开放。" + ("\n" if own_line else "") + credit
    text = page(f"职工书屋开放\n本报讯 近日，丰台区一家职工书屋开放。\n{last}", FIRST)
    article = article_with(text, "职工书屋开放")
    assert people(article) == expected
    assert article.credits == [credit]
    assert article.body == ["近日，丰台区一家职工书屋开放。", "书屋共有图书三千册，全天向职工开放。"]
    body_has_none_of(article, [p[0] for p in expected])
    # Signed at the end, so the dateline naming nobody is no longer a problem.
    assert not [a for a in article.anomalies if "dateline names nobody" in a]


@PUNCT
@pytest.mark.parametrize(
    "aside",
    ["（完）", "（记者手记）", "（以下简称市总工会）", "（有删节）", "（2023年3月1日）", "（左一）", "（全文完）"],
)
def test_ordinary_brackets_at_the_end_are_not_authors(punct, aside):
    aside = typeset(aside, punct)
    text = page(f"职工书屋开放\n本报讯（记者 白莹）近日，丰台区一家职工书屋开放。{aside}")
    article = article_with(text, "职工书屋开放")
    assert people(article) == [("白莹", R, "记者", None)]
    assert article.credits == []
    assert article.body[-1].endswith(aside)


# --- photo credits ------------------------------------------------------------------------------------------------

EIGHT = ["王建国", "李思远", "赵文", "钱多多", "孙立群", "周敏", "吴海涛", "郑小雨"]


@PUNCT
@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("王建国 摄", [("王建国", P, "摄", None)]),
        ("王建国/摄", [("王建国", P, "摄", None)]),
        ("王建国／摄", [("王建国", P, "摄", None)]),
        ("图/王建国", [("王建国", P, "图", None)]),
        ("图／王建国", [("王建国", P, "图", None)]),
        ("图：王建国", [("王建国", P, "图", None)]),
        ("王建国、李思远 摄影报道", [("王建国", P, "摄影报道", None), ("李思远", P, "摄影报道", None)]),
        ("通讯员王建国 记者李思远 摄影报道", [("王建国", P, "通讯员", None), ("李思远", P, "记者", None)]),
        ("新华社记者 王建国 摄", [("王建国", P, "记者", "新华社")]),
        ("本报记者 " + " ".join(EIGHT) + " 摄", [(name, P, "记者", None) for name in EIGHT]),
    ],
)
@pytest.mark.parametrize("own_line", [False, True])
def test_photo_credit_shapes(punct, credit, expected, own_line):
    credit = typeset(credit, punct)
    sentence = "近日，海淀区总工会为环卫工人送去棉衣。"
    text = page(f"海淀区总工会慰问环卫工人\n本报讯（记者 陈曦）{sentence}{chr(10) if own_line else ' '}{credit}")
    article = article_with(typeset(text, punct), "海淀区总工会慰问环卫工人")
    assert people(article) == [("陈曦", R, "记者", None), *expected]
    assert article.credits == [credit]
    assert article.body == [typeset(sentence, punct)]
    assert not article.anomalies


@pytest.mark.parametrize("prose", ["他拿起相机拍摄", "近日，职工们在车间里认真拍摄图片"])
def test_prose_ending_in_she_or_tu_is_not_a_credit(prose):
    article = article_with(page(f"职工摄影展开幕\n本报讯（记者 白莹）{prose}"), "职工摄影展开幕")
    assert article.credits == []
    assert article.body == [prose]


@PUNCT
def test_credit_split_over_two_lines_makes_everyone_a_photographer(punct):
    first, second = typeset("记者王建国、李思远", punct), typeset("通讯员赵文 摄影报道", punct)
    text = page(FIRST, f"冬日暖阳\n\n近日，海淀区总工会为环卫工人送去棉衣。\n\n{first}\n{second}")
    photo = article_with(text, "冬日暖阳")
    assert photo.kind == KIND_PHOTO
    assert people(photo) == [("王建国", P, "记者", None), ("李思远", P, "记者", None), ("赵文", P, "通讯员", None)]
    assert photo.credits == [first, second]
    assert photo.body == ["近日，海淀区总工会为环卫工人送去棉衣。"]


def test_a_writers_byline_before_a_photo_credit_stays_a_writer():
    text = page(FIRST, "职工书屋开放\n本报讯 近日，丰台区一家职工书屋开放。\n本报记者 王建国\n李思远 摄")
    article = article_with(text, "职工书屋开放")
    assert people(article) == [("王建国", R, "记者", None), ("李思远", P, "摄", None)]


@PUNCT
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("文/王建国 图/李思远", [("王建国", U, "文", None), ("李思远", P, "图", None)]),
        ("文／本报记者 王建国 图／李思远", [("王建国", R, "记者", None), ("李思远", P, "图", None)]),
    ],
)
def test_writer_and_photographer_on_one_line_under_a_feature_headline(punct, line, expected):
    line = typeset(line, punct)
    text = page(FIRST, f"一线工人的坚守\n{line}\n凌晨四点，环卫工人已经开始工作。\n天亮以后，街道已经干干净净。")
    article = article_with(text, "一线工人的坚守")
    assert article.dateline == line
    assert people(article) == expected
    assert article.body == ["凌晨四点，环卫工人已经开始工作。", "天亮以后，街道已经干干净净。"]


def test_photo_page_with_several_captions_each_with_its_credit():
    text = page(
        FIRST,
        "冬日暖阳\n\n近日，海淀区总工会为环卫工人送去棉衣。\n\n王建国 摄",
        "书香满园\n\n图为职工在书屋里挑选图书。\n\n李思远 摄",
        "图为职工在阅览室里读报。\n\n刘晓梅 摄",
        "健步走\n\n近日，东城区职工参加健步走活动。\n\n本报通讯员 赵文 摄",
    )
    parsed = parse(text)
    got = [(a.title, a.kind, people(a), a.credits, a.body) for a in parsed.articles[1:]]
    assert got == [
        (
            "冬日暖阳",
            KIND_PHOTO,
            [("王建国", P, "摄", None)],
            ["王建国 摄"],
            ["近日，海淀区总工会为环卫工人送去棉衣。"],
        ),
        (
            "书香满园",
            KIND_PHOTO,
            [("李思远", P, "摄", None), ("刘晓梅", P, "摄", None)],
            ["李思远 摄", "刘晓梅 摄"],
            ["图为职工在书屋里挑选图书。", "图为职工在阅览室里读报。"],
        ),
        (
            "健步走",
            KIND_PHOTO,
            [("赵文", P, "通讯员", None)],
            ["本报通讯员 赵文 摄"],
            ["近日，东城区职工参加健步走活动。"],
        ),
    ]


def test_defect_3_correspondent_credit_at_the_end_of_a_page_is_not_a_dateline():
    """Issue #10 defect 3: 本报通讯员 … 摄 was read as the dateline 本报通讯 + 讯, leaving an article titled ''."""
    text = page(
        FIRST,
        "冬日暖阳\n\n近日，海淀区总工会为环卫工人送去棉衣。\n\n王建国 摄",
        "职工书屋开放\n\n近日，丰台区一家职工书屋开放，职工可以免费借阅。\n\n本报通讯员 李思远 摄",
    )
    parsed = parse_page(text)
    assert [a.title for a in parsed.articles] == ["朝阳区总工会举办职工运动会", "冬日暖阳", "职工书屋开放"]
    assert_conserved(text, parsed)
    last = parsed.articles[-1]
    assert people(last) == [("李思远", P, "通讯员", None)]
    assert last.credits == ["本报通讯员 李思远 摄"]
    assert last.body == ["近日，丰台区一家职工书屋开放，职工可以免费借阅。"]
    assert not [a for a in last.anomalies if "dateline" in a]


# --- names run together -----------------------------------------------------------------------------------------


def dateline_people(inner: str, **kwargs):
    article = article_with(page(f"专题培训班开班\n本报讯（{inner}）近日，专题培训班开班。"), "专题培训班开班", **kwargs)
    assert article.body == ["近日，专题培训班开班。"]
    return people(article), article.anomalies


@PUNCT
def test_four_characters_run_together_are_two_names(punct):
    got, anomalies = dateline_people(typeset("记者王芳李娜 通讯员赵文", punct))
    assert got == [("王芳", R, "记者", None), ("李娜", R, "记者", None), ("赵文", C, "通讯员", None)]
    assert not anomalies


def test_four_characters_starting_with_a_compound_surname_are_one_name():
    got, anomalies = dateline_people("记者欧阳晓峰")
    assert got == [("欧阳晓峰", R, "记者", None)]
    assert not anomalies


@pytest.mark.parametrize("run", ["王芳李思远", "王建国李思远"])
def test_five_or_six_characters_without_known_names_are_kept_whole_with_an_anomaly(run):
    got, anomalies = dateline_people(f"记者{run} 通讯员赵文")
    assert got == [(run, R, "记者", None), ("赵文", C, "通讯员", None)]
    assert f"names run together, kept as one: {run}" in anomalies


@pytest.mark.parametrize(
    ("run", "known", "names"),
    [
        ("王芳李思远", ["李思远"], ["王芳", "李思远"]),
        ("王芳李思远", ["王芳"], ["王芳", "李思远"]),
        ("王建国李思远", ["王建国"], ["王建国", "李思远"]),
        ("王建国李思远赵文", ["王建国", "赵文"], ["王建国", "李思远", "赵文"]),
        ("阿依古丽", ["阿依古丽"], ["阿依古丽"]),
    ],
)
def test_known_people_decide_the_cut(run, known, names):
    got, anomalies = dateline_people(f"记者{run}", known_people=known)
    assert [name for name, *_ in got] == names
    assert {role for _, role, *_ in got} == {R}
    assert not anomalies


def test_known_people_change_the_default_cut_and_do_not_leak_to_the_next_page():
    assert [p[0] for p in dateline_people("记者阿依古丽")[0]] == ["阿依", "古丽"]
    assert [p[0] for p in dateline_people("记者阿依古丽", known_people={"阿依古丽"})[0]] == ["阿依古丽"]
    assert [p[0] for p in dateline_people("记者阿依古丽")[0]] == ["阿依", "古丽"]


def test_names_run_together_in_a_photo_credit_and_a_byline_line():
    text = page(FIRST, "一线工人的坚守\n本报记者 王芳李娜\n凌晨四点，环卫工人已经开始工作。\n本报记者 王建国李思远 摄")
    article = article_with(text, "一线工人的坚守", known_people=["李思远"])
    assert people(article) == [
        ("王芳", R, "记者", None),
        ("李娜", R, "记者", None),
        ("王建国", P, "记者", None),
        ("李思远", P, "记者", None),
    ]
    assert article.credits == ["本报记者 王建国李思远 摄"]


# --- property: byline-shaped noise only ever gives a page or a ParseError ----------------------------------------

_BYLINE_PIECES = st.sampled_from(
    [
        "本报讯",
        "工人日报讯",
        "新华社北京3月1日电",
        "记者",
        "本报记者",
        "通讯员",
        "本报通讯",
        "员",
        "实习生",
        "报道",
        "摄",
    ]
    + [
        "摄影报道",
        "图/",
        "图",
        "/",
        "／",
        "、",
        " ",
        "（",
        "）",
        "(",
        ")",
        "。",
        "，",
        "\n",
        "\n\n",
        "王建国",
        "李思远",
    ]
    + ["欧阳晓峰", "王芳李娜", "阿依古丽", "完", "以下简称", "近日，职工书屋开放。", "冬日暖阳", "·", "2023年"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BYLINE_PIECES, max_size=50).map("".join), st.sets(st.sampled_from(["王建国", "李娜", "王", ""])))
def test_byline_shaped_noise_parses_or_raises_parse_error(text, known):
    try:
        result = parse_page(text, known_people=known)
    except ParseError:
        return
    assert result.articles
    for article in result.articles:
        assert all(p.name and p.role in (R, C, P, U) for p in article.people)
        assert all(credit.strip() for credit in article.credits)
