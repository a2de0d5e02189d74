"""A candidate project as it is gathered (names, quotes, figures) and as it is offered: a dict with
the field names of ``tracker export --format json``, every figure resting on a quote of its line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.values import HALF_WIDTH_DIGITS
from ..projects.fields import PROJECT_FIELDS
from ..seeding.provenance import appears_in
from ..vocabulary import BuildNature
from .figures import CLAUSE_END, UNIT_FACTORS, Figure, plain
from .matching import KnownProjects, RegionIndex, match_key

# The printed words of building, and the BuildNature code each means (longest first).
BUILD_NATURE_TERMS: tuple[tuple[str, BuildNature | None], ...] = (
    ("新建或改扩建", None), ("易地新建", BuildNature.RELOCATION), ("异地新建", BuildNature.RELOCATION),
    ("整体搬迁", BuildNature.RELOCATION), ("迁建", BuildNature.RELOCATION),
    ("改扩建", BuildNature.RENOVATION_EXPANSION), ("改造扩建", BuildNature.RENOVATION_EXPANSION),
    ("升级改造", BuildNature.RENOVATION), ("改建", BuildNature.RENOVATION), ("改造", BuildNature.RENOVATION),
    ("扩建", BuildNature.EXPANSION), ("新建", BuildNature.NEW),
    # Printed, kept as the term, but no code says what they are: a phase or a new campus may be
    # new building or extension (the seed records them the same way).
    ("一期", None), ("二期", None), ("三期", None), ("新院", None), ("提档升级", None),
)
# The figures a plan may give as approximations, and the project's flag that says so (by seed name).
APPROXIMATE = {field.seed_name: field.approx for field in PROJECT_FIELDS if field.approx and field.seed_name}
# What a plan says of a facility that already stands: not a project of the plan.
BUILT_WORDS = re.compile(r"已建成|已建|已经建成|已投入使用|已投用|已竣工|已完成建设|建成投用|建成投入使用|已完工")
ONGOING_WORDS = re.compile(r"启动|开工|在建|正在|推进|加快|续建|筹建")
STATUS_WORDS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"建成投用|建成投入使用|已投入使用|已投用"), "in_use"),
    (re.compile(r"已建成|已建|已竣工|已完工"), "completed"),
    (re.compile(r"在建|续建|已开工"), "construction"),
)


@dataclass
class Candidate:
    name: str
    sources: list[dict] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    build_nature_term: str | None = None
    status: str | None = None
    location: str | None = None
    scope: str | None = None
    other_names: list[str] = field(default_factory=list)  # the same project printed otherwise

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


def nature_term(text: str) -> str | None:
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


def status_of(text: str) -> str | None:
    for pattern, status in STATUS_WORDS:
        if pattern.search(text):
            return status
    return None


def candidate_region(candidate: Candidate, regions: RegionIndex) -> str | None:
    """The region the text gives: a region named in the name, else in the 建设地点 cell; a name that
    starts with 市/区/县 ("市人民医院") is of the plan's own region."""
    code = regions.region_of(candidate.name)
    if code is None and candidate.location:
        code = regions.region_of(candidate.location)
    if code is None and regions.plan_region and re.match(r"^(?:市|区|县|本级)", candidate.name):
        code = regions.plan_region
    return code


def merge(candidates: list[Candidate], regions: RegionIndex) -> list[Candidate]:
    """One candidate per project: the same name printed again adds its lines and any new figures."""
    merged: dict[str, Candidate] = {}
    for candidate in candidates:
        # The same facility printed twice, in one region: "龙南第五人民医院" and "龙南市第五人民医院",
        # but not 阳春市中医院 and 阳西县中医院.
        # A name that names no region is of the plan's own ("乡镇卫生院提质改造工程" in 龙南's text
        # is the table's "龙南市乡镇卫生院提质改造工程"), as accepting it would place it.
        region = candidate_region(candidate, regions) or regions.plan_region or ""
        key = f"{region}:{match_key(candidate.name, regions)}"
        first = merged.get(key) or _same_work(merged, key, candidate.build_nature_term)
        if first is None:
            merged[key] = candidate
            continue
        # The name of a project table's row, else the fullest printing, is the candidate's name.
        if candidate.name != first.name:
            if not _from_table(first) and (_from_table(candidate) or len(candidate.name) > len(first.name)):
                first.other_names.append(first.name)
                first.name = candidate.name
            elif candidate.name not in first.other_names:
                first.other_names.append(candidate.name)
        for source in candidate.sources:
            first.add_source(source["line"], source["quote"], source["fields"], source.get("units"))
        for field_name, figure in candidate.figures.items():
            if field_name not in first.figures:
                first.figures[field_name] = figure
        first.build_nature_term = first.build_nature_term or candidate.build_nature_term
        first.status = first.status or candidate.status
        first.location = first.location or candidate.location
        first.scope = first.scope or candidate.scope
    for candidate in merged.values():
        candidate.other_names = [name for name in dict.fromkeys(candidate.other_names) if name != candidate.name]
    return list(merged.values())


def _same_work(merged: dict[str, Candidate], key: str, term: str | None) -> Candidate | None:
    """The candidate already found for the same work named the other way: "迁建定南县疾病预防控制中心"
    in a sentence (the institution, with 迁建 as its verb) and the table's "定南县疾病预防控制中心迁建
    项目" (its build nature in its name) are one project, counted twice if accepted as two. Only
    when both say the same 建设性质: the institution named alone is no relocation of it."""
    if not term:
        return None
    if key.endswith(term):
        other = merged.get(key[:-len(term)])
        return other if other is not None and other.build_nature_term == term else None
    return merged.get(key + term)


def _from_table(candidate: Candidate) -> bool:
    return candidate.location is not None or candidate.scope is not None


def as_dict(candidate: Candidate, regions: RegionIndex, known: KnownProjects) -> dict:
    figures = candidate.figures

    def decimal(field_name: str) -> str | None:
        figure = figures.get(field_name)
        return plain(Decimal(figure.value)) if figure is not None else None

    def whole(field_name: str) -> int | None:
        figure = figures.get(field_name)
        return int(figure.value) if figure is not None else None

    region_code = candidate_region(candidate, regions)
    return {
        "name": candidate.name,
        "aliases": candidate.other_names,
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
        # A figure the plan gives as an approximation ("约1200万元") is kept as one (约 on its page).
        **{flag: True for figure_field, flag in APPROXIMATE.items()
           if figure_field in figures and figures[figure_field].approx},
        "status": candidate.status,
        "existing_project_id": known.match(candidate.name, region_code or regions.plan_region),
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


# The units a person's figure may be printed in on its line, beside the tracker's own: 万元 as 亿元,
# m² as 万平方米 (the words a clause must hold for the divided number to be that figure).
PRINTED_UNITS = {"total_investment_wan_yuan": (("亿元", ("亿",)),),
                 "floor_area_m2": (("万平方米", ("万平方米", "万㎡", "万m²")),)}


def cite_typed(data: dict, typed: Iterable[str], lines: Sequence[str]) -> dict:
    """The candidate with a source for each figure a person typed at review that its quotes do not
    print but one of its lines does: the clause that prints it ("总投资1850万元" on the line of a
    project whose quotes were its name; "1.2亿元" of "总投资1—1.2亿元" for 12000). A figure
    printed nowhere on its lines stays uncited, and ``provenance_problems`` refuses it."""
    result = dict(data)
    sources = [dict(source) for source in data.get("sources") or []]
    numbers = sorted({source["line"] for source in sources if isinstance(source.get("line"), int)
                      and 1 <= source["line"] <= len(lines)})
    for field_name in typed:
        value = result.get(field_name)
        if field_name not in NUMBER_FIELDS or value is None:
            continue
        if not provenance_problems({"sources": sources, field_name: value}, lines):
            continue
        found = _printed_clause(Decimal(str(value)), field_name, numbers, lines)
        if found is not None:
            line, clause, unit, printed = found
            sources.append({"line": line, "quote": clause, "fields": [field_name],
                            **({"units": {field_name: unit}} if unit else {})})
            # One end of a range ("总投资1—1.2亿元"), or a figure printed with 约, is an approximation.
            around = rf"(?:[-—–~～至到]\s*{re.escape(printed)}(?![0-9.])|(?<![0-9.]){re.escape(printed)}\s*"
            around += r"(?:亿元|万元|亿|万|万平方米|平方米)?\s*[-—–~～至到]\s*[0-9])"
            if field_name in APPROXIMATE and ("约" in clause or "左右" in clause
                                              or re.search(around, clause.translate(HALF_WIDTH_DIGITS))):
                result[APPROXIMATE[field_name]] = True
    result["sources"] = sources
    return result


def _printed_clause(value: Decimal, field_name: str, numbers: list[int], lines: Sequence[str]):
    for line in numbers:
        for clause in re.split(CLAUSE_END, lines[line - 1]):
            clause = clause.strip().rstrip("，。；,;：:")
            if clause and appears_in(plain(value), [clause]):
                return line, clause, None, plain(value)
            for unit, words in PRINTED_UNITS.get(field_name, ()):
                if clause and any(word in clause for word in words) \
                        and appears_in(plain(value / UNIT_FACTORS[unit]), [clause]):
                    return line, clause, unit, plain(value / UNIT_FACTORS[unit])
    return None
