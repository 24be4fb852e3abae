"""Page structure (articles/parsing/layout.py, page.py) on hand-made pages: every defect of issue #10's layout part."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.parsing import KIND_PHOTO, parse_page
from articles.parsing.conservation import check_conservation

BANNER = "职工之家 服务到身边"
NEWS_A = "丰台区总工会举办职工乒乓球赛\n本报讯（记者 王建国）近日，丰台区总工会举办职工乒乓球赛，两百余名职工参赛。"
NEWS_B = "石景山区开展安全生产培训\n本报讯（记者 李思远）日前，石景山区总工会为一线职工开展安全生产培训。"


def page(*blocks: str, banner: str = BANNER) -> str:
    return banner + "\n\n" + "\n\n".join(blocks) + "\n"


def parsed(text: str):
    result = parse_page(text)
    assert check_conservation(text, result) == []
    return result


def titles(result) -> list[str]:
    return [a.title for a in result.articles]


# --- defect 2: a page opening with a photo-news item --------------------------------------------------------------


def test_photo_news_opening_the_page_is_an_article():
    text = page(
        "雪后清扫保畅通",
        "环卫工人凌晨上岗，清扫主干道积雪，保障市民早高峰出行。",
        "本报记者 赵明轩 本报通讯员 孙丽华 摄",
        NEWS_A,
        NEWS_B,
    )
    result = parsed(text)
    assert titles(result) == ["雪后清扫保畅通", "丰台区总工会举办职工乒乓球赛", "石景山区开展安全生产培训"]
    photo = result.articles[0]
    assert photo.body == ["环卫工人凌晨上岗，清扫主干道积雪，保障市民早高峰出行。"]
    assert photo.credits == ["本报记者 赵明轩 本报通讯员 孙丽华 摄"]
    assert photo.kind == KIND_PHOTO
    assert [p.name for p in photo.people] == ["赵明轩", "孙丽华"]
    assert not any("not attached" in a for a in result.anomalies)
    assert result.unassigned == []


def test_a_brief_opening_the_page_is_an_article():
    text = page("职工书屋新增图书千册", "西城区职工书屋新添各类图书一千册，欢迎职工前来借阅。", NEWS_A)
    result = parsed(text)
    assert titles(result) == ["职工书屋新增图书千册", "丰台区总工会举办职工乒乓球赛"]
    assert result.articles[0].body == ["西城区职工书屋新添各类图书一千册，欢迎职工前来借阅。"]


def test_text_without_any_headline_before_the_first_article_is_unassigned():
    text = page("培训持续到月底，报名的职工请按时到场。", NEWS_A)
    result = parsed(text)
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛"]
    assert result.unassigned == ["培训持续到月底，报名的职工请按时到场。"]
    assert any("unassigned" in a for a in result.anomalies)


def test_a_credit_before_the_first_article_is_unassigned_not_dropped():
    text = page("本报记者 赵明轩 摄", NEWS_A)
    result = parsed(text)
    assert result.unassigned == ["本报记者 赵明轩 摄"]


# --- defect 3 / no empty titles -----------------------------------------------------------------------------------


def test_correspondent_credit_after_the_last_caption_is_a_credit_not_an_article():
    text = page(
        NEWS_A,
        "志愿服务暖人心",
        "图为志愿者为户外劳动者送上热饮。",
        "本报通讯员 孙丽华 摄",
    )
    result = parsed(text)
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛", "志愿服务暖人心"]
    assert result.articles[1].credits == ["本报通讯员 孙丽华 摄"]
    assert [p.name for p in result.articles[1].people] == ["孙丽华"]
    assert all(a.title for a in result.articles)


def test_a_dateline_without_a_headline_joins_the_article_before():
    text = page(NEWS_A, "本报讯（记者 王建国）比赛将持续三天。")
    result = parsed(text)
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛"]
    assert result.articles[0].body[-1] == "本报讯（记者 王建国）比赛将持续三天。"
    assert any("dateline without a headline" in a for a in result.articles[0].anomalies)


def test_a_dateline_without_a_headline_before_any_article_is_unassigned():
    text = page("报名请到区总工会。", "本报讯（记者 王建国）比赛将持续三天。", NEWS_B)
    result = parsed(text)
    assert titles(result) == ["石景山区开展安全生产培训"]
    assert result.unassigned == ["报名请到区总工会。", "本报讯（记者 王建国）比赛将持续三天。"]


LINES = [
    "丰台区总工会举办职工乒乓球赛",
    "本报讯（记者 王建国）近日，丰台区总工会举办职工乒乓球赛。",
    "本报通讯员 孙丽华 摄",
    "本报记者 赵明轩 摄影报道",
    "本报讯（记者 李思远）",
    "比赛持续三天，",
    "职工踊跃参加。",
    "雪后清扫保畅通",
    "编者按：今起本报推出系列报道。",
    "（上接第一版）",
    "（下转第三版）",
    "责编：周文静",
    "2024年3月5日 星期二",
    "一、练好基本功",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=30))
def test_no_article_ever_has_an_empty_title(lines):
    text = "\n".join(lines)
    try:
        result = parse_page(text)
    except ValueError:
        return
    assert all(a.title.strip() for a in result.articles)
    assert check_conservation(text, result) == []


# --- 编者按 ------------------------------------------------------------------------------------------------------


def test_editor_note_before_the_headline_belongs_to_the_next_article():
    note = "编者按：一线职工的坚守，是城市平稳运行的底色。本报今起推出系列报道，敬请关注。"
    text = page(NEWS_A, note, NEWS_B)
    result = parsed(text)
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛", "石景山区开展安全生产培训"]
    first, second = result.articles
    assert first.body == ["近日，丰台区总工会举办职工乒乓球赛，两百余名职工参赛。"]
    assert first.editor_note is None
    assert second.editor_note == note
    assert note not in second.body


def test_editor_note_under_the_headline_and_on_two_lines():
    text = page(
        NEWS_A,
        "守护城市的夜班人",
        "【编者按】夜深人静时，仍有许多职工在岗位上忙碌。",
        "本报记者走近他们，记录平凡的坚守。",
        "本报讯（记者 李思远）凌晨两点，地铁检修工人开始了一天的工作。",
    )
    result = parsed(text)
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛", "守护城市的夜班人"]
    feature = result.articles[1]
    assert feature.editor_note == "【编者按】夜深人静时，仍有许多职工在岗位上忙碌。\n本报记者走近他们，记录平凡的坚守。"
    assert feature.dateline == "本报讯（记者 李思远）"
    assert feature.body == ["凌晨两点，地铁检修工人开始了一天的工作。"]


# --- continuations ------------------------------------------------------------------------------------------------


def test_continued_story_on_its_first_page():
    text = page(
        "全市职工技能大赛启幕",
        "本报讯（记者 王建国）近日，全市职工职业技能大赛在京开幕，共设二十个比赛项目。",
        "本届大赛首次增设新职业赛项，吸引了众多青年职工。（下转第三版）",
        NEWS_B,
    )
    result = parsed(text)
    story = result.articles[0]
    assert (story.continued_from, story.continues_on) == (None, 3)
    assert story.continuation_marks == ["（下转第三版）"]
    assert story.body[-1] == "本届大赛首次增设新职业赛项，吸引了众多青年职工。"
    assert titles(result) == ["全市职工技能大赛启幕", "石景山区开展安全生产培训"]


@pytest.mark.parametrize(
    ("mark", "number"),
    [("（上接第一版）", 1), ("(上接第2版)", 2), ("（上接A1版）", 1), ("（上接第十二版）", 12), ("（接第二十版）", 20)],
)
def test_continued_part_on_a_later_page(mark, number):
    text = page(
        "全市职工技能大赛启幕",
        mark,
        "比赛期间，各区总工会组织职工观摩，现场气氛热烈。",
        "大赛将持续到本月底。",
    )
    result = parsed(text)
    story = result.articles[0]
    assert story.title == "全市职工技能大赛启幕"
    assert (story.continued_from, story.continues_on) == (number, None)
    assert story.continuation_marks == [mark]
    assert story.body == ["比赛期间，各区总工会组织职工观摩，现场气氛热烈。", "大赛将持续到本月底。"]


def test_continuation_mark_opening_the_paragraph():
    text = page(NEWS_A, "全市职工技能大赛启幕", "（上接第一版）比赛期间，各区总工会组织职工观摩。（下转第五版）")
    story = parsed(text).articles[1]
    assert story.title == "全市职工技能大赛启幕"
    assert (story.continued_from, story.continues_on) == (1, 5)
    assert story.continuation_marks == ["（上接第一版）", "（下转第五版）"]
    assert story.body == ["比赛期间，各区总工会组织职工观摩。"]


def test_continued_part_whose_first_line_the_column_broke_keeps_its_mark():
    # The first line after the mark is short and unfinished, like a heading: it is still the part's text.
    text = page(
        "全市职工技能大赛启幕",
        "（上接第一版）此次比赛由市总工会主办",
        "，共有三百名职工参加决赛。",
        "大赛将持续到本月底。",
    )
    result = parsed(text)
    story = result.articles[0]
    assert (story.title, story.subtitle, story.continued_from) == ("全市职工技能大赛启幕", None, 1)
    assert story.continuation_marks == ["（上接第一版）"]
    assert story.body[0] == "此次比赛由市总工会主办，共有三百名职工参加决赛。"
    assert check_conservation(text, result) == []


def test_a_story_signed_at_its_end_after_a_continued_part_is_an_article():
    # The continued part's start is marked, so a headline after its last finished paragraph heads a new story even
    # when that story has no dateline and the first words of its lead are short enough to look like a heading.
    text = page(
        "全市职工技能大赛启幕",
        "（上接第一版）比赛期间，各区总工会组织职工观摩。",
        "大赛将持续到本月底。",
        "朝阳区总工会为快递员送温暖",
        "为把关怀送到职工身边，日前，朝阳区总工会",
        "走访了辖区快递网点，送去御寒物资。",
        "下一步，区总工会将持续开展慰问。（王建国）",
    )
    result = parsed(text)
    assert titles(result) == ["全市职工技能大赛启幕", "朝阳区总工会为快递员送温暖"]
    signed = result.articles[1]
    assert signed.subtitle is None
    assert signed.body[0] == "为把关怀送到职工身边，日前，朝阳区总工会走访了辖区快递网点，送去御寒物资。"
    assert signed.credits == ["（王建国）"]


def test_a_short_line_after_a_credit_heads_the_next_story_not_a_section():
    # A credit closes its article: the kicker under it belongs to the next story, however long the article was.
    text = page(
        "\n".join(FEATURE[:8]),
        "本报记者 李思远 摄",
        "守护城市的夜班人",
        "朝阳区总工会为快递员送温暖",
        "日前，朝阳区总工会走访了辖区快递网点。",
        "下一步，区总工会将持续开展慰问。",
    )
    result = parsed(text)
    assert titles(result) == ["老师傅的新课堂", "朝阳区总工会为快递员送温暖"]
    assert result.articles[1].kicker == "守护城市的夜班人"
    assert "守护城市的夜班人" not in result.articles[0].body


def test_the_broken_first_line_of_a_lead_after_a_credit_is_not_a_subtitle():
    text = page(
        NEWS_A,
        "本报记者 李思远 摄",
        "朝阳区总工会为快递员送温暖",
        "为切实增强职工获得感、幸",
        "福感，日前，朝阳区总工会走访了辖区快递网点。",
        "下一步，区总工会将持续开展慰问。（王建国）",
    )
    signed = parsed(text).articles[1]
    assert (signed.title, signed.subtitle) == ("朝阳区总工会为快递员送温暖", None)
    assert signed.body[0] == "为切实增强职工获得感、幸福感，日前，朝阳区总工会走访了辖区快递网点。"


# --- 小标题 inside long features, briefs ----------------------------------------------------------------------------

FEATURE = [
    "老师傅的新课堂",
    "本报讯（记者 王建国）走进车间，机床的轰鸣声扑面而来。",
    "张卫东在这里工作了三十年。",
    "他带出的徒弟遍布全厂。",
    "手把手传技艺",
    "今年以来，张卫东每天都会提前一小时到岗。",
    "他把多年的经验写成了操作手册。",
    "徒弟们说，这本手册比什么都管用。",
    "二、新设备带来新挑战",
    "去年厂里引进了数控设备。",
    "张卫东带头学习编程。",
    "如今他已能独立完成调试。",
    "退休前的心愿",
    "他希望把手艺一直传下去。",
    "车间的灯光下，新一代工匠正在成长。",
]


def test_section_headings_of_a_long_feature_stay_in_its_body():
    text = page("\n".join(FEATURE), NEWS_B)
    result = parsed(text)
    assert titles(result) == ["老师傅的新课堂", "石景山区开展安全生产培训"]
    body = result.articles[0].body
    assert len(body) == 14  # every line but the headline is a paragraph, the first one after the dateline
    for heading in ("手把手传技艺", "二、新设备带来新挑战", "退休前的心愿"):
        assert heading in body
    assert body[3] == "手把手传技艺" and body[4] == "今年以来，张卫东每天都会提前一小时到岗。"


def test_section_heading_before_a_paragraph_starting_like_a_brief():
    text = page(
        "老师傅的新课堂\n本报讯（记者 王建国）走进车间，机床的轰鸣声扑面而来。\n张卫东在这里工作了三十年。",
        "传承有新招",
        "近日，他开设了技能讲堂。",
        "讲堂每周开讲一次。",
    )
    result = parsed(text)
    assert titles(result) == ["老师傅的新课堂"]
    assert "传承有新招" in result.articles[0].body


def test_first_bare_section_heading_before_a_sentence_opening_with_ju():
    # jieba's HMM glues 上 + 据 into a non-word: no word runs across the end of 心坎上, so the line is a heading.
    text = page(
        "\n".join(FEATURE[:4]),
        "把服务送到职工心坎上",
        "据了解，车间今年新建了职工休息室。",
        "休息室配备了饮水机和微波炉。",
        NEWS_B,
    )
    body = parsed(text).articles[0].body
    assert body[3:6] == ["把服务送到职工心坎上", "据了解，车间今年新建了职工休息室。", "休息室配备了饮水机和微波炉。"]


def test_lines_a_column_broke_inside_a_feature_are_not_section_headings():
    text = page(
        "\n".join(FEATURE[:8]),
        "三门技能课程均为新开发的",
        "岗位实操课程，每周开课两次。",
        "市委巡回指导组组长黄",  # a name the column broke: jieba's HMM joins 黄塞溪 across the break
        "塞溪到会指导。",
        "二、新设备带来新挑战",
        "车间安全生产委员会主任",
        "张卫东强调，新设备上岗前必须经过培训。",
        NEWS_B,
    )
    body = parsed(text).articles[0].body
    assert "三门技能课程均为新开发的岗位实操课程，每周开课两次。" in body
    assert "市委巡回指导组组长黄塞溪到会指导。" in body
    assert body[-2:] == ["二、新设备带来新挑战", "车间安全生产委员会主任张卫东强调，新设备上岗前必须经过培训。"]


def test_a_kicker_over_a_marked_headline_after_a_feature_heads_the_next_story():
    text = page(
        "\n".join(FEATURE),
        "服务职工在行动",
        "## 朝阳区总工会为快递员送温暖",
        "日前，朝阳区总工会走访了辖区快递网点。",
    )
    result = parsed(text)
    assert titles(result) == ["老师傅的新课堂", "朝阳区总工会为快递员送温暖"]
    assert result.articles[1].kicker == "服务职工在行动"
    assert result.articles[0].body[-1] == FEATURE[-1]


def test_a_lead_broken_after_a_punctuated_clause_or_a_bare_de_is_not_a_subtitle():
    for first, rest in (
        ("为展现职工团结协作、顽强拼", "搏的精神面貌，日前，"),
        ("为展现职工顽强拼搏的", "精神面貌，日前，"),
    ):
        text = page(
            NEWS_A,
            "本报记者 李思远 摄",
            "朝阳区总工会为快递员送温暖",
            first,
            rest + "朝阳区总工会走访了辖区快递网点。",
            "下一步，区总工会将持续开展慰问。（王建国）",
        )
        signed = parsed(text).articles[1]
        assert (signed.title, signed.subtitle) == ("朝阳区总工会为快递员送温暖", None)
        assert signed.body[0] == first + rest + "朝阳区总工会走访了辖区快递网点。"


def test_briefs_of_one_paragraph_are_articles():
    text = page(
        NEWS_A,
        "职工书屋新增图书",
        "近日，西城区职工书屋新添各类图书一千册。",
        "户外驿站开放",
        "日前，海淀区新建的十座户外劳动者驿站全部开放。",
    )
    result = parsed(text)
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛", "职工书屋新增图书", "户外驿站开放"]
    assert [a.body for a in result.articles[1:]] == [
        ["近日，西城区职工书屋新添各类图书一千册。"],
        ["日前，海淀区新建的十座户外劳动者驿站全部开放。"],
    ]


# --- page headers and footers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "number", "label"),
    [
        ("2024年3月5日 星期二 第3版", 3, "第3版"),
        ("第 3 版", 3, "第 3 版"),
        ("A3版：要闻", 3, "A3版"),
        ("2024年3月5日 星期二\n第12版：工会", 12, "第12版"),
    ],
)
def test_page_header_gives_page_number_and_label(header, number, label):
    text = header + "\n" + page(NEWS_A, NEWS_B)
    result = parsed(text)
    assert (result.page_number, result.page_label) == (number, label)
    assert result.header_lines == header.split("\n")
    assert result.banner == BANNER
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛", "石景山区开展安全生产培训"]


def test_staff_lines_at_top_and_bottom_are_header_lines_not_text():
    text = (
        "2024年3月5日 星期二\n责编：周文静 美编：吴晓光\n"
        + page(NEWS_A, NEWS_B)
        + "\n责任编辑 周文静 校对 钱立新\n版式：吴晓光\n第5版\n"
    )
    result = parsed(text)
    assert result.header_lines == [
        "2024年3月5日 星期二",
        "责编：周文静 美编：吴晓光",
        "责任编辑 周文静 校对 钱立新",
        "版式：吴晓光",
        "第5版",
    ]
    assert (result.page_number, result.page_label) == (5, "第5版")
    assert titles(result) == ["丰台区总工会举办职工乒乓球赛", "石景山区开展安全生产培训"]
    assert result.articles[1].body == ["日前，石景山区总工会为一线职工开展安全生产培训。"]


def test_staff_line_between_articles_is_a_header_line():
    text = page(NEWS_A, "责编：周文静", NEWS_B)
    result = parsed(text)
    assert result.header_lines == ["责编：周文静"]
    assert result.articles[0].body == ["近日，丰台区总工会举办职工乒乓球赛，两百余名职工参赛。"]


# --- credits keep their text --------------------------------------------------------------------------------------


def test_credit_lines_are_kept_whole_in_credits():
    text = page(
        "丰台区总工会举办职工乒乓球赛\n本报讯（记者 王建国）近日，丰台区总工会举办职工乒乓球赛。本报记者 赵明轩 摄",
        "雪后清扫保畅通\n近日，环卫工人凌晨上岗清扫积雪。\n本报记者 赵明轩 通讯员 孙丽华 摄影报道",
    )
    result = parsed(text)
    assert [a.credits for a in result.articles] == [["本报记者 赵明轩 摄"], ["本报记者 赵明轩 通讯员 孙丽华 摄影报道"]]
    assert result.articles[0].body == ["近日，丰台区总工会举办职工乒乓球赛。"]
