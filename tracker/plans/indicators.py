"""Indicator candidates from a plan's 主要指标 table: name, unit, baseline and its year, target and
its year, comparator, 预期性/约束性, each with the cells it was read from.

One rule for every plan: the baseline is the table's own base-year column when it has one; else the
value the previous period's table (the "十三五 … 完成情况" table of the same document) reports for
the base year, for an indicator of the same name; else unknown. A dash ("—", "/") is unknown too.
"""

from __future__ import annotations

import re

from .tables import Cell, Table, header_text

COMPARATORS = {"≥": "≥", ">=": "≥", "≤": "≤", "<=": "≤", ">": ">", "<": "<", "＞": ">", "＜": "<",
               "=": "="}
UNKNOWN_VALUES = {"", "—", "-", "--", "——", "/", "／", "无", "暂无", "…"}


def is_indicator_table(table: Table) -> bool:
    if not table.rows:
        return False
    header = [header_text(cell) for cell in table.rows[0]]
    has_name = any("指标" in text and "性质" not in text and "属性" not in text for text in header)
    has_value = any(re.search(r"目标|20\d\d|基期|现状|属性|性质", text) for text in header)
    return has_name and has_value and "指标" in "".join(header) + table.title


def _columns(header: list[Cell]) -> dict[str, tuple[int, int | None]]:
    columns: dict[str, tuple[int, int | None]] = {}
    year_only: list[tuple[int, int]] = []
    for index, cell in enumerate(header):
        text = header_text(cell)
        year_match = re.search(r"(20\d\d)", text)
        year = int(year_match.group(1)) if year_match else None
        if "性质" in text or "属性" in text:
            columns["nature"] = (index, None)
        elif "序号" in text:
            continue
        elif "指标" in text and "name" not in columns:
            columns["name"] = (index, None)
        elif "领域" in text or "类别" in text or "分类" in text:
            columns["section"] = (index, None)
        elif "单位" in text:
            columns["unit"] = (index, None)
        elif "基期" in text or "基数" in text or "现状" in text or "完成" in text:
            columns.setdefault("baseline", (index, year))
        elif "目标" in text:
            columns.setdefault("target", (index, year))
        elif year:
            year_only.append((index, year))
    if len(year_only) >= 2 and "target" not in columns and "baseline" not in columns:
        # Columns headed by their years alone ("2025年 | 2030年"): the last is the target, the
        # one before it the base year; not "a year after 2020 is a target", which read a 15th
        # plan's 2025 base column as its target.
        ordered = sorted(year_only, key=lambda column: column[1])
        columns["baseline"], columns["target"] = ordered[-2], ordered[-1]
    else:
        for index, year in year_only:
            columns.setdefault("target" if year >= 2021 else "baseline", (index, year))
    return columns


def _rows(table: Table) -> list[tuple[dict[str, Cell], str | None]]:
    header = table.rows[0]
    columns = _columns(header)
    if "name" not in columns:
        return []
    rows = []
    section = None
    for row in table.rows[1:]:
        if len(row) == len(header) - 1:
            row = [Cell([(row[0].line, "")])] + row
        if len(row) != len(header):
            continue
        if "section" in columns and row[columns["section"][0]].text:
            section = row[columns["section"][0]].text
        cells = {key: row[index] for key, (index, _) in columns.items()}
        if not cells["name"].text or re.fullmatch(r"[\d.]+", cells["name"].text):
            continue
        rows.append((cells, section))
    return rows


def split_name_unit(name: str) -> tuple[str, str | None]:
    match = re.fullmatch(r"(.+?)[（(]([^（）()]{1,12})[）)]", name)
    if match and not re.search(r"[\u4e00-\u9fff]{4,}", match.group(2)):
        return match.group(1), match.group(2)
    return name, None


def split_value(text: str) -> tuple[str | None, str | None]:
    """"≥90%" → ("≥", "90%"); "同比例提高" → (None, "同比例提高"); "—" → (None, None)."""
    value = text.strip()
    if value in UNKNOWN_VALUES:
        return None, None
    for printed in sorted(COMPARATORS, key=len, reverse=True):
        if value.startswith(printed):
            return COMPARATORS[printed], value[len(printed):].strip() or None
    if re.fullmatch(r"[\d.]+\s*(?:%|‰|岁|人|张|个)?以上", value) or re.match(r"不低于|不少于", value):
        return "≥", re.sub(r"以上$|不低于|不少于", "", value).strip()
    if re.fullmatch(r"[\d.]+\s*(?:%|‰|岁|人|张|个)?(?:以下|以内)", value) or re.match(r"不高于|不超过|低于", value):
        return "≤", re.sub(r"以下$|以内$|不高于|不超过|低于", "", value).strip()
    return None, value


def printed_baseline(text: str) -> str | None:
    """A baseline as the plan printed it ("≤9.5", "90%以上", "79.2"), or None for a dash: a
    comparator stays, since a plan that prints the last period's target met ("≤9.5") states no
    measured value, and "9.5" alone would."""
    _, value = split_value(text)
    return text.strip() if value is not None else None


def unit_in_value(text: str) -> str | None:
    """"≤15/10万" prints its unit in the value cell: "/10万"."""
    match = re.fullmatch(r"[≥≤><=＞＜]?\s*[\d.]+\s*(/10万|/万|%|‰|岁|万元|元|平方米|张|人)\s*(?:以上|以下)?",
                         text.strip())
    return match.group(1) if match else None


def _nature(text: str) -> str | None:
    if "约束" in text:
        return "binding"
    if "预期" in text:
        return "expected"
    return None


def _cell_source(cell: Cell, fields: list[str]) -> dict | None:
    if not cell.text:
        return None
    line, quote = cell.quote()
    return {"line": line, "quote": quote, "fields": fields} if quote else None


def indicator_candidates(table: Table, past_tables: list[Table]) -> list[dict]:
    columns = _columns(table.rows[0])
    past_values: dict[str, tuple[Cell, int | None]] = {}
    for past in past_tables:
        past_columns = _columns(past.rows[0])
        if "baseline" not in past_columns:
            continue
        for cells, _ in _rows(past):
            name, _ = split_name_unit(cells["name"].text)
            past_values.setdefault(name, (cells["baseline"], past_columns["baseline"][1]))
    result = []
    for cells, section in _rows(table):
        printed_name = cells["name"].text
        # "其中每千人口…医师数": a row under the one above ("of which"), named without the link word.
        name, unit = split_name_unit(re.sub(r"^其中[:：]?", "", printed_name))
        if "unit" in cells and cells["unit"].text:
            unit = cells["unit"].text
        elif unit is None:
            unit = next((found for key in ("target", "baseline") if key in cells
                         for found in [unit_in_value(cells[key].text)] if found), None)
        sources = [_cell_source(cells["name"], ["name", "unit"] if unit and "unit" not in cells else ["name"])]
        if "unit" in cells:
            sources.append(_cell_source(cells["unit"], ["unit"]))
        comparator, target = split_value(cells["target"].text) if "target" in cells else (None, None)
        target_year = columns["target"][1] if "target" in columns else None
        if target is not None:
            sources.append(_cell_source(cells["target"], ["target", "comparator"] if comparator else ["target"]))
        baseline, baseline_year = None, None
        if "baseline" in cells:
            baseline = printed_baseline(cells["baseline"].text)
            baseline_year = columns["baseline"][1] if baseline is not None else None
            if baseline is not None:
                sources.append(_cell_source(cells["baseline"], ["baseline"]))
        elif name in past_values:
            cell, year = past_values[name]
            baseline = printed_baseline(cell.text)
            if baseline is not None:
                baseline_year = year
                sources.append(_cell_source(cell, ["baseline"]))
        nature = _nature(cells["nature"].text) if "nature" in cells else None
        if nature:
            sources.append(_cell_source(cells["nature"], ["nature"]))
        result.append({
            "section": section, "name": name, "unit": unit,
            "baseline": baseline, "baseline_year": baseline_year,
            "target": target, "target_year": target_year,
            "comparator": comparator, "nature": nature,
            "sources": [source for source in sources if source],
        })
    return result
