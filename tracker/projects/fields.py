"""The field registry: each attribute of a project and of a monthly report, stated once.

A :class:`Field` says what a person needs to read, enter and exchange the value: its label (the
Chinese msgid, with the unit where the unit belongs in it), its kind, decimals, whether it is money
(hidden from viewers when the admin so sets), its bounds, which paths may change it and the names
it goes by in the seed files, the spreadsheets and the JSON export.

Every copy that used to restate these facts reads them here: the project form's labels, the
services' whitelist and bounds (``projects/services.py``), the spreadsheet columns
(``exports/columns.py``, which the importer reads too), the audit trail's labels and formatting
(``audit/display.py``), the seed mapping (``seeding/loader.py``), the JSON export
(``exports/records.py``) and the API's read shapes (``api/schemas.py``). Plain data: no request,
no session; a models-layer module, so every layer above may import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from ..vocabulary import BuildNature, Category, FundingSource, Kind, Status, Vocabulary

# The paths by which a value may be changed (a field with none is derived: other services keep it).
FORM = "form"  # the project form (an officer for his regions, an admin)
IMPORT = "import"  # a spreadsheet import (the same people)
SEED = "seed"  # the seed files (tracker seed)
EVERY_PATH = frozenset({FORM, IMPORT, SEED})

MAX_BEDS = 100_000


@dataclass(frozen=True)
class Field:
    name: str  # the model attribute
    label: Any  # a lazy Chinese msgid, with its unit: the form, the sheet header, the audit trail
    kind: str  # text, decimal, int, bool, date, month, vocab, region
    unit: Any = None  # what a figure is counted in (万元, m², 亩, 张, %), for a page printing it bare
    places: int = 0  # decimals a decimal keeps: no more is accepted, nothing is rounded
    money: bool = False  # hidden from a viewer when the admin hides money (money_hidden_from)
    vocabulary: type[Vocabulary] | None = None
    max_length: int | None = None
    # The largest value that makes sense (inclusive). Every decimal also stays below
    # core.values.MAX_FIGURE, what its column holds; no number is negative.
    maximum: int | Decimal | None = None
    # What a value outside 0 … maximum is told, on every path (the form, the service, the API),
    # the range rather than a unit: a percent of 1e308 was told money is counted in 万元.
    out_of_range: Any = None
    paths: frozenset[str] = frozenset()
    seed_name: str | None = None  # its key in seed/*.yaml, when the seed states it
    json_name: str | None = None  # its key in the JSON export and the API, when they carry it
    # Sheet headers earlier versions exported under, still read by the importer.
    aliases: tuple[Any, ...] = ()
    approx: str | None = None  # the field saying the figure is approximate (约), if it may be

    @property
    def editable(self) -> bool:
        return bool(self.paths)

    @property
    def numeric(self) -> bool:
        return self.kind in ("decimal", "int")


def _project(name, label, kind, *, seed=True, json=True, paths=EVERY_PATH, **facts) -> Field:
    """A project field; by default changed on every path, named in the seed and JSON as itself
    (``seed=False``: the seed does not state it, so it is not one of the seed's paths)."""
    seed_name = name if seed is True else seed or None
    return Field(name, label, kind, paths=paths if seed_name else paths - {SEED}, seed_name=seed_name,
                 json_name=name if json is True else json or None, **facts)


WAN_YUAN, SQUARE_METRES, MU, BEDS, PERCENT = _l("万元"), "m²", _l("亩"), _l("张"), "%"

PROJECT_FIELDS: tuple[Field, ...] = (
    _project("name", _l("项目名称"), "text", max_length=200),
    _project("project_code", _l("项目代码"), "text", max_length=24, seed=False),
    _project("region_id", _l("地区"), "region", seed=False, json=False),
    _project("kind", _l("项目类型"), "vocab", vocabulary=Kind),
    _project("category", _l("类别"), "vocab", vocabulary=Category),
    _project("build_nature", _l("建设性质"), "vocab", vocabulary=BuildNature),
    # The word the plan printed (易地新建, 二期 …), beside the vocabulary's 建设性质.
    _project("build_nature_term", _l("建设性质（原文用词）"), "text", max_length=50,
             aliases=(_l("建设性质（原文）"), _l("建设性质（原文表述）"))),
    _project("location", _l("建设地点"), "text", max_length=200),
    _project("owner_unit", _l("建设单位"), "text", max_length=200),
    _project("supervising_department", _l("主管部门"), "text", max_length=200, seed=False,
             json=False),
    _project("land_area_mu", _l("占地面积（亩）"), "decimal", unit=MU, places=2, approx="land_area_approx"),
    _project("land_area_approx", _l("占地面积为约数"), "bool"),
    # The plans' (and DOMAIN's) 总建筑面积; a row giving 建设面积 says so in floor_area_term.
    # Also read: the unit in words, and the header of our own csv saved again by Excel as 逗号分隔
    # in the ANSI code page of Chinese Windows (GBK), which has no ² and writes "?" (a QA walk:
    # the column was dropped as unrecognised, and with it the edits made in it).
    _project("floor_area_m2", _l("总建筑面积（m²）"), "decimal", unit=SQUARE_METRES, places=2,
             aliases=(_l("建筑面积（m²）"), "总建筑面积（平方米）", "建筑面积（平方米）", "总建筑面积（m?）"),
             approx="floor_area_approx"),
    _project("floor_area_approx", _l("建筑面积为约数"), "bool"),
    _project("floor_area_term", _l("面积口径"), "text", max_length=50, aliases=(_l("建筑面积口径"),)),
    _project("beds", _l("床位（张）"), "int", unit=BEDS, maximum=MAX_BEDS),
    _project("new_beds", _l("新增床位（张）"), "int", unit=BEDS, maximum=MAX_BEDS),
    _project("total_investment", _l("总投资（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True,
             seed="total_investment_wan_yuan", json="total_investment_wan_yuan", approx="total_investment_approx"),
    # Whether the amount is approximate tells about the amount: hidden with it.
    _project("total_investment_approx", _l("总投资为约数"), "bool", money=True),
    _project("scope", _l("建设规模及内容"), "text", max_length=5000),
    _project("status", _l("状态"), "vocab", vocabulary=Status),
    _project("planned_start", _l("计划开工日期"), "date"),
    _project("planned_end", _l("计划竣工日期"), "date"),
    # Derived: the budget revisions, the monthly reports keep them.
    _project("current_estimate", _l("现行概算（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True,
             paths=frozenset(), seed=False, json=False),
    _project("invested_to_date", _l("累计完成投资（万元）"), "decimal", unit=WAN_YUAN, places=4,
             money=True, paths=frozenset(), seed=False, json=False),
    _project("last_report_month", _l("最近填报月份"), "month", paths=frozenset(), seed=False,
             json=False),
)


def _report(name, label, kind, *, paths=frozenset({FORM, IMPORT}), **facts) -> Field:
    return Field(name, label, kind, paths=paths, json_name=name, **facts)


# A monthly report's own fields (MonthlyReport), as the report form, the import and the API take them.
# Its texts hold 2,000 characters on every path (the import once took 5,000, the form 2,000).
REPORT_FIELDS: tuple[Field, ...] = (
    _report("progress_text", _l("形象进度"), "text", max_length=2000),
    _report("physical_percent", _l("工程进度（%）"), "decimal", unit=PERCENT, places=2,
            maximum=Decimal(100), out_of_range=_l("工程进度应在 0 到 100 之间")),
    _report("invested_month", _l("本月完成投资（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True),
    _report("invested_year", _l("本年累计完成投资（万元）"), "decimal", unit=WAN_YUAN, places=4,
            money=True, paths=frozenset()),
    _report("invested_total", _l("自开工累计完成投资（万元）"), "decimal", unit=WAN_YUAN, places=4,
            money=True),
    _report("funds_received", _l("累计资金到位（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True),
    _report("paid", _l("累计已支付（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True),
    _report("problems", _l("存在问题"), "text", max_length=2000),
    _report("next_steps", _l("下步计划"), "text", max_length=2000),
    _report("over_budget_reason", _l("超概算原因"), "text", max_length=2000),
)



def _record(name, label, kind, *, paths=frozenset({FORM}), **facts) -> Field:
    return Field(name, label, kind, paths=paths, json_name=name, **facts)


# The project's other records, as their forms, the API and the audit trail name them. Each is
# changed on its own page (and through the API, which calls the same services).
BUDGET_FIELDS: tuple[Field, ...] = (  # a 概算调整 (BudgetRevision)
    _record("previous_amount", _l("调整前概算（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True,
            paths=frozenset()),
    _record("new_amount", _l("调整后概算（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True),
    _record("approval_number", _l("批复文号"), "text", max_length=100),
    _record("approval_date", _l("批复日期"), "date"),
)
FUNDING_FIELDS: tuple[Field, ...] = (  # a 资金来源 line (FundingLine)
    _record("source", _l("资金来源"), "vocab", vocabulary=FundingSource),
    _record("amount", _l("金额（万元）"), "decimal", unit=WAN_YUAN, places=4, money=True),
    _record("note", _l("备注"), "text", max_length=200),
)
ANNUAL_PLAN_FIELDS: tuple[Field, ...] = (  # a 年度计划投资 (AnnualPlan)
    _record("year", _l("年度"), "int", maximum=2100),
    _record("planned_investment", _l("年度计划投资（万元）"), "decimal", unit=WAN_YUAN, places=4,
            money=True),
)

PROJECT = {field.name: field for field in PROJECT_FIELDS}
REPORT = {field.name: field for field in REPORT_FIELDS}
BUDGET = {field.name: field for field in BUDGET_FIELDS}
FUNDING = {field.name: field for field in FUNDING_FIELDS}
ANNUAL_PLAN = {field.name: field for field in ANNUAL_PLAN_FIELDS}
# The registry of each kind of audited record other than the project and its reports, by the
# prefix of its audit actions (funding:update …): the audit trail labels its changes from it.
RECORD_FIELDS: dict[str, tuple[Field, ...]] = {
    "budget": BUDGET_FIELDS, "funding": FUNDING_FIELDS, "annual_plan": ANNUAL_PLAN_FIELDS}

# The project attributes a service may change: the whitelist of create_project/update_project.
EDITABLE_FIELDS: tuple[str, ...] = tuple(field.name for field in PROJECT_FIELDS if field.editable)
# The project's fields the JSON export and the API carry, under their json names.
JSON_FIELDS: tuple[Field, ...] = tuple(field for field in PROJECT_FIELDS if field.json_name)
MONEY_FIELDS: frozenset[str] = frozenset(
    field.name for field in PROJECT_FIELDS + REPORT_FIELDS + BUDGET_FIELDS + FUNDING_FIELDS
    + ANNUAL_PLAN_FIELDS if field.money)
