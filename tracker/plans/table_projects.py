"""Project candidates from a plan's project table (重点项目表): one row, one candidate, each cell
cited on its own line."""

from __future__ import annotations

import re
from decimal import Decimal

from .candidates import BUILT_WORDS, Candidate, nature_term, status_of
from .figures import UNIT_FACTORS, Figure, figures_in, money_cell, unit_in_header
from .tables import Cell, Table, header_text

PROJECT_NAME_HEADERS = ("项目名称", "工程名称", "机构名称", "名称", "项目")


def _columns(header: list[Cell]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = header_text(cell)
        if "name" not in columns and any(word in text for word in PROJECT_NAME_HEADERS) \
                and "序号" not in text:
            columns["name"] = index
        elif "性质" in text or "类型" in text and "建设" in text:
            columns["nature"] = index
        elif "投资" in text or "金额" in text:
            columns["investment"] = index
        elif "规模" in text or "内容" in text:
            columns["scope"] = index
        elif "地点" in text or "地址" in text or "位置" in text:
            columns["location"] = index
        elif "年限" in text or "起止" in text or "建设期" in text or "工期" in text:
            columns["years"] = index
        elif "备注" in text or "状态" in text or "进度" in text or "进展" in text:
            columns["status"] = index
        elif "床位" in text:
            columns["beds"] = index
        elif "面积" in text and "占地" not in text:
            columns["floor_area"] = index
        elif "占地" in text:
            columns["land"] = index
    return columns


def table_candidates(table: Table) -> list[Candidate]:
    if not table.rows:
        return []
    columns = _columns(table.rows[0])
    if "name" not in columns or len(columns) < 2:
        return []
    header = table.rows[0]
    money_unit = unit_in_header(header_text(header[columns["investment"]])) if "investment" in columns else None
    result = []
    for row in table.rows[1:]:
        if len(row) != len(header):
            row = _align(row, len(header))
            if row is None:
                continue
        name_cell = row[columns["name"]]
        name = name_cell.text
        if not name or name in {"合计", "总计", "小计"} or re.fullmatch(r"[\d.、]+", name):
            continue
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
                    figure = Figure(figure.field, figure.value, figure.number, figure.number + money_unit,
                                    figure.start, figure.end)
                candidate.add_figure(figure, line, quote)
        for key in ("scope", "beds", "floor_area", "land", "years", "status"):
            if key not in columns:
                continue
            cell = row[columns[key]]
            if key == "scope" and cell.text:
                candidate.scope = cell.text
            for number, text in cell.parts:
                for figure in _cell_figures(key, text, header_text(header[columns[key]])):
                    candidate.add_figure(figure, number, text.strip())
        if "status" in columns and status_text:
            status = status_of(status_text)
            if status:
                candidate.status = status
                candidate.add_source(*row[columns["status"]].quote(), ["status"])
        if candidate.build_nature_term is None:
            candidate.build_nature_term = nature_term(name)
        result.append(candidate)
    return result


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
                       0, len(text))]
    if key == "scope" and not any(figure.field == "floor_area_m2" for figure in figures):
        # In a scope cell an area with no other word is the floor area: "改扩建业务用房3000平方米".
        areas = [match for match in re.finditer(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)\s*(万平方米|平方米|㎡)", text)
                 if not re.search(r"(?:占地|用地)[^，,。；]*$", text[: match.start()])]
        if len(areas) == 1:
            match = areas[0]
            value = Decimal(match.group(1).replace(",", "")) * UNIT_FACTORS[match.group(2)]
            figures.append(Figure("floor_area_m2", value, match.group(1), match.group(0).strip(),
                                  match.start(), match.end()))
    if key == "years":
        years = re.findall(r"20\d\d", text)
        if len(years) >= 2:
            return [Figure("start_year", int(years[0]), years[0], years[0], 0, 4),
                    Figure("end_year", int(years[-1]), years[-1], years[-1], 0, 4)]
    return figures


def _align(row: list[Cell], width: int) -> list[Cell] | None:
    # A merged first cell (a group title printed once): the row starts one cell late.
    if len(row) == width - 1:
        return [Cell([(row[0].line, "")])] + row
    return None
