"""The figures a plan prints for a project, read with their units and converted to the tracker's.

Money in 万元 (亿元 × 10000), floor area in m² (万平方米 × 10000), land in 亩, beds as counts. Every
figure keeps the words it was read from (``printed``: "3.5亿元"), so a reviewer and the provenance
check can find the number as printed even when the stored value was converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..core.values import HALF_WIDTH_DIGITS

NUMBER = r"\d[\d,，]*(?:\.\d+)?"

# field, pattern, {unit: factor}. A pattern's group "n" is the number, "u" its unit.
_INVESTMENT = re.compile(
    rf"(?:总投资|投资总额|估算投资|计划投资|概算投资|项目投资|总概算|投资)(?:额|规模|估算)?(?:约|达|为|共|预计|计|：|:|\s)*"
    rf"(?P<n>{NUMBER})\s*(?P<u>亿元|万元|亿|万)")
_FLOOR_AREA = re.compile(
    rf"(?:总建筑面积|建筑面积|建设面积|规划面积|新建[^\d，,。；：]{{0,10}}面积|改扩建面积|改建面积|扩建面积|改造面积|业务用房面积|用房面积)"
    rf"(?:约|达|为|共|：|:|\s)*(?P<n>{NUMBER})\s*(?P<u>万平方米|平方米|平米|㎡|m²|m2|万㎡)")
_LAND = re.compile(
    rf"(?:总占地面积|占地面积|用地面积|占地|用地)(?:约|达|为|共|：|:|\s)*(?P<n>{NUMBER})\s*(?P<u>亩)")
_NEW_BEDS = re.compile(
    # "新增负压病床80张", "新增ICU床位20张": a kind of bed between 新增 and its word
    r"新增(?:[\u4e00-\u9fffA-Za-z]{0,6}?(?:床位数?|病床数?)|编制床位|住院床位)?(?:约|达|为|共|：|:|\s)*(?P<n>\d+)\s*(?P<u>张)"
    r"(?:床位|病床)?")
_BEDS = re.compile(
    r"(?<!新增)(?:设置床位|编制床位|开放床位|床位数|床位|病床)(?:约|达|为|共|：|:|\s)*(?P<n>\d+)\s*(?P<u>张)"
    r"|(?<!新增)(?<![\d])(?P<n2>\d+)\s*(?P<u2>张)(?:床位|病床|床)")
_YEARS = re.compile(r"(?P<a>20\d\d)\s*(?:年)?\s*[-—–~～至到]\s*(?P<b>20\d\d)\s*年")
# "建设期2026年", "建设周期为2027年": begun and finished within the one year.
_ONE_YEAR = re.compile(r"建设(?:周)?期(?:为|：|:|\s)*(?P<a>20\d\d)\s*年(?!\s*(?:\d|[-—–~～至到]))")
_START = re.compile(r"(?P<a>20\d\d)\s*年(?:\d{1,2}月)?(?:底前|前|内)?(?:动工|开工|启动建设|开始建设)")
_END = re.compile(r"(?P<b>20\d\d)\s*年(?:\d{1,2}月)?(?:底前|底|前|内)?(?:建成|竣工|完工|投入使用|投用|交付)")

# After a clause's comma, full stop, semicolon or colon; not after a comma that groups a number's
# digits ("总投资12,600万元": the quote was "总投资12", and the planner's 12600 refused as not in it).
CLAUSE_END = re.compile(r"(?<=[。；;：:])|(?<=[^0-9０-９][，,])|(?<=[，,])(?![0-9]{3}(?![0-9]))")

UNIT_FACTORS = {
    "亿元": Decimal(10000), "亿": Decimal(10000), "万元": Decimal(1), "万": Decimal(1),
    "万平方米": Decimal(10000), "万㎡": Decimal(10000), "平方米": Decimal(1), "平米": Decimal(1),
    "㎡": Decimal(1), "m²": Decimal(1), "m2": Decimal(1), "亩": Decimal(1), "张": Decimal(1),
}


@dataclass(frozen=True)
class Figure:
    field: str
    value: Decimal | int
    number: str  # the number exactly as printed, "1,320"
    printed: str  # number and unit as printed, "3.5亿元"
    start: int  # offsets in the text it was read from
    end: int
    approx: bool = False  # printed as an approximation: "约1200万元", "1200万元左右"


def to_decimal(number: str) -> Decimal | None:
    try:
        return Decimal(number.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def plain(value: Decimal) -> str:
    """9000.0000 → "9000"; 16698.950 → "16698.95"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# After a figure's unit, what makes it a bound or a guess rather than the figure: "2亿元以上" is
# at least 2 亿元 (taken as 约, never as the exact 20,000 万元), "左右" about it.
NOT_EXACT_AFTER = ("左右", "以上", "以下", "以内", "上下")


def _approximate(text: str, match: re.Match) -> bool:
    """Whether the plan gives the figure as an approximation: "约" before its number (after its
    word, "总投资约1200万元", or before it, "约总投资…"), a bound or "左右" after its unit."""
    return ("约" in text[match.start(): match.start("n")] or text[max(0, match.start() - 1): match.start()] == "约"
            or text[match.end("u"):].startswith(NOT_EXACT_AFTER))


def figures_in(text: str) -> list[Figure]:
    """Every figure printed in ``text``; the first of each field wins when the caller keeps one.
    Full-width digits are read as digits (offsets unchanged: ``HALF_WIDTH_DIGITS``)."""
    text = text.translate(HALF_WIDTH_DIGITS)
    found: list[Figure] = []
    for field, pattern in (("total_investment_wan_yuan", _INVESTMENT), ("floor_area_m2", _FLOOR_AREA),
                           ("land_area_mu", _LAND)):
        for match in pattern.finditer(text):
            number = to_decimal(match["n"])
            if number is None:
                continue
            factor = UNIT_FACTORS[match["u"]]
            found.append(Figure(field, number * factor, match["n"], match["n"] + match["u"],
                                match.start("n"), match.end("u"), approx=_approximate(text, match)))
    taken_beds: set[int] = set()
    for match in _NEW_BEDS.finditer(text):
        found.append(Figure("new_beds", int(match["n"]), match["n"], match["n"] + "张",
                            match.start("n"), match.end("u")))
        taken_beds.add(match.start("n"))
    for match in _BEDS.finditer(text):
        group = "n" if match["n"] else "n2"
        if match.start(group) in taken_beds:
            continue
        found.append(Figure("beds", int(match[group]), match[group], match[group] + "张",
                            match.start(group), match.end(group) + 1))
    for match in _YEARS.finditer(text):
        found.append(Figure("start_year", int(match["a"]), match["a"], match["a"], match.start("a"),
                            match.end("a")))
        found.append(Figure("end_year", int(match["b"]), match["b"], match["b"], match.start("b"),
                            match.end("b")))
    if not _YEARS.search(text):
        for match in _ONE_YEAR.finditer(text):
            for field in ("start_year", "end_year"):
                found.append(Figure(field, int(match["a"]), match["a"], match["a"], match.start("a"), match.end("a")))
        for match in _START.finditer(text):
            found.append(Figure("start_year", int(match["a"]), match["a"], match["a"], match.start("a"),
                                match.end("a")))
        for match in _END.finditer(text):
            found.append(Figure("end_year", int(match["b"]), match["b"], match["b"], match.start("b"),
                                match.end("b")))
    return sorted(found, key=lambda figure: figure.start)


def money_cell(text: str, header_unit: str | None) -> Figure | None:
    """A 总投资 table cell: "1,320" under a （万元） header, or "3.5亿元" with its own unit."""
    # "12,000（其中中央预算内5,000）": the total is the number before any remark.
    text = re.split(r"[（(]", text, maxsplit=1)[0]
    match = re.search(rf"(?P<n>{NUMBER})\s*(?P<u>亿元|万元|亿|万)?", text)
    if match is None or re.search(r"[\u4e00-\u9fff]", text.replace(match.group(0), "")
                                  .replace("约", "").replace("总投资", "")):
        return None
    if re.match(rf"\s*[-—–~～至到]+\s*{NUMBER}", text[match.end():]):
        return None  # "6000—8000": a range is no one figure (as in a sentence: read as none)
    number = to_decimal(match["n"])
    if number is None:
        return None
    unit = match["u"] or header_unit or "万元"
    return Figure("total_investment_wan_yuan", number * UNIT_FACTORS[unit], match["n"],
                  match["n"] + (match["u"] or ""), match.start("n"), match.end(),
                  approx="约" in text[: match.start()] or text[match.end():].strip().startswith("左右"))


def unit_in_header(header: str) -> str | None:
    for unit in ("亿元", "万元", "万平方米", "平方米", "㎡", "亩", "张"):
        if unit in header:
            return unit
    return None
