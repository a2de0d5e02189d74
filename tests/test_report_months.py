"""Monthly reports filed out of order, and the one clock, through the pages (issue 12, items 8, 13)."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from tracker.models import MonthlyReport, Project
from tracker.progress.models import Milestone
from tracker.vocabulary import Stage, Status


# 20:30 on 4 December in UTC is 04:30 on 5 December in Beijing.
EVENING_UTC = dt.datetime(2026, 12, 4, 20, 30, tzinfo=dt.timezone.utc)
# 20:30 on 31 December in UTC is already 1 January in Beijing.
MONTH_TURN_UTC = dt.datetime(2026, 12, 31, 20, 30, tzinfo=dt.timezone.utc)


@pytest.fixture()
def server_in_utc(monkeypatch):
    """The server's own clock runs in UTC, as on most hosts."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def file_report(client, project, month: str, amount: str, **extra) -> None:
    response = client.post(f"/projects/{project.id}/reports/new",
                           data={"month": month, "invested_month": amount, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)


def figures(db, project, month: dt.date) -> tuple[Decimal, Decimal]:
    db.session.expire_all()
    report = db.session.scalar(sa.select(MonthlyReport).where(
        MonthlyReport.project_id == project.id, MonthlyReport.month == month))
    return report.invested_year, report.invested_total


# ---- item 8: a backfilled month recomputes every later month ---------------------------------
# (months of the past whenever the suite runs: written on 2026-12-04)

def test_a_backfilled_month_recomputes_later_months_and_the_project(officer, client, longnan_project, db):
    file_report(officer, longnan_project, "2026-09", "100", invested_total="400")
    file_report(officer, longnan_project, "2026-11", "50")
    assert figures(db, longnan_project, dt.date(2026, 11, 1)) == (Decimal(150), Decimal(450))
    file_report(officer, longnan_project, "2026-10", "30")  # filed late
    assert figures(db, longnan_project, dt.date(2026, 10, 1)) == (Decimal(130), Decimal(430))
    assert figures(db, longnan_project, dt.date(2026, 11, 1)) == (Decimal(180), Decimal(480))
    assert db.session.get(Project, longnan_project.id).invested_to_date == Decimal(480)
    page = client.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert "480" in page


def test_a_month_before_the_first_report_keeps_the_stated_total(officer, longnan_project, db):
    """November stated 400 since the start; October filed afterwards is part of those 400."""
    file_report(officer, longnan_project, "2026-11", "100", invested_total="400")
    file_report(officer, longnan_project, "2026-10", "50")
    assert figures(db, longnan_project, dt.date(2026, 10, 1)) == (Decimal(50), Decimal(300))
    assert figures(db, longnan_project, dt.date(2026, 11, 1)) == (Decimal(150), Decimal(400))
    assert db.session.get(Project, longnan_project.id).invested_to_date == Decimal(400)


def test_a_month_filed_before_the_first_report_cannot_change_its_stated_total(officer, longnan_project, db):
    """November, the first report, stated 500 since the start (100 of it in November): October,
    filed afterwards, holds the 400 before November. Stating 900 for October, or 450 invested in
    October alone, once rewrote November's locked total to 1,000 or 550 without a reason; each is
    refused, saying what October must be and that November is corrected first if it is wrong."""
    file_report(officer, longnan_project, "2026-11", "100", invested_total="500")
    url = f"/projects/{longnan_project.id}/reports/new"
    above = officer.post(url, data={"month": "2026-10", "invested_month": "80", "invested_total": "900"})
    assert above.status_code == 400
    page = above.get_data(as_text=True)
    assert "2026-11 月报的自开工累计 500 减去该月 100，即 400 万元" in page and "请先更正 2026-11 的月报" in page
    beyond = officer.post(url, data={"month": "2026-10", "invested_month": "450"})
    assert beyond.status_code == 400
    assert "本月完成投资不能超过 2026-11 月报累计中此前的 400 万元" in beyond.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReport).where(
        MonthlyReport.project_id == longnan_project.id)) == 1
    assert figures(db, longnan_project, dt.date(2026, 11, 1)) == (Decimal(100), Decimal(500))
    file_report(officer, longnan_project, "2026-10", "80", invested_total="400")  # as it must be
    assert figures(db, longnan_project, dt.date(2026, 10, 1)) == (Decimal(80), Decimal(400))
    assert figures(db, longnan_project, dt.date(2026, 11, 1)) == (Decimal(180), Decimal(500))


def test_the_first_reports_correction_left_without_its_total_keeps_what_was_invested_before_it(
        officer, longnan_project, db):
    """November, the first report, stated 965.5 since the start (300 of it in November); December
    followed. November corrected to 50 with 自开工累计 cleared became 50, and December fell from
    1,015.5 to 100: the 665.5 invested before the tracker was gone, with no word. A blank keeps it;
    a total typed is taken as typed."""
    file_report(officer, longnan_project, "2026-11", "300", invested_total="965.5")
    file_report(officer, longnan_project, "2026-12", "50")
    assert figures(db, longnan_project, dt.date(2026, 12, 1))[1] == Decimal("1015.5")
    version = db.session.scalar(sa.select(MonthlyReport.version).where(
        MonthlyReport.project_id == longnan_project.id, MonthlyReport.month == dt.date(2026, 11, 1)))
    file_report(officer, longnan_project, "2026-11", "50", invested_total="", correction_reason="更正十一月",
                version=str(version))
    assert figures(db, longnan_project, dt.date(2026, 11, 1))[1] == Decimal("715.5")
    assert figures(db, longnan_project, dt.date(2026, 12, 1))[1] == Decimal("765.5")
    assert db.session.get(Project, longnan_project.id).invested_to_date == Decimal("765.5")
    version += 1
    file_report(officer, longnan_project, "2026-11", "50", invested_total="50", correction_reason="此前无投资",
                version=str(version))
    assert figures(db, longnan_project, dt.date(2026, 12, 1))[1] == Decimal("100")


def report_form(client, project, month: str):
    from werkzeug.datastructures import MultiDict

    from .live import forms_in

    page = client.get(f"/projects/{project.id}/reports/new?month={month}").get_data(as_text=True)
    form = next(f for f in forms_in(page) if f.get("version") is not None)
    return lambda **changes: client.post(f"/projects/{project.id}/reports/new", data=MultiDict(
        [(k, v) for k, v in form.values(**changes) if k != "photos"]))


def merged_form(html: str):
    from .live import forms_in
    return next(f for f in forms_in(html) if f.get("version") is not None)


def test_two_officers_correcting_one_month_each_keep_their_change_without_typing_it_again(
        app, officer, make_user, longnan_project, db):
    """ln1 corrects 存在问题, ln2 (form open meanwhile) 下步计划: ln2's save said to refresh, which
    threw away what ln2 typed, and saving again failed the same way. Now ln2's form comes back with
    ln1's change in it and ln2's own kept, at the version saved; saved again, both stand. Had
    both changed 存在问题, ln2 is shown ln1's value beside the field to choose."""
    from .conftest import login_as

    file_report(officer, longnan_project, "2026-11", "100", invested_total="300", problems="无")
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-second"))
    first, second = report_form(officer, longnan_project, "2026-11"), report_form(colleague, longnan_project, "2026-11")
    assert first(problems="钢材涨价", correction_reason="补充问题").status_code == 302
    late = second(next_steps="下月封顶", correction_reason="补充计划")
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "对方的更改已放进表单（存在问题）" in page
    again = merged_form(page)
    assert again.get("problems").strip() == "钢材涨价" and again.get("next_steps").strip() == "下月封顶"
    from werkzeug.datastructures import MultiDict
    saved = colleague.post(f"/projects/{longnan_project.id}/reports/new",
                           data=MultiDict([(k, v) for k, v in again.values() if k != "photos"]))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    report = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == longnan_project.id))
    assert (report.problems, report.next_steps, report.invested_total) == ("钢材涨价", "下月封顶", Decimal(300))

    # Both change 存在问题: the later one keeps his value and sees the other's beside it.
    first, second = report_form(officer, longnan_project, "2026-11"), report_form(colleague, longnan_project, "2026-11")
    assert first(problems="雨季停工", correction_reason="更新").status_code == 302
    clash = second(problems="设计变更", correction_reason="更新")
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "其他人已改为“雨季停工”" in page and merged_form(page).get("problems").strip() == "设计变更"
    assert "与您改了同一处" in page and "（无）" not in page


# ---- item 13: one clock, Beijing's -------------------------------------------------------------

def test_this_month_can_be_filed_when_beijing_has_turned_the_month(server_in_utc, officer, longnan_project, db):
    with time_machine.travel(MONTH_TURN_UTC, tick=False):
        page = officer.get(f"/projects/{longnan_project.id}/reports/new").get_data(as_text=True)
        assert 'value="2027-01"' in page  # the form proposes Beijing's month
        response = officer.post(f"/projects/{longnan_project.id}/reports/new",
                                data={"month": "2027-01", "invested_month": "10", "invested_total": "10"})
        assert response.status_code == 302, "不能填报未来月份" in response.get_data(as_text=True)


def test_a_milestone_due_yesterday_in_beijing_is_late_in_the_evening_utc(server_in_utc, client, db):
    from . import factories
    project = factories.project(name="昨日到期的项目", status=Status.CONSTRUCTION)
    db.session.add(Milestone(project_id=project.id, stage=Stage.TOPPING_OUT,
                             planned_date=dt.date(2026, 12, 4)))
    db.session.commit()
    with time_machine.travel(EVENING_UTC, tick=False):
        html = client.get("/dashboard").get_data(as_text=True)
        late = re.search(r'<table class="late-projects">.*?</table>', html, re.S)
        assert late and "昨日到期的项目" in late.group(0)
        assert "昨日到期的项目" in client.get("/projects?late=1").get_data(as_text=True)


def test_not_reported_this_month_follows_beijings_month(server_in_utc, client, db):
    from . import factories
    project = factories.project(name="十二月已报的项目", status=Status.CONSTRUCTION)
    project.last_report_month = dt.date(2026, 12, 1)
    db.session.commit()
    with time_machine.travel(MONTH_TURN_UTC, tick=False):
        html = client.get("/dashboard").get_data(as_text=True)
        assert "十二月已报的项目" in html  # Beijing is in January: December's report is not this month's


def test_the_briefing_prints_beijing_time(server_in_utc, client, seeded):
    with time_machine.travel(EVENING_UTC, tick=False):
        pdf = client.get("/dashboard/briefing.pdf?region=360783")
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text())
    assert "生成：2026-12-0504:30" in text and "日期：2026-12-05" in text
