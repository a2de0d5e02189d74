"""An officer's month in the tracker, through the pages, as issue 4 describes it."""

import datetime as dt
import re
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from tracker.core import clock
from tracker.audit.models import AuditEntry
from tracker.models import MonthlyReport, Project
from tracker.progress.models import BudgetRevision
from tracker.vocabulary import Stage

from .conftest import login_as

THIS_MONTH = clock.today().replace(day=1)


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(buffer, "PNG")
    return buffer.getvalue()


def test_officer_files_a_report_with_a_photo_and_sees_it(officer, longnan_project, db):
    response = officer.post(f"/projects/{longnan_project.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "progress_text": "主体结构施工至5层",
        "physical_percent": "35", "invested_month": "120.5", "invested_total": "400",
        "photos": (io.BytesIO(png_bytes()), "site.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == longnan_project.id))
    assert report.invested_total == Decimal("400") and len(report.photos) == 1
    page = officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert "主体结构施工至5层" in page and f"/photos/{report.photos[0].id}/thumb" in page
    thumb = officer.get(f"/photos/{report.photos[0].id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_a_fake_photo_is_refused_and_nothing_is_saved(officer, longnan_project, db):
    response = officer.post(f"/projects/{longnan_project.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": "1",
        "photos": (io.BytesIO(b"<script>alert(1)</script>"), "evil.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "不是有效的图片文件" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MonthlyReport.id))) == 0


def test_the_form_keeps_what_was_typed_when_a_rule_fails(officer, longnan_project):
    response = officer.post(f"/projects/{longnan_project.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "progress_text": "基础施工完成",
        "physical_percent": "120", "invested_month": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "工程进度应在 0 到 100 之间" in html or "0 到 100" in html or "最多" in html or "120" in html
    assert "基础施工完成" in html


def test_officer_updates_a_milestone(officer, longnan_project, db):
    officer.post(f"/projects/{longnan_project.id}/milestones/custom",
                 data={"custom_name": "设备安装", "planned_date": "2025-06-30"})
    milestone = [m for m in longnan_project.milestones if m.custom_name == "设备安装"][0]
    response = officer.post(f"/projects/{longnan_project.id}/milestones", data={
        f"m{milestone.id}-planned_date": "2025-06-30", f"m{milestone.id}-actual_date": "2025-07-02",
        f"m{milestone.id}-note": "", f"m{milestone.id}-delay_reason": "设备到货延迟",
        f"m{milestone.id}-version": str(milestone.version)})
    assert response.status_code == 302
    db.session.refresh(milestone)
    assert milestone.actual_date == dt.date(2025, 7, 2) and milestone.delay_reason == "设备到货延迟"


def test_officer_revises_the_budget_and_earlier_figures_stay(officer, longnan_project, db):
    response = officer.post(f"/projects/{longnan_project.id}/budget", data={
        "new_amount": "1500", "reason": "增加检验设备", "approval_number": "龙发改字〔2024〕8号",
        "approval_date": "2024-09-01"})
    assert response.status_code == 302
    page = officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert "龙发改字〔2024〕8号" in page and "1,320" in page and "1,500" in page
    assert db.session.scalar(sa.select(BudgetRevision.previous_amount)) == Decimal("1320")


def test_a_budget_revision_sent_again_is_kept_once(officer, longnan_project, db):
    """The form sent again from the Back button made a second revision of the same approval. (A
    revision to 0, a cancelled project's, stays accepted: test_project_form.py.)"""
    url = f"/projects/{longnan_project.id}/budget"
    sent = {"new_amount": "1500", "reason": "增加检验设备", "approval_number": "龙发改〔2026〕2号",
            "approval_date": "2026-01-05"}
    assert officer.post(url, data=sent).status_code == 302
    assert officer.post(url, data=sent).status_code == 302  # Back, then 保存 again
    revisions = db.session.scalars(sa.select(BudgetRevision).where(BudgetRevision.project_id == longnan_project.id)).all()
    assert [(r.previous_amount, r.new_amount) for r in revisions] == [(Decimal("1320"), Decimal("1500"))]


def test_every_change_of_the_flow_is_audited_as_web(officer, longnan_project, db, make_user):
    officer.post(f"/projects/{longnan_project.id}/budget", data={
        "new_amount": "1400", "reason": "调整", "approval_number": "X号", "approval_date": "2024-01-02"})
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "budget:revise")).one()
    assert entry.via == "web" and entry.user.username == "ln-officer"
    # the estimate before any revision is the approved total (1,320 万元, Longnan's table 6)
    assert entry.changes["current_estimate"] == ["1320", "1400"] and entry.reason == "调整"


def test_officer_of_another_region_gets_403(app, make_user, longnan_project):
    client = app.test_client()
    login_as(client, make_user("officer", "441700", username="yj-officer"))
    for url in (f"/projects/{longnan_project.id}/edit", f"/projects/{longnan_project.id}/milestones",
                f"/projects/{longnan_project.id}/reports/new", f"/projects/{longnan_project.id}/budget",
                f"/projects/{longnan_project.id}/funding"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/projects/{longnan_project.id}/budget", data={
        "new_amount": "1", "reason": "x", "approval_number": "x", "approval_date": "2024-01-01"}).status_code == 403
    assert client.get(f"/projects/{longnan_project.id}").status_code == 200  # reads the rest


def test_a_city_officer_edits_his_counties_projects(app, make_user, longnan_project):
    client = app.test_client()
    login_as(client, make_user("officer", "360700", username="gz-officer"))
    assert client.get(f"/projects/{longnan_project.id}/edit").status_code == 200


def test_a_leader_reads_everything_and_changes_nothing(client, longnan_project):
    assert client.get(f"/projects/{longnan_project.id}").status_code == 200
    assert "编辑项目" not in client.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert client.get(f"/projects/{longnan_project.id}/edit").status_code == 403
    assert client.post(f"/projects/{longnan_project.id}/reports/new",
                       data={"month": THIS_MONTH.strftime("%Y-%m"), "invested_month": "1"}).status_code == 403
    assert client.get("/projects/new").status_code == 403


def test_officer_creates_a_project_with_the_standard_lifecycle(officer, db):
    from tracker.models import Region
    region = db.session.scalar(sa.select(Region).where(Region.key == "360783"))
    response = officer.post("/projects/new", data={
        "name": "龙南市急救中心", "region_id": str(region.id), "kind": "construction",
        "category": "emergency_120", "build_nature": "new", "status": "", "total_investment": "800",
        "add_lifecycle": "y"})
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市急救中心"))
    assert [m.stage for m in project.milestones] == list(Stage)


def test_officer_cannot_create_outside_his_regions(officer, db):
    from tracker.models import Region
    region = db.session.scalar(sa.select(Region).where(Region.key == "441700"))
    response = officer.post("/projects/new", data={
        "name": "越权项目", "region_id": str(region.id), "kind": "construction", "category": "other"})
    assert response.status_code in (400, 403)
    assert db.session.scalar(sa.select(Project).where(Project.name == "越权项目")) is None


def test_two_officers_editing_the_same_project_second_is_refused_and_shown(officer, app, make_user,
                                                                         longnan_project, db):
    other = app.test_client()
    login_as(other, make_user("officer", "360783", username="ln-officer-2"))
    base = {"name": longnan_project.name, "region_id": str(longnan_project.region_id),
            "kind": "construction", "category": "cdc", "build_nature": "new", "status": "",
            "version": str(longnan_project.version)}
    first = officer.post(f"/projects/{longnan_project.id}/edit", data={**base, "owner_unit": "龙南市疾控中心"})
    assert first.status_code == 302
    second = other.post(f"/projects/{longnan_project.id}/edit", data={**base, "owner_unit": "另一个单位"})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "其他人已修改了此项目" in html and "龙南市疾控中心" in html
    db.session.expire_all()
    assert db.session.get(Project, longnan_project.id).owner_unit == "龙南市疾控中心"


@pytest.mark.parametrize("percent", ["1,234.5", "99999999999", "1" + "0" * 40])
def test_a_percentage_far_out_of_range_is_told_its_range_not_a_unit_of_money(officer, longnan_project, percent):
    """工程进度 1,234.5 or 99999999999 said "数值过大，请检查单位（金额以万元计）": a percentage has no 万元."""
    response = officer.post(f"/projects/{longnan_project.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "physical_percent": percent, "invested_month": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "工程进度应在 0 到 100 之间" in html and "金额以万元计" not in html


def test_a_new_report_for_a_month_a_colleague_filed_meanwhile_keeps_what_he_filed(officer, app, make_user,
                                                                                 longnan_project, db):
    """A QA walk's complaint: both opened 填报 for 2026-10; A filed 形象进度 and 存在问题 "资金未到位";
    B's report was refused as a correction wanting its reason, his form as typed and none of A's
    values; with the reason typed it replaced A's report and 存在问题 was blank."""
    from werkzeug.datastructures import MultiDict

    from .live import forms_in

    month = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m")
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-first-filer"))
    url = f"/projects/{longnan_project.id}/reports/new?month={month}"
    loaded = [f for f in forms_in(officer.get(url).get_data(as_text=True)) if f.method == "post" and f.action != "/logout"][0]
    filed = colleague.post(url, data={"month": month, "progress_text": "桩基施工", "problems": "资金未到位",
                                      "invested_month": "30"})
    assert filed.status_code == 302
    refused = officer.post(url, data=MultiDict(loaded.values(progress_text="主体施工", invested_month="50")))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "已由 ln-first-filer 提交" in html, html[:3000]
    [again] = [f for f in forms_in(html) if f.method == "post" and f.action != "/logout"]
    assert again.get("problems") == "资金未到位" and again.get("progress_text") == "主体施工"
    assert "其他人已改为“桩基施工”" in html  # both wrote 形象进度: his kept, hers shown
    saved = officer.post(url, data=MultiDict(again.values(correction_reason="补充本月投资")))
    assert saved.status_code == 302
    db.session.expire_all()
    report = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == longnan_project.id,
                                                              MonthlyReport.month == dt.date.fromisoformat(month + "-01")))
    assert (report.problems, report.progress_text, report.invested_month) == ("资金未到位", "主体施工", Decimal("50"))


def test_a_photo_added_to_a_filed_month_is_in_the_trail_with_its_reason(officer, longnan_project, db):
    """A QA walk's complaint: a photo added to a filed month with 更正原因 "补一张现场照片" was
    saved, but nothing in 变更记录 said who added it, and the reason was lost."""
    month = THIS_MONTH.strftime("%Y-%m")
    url = f"/projects/{longnan_project.id}/reports/new"
    assert officer.post(url, data={"month": month, "progress_text": "基础施工", "invested_month": "10"}).status_code == 302
    added = officer.post(url, data={"month": month, "progress_text": "基础施工", "invested_month": "10",
                                    "correction_reason": "补一张现场照片",
                                    "photos": (io.BytesIO(png_bytes()), "site.png")}, content_type="multipart/form-data")
    assert added.status_code == 302, added.get_data(as_text=True)[:2000]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "report:photos"))
    assert entry is not None and entry.user.username == "ln-officer" and entry.reason == "补一张现场照片"
    assert entry.changes["photos"] == [None, ["site.png"]]
    history = officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert f"为 {month} 月报上传现场照片 1 张" in history


def test_his_own_report_sent_again_is_told_as_his_not_another_officers(officer, longnan_project, db):
    """Pressing Back after 已提交 and saving again (or retrying after the line dropped once the
    server had saved) said the month "已由 ln-off 提交…对方填写…其他人已改为“500”", naming him
    as someone else, and read as a failure although his first report was saved."""
    from werkzeug.datastructures import MultiDict

    from .live import forms_in

    month = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m")
    url = f"/projects/{longnan_project.id}/reports/new?month={month}"
    loaded = [f for f in forms_in(officer.get(url).get_data(as_text=True)) if f.method == "post" and f.action != "/logout"][0]
    assert officer.post(url, data=MultiDict(loaded.values(progress_text="主体施工", invested_month="500"))).status_code == 302
    again = officer.post(url, data=MultiDict(loaded.values(progress_text="主体施工", invested_month="600")))
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert re.search(rf"您已于 \d{{4}}-\d\d-\d\d \d\d:\d\d 提交 {month} 的月报", html), html[:3000]
    assert "其他人" not in html and "对方" not in html
    [form] = [f for f in forms_in(html) if f.method == "post" and f.action != "/logout"]
    assert form.get("invested_month") == "600"  # his typing kept, to correct with a reason


def test_a_required_figure_of_spaces_is_refused_as_missing_and_0_is_a_figure(officer, longnan_project, db):
    """本月完成投资 " " (required) was saved as 未填报, the month missing from every total."""
    url = f"/projects/{longnan_project.id}/reports/new"
    month = THIS_MONTH.strftime("%Y-%m")
    blank = officer.post(url, data={"month": month, "progress_text": "主体施工", "invested_month": "  "})
    assert blank.status_code == 400 and "请填写本月完成投资，没有则填 0" in blank.get_data(as_text=True)
    assert db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == longnan_project.id,
                                                            MonthlyReport.month == THIS_MONTH)) is None
    assert officer.post(url, data={"month": month, "progress_text": "主体施工", "invested_month": "0"}).status_code == 302


def test_a_refused_report_names_every_figure_in_error_at_once(officer, longnan_project):
    """本月完成投资 abc, 工程进度 150: the first save named 本月完成投资 alone, 工程进度 only on a later
    one (three slow round trips on a county's line)."""
    response = officer.post(f"/projects/{longnan_project.id}/reports/new", data={
        "month": THIS_MONTH.strftime("%Y-%m"), "invested_month": "abc", "physical_percent": "150",
        "paid": "-5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "工程进度应在 0 到 100 之间" in html and "不能为负数" in html, html[html.find("error-summary"):][:1500]
    assert "应为数字" in html  # 本月完成投资's own


def test_a_first_reports_since_start_figure_filed_meanwhile_is_compared_not_replaced(officer, app, make_user,
                                                                                      longnan_project, db):
    """Two officers filed a project's first month: the second's 自开工累计 50 replaced the first's 30
    with a reason typed, the two figures never shown side by side."""
    from werkzeug.datastructures import MultiDict

    from .live import forms_in

    month = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m")
    url = f"/projects/{longnan_project.id}/reports/new?month={month}"
    loaded = [f for f in forms_in(officer.get(url).get_data(as_text=True)) if f.method == "post" and f.action != "/logout"][0]
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-first"))
    first = colleague.post(url, data={"month": month, "progress_text": "基础", "invested_month": "3",
                                      "invested_total": "30"})
    assert first.status_code == 302, re.findall(r'field-error[^>]*>([^<]*)', first.get_data(as_text=True))
    refused = officer.post(url, data=MultiDict(loaded.values(progress_text="基础", invested_month="3",
                                                             invested_total="50")))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "其他人已改为“30”" in html
    assert "（）" not in html and "（无）" not in html  # nothing was put in the form: no empty list
