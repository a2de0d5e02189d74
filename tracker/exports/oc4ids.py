"""The portfolio as an OC4IDS 0.9 project package (schema and codelists in ../shared/oc4ids/).

Mapping choices (the rest follows DOMAIN.md):
- 改扩建 → ``expansion``: a 改扩建 hospital project adds floor area and beds to an existing site;
  the added capacity is its primary focus, the renovation comes with it. The tracker's own code
  stays in ``additionalClassifications``.
- 停缓建 → ``implementation``: the closed projectStatus codelist has no "suspended"; the project
  has started and is not complete, which is the implementation phase. That it is halted is kept in
  ``additionalClassifications`` (scheme ``tracker-status``). A status nobody stated is omitted.
- ``publicAuthority`` is the issuer of the first plan that names one (as the lead asked); the
  建设单位 is the ``procuringEntity`` (in Chinese practice the 招标人); the 主管部门 gets the open
  role ``supervisingDepartment``; every 资金来源 is a ``funder`` (and ``sourceParty`` of its
  budget line, as the budget-breakdown definition requires).
- Amounts are 万元 × 10,000 in CNY, computed on Decimal: whole yuan, written as JSON integers.
  Areas and percentages are written as exact decimal numbers, never through a float.
- Dates become midnight in Beijing time (``+08:00``), the format the schema asks for.
- Every value the tracker does not know is omitted, never written as 0 or null.
- The ``budget`` is the current approved estimate (现行概算) where a 概算调整 changed it, approved
  on the last revision's date, its description naming the 总投资 first approved; each revision
  is a ``documents`` entry of type ``budgetAmendmentApproval`` (its 文号, date, amounts and
  reason). OC4IDS 0.9 has no project-level ``modifications``: none is invented.
- An approximate (约) figure says so: an observation in its ``notes``, the budget in its
  ``description`` (the budget has no notes).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterator, Sequence

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..core import clock
from ..core.translation import gettext as _  # the request's translations, looked up once
from flask_babel import ngettext
from ..core.clock import utcnow
from ..extensions import db
from ..exports.records import iter_batches
from ..portfolio.filters import PortfolioFilter
from ..formatting import plain_number
from ..progress.models import BudgetRevision, FundingLine, MonthlyReport
from ..projects.models import Project
from ..projects.terms import owes
from ..regions.models import Region
from ..vocabulary import BuildNature, Stage, Status
from .columns import decimal_text

VERSION = "0.9"
CURRENCY = "CNY"
WAN = Decimal(10000)
GAZETTEER = "GB/T 2260"
CODE_SCHEME = "GB/T 40058-2021"  # 投资项目统一代码

PROJECT_TYPE = {
    BuildNature.NEW: "construction",
    BuildNature.EXPANSION: "expansion",
    BuildNature.RENOVATION: "rehabilitation",
    BuildNature.RENOVATION_EXPANSION: "expansion",
    BuildNature.RELOCATION: "replacement",
}
PROJECT_STATUS = {
    Status.RESERVE: "identification",
    Status.PREPARATION: "preparation",
    Status.CONSTRUCTION: "implementation",
    Status.COMPLETED: "completion",
    Status.IN_USE: "maintenance",
    Status.SUSPENDED: "implementation",
    Status.CANCELLED: "cancelled",
}
MILESTONE_TYPE = {
    Stage.PLANNING: "preProcurement",
    Stage.PROPOSAL: "approval",
    Stage.FEASIBILITY: "approval",
    Stage.PRELIMINARY_DESIGN: "approval",
    Stage.DRAWING_REVIEW: "approval",
    Stage.TENDERING: "procurement",
    Stage.START: "delivery",
    Stage.TOPPING_OUT: "delivery",
    Stage.ACCEPTANCE: "delivery",
    Stage.IN_USE: "delivery",
}
# Projects per query: each brings its milestones and up to a few dozen monthly reports.
BATCH = 200
PERCENT_UNIT = {"name": "percent", "scheme": "UNCEFACT", "id": "P1"}
SQUARE_METRE = {"name": "m²", "scheme": "UNCEFACT", "id": "MTK"}

OPTIONS = (selectinload(Project.plans), selectinload(Project.milestones),
           selectinload(Project.region).selectinload(Region.parent).selectinload(Region.parent))


def dumps(value) -> str:
    """JSON with Decimals written as exact numbers (``json`` would need a float for them), by
    orjson: each Decimal is handed over as its digits (``decimal_text``, never an exponent). A
    writer in Python, a call a value, took half of a national package's time."""
    return orjson.dumps(value, default=_exact).decode()


def _exact(value) -> orjson.Fragment:
    if isinstance(value, Decimal):
        return orjson.Fragment(decimal_text(value))
    raise TypeError(f"not JSON: {type(value).__name__}")


def date_time(day: dt.date | None, end_of_day: bool = False) -> str | None:
    if day is None:
        return None
    return f"{day.isoformat()}T{'23:59:59' if end_of_day else '00:00:00'}+08:00"


def yuan(wan_yuan: Decimal) -> int | Decimal:
    amount = wan_yuan * WAN
    return int(amount) if amount == amount.to_integral_value() else amount.normalize()


def money(wan_yuan: Decimal) -> dict:
    return {"amount": yuan(wan_yuan), "currency": CURRENCY}


def _number(value: Decimal | int) -> Decimal | int:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _compact(mapping: dict) -> dict:
    """Leave out what is unknown: None, empty lists and empty objects."""
    return {key: value for key, value in mapping.items() if value not in (None, [], {}, "")}


@functools.lru_cache(maxsize=1024)
def _month_period(month: dt.date) -> dict:
    """A month as an OC4IDS period: made once per month of a package (every project's reports name
    the same few dozen months); the records share it, and nothing changes it."""
    last = calendar.monthrange(month.year, month.month)[1]
    return {"startDate": date_time(month.replace(day=1)),
            "endDate": date_time(month.replace(day=last), end_of_day=True)}


def _milestone(milestone, today: dt.date, reviewed: str) -> dict:
    project_status = milestone.project.status
    if milestone.actual_date is not None:
        status, modified = "met", None
    elif project_status is Status.CANCELLED:  # never to be met
        status, modified = "notMet", reviewed
    elif not owes(project_status, milestone.stage):  # passed, as the status says, date unknown
        status, modified = "met", None
    elif milestone.planned_date is not None:
        status, modified = (("notMet", reviewed) if milestone.is_overdue(today)
                            else ("scheduled", None))
    else:
        status, modified = None, None
    return _compact({
        "id": str(milestone.id),
        "title": milestone.name or None,
        "type": MILESTONE_TYPE.get(milestone.stage) if milestone.stage else None,
        "code": milestone.stage.value if milestone.stage else None,
        "description": milestone.note,
        "dueDate": date_time(milestone.planned_date),
        "dateMet": date_time(milestone.actual_date),
        "status": status,
        "dateModified": modified,
    })


def _location(region: Region, location: str | None) -> dict:
    chain = []
    walker: Region | None = region
    while walker is not None:
        chain.append(walker)
        walker = walker.parent
    chain.reverse()
    description = region.full_name + (f"：{location}" if location and location != region.name else "")
    return _compact({
        "id": "1",
        "description": description,
        "gazetteer": {"scheme": GAZETTEER, "identifiers": [region.code]} if region.code else None,
        "address": _compact({"region": chain[0].name,
                             "locality": "".join(r.name for r in chain[1:]) or None,
                             "countryName": "中国"}),
    })


def _metrics(project: Project, reports: list[MonthlyReport], include_money: bool) -> list[dict]:
    metrics = []
    physical = []
    financial = []
    invested_note = _("自开工累计完成投资")
    for report in reports:
        key = report.month.strftime("%Y-%m")
        measure = report.physical_percent if report.physical_percent is not None else report.progress_text
        if measure is not None and measure != "":
            physical.append(_compact({
                "id": f"physicalProgress-{key}", "period": _month_period(report.month),
                "measure": _number(measure) if isinstance(measure, Decimal) else measure,
                "unit": PERCENT_UNIT if isinstance(measure, Decimal) else None,
                "notes": report.progress_text if isinstance(measure, Decimal) else None,
            }))
        if include_money and report.invested_total is not None:
            financial.append({"id": f"financialProgress-{key}", "period": _month_period(report.month),
                              "value": money(report.invested_total),
                              "notes": invested_note})
    if physical:
        metrics.append({"id": "physicalProgress", "title": _("工程进度"), "observations": physical})
    if financial:
        metrics.append({"id": "financialProgress", "title": _("累计完成投资"),
                        "observations": financial})

    def scale(metric_id: str, title: str, value, unit: dict, approx: bool = False) -> None:
        if value is None:
            return
        metrics.append({"id": metric_id, "title": title, "observations": [_compact({
            "id": metric_id, "measure": _number(value), "unit": unit,
            "notes": _("约数") if approx else None})]})

    scale("floorArea", project.floor_area_term or _("总建筑面积"), project.floor_area_m2,
          SQUARE_METRE, project.floor_area_approx)
    scale("landArea", _("占地面积"), project.land_area_mu, {"name": "亩"}, project.land_area_approx)
    scale("beds", _("床位"), project.beds, {"name": _("张")})
    scale("newBeds", _("新增床位"), project.new_beds, {"name": _("张")})
    return metrics


def _wan(value: Decimal, approx: bool = False) -> str:
    """An amount in 万元 as a sentence writes it: "约7,515 万元"."""
    return _("%(amount)s 万元") % {"amount": (_("约") if approx else "") + plain_number(value)}


def _budget_amount(project: Project, revisions: Sequence[BudgetRevision],
                   include_money: bool) -> tuple[Decimal | None, str | None]:
    """The budget's amount and description: the 现行概算 where the estimate was revised (or set
    apart from the 总投资), its description naming the 总投资 first approved; else the 总投资,
    a 约 one saying so, as an approximate floor area's observation does ("notes": "约数")."""
    if not include_money:
        return None, None
    total, estimate = project.total_investment, project.current_estimate
    if estimate is None or (not revisions and estimate == total):
        approx = total is not None and project.total_investment_approx
        return total, _("总投资为约数") if approx else None
    revised = (ngettext("现行概算，经 %(count)s 次概算调整", "现行概算，经 %(count)s 次概算调整",
                        len(revisions), count=len(revisions))
               if revisions else _("现行概算"))
    if total is None:
        return estimate, revised
    return estimate, _("%(estimate)s；原批复总投资 %(total)s") % {
        "estimate": revised, "total": _wan(total, project.total_investment_approx)}


def _revision_documents(revisions: Sequence[BudgetRevision], include_money: bool) -> list[dict]:
    """Each 概算调整 as the document approving it: OC4IDS 0.9 has no project-level
    modifications, and its documentType codelist names budgetAmendmentApproval for this. The
    amounts only where money is shown; the 文号, date and reason always (as on the project page)."""
    documents = []
    for revision in revisions:
        if not include_money:
            change = _("概算调整")
        elif revision.previous_amount is None:
            change = _("概算调整为 %(new)s") % {"new": _wan(revision.new_amount)}
        else:
            change = _("概算由 %(old)s 调整为 %(new)s") % {"old": _wan(revision.previous_amount),
                                                        "new": _wan(revision.new_amount)}
        documents.append({
            "id": f"budgetRevision-{revision.id}",
            "documentType": "budgetAmendmentApproval",
            "title": _("概算调整批复（%(number)s）") % {"number": revision.approval_number},
            "description": _("%(change)s。原因：%(reason)s") % {"change": change, "reason": revision.reason},
            "datePublished": date_time(revision.approval_date),
        })
    return documents


def project_to_oc4ids(project: Project, reports: list[MonthlyReport], funding: list[FundingLine], *,
                      prefix: str, today: dt.date, reviewed: str, include_money: bool = True,
                      revisions: Sequence[BudgetRevision] = ()) -> dict:
    """``revisions``: the project's 概算调整, in the order they were approved."""
    parties: list[dict] = []
    issuer = next((plan.issuer for plan in project.plans if plan.issuer), None)
    authority = None
    if issuer:
        authority = {"id": "publicAuthority-1", "name": issuer}
        parties.append({**authority, "roles": ["publicAuthority"]})
    if project.owner_unit:
        parties.append({"id": "owner-1", "name": project.owner_unit, "roles": ["procuringEntity"]})
    if project.supervising_department:
        parties.append({"id": "supervisor-1", "name": project.supervising_department,
                        "roles": ["supervisingDepartment"]})
    breakdown = []
    funders: dict[str, dict] = {}
    for line in funding:
        party_id = f"funder-{line.source.value}"
        if party_id not in funders:
            funders[party_id] = {"id": party_id, "name": line.source.label,
                                 "roles": ["funder", "sourceParty"]}
        breakdown.append(_compact({
            "id": str(line.id), "description": line.note or line.source.label,
            "amount": money(line.amount) if include_money and line.amount is not None else None,
            "sourceParty": {"id": party_id, "name": line.source.label},
        }))
    parties.extend(funders.values())

    approval = next((m.actual_date for m in project.milestones
                     if m.stage is Stage.PRELIMINARY_DESIGN and m.actual_date), None)
    if revisions:  # the budget is the 现行概算, approved by the last revision
        approval = revisions[-1].approval_date
    stated, description = _budget_amount(project, revisions, include_money)
    budget = _compact({
        "description": description,
        "amount": money(stated) if stated is not None else None,
        "approvalDate": date_time(approval),
        "budgetBreakdowns": [{"id": "fundingSources", "description": _("资金来源"),
                              "budgetBreakdown": breakdown}] if breakdown else None,
    })
    if set(budget) == {"approvalDate"}:
        budget = {}  # an approval date alone, with no amount and no sources, says nothing useful

    classifications = [{"scheme": "tracker-kind", "id": project.kind.value,
                        "description": project.kind.label},
                       {"scheme": "tracker-category", "id": project.category.value,
                        "description": project.category.label}]
    if project.build_nature is not None:
        classifications.append({"scheme": "tracker-buildNature", "id": project.build_nature.value,
                                "description": project.build_nature_term or project.build_nature.label})
    if project.status is not None:
        classifications.append({"scheme": "tracker-status", "id": project.status.value,
                                "description": project.status.label})

    completion = None
    if project.is_done:
        accepted = next((m.actual_date for m in project.milestones
                         if m.stage is Stage.ACCEPTANCE and m.actual_date), None)
        completion = _compact({"endDate": date_time(accepted)})

    identifiers = [{"id": str(project.id), "scheme": "tracker"}]
    if project.project_code:
        identifiers.insert(0, {"id": project.project_code, "scheme": CODE_SCHEME})
    return _compact({
        "id": f"{prefix}{project.id}",
        "updated": project.updated_at.isoformat() if project.updated_at else None,
        "language": "zh",
        "identifiers": identifiers,
        "title": project.name,
        "description": project.scope,
        "status": PROJECT_STATUS.get(project.status) if project.status else None,
        "type": PROJECT_TYPE.get(project.build_nature) if project.build_nature else None,
        "sector": ["health"],
        "additionalClassifications": classifications,
        "publicAuthority": authority,
        "period": _compact({"startDate": date_time(project.planned_start),
                            "endDate": date_time(project.planned_end)}),
        "budget": budget,
        "locations": [_location(project.region, project.location)],
        "parties": parties,
        "milestones": [_milestone(m, today, reviewed) for m in project.milestones],
        "metrics": _metrics(project, reports, include_money),
        "documents": _revision_documents(revisions, include_money),
        "completion": completion,
    })


def _by_project(model, project_ids: list[int], order) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    row: Any  # a row of ``model``: a milestone, report or funding line
    for row in db.session.scalars(sa.select(model).where(model.project_id.in_(project_ids))
                                  .order_by(model.project_id, *order)):
        grouped[row.project_id].append(row)
    return grouped


def package_chunks(portfolio_filter: PortfolioFilter, *, uri: str | None = None,
                   publisher: str | None = None, prefix: str = "oc4ids-tracker-",
                   include_money: bool = True, today: dt.date | None = None,
                   published: dt.datetime | None = None) -> Iterator[str]:
    """The package as text chunks: the head, then one project per line, then the close.

    Projects are loaded a batch at a time with their reports and funding lines, so a national
    portfolio streams in flat memory.
    """
    today = today or clock.today()
    published_at = (published or utcnow()).isoformat()
    head = {"version": VERSION, "uri": uri or f"urn:uuid:{uuid.uuid4()}",
            "publishedDate": published_at,
            "publisher": {"name": publisher or _("卫生健康建设项目台账")}}
    yield dumps(head)[:-1] + ',"projects":[\n'
    first = True
    for projects in iter_batches(portfolio_filter, options=OPTIONS, today=today, batch=BATCH):
        ids = [project.id for project in projects]
        reports = _by_project(MonthlyReport, ids, [MonthlyReport.month])
        funding = _by_project(FundingLine, ids, [FundingLine.id])
        revisions = _by_project(BudgetRevision, ids, [BudgetRevision.id])
        for project in projects:
            record = project_to_oc4ids(project, reports.pop(project.id, []),
                                       funding.pop(project.id, []), prefix=prefix, today=today,
                                       reviewed=published_at, include_money=include_money,
                                       revisions=revisions.pop(project.id, []))
            yield ("" if first else ",\n") + dumps(record)
            first = False
        projects.clear()  # nothing of this batch stays while the next one loads
    yield "\n]}\n"


def write_package(out, portfolio_filter: PortfolioFilter, **kwargs) -> int:
    count = -2
    for chunk in package_chunks(portfolio_filter, **kwargs):
        out.write(chunk)
        count += 1
    return count
