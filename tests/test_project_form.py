"""Issue 12: officers can trust every save of the project form and the figures they type.

Each test is a complaint an officer made, replayed through the real pages.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tracker.models import MonthlyReport, Project
from tracker.progress.models import AnnualPlan, BudgetRevision

from .conftest import login_as
from .live import forms_in

THIS_MONTH = dt.date.today().replace(day=1)


@pytest.fixture()
def hospital(db, seeded) -> Project:
    """龙南市第七人民医院门诊综合楼: 表6 says 总投资 9,000 万元, 占地 27.9 亩."""
    return db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-03"))


@pytest.fixture()
def officer(app, make_user, db, seeded):
    client = app.test_client()
    login_as(client, make_user("officer", "360783", username="ln-officer"))
    return client


@pytest.fixture()
def colleague(app, make_user, db, seeded):
    client = app.test_client()
    login_as(client, make_user("officer", "360783", username="ln-colleague"))
    return client


def edit_form(client, project):
    """The edit form as the browser holds it after loading the page."""
    page = client.get(f"/projects/{project.id}/edit")
    assert page.status_code == 200
    return _project_form(page.get_data(as_text=True))


def _project_form(html):
    return [form for form in forms_in(html) if form.method == "post" and form.get("name") is not None][0]


def submit(client, project, form, **changes):
    return client.post(f"/projects/{project.id}/edit", data=MultiDict(form.values(**changes)))


def fresh(db, project) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project.id)


# --- item 1: no false conflict banner ----------------------------------------------------------

def test_new_project_page_does_not_claim_a_save_failed(officer):
    html = officer.get("/projects/new").get_data(as_text=True)
    assert "保存未成功" not in html


def test_a_refused_new_project_does_not_claim_someone_else_changed_it(officer):
    response = officer.post("/projects/new", data={"name": "", "kind": "construction"})
    assert response.status_code == 400
    assert "保存未成功" not in response.get_data(as_text=True)


def test_a_project_named_as_one_of_its_region_is_not_created_again(officer, hospital, db):
    """The same new-project form sent again (a double click, a reload, a colleague who did not
    look) made a second 龙南 project of the same name, counted twice in every total: refused,
    naming the one that exists. Another region may have a project of that name."""
    new = _project_form(officer.get("/projects/new").get_data(as_text=True))
    fields = dict(name="龙南市急救指挥中心建设项目", kind="construction", category="emergency_120",
                  region_id=str(hospital.region_id), total_investment_wan_yuan="1200")
    first = officer.post("/projects/new", data=MultiDict(new.values(**fields)))
    assert first.status_code == 302
    created = db.session.scalar(sa.select(Project).where(Project.name == "龙南市急救指挥中心建设项目"))
    again = officer.post("/projects/new", data=MultiDict(new.values(**fields)))
    assert again.status_code == 400
    assert f"龙南市已有同名项目《龙南市急救指挥中心建设项目》（编号 {created.id}）" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.name == "龙南市急救指挥中心建设项目")) == 1
    renamed = officer.post("/projects/new", data=MultiDict(new.values(**{**fields, "name": hospital.name + "二期"})))
    assert renamed.status_code == 302


def test_a_name_differing_only_in_full_width_letters_or_case_is_the_same_project(officer, hospital, db):
    """A QA walk's complaint: with 某县Ｐ２实验室 tracked, 某县P2实验室 and 某县p2实验室 were created
    beside it, though search finds the three as one: counted three times in every total."""
    new = _project_form(officer.get("/projects/new").get_data(as_text=True))
    fields = dict(kind="construction", category="laboratory", region_id=str(hospital.region_id))
    first = officer.post("/projects/new", data=MultiDict(new.values(**fields, name="某县Ｐ２实验室")))
    assert first.status_code == 302
    created = db.session.scalar(sa.select(Project).where(Project.name == "某县Ｐ２实验室"))
    for name in ("某县P2实验室", "某县p2实验室", " 某县ｐ２实验室"):
        again = officer.post("/projects/new", data=MultiDict(new.values(**fields, name=name)))
        assert again.status_code == 400, name
        assert f"已有同名项目《某县Ｐ２实验室》（编号 {created.id}）" in again.get_data(as_text=True)
    edit = _project_form(officer.get(f"/projects/{hospital.id}/edit").get_data(as_text=True))
    renamed = officer.post(f"/projects/{hospital.id}/edit", data=MultiDict(edit.values(name="某县P2实验室")))
    assert renamed.status_code == 400 and f"（编号 {created.id}）" in renamed.get_data(as_text=True)
    assert officer.post("/projects/new", data=MultiDict(new.values(**fields, name="某县P2实验室二期"))).status_code == 302


def test_a_save_sent_twice_says_saved_not_no_change(officer, hospital, db):
    """A double click on 保存: the first request saved the change, the second found it saved and
    said 没有修改, the last word the officer saw."""
    form = edit_form(officer, hospital)
    first = submit(officer, hospital, form, location="龙南市金塘大道88号")
    assert first.status_code == 302
    second = submit(officer, hospital, form, location="龙南市金塘大道88号")
    assert second.status_code == 302
    page = officer.get(second.location).get_data(as_text=True)
    assert "已保存" in page and "没有修改" not in page
    assert fresh(db, hospital).location == "龙南市金塘大道88号"
    unchanged = submit(officer, hospital, edit_form(officer, hospital))
    assert "没有修改" in officer.get(unchanged.location).get_data(as_text=True)


# --- item 2: a conflict resubmit keeps the other person's change -------------------------------

def test_conflict_shows_both_values_and_resubmit_keeps_the_others_change(officer, colleague, hospital, db):
    mine, theirs = edit_form(colleague, hospital), edit_form(officer, hospital)
    first = submit(officer, hospital, theirs, owner_unit="龙南市卫生健康委员会", total_investment="9800")
    assert first.status_code == 302

    second = submit(colleague, hospital, mine, total_investment="9500", beds="300")
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "其他人已修改了此项目" in html
    conflict = html[html.index('id="conflict"'):]
    conflict = conflict[:conflict.index("</section>")]
    words = re.sub(r'(name|for|id|value|href)="[^"]*"', "", conflict)
    # Side by side: the other's 9800 and the 9500 typed here, under the field's label.
    assert "总投资（万元）" in conflict and "9800" in conflict and "9500" in conflict
    # What the other changed, in words: the label and the value, never the field name.
    assert "建设单位" in conflict and "龙南市卫生健康委员会" in conflict
    assert "owner_unit" not in words and "total_investment" not in words
    # Nothing was written yet.
    assert fresh(db, hospital).total_investment == Decimal("9800")

    # The page the colleague got back holds the other's 建设单位 and asks which 总投资 to keep.
    again = _project_form(html)
    assert again.get("owner_unit") == "龙南市卫生健康委员会"
    assert again.get("beds") == "300"
    resolved = submit(colleague, hospital, again, **{"resolve-total_investment": "mine"})
    assert resolved.status_code == 302, resolved.get_data(as_text=True)
    project = fresh(db, hospital)
    assert project.owner_unit == "龙南市卫生健康委员会"  # the other's change survived
    assert project.total_investment == Decimal("9500") and project.beds == 300


def test_choosing_the_others_value_keeps_it(officer, colleague, hospital, db):
    mine, theirs = edit_form(colleague, hospital), edit_form(officer, hospital)
    assert submit(officer, hospital, theirs, total_investment="9800").status_code == 302
    second = submit(colleague, hospital, mine, total_investment="9500", beds="300")
    assert second.status_code == 409
    again = _project_form(second.get_data(as_text=True))
    assert submit(colleague, hospital, again, **{"resolve-total_investment": "theirs"}).status_code == 302
    project = fresh(db, hospital)
    assert project.total_investment == Decimal("9800") and project.beds == 300


def test_a_resubmit_without_choosing_is_asked_again_and_writes_nothing(officer, colleague, hospital, db):
    mine, theirs = edit_form(colleague, hospital), edit_form(officer, hospital)
    assert submit(officer, hospital, theirs, total_investment="9800").status_code == 302
    second = submit(colleague, hospital, mine, total_investment="9500")
    again = _project_form(second.get_data(as_text=True))
    third = submit(colleague, hospital, again)
    assert third.status_code == 409
    assert "请选择" in third.get_data(as_text=True)
    assert fresh(db, hospital).total_investment == Decimal("9800")


def test_changes_to_different_fields_are_both_kept_and_named_in_words(officer, colleague, hospital, db):
    mine, theirs = edit_form(colleague, hospital), edit_form(officer, hospital)
    assert submit(officer, hospital, theirs, status="completed", reason="已通过竣工验收").status_code == 302
    second = submit(colleague, hospital, mine, beds="300")
    assert second.status_code == 302
    project = fresh(db, hospital)
    assert project.status.value == "completed" and project.beds == 300
    notice = colleague.get(second.headers["Location"]).get_data(as_text=True)
    assert "状态" in notice and "竣工" in notice and "completed" not in notice


def test_a_region_the_other_chose_is_named_not_numbered(app, make_user, hospital, db):
    from tracker.models import Region
    admin, city = app.test_client(), app.test_client()
    login_as(admin, make_user("admin", username="admin-1"))
    login_as(city, make_user("officer", "360700", username="gz-officer"))
    ganzhou = db.session.scalar(sa.select(Region).where(Region.key == "360700"))
    mine, theirs = edit_form(city, hospital), edit_form(admin, hospital)
    assert submit(admin, hospital, theirs, region_id=str(ganzhou.id), total_investment="9800").status_code == 302
    second = submit(city, hospital, mine, total_investment="9500")
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    conflict = html[html.index('id="conflict"'):]
    words = re.sub(r"<[^>]*>", "", conflict[:conflict.index("</section>")])
    assert re.search(r"地区：\s*龙南市 → 赣州市", words), words
    assert f"→ {ganzhou.id}" not in words


# --- item 3: a report or budget revision by someone else is not a conflict ---------------------

def test_a_report_filed_meanwhile_does_not_refuse_the_project_edit(officer, colleague, hospital, db):
    form = edit_form(colleague, hospital)
    report = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": "100", "invested_total": "300"})
    assert report.status_code == 302
    budget = officer.post(f"/projects/{hospital.id}/budget", data={
        "new_amount": "9600", "reason": "增加设备", "approval_number": "龙发改字〔2026〕3号",
        "approval_date": "2026-01-05"})
    assert budget.status_code == 302
    response = submit(colleague, hospital, form, owner_unit="龙南市第七人民医院")
    assert response.status_code == 302, response.get_data(as_text=True)
    project = fresh(db, hospital)
    assert project.owner_unit == "龙南市第七人民医院"
    assert project.invested_to_date == Decimal("300") and project.current_estimate == Decimal("9600")


# --- item 7: 0 is a figure -------------------------------------------------------------------

@pytest.mark.parametrize("zero", ["0", "0.0", "-0"])
def test_a_stalled_project_reports_zero(officer, hospital, db, zero):
    response = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": zero, "progress_text": "停工待资金"})
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == hospital.id))
    assert report.invested_month == 0 and not report.invested_month.is_signed()


def test_the_report_form_says_to_enter_0_before_it_is_refused(officer, hospital):
    html = officer.get(f"/projects/{hospital.id}/reports/new").get_data(as_text=True)
    assert "本月没有完成投资请填 0" in html


def test_an_empty_month_amount_is_still_asked_for(officer, hospital):
    response = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": ""})
    assert response.status_code == 400
    assert "没有则填 0" in response.get_data(as_text=True)


def test_a_zero_annual_plan_and_a_zero_budget_revision_are_accepted(officer, hospital, db):
    plan = officer.post(f"/projects/{hospital.id}/funding", data={"a-year": "2026", "a-planned_investment": "0"})
    assert plan.status_code == 302, plan.get_data(as_text=True)
    assert db.session.scalar(sa.select(AnnualPlan.planned_investment)) == 0
    budget = officer.post(f"/projects/{hospital.id}/budget", data={
        "new_amount": "0", "reason": "项目取消，概算核减为零", "approval_number": "龙发改字〔2026〕9号",
        "approval_date": "2026-02-01"})
    assert budget.status_code == 302, budget.get_data(as_text=True)
    assert db.session.scalar(sa.select(BudgetRevision.new_amount)) == 0


# --- item 9: a citation does not vouch for an edited figure -----------------------------------

def test_an_edited_figure_is_not_cited_as_the_plans(officer, hospital, db):
    before = officer.get(f"/projects/{hospital.id}").get_data(as_text=True)
    assert "与台账不同" not in before
    assert submit(officer, hospital, edit_form(officer, hospital), total_investment="9800").status_code == 302
    html = officer.get(f"/projects/{hospital.id}").get_data(as_text=True)
    row = html[html.index(">总投资<"):]
    row = row[:row.index("</tr>")]
    assert "9,800" in row
    assert "规划原文：9,000 万元，与台账不同" in row
    assert ">第210行<" not in row  # no longer offered as the source of 9,800
    land = html[html.index(">占地面积<"):]
    assert ">第209行<" in land[:land.index("</tr>")]  # 27.9 亩 is still what the plan says


# --- item 10: 新建项目 can be found ----------------------------------------------------------

def test_the_list_offers_new_project_to_those_who_may_create(officer, client):
    assert 'href="/projects/new"' in officer.get("/projects").get_data(as_text=True)
    assert 'href="/projects/new"' not in client.get("/projects").get_data(as_text=True)  # a leader


# --- item 11: figures as people write them; errors named at the top --------------------------

def test_the_edit_form_shows_figures_as_typed(officer, hospital):
    html = officer.get(f"/projects/{hospital.id}/edit").get_data(as_text=True)
    # A number input would not let a browser take "56,000" at all.
    tag = re.search(r'<input[^>]*id="total_investment"[^>]*>', html).group(0)
    assert 'type="text"' in tag and 'inputmode="decimal"' in tag
    form = _project_form(html)
    assert form.get("total_investment") == "9000"
    assert form.get("land_area_mu") == "27.9"
    assert form.get("floor_area_m2") == "20000"


def test_the_reports_messages_show_figures_as_written(officer, hospital):
    """Not "1E+4" nor "300.0000": the figures in a refusal read as the pages write them (1,000)."""
    first = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": (THIS_MONTH - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m"),
        "invested_month": "100", "invested_total": "300", "funds_received": "1000"})
    assert first.status_code == 302, first.get_data(as_text=True)
    html = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": "9800", "invested_total": "5",
        "funds_received": "10"}).get_data(as_text=True)
    assert "不能少于上月的 1,000 万元" in html
    assert "自开工累计应为上月累计 300 加本月 9,800，即 10,100 万元" in html
    assert "累计完成投资 10,100 万元超过总投资 9,000 万元（概算未调整）" in html
    assert "E+" not in html and ".0000" not in html


def test_a_figure_pasted_from_excel_is_accepted(officer, hospital, db):
    response = submit(officer, hospital, edit_form(officer, hospital), total_investment="56,000", beds="1,200")
    assert response.status_code == 302, response.get_data(as_text=True)
    project = fresh(db, hospital)
    assert project.total_investment == Decimal("56000") and project.beds == 1200
    report = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": "1,320", "invested_total": "2,640.5"})
    assert report.status_code == 302, report.get_data(as_text=True)


@pytest.mark.parametrize("beds", ["1e309", "9" * 400])
def test_an_absurd_bed_count_is_refused_not_a_500(officer, hospital, beds):
    """Found by tests/test_hostile_input.py once 床位 read numbers as people write them."""
    response = submit(officer, hospital, edit_form(officer, hospital), beds=beds)
    assert response.status_code == 400
    assert ("不用科学计数法" if "e" in beds else "数值过大") in response.get_data(as_text=True)


def test_the_top_of_a_refused_form_names_each_field_and_links_to_it(officer, hospital):
    response = submit(officer, hospital, edit_form(officer, hospital), name="", total_investment="九千")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    start = html.index('error-summary"')
    summary = html[start:html.index("<form", start)]
    assert '<a href="#name">' in summary and "项目名称" in summary
    assert '<a href="#total_investment">' in summary and "总投资（万元）" in summary
    assert 'id="total_investment"' in html


# --- item 12: dates inside one sane range ------------------------------------------------------

def test_a_9999_date_is_refused_on_the_project_form(officer, hospital, db):
    response = submit(officer, hospital, edit_form(officer, hospital), planned_end="9999-12-31")
    assert response.status_code == 400
    assert "日期应在 1949-01-01 至 2100-12-31 之间" in response.get_data(as_text=True)
    assert fresh(db, hospital).planned_end is None
    assert officer.get(f"/projects/{hospital.id}").status_code == 200


def test_the_service_refuses_a_date_outside_the_range(hospital, db):
    from tracker.errors import ValidationFailed
    from tracker.projects import services
    from .factories import TEST_ACTOR
    with pytest.raises(ValidationFailed) as refused:
        services.update_project(TEST_ACTOR, hospital, {"planned_start": dt.date(1, 1, 1)},
                                expected_version=hospital.version)
    assert "planned_start" in refused.value.errors


def test_a_budget_approved_in_year_1_is_refused(officer, hospital):
    response = officer.post(f"/projects/{hospital.id}/budget", data={
        "new_amount": "9500", "reason": "调整", "approval_number": "X号", "approval_date": "0001-01-01"})
    assert response.status_code == 400
    assert "日期应在 1949-01-01 至 2100-12-31 之间" in response.get_data(as_text=True)


def test_a_report_for_month_0001_is_refused(officer, hospital, db):
    response = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": "0001-01", "invested_month": "5"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(MonthlyReport.id))) == 0


def test_a_9999_milestone_is_refused_and_the_project_page_stands(officer, hospital, db):
    added = officer.post(f"/projects/{hospital.id}/milestones/custom",
                         data={"custom_name": "设备安装", "planned_date": "9999-12-31"})
    assert added.status_code == 400
    assert "日期应在 1949-01-01 至 2100-12-31 之间" in added.get_data(as_text=True)
    assert officer.get(f"/projects/{hospital.id}").status_code == 200


def test_the_milestone_services_refuse_a_date_outside_the_range(hospital, db):
    from tracker.errors import ValidationFailed
    from tracker.progress import services
    from .factories import TEST_ACTOR
    with pytest.raises(ValidationFailed):
        services.add_custom_milestone(TEST_ACTOR, hospital, "设备安装", dt.date(9999, 12, 31))
    milestone = services.add_custom_milestone(TEST_ACTOR, hospital, "设备安装", dt.date(2026, 6, 30))
    with pytest.raises(ValidationFailed) as refused:
        services.update_milestone(TEST_ACTOR, milestone, planned_date=dt.date(1, 1, 1), actual_date=None,
                                  expected_version=milestone.version)
    assert "planned_date" in refused.value.errors


def test_the_figure_a_report_or_the_funding_is_held_to_is_named_as_what_it_is(officer, hospital, db):
    """Before any revision the estimate is the approved 总投资, and the pages say so: the funding
    page's gap and a report over it read "超过概算 9000" while the budget page said 现行概算：未填报."""
    line = officer.post(f"/projects/{hospital.id}/funding", data={"f-source": "central_budget", "f-amount": "3000"})
    assert line.status_code == 302, line.get_data(as_text=True)
    funding = officer.get(f"/projects/{hospital.id}/funding").get_data(as_text=True)
    assert "总投资 9,000 万元（概算未调整）减去资金来源合计" in funding and "现行概算 9,000" not in funding
    last_month = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m")
    over = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": last_month, "invested_month": "100", "invested_total": "9100"}).get_data(as_text=True)
    assert "累计完成投资 9,100 万元超过总投资 9,000 万元（概算未调整）" in over
    revised = officer.post(f"/projects/{hospital.id}/budget", data={
        "new_amount": "9050", "reason": "材料涨价", "approval_number": "龙发改字〔2026〕7号",
        "approval_date": "2026-02-01"})
    assert revised.status_code == 302
    over = officer.post(f"/projects/{hospital.id}/reports/new", data={
        "month": last_month, "invested_month": "100", "invested_total": "9100"}).get_data(as_text=True)
    assert "累计完成投资 9,100 万元超过现行概算 9,050 万元" in over
    assert "现行概算 9,050 万元减去资金来源合计" in officer.get(f"/projects/{hospital.id}/funding").get_data(as_text=True)


def test_an_area_past_its_column_is_told_in_its_own_unit(officer, hospital):
    """An area of 1e13 m² was told "请检查单位（金额以万元计）", of money."""
    form = edit_form(officer, hospital)
    page = submit(officer, hospital, form, floor_area_m2="99999999999999", total_investment="9999999999999").get_data(
        as_text=True)
    assert "数值过大，请检查单位（以m²计）" in page
    assert page.count("数值过大，请检查单位（金额以万元计）") >= 1  # the 总投资 beside it still is money


@pytest.mark.parametrize("written, told", [
    ("2026年", None), ("２０２６", None), (" 2027 ", None),
    ("abc", "年份应为 4 位数字，例如 2026"), ("1900", "年份应在 2000 到 2100 之间"), ("", "请填写年度")])
def test_an_annual_plans_year_is_read_as_people_write_it_or_told_what_a_year_is(officer, hospital, db, written, told):
    """"2026年" in the year of an annual plan was refused as 请填写年度, the field being filled;
    1900 only as 年份无效."""
    response = officer.post(f"/projects/{hospital.id}/funding", data={"a-year": written, "a-planned_investment": "10"})
    if told is None:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert db.session.scalar(sa.select(AnnualPlan.year)) == int(written.strip().replace("年", "").translate(
            str.maketrans("０１２３４５６７８９", "0123456789")))
    else:
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and told in page
        assert "请填写年度" not in page or told == "请填写年度"


def _date_the_start(db, project, actual: dt.date) -> None:
    """The 开工 milestone's actual date, given as on the milestones page."""
    from tracker.audit.services import CLI
    from tracker.progress import services as progress
    start = next(m for m in project.milestones if m.stage and m.stage.value == "start")
    progress.update_milestone(CLI, start, planned_date=start.planned_date, actual_date=actual,
                              expected_version=start.version)
    db.session.commit()


def _saved_page(officer, project, **fields) -> str:
    """The page after an edit of ``fields`` saved (302), its messages on it."""
    saved = submit(officer, project, edit_form(officer, project), **fields)
    assert saved.status_code == 302
    return officer.get(saved.location).get_data(as_text=True)


def test_a_project_entered_as_under_construction_says_which_milestone_makes_it_late(officer, hospital, db):
    """Most projects are already under construction when an office starts with the tracker: one
    entered as 在建 with its planned 开工 past showed 滞后 at once, with nothing said. The officer is
    told which milestone lacks its actual date (not 滞后 for it: its status says it has begun); a
    project not begun whose 开工 is past is late indeed, and is told nothing more."""
    new = _project_form(officer.get("/projects/new").get_data(as_text=True))
    fields = dict(name="龙南市中医院门诊楼建设项目", kind="construction", category="tcm_hospital",
                  region_id=str(hospital.region_id), status="construction", planned_start="2025-03-01",
                  planned_end="2027-12-31")
    with time_machine.travel(dt.datetime(2026, 12, 7, 4, tzinfo=dt.timezone.utc), tick=False):
        made = officer.post("/projects/new", data=MultiDict(new.values(**fields)), follow_redirects=True)
        page = made.get_data(as_text=True)
        assert "项目已创建" in page
        assert "项目状态为“在建”，但节点“开工”（计划 2025-03-01）还没有实际日期：请在本页“更新节点”中填写实际日期" in page
        project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市中医院门诊楼建设项目"))
        # 在建 has passed 开工, dated or not: not 滞后 for it (the dashboard counted it 已开工 beside
        # "开工 overdue 1,011 days"); its 竣工验收 in 2027 is the next it owes.
        assert not project.is_late(dt.date(2026, 12, 7)) and project.next_milestone_due == dt.date(2027, 12, 31)
        waiting = officer.post("/projects/new", data=MultiDict(new.values(**{
            **fields, "name": "龙南市中医院住院楼建设项目", "status": "preparation"})), follow_redirects=True)
        assert "项目已创建" in waiting.get_data(as_text=True) and "还没有实际日期" not in waiting.get_data(as_text=True)
        # Its actual 开工 given on the milestones page, a later save says nothing of it.
        _date_the_start(db, project, dt.date(2025, 4, 2))
        shown = _saved_page(officer, project, total_investment="3000")
        assert "已保存" in shown and "还没有实际日期" not in shown
    # Its 竣工验收 past too (2026-06-30): it is late for it, as the page says, but an officer told to
    # give it an actual date would be told to record a completion that has not happened (a QA walk).
    with time_machine.travel(dt.datetime(2028, 3, 1, 4, tzinfo=dt.timezone.utc), tick=False):
        shown = _saved_page(officer, project, total_investment="3100")
        assert project.is_late(dt.date(2028, 3, 1))
        assert "已保存" in shown and "还没有实际日期" not in shown


def test_a_project_not_begun_whose_start_has_its_actual_date_is_told_so(officer, hospital, db):
    """A QA walk: status 前期 beside an actual 开工 of 2025-03-10 said nothing, while the dashboard
    counted the project 已开工 by its date and the list showed 前期."""
    new = _project_form(officer.get("/projects/new").get_data(as_text=True))
    fields = dict(name="龙南市中医院康复楼建设项目", kind="construction", category="tcm_hospital",
                  region_id=str(hospital.region_id), status="preparation", planned_start="2025-03-01",
                  planned_end="2027-12-31")
    with time_machine.travel(dt.datetime(2026, 12, 7, 4, tzinfo=dt.timezone.utc), tick=False):
        made = officer.post("/projects/new", data=MultiDict(new.values(**fields)), follow_redirects=True)
        assert "项目已创建" in made.get_data(as_text=True)
        project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市中医院康复楼建设项目"))
        _date_the_start(db, project, dt.date(2025, 3, 10))
        shown = _saved_page(officer, project, total_investment="3000")
        assert "已保存" in shown
        assert "节点“开工”已填实际日期 2025-03-10，但项目状态为“前期”：如已开工，请把状态改为“在建”" in shown


def test_more_new_beds_than_beds_is_pointed_out_after_the_save(officer, hospital, db):
    """A QA walk saved 床位 100 beside 新增床位 500 with nothing said."""
    shown = _saved_page(officer, hospital, beds="100", new_beds="500")
    assert "已保存" in shown and "新增床位（500 张）多于床位（100 张）" in shown
    shown = _saved_page(officer, hospital, beds="600", new_beds="500")
    assert "已保存" in shown and "多于床位" not in shown


def test_one_save_shows_every_problem_of_the_form(officer, hospital, db):
    """A QA walk's complaint: beds 12.5, 计划竣工 before 计划开工 and a status changed without a
    reason took three saves to be told, one problem each."""
    form = edit_form(officer, hospital)
    status = "construction" if form.get("status") != "construction" else "completed"
    answer = submit(officer, hospital, form, beds="12.5", planned_start="2027-01-01",
                    planned_end="2026-01-01", status=status, reason="")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for message in ("计划竣工日期不能早于计划开工日期", "变更项目状态时请说明原因"):
        assert message in html, message
    assert re.search(r"整数", html), html[html.find("床位"):][:400]
    assert fresh(db, hospital).beds == hospital.beds

    # The form alone at fault: the service's problems with it. A reason given: no such error.
    answer = submit(officer, hospital, form, beds="12.5", status=status, reason="已开工")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "变更项目状态时请说明原因" not in html


def test_an_impossible_approval_date_is_told_as_one_not_as_missing(officer, hospital):
    """A QA walk's complaint: 批复日期 2026-02-30 was told "请填写批复日期"."""
    answer = officer.post(f"/projects/{hospital.id}/budget", data={
        "new_amount": "9500", "reason": "设计变更", "approval_number": "龙发改〔2026〕1号", "approval_date": "2026-02-30"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "不是有效的日期值" in html and "请填写批复日期" not in html


def test_a_clash_with_a_milestone_grid_save_names_who_saved_it(officer, colleague, hospital, db):
    """A QA walk's complaint: offa has the edit form open, offb saves the 开工 row's planned date
    in the milestone grid, offa saves another 计划开工. The clash table was right but the banner
    said only "其他人已修改了此项目", where a clash with a form edit names "offb 于 … 保存了修改"."""
    from tracker.vocabulary import Stage

    from .test_milestones import row_of, save_grid, with_lifecycle

    with_lifecycle(colleague, hospital)
    form = edit_form(officer, hospital)
    start = row_of(fresh(db, hospital), Stage.START)
    status, html = save_grid(colleague, hospital, **{f"m{start.id}-planned_date": "2026-05-01"})
    assert status == 302, html
    clash = submit(officer, hospital, form, planned_start="2026-07-01")
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    banner = page[page.index('id="conflict"'):]
    banner = re.sub(r"<[^>]+>", "", banner[:banner.index("</p>")])
    assert "其他人已修改了此项目" in banner and "ln-colleague 于" in banner and "保存了修改" in banner
