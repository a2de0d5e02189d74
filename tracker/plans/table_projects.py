"""Project candidates from a plan's project table (重点项目表): one row, one candidate, each cell
cited on its own line."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from .candidates import BUILT_WORDS, Candidate, nature_code, nature_term, status_of
from .figures import UNIT_FACTORS, Figure, figures_in, money_cell, unit_in_header
from .tables import Cell, Table, header_text

# A column's role by the words of its header, first rule that matches (the order matters: "项目单位"
# is the owner, not the name; "十五五期间投资" is not the total when a "总投资" column exists).
INDEX_HEADER = re.compile(r"^序号$")
COLUMN_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("index", INDEX_HEADER),
    ("owner", re.compile(r"单位|业主|责任")),
    ("name", re.compile(r"名称|^(?:建设|工程)?项目$")),
    ("nature", re.compile(r"性质|建设类型|建设方式")),
    ("total_investment", re.compile(r"总投资|投资总额|总概算")),
    ("investment", re.compile(r"投资|金额|资金")),
    ("scope", re.compile(r"规模|内容")),
    ("location", re.compile(r"地点|地址|位置|所在地")),
    ("years", re.compile(r"年限|起止|建设期|工期|建设年度|实施期")),
    ("status", re.compile(r"备注|状态|进度|进展|阶段")),
    ("beds", re.compile(r"床位")),
    ("land", re.compile(r"占地|用地")),
    ("floor_area", re.compile(r"面积")),
)
# A group of a table's projects is numbered in Chinese ("一", "二、", "（三）"), a project in digits.
GROUP_MARK = re.compile(r"[（(]?[一二三四五六七八九十]+(?:[）)]|[、.．]|$)")
# What a table's status column may state, beyond the words prose uses.
TABLE_STATUSES = (("前期", "preparation"), ("储备", "reserve"), ("谋划", "reserve"))


def _columns(header: list[Cell]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = header_text(cell)
        for role, pattern in COLUMN_RULES:
            if pattern.search(text):
                columns.setdefault(role, index)
                break
    if "total_investment" in columns:
        columns["investment"] = columns.pop("total_investment")
    columns.pop("index", None)
    columns.pop("owner", None)
    return columns


def _table_status(text: str) -> str | None:
    status = status_of(text)
    if status:
        return status
    for word, code in TABLE_STATUSES:
        if word in text:
            return code
    return None


def table_candidates(table: Table) -> list[Candidate]:
    if not table.rows:
        return []
    columns = _columns(table.rows[0])
    if "name" not in columns or len(columns) < 2:
        return []
    header = table.rows[0]
    index_column = next((index for index, cell in enumerate(header) if INDEX_HEADER.search(header_text(cell))), None)
    money_unit = unit_in_header(header_text(header[columns["investment"]])) if "investment" in columns else None
    result: list[Candidate] = []
    previous: Candidate | None = None  # the row above, when it was a project
    for row in table.rows[1:]:
        if len(row) != len(header):
            aligned = _align(row, len(header))
            if aligned is None:
                continue
            row = aligned
        name_cell = row[columns["name"]]
        name = name_cell.text
        if not name or name in {"合计", "总计", "小计"} or re.fullmatch(r"[\d.、]+", name):
            previous = None
            continue
        if name == header_text(header[columns["name"]]):
            continue  # the header again: its second row (a heading over sub-columns), or a new page's
        if GROUP_MARK.match(name) or (index_column is not None and GROUP_MARK.fullmatch(row[index_column].text)):
            previous = None
            continue  # a group's heading row ("一 | 医疗服务能力提升", "（二）公共卫生"), often its sum
        if (previous is not None and index_column is not None and not row[index_column].text
                and not ("investment" in columns and row[columns["investment"]].text)):
            # A row with no 序号 and no 总投资 under a project's row goes on with it (a name broken
            # over two rows, a row continued over a page): "宜春市急救中心业务用房及" |
            # "智慧急救调度平台" was two candidates, the second invented, the first's name cut.
            _continue(previous, row, columns, header)
            continue
        previous = None
        status_text = row[columns["status"]].text if "status" in columns else ""
        if BUILT_WORDS.search(status_text) or status_text in {"已建", "建成", "完成"}:
            continue  # a facility that already stands
        candidate = Candidate(name)
        line, quote = name_cell.quote()
        candidate.add_source(line, quote, ["name"])
        if "nature" in columns:
            cell = row[columns["nature"]]
            term = nature_term(cell.text)
            if cell.text:
                candidate.build_nature_term = term or cell.text
                candidate.add_source(*cell.quote(), ["build_nature"])
        if "location" in columns and row[columns["location"]].text:
            cell = row[columns["location"]]
            candidate.location = cell.text
            candidate.add_source(*cell.quote(), ["location"])
        if "investment" in columns:
            cell = row[columns["investment"]]
            figure = money_cell(cell.text, money_unit)
            if figure is not None:
                line, quote = cell.line_with(figure.number) or cell.quote()
                if money_unit and UNIT_FACTORS.get(money_unit, 1) != 1 and figure.printed == figure.number:
                    figure = dataclasses.replace(figure, printed=figure.number + money_unit)
                candidate.add_figure(figure, line, quote)
            elif any(character.isdigit() for character in cell.text):
                # "约1.2—1.5亿元": no one figure (a range is none, as in a sentence), but still the
                # investment's quote: the reviewer types an end of it (``cite_typed``: kept as 约).
                # Dropped with the figure, the cell left 12000 "not in the quoted text" and the
                # project "printed nowhere".
                candidate.add_source(*cell.quote(), ["total_investment_wan_yuan"])
        for key in ("scope", "beds", "floor_area", "land", "years", "status"):
            if key not in columns:
                continue
            cell = row[columns[key]]
            if key == "scope" and cell.text:
                candidate.scope = cell.text
                candidate.add_source(*cell.quote(), ["scope"])
            for number, text in cell.parts:
                for figure in _cell_figures(key, text, header_text(header[columns[key]])):
                    candidate.add_figure(figure, number, text.strip())
        if "status" in columns and status_text:
            status = _table_status(status_text)
            if status:
                candidate.status = status
                candidate.add_source(*row[columns["status"]].quote(), ["status"])
        if candidate.build_nature_term is None and "scope" in columns:
            # No 建设性质 column: the 建设内容 cell that opens with it ("新建急救指挥调度中心",
            # "改扩建业务用房…") says it better than a word of the name ("…妇幼保健院新院").
            cell = row[columns["scope"]]
            term = nature_term(cell.text[:6])
            if term and nature_code(term):
                candidate.build_nature_term = term
                candidate.add_source(*cell.quote(), ["build_nature"])
        if candidate.build_nature_term is None:
            candidate.build_nature_term = nature_term(name)
        result.append(candidate)
        previous = candidate
    return result


def _continue(candidate: Candidate, row: list[Cell], columns: dict[str, int], header: list[Cell]) -> None:
    """The cells of a continuation row added to its project's: the name's words to its name, the
    figures the row above did not state (each cited on its own line)."""
    name_cell = row[columns["name"]]
    candidate.name += name_cell.text
    candidate.add_source(*name_cell.quote(), ["name"])
    for key in ("scope", "beds", "floor_area", "land", "years"):
        if key not in columns:
            continue
        cell = row[columns[key]]
        if key == "scope" and cell.text:
            candidate.scope = (candidate.scope or "") + cell.text
            candidate.add_source(*cell.quote(), ["scope"])
        for number, text in cell.parts:
            for figure in _cell_figures(key, text, header_text(header[columns[key]])):
                candidate.add_figure(figure, number, text.strip())


def _cell_figures(key: str, text: str, header: str) -> list[Figure]:
    figures = figures_in(text)
    unit = unit_in_header(header)
    bare = re.fullmatch(r"\s*(约)?\s*(\d[\d,]*(?:\.\d+)?)\s*", text)
    if bare and key in {"beds", "floor_area", "land"}:
        field_name = {"beds": "beds", "floor_area": "floor_area_m2", "land": "land_area_mu"}[key]
        number = bare.group(2)
        value = Decimal(number.replace(",", ""))
        factor = UNIT_FACTORS.get(unit or "", Decimal(1))
        if key == "beds":
            return [Figure("beds", int(value), number, number, 0, len(text))]
        if key == "land" and unit not in (None, "亩"):
            return []
        return [Figure(field_name, value * factor, number, number + (unit or "") if factor != 1 else number,
                       0, len(text), approx=bool(bare.group(1)))]
    if key == "scope" and not any(figure.field == "floor_area_m2" for figure in figures):
        # In a scope cell an area with no other word is the floor area: "改扩建业务用房3000平方米".
        areas = [match for match in re.finditer(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)\s*(万平方米|万㎡|平方米|平米|㎡|m²|m2)",
                                                 text)
                 if not re.search(r"(?:占地|用地)[^，,。；]*$", text[: match.start()])]
        if len(areas) == 1:
            match = areas[0]
            value = Decimal(match.group(1).replace(",", "")) * UNIT_FACTORS[match.group(2)]
            figures.append(Figure("floor_area_m2", value, match.group(1), match.group(0).strip(),
                                  match.start(), match.end(), approx=text[: match.start()].rstrip().endswith("约")))
    if key == "years":
        years = re.findall(r"20\d\d", text)
        if len(years) >= 2:
            return [Figure("start_year", int(years[0]), years[0], years[0], 0, 4),
                    Figure("end_year", int(years[-1]), years[-1], years[-1], 0, 4)]
        if len(years) == 1 and not any(figure.field in ("start_year", "end_year") for figure in figures):
            # "2026年" alone, saying neither 开工 nor 建成: begun and finished within the year.
            return figures + [Figure("start_year", int(years[0]), years[0], years[0], 0, 4),
                              Figure("end_year", int(years[0]), years[0], years[0], 0, 4)]
    return figures


def _align(row: list[Cell], width: int) -> list[Cell] | None:
    # A merged first cell (a group title printed once): the row starts one cell late.
    if len(row) == width - 1:
        return [Cell([(row[0].line, "")])] + row
    return None
