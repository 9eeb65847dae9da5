"""Normalising the text that clerks type: headers, unit names, periods and dates in titles."""

from __future__ import annotations

import re
from datetime import date


class _Pattern:
    """A regular expression compiled on first use, then as fast as one compiled at import: a report
    imports this module for the catalog and uses none of its thirteen patterns."""

    def __init__(self, pattern: str) -> None:
        self._pattern = pattern

    def __getattr__(self, name: str):
        value = getattr(re.compile(self._pattern), name)
        setattr(self, name, value)  # the compiled pattern's method, found directly from now on
        return value


_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20})
_WS = _Pattern(r"\s+")

MEASURE_UNITS = ("人次", "万元", "人", "期", "个", "处", "笔", "条", "元", "户", "家", "次", "项", "所", "名", "件", "%")

_TRAILING_MEASURE = _Pattern(
    r"\((?:计量)?(?:单位[:]?)?(?:" + "|".join(re.escape(u) for u in MEASURE_UNITS) + r")\)$"
)
_LEADING_ORDINAL = _Pattern(
    r"^(?:\d{1,3}[.、]|\(\d{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|[①-⑳]|其中[:,]?)+"
)


def halfwidth(s: str) -> str:
    """Full-width ASCII (１２３, （）, ：) and ideographic spaces to their half-width forms."""
    return s.translate(_FULLWIDTH)


def squash(s: str) -> str:
    """Half-width, with every whitespace character and line break removed."""
    return _WS.sub("", halfwidth(s))


def normalize_header(s: str) -> str:
    """A header as it is compared with indicator names and aliases (DESIGN §3)."""
    v = squash(s)
    v = v.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    v = _LEADING_ORDINAL.sub("", v)
    prev = None
    while prev != v:
        prev = v
        v = _TRAILING_MEASURE.sub("", v)
    return v


_STAMP = _Pattern(r"\((?:盖章|章|公章|签章|印章|本级|机关|迟报|补报|已报|更正|修订|更正稿|修订稿)\)")
_UNION_SUFFIX = _Pattern(r"(?:总工会|工会委员会|工会联合会|工会)$")


def normalize_unit_name(s: str) -> str:
    """A unit name without spaces, stamps and the 总工会/工会 suffix: `哈尔滨市总工会(盖章)` -> `哈尔滨市`."""
    v = squash(s)
    v = _STAMP.sub("", v)
    v = _LEADING_ORDINAL.sub("", v)
    v = v.rstrip(":")
    v = _UNION_SUFFIX.sub("", v)
    return v


_ADMIN_SUFFIXES = ("自治县", "自治旗", "地区", "林区", "矿区", "市", "区", "县", "旗", "盟", "州")
_PEOPLES = ("蒙古族", "达斡尔族", "朝鲜族", "鄂温克族", "鄂伦春族", "锡伯族", "赫哲族", "柯尔克孜族", "满族", "回族")


def short_unit_name(name: str) -> str:
    """A division name without its administrative suffix (`阿城区` -> `阿城`; `西林区` -> `西林`, not
    `西` for 林区) and without the people of an autonomous unit (`杜尔伯特蒙古族自治县` -> `杜尔伯特`,
    `梅里斯达斡尔族区` -> `梅里斯`), or '' if what is left would be too short."""
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            rest = name[: -len(suffix)]
            for people in _PEOPLES:
                if rest.endswith(people) and len(rest) - len(people) >= 2:
                    return rest[: -len(people)]
            return rest
    return ""


# -- periods and dates written in Chinese --------------------------------------------------

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3",
              "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def _cn_year(m: re.Match[str]) -> str:
    return "".join(_CN_DIGITS.get(c, c) for c in m.group(1)) + "年"


def _cn_small(num: str) -> str:
    """一..十二 (and 十一, 二十) to digits."""
    if num == "十":
        return "10"
    if num.startswith("十"):
        return "1" + _CN_DIGITS[num[1]]
    if num.endswith("十"):
        return _CN_DIGITS[num[0]] + "0"
    if "十" in num:
        a, b = num.split("十")
        return _CN_DIGITS[a] + _CN_DIGITS[b]
    return _CN_DIGITS.get(num, num)


_CN_YEAR = _Pattern(r"([〇○零一二三四五六七八九Ｏ]{4})年")
_CN_MONTH = _Pattern(r"([一二三四五六七八九十]{1,3})(?=(?:[-—~至到]|月|日))")


def arabic_dates(s: str) -> str:
    """`二〇〇三年一至六月` -> `2003年1至6月`."""
    v = _CN_YEAR.sub(_cn_year, s)
    if "年" in v:
        v = _CN_MONTH.sub(lambda m: _cn_small(m.group(1)), v)
    return v


_RANGE = _Pattern(r"(\d{4})\s*年\s*(?:度)?\s*(\d{1,2})\s*(?:月份?)?\s*[-—–~至到]\s*(\d{1,2})\s*月")
_MONTH = _Pattern(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")  # a date is not a period
_SHORT_YEAR = _Pattern(r"(?<![\d年])(\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")  # `03年6月`
_ISO = _Pattern(r"(?<!\d)(\d{4})\s*[-./_]\s*(\d{1,2})(?![\d])(?!\s*[-./]\s*\d)")
_COMPACT = _Pattern(r"(?<!\d)(\d{4})(0[1-9]|1[0-2])(?!\d)")
_HALF = _Pattern(r"(\d{4})\s*年\s*(上半年|下半年|全年|第?一季度|第?二季度|第?三季度|第?四季度|前三季度)")
_HALF_MONTH = {"上半年": 6, "下半年": 12, "全年": 12, "一季度": 3, "二季度": 6, "三季度": 9, "四季度": 12,
               "前三季度": 9}


class PeriodHint:
    """A period read from text, and whether the text says the figures are 1..N (year to date)."""

    __slots__ = ("period", "ytd")

    def __init__(self, period: str, ytd: bool):
        self.period = period
        self.ytd = ytd

    def __repr__(self) -> str:
        return f"PeriodHint({self.period!r}, ytd={self.ytd})"


def _valid(year: str, month: str) -> str | None:
    y, m = int(year), int(month)
    if 1900 <= y <= 2200 and 1 <= m <= 12:
        return f"{y:04d}-{m:02d}"
    return None


def find_period(text: str, *, compact: bool = False) -> PeriodHint | None:
    """The first period a title or file name names: `2003年1-6月` (ytd), `2003年6月`, `2003-06`,
    `2003年上半年` (ytd); `compact=True` also accepts `200306` (file names)."""
    s = arabic_dates(squash(text))
    m = _RANGE.search(s)
    if m:
        p = _valid(m.group(1), m.group(3))
        if p:
            return PeriodHint(p, ytd=int(m.group(2)) == 1)
    m = _HALF.search(s)
    if m:
        key = m.group(2).lstrip("第")
        p = _valid(m.group(1), str(_HALF_MONTH[key]))
        if p:
            return PeriodHint(p, ytd=key in ("上半年", "全年", "一季度", "前三季度"))
    m = _MONTH.search(s)
    if m:
        p = _valid(m.group(1), m.group(2))
        if p:
            return PeriodHint(p, ytd=False)
    for m in _ISO.finditer(s):
        p = _valid(m.group(1), m.group(2))
        if p:
            return PeriodHint(p, ytd=False)
    m = _SHORT_YEAR.search(s)
    if m and int(m.group(1)) <= 50:  # `03年6月`: this century
        p = _valid(str(2000 + int(m.group(1))), m.group(2))
        if p:
            return PeriodHint(p, ytd=False)
    if compact:
        m = _COMPACT.search(s)
        if m:
            p = _valid(m.group(1), m.group(2))
            if p:
                return PeriodHint(p, ytd=False)
    return None


_DATE = _Pattern(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")


def find_date(text: str) -> date | None:
    """A calendar date in text such as `2003年7月4日`, `2003.7.4`, `2003-07-04`."""
    m = _DATE.search(arabic_dates(squash(text)))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
