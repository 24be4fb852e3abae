"""Deterministic synthetic archive of newspaper page files, laid out like the real pages in seeds/."""

from __future__ import annotations

import importlib.util
import io
import math
import os
import random
import re
import time
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from .conventions import (
    BYLINE_CONVENTIONS,
    CAPTION_SCENES,
    EDITOR_NOTES,
    PHOTO_CONVENTIONS,
    PHOTO_PAGE_TITLES,
    SECTION_HEADINGS,
    SECTION_NUMBERS,
    SHAPE_CONVENTIONS,
    chinese_number,
    footer_line,
    header_lines,
    role_of,
)

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
END_PUNCT = "。！？"
# One blank line is the ordinary paragraph break; column extraction sometimes leaves three.
SEP = "\n\n"
SEP3 = "\n\n\n\n"

ARTICLES_PER_PAGE = (12, 20)
PAGES_PER_ISSUE = (4, 8)
PHOTO_NEWS_SHARE = 1 / 8
MARKDOWN_PAGE_SHARE = 0.4
BODY_MIN, BODY_MAX = 150, 3000
# The target stays this far under BODY_MAX: the paragraph and the closing that cross it may add up to ~350.
BODY_TARGET_MAX = 2600
ORGANISATION_COUNT = 2000
# Share of articles (and pages) printed in another workers' paper's convention rather than the seeds' own.
DEFAULT_VARIETY = 0.25

# People who sign the seed pages; the pools start with them so generated pages continue the real ones.
SEED_REPORTERS = (
    "白莹",
    "陈艺",
    "刘欣欣",
    "赵思远",
    "陈曦",
    "马超",
    "任洁",
    "余翠平",
    "周美玉",
    "边磊",
    "孙艳",
    "崔欣",
    "石海芹",
    "于佳",
    "张晶",
)
SEED_CORRESPONDENTS = ("魏桑", "胡思哲", "王显芳", "高若晨", "马振涛", "王惠颖", "杨昭琛")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
    "钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏飞宇浩然欣怡佳琪涵思远晨阳雪梅婷颖慧琳倩蕾薇"
    "志国建新海波云峰岩松林森博文斌俊凯辉亮晓东南宁安康健源鑫泽瑞祥彬彤璐瑶颢楠悦蓉洁莉丹晶莹翔宏坤旭昊"
)

DISTRICTS = (
    "东城区",
    "西城区",
    "朝阳区",
    "海淀区",
    "丰台区",
    "石景山区",
    "门头沟区",
    "房山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "怀柔区",
    "平谷区",
    "密云区",
    "延庆区",
    "北京经济技术开发区",
)
DEVELOPMENT_ZONE, DEVELOPMENT_ZONE_ALIAS = "北京经济技术开发区", "经开区"
STREETS = {
    "东城区": "东华门街道 景山街道 交道口街道 安定门街道 北新桥街道 东四街道 朝阳门街道 建国门街道 东直门街道 "
    "和平里街道 前门街道 崇文门外街道 东花市街道 龙潭街道 体育馆路街道 天坛街道 永定门外街道",
    "西城区": "西长安街街道 新街口街道 月坛街道 展览路街道 德胜街道 金融街街道 什刹海街道 大栅栏街道 天桥街道 "
    "椿树街道 陶然亭街道 广安门内街道 牛街街道 白纸坊街道 广安门外街道",
    "朝阳区": "建外街道 朝外街道 呼家楼街道 三里屯街道 左家庄街道 香河园街道 和平街街道 安贞街道 亚运村街道 "
    "小关街道 酒仙桥街道 麦子店街道 团结湖街道 六里屯街道 八里庄街道 双井街道 劲松街道 潘家园街道 垡头街道 "
    "南磨房地区 高碑店地区 将台地区 太阳宫地区 大屯街道 望京街道 奥运村街道 首都机场街道",
    "海淀区": "万寿路街道 永定路街道 羊坊店街道 甘家口街道 八里庄街道 紫竹院街道 北下关街道 北太平庄街道 "
    "学院路街道 中关村街道 海淀街道 青龙桥街道 清华园街道 燕园街道 香山街道 清河街道 花园路街道 西三旗街道 "
    "马连洼街道 田村路街道 上地街道 万柳地区 曙光街道 温泉镇 四季青镇 西北旺镇 苏家坨镇 上庄镇",
    "丰台区": "右安门街道 太平桥街道 西罗园街道 大红门街道 南苑街道 东高地街道 东铁匠营街道 六里桥街道 "
    "丰台街道 新村街道 长辛店街道 云岗街道 方庄地区 宛平地区 马家堡街道 和义街道 卢沟桥街道 花乡地区 王佐镇",
    "石景山区": "八宝山街道 老山街道 八角街道 古城街道 苹果园街道 金顶街街道 广宁街道 五里坨街道 鲁谷街道",
    "门头沟区": "大峪街道 城子街道 东辛房街道 大台街道 王平镇 永定镇 龙泉镇 潭柘寺镇 军庄镇 雁翅镇 斋堂镇 "
    "清水镇 妙峰山镇",
    "房山区": "城关街道 新镇街道 向阳街道 东风街道 迎风街道 星城街道 拱辰街道 西潞街道 长阳镇 良乡镇 "
    "琉璃河镇 窦店镇 阎村镇 青龙湖镇 周口店镇 韩村河镇 十渡镇",
    "通州区": "中仓街道 新华街道 北苑街道 玉桥街道 永顺镇 梨园镇 宋庄镇 张家湾镇 漷县镇 马驹桥镇 西集镇 "
    "台湖镇 永乐店镇 潞城镇 于家务乡",
    "顺义区": "胜利街道 光明街道 石园街道 空港街道 双丰街道 旺泉街道 仁和镇 后沙峪镇 天竺镇 杨镇 牛栏山镇 "
    "南法信镇 马坡镇 高丽营镇 李桥镇 李遂镇 南彩镇 北务镇 赵全营镇",
    "昌平区": "城北街道 城南街道 天通苑北街道 天通苑南街道 霍营街道 回龙观街道 龙泽园街道 史各庄街道 "
    "阳坊镇 小汤山镇 南邵镇 崔村镇 百善镇 北七家镇 兴寿镇 流村镇 十三陵镇 延寿镇 沙河镇",
    "大兴区": "兴丰街道 林校路街道 清源街道 观音寺街道 天宫院街道 高米店街道 荣华街道 博兴街道 黄村镇 "
    "旧宫镇 西红门镇 瀛海镇 亦庄镇 青云店镇 采育镇 安定镇 礼贤镇 榆垡镇 庞各庄镇 北臧村镇 魏善庄镇",
    "怀柔区": "泉河街道 龙山街道 怀柔镇 雁栖镇 庙城镇 北房镇 杨宋镇 桥梓镇 怀北镇 汤河口镇 渤海镇 "
    "九渡河镇 琉璃庙镇 宝山镇",
    "平谷区": "滨河街道 兴谷街道 渔阳地区 平谷镇 峪口镇 马坊镇 金海湖镇 东高村镇 山东庄镇 南独乐河镇 "
    "大华山镇 夏各庄镇 马昌营镇 王辛庄镇 大兴庄镇 刘家店镇 镇罗营镇 黄松峪乡 熊儿寨乡",
    "密云区": "鼓楼街道 果园街道 檀营地区 溪翁庄镇 西田各庄镇 十里堡镇 河南寨镇 巨各庄镇 穆家峪镇 "
    "太师屯镇 高岭镇 不老屯镇 冯家峪镇 古北口镇 大城子镇 东邵渠镇 北庄镇 新城子镇 石城镇",
    "延庆区": "百泉街道 香水园街道 儒林街道 延庆镇 康庄镇 八达岭镇 永宁镇 旧县镇 张山营镇 四海镇 "
    "千家店镇 沈家营镇 大榆树镇 井庄镇 大庄科乡 刘斌堡乡 香营乡 珍珠泉乡",
}
DISTRICT_AGENCIES = ("消防救援支队", "人力资源和社会保障局", "融媒体中心", "城市管理委员会")
INDUSTRY_UNIONS = (
    "北京市教育工会",
    "北京市卫生健康工会",
    "北京市农林水工会",
    "北京市国防邮电工会",
    "北京市商贸服务业工会",
    "北京市建设工会",
    "北京市交通运输工会",
    "北京市能源化学工会",
    "北京市金融工会",
    "北京市文化体育工会",
)
# Real groups the seed pages mention or that a Beijing union paper covers daily: (name, short name).
REAL_ENTERPRISES = (
    ("北京首都开发控股（集团）有限公司", "首开集团"),
    ("北京建工集团", "建工集团"),
    ("北京城建集团", "城建集团"),
    ("北京公交集团", "公交集团"),
    ("北京市地铁运营有限公司", "北京地铁"),
    ("首钢集团", ""),
    ("北京金隅集团", "金隅集团"),
    ("北京能源集团", "京能集团"),
    ("北京汽车集团", "北汽集团"),
    ("北京控股集团", "北控集团"),
    ("北京首都旅游集团", "首旅集团"),
    ("北京首农食品集团", "首农食品集团"),
    ("北京住总集团", "住总集团"),
    ("北京市政路桥集团", "市政路桥集团"),
    ("北京燃气集团", "燃气集团"),
    ("北京热力集团", "热力集团"),
    ("北京自来水集团", "自来水集团"),
    ("北京城市排水集团", "排水集团"),
    ("北京环境卫生工程集团", "北京环卫集团"),
    ("中铁六局集团", "中铁六局"),
    ("北京同仁堂集团", "同仁堂集团"),
    ("北京电力公司", ""),
    ("完美世界集团", ""),
)
BRAND_FIRST = "京华中金恒泰宏远新兴盛鑫瑞博信联安通达天长城建科汇丰源德嘉佳正诚万永和利顺昌"
BRAND_SECOND = "华兴泰达通盛信源丰安宇航创业晟辉宏远诚隆祥鼎晨锦峰成德嘉昊"
COMPANY_TRADES = (
    "科技",
    "建设",
    "物业",
    "物流",
    "置业",
    "能源",
    "电子",
    "机电",
    "医药",
    "食品",
    "环保",
    "传媒",
    "软件",
    "交通",
    "水务",
    "建材",
    "装饰",
    "餐饮",
    "商贸",
    "文化",
    "旅游",
    "农业",
    "信息技术",
    "汽车服务",
    "供应链",
    "智能制造",
    "新材料",
    "检测",
    "园林绿化",
    "安装工程",
)
BRANCH_FUNCTIONS = (
    "保修",
    "机电",
    "供电",
    "运营",
    "客运",
    "物资",
    "检修",
    "通信",
    "维修",
    "工程",
    "销售",
    "第一",
    "第二",
    "第三",
    "电务",
    "物业",
    "后勤",
    "车辆",
    "线路",
    "信号",
    "建筑",
    "安装",
    "设计",
    "物流",
    "北京",
    "华北",
    "顺义",
    "通州",
    "大兴",
    "亦庄",
)
SCHOOL_PREFIXES = ("北京", "首都", "北方", "燕京", "京华", "中关村", "京北", "京南")
SCHOOL_FIELDS = (
    "师范",
    "理工",
    "工商",
    "交通",
    "建筑",
    "农业",
    "财经",
    "医科",
    "体育",
    "艺术",
    "外国语",
    "信息科技",
    "电力",
    "石油化工",
    "林业",
    "传媒",
    "政法",
    "经贸",
    "科技",
    "联合",
    "城市",
    "工业",
    "电子",
    "服装",
)

BANNERS = (
    "工会新闻",
    "基层动态",
    "职工生活",
    "劳模风采",
    "维权服务",
    "综合新闻",
    "要闻",
    "产业工人",
    "区域工会",
    "企业工会",
    "服务职工在行动",
    "新就业形态劳动者",
    "工会动态",
    "深入学习贯彻{spirit} 奋力开拓首都工会工作新局面",
)
ACTIVITIES = (
    "职工健步走",
    "义务植树",
    "学雷锋志愿服务",
    "读书分享",
    "送清凉",
    "送温暖",
    "金秋助学",
    "春节慰问",
    "手工制作体验",
    "亲子阅读",
    "青年联谊",
    "爱心送考",
    "户外劳动者关爱",
    "主题宣传",
    "职工摄影作品征集",
    "劳模进校园",
    "安全生产月",
    "消防安全宣传",
    "普法宣传",
    "女职工关爱",
    "心理健康关爱",
    "职工文化节",
    "爱心理发",
    "职工书画展",
    "“劳模工匠进企业”",
    "“我为职工办实事”",
    "“以诗言志”",
    "“强国复兴有我”快闪",
    "职工趣味运动",
    "免费体检",
    "法律服务进企业",
    "合理化建议征集",
    "职工技术创新成果展示",
)
TRAININGS = (
    "应急救护",
    "安全生产",
    "消防安全",
    "工会财务",
    "工会干部业务",
    "职业技能",
    "心理疏导",
    "法律知识",
    "集体协商",
    "网络安全",
    "劳动保护",
    "新任工会主席",
    "高技能人才",
    "班组长管理",
    "职工书屋管理员",
)
CONTESTS = (
    "职业技能",
    "羽毛球",
    "乒乓球",
    "拔河",
    "厨艺",
    "书法",
    "篮球",
    "象棋",
    "岗位练兵",
    "安全知识",
    "职工歌手",
    "叉车操作",
    "电工技能",
)
MEETINGS = ("会议", "推进会", "座谈会", "总结表彰会", "宣讲报告会", "经验交流会", "动员部署会")
MEETING_TOPICS = (
    "学习贯彻{spirit}",
    "产业工人队伍建设改革",
    "年度工会工作",
    "劳动竞赛",
    "职工之家建设",
    "新就业形态劳动者入会",
    "集体协商",
    "安全生产",
    "厂务公开",
    "劳模工作",
    "女职工工作",
)
OUTINGS = (
    "参观劳模事迹展",
    "观看爱国主义电影",
    "开展义务植树",
    "体验非遗文化",
    "走进科技馆",
    "开展志愿服务",
    "参观红色教育基地",
    "开展健步走",
    "学习安全知识",
)
GROUPS = (
    "户外职工",
    "一线职工",
    "新就业形态劳动者",
    "环卫工人",
    "快递小哥",
    "困难职工",
    "劳模",
    "建筑工人",
    "公交司机",
    "医护人员",
    "外卖骑手",
    "网约车司机",
    "货车司机",
)
GIFTS = ("温暖", "清凉", "健康", "法律服务", "慰问品", "“暖心包”", "御寒物资", "节日祝福")
HONOURS = ("优秀工会干部", "先进个人", "岗位能手", "优秀班组长", "最美职工", "技术能手", "优秀工会积极分子")
FACILITIES = (
    "职工之家",
    "职工书屋",
    "暖心驿站",
    "爱心母婴室",
    "职工创新工作室",
    "劳模创新工作室",
    "户外劳动者服务站",
    "职工小家",
)
PURPOSES = (
    "进一步丰富职工文化生活",
    "切实增强职工获得感、幸福感、安全感",
    "推动{spirit}走深走实",
    "营造比学赶超的良好氛围",
    "提升职工技能素质",
    "把党和政府以及工会组织的关怀送到职工心坎上",
    "持续深化产业工人队伍建设改革",
    "引导广大职工听党话、跟党走",
    "大力弘扬劳模精神、劳动精神、工匠精神",
    "更好地服务首都高质量发展",
    "推动构建和谐劳动关系",
    "展现广大职工团结协作、顽强拼搏的精神面貌",
)
FOLLOW_UPS = (
    "组织观看专题片",
    "开展专题辅导讲座",
    "发放学习资料",
    "设置互动体验区",
    "开展知识竞答",
    "邀请专家授课",
    "开展现场咨询",
    "组织交流发言",
)
KICKERS = (
    "深入学习贯彻{spirit} 奋力开拓首都工会工作新局面",
    "深入学习贯彻{spirit}",
    "贯彻落实{union_spirit}",
    "推动{spirit}进基层、进企业、进班组",
    "服务职工在行动",
    "建功新时代 奋进新征程",
    "聚焦产业工人队伍建设改革",
    "“我为职工办实事”实践活动",
)
# Kickers that read like headlines themselves (北京公交保修职工匠心钻研新技术): the seeds print them only on
# pages whose title carries ##, the one way a reader can tell the title from them.
HEADLINE_KICKERS = ("{district}职工匠心钻研新技术", "{district}一线职工争当岗位能手", "{district}职工书屋焕新颜")
SUBTITLES = (
    "推动全面学习、全面把握、全面落实{spirit}",
    "线上线下相结合 {follow}、{follow2}等",
    "{n}余名职工参加",
    "为{group}送去{gift}",
    "推动{spirit}走深走实",
    "覆盖{n}余名一线职工",
    "包括{training}、{training2}等课程",
    "以实际行动{purpose}",
)
PHOTO_TITLES = (
    "“以球会友”鼓干劲",
    "体验{craft}乐趣",
    "巧手{craft}迎佳节",
    "{sport}赛场展风采",
    "健步走出好心情",
    "爱心{gift_short}暖人心",
    "{group}有了“歇脚地”",
    "技能比武练真功",
    "“绿”动{district_short}",
    "书香浸润职工心",
)
CRAFTS = ("手工制作", "非遗剪纸", "香囊制作", "插花", "陶艺", "扎染", "茶艺", "香氛蜡烛制作")
SPORTS = ("羽毛球", "乒乓球", "拔河", "篮球", "趣味运动会", "健步走", "跳绳")
OPENERS = (
    "同时，",
    "此外，",
    "据悉，",
    "据了解，",
    "活动中，",
    "现场，",
    "与此同时，",
    "近年来，",
    "记者了解到，",
    "",
    "",
    "",
    "",
)
# jieba's part-of-speech tags grouped into the three classes clauses are built from. Person names (nr*),
# numerals and time words are left out: in body text they would pass for bylines, counts or dates.
WORD_CLASSES = {
    **dict.fromkeys(("n", "ns", "nz", "nt", "vn", "an", "s", "j"), "N"),
    **dict.fromkeys(("v", "vd", "vi", "vq", "l", "i"), "V"),
    **dict.fromkeys(("a", "ad", "d", "b", "z", "df"), "A"),
}
# n and v are nouns and verbs of the union's own vocabulary: about one word in five, so the text stays on topic.
CLAUSE_PATTERNS = (
    *("NVN", "VN", "AVN", "NAV", "NV", "VNN", "NNVN", "AV", "VAN", "NVAN"),
    *("NVN", "VN", "AVN", "NV", "VAN", "NVAN"),
    *("nVN", "NVn", "vN", "Vn", "AvN", "nAV", "nV", "Nv", "VnN", "NnVN", "Av", "VAn", "nVAN", "NvAN"),
)
DOMAIN_VERBS = ("推动", "开展", "组织", "提升", "落实", "保障", "服务", "关爱", "帮扶", "建设", "创新", "维护")
DOMAIN_WORDS = (
    "工会",
    "职工",
    "劳动者",
    "服务",
    "活动",
    "岗位",
    "技能",
    "安全",
    "群众",
    "企业",
    "基层",
    "劳模",
    "工匠",
    "竞赛",
    "培训",
    "首都",
    "产业工人",
    "会员",
    "一线职工",
    "班组",
    "职工之家",
)
OWN_WORDS = {"n": DOMAIN_WORDS, "v": DOMAIN_VERBS}
_SPIRITS = (
    (date(2017, 10, 24), "党的十八大精神"),
    (date(2022, 10, 22), "党的十九大精神"),
    (date.max, "党的二十大精神"),
)
_UNION_SPIRITS = (
    (date(2013, 10, 22), "工会十五大精神"),
    (date(2018, 10, 26), "工会十六大精神"),
    (date(2023, 10, 12), "工会十七大精神"),
    (date.max, "工会十八大精神"),
)


@dataclass
class GenerationReport:
    files: int
    issues: int
    articles: int
    bytes: int
    seconds: float


@dataclass(frozen=True)
class Person:
    """A reporter or correspondent and the label that precedes the name in a dateline."""

    name: str
    label: str
    staff: bool


@dataclass(frozen=True)
class Organisation:
    """An organisation; `name` is `stem` + suffix and an article may declare `stem_alias` for the stem."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    stem: str = ""
    stem_alias: str = ""

    @property
    def short(self) -> str:
        return self.aliases[0] if self.aliases else self.name


@dataclass
class GeneratedArticle:
    """What the generator put on a page for one article: the ground truth a parser is checked against."""

    kind: str  # "news" (has a dateline) or "photo" (photo-news item)
    title: str
    kicker: str = ""
    subtitle: str = ""
    dateline: str = ""  # 本报讯（记者 白莹）
    people: tuple[tuple[str, str], ...] = ()  # (label, name) in dateline order
    photographers: tuple[tuple[str, str], ...] = ()  # (label, name) from the credit
    credit: str = ""  # "line", "appended" (after the last paragraph, behind a space), "photo" or ""
    organisations: tuple[str, ...] = ()
    event_date: date | None = None
    body: tuple[str, ...] = ()  # whole paragraphs, the first without its dateline, no credit
    # What a parser must read, whatever the convention: the printed parts and (name, role) of every person.
    convention: str = "dateline_brackets"
    roles: tuple[tuple[str, str], ...] = ()
    credits: tuple[str, ...] = ()  # credit lines (and an author's bracket at the end) as printed
    editor_note: str = ""
    continued_from: int | None = None
    continues_on: int | None = None
    marks: tuple[str, ...] = ()  # continuation markers as printed

    @property
    def body_chars(self) -> int:
        return sum(map(len, self.body))


@dataclass
class GeneratedPage:
    name: str
    issue_date: date
    number: int
    markdown: bool
    banner: str
    text: str
    articles: list[GeneratedArticle]
    features: Counter = field(default_factory=Counter)
    header_lines: tuple[str, ...] = ()  # date, page label and staff lines, above the banner or at the foot
    conventions: tuple[str, ...] = ()  # page-level conventions (page_header, photo_page…)


class Vocabulary:
    """Han words of 2–4 characters from jieba's dictionary by word class, sampled in proportion to frequency."""

    def __init__(self, path: str):
        buffers = {cls: io.StringIO() for cls in sorted(set(WORD_CLASSES.values()))}
        offsets = {cls: array("I", [0]) for cls in buffers}
        weights = {cls: array("d") for cls in buffers}
        han = re.compile(r"[\u4e00-\u9fff]{2,4}")
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                word, freq, pos = line.split()
                cls = WORD_CLASSES.get(pos)
                if cls and han.fullmatch(word):
                    buffers[cls].write(word)
                    offsets[cls].append(offsets[cls][-1] + len(word))
                    weights[cls].append(int(freq))
        # Sorted keys: the classes' order must not depend on set iteration order.
        self.classes = {cls: _WordClass(buffers[cls].getvalue(), offsets[cls], weights[cls]) for cls in buffers}

    def __len__(self) -> int:
        return sum(c.size for c in self.classes.values())

    def sample(self, rng: random.Random, pattern: str, extra: dict[str, tuple[str, ...]] | None = None) -> list[str]:
        """One word per letter of `pattern` (N noun, V verb or idiom, A modifier; other letters: from `extra`)."""
        rnd, classes = rng.random, self.classes
        out = []
        for cls in pattern:
            c = classes.get(cls)
            if c is None:
                words = extra[cls]
                out.append(words[int(rnd() * len(words))])
                continue
            x = rnd() * c.total
            if x < c.head_total:
                out.append(c.head[bisect_right(c.head_cum, x, 0, c.head_last)])
            else:
                i = bisect_right(c.tail_cum, x, 0, c.tail_last)
                out.append(c.tail_text[c.tail_offsets[i] : c.tail_offsets[i + 1]])
        return out


class _WordClass:
    """One class's words split by frequency into a head drawn 95% of the time and the long tail."""

    # Both parts are bisected over cumulative weights. The head (~10% of the words) is a list of str and a
    # list of floats, which bisect reads without allocating; the tail is one string plus offsets and an
    # array of floats, ~5 MB for 200,000 words where str objects and a float list would take ~25 MB.
    __slots__ = ("size", "total", "head", "head_cum", "head_total", "head_last")
    __slots__ += ("tail_text", "tail_offsets", "tail_cum", "tail_last")

    def __init__(self, text: str, offsets: array, weights: array):
        self.size = len(weights)
        threshold = _head_threshold(weights, share=0.95)
        head, head_weights = [], []
        tail = io.StringIO()
        tail_offsets, tail_weights = array("I", [0]), array("d")
        for i, weight in enumerate(weights):
            word = text[offsets[i] : offsets[i + 1]]
            if weight >= threshold:
                head.append(word)
                head_weights.append(weight)
            else:
                tail.write(word)
                tail_offsets.append(tail_offsets[-1] + len(word))
                tail_weights.append(weight)
        self.head = head
        self.head_cum = list(accumulate(head_weights))
        self.head_total = self.head_cum[-1]
        self.head_last = len(head) - 1
        self.tail_text = tail.getvalue()
        self.tail_offsets = tail_offsets
        # The tail's weights continue the head's, so one draw over the whole total picks either part.
        self.tail_cum = array("d", accumulate(tail_weights, initial=self.head_total))[1:]
        self.tail_last = max(len(tail_weights) - 1, 0)
        self.total = self.tail_cum[-1] if tail_weights else self.head_total


def _head_threshold(weights: array, share: float) -> float:
    """The smallest weight among the most frequent words that together carry `share` of the total."""
    ranked = sorted(weights, reverse=True)
    target = share * sum(ranked)
    running = 0.0
    for weight in ranked:
        running += weight
        if running >= target:
            return weight
    return ranked[-1]


def jieba_dictionary_path() -> str:
    # Located, not imported: importing jieba costs ~10 MB and a second the generator does not need.
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba is not installed; its dictionary is the generator's vocabulary")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


@lru_cache(maxsize=1)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    return Vocabulary(path or jieba_dictionary_path())


_SENTENCE = re.compile(r"[^。！？]*[。！？]”?")
_APPENDED_CREDIT = re.compile(r"\s+本报记者\s.*摄$")
# Dates, years and bylines in borrowed sentences would contradict the generated issue date and people.
_UNWANTED = re.compile(r"\d+月|\d+日|\d{4}|年度|今年|明年|去年|本报|摄影|[A-Za-z#]")


def load_seed_sentences(seeds_dir: Path | None = None) -> tuple[str, ...]:
    """Complete body sentences of the seed pages, without dates, years or bylines."""
    seeds_dir = Path(seeds_dir) if seeds_dir is not None else SEEDS_DIR
    sentences: list[str] = []
    seen: set[str] = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        previous_complete = True
        for line in lines:
            if not line:
                continue
            line = _APPENDED_CREDIT.sub("", line)
            found = _SENTENCE.findall(line)
            # The first sentence of a line that continues a split paragraph is only a fragment.
            if not previous_complete and found:
                found = found[1:]
            previous_complete = line[-1] in END_PUNCT or line.endswith("。”")
            for sentence in found:
                if not 8 <= len(sentence) <= 150 or _UNWANTED.search(sentence) or sentence in seen:
                    continue
                if sentence[0] in "，、；：”）" or not _balanced(sentence):
                    continue
                seen.add(sentence)
                sentences.append(sentence)
    return tuple(sentences)


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("“”", "《》", "（）", "()"))


def _unique_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.4 else 2))
        name = rng.choice(SURNAMES) + given
        if name not in taken and len(set(name)) == len(name):
            taken.add(name)
            names.append(name)
    return names


def build_people(seed: int) -> tuple[tuple[Person, ...], tuple[Person, ...]]:
    """The 40 staff reporters and 20 correspondents of an archive, fixed for a seed."""
    rng = random.Random(f"{seed}:people")
    taken = set(SEED_REPORTERS) | set(SEED_CORRESPONDENTS)
    staff = list(SEED_REPORTERS) + _unique_names(rng, 40 - len(SEED_REPORTERS), taken)
    others = list(SEED_CORRESPONDENTS) + _unique_names(rng, 20 - len(SEED_CORRESPONDENTS), taken)
    # A person keeps one label: the last four staff are trainees, five contributors are not plain correspondents.
    reporters = tuple(Person(name, "见习记者" if i >= 36 else "记者", True) for i, name in enumerate(staff))
    labels = ["通讯员"] * 15 + ["特约记者"] * 3 + ["实习生"] * 2
    correspondents = tuple(Person(name, label, False) for name, label in zip(others, labels, strict=True))
    return reporters, correspondents


def build_organisations(seed: int, count: int = ORGANISATION_COUNT) -> list[Organisation]:
    """About `count` Beijing organisations (unions, districts' agencies, enterprises, schools) with aliases."""
    rng = random.Random(f"{seed}:organisations")
    orgs: list[Organisation] = []
    names: set[str] = set()
    aliases_taken: set[str] = set()

    def add(name: str, kind: str, aliases=(), stem: str = "", stem_alias: str = "") -> Organisation | None:
        if name in names or name in aliases_taken or len(name) > 24:
            return None
        kept = []
        for alias in aliases:
            # An alias must name one organisation only, or a reader (and an importer) cannot resolve it.
            if alias and alias != name and alias not in names and alias not in aliases_taken:
                kept.append(alias)
        if stem_alias and stem_alias + name[len(stem) :] not in kept:
            stem, stem_alias = "", ""
        org = Organisation(name, kind, tuple(kept), stem, stem_alias)
        names.add(name)
        aliases_taken.update(kept)
        orgs.append(org)
        return org

    def add_with_union(entity: Organisation | None, union_suffix: str = "工会") -> None:
        if entity is None or len(orgs) >= count:
            return
        aliases = [alias + union_suffix for alias in entity.aliases]
        add(entity.name + union_suffix, "union", aliases, entity.stem or entity.name, entity.stem_alias)

    add("北京市总工会", "union", ["市总工会"])
    add("北京市工会干部学院", "school", ["市工会干部学院"])
    add("北京市总工会职工大学", "school", ["职工大学"])
    add("中国劳动关系学院", "school", ["劳动关系学院"])
    for name in INDUSTRY_UNIONS:
        add(name, "union", [name.replace("北京市", "市", 1)])
    for district in DISTRICTS:
        if district == DEVELOPMENT_ZONE:
            zone = add(district, "district", [DEVELOPMENT_ZONE_ALIAS], district, DEVELOPMENT_ZONE_ALIAS)
            add_with_union(zone, "总工会")
        else:
            add(district + "总工会", "union")
    for district in DISTRICTS:
        for agency in DISTRICT_AGENCIES:
            if district != DEVELOPMENT_ZONE:
                add_with_union(add(district + agency, "agency"))
    for district, streets in STREETS.items():
        for street in streets.split():
            add(district + street + "总工会", "union", [street + "总工会"])
    for prefix in SCHOOL_PREFIXES:
        for school_field in SCHOOL_FIELDS:
            if rng.random() < 0.55:
                kind = "大学" if rng.random() < 0.6 else rng.choice(("学院", "职业学院", "职业技术学院"))
                name = prefix + school_field + kind
                alias = prefix[0] + school_field[0] + "大" if kind == "大学" else ""
                add_with_union(add(name, "school", [alias], name, alias))
    for name, short in REAL_ENTERPRISES:
        add_with_union(add(name, "enterprise", [short], name, short))
    groups: list[Organisation] = []
    brands = [a + b for a in BRAND_FIRST for b in BRAND_SECOND if a != b]
    rng.shuffle(brands)
    # Enough attempts to fill any count the name space allows; stops instead of looping forever beyond it.
    for _ in range(count * 20):
        if len(orgs) >= count:
            break
        roll = rng.random() if brands else 1.0
        if roll < 0.15 or not groups:
            brand = brands.pop()
            group = add(f"北京{brand}集团", "enterprise", [f"{brand}集团"], f"北京{brand}集团", f"{brand}集团")
            if group:
                groups.append(group)
            add_with_union(group)
        elif roll < 0.55:
            brand, trade = brands.pop(), rng.choice(COMPANY_TRADES)
            if rng.random() < 0.5:
                full, short = f"北京{brand}{trade}有限公司", f"{brand}{trade}公司"
                add_with_union(add(full, "enterprise", [short], full, short))
            else:
                add_with_union(add(f"{brand}{trade}公司", "enterprise"))
        else:
            group = rng.choice(groups)
            function = rng.choice(BRANCH_FUNCTIONS)
            add_with_union(add(f"{group.name}{function}分公司", "enterprise", [f"{group.short}{function}分公司"]))
    return orgs[:count]


def _spirit(day: date, table=_SPIRITS) -> str:
    for until, text in table:
        if day < until:
            return text
    return table[-1][1]


def _clip(text: str, limit: int = 40) -> bool:
    return len(text) <= limit and text[-1] not in END_PUNCT


# Column breaks in the seeds leave a paragraph's leading pieces at least a dozen characters long
# (和平街街道工会主席薄述来); the piece after the last break can be a few characters (委工作要求。).
MIN_PIECE, MIN_TAIL = 12, 4
# A cut after end punctuation is a plain paragraph break; a piece never starts with punctuation or a space.
# Nor is an ellipsis or a dash pair (……, ——) cut: a piece ending in … reads as a finished sentence.
_NO_CUT_AFTER = END_PUNCT + "”…— \t"
_NO_CUT_BEFORE = "，、。；：！？”）》…— \t"


class _Slots(dict):
    """Template values drawn only when a template names them, so unused slots cost no random draws."""

    def __init__(self, composer: _Composer, day: date):
        super().__init__()
        self.composer = composer
        self.day = day

    def __missing__(self, key: str) -> str:
        rng, day = self.composer.rng, self.day
        if key == "spirit":
            value = _spirit(day)
        elif key == "union_spirit":
            value = _spirit(day, _UNION_SPIRITS)
        elif key == "purpose":
            value = self.composer.fill(rng.choice(PURPOSES), day)
        elif key == "n":
            value = str(rng.choice((50, 80, 100, 120, 200, 300, 500, 600, 800, 1000, 2000)))
        elif key == "district_short":
            value = rng.choice(DISTRICTS[:-1])[:-1]
        elif key.endswith("2"):
            # The second of a pair ("A、B等") differs from the first.
            first = self[key[:-1]]
            value = rng.choice([choice for choice in _SLOT_CHOICES[key[:-1]] if choice != first])
        else:
            value = rng.choice(_SLOT_CHOICES[key])
        self[key] = value
        return value


_SLOT_CHOICES = {
    "district": DISTRICTS[:-1],
    "follow": FOLLOW_UPS,
    "group": GROUPS,
    "gift": GIFTS,
    "gift_short": ("义剪", "早餐", "驿站", "送考", "义诊"),
    "training": TRAININGS,
    "craft": CRAFTS,
    "sport": SPORTS,
}


class _Composer:
    """Writes the pages of one archive from one random stream."""

    def __init__(self, seed: int, seeds_dir: Path | None, variety: float = 0.0):
        self.rng = random.Random(seed)
        self.variety = variety
        self.markdown = False
        self.page_number = 1
        # Second parts of front-page stories, by (issue day, page they jump to).
        self.jumps: dict[tuple[date, int], dict] = {}
        self.vocabulary = load_vocabulary()
        self.sentences = load_seed_sentences(seeds_dir)
        self.reporters, self.correspondents = build_people(seed)
        self.organisations = build_organisations(seed)
        speakers_taken = {p.name for p in self.reporters + self.correspondents}
        self.speakers = _unique_names(random.Random(f"{seed}:speakers"), 300, speakers_taken)
        # Zipf-like activity: a few reporters and organisations appear far more often than the rest.
        self.reporter_weights = list(accumulate(1 / (i + 1) ** 0.8 for i in range(len(self.reporters))))
        self.correspondent_weights = list(accumulate(1 / (i + 1) ** 0.8 for i in range(len(self.correspondents))))
        org_weights = []
        for i, org in enumerate(self.organisations):
            if org.name == "北京市总工会":
                weight = 300.0
            elif org.name.startswith(DEVELOPMENT_ZONE):
                weight = 40.0
            elif org.kind == "union":
                weight = 3.0 / (1 + i / 400)
            else:
                weight = 1.0 / (1 + i / 400)
            org_weights.append(weight)
        self.org_weights = list(accumulate(org_weights))
        self.city_union = self.organisations[0]

    # --- small pieces -------------------------------------------------------------------------------------

    def clause(self) -> str:
        rng = self.rng
        pattern = CLAUSE_PATTERNS[int(rng.random() * len(CLAUSE_PATTERNS))]
        return "".join(self.vocabulary.sample(rng, pattern, OWN_WORDS))

    def synthetic_sentence(self, end: str = "。", opener: bool = True) -> str:
        # The hot path of the generator: one vocabulary call per sentence and no rng.choice/randint, whose
        # Python-level plumbing cost more than the sampling itself.
        rng = self.rng
        rnd = rng.random
        patterns = [CLAUSE_PATTERNS[int(rnd() * len(CLAUSE_PATTERNS))] for _ in range(2 + int(rnd() * 3))]
        words = self.vocabulary.sample(rng, "".join(patterns), OWN_WORDS)
        clauses = []
        start = 0
        for pattern in patterns:
            clauses.append("".join(words[start : start + len(pattern)]))
            start += len(pattern)
        head = OPENERS[int(rnd() * len(OPENERS))] if opener else ""
        return head + "，".join(clauses) + end

    def sentence(self) -> str:
        rnd = self.rng.random
        if self.sentences and rnd() < 0.5:
            return self.sentences[int(rnd() * len(self.sentences))]
        return self.synthetic_sentence()

    def fill(self, template: str, day: date) -> str:
        if "{" not in template:
            return template
        return template.format_map(_Slots(self, day))

    def pick_org(self) -> Organisation:
        return self.rng.choices(self.organisations, cum_weights=self.org_weights)[0]

    def mention(self, org: Organisation, features: Counter) -> tuple[str, str]:
        """The first mention of an organisation in a text, and the name later mentions use."""
        rng = self.rng
        if org.stem_alias and rng.random() < 0.35:
            suffix = org.name[len(org.stem) :]
            form = rng.random()
            if form < 0.6:
                declared = f"{org.stem}（以下简称“{org.stem_alias}”）{suffix}"
            elif form < 0.85:
                declared = f"{org.stem}（简称：{org.stem_alias}）{suffix}"
            else:
                declared = f"{org.stem}（以下简称{org.stem_alias}）{suffix}"
            features["alias_declared"] += 1
            return declared, org.stem_alias + suffix
        if org.aliases and rng.random() < 0.6:
            return org.name, org.aliases[0]
        return org.name, org.name

    # --- people -------------------------------------------------------------------------------------------

    def staff(self) -> Person:
        return self.rng.choices(self.reporters, cum_weights=self.reporter_weights)[0]

    def contributor(self) -> Person:
        return self.rng.choices(self.correspondents, cum_weights=self.correspondent_weights)[0]

    def byline_people(self) -> list[Person]:
        rng = self.rng
        count = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
        people = [self.staff()]
        while len(people) < count:
            person = self.staff() if rng.random() < 0.4 else self.contributor()
            if person not in people:
                people.append(person)
        return people

    def dateline(self, people: list[Person], features: Counter) -> tuple[str, list[Person]]:
        rng = self.rng
        groups: dict[str, list[str]] = {}
        for person in people:
            groups.setdefault(person.label, []).append(person.name)
        labels = list(groups)
        if len(labels) > 1 and rng.random() < 0.15:
            # Correspondents sometimes sign first.
            staff_last = sorted(labels, key=lambda label: label in ("记者", "见习记者"))
            if staff_last != labels:
                labels = staff_last
                features["correspondent_first"] += 1
        joiner = "、" if rng.random() < 0.2 else " "
        if joiner == "、" and any(len(names) > 1 for names in groups.values()):
            features["names_with_dunhao"] += 1
        inner = " ".join(f"{label} {joiner.join(groups[label])}" for label in labels)
        if rng.random() < 0.08:
            features["ascii_parentheses"] += 1
            text = f"本报讯({inner})"
        else:
            text = f"本报讯（{inner}）"
        ordered = [next(p for p in people if p.name == name) for label in labels for name in groups[label]]
        return text, ordered

    # --- headings -----------------------------------------------------------------------------------------

    def headline(self, org_short: str, day: date) -> tuple[str, str]:
        """A title (organisation + verb + object) and the matching predicate for the lead."""
        rng = self.rng
        for _ in range(20):
            kind = rng.randrange(10)
            if kind == 0:
                topic = rng.choice(ACTIVITIES)
                predicate, lead = f"开展{topic}活动", f"组织开展{topic}活动"
            elif kind == 1:
                topic = rng.choice(TRAININGS)
                predicate, lead = f"举办{topic}培训", f"举办{topic}培训班"
            elif kind == 2:
                topic = rng.choice(CONTESTS)
                predicate = lead = f"举办{topic}比赛"
            elif kind == 3:
                topic = self.fill(rng.choice(MEETING_TOPICS), day)
                predicate = lead = f"召开{topic}{rng.choice(MEETINGS)}"
            elif kind == 4:
                topic = rng.choice(ACTIVITIES)
                predicate, lead = f"启动{topic}活动", f"正式启动{topic}活动"
            elif kind == 5:
                outing = rng.choice(OUTINGS)
                predicate, lead = f"组织职工{outing}", f"组织辖区职工{outing}"
            elif kind == 6:
                group, gift = rng.choice(GROUPS), rng.choice(GIFTS)
                predicate, lead = f"为{group}送{gift}", f"开展专项慰问活动，为{group}送去{gift}"
            elif kind == 7:
                honour = rng.choice(HONOURS)
                n = rng.randint(10, 120)
                predicate, lead = f"表彰{n}名{honour}", f"召开表彰大会，表彰{n}名{honour}"
            elif kind == 8:
                predicate = lead = f"多举措推动{_spirit(day)}走深走实"
            else:
                facility = rng.choice(FACILITIES)
                predicate, lead = f"推进{facility}建设", f"深入推进{facility}建设工作"
            title = org_short + predicate
            if _clip(title):
                return title, lead
        return org_short[:20] + "开展职工服务活动", "开展职工服务活动"

    def extra_heading(self, templates: tuple[str, ...], day: date) -> str:
        for _ in range(10):
            text = self.fill(self.rng.choice(templates), day)
            if _clip(text):
                return text
        return "服务职工在行动"

    # --- paragraphs ---------------------------------------------------------------------------------------

    def event_phrase(self, day: date) -> str:
        rng = self.rng
        if rng.random() < 0.82:
            return f"{day.month}月{day.day}日" + rng.choice(("", "", "上午", "下午", "晚"))
        return rng.choice(("近日", "日前"))

    def quote(self, speaker_of: str) -> str:
        rng = self.rng
        said = self.synthetic_sentence(end=rng.choice("。。。！"), opener=False)
        name = rng.choice(self.speakers)
        if rng.random() < 0.5:
            return f"“{said}”{speaker_of}相关负责人表示。"
        who = rng.choice(("职工", "一线职工", "劳模", "工会主席"))
        return f"{who}{name}说：“{said}”"

    def body_paragraph(self, later: str, budget: int) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return self.quote(later)
        parts: list[str] = []
        if roll < 0.3:
            name = rng.choice(self.speakers)
            verb = rng.choice(("表示", "介绍", "指出", "强调"))
            chair = "主席" if later.endswith("工会") else "工会主席"
            parts.append(f"{later}{chair}{name}{verb}，{self.clause()}，{self.clause()}。")
        length = sum(map(len, parts))
        while length < budget:
            sentence = self.sentence()
            parts.append(sentence)
            length += len(sentence)
        return "".join(parts)

    def closing(self, later: str, missing: list[str], day: date) -> str:
        rng = self.rng
        lines = []
        if "北京" in missing or rng.random() < 0.3:
            if "市总工会" in later:
                lines.append("此次活动是北京市总工会服务首都职工的具体举措。")
            else:
                lines.append(f"此次活动是{later}落实北京市总工会工作部署的具体举措。")
        if rng.random() < 0.3:
            lines.append(f"{day.year}年以来，{later}已累计开展各类服务活动{rng.randint(5, 90)}场。")
        core = f"{self.clause()}，{self.clause()}"
        if "职工" in missing or "工会" in missing:
            lines.append(f"下一步，{later}将继续发挥工会组织作用，{core}，为广大职工办实事、解难题。")
        else:
            lines.append(f"下一步，{later}将{core}，{self.fill(rng.choice(PURPOSES), day)}。")
        return "".join(lines)

    def split(self, text: str, start: int, features: Counter) -> list[tuple[str, str]]:
        """The pieces column extraction leaves of a paragraph, each with the separator that precedes it."""
        rng = self.rng
        if len(text) - start < MIN_PIECE + MIN_TAIL or rng.random() > 0.32:
            return [(SEP, text)]
        cuts = 2 if len(text) > 300 and rng.random() < 0.3 else 1
        positions = sorted({rng.randint(start + MIN_PIECE, len(text) - MIN_TAIL) for _ in range(cuts)})
        # A piece ending in end punctuation would just be a paragraph, not a visible split.
        positions = [p for p in positions if text[p - 1] not in _NO_CUT_AFTER and text[p] not in _NO_CUT_BEFORE]
        pieces, last = [], 0
        for p in positions:
            if p - last < MIN_PIECE:
                continue
            pieces.append(text[last:p])
            last = p
        pieces.append(text[last:])
        out = [(SEP, pieces[0])]
        for piece in pieces[1:]:
            if rng.random() < 0.15:
                features["split_sep3"] += 1
                out.append((SEP3, piece))
            else:
                features["split_sep1"] += 1
                out.append((SEP, piece))
        return out

    # --- items --------------------------------------------------------------------------------------------

    def pick_convention(self, menu: tuple[str, ...], default: str) -> str:
        """One of `menu` for a share `variety` of items, else the seed pages' own convention."""
        rng = self.rng
        if self.variety and rng.random() < self.variety:
            return menu[int(rng.random() * len(menu))]
        return default

    def news(
        self, day: date, markdown: bool, features: Counter, *, convention: str | None = None
    ) -> tuple[list[tuple[str, str]], GeneratedArticle]:
        story = self.news_story(day, features, convention)
        return self.lay_out_news(story, markdown, features)

    def news_story(self, day: date, features: Counter, convention: str | None) -> dict:
        """The parts of one news story before layout: headings, byline, paragraphs, credits."""
        rng = self.rng
        if convention is None:
            convention = self.pick_convention(BYLINE_CONVENTIONS + SHAPE_CONVENTIONS, "dateline_brackets")
        event = day - timedelta(days=1)
        org = self.pick_org()
        while len(org.short) > 20:
            org = self.pick_org()
        first, later = self.mention(org, features)
        title, lead_predicate = self.headline(org.short, event)
        kicker = (
            self.extra_heading(KICKERS + HEADLINE_KICKERS if self.markdown else KICKERS, event)
            if rng.random() < 0.2
            else ""
        )
        subtitle = self.extra_heading(SUBTITLES, event) if rng.random() < 0.25 else ""
        people = self.byline_people()
        dateline, people = self.dateline(people, features)
        roles = [(p.name, role_of(p.label)) for p in people]
        labelled = tuple((p.label, p.name) for p in people)
        dateline, roles, labelled, end_author = self.styled_byline(convention, dateline, roles, labelled)
        organisations = [org.name]

        purpose = self.fill(rng.choice(PURPOSES), event)
        when = self.event_phrase(event)
        if when[0].isdigit():
            features["event_date"] += 1
        form = rng.random()
        if form < 0.55:
            lead = f"{when}，{first}{lead_predicate}，{purpose}。"
        elif form < 0.85:
            lead = f"为{purpose}，{when}，{first}{lead_predicate}。"
        else:
            lead = f"记者{when}从{first}了解到，该单位近期{lead_predicate}，{purpose}。"
        if rng.random() < 0.35 and org is not self.city_union:
            lead += f"{self.city_union.short}相关负责人出席活动。"
            organisations.append(self.city_union.name)
        if rng.random() < 0.25:
            lead += f"此次活动共吸引{rng.randint(3, 60) * 10}余名职工参与。"
        if rng.random() < 0.15:
            lead += f"这是{later}{event.year}年开展的第{rng.randint(2, 12)}场同类活动。"

        paragraphs = [lead]
        if convention != "brief":
            target = min(max(rng.lognormvariate(math.log(550), 0.75), BODY_MIN), BODY_TARGET_MAX)
            total = len(lead)
            while total < target or (convention == "feature_sections" and len(paragraphs) < 9):
                para = self.body_paragraph(later, max(1, min(rng.randint(80, 350), int(target - total))))
                paragraphs.append(para)
                total += len(para)
            text = "".join(paragraphs)
            missing = [word for word in ("北京", "工会", "职工") if word not in text]
            paragraphs.append(self.closing(later, missing, event))
            while sum(map(len, paragraphs)) > BODY_MAX and len(paragraphs) > 2 and convention != "feature_sections":
                del paragraphs[-2]
        if convention == "feature_sections":
            slots = sorted(rng.sample(range(2, len(paragraphs) - 1), k=min(3, len(paragraphs) - 3)))
            numbered = rng.random() < 0.5
            headings = rng.sample(SECTION_HEADINGS, k=len(slots))
            for n, (slot, heading) in enumerate(zip(reversed(slots), reversed(headings), strict=True)):
                prefix = SECTION_NUMBERS[len(slots) - 1 - n] if numbered else ""
                paragraphs.insert(slot, prefix + heading)

        photographer_credit: tuple[str, tuple[tuple[str, str], ...]] | None = None
        credit_mode = rng.random()
        if convention.startswith("credit_"):
            photographer_credit = self.styled_credit(convention)
        elif credit_mode < 0.2:
            photographer = self.staff()
            # A story signed at its end keeps its photo credit on a line of its own.
            mode = "appended" if credit_mode < 0.05 and not convention.startswith("author_at_end") else "line"
            photographer_credit = (mode, (("本报记者", photographer.name),))
        editor_note = ""
        if convention == "editor_note":
            note = rng.choice(EDITOR_NOTES)
            editor_note = ("编者按：" if rng.random() < 0.7 else "【编者按】") + note
        return {
            "convention": convention,
            "event": event if when[0].isdigit() else None,
            "kicker": kicker,
            "title": title,
            "subtitle": subtitle,
            "editor_note": editor_note,
            "dateline": dateline,
            "labelled": labelled,
            "roles": roles,
            "end_author": end_author,
            "paragraphs": paragraphs,
            "photographer_credit": photographer_credit,
            "organisations": tuple(organisations),
        }

    def styled_byline(
        self, convention: str, dateline: str, roles: list, labelled: tuple
    ) -> tuple[str, list, tuple, str]:
        """The dateline (or end-of-story author) a convention prints, the people it names, their roles."""
        rng = self.rng
        if convention == "dateline_plain":
            staff, other = self.staff(), self.contributor_labelled("通讯员")
            names = f"记者{staff.name} 通讯员{other.name}"
            pairs = (("记者", staff.name), ("通讯员", other.name))
            return f"本报讯 {names}报道", [(n, role_of(lb)) for lb, n in pairs], pairs, ""
        if convention == "dateline_plain_one":
            other = self.contributor_labelled("通讯员")
            return f"本报讯 通讯员{other.name}报道", [(other.name, "correspondent")], (("通讯员", other.name),), ""
        if convention == "dateline_plain_norole":
            person = self.staff()
            return f"本报讯 {person.name}报道", [(person.name, "unspecified")], (("", person.name),), ""
        if convention == "names_run_together":
            staff = self.distinct(self.staff, 2)
            others = self.distinct(lambda: self.contributor_labelled("通讯员"), rng.choice((0, 2)))
            inner = "记者" + "".join(p.name for p in staff)
            if others:
                inner += " 通讯员" + "".join(p.name for p in others)
            pairs = tuple(("记者", p.name) for p in staff) + tuple(("通讯员", p.name) for p in others)
            return f"本报讯（{inner}）", [(n, role_of(lb)) for lb, n in pairs], pairs, ""
        if convention == "author_at_end":
            people = self.distinct(self.contributor, rng.choice((1, 2)))
            pairs = tuple(("", p.name) for p in people)
            author = "（" + " ".join(p.name for p in people) + "）"
            return "", [(p.name, "unspecified") for p in people], pairs, author
        if convention == "author_at_end_roles":
            staff, other = self.staff(), self.contributor_labelled("通讯员")
            pairs = (("本报记者", staff.name), ("通讯员", other.name))
            author = f"（本报记者 {staff.name} 通讯员 {other.name}）"
            return "", [(n, role_of(lb)) for lb, n in pairs], pairs, author
        return dateline, roles, labelled, ""

    def styled_credit(self, convention: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """A photo credit line in one of the shapes workers' papers print, and its (label, name) pairs."""
        if convention == "credit_xinhua":
            name = self.rng.choice(self.speakers)
            return f"新华社记者 {name} 摄", (("新华社记者", name),)
        if convention == "credit_eight":
            staff = self.distinct(self.staff, 4)
            others = self.distinct(lambda: self.contributor_labelled("通讯员"), 4)
            line = "本报记者 " + " ".join(p.name for p in staff) + " 通讯员 " + " ".join(p.name for p in others) + " 摄"
            return line, tuple(("本报记者", p.name) for p in staff) + tuple(("通讯员", p.name) for p in others)
        name = self.staff().name
        line = {"credit_plain": f"{name} 摄", "credit_slash": f"{name}/摄", "credit_tu": f"图/{name}"}[convention]
        return line, (("", name),)

    def contributor_labelled(self, label: str) -> Person:
        person = self.contributor()
        while person.label != label:
            person = self.contributor()
        return person

    def distinct(self, draw, count: int) -> list[Person]:
        people: list[Person] = []
        while len(people) < count:
            person = draw()
            if person not in people:
                people.append(person)
        return people

    def lay_out_news(self, story: dict, markdown: bool, features: Counter) -> tuple[list, GeneratedArticle]:
        """The page lines of a story: headings, editor's note, paragraphs cut by columns, credits."""
        rng = self.rng
        convention = story["convention"]
        blocks: list[tuple[str, str]] = []
        mark_subtitle = rng.random() < 0.5
        for heading, mark in ((story["kicker"], ""), (story["title"], "## "), (story["subtitle"], "# ")):
            if heading:
                if mark == "# " and not mark_subtitle:
                    mark = ""
                blocks.append((SEP, (mark if markdown else "") + heading))
        if story["editor_note"]:
            blocks.append((SEP, story["editor_note"]))
        first_sep = SEP3 if rng.random() < 0.12 else SEP
        if first_sep == SEP3:
            features["heading_sep3"] += 1
        credit = story["photographer_credit"]
        credits: list[str] = []
        photographers: tuple[tuple[str, str], ...] = ()
        credit_line = ""
        if credit is not None:
            mode, photographers = credit
            if mode in ("appended", "line"):
                credit_line = f"本报记者 {photographers[0][1]} 摄"
            else:
                credit_line, mode = mode, "line"
            credits.append(credit_line)
        paragraphs = story["paragraphs"]
        dateline = story["dateline"]
        marks = story.get("marks", ())
        for i, para in enumerate(paragraphs):
            if i == 0 and dateline:
                glue = " " if dateline.endswith("报道") else ""
                text, start = dateline + glue + para, len(dateline) + len(glue)
            else:
                text, start = para, 0
            pieces = self.split(text, start, features)
            if i == 0 and story.get("continued_from"):
                pieces[0] = (pieces[0][0], marks[0] + pieces[0][1])
            last = i == len(paragraphs) - 1
            if last and story["end_author"]:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + story["end_author"])
            if last and story.get("continues_on"):
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + marks[-1])
            if last and credit is not None and credit[0] == "appended":
                pieces[-1] = (pieces[-1][0], f"{pieces[-1][1]} {credit_line}")
                features["credit_appended"] += 1
            if i == 0:
                pieces[0] = (first_sep, pieces[0][1])
            elif rng.random() < 0.05:
                pieces[0] = (SEP3, pieces[0][1])
                features["paragraph_sep3"] += 1
            blocks.extend(pieces)
        if credit is not None and credit[0] != "appended":
            blocks.append((SEP, credit_line))
            features["credit_line"] += 1
        if story["end_author"]:
            credits.insert(0, story["end_author"])
        roles = list(story["roles"]) + [(name, "photographer") for _, name in photographers]
        article = GeneratedArticle(
            kind="news",
            title=story["title"],
            kicker=story["kicker"],
            subtitle=story["subtitle"],
            dateline=dateline,
            people=story["labelled"],
            photographers=photographers,
            credit=("appended" if credit[0] == "appended" else "line") if credit else "",
            organisations=story["organisations"],
            event_date=story["event"],
            body=tuple(paragraphs),
            convention=convention,
            roles=tuple(roles),
            credits=tuple(credits),
            editor_note=story["editor_note"],
            continued_from=story.get("continued_from"),
            continues_on=story.get("continues_on"),
            marks=tuple(marks),
        )
        return blocks, article

    def continued_story(self, day: date, features: Counter, to_page: int) -> tuple[dict, dict]:
        """A front-page story that jumps to page `to_page`: its front part and the part printed there."""
        rng = self.rng
        story = self.news_story(day, features, "dateline_brackets")
        while len(story["paragraphs"]) < 3:
            story = self.news_story(day, features, "dateline_brackets")
        cut = rng.randint(1, len(story["paragraphs"]) - 1)
        front = dict(story, convention="continuation", paragraphs=story["paragraphs"][:cut])
        front["continues_on"] = to_page
        front["marks"] = (f"（下转第{chinese_number(to_page)}版）",)
        if front["photographer_credit"] and front["photographer_credit"][0] == "appended":
            front["photographer_credit"] = None
        back = dict(
            story,
            convention="continuation",
            kicker="",
            subtitle="",
            editor_note="",
            dateline="",
            labelled=(),
            roles=[],
            end_author="",
            photographer_credit=None,
            paragraphs=story["paragraphs"][cut:],
            event=None,
        )
        back["continued_from"] = self.page_number
        back["marks"] = (f"（上接第{chinese_number(self.page_number)}版）",)
        return front, back

    def photo(
        self, day: date, markdown: bool, features: Counter, *, convention: str | None = None
    ) -> tuple[list[tuple[str, str]], GeneratedArticle]:
        rng = self.rng
        if convention is None:
            convention = self.pick_convention(PHOTO_CONVENTIONS, "photo_news")
        event = day - timedelta(days=1)
        title = self.extra_heading(PHOTO_TITLES, event)
        org = self.pick_org()
        first, later = self.mention(org, features)
        activity = rng.choice(ACTIVITIES + tuple(c + "体验" for c in CRAFTS) + tuple(s + "比赛" for s in SPORTS))
        place = "北京" + rng.choice(("欢乐谷公园", "奥林匹克森林公园", "职工之家", "劳动人民文化宫", "工人体育馆"))
        caption = f"近日，{first}组织职工在{place}开展{activity}活动，{self.fill(rng.choice(PURPOSES), event)}。"
        if "工会" not in org.name:
            caption += f"该单位工会相关负责人表示，{self.clause()}，{self.clause()}。"
        elif rng.random() < 0.5:
            caption += f"活动中，{later}相关负责人与职工{self.clause()}，{self.clause()}。"
        staff = self.staff()
        credit_people = [("本报记者", staff.name)]
        if convention == "photo_report_norole":
            other = self.staff()
            while other.name == staff.name:
                other = self.staff()
            credit_people = [("", staff.name), ("", other.name)]
            credit_lines = [f"{staff.name}、{other.name} 摄影报道"]
        elif convention == "photo_report_roles":
            other = self.contributor_labelled("通讯员")
            credit_people = [("通讯员", other.name), ("记者", staff.name)]
            credit_lines = [f"通讯员{other.name} 记者{staff.name} 摄影报道"]
        elif convention == "photo_credit_split":
            second = self.staff()
            while second.name == staff.name:
                second = self.staff()
            other = self.contributor_labelled("通讯员")
            credit_people = [("记者", staff.name), ("记者", second.name), ("通讯员", other.name)]
            credit_lines = [f"记者{staff.name}、{second.name}", f"通讯员{other.name} 摄影报道"]
        elif convention == "leading_photo":
            other = self.contributor_labelled("通讯员")
            credit_people = [("本报记者", staff.name), ("本报通讯员", other.name)]
            credit_lines = [f"本报记者 {staff.name} 本报通讯员 {other.name} 摄"]
        else:
            if rng.random() < 0.5:
                # Photo credits in the seeds name plain correspondents only.
                contributor = self.contributor_labelled("通讯员")
                credit_people.append((contributor.label, contributor.name))
            credit_lines = [" ".join(f"{label} {name}" for label, name in credit_people) + " 摄影报道"]
        title_sep = SEP3 if rng.random() < 0.7 else SEP
        blocks = [(title_sep, ("## " if markdown else "") + title), (SEP, caption)]
        blocks.extend((SEP, line) for line in credit_lines)
        features["photo_news"] += 1
        article = GeneratedArticle(
            kind="photo",
            title=title,
            photographers=tuple(credit_people),
            credit="photo",
            organisations=(org.name,),
            body=(caption,),
            convention=convention,
            roles=tuple((name, "photographer") for _, name in credit_people),
            credits=tuple(credit_lines),
        )
        return blocks, article

    def photo_group(self, day: date, markdown: bool, features: Counter) -> tuple[list, GeneratedArticle]:
        """A photo page's story: one heading over several captions, each with its own credit."""
        rng = self.rng
        title = rng.choice(PHOTO_PAGE_TITLES)
        blocks = [(SEP3, ("## " if markdown else "") + title)]
        captions, credits, roles = [], [], []
        for scene in rng.sample(CAPTION_SCENES, k=rng.randint(2, 4)):
            person = self.staff()
            shape = rng.randrange(3)
            credit = (f"{person.name} 摄", f"本报记者 {person.name} 摄", f"{person.name}/摄")[shape]
            caption = f"{day.month}月{max(1, day.day - 1)}日，{scene}"
            captions.append(caption)
            credits.append(credit)
            roles.append((person.name, "photographer"))
            blocks.append((SEP, caption))
            blocks.append((SEP, credit))
        features["photo_page"] += 1
        article = GeneratedArticle(
            kind="photo",
            title=title,
            credit="photo",
            body=tuple(captions),
            convention="photo_page",
            roles=tuple(roles),
            credits=tuple(credits),
        )
        return blocks, article

    def page(self, day: date, number: int, items: int, pages_in_issue: int = 0) -> GeneratedPage:
        rng = self.rng
        markdown = self.markdown = rng.random() < MARKDOWN_PAGE_SHARE
        self.page_number = number
        banner = self.fill(rng.choice(BANNERS), day - timedelta(days=1))
        features: Counter = Counter()
        if markdown:
            features["markdown_page"] += 1
        page_conventions: list[str] = []
        header: list[str] = []
        footer = ""
        if self.variety and rng.random() < self.variety:
            page_conventions.append("page_header")
            header = header_lines(day, number, rng.randrange(4))
            if rng.random() < 0.7:
                footer = footer_line(rng.sample(self.speakers, 3), rng.randrange(3))
        photo_page = bool(self.variety) and rng.random() < self.variety * 0.15
        if photo_page:
            page_conventions.append("photo_page")
        out = []
        for line in header:
            out.extend((SEP, line))
        out.extend((SEP, ("# " if markdown else "") + banner))
        articles = []
        jump = self.jumps.pop((day, number), None)
        if photo_page:
            # A photo page carries a few picture stories, not a dozen.
            items = min(items, 1 + int(rng.random() * 3))
        for position in range(items):
            if jump is not None and position == 0:
                blocks, article = self.lay_out_news(jump, markdown, features)
                page_conventions.append("continuation")
            elif photo_page:
                blocks, article = self.photo_group(day, markdown, features)
            elif position == 0 and self.variety and rng.random() < self.variety * 0.2:
                blocks, article = self.photo(day, markdown, features, convention="leading_photo")
                page_conventions.append("leading_photo")
            elif position > 0 and rng.random() < PHOTO_NEWS_SHARE:
                blocks, article = self.photo(day, markdown, features)
            elif (
                position == items - 1
                and number == 1
                and pages_in_issue >= 3
                and self.variety
                and rng.random() < self.variety
            ):
                to_page = rng.randint(2, pages_in_issue)
                front, back = self.continued_story(day, features, to_page)
                self.jumps[(day, to_page)] = back
                blocks, article = self.lay_out_news(front, markdown, features)
                page_conventions.append("continuation")
            else:
                blocks, article = self.news(day, markdown, features)
            for sep, block in blocks:
                out.append(sep)
                out.append(block)
            articles.append(article)
        if footer:
            out.extend((SEP, footer))
        return GeneratedPage(
            name=f"{day.isoformat()}_p{number:02d}.txt",
            issue_date=day,
            number=number,
            markdown=markdown,
            banner=banner,
            text="".join(out),
            articles=articles,
            features=features,
            header_lines=tuple(header + ([footer] if footer else [])),
            conventions=tuple(dict.fromkeys(page_conventions)),
        )


def iter_pages(
    *,
    articles: int,
    seed: int,
    start_date: date = date(2013, 1, 1),
    seeds_dir: Path | None = None,
    variety: float = DEFAULT_VARIETY,
) -> Iterator[GeneratedPage]:
    """Yield the pages of an archive of exactly `articles` articles, one at a time."""
    if articles < 0:
        raise ValueError("articles must not be negative")
    if not 0 <= variety <= 1:
        raise ValueError("variety must be between 0 and 1")
    composer = _Composer(seed, seeds_dir, variety)
    rng = composer.rng
    remaining = articles
    day = start_date
    while remaining > 0:
        pages = rng.randint(*PAGES_PER_ISSUE)
        for number in range(1, pages + 1):
            # Drawn before clipping so a smaller archive is a prefix of a larger one with the same seed.
            items = min(rng.randint(*ARTICLES_PER_PAGE), remaining)
            page = composer.page(day, number, items, pages)
            yield page
            remaining -= len(page.articles)
            if remaining == 0:
                return
        day += timedelta(days=1)


def generate_archive(
    *,
    articles: int,
    seed: int,
    out: Path,
    start_date: date = date(2013, 1, 1),
    seeds_dir: Path | None = None,
    variety: float = DEFAULT_VARIETY,
) -> GenerationReport:
    """Write an archive of `articles` articles as page files into `out`, streaming page by page."""
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = written = count = 0
    issues: set[date] = set()
    for page in iter_pages(articles=articles, seed=seed, start_date=start_date, seeds_dir=seeds_dir, variety=variety):
        data = page.text.encode("utf-8")
        (out / page.name).write_bytes(data)
        files += 1
        written += len(data)
        count += len(page.articles)
        issues.add(page.issue_date)
    return GenerationReport(
        files=files, issues=len(issues), articles=count, bytes=written, seconds=time.perf_counter() - started
    )
