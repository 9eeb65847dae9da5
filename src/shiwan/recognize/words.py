"""The words clerks write in headers, row labels and the lines around a table, and what each means.

`measure_of` reads a sub-header (`本月`, `截至5月底累计`, `期末数`, `本月新增`, `7月`, `上年同期`);
`row_word` a row label (`合计`, `小计`, `市本级`); the rest are the words of title, 填报单位 and footer
lines. Everything is compared after `normalize_header` (half-width, no spaces, no trailing measure
unit, no leading 序号).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shiwan.ref.text import arabic_dates, normalize_header, squash

# -- measures: which figure of an indicator a column holds ----------------------------------------------

MONTH = "month"  # this month's figure (本月)
YTD = "ytd"  # January to this month (本年累计)
LEVEL = "level"  # a stock's level at the end of the period (期末数)
INCREMENT = "increment"  # what was added this month (本月新增): a flow's 本月, never a stock's level
QUARTER = "quarter"  # the quarter's figure (本季)
IGNORE = "ignore"  # not a figure of this period (上年同期, 计划, 完成%)
YTD_INCREMENT = "ytd_increment"  # what was added since January (累计新增): a flow's 本年累计, never a level

_MONTH_WORDS = {"本月", "本月数", "当月", "当月数", "本期", "本期数", "本月完成", "本月发生", "本月实绩", "月报数",
                "本月实际", "当月完成", "本月实际完成", "当月实绩", "本期完成", "本期发生", "本月份", "本月合计"}
_INCREMENT_WORDS = {"本月新增", "当月新增", "本期新增", "新增", "新增数", "本月增加", "本月新建", "当月新建", "本期增加",
                    "本月净增", "净增", "增加数"}
_YTD_WORDS = {"1-本月", "1至本月", "1~本月", "1—本月", "元至本月", "1-本月累计", "累积", "累积数", "本年累积", "本年累积数",
              "今年累积", "累积完成", "本年累计", "累计", "累计数", "本年累计数", "年累计", "今年累计", "全年累计", "自年初累计", "累计完成",
              "本年", "年初至今", "本年累计完成", "累计完成数", "年度累计", "截至本月累计", "截止本月累计", "截至本月",
              "截止本月", "截至目前累计", "截止目前累计", "至本月累计", "本年度累计", "今年以来", "今年以来累计",
              "年初以来累计", "本年实际", "全年", "本年合计", "自年初累计数", "本年累计实绩", "累计实绩"}
_LEVEL_WORDS = {"期末数", "期末", "实有数", "期末实有数", "现有数", "年末数", "现有", "期末累计", "实有", "月末数",
                "月末实有", "月末实有数", "期末现有", "期末现有数", "现有总数", "月末", "目前实有", "现存", "运营中",
                "期末运营数", "累计现有", "季末数", "季末", "季末实有", "季末实有数", "年末", "年末实有", "年末实有数"}
_QUARTER_WORDS = {"本季", "本季度", "本季数", "本季度数", "本季完成", "本季度完成", "当季", "本季合计"}
_YTD_STARTS = ("截至", "截止", "至本", "到本", "自年初", "年初", "今年以来", "本年度", "本年")
_MONTH_STARTS = ("本月", "当月", "本期", "月度")
_LEVEL_PARTS = ("期末", "月末", "季末", "年末", "现有", "实有", "现存", "在册", "运营")
_IGNORE_PARTS = ("上年", "去年", "同比", "同期", "增减", "增长", "比上", "计划", "目标", "任务", "完成率", "完成%", "%",
                 "备注", "占", "进度", "比例", "排名", "名次", "差额", "幅度", "上月", "减少", "期初", "月初")
_YTD_RANGE = re.compile(r"^(?:本年|今年)?(?:1|元)[-—–~至到](\d{1,2})月(?:份)?(?:底|末)?(?:累计|合计)?(?:数|完成|实绩)?$")
_THROUGH = re.compile(r"^(?:截至|截止|至|到)(?:本年)?(\d{1,2})月(?:份)?(?:底|末)?(?:止)?(?:累计|合计)?(?:数|完成)?$")
_MONTH_N = re.compile(r"^(?:本月)?(\d{1,2})月(?:份)?(?:数|完成|实绩|发生)?$")
_DATED = re.compile(r"^((?:19|20)\d{2})年(?:度)?(.*)$")
_FIRST_HALF = {"上半年", "上半年累计", "上半年合计", "上半年完成", "本年上半年", "今年上半年", "1-6月份"}
_QUARTER_N = re.compile(r"^(?:第)?([一二三四1-4])季(?:度)?(?:数|完成)?$")


_EXACT = ((_MONTH_WORDS, MONTH), (_INCREMENT_WORDS, INCREMENT), (_YTD_WORDS, YTD), (_LEVEL_WORDS, LEVEL),
          (_QUARTER_WORDS, QUARTER))


@dataclass(frozen=True, slots=True)
class Measure:
    """What a sub-header says: its kind, and the month it names where it names one (`1-6月` -> 6)."""

    kind: str
    month: int | None = None
    year: int | None = None  # `2002年1-6月`: the year it names, where it names one


def measure_of(text: str) -> Measure | None:
    """The measure a sub-header names, or None when it names none: the words clerks use first, then
    what a header says by its parts (`…累计…`, `截止…`, `本月…`, `期末…`, `…新增…`), after setting
    aside what is not a figure of this period (`上年同期`, `上月累计`, `计划`, `完成%`)."""
    v = arabic_dates(normalize_header(text)).strip("()")
    if not v:
        return None
    dated = _DATED.match(v)
    if dated and dated.group(2):
        inner = measure_of(dated.group(2))
        return Measure(inner.kind, inner.month, int(dated.group(1))) if inner else None
    for words, kind in _EXACT:
        if v in words:
            return Measure(kind)
    if v in _FIRST_HALF:
        return Measure(YTD, 6)  # January to June: the year to date of a June return
    if _QUARTER_N.match(v):
        return Measure(QUARTER)
    for pattern, kind in ((_YTD_RANGE, YTD), (_THROUGH, YTD), (_MONTH_N, MONTH)):
        m = pattern.match(v)
        if m and 1 <= int(m.group(1)) <= 12:
            return Measure(kind, int(m.group(1)))
    if any(p in v for p in _IGNORE_PARTS) or _other_span(v):
        return Measure(IGNORE)
    return _by_parts(v)


_OTHER_SPAN_PARTS = ("以来", "历年", "行动", "活动", "开展", "启动", "总累计")


def _other_span(v: str) -> bool:
    """A cumulative over another span than this year (`行动以来累计`, `自2002年10月以来`, `历年累计`), or
    a level at another moment (`年初数`, the level on 1 January): a figure, but not this return's."""
    if v.startswith(("今年", "本年", "自年初", "年初以来", "年初至")):
        return False
    return any(p in v for p in _OTHER_SPAN_PARTS) or (v.startswith("年初") and "累计" not in v)


def _by_parts(v: str) -> Measure | None:
    if len(v) > 12:
        return None  # a sentence, not a sub-header
    added = any(w in v for w in ("新增", "增加", "净增", "新建"))
    if "累计" in v or v.startswith(_YTD_STARTS):
        return Measure(YTD_INCREMENT if added else YTD)
    if added:
        return Measure(INCREMENT)
    if v.startswith(_MONTH_STARTS):
        return Measure(MONTH)
    if any(w in v for w in _LEVEL_PARTS):
        return Measure(LEVEL)
    if "本季" in v or "季度" in v:
        return Measure(QUARTER)
    return None


def measure_kind(text: str) -> str | None:
    m = measure_of(text)
    return m.kind if m else None


FIGURE_MEASURES = (MONTH, YTD, LEVEL, INCREMENT, QUARTER, "ytd_increment")


def split_measure(header: str) -> tuple[str, Measure | None]:
    """A header naming an indicator and its measure in one cell: `实现再就业人数(本月)`,
    `本月实现再就业人数`, `实现再就业人数1-6月累计` -> (name, measure)."""
    v = normalize_header(header)
    m = re.match(r"^(.*?)\(([^()]*)\)$", v)
    if m:
        mw = measure_of(m.group(2))
        if mw and mw.kind in FIGURE_MEASURES:
            return m.group(1), mw
    for words, kind in ((_YTD_WORDS, YTD), (_INCREMENT_WORDS, INCREMENT), (_MONTH_WORDS, MONTH),
                        (_LEVEL_WORDS, LEVEL)):
        for w in sorted(words, key=len, reverse=True):
            if len(v) > len(w) + 1:
                if v.endswith(w):
                    return v[: -len(w)], Measure(kind)
                if v.startswith(w):
                    return v[len(w):], Measure(kind)
    m = re.match(r"^(.*?)(?:1|元)[-—–~至到](\d{1,2})月(?:累计)?$", arabic_dates(v))
    if m and 1 <= int(m.group(2)) <= 12:
        return m.group(1), Measure(YTD, int(m.group(2)))
    return v, None


MEASURE_HINTS = ("本月", "累计", "月", "期末", "实有", "现有", "本期", "当月", "本年", "新增", "本季", "截至", "截止")

# -- row labels -------------------------------------------------------------------------------------------

TOTAL = "total"
SUBTOTAL = "subtotal"
OWN = "own"
UNIT = "unit"

_TOTAL_WORDS = {"合计", "总计", "全市", "全省", "全市合计", "全省合计", "合计数", "共计", "总数", "全市总计", "全省总计",
                "全区", "全区合计", "全地区", "全地区合计", "全盟", "全州", "合计(全市)", "全市合计数", "汇总", "全市汇总",
                "全省汇总", "总合计", "全县", "全县合计"}
_SUBTOTAL = re.compile(r"小计$")
_OWN_LEVEL = re.compile(r"^(?:.*?)(?:本级|市总本级|市直|机关本级|直属|机关)$")
# the city's own office as clerks label its row (without the word 本级)
_OWN_LABELS = {"市总工会", "市总", "市工会", "市总工会机关", "市总机关", "总工会本级", "市总工会(本级)", "本级工会",
               "县总工会", "区总工会", "省总工会", "省总", "市总工会本部", "市总本部", "机关", "市直工会", "市直属"}


def row_word(written: str, label: str) -> str:
    """total | subtotal | own | unit, for a row label as written and as normalised for matching. A
    `其中:市区` row (a part of the row above, under a 合计) counts as a subtotal: not a unit."""
    if written.startswith("其中"):  # `其中:市本级` under the 合计 is the city's own row, one of the summed rows
        rest = written[2:].lstrip(":：, 　")
        own = rest and ("本级" in rest or rest in _OWN_LABELS or _OWN_LEVEL.match(rest))
        return OWN if own else SUBTOTAL
    if label in _TOTAL_WORDS or label.startswith(("合计", "总计")) or label.endswith("合计"):
        return TOTAL
    if _SUBTOTAL.search(label):
        return SUBTOTAL
    if "本级" in written or _OWN_LEVEL.match(label) or written in _OWN_LABELS or label in _OWN_LABELS:
        return OWN
    return UNIT


NOT_REPORTED_WORDS = ("未报", "未上报", "未报送", "未报表", "暂未上报", "缺报", "未填报", "未报数")


def says_not_reported(text: str) -> bool:
    v = squash(text).strip("()")
    return any(v.startswith(w) for w in NOT_REPORTED_WORDS)


# -- header cells that are not indicators ------------------------------------------------------------------

UNIT_HEADERS = {"单位", "单位名称", "地区", "名称", "县(市、区)", "县(市,区)", "县市区", "县(市)区", "填报单位", "工会名称",
                "区县", "县区", "市(地)", "地市", "市地", "区、县(市)", "区县(市)", "县(区)", "县(市)", "市县", "工会",
                "单位(地区)", "地区(单位)", "项目单位", "单位名称(盖章)", "县(市)区名称", "地区名称", "市(地)名称",
                "各县(市、区)", "县(市、区)名称", "区(县)", "区(县、市)", "市、县(区)", "基层单位"}
SERIAL_HEADERS = {"序号", "编号", "行次", "序", "No.", "NO.", "No", "栏次", "顺序号"}
INDICATOR_HEADERS = {"指标名称", "指标", "项目", "项目名称", "指标项目", "统计指标", "指标名", "内容", "统计项目",
                     "项目(指标)", "指标(项目)", "单位项目", "项目单位"}
MEASURE_UNIT_HEADERS = {"计量单位", "单位", "计量", "计算单位", "单位(计量)"}
MEASURE_UNIT_WORDS = {"人", "人次", "万元", "元", "千元", "亿元", "个", "处", "期", "笔", "条", "户", "家", "次", "项", "所",
                      "名", "件", "班", "期次", "%"}
COLUMN_NUMBER_WORDS = {"甲", "乙", "丙", "丁", "戊", "栏次", "行次", "A", "B", "C"}

# -- lines above and below the table ------------------------------------------------------------------------

FOOTER_STARTS = ("单位负责人", "负责人", "统计负责人", "填表人", "制表人", "审核人", "审核", "联系电话", "电话",
                 "报出日期", "填报日期", "报送日期", "填表日期", "制表日期", "说明", "注:", "注1", "注1", "备注:", "附注",
                 "主管领导", "分管领导", "统计员", "经办人", "填表说明", "注释", "注意", "领导签字", "审核人签字",
                 "单位领导", "主要负责人", "部门负责人")
REPORTER_LINE = re.compile(r"(?:填报单位|报送单位|填表单位|报告单位|上报单位|报表单位|填报机关)\s*(?:\((?:盖章|章|公章)\))?"
                           r"\s*[:]?(.*)")
# what ends a unit's name on a 填报单位 line: a wide gap, another label, a date, a stamp
REPORTER_END = re.compile(r"\s{2,}|\t|(?:计量单位|金额单位|单位\s*[:]|表号|制表机关|文号|填表人|负责人|统计负责人|联系电话|"
                          r"电话|报出日期|填报日期|日期|\(盖章\)|盖章|报告期|报表期|统计期|所属期|期别)|\d{4}\s*[年./-]|"
                          r"\(\d{4}|\s[\u4e00-\u9fff]{2,6}\s*:")  # also: another label further on (`… 填表人:`)
DATE_LABEL = re.compile(r"(?:报出日期|填报日期|报送日期|填表日期|制表日期|上报日期)[:]?(.*)")
INSTRUCTION_SHEET = re.compile(r"说明|目录|封面|解释|指标体系|instruction|readme", re.I)
# sheets kept beside a return that are not this period's figures: last month's, last year's, the plan
OTHER_FIGURES_SHEET = re.compile(r"上月|上期|去年|上年|同期|计划|目标|任务|备份|底稿|草稿|旧表|原表|backup|old", re.I)
