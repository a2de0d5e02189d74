"""From a plan's numbered lines to the candidates a person confirms: projects and indicators.

``extract(lines, plan=KEY, regions=..., existing=...)`` returns
``{"plan": KEY, "projects": [...], "indicators": [...]}``. Project fields carry the names of
``tracker export --format json``; every figure carries the line and the exact quote it rests on
(the quote stands verbatim on its line and prints the number: the rule of
``tracker/seeding/provenance.py``, checked by :func:`provenance_problems`).

Pure: no database, no application. The caller passes the regions ((code, name, former names)) and
the projects already tracked ((id, name, aliases)).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..seeding.provenance import appears_in
from ..vocabulary import BuildNature
from .figures import UNIT_FACTORS, Figure, figures_in, money_cell, plain, unit_in_header
from .indicators import indicator_candidates, is_indicator_table
from .prose import (NameHit, clean_name, ends_like_a_name, header_name, is_generic, is_project_context,
                    names_in_line)
from .tables import Cell, Table, find_tables, header_text

# The printed words of building, and the BuildNature code each means (longest first).
BUILD_NATURE_TERMS: tuple[tuple[str, BuildNature | None], ...] = (
    ("新建或改扩建", None), ("易地新建", BuildNature.RELOCATION), ("异地新建", BuildNature.RELOCATION),
    ("整体搬迁", BuildNature.RELOCATION), ("迁建", BuildNature.RELOCATION),
    ("改扩建", BuildNature.RENOVATION_EXPANSION), ("改造扩建", BuildNature.RENOVATION_EXPANSION),
    ("升级改造", BuildNature.RENOVATION), ("改建", BuildNature.RENOVATION), ("改造", BuildNature.RENOVATION),
    ("扩建", BuildNature.EXPANSION), ("新建", BuildNature.NEW),
)
# What a plan says of a facility that already stands: not a project of the plan.
BUILT_WORDS = re.compile(r"已建成|已建|已经建成|已投入使用|已投用|已竣工|已完成建设|建成投用|建成投入使用|已完工")
ONGOING_WORDS = re.compile(r"启动|开工|在建|正在|推进|加快|续建|筹建")
STATUS_WORDS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"建成投用|建成投入使用|已投入使用|已投用"), "in_use"),
    (re.compile(r"已建成|已建|已竣工|已完工"), "completed"),
    (re.compile(r"在建|续建|已开工"), "construction"),
)
# Headings of the part of a plan that reports the previous period.
PAST_HEADING = re.compile(r"发展基础|发展现状|发展成就|主要成就|工作回顾|十三五.{0,6}(?:成就|回顾|基础|进展)|取得的成效")
HEADING = re.compile(r"^\s*(?:第[一二三四五六七八九十\d]+[章节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")

PROJECT_NAME_HEADERS = ("项目名称", "工程名称", "机构名称", "名称", "项目")


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    former_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownProject:
    id: int
    name: str
    aliases: tuple[str, ...] = ()


@dataclass
class Candidate:
    name: str
    sources: list[dict] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    build_nature_term: str | None = None
    status: str | None = None
    location: str | None = None
    scope: str | None = None

    def add_source(self, line: int, quote: str, fields: Iterable[str], units: dict | None = None) -> None:
        fields = list(fields)
        for source in self.sources:
            if source["line"] == line and source["quote"] == quote:
                source["fields"] = sorted(set(source["fields"]) | set(fields))
                if units:
                    source.setdefault("units", {}).update(units)
                return
        source = {"line": line, "quote": quote, "fields": fields}
        if units:
            source["units"] = units
        self.sources.append(source)

    def add_figure(self, figure: Figure, line: int, quote: str) -> None:
        if figure.field in self.figures:
            return
        self.figures[figure.field] = figure
        units = None
        unit = figure.printed[len(figure.number):]
        if unit and UNIT_FACTORS.get(unit, Decimal(1)) != 1:
            units = {figure.field: unit}
        self.add_source(line, quote, [figure.field], units)


def extract(lines: Sequence[str], plan: str, regions: Iterable = (), existing: Iterable = ()) -> dict:
    """The candidates of one plan document; ``lines[N-1]`` is line N."""
    region_refs = [_region(region) for region in regions]
    known = [_known(project) for project in existing]
    tables = find_tables(list(lines))
    table_lines: set[int] = set()
    candidates: list[Candidate] = []
    indicator_rows: list[dict] = []
    past_tables = [table for table in tables if is_indicator_table(table) and _is_past(table.title)]
    for table in tables:
        if len(table.rows) <= 2 and all(len(row) == 1 for row in table.rows):
            continue  # a 专栏 box's title: its items are prose
        table_lines.update(range(table.first_line, table.last_line + 1))
        if is_indicator_table(table):
            if not _is_past(table.title):
                indicator_rows.extend(indicator_candidates(table, past_tables))
            continue
        candidates.extend(_table_candidates(table))
    candidates.extend(_prose_candidates(lines, table_lines))
    merged = _merge(candidates, region_refs)
    return {
        "plan": plan,
        "projects": [_as_dict(candidate, region_refs, known) for candidate in merged],
        "indicators": indicator_rows,
    }


# Tables ---------------------------------------------------------------------------------------

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


def _table_candidates(table: Table) -> list[Candidate]:
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
            term = _nature_term(cell.text)
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
            status = _status(status_text)
            if status:
                candidate.status = status
                candidate.add_source(*row[columns["status"]].quote(), ["status"])
        if candidate.build_nature_term is None:
            candidate.build_nature_term = _nature_term(name)
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


# Prose ----------------------------------------------------------------------------------------

def _prose_candidates(lines: Sequence[str], table_lines: set[int]) -> list[Candidate]:
    result: list[Candidate] = []
    in_past = False
    in_box = False
    blank_run = 0
    for number, text in enumerate(lines, start=1):
        if number in table_lines:
            continue
        stripped = text.strip()
        if not stripped:
            blank_run += 1
            if blank_run >= 2:
                in_box = False
            continue
        blank_run = 0
        if stripped.startswith("专栏"):
            in_box = True
            continue
        if _is_heading(stripped):
            in_past = bool(PAST_HEADING.search(stripped))
            in_box = False
            continue
        hits: list[NameHit] = []
        if in_box:
            head = header_name(text)
            if head:
                name, start = head
                name = _box_name(name)
                if name:
                    hits.append(NameHit(name, name, text.find(name), text, header=True))
        for hit in names_in_line(text):
            if any(hit.name == other.name for other in hits):
                continue
            hits.append(hit)
        result.extend(_from_hits(hits, number, text, in_past))
    return result


def _box_name(head: str) -> str | None:
    name = clean_name(head)
    if not name:
        return None
    if ends_like_a_name(name) or name.endswith(("机制", "体系", "建设", "创建")):
        return name
    return None


def _from_hits(hits: list[NameHit], number: int, text: str, in_past: bool) -> list[Candidate]:
    result = []
    by_sentence: dict[str, list[NameHit]] = {}
    for hit in hits:
        by_sentence.setdefault(hit.sentence, []).append(hit)
    for sentence, sentence_hits in by_sentence.items():
        if in_past and (BUILT_WORDS.search(sentence) or not ONGOING_WORDS.search(sentence)):
            continue  # the plan reports what was done before it
        if not in_past and BUILT_WORDS.search(sentence) and not ONGOING_WORDS.search(sentence):
            continue
        for hit in sentence_hits:
            if not hit.header and (is_generic(hit.name) or not is_project_context(hit)):
                continue
            candidate = Candidate(hit.name)
            candidate.add_source(number, hit.quote, ["name"])
            before = text[max(0, hit.start - 8): hit.start]
            term = _nature_term(hit.name) or _nature_term(before[-6:] if before else "")
            if term:
                candidate.build_nature_term = term
            status = _status(sentence) if len(sentence_hits) == 1 else None
            if status and status != "construction" and not in_past:
                status = None  # "建成投用" in a plan's future tense is a target, not a status
            if status:
                candidate.status = status
                candidate.add_source(number, sentence.strip(), ["status"])
            if len(sentence_hits) == 1:
                _figures_from_text(candidate, number, text, sentence)
            result.append(candidate)
    return result


def _figures_from_text(candidate: Candidate, number: int, text: str, sentence: str) -> None:
    """The figures printed in the name's sentence and the sentences after it on the same line,
    until another sentence names a project."""
    start = text.find(sentence)
    following = [sentence]
    rest = text[start + len(sentence):]
    for more in re.split(r"(?<=[。；])", rest):
        if not more.strip() or names_in_line(more):
            break
        following.append(more)
    for piece in following:
        for figure in figures_in(piece):
            candidate.add_figure(figure, number, _quote_around(piece, figure))


def _quote_around(sentence: str, figure: Figure) -> str:
    """The clause holding the figure, verbatim: short enough to read, long enough to show the words."""
    clauses = re.split(r"(?<=[，。；,;：:])", sentence)
    position = 0
    for clause in clauses:
        if position <= figure.start < position + len(clause):
            return clause.strip().rstrip("，。；,;：:")
        position += len(clause)
    return sentence.strip()


def _is_heading(text: str) -> bool:
    if len(text) > 30 or re.search(r"[。；，,]", text):
        return False
    return bool(HEADING.match(text)) or len(text) <= 20


def _is_past(title: str) -> bool:
    return bool(re.search(r"十三五|完成情况", title))


# Terms, status, regions, matching --------------------------------------------------------------

def _nature_term(text: str) -> str | None:
    for term, _ in BUILD_NATURE_TERMS:
        if term in text:
            return term
    return None


def nature_code(term: str | None) -> str | None:
    if not term:
        return None
    for printed, code in BUILD_NATURE_TERMS:
        if printed == term or printed in term:
            return code.value if code else None
    return None


def _status(text: str) -> str | None:
    for pattern, status in STATUS_WORDS:
        if pattern.search(text):
            return status
    return None


def _region(region) -> RegionRef:
    if isinstance(region, RegionRef):
        return region
    code, name, *rest = region
    former = tuple(rest[0]) if rest and rest[0] else ()
    return RegionRef(str(code), name, former)


def _known(project) -> KnownProject:
    if isinstance(project, KnownProject):
        return project
    project_id, name, *rest = project
    aliases = tuple(rest[0]) if rest and rest[0] else ()
    return KnownProject(int(project_id), name, aliases)


def short_forms(name: str) -> list[str]:
    """龙南市 → [龙南市, 龙南]; 海门区 → [海门区, 海门]; 江西省 → [江西省, 江西]."""
    forms = [name]
    stripped = re.sub(r"(?:自治县|自治州|特别行政区|新区|地区|省|市|县|区|旗|盟)$", "", name)
    if stripped != name and len(stripped) >= 2:
        forms.append(stripped)
    return forms


def region_of(text: str, regions: Sequence[RegionRef]) -> str | None:
    """The region a name or place cell names; the most specific (longest printed) wins."""
    best: tuple[int, int, str] | None = None
    for region in regions:
        for name in (region.name, *region.former_names):
            for form in short_forms(name):
                position = text.find(form)
                if position < 0:
                    continue
                # A county's code over its city's: "赣州市龙南市" is 龙南市.
                rank = (len(form) if form == name else len(form) - 1, position)
                if best is None or rank[0] > best[0] or (rank[0] == best[0] and position > best[1]):
                    best = (rank[0], position, region.code)
    return best[2] if best else None


def match_key(name: str, regions: Sequence[RegionRef] = ()) -> str:
    """A name stripped of what differs between two printings of the same project."""
    key = re.sub(r"[（(][^）)]*[）)]", "", name)
    key = re.sub(r"[“”\"'《》\s·、]", "", key)
    changed = True
    while changed:
        changed = False
        for region in regions:
            for full in (region.name, *region.former_names):
                for form in short_forms(full):
                    if key.startswith(form) and len(key) > len(form) + 1:
                        key = key[len(form):]
                        changed = True
        for prefix in ("省级", "市级", "区级", "县级", "市本级", "市", "区", "县"):
            if key.startswith(prefix) and len(key) > len(prefix) + 2:
                key = key[len(prefix):]
                changed = True
                break
    for suffix in ("建设项目", "建设工程", "工程项目", "项目", "工程", "建设"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            key = key[: -len(suffix)]
            break
    return key


def existing_match(name: str, known: Sequence[KnownProject], regions: Sequence[RegionRef]) -> int | None:
    key = match_key(name, regions)
    for project in known:
        if any(match_key(other, regions) == key for other in (project.name, *project.aliases)):
            return project.id
    return None


def _merge(candidates: list[Candidate], regions: Sequence[RegionRef] = ()) -> list[Candidate]:
    """One candidate per project: the same name printed again adds its lines and any new figures."""
    merged: dict[str, Candidate] = {}
    for candidate in candidates:
        # The same facility printed twice, in one region: "龙南第五人民医院" and "龙南市第五人民医院",
        # but not 阳春市中医院 and 阳西县中医院.
        key = f"{region_of(candidate.name, regions) or ''}:{match_key(candidate.name, regions)}"
        first = merged.get(key)
        if first is None:
            merged[key] = candidate
            continue
        if len(candidate.name) > len(first.name) and first.sources and candidate.sources and \
                _from_table(candidate) and not _from_table(first):
            first.name = candidate.name
        for source in candidate.sources:
            first.add_source(source["line"], source["quote"], source["fields"], source.get("units"))
        for field_name, figure in candidate.figures.items():
            first.figures.setdefault(field_name, figure)
        first.build_nature_term = first.build_nature_term or candidate.build_nature_term
        first.status = first.status or candidate.status
        first.location = first.location or candidate.location
        first.scope = first.scope or candidate.scope
    return list(merged.values())


def _from_table(candidate: Candidate) -> bool:
    return candidate.location is not None or candidate.scope is not None


def _as_dict(candidate: Candidate, regions: Sequence[RegionRef], known: Sequence[KnownProject]) -> dict:
    figures = candidate.figures

    def decimal(field_name: str) -> str | None:
        figure = figures.get(field_name)
        return plain(Decimal(figure.value)) if figure is not None else None

    def whole(field_name: str) -> int | None:
        figure = figures.get(field_name)
        return int(figure.value) if figure is not None else None

    region_code = region_of(candidate.name, regions)
    if region_code is None and candidate.location:
        region_code = region_of(candidate.location, regions)
    return {
        "name": candidate.name,
        "build_nature": nature_code(candidate.build_nature_term),
        "build_nature_term": candidate.build_nature_term,
        "region_code": region_code,
        "location": candidate.location,
        "scope": candidate.scope,
        "total_investment_wan_yuan": decimal("total_investment_wan_yuan"),
        "floor_area_m2": decimal("floor_area_m2"),
        "land_area_mu": decimal("land_area_mu"),
        "beds": whole("beds"),
        "new_beds": whole("new_beds"),
        "start_year": whole("start_year"),
        "end_year": whole("end_year"),
        "status": candidate.status,
        "existing_project_id": existing_match(candidate.name, known, regions),
        "sources": candidate.sources,
    }


# Provenance -----------------------------------------------------------------------------------

NUMBER_FIELDS = ("total_investment_wan_yuan", "floor_area_m2", "land_area_mu", "beds", "new_beds",
                 "start_year", "end_year")


def provenance_problems(candidate: dict, lines: Sequence[str]) -> list[str]:
    """What breaks the seed's rule: a quote not on its line, a figure not printed in its quotes.

    A figure converted from 亿元 or 万平方米 is checked as printed: the source names the unit
    (``units``), and the number divided back must stand in the quote.
    """
    problems = []
    for source in candidate["sources"]:
        line, quote = source["line"], source["quote"]
        if not 1 <= line <= len(lines) or quote not in lines[line - 1]:
            problems.append(f"quote {quote!r} is not on line {line}")
    for field_name in NUMBER_FIELDS:
        value = candidate.get(field_name)
        if value is None:
            continue
        supporting = [source for source in candidate["sources"] if field_name in source["fields"]]
        if not supporting:
            problems.append(f"{field_name} {value} has no source")
            continue
        printed_ok = False
        for source in supporting:
            unit = (source.get("units") or {}).get(field_name)
            printed = Decimal(str(value)) / UNIT_FACTORS[unit] if unit else value
            if appears_in(plain(Decimal(str(printed))), [source["quote"]]):
                printed_ok = True
        if not printed_ok:
            problems.append(f"{field_name} {value} is not printed in its quotes")
    return problems
