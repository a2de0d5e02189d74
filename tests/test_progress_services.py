"""The month's rules: derived cumulative figures, locked reports, corrections, budgets, milestones."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.core import clock
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.errors import StaleEdit, ValidationFailed
from tracker.progress import services
from tracker.progress.models import BudgetRevision, MonthlyReport
from tracker.vocabulary import Stage

from . import factories

OFFICER = Actor(None, "web")
JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


def file(project, month, amount, **extra):
    return services.submit_report(OFFICER, project, month, invested_month=Decimal(amount), **extra)


def test_year_to_date_and_since_start_are_derived_from_the_months(db):
    project = factories.project(total_investment=Decimal("1000"))
    file(project, dt.date(2024, 12, 1), "50", invested_total=Decimal("300"))  # before the tracker
    file(project, JAN, "10")
    report = file(project, FEB, "20.5")
    assert report.invested_year == Decimal("30.5")
    assert report.invested_total == Decimal("330.5")
    assert project.invested_to_date == Decimal("330.5") and project.last_report_month == FEB


def test_a_stated_since_start_figure_must_agree_with_the_months(db):
    project = factories.project()
    file(project, JAN, "10", invested_total=Decimal("100"))
    with pytest.raises(ValidationFailed) as failure:
        file(project, FEB, "20", invested_total=Decimal("150"))
    assert "120" in failure.value.errors["invested_total"][0]


def test_one_report_per_month_and_a_correction_needs_a_reason(db):
    project = factories.project()
    file(project, JAN, "10")
    with pytest.raises(ValidationFailed) as failure:
        file(project, JAN, "12")
    assert "已提交并锁定" in failure.value.errors["correction_reason"][0]
    report = file(project, JAN, "12", correction_reason="统计口径更正")
    assert report.revision == 2 and report.invested_month == Decimal("12")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report:correct")).one()
    assert entry.changes["invested_month"] == ["10", "12"] and entry.reason == "统计口径更正"
    assert db.session.scalar(sa.select(sa.func.count(MonthlyReport.id))) == 1


def test_correcting_a_past_month_recomputes_the_later_cumulative_figures(db):
    project = factories.project()
    file(project, JAN, "10")
    file(project, FEB, "20")
    march = file(project, MAR, "30")
    assert march.invested_total == Decimal("60")
    file(project, JAN, "15", correction_reason="漏报")
    db.session.refresh(march)
    assert (march.invested_total, march.invested_year) == (Decimal("65"), Decimal("65"))
    assert project.invested_to_date == Decimal("65")


@pytest.mark.parametrize("fields, error_field", [
    ({"invested_month": Decimal("-1")}, "invested_month"),
    ({"invested_month": Decimal("1"), "physical_percent": Decimal("100.5")}, "physical_percent"),
    ({"invested_month": Decimal("1"), "physical_percent": Decimal("-0.1")}, "physical_percent"),
    ({"invested_month": Decimal("1"), "paid": Decimal("-3")}, "paid"),
])
def test_impossible_figures_are_refused(db, fields, error_field):
    project = factories.project()
    with pytest.raises(ValidationFailed) as failure:
        services.submit_report(OFFICER, project, JAN, **fields)
    assert error_field in failure.value.errors


def test_a_future_month_cannot_be_reported(db):
    project = factories.project()
    next_month = (clock.today().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationFailed) as failure:
        file(project, next_month, "1")
    assert "month" in failure.value.errors


def test_cumulative_funds_never_decrease(db):
    project = factories.project()
    file(project, JAN, "1", funds_received=Decimal("100"), paid=Decimal("80"))
    with pytest.raises(ValidationFailed) as failure:
        file(project, FEB, "1", funds_received=Decimal("90"), paid=Decimal("80"))
    assert "不能少于上月" in failure.value.errors["funds_received"][0]


def test_completed_investment_above_the_budget_needs_a_reason(db):
    project = factories.project(total_investment=Decimal("100"))
    file(project, JAN, "90")
    with pytest.raises(ValidationFailed) as failure:
        file(project, FEB, "20")
    assert "超概算" in failure.value.errors["over_budget_reason"][0]
    assert file(project, FEB, "20", over_budget_reason="材料价格上涨").invested_total == Decimal("110")


def test_a_budget_revision_keeps_every_earlier_figure(db):
    project = factories.project(total_investment=Decimal("1000"))
    services.revise_budget(OFFICER, project, new_amount=Decimal("1200"), reason="增加设备",
                           approval_number="龙发改字〔2024〕12号", approval_date=dt.date(2024, 5, 1))
    services.revise_budget(OFFICER, project, new_amount=Decimal("1300"), reason="材料涨价",
                           approval_number="龙发改字〔2025〕3号", approval_date=dt.date(2025, 1, 8))
    history = db.session.scalars(sa.select(BudgetRevision).order_by(BudgetRevision.id)).all()
    assert [(r.previous_amount, r.new_amount) for r in history] == [
        (Decimal("1000"), Decimal("1200")), (Decimal("1200"), Decimal("1300"))]
    assert project.total_investment == Decimal("1000") and project.is_over_estimate


def test_a_budget_revision_needs_reason_number_and_a_past_date(db):
    project = factories.project()
    with pytest.raises(ValidationFailed) as failure:
        services.revise_budget(OFFICER, project, new_amount=Decimal("1"), reason=" ",
                               approval_number="", approval_date=clock.today() + dt.timedelta(days=1))
    assert set(failure.value.errors) == {"reason", "approval_number", "approval_date"}


def test_milestone_dates_follow_the_lifecycle_and_actual_dates_are_not_in_the_future(db):
    project = factories.project()
    services.add_standard_lifecycle(OFFICER, project)
    by_stage = {m.stage: m for m in project.milestones}
    assert len(by_stage) == len(Stage)
    start, topping = by_stage[Stage.START], by_stage[Stage.TOPPING_OUT]
    services.update_milestone(OFFICER, start, planned_date=dt.date(2024, 3, 1),
                              actual_date=dt.date(2024, 3, 10), expected_version=start.version)
    with pytest.raises(ValidationFailed) as failure:
        services.update_milestone(OFFICER, topping, planned_date=dt.date(2024, 2, 1), actual_date=None,
                                  expected_version=topping.version)
    assert "开工" in failure.value.errors["planned_date"][0]
    with pytest.raises(ValidationFailed) as failure:
        services.update_milestone(OFFICER, topping, planned_date=None,
                                  actual_date=clock.today() + dt.timedelta(days=1),
                                  expected_version=topping.version)
    assert "晚于今天" in failure.value.errors["actual_date"][0]


def test_a_stale_milestone_edit_is_refused(db):
    project = factories.project()
    services.add_standard_lifecycle(OFFICER, project)
    milestone = project.milestones[0]
    version = milestone.version
    services.update_milestone(OFFICER, milestone, planned_date=dt.date(2024, 1, 1), actual_date=None,
                              expected_version=version)
    with pytest.raises(StaleEdit) as stale:
        services.update_milestone(OFFICER, milestone, planned_date=dt.date(2024, 2, 1), actual_date=None,
                                  expected_version=version)
    assert stale.value.changes_by_others[0].changes["planned_date"] == [None, "2024-01-01"]


def test_a_report_that_states_no_money_leaves_the_investment_unknown_not_zero(db):
    """An officer's complaint: a first monthly report with only 形象进度 (the money cells left
    blank, in the form or the import) was stored as 累计完成投资 0 and counted as reported, so
    the dashboard's 投资完成率 fell and its coverage said one project more had reported."""
    project = factories.project(total_investment=Decimal("1000"))
    first = services.submit_report(OFFICER, project, JAN, progress_text="基础施工")
    assert first.invested_total is None and first.invested_year is None
    assert project.invested_to_date is None and project.last_report_month == JAN
    services.submit_report(OFFICER, project, FEB, progress_text="主体施工")
    assert project.invested_to_date is None
    third = file(project, MAR, "100")  # the first month that states money starts the count
    assert third.invested_total == Decimal("100") and project.invested_to_date == Decimal("100")
    # Filing the missing months again (a correction that states money) keeps the chain whole.
    services.submit_report(OFFICER, project, JAN, invested_month=Decimal("40"), correction_reason="补报")
    assert [r.invested_total for r in sorted(project_reports(project), key=lambda r: r.month)] == [
        Decimal("40"), Decimal("40"), Decimal("140")]


def project_reports(project):
    from tracker.extensions import db

    return db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.project_id == project.id)).all()


def test_a_count_started_by_a_since_start_figure_alone_leaves_the_years_figure_unknown(db):
    """An API user's complaint: a first report of 自开工累计 800 with no 本月 stated read 本年累计 0
    (the year's completion rate 0 %); the 800 holds this year's months before it in one sum."""
    project = factories.project(total_investment=Decimal("1000"))
    first = services.submit_report(OFFICER, project, FEB, invested_total=Decimal("800"))
    assert (first.invested_total, first.invested_year) == (Decimal("800"), None)
    later = file(project, MAR, "50")
    assert (later.invested_total, later.invested_year) == (Decimal("850"), None)  # the year holds Feb's unknown part
    next_year = file(project, dt.date(2026, 1, 1), "30")
    assert (next_year.invested_total, next_year.invested_year) == (Decimal("880"), Decimal("30"))
    # January filed late, stating its month, starts the count: February's 800 is then January's
    # 800 and nothing more, and the year's figures are known from January on.
    services.submit_report(OFFICER, project, JAN, invested_month=Decimal("10"))
    months = {r.month: r for r in project_reports(project)}
    assert [(months[m].invested_total, months[m].invested_year) for m in (JAN, FEB, MAR)] == [
        (Decimal("800"), Decimal("10")), (Decimal("800"), Decimal("10")), (Decimal("850"), Decimal("60"))]


def test_a_month_long_before_the_project_could_have_a_report_is_refused_naming_why(db):
    """An officer's slip of the year (2016-11 for 2026-11), or 1999-01, was filed without a word
    and raised every later month's 自开工累计; the API took 1949-10."""
    dated = factories.project(planned_start=dt.date(2024, 3, 1))
    with pytest.raises(ValidationFailed) as early:
        file(dated, dt.date(2022, 2, 1), "10")
    assert "早于本项目可能有月报的最早月份 2022-03" in early.value.errors["month"][0]
    assert "2024-03-01" in early.value.errors["month"][0]
    assert file(dated, dt.date(2022, 3, 1), "10").invested_total == Decimal("10")  # 前期 work: 2 years ahead
    undated = factories.project()
    with pytest.raises(ValidationFailed) as absurd:
        file(undated, dt.date(1999, 1, 1), "10")
    assert "2000-01" in absurd.value.errors["month"][0]


def test_a_report_on_file_before_the_earliest_month_can_still_be_corrected(db):
    """The rule against early months is for a new month: a report filed before its project's
    计划开工 moved later stays correctable."""
    project = factories.project(planned_start=dt.date(2021, 3, 1))
    file(project, dt.date(2020, 1, 1), "10")
    project.planned_start = dt.date(2024, 3, 1)  # the start moved later: 2020-01 is now before the floor
    corrected = services.submit_report(OFFICER, project, dt.date(2020, 1, 1), invested_month=Decimal("12"),
                                       correction_reason="金额有误")
    assert corrected.invested_month == Decimal("12")
