"""The business terms (projects/terms.py): each one definition, the same in Python and in SQL, and
the same wherever it is read: the dashboard, the list, the reminders, the prefilled template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.dashboard import queries
from tracker.dashboard.scope import Scope
from tracker.imports.prefill import due_reports
from tracker.portfolio.filters import PortfolioFilter
from tracker.progress.models import Milestone
from tracker.projects.models import Project
from tracker.reminders import services as reminders
from tracker.vocabulary import Kind, Stage, Status

from . import factories

TODAY = dt.date(2025, 7, 2)
JULY = dt.date(2025, 7, 1)


def set_figures(project, **values):
    """Columns the report, budget and upkeep code keep (no form writes them)."""
    for name, value in values.items():
        setattr(project, name, value)
    factories.db.session.flush()


def portfolio():
    """One project per case that tells the definitions apart, by name."""
    made = {}

    def make(name, **fields):
        figures = {key: fields.pop(key) for key in list(fields)
                   if key in ("current_estimate", "last_report_month", "next_milestone_due", "invested_to_date")}
        made[name] = factories.project(name=name, **fields)
        if figures:
            set_figures(made[name], **figures)

    make("在建未报", status=Status.CONSTRUCTION)
    make("在建已报", status=Status.CONSTRUCTION, last_report_month=JULY)
    make("在建上月报", status=Status.CONSTRUCTION, last_report_month=dt.date(2025, 6, 1))
    make("停缓建未报", status=Status.SUSPENDED)
    make("前期", status=Status.PREPARATION)
    make("竣工", status=Status.COMPLETED)
    make("投用", status=Status.IN_USE)
    make("状态未填", status=None)
    make("专项行动在建", status=Status.CONSTRUCTION, kind=Kind.PROGRAMME)
    make("设备在建", status=Status.CONSTRUCTION, kind=Kind.EQUIPMENT)
    make("超概算", total_investment=Decimal("100"), current_estimate=Decimal("100.01"))
    make("概算持平", total_investment=Decimal("100"), current_estimate=Decimal("100"))
    make("只有概算", total_investment=None, current_estimate=Decimal("5"))
    make("滞后", next_milestone_due=dt.date(2025, 7, 1))
    make("今天到期", next_milestone_due=TODAY)
    make("可算完成率", total_investment=Decimal("100"), invested_to_date=Decimal("50"))
    make("总投资为零", total_investment=Decimal("0"), invested_to_date=Decimal("100"))
    make("只有完成投资", total_investment=None, invested_to_date=Decimal("30"))
    return made


TERMS = {
    # name: (Python predicate, SQL expression, the projects it must select)
    "建设类项目": (lambda p: p.is_building, Project.is_building, None),
    "超概算": (lambda p: p.is_over_estimate, Project.is_over_estimate, {"超概算"}),
    "已开工": (lambda p: p.has_started, Project.has_started,
            {"在建未报", "在建已报", "在建上月报", "竣工", "投用", "专项行动在建", "设备在建"}),
    "已竣工": (lambda p: p.is_done, Project.is_done, {"竣工", "投用"}),
    # The list's totals and the dashboard's headline alike (they differed: the headline took a
    # 总投资 of 0 into its sums, a QA walk's 10.5% with the project 未填报 in the list).
    "可算投资完成率": (lambda p: p.has_investment_rate, Project.has_investment_rate, {"可算完成率"}),
    "滞后": (lambda p: p.is_late(TODAY), Project.is_late(TODAY), {"滞后"}),
    "本月未报": (lambda p: p.owes_report(JULY), Project.owes_report(JULY),
             {"在建未报", "在建上月报", "停缓建未报", "设备在建"}),
}


@pytest.mark.parametrize("term", TERMS)
def test_each_term_selects_the_same_projects_in_python_and_in_sql(db, term):
    made = portfolio()
    python, sql, expected = TERMS[term]
    if expected is None:
        expected = {name for name in made if name != "专项行动在建"}
    by_python = {name for name, project in made.items() if python(project)}
    ids = set(db.session.scalars(sa.select(Project.id).where(sql)))
    by_sql = {name for name, project in made.items() if project.id in ids}
    assert by_python == expected
    assert by_sql == expected


def test_a_halted_project_without_this_months_report_is_owed_on_every_page(db, make_user):
    """本月未报 counted 停缓建 on the dashboard but not in `tracker reminders` nor in the prefilled
    monthly template: a halted project must still report why, and all three now say so."""
    county = factories.region()
    factories.project(county, name="停工的医院", status=Status.SUSPENDED)
    factories.project(county, name="在建的医院", status=Status.CONSTRUCTION)
    officer = make_user("officer", county)
    board = queries.compute(Scope(PortfolioFilter(), TODAY.year, TODAY))
    assert {row.name for row in board.unreported.rows} == {"停工的医院", "在建的医院"}
    result = reminders.reminders(JULY)
    assert {project.name for project in result.projects} == {"停工的医院", "在建的医院"}
    mine = next(item for item in result.by_officer if item.officer.id == officer.id)
    assert {project.name for project in mine.projects} == {"停工的医院", "在建的医院"}
    assert {row["name"] for row in due_reports(officer, JULY, limit=100)} == {
        "停工的医院", "在建的医院"}


def test_a_halted_project_has_started_only_when_its_start_has_a_date(db):
    """停缓建 may be 缓建 before any work: Status.has_started counted it as started, the dashboard's
    开工率 did not. The 开工 milestone's actual date decides."""
    halted = factories.project(name="停工", status=Status.SUSPENDED,
                               planned_start=dt.date(2024, 3, 1))
    put_off = factories.project(name="缓建", status=Status.SUSPENDED,
                                planned_start=dt.date(2024, 3, 1))
    start = next(m for m in halted.milestones if m.stage is Stage.START)
    start.actual_date = dt.date(2024, 3, 5)
    factories.db.session.flush()
    assert halted.has_started and not put_off.has_started
    head = queries.compute(Scope(PortfolioFilter(), TODAY.year, TODAY)).headline
    assert (head.planned_to_start, head.started) == (2, 1)


def test_the_list_tags_the_kinds_outside_the_construction_portfolio(client, db):
    factories.project(name="健康行动", kind=Kind.PROGRAMME)
    factories.project(name="设备项目", kind=Kind.EQUIPMENT)
    factories.db.session.commit()
    html = client.get("/projects?kind=all").get_data(as_text=True)
    assert '<span class="tag">专项工程/行动</span>' in html
    assert '<span class="tag">设备购置</span>' not in html


def test_an_overdue_milestone_is_the_same_in_python_and_in_sql(db):
    """滞后 of one milestone (the dashboard's late list, the milestone page, OC4IDS's notMet)."""
    project = factories.project(name="里程碑")
    cases = {"昨天到期": (dt.date(2025, 7, 1), None), "今天到期": (TODAY, None),
             "昨天到期已完成": (dt.date(2025, 7, 1), dt.date(2025, 7, 1)), "未定日期": (None, None)}
    rows = {}
    for name, (planned, actual) in cases.items():
        rows[name] = Milestone(project=project, custom_name=name, planned_date=planned,
                               actual_date=actual)
        db.session.add(rows[name])
    db.session.flush()
    ids = set(db.session.scalars(sa.select(Milestone.id).where(
        Milestone.project_id == project.id, Milestone.is_overdue(TODAY))))
    assert {name for name, row in rows.items() if row.id in ids} == {"昨天到期"}
    assert {name for name, row in rows.items() if row.is_overdue(TODAY)} == {"昨天到期"}
    assert project.is_late(TODAY) and project.days_late(TODAY) == 1


def test_the_kind_menu_and_the_export_name_the_portfolio_from_its_one_definition(client, db,
                                                                              monkeypatch):
    """The construction kinds were written out in the list's template and again in the export's
    description: both now name what ``BUILDING_KINDS`` holds."""
    from tracker.exports.describe import filter_lines
    from tracker.projects import terms

    html = client.get("/projects").get_data(as_text=True)
    assert '<option value="">建设类项目（工程建设、设备购置）</option>' in html
    assert "全部（含信息化平台、专项工程/行动、等级创建）" in html
    monkeypatch.setattr(terms, "BUILDING_KINDS", (Kind.CONSTRUCTION,))
    assert '<option value="">建设类项目（工程建设）</option>' in client.get("/projects").get_data(
        as_text=True)
    assert ("项目类型", "建设类项目（工程建设）") in filter_lines(PortfolioFilter())
    assert ("项目类型", "全部（含设备购置、信息化平台、专项工程/行动、等级创建）") in filter_lines(
        PortfolioFilter(kind="all"))
