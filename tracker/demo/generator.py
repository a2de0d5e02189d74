"""A realistic, deterministic demo portfolio: provinces, cities and counties, their plans, and N
projects with budgets, funding lines, milestones, annual plans, 36 monthly reports each and audit
entries.

Everything it writes is marked as demo data: region keys and plan keys start with ``demo-``,
region codes use the 9x province range that GB/T 2260 leaves unused, and names end in （演示）, so
generated rows can never be taken for the plans' real projects. The same seed, size and report
month give the same rows.

Rows are generated in Python and written in batches through ``BulkWriter`` (Core executemany on
SQLite, COPY on PostgreSQL): 100,000 projects and their 3.6 million reports load in minutes.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import sqlalchemy as sa

from ..core import clock
from ..audit.models import AuditEntry
from ..plans.models import Plan, PlanIndicator
from ..progress.models import (AnnualPlan, BudgetRevision, FundingLine, Milestone, MonthlyReport,
                               YearInvestment)
from ..portfolio.kept import rebuild as rebuild_kept_figures
from ..progress.upkeep import milestone_dates, year_investment_rows
from ..projects.models import Project, ProjectAlias, project_plans, search_grams
from ..projects.search import copied, gram_rows, searchable
from ..projects.terms import BUILDING_KINDS
from ..regions.models import Region
from ..vocabulary import BuildNature, Category, FundingSource, Kind, Stage, Status
from .bulk import BulkWriter, next_ids, reset_sequences

DEMO_PREFIX = "demo-"
DEMO_SUFFIX = "（演示）"
REPORT_MONTHS = 36
PROVINCES = 8
VIA = "cli"

# Syllables for made-up place names (no real division is meant).
SYLLABLES = ("青云石桥河安平宁清源阳山东西南北江湖丰泰兴华德福永昌明康新长岭溪林川峰宝金龙凤"
             "和顺嘉瑞祥松柏兰桂梅竹沙洲浦湾塘坪岗台城关镇乐寿庆隆盛恒远通达汇")

# (category, kind, weight, facility names, low and high total investment in 万元)
CATALOGUE = [
    (Category.GENERAL_HOSPITAL, Kind.CONSTRUCTION, 20,
     ("人民医院门急诊医技综合楼", "人民医院住院综合楼", "人民医院新院区", "人民医院外科大楼",
      "第二人民医院整体迁建", "人民医院二期"), 8_000, 300_000),
    (Category.TCM_HOSPITAL, Kind.CONSTRUCTION, 12,
     ("中医院异地新建", "中医院康复大楼", "中医院住院楼", "中医院改扩建"), 5_000, 120_000),
    (Category.MATERNAL_CHILD, Kind.CONSTRUCTION, 9,
     ("妇幼保健院迁建", "妇幼保健院门诊综合楼", "妇幼保健院二期"), 3_000, 80_000),
    (Category.CDC, Kind.CONSTRUCTION, 9,
     ("疾病预防控制中心易地新建", "疾病预防控制中心实验楼", "疾病预防控制中心P2实验室"), 1_500, 40_000),
    (Category.INFECTIOUS_DISEASE, Kind.CONSTRUCTION, 6,
     ("传染病医院", "人民医院感染性疾病科楼", "公共卫生临床中心"), 3_000, 60_000),
    (Category.EMERGENCY_120, Kind.CONSTRUCTION, 4, ("120急救指挥中心",), 800, 12_000),
    (Category.SUPPLIES_DEPOT, Kind.CONSTRUCTION, 2, ("医疗物资储备库",), 500, 8_000),
    (Category.LABORATORY, Kind.EQUIPMENT, 6,
     ("公共卫生检验检测中心设备购置", "医学检验实验室设备购置"), 300, 6_000),
    (Category.TOWNSHIP_CLINIC, Kind.CONSTRUCTION, 20,
     ("镇卫生院周转宿舍", "镇卫生院门诊楼", "中心卫生院改扩建", "社区卫生服务中心"), 200, 4_000),
    (Category.ELDERLY_CARE, Kind.CONSTRUCTION, 4, ("医养结合中心",), 2_000, 40_000),
    (Category.MENTAL_HEALTH, Kind.CONSTRUCTION, 3, ("精神病医院住院楼", "精神卫生中心"), 2_000, 30_000),
    (Category.BLOOD_STATION, Kind.CONSTRUCTION, 1, ("中心血站业务楼",), 1_000, 10_000),
    (Category.OTHER, Kind.IT_PLATFORM, 2, ("全民健康信息平台", "互联网医院平台"), 300, 5_000),
    (Category.OTHER, Kind.PROGRAMME, 2, ("基层医疗卫生服务能力提升工程", "县域医共体建设行动"), 1_000, 20_000),
    (Category.GENERAL_HOSPITAL, Kind.ACCREDITATION, 1, ("人民医院创建三级甲等医院",), 500, 5_000),
]
NATURES = [(BuildNature.NEW, ("新建",), 30), (BuildNature.EXPANSION, ("扩建", "二期"), 15),
           (BuildNature.RENOVATION, ("改建",), 10), (BuildNature.RENOVATION_EXPANSION, ("改扩建",), 20),
           (BuildNature.RELOCATION, ("迁建", "易地新建", "异地新建"), 15), (None, (None,), 10)]
PROBLEMS = ("资金未及时到位，专项债券待发行", "用地手续尚未办结", "设计变更待审批", "施工单位人员不足",
            "征地拆迁进度滞后", "雨季影响室外施工")
NEXT_STEPS = ("加快主体结构施工", "推进室内装饰装修", "完成设备招标采购", "办理竣工验收备案",
              "协调落实配套资金")
STAGE_OFFSETS = {  # planned month of each stage relative to the planned start (None: by duration)
    Stage.PLANNING: -30, Stage.PROPOSAL: -24, Stage.FEASIBILITY: -18, Stage.PRELIMINARY_DESIGN: -12,
    Stage.DRAWING_REVIEW: -6, Stage.TENDERING: -3, Stage.START: 0,
    Stage.TOPPING_OUT: None, Stage.ACCEPTANCE: None, Stage.IN_USE: None,
}
NON_BUILDING_STAGES = (Stage.PROPOSAL, Stage.START, Stage.ACCEPTANCE)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_date(index: int, day: int = 1) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, day)


def money(cents: int) -> Decimal:
    """An amount held as an integer of 0.01 万元, as the exact Decimal the columns take."""
    return Decimal(cents).scaleb(-2)


def default_report_month(today: dt.date | None = None) -> dt.date:
    """The latest month a report can be complete for: the month before this one."""
    today = today or clock.today()
    return month_date(month_index(today) - 1)


@dataclass
class DemoRegion:
    id: int
    key: str
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    place: str  # the name without the demo mark, for project names
    weight: float = 1.0


@dataclass
class DemoSummary:
    projects: int
    seed: int
    report_month: dt.date
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class DemoGenerator:
    def __init__(self, writer: BulkWriter, *, projects: int, seed: int, report_month: dt.date,
                 progress: Callable[[str], None] | None = None):
        self.writer = writer
        self.count = projects
        self.seed = seed
        self.rng = random.Random(seed)
        self.as_of = month_index(report_month)
        self.report_month = month_date(self.as_of)
        self.progress = progress or (lambda message: None)
        self.plan_keys: dict[int, str] = {}  # plan id → key: each project's Project.plan_key
        self.ids = next_ids(writer.connection, [t.__table__ for t in (
            Region, Plan, PlanIndicator, Project, ProjectAlias, Milestone, MonthlyReport,
            FundingLine, BudgetRevision, AnnualPlan, AuditEntry)])

    def _id(self, model) -> int:
        table = model.__tablename__
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # ------------------------------------------------------------------ regions and plans
    def _names(self, count: int, suffixes: tuple[str, ...], used: set[str]) -> list[str]:
        names: list[str] = []
        while len(names) < count:
            base = self.rng.choice(SYLLABLES) + self.rng.choice(SYLLABLES)
            if base[0] == base[1] or base in used:
                continue
            used.add(base)
            names.append(base + self.rng.choice(suffixes))
        return names

    def regions(self) -> tuple[list[DemoRegion], dict[int, int]]:
        """Provinces, their cities and counties; returns the places projects go to and each
        region's plan id."""
        rng, used = self.rng, set[str]()
        regions: list[DemoRegion] = []
        places: list[DemoRegion] = []
        for p, province_name in enumerate(self._names(PROVINCES, ("省",), used), start=1):
            code = f"9{p}0000"
            province = self._region(code, province_name, "province", None, "/")
            regions.append(province)
            for c, city_name in enumerate(self._names(rng.randint(9, 14), ("市",), used), start=1):
                city_code = f"9{p}{c:02d}00"
                city = self._region(city_code, city_name, "city", province, province.path)
                city.weight = 0.15 * rng.uniform(2, 6)
                regions.append(city)
                places.append(city)
                counties = self._names(rng.randint(5, 11), ("县", "县", "区", "市"), used)
                for k, county_name in enumerate(counties, start=1):
                    county = self._region(f"9{p}{c:02d}{k + 1:02d}", county_name, "county", city,
                                          city.path)
                    county.weight = rng.lognormvariate(0, 0.5)
                    regions.append(county)
                    places.append(county)
        for region in regions:
            self.writer.add(Region.__table__, {
                "id": region.id, "key": region.key, "code": region.code, "name": region.name,
                "level": region.level, "parent_id": region.parent_id, "path": region.path})
        self.writer.flush(Region.__table__)

        plan_of: dict[int, int] = {}
        for region in regions:
            if region.level == "county":
                continue
            plan_id = self._id(Plan)
            plan_of[region.id] = plan_id
            self.plan_keys[plan_id] = f"{DEMO_PREFIX}plan-{region.code}"
            self.writer.add(Plan.__table__, {
                "id": plan_id, "key": self.plan_keys[plan_id],
                "title": f"{region.place}“十四五”卫生健康发展规划{DEMO_SUFFIX}",
                "issuer": f"{region.place}人民政府办公室", "doc_number": None,
                "issued_date": dt.date(2021, rng.randint(9, 12), rng.randint(1, 28)),
                "period_start": 2021, "period_end": 2025, "region_id": region.id,
                "source_file": None, "sources": []})
            for position, (key, name, unit, base, target, comparator, nature) in enumerate((
                    ("beds_per_1000", "每千人口医疗卫生机构床位数", "张", 5.2, 6.8, "≥", "expected"),
                    ("doctors_per_1000", "每千人口执业（助理）医师数", "人", 2.6, 3.2, "≥", "expected"),
                    ("maternal_mortality", "孕产妇死亡率", "/10万", 12.0, 10.0, "≤", "binding"))):
                spread = rng.uniform(0.85, 1.15)
                self.writer.add(PlanIndicator.__table__, {
                    "id": self._id(PlanIndicator), "plan_id": plan_id, "key": key,
                    "position": position, "section": "主要指标", "name": name, "unit": unit,
                    "baseline": f"{base * spread:.1f}", "baseline_year": 2020,
                    "target": f"{target * spread:.1f}", "target_year": 2025,
                    "comparator": comparator, "nature": nature, "sources": []})
        self.writer.flush(Plan.__table__, PlanIndicator.__table__)
        self.regions_by_id = {region.id: region for region in regions}
        return places, plan_of

    def _region(self, code: str, name: str, level: str, parent: DemoRegion | None,
                parent_path: str) -> DemoRegion:
        key = DEMO_PREFIX + code
        return DemoRegion(id=self._id(Region), key=key, code=code, name=name + DEMO_SUFFIX,
                          level=level, parent_id=parent.id if parent else None,
                          path=f"{parent_path}{key}/", place=name)

    # ------------------------------------------------------------------ projects
    def run(self) -> dict[str, int]:
        places, plan_of = self.regions()
        weights = [place.weight for place in places]
        catalogue_weights = [entry[2] for entry in CATALOGUE]
        nature_weights = [entry[2] for entry in NATURES]
        serials: dict[str, int] = {}
        started = time.monotonic()
        for number in range(self.count):
            place = self.rng.choices(places, weights)[0]
            entry = self.rng.choices(CATALOGUE, catalogue_weights)[0]
            nature = self.rng.choices(NATURES, nature_weights)[0]
            self._project(place, entry, nature, plan_of, serials)
            if (number + 1) % 10_000 == 0:
                self.progress(f"{number + 1:,} projects ({time.monotonic() - started:.0f} s)")
        self.writer.flush(Project.__table__)
        self.writer.flush()
        reset_sequences(self.writer.connection, [t.__table__ for t in (
            Region, Plan, PlanIndicator, Project, ProjectAlias, Milestone, MonthlyReport,
            FundingLine, BudgetRevision, AnnualPlan, AuditEntry)])
        return dict(self.writer.counts)

    def _project(self, place: DemoRegion, entry, nature, plan_of, serials) -> None:
        rng, as_of = self.rng, self.as_of
        # The project's rows are written once all are drawn (the project row first, its children
        # after it): its columns derived from its milestones and funding lines are known last.
        rows: list[tuple[sa.Table, dict]] = []

        def write(table: sa.Table, row: dict) -> None:
            rows.append((table, row))
        category, kind, _weight, facilities, low, high = entry
        build_nature, terms, _ = nature
        project_id = self._id(Project)
        building = kind in BUILDING_KINDS

        facility = rng.choice(facilities)
        if category is Category.TOWNSHIP_CLINIC and facility.startswith("镇"):
            facility = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + facility
        suffix = "项目" if facility.endswith(("新建", "迁建", "改扩建", "二期")) else "建设项目"
        name = f"{place.place}{facility}{suffix if kind is Kind.CONSTRUCTION else ''}"

        # Schedule: planned start and duration; a quarter of the projects run late.
        planned_start = as_of + rng.randint(-54, 18)
        duration = rng.randint(12, 42) if building else rng.randint(6, 24)
        delay = 0 if rng.random() < 0.72 else rng.randint(2, 14)
        start = planned_start + delay
        end = start + duration + (rng.randint(0, 6) if delay else 0)
        in_use = end + rng.randint(1, 4)
        halt = None  # the month progress stopped, for suspended and cancelled projects
        roll = rng.random()
        if roll < 0.01:
            status, halt = Status.CANCELLED, min(as_of, start - rng.randint(1, 6))
        elif roll < 0.03:
            status = None  # nobody stated it
        elif start > as_of:
            status = Status.RESERVE if planned_start - as_of > 12 else Status.PREPARATION
        elif end > as_of:
            if rng.random() < 0.05:
                status, halt = Status.SUSPENDED, rng.randint(start, as_of)
            else:
                status = Status.CONSTRUCTION
        elif in_use > as_of:
            status = Status.COMPLETED
        else:
            status = Status.IN_USE
        last_active = min(as_of, halt) if halt is not None else as_of

        # Money, in integers of 0.01 万元. A tenth of the projects state no total investment.
        span = math.exp(rng.uniform(math.log(low), math.log(high)))
        budget_cents = int(span) * 100 if rng.random() < 0.7 else int(span * 100)
        total = budget_cents if rng.random() < 0.9 else None
        revised = None
        if total is not None and rng.random() < 0.06:
            revised = total + int(total * rng.uniform(0.05, 0.3))
        spend = int((revised or budget_cents) * rng.uniform(0.9, 1.0))
        if status is Status.CANCELLED:
            spend = 0

        serial = serials.get(place.code, 0) + 1
        serials[place.code] = serial
        code = None
        if rng.random() < 0.85:
            year = 2020 + rng.randint(1, 3)
            code = f"{year}-{place.code}-84-01-{serial:05d}{rng.choice('0123456789X')}"
        aliases = []
        if rng.random() < 0.05:
            aliases.append(f"{place.place}{rng.choice(('新院区', '医疗中心', '公卫中心'))}项目")
        search_text = searchable("\n".join([name, *aliases, *([code] if code else [])]))

        floor = rng.randint(3_000, 120_000) * 100 + rng.choice((0, 0, 0, 50)) if building else None
        if floor is not None and rng.random() < 0.2:
            floor = None
        beds = rng.choice((None, None, rng.randint(5, 120) * 10)) if building else None
        created_at = _utc(month_date(min(planned_start - 30, as_of)), 9)

        reports, invested_total = self._reports(project_id, start, end, in_use, halt, spend, status,
                                                late=delay > 0)
        project_row = {
            "id": project_id, "name": name, "project_code": code, "region_id": place.id,
            "kind": kind, "category": category, "build_nature": build_nature,
            "build_nature_term": rng.choice(terms), "location": f"{place.place}{rng.choice(SYLLABLES)}"
            f"{rng.choice(SYLLABLES)}路" if rng.random() < 0.7 else None,
            "owner_unit": f"{place.place}卫生健康委员会" if rng.random() < 0.8 else None,
            "supervising_department": f"{place.place}卫生健康委员会" if rng.random() < 0.5 else None,
            "land_area_mu": money(rng.randint(500, 30_000)) if building and rng.random() < 0.6 else None,
            "land_area_approx": rng.random() < 0.1,
            "floor_area_m2": money(floor) if floor is not None else None,
            "floor_area_approx": rng.random() < 0.1,
            "floor_area_term": rng.choice(("总建筑面积", "总建筑面积", "建设面积")) if floor else None,
            "beds": beds, "new_beds": (beds // 2 if beds and rng.random() < 0.4 else None),
            "total_investment": money(total) if total is not None else None,
            "total_investment_approx": total is not None and rng.random() < 0.05,
            "current_estimate": money(revised or total) if total is not None else None,
            "invested_to_date": money(invested_total),
            "last_report_month": self.report_month,
            "scope": f"总建筑面积约{floor // 100 if floor else '—'}平方米，含{facility}及配套设施"
            if rng.random() < 0.6 else None,
            "status": status,
            "planned_start": month_date(planned_start, 15),
            "planned_end": month_date(planned_start + duration, 28),
            "search_text": search_text, "seed_key": None, "seed_checksum": None, "version": 1,
            "created_at": created_at, "updated_at": reports[-1]["submitted_at"]}
        plan_id = plan_of[place.id if place.level == "city" else place.parent_id]
        project_row["plan_key"] = self.plan_keys[plan_id]  # its one plan (services.keep_plan_key)
        write(Project.__table__, project_row)
        for alias in aliases:
            write(ProjectAlias.__table__, {"id": self._id(ProjectAlias), "project_id": project_id,
                                           "name": alias})
        for row in gram_rows(project_id, search_text, copied(project_row)):
            write(search_grams, row)
        write(project_plans, {"project_id": project_id, "plan_id": plan_id})
        for report in reports:
            write(MonthlyReport.__table__, report)
        for row in year_investment_rows(project_id, [(r["month"], r["invested_month"]) for r in reports]):
            write(YearInvestment.__table__, row)

        # Funding lines: one to three sources sharing the budget; the last may be unstated.
        if total is not None:
            sources = rng.sample(list(FundingSource), rng.randint(1, 3))
            remaining = total
            for position, source in enumerate(sources):
                last = position == len(sources) - 1
                amount = remaining if last else int(remaining * rng.uniform(0.3, 0.7))
                remaining -= amount
                write(FundingLine.__table__, {
                    "id": self._id(FundingLine), "project_id": project_id, "source": source,
                    "amount": None if last and len(sources) > 1 and rng.random() < 0.2 else money(amount),
                    "note": None, "version": 1})
        if total is not None and revised is not None:
            write(BudgetRevision.__table__, {
                "id": self._id(BudgetRevision), "project_id": project_id,
                "previous_amount": money(total), "new_amount": money(revised),
                "reason": "材料价格上涨及设计变更", "approval_number": f"发改投资〔{2022 + rng.randint(0, 3)}〕"
                f"{rng.randint(1, 300)}号", "approval_date": month_date(min(start + 6, as_of), 10),
                "created_by_id": None, "created_at": _utc(month_date(min(start + 6, as_of), 10), 3)})
        # Annual plans for the years the planned schedule covers, the planned spend spread evenly.
        if total is not None and status is not Status.CANCELLED:
            for year in range(self.report_month.year - 2, self.report_month.year + 1):
                first_month = max(planned_start, year * 12)
                last_month = min(planned_start + duration - 1, year * 12 + 11)
                if last_month >= first_month:
                    share = (last_month - first_month + 1) * total // duration
                    if share > 0:
                        write(AnnualPlan.__table__, {
                            "id": self._id(AnnualPlan), "project_id": project_id, "year": year,
                            "planned_investment": money(share), "version": 1})

        latest_stage, milestones = self._milestones(project_id, kind, planned_start, duration, start,
                                                    end, in_use, halt, last_active)
        for milestone in milestones:
            write(Milestone.__table__, milestone)
        project_row.update(milestone_dates([_Dates(m["stage"], m["planned_date"], m["actual_date"],
                                                   m["baseline_date"]) for m in milestones],
                                          project_row.get("status")))
        project_row["funding_line_count"] = sum(1 for table, _row in rows
                                                if table is FundingLine.__table__)
        # Audit: the creation, the latest report and the latest milestone reached.
        write(AuditEntry.__table__, self._audit(created_at, "project:create", "Project", project_id,
                                                project_id, {"name": name}, {"name": [None, name]}))
        latest = reports[-1]
        write(AuditEntry.__table__, self._audit(
            latest["submitted_at"], "report:submit", "MonthlyReport", latest["id"], project_id,
            {"month": f"{self.report_month:%Y-%m}"},
            {"invested_total": [None, str(latest["invested_total"])],
             "physical_percent": [None, str(latest["physical_percent"])]}))
        if latest_stage is not None:
            milestone_id, stage, actual = latest_stage
            write(AuditEntry.__table__, self._audit(
                _utc(actual, 10), "milestone:update", "Milestone", milestone_id, project_id,
                {"stage": stage.value}, {"actual_date": [None, actual.isoformat()]}))
        for table, row in rows:
            self.writer.add(table, row)

    def _reports(self, project_id: int, start: int, end: int, in_use: int, halt: int | None,
                 spend: int, status: Status | None, late: bool) -> tuple[list[dict], int]:
        """36 monthly reports; investment follows a hump over the construction months."""
        rng, as_of = self.rng, self.as_of
        duration = max(end - start, 1)
        weights = [math.sin(math.pi * (k + 0.5) / duration) * rng.uniform(0.7, 1.3) for k in range(duration)]
        scale = spend / sum(weights)
        monthly = [int(w * scale) for w in weights]
        monthly[-1] += spend - sum(monthly)  # the total is spent exactly by the last month
        reports_funds = rng.random() > 0.1
        first = as_of - REPORT_MONTHS + 1
        cumulative = year_total = 0
        reports = []
        for month in range(min(start, first), as_of + 1):
            active = start <= month < end and (halt is None or month <= halt)
            invested = monthly[month - start] if active else 0
            if month % 12 == 0:
                year_total = 0
            cumulative += invested
            year_total += invested
            if month < first:
                continue
            percent = Decimal(cumulative * 10000 // spend).scaleb(-2) if spend else Decimal("0.00")
            if month >= end and (halt is None or halt >= end):
                percent = Decimal("100.00")
            reports.append({
                "id": self._id(MonthlyReport), "project_id": project_id, "month": month_date(month),
                "revision": 1,
                "progress_text": _progress_text(month, start, end, in_use, percent, status, halt),
                "physical_percent": percent,
                "invested_month": money(invested), "invested_year": money(year_total),
                "invested_total": money(cumulative),
                "funds_received": money(cumulative + cumulative // 20) if reports_funds else None,
                "paid": money(cumulative - cumulative // 10) if reports_funds else None,
                "over_budget_reason": None,
                "problems": rng.choice(PROBLEMS) if (halt is not None and month >= halt or late and start <= month < end)
                and rng.random() < 0.5 else None,
                "next_steps": rng.choice(NEXT_STEPS) if start <= month < end else None,
                "submitted_by_id": None,
                # Filed in the first days of the next month; the latest month's on the 1st: made
                # in the days after it, its reports were dated days ahead, the trail opening on them.
                "submitted_at": _utc(month_date(month + 1, rng.randint(1, 10) if month < self.as_of else 1),
                                     rng.randint(1, 9)),
                "version": 1})
        return reports, cumulative

    def _milestones(self, project_id, kind, planned_start, duration, start, end, in_use, halt,
                    last_active):
        rng, as_of = self.rng, self.as_of
        stages = list(Stage) if kind in BUILDING_KINDS else NON_BUILDING_STAGES
        delay = start - planned_start
        latest, rows = None, []
        for stage in stages:
            offset = STAGE_OFFSETS[stage]
            if offset is None:
                planned = planned_start + {Stage.TOPPING_OUT: duration // 2, Stage.ACCEPTANCE: duration,
                                           Stage.IN_USE: duration + 3}[stage]
                actual = {Stage.TOPPING_OUT: start + duration // 2, Stage.ACCEPTANCE: end,
                          Stage.IN_USE: in_use}[stage]
            else:
                planned = planned_start + offset
                actual = start + offset if offset == 0 else planned + (delay * (30 + offset)) // 30
            reached = actual <= last_active and (halt is None or actual <= halt)
            milestone_id = self._id(Milestone)
            actual_date = month_date(actual, rng.randint(1, 28)) if reached else None
            if reached:
                latest = (milestone_id, stage, actual_date)
            rows.append({
                "id": milestone_id, "project_id": project_id, "stage": stage, "custom_name": None,
                "position": stage.position, "planned_date": month_date(planned, 15),
                "actual_date": actual_date, "baseline_date": month_date(planned, 15), "replan_count": 0,
                "note": None,
                "delay_reason": rng.choice(PROBLEMS) if not reached and planned < as_of else None,
                "sources": [], "version": 1})
        return latest, rows

    def _audit(self, when: dt.datetime, action: str, object_type: str, object_id: int,
               project_id: int, params: dict, changes: dict) -> dict:
        return {"id": self._id(AuditEntry), "occurred_at": when, "user_id": None, "via": VIA,
                "action": action, "object_type": object_type, "object_id": object_id,
                "project_id": project_id, "summary": None, "params": params, "changes": changes,
                "reason": None}


@dataclass(frozen=True)
class _Dates:
    stage: Stage
    planned_date: dt.date | None
    actual_date: dt.date | None
    baseline_date: dt.date | None


def _utc(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc)


def _progress_text(month: int, start: int, end: int, in_use: int, percent: Decimal, status,
                   halt) -> str | None:
    if status is Status.CANCELLED:
        return "项目已取消"
    if halt is not None and month > halt:
        return "停工"
    if month < start:
        return "前期工作办理中"
    if month >= end:
        return "已投入使用" if month >= in_use else "已竣工验收"
    if percent < 15:
        return "基础施工"
    if percent < 55:
        return f"主体结构施工至{max(1, int(percent) // 6)}层"
    if percent < 75:
        return "主体封顶，装饰装修施工"
    return "室外配套及设备安装调试"


def existing_demo_regions(connection: sa.Connection) -> int:
    return connection.execute(sa.select(sa.func.count(Region.id)).where(
        Region.key.startswith(DEMO_PREFIX, autoescape=True))).scalar() or 0


def generate(connection: sa.Connection, *, projects: int, seed: int = 1,
             report_month: dt.date | None = None, batch_size: int = 5000,
             progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Write a demo portfolio of ``projects`` projects through ``connection`` (not committed)."""
    if projects < 1:
        raise ValueError("at least one project")
    if existing_demo_regions(connection):
        raise ValueError("this database already holds demo data: generate into a fresh database")
    started = time.monotonic()
    report_month = report_month or default_report_month()
    writer = BulkWriter(connection, batch_size)
    generator = DemoGenerator(writer, projects=projects, seed=seed, report_month=report_month,
                              progress=progress)
    rows = generator.run()
    # The portfolio figures the dashboard reads, rebuilt from every project (the session's upkeep
    # sees no Core insert): one grouped pass per breakdown, not one delta per project.
    rebuild_kept_figures(connection)
    return DemoSummary(projects, seed, generator.report_month, rows, time.monotonic() - started)


def analyze(engine: sa.Engine) -> None:
    """Fresh planner statistics after a bulk load (and, on PostgreSQL, the visibility map that
    index-only scans need)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
