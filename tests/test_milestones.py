"""An officer's milestones, through the pages, as issue 12 describes the complaints.

Seeded project → the standard lifecycle in one save → a re-plan → the dashboard, the briefing and
the project page show the slip against the first planned date.
"""

from __future__ import annotations

import datetime as dt
import io
import html as html_module
import re

import pytest
from pypdf import PdfReader

from tracker.core import clock
from tracker.models import Project
from tracker.progress.models import Milestone
from tracker.vocabulary import Stage

from .conftest import login_as

def grid(html: str) -> dict[str, str]:
    """The milestone page's inputs: name → value."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            found[name.group(1)] = html_module.unescape(value.group(1)) if value else ""
    return found


def row_of(project: Project, stage: Stage) -> Milestone:
    return next(m for m in project.milestones if m.stage == stage)


def save_grid(client, project: Project, **typed) -> tuple[int, str]:
    """Press the page's one 保存 with what the page shows, changed by ``typed``."""
    page = client.get(f"/projects/{project.id}/milestones").get_data(as_text=True)
    data = {name: value for name, value in grid(page).items() if name != "csrf_token"}
    data.update(typed)
    response = client.post(f"/projects/{project.id}/milestones", data=data)
    return response.status_code, response.get_data(as_text=True)


def with_lifecycle(client, project: Project) -> None:
    response = client.post(f"/projects/{project.id}/milestones/lifecycle")
    assert response.status_code == 302, response.get_data(as_text=True)


# ---- item 1: no false conflict banner --------------------------------------------------------

def test_the_milestone_page_shows_no_conflict_banner_on_a_visit_or_after_a_save(officer, longnan_project, db):
    with_lifecycle(officer, longnan_project)
    html = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    assert "保存未成功" not in html
    start = row_of(longnan_project, Stage.START)
    status, _html = save_grid(officer, longnan_project, **{f"m{start.id}-planned_date": "2025-03-01"})
    assert status == 302
    html = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    assert "保存未成功" not in html and "已保存" in html


# ---- item 4: the standard lifecycle for seeded projects, one fact for planned start/end ----

def test_a_seeded_project_gets_the_standard_lifecycle_in_one_action(officer, longnan_project, db):
    assert longnan_project.milestones == []
    html = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    assert "添加标准建设节点" in html
    with_lifecycle(officer, longnan_project)
    db.session.expire_all()
    assert [m.stage for m in db.session.get(Project, longnan_project.id).milestones] == list(Stage)
    html = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    assert "添加标准建设节点" not in html  # nothing left to add


def test_planned_start_and_end_are_the_start_and_acceptance_milestones(officer, longnan_project, db, client):
    """The project form's 计划开工/计划竣工 and the 开工/竣工验收 milestones are one fact."""
    edit = officer.get(f"/projects/{longnan_project.id}/edit").get_data(as_text=True)
    data = {name: value for name, value in grid(edit).items() if name != "csrf_token"}
    for select in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', edit, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                           select[1])
        data[select[0]] = next((g for g in chosen.groups() if g), "") if chosen else ""
    for area in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', edit, re.S):
        data[area[0]] = area[1].strip()
    data.update(planned_start="2024-03-01", planned_end="2026-06-30")
    response = officer.post(f"/projects/{longnan_project.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    project = db.session.get(Project, longnan_project.id)
    assert row_of(project, Stage.START).planned_date == dt.date(2024, 3, 1)
    assert row_of(project, Stage.ACCEPTANCE).planned_date == dt.date(2026, 6, 30)
    # 开工率 counts the project now that its 开工 milestone carries the planned date.
    dashboard = client.get("/dashboard?region=360783&year=2024").get_data(as_text=True)
    rate = re.search(r'<div class="label">开工率</div>\s*<div class="value">(.*?)</div>', dashboard, re.S)
    assert rate and "—" not in rate.group(1)
    # Moving the 竣工验收 milestone moves the project's 计划竣工: no second truth to drift.
    acceptance = row_of(project, Stage.ACCEPTANCE)
    status, html = save_grid(officer, project, **{f"m{acceptance.id}-planned_date": "2026-09-30"})
    assert status == 302, html
    db.session.expire_all()
    assert db.session.get(Project, longnan_project.id).planned_end == dt.date(2026, 9, 30)
    assert "2026-09-30" in officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)


# ---- item 5: one grid, one save, nothing lost ------------------------------------------------

def test_three_rows_filled_and_one_save_keeps_all_three(officer, longnan_project, db):
    with_lifecycle(officer, longnan_project)
    start, top, done = (row_of(longnan_project, s) for s in (Stage.START, Stage.TOPPING_OUT, Stage.ACCEPTANCE))
    status, html = save_grid(officer, longnan_project, **{
        f"m{start.id}-planned_date": "2024-03-01", f"m{start.id}-actual_date": "2024-04-10",
        f"m{top.id}-planned_date": "2025-06-30",
        f"m{done.id}-planned_date": "2025-12-31", f"m{done.id}-note": "含室外工程"})
    assert status == 302, html
    db.session.expire_all()
    project = db.session.get(Project, longnan_project.id)
    assert row_of(project, Stage.START).actual_date == dt.date(2024, 4, 10)
    assert row_of(project, Stage.TOPPING_OUT).planned_date == dt.date(2025, 6, 30)
    assert row_of(project, Stage.ACCEPTANCE).note == "含室外工程"


def test_one_wrong_row_saves_nothing_and_every_typed_value_stays_on_the_page(officer, longnan_project, db):
    with_lifecycle(officer, longnan_project)
    start, top, done = (row_of(longnan_project, s) for s in (Stage.START, Stage.TOPPING_OUT, Stage.ACCEPTANCE))
    status, html = save_grid(officer, longnan_project, **{
        f"m{start.id}-planned_date": "2024-03-01",
        f"m{top.id}-planned_date": "2023-01-01",  # before 开工: refused, on its row
        f"m{done.id}-planned_date": "2025-12-31", f"m{done.id}-note": "含室外工程"})
    assert status == 400
    assert "计划日期早于前一节点「开工」" in html
    typed = grid(html)
    assert typed[f"m{start.id}-planned_date"] == "2024-03-01"
    assert typed[f"m{top.id}-planned_date"] == "2023-01-01"
    assert typed[f"m{done.id}-note"] == "含室外工程"
    # the error sits in the 主体封顶 row
    row = re.search(rf'<tr[^>]*id="m{top.id}".*?</tr>', html, re.S).group(0)
    assert "计划日期早于前一节点" in row
    # An error summary at the top, focused on load (forms.js), links to the field at fault: on a
    # phone the row may be screens below, and the focus stayed at the top of the page.
    summary = re.search(r'<section class="flash error error-summary"[^>]*tabindex="-1".*?</section>', html, re.S)
    assert summary and f'href="#m{top.id}-planned_date"' in summary.group(0) and "forms.js" in html
    db.session.expire_all()
    assert all(m.planned_date is None for m in db.session.get(Project, longnan_project.id).milestones)


def test_a_row_someone_else_changed_is_reported_and_nothing_is_saved(officer, app, make_user, longnan_project, db):
    with_lifecycle(officer, longnan_project)
    start, done = row_of(longnan_project, Stage.START), row_of(longnan_project, Stage.ACCEPTANCE)
    mine = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    other = app.test_client()
    login_as(other, make_user("officer", "360783", username="ln-officer-2"))
    status, _html = save_grid(other, longnan_project, **{f"m{done.id}-planned_date": "2026-06-30"})
    assert status == 302
    data = {name: value for name, value in grid(mine).items() if name != "csrf_token"}
    data.update({f"m{start.id}-planned_date": "2024-03-01", f"m{done.id}-planned_date": "2026-12-31"})
    response = officer.post(f"/projects/{longnan_project.id}/milestones", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "其他人已修改" in html and "竣工验收" in html and "ln-officer-2" in html
    alert = re.search(r'<section class="flash error" role="alert">.*?</section>', html, re.S).group(0)
    assert "planned_date" not in alert and "计划日期" in alert  # labels, not field names
    shown = grid(html)
    assert shown[f"m{start.id}-planned_date"] == "2024-03-01"  # my other row is kept on the page
    assert shown[f"m{done.id}-planned_date"] == "2026-06-30"  # the other's value, ready to keep
    assert "2026-12-31" in html  # and what I typed, shown beside it
    db.session.expire_all()
    project = db.session.get(Project, longnan_project.id)
    assert row_of(project, Stage.START).planned_date is None
    assert row_of(project, Stage.ACCEPTANCE).planned_date == dt.date(2026, 6, 30)
    # Saving again now keeps both.
    response = officer.post(f"/projects/{longnan_project.id}/milestones",
                            data={name: value for name, value in shown.items() if name != "csrf_token"})
    assert response.status_code == 302
    db.session.expire_all()
    assert row_of(db.session.get(Project, longnan_project.id), Stage.START).planned_date == dt.date(2024, 3, 1)


# ---- item 6: re-planning keeps the baseline --------------------------------------------------

def test_replanning_shows_the_slip_against_the_first_planned_date_everywhere(officer, client, longnan_project, db):
    """竣工验收 planned for 2025-12-31, moved to 2026-10-31: still late from 2025-12-31 (338 days on
    2026-12-04, the day this was written), not from the new date."""
    with_lifecycle(officer, longnan_project)
    done = row_of(longnan_project, Stage.ACCEPTANCE)
    assert save_grid(officer, longnan_project, **{f"m{done.id}-planned_date": "2025-12-31"})[0] == 302
    assert save_grid(officer, longnan_project, **{f"m{done.id}-planned_date": "2026-10-31"})[0] == 302
    db.session.expire_all()
    milestone = db.session.get(Milestone, done.id)
    assert (milestone.baseline_date, milestone.replan_count) == (dt.date(2025, 12, 31), 1)
    days = (clock.today() - dt.date(2025, 12, 31)).days  # 338 on 2026-12-04

    dashboard = client.get("/dashboard?region=360783").get_data(as_text=True)
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(longnan_project.name)}.*?</tr>", dashboard, re.S)
    assert row and "原计划 2025-12-31，已调整 1 次" in row.group(0)
    assert f">{days}<" in row.group(0)  # days late against the first plan
    project_page = client.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert "原计划 2025-12-31，已调整 1 次" in project_page and f"滞后 {days} 天" in project_page
    milestones_page = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    assert "原计划 2025-12-31，已调整 1 次" in milestones_page and f"滞后 {days} 天" in milestones_page
    listing = client.get("/projects?region=360783&late=1").get_data(as_text=True)
    assert longnan_project.name in listing and f"滞后 {days} 天" in listing
    pdf = client.get("/dashboard/briefing.pdf?region=360783")
    flat = re.sub(r"\s+", "", PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text())
    assert "原计划2025-12-31，已调整1次" in flat and f"已逾期{days}天" in flat


def test_the_first_planned_date_of_a_new_milestone_is_its_baseline_not_a_replan(officer, longnan_project, db):
    officer.post(f"/projects/{longnan_project.id}/milestones/custom",
                 data={"custom_name": "设备安装", "planned_date": "2025-06-30"})
    db.session.expire_all()
    milestone = next(m for m in db.session.get(Project, longnan_project.id).milestones if m.custom_name)
    assert (milestone.baseline_date, milestone.replan_count) == (dt.date(2025, 6, 30), 0)


def test_the_project_forms_planned_start_follows_the_lifecycle_order(officer, longnan_project, db):
    """计划开工 on the project form is the 开工 milestone's date: the milestone page's rules apply."""
    with_lifecycle(officer, longnan_project)
    top = row_of(longnan_project, Stage.TOPPING_OUT)
    assert save_grid(officer, longnan_project, **{f"m{top.id}-planned_date": "2025-06-30"})[0] == 302
    from tracker.projects import services as project_services
    from tracker.errors import ValidationFailed
    from tests.factories import TEST_ACTOR
    db.session.expire_all()
    project = db.session.get(Project, longnan_project.id)
    with pytest.raises(ValidationFailed) as refused:
        project_services.update_project(TEST_ACTOR, project, {"planned_start": dt.date(2025, 9, 1)},
                                         expected_version=project.version)
    assert "计划日期晚于后一节点「主体封顶」" in " ".join(refused.value.errors["planned_start"])


def test_a_custom_milestone_sent_again_or_added_by_two_officers_is_one(officer, longnan_project, db):
    """A QA walk's complaint: "环评批复" added, then the form sent again from the Back button,
    made two rows (ids 53 and 54); two officers adding "节能审查" at once made two too."""
    url = f"/projects/{longnan_project.id}/milestones/custom"
    data = {"custom_name": "环评批复", "planned_date": "2026-02-01"}
    assert officer.post(url, data=data).status_code == 302
    again = officer.post(url, data={**data, "custom_name": " 环评 批复"}, follow_redirects=True)
    assert "本项目已有节点「环评批复」（计划 2026-02-01）" in again.get_data(as_text=True)
    db.session.expire_all()
    names = [m.name for m in db.session.get(Project, longnan_project.id).milestones]
    assert names.count("环评批复") == 1, names


def test_another_field_of_a_row_someone_else_changed_is_saved_with_his_change(officer, app, make_user,
                                                                              longnan_project, db):
    """A QA walk's complaint: A set a row's 实际日期; B, whose page was loaded before, wrote only
    that row's 滞后原因: refused, and his reason taken out of its box. Different fields of one row
    are no conflict: both are kept."""
    with_lifecycle(officer, longnan_project)
    start = row_of(longnan_project, Stage.START)
    mine = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    other = app.test_client()
    login_as(other, make_user("officer", "360783", username="ln-officer-3"))
    assert save_grid(other, longnan_project, **{f"m{start.id}-planned_date": "2024-03-01",
                                                f"m{start.id}-actual_date": "2024-04-01"})[0] == 302
    data = {name: value for name, value in grid(mine).items() if name != "csrf_token"}
    data[f"m{start.id}-delay_reason"] = "征地未完成"
    response = officer.post(f"/projects/{longnan_project.id}/milestones", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    row = row_of(db.session.get(Project, longnan_project.id), Stage.START)
    assert (row.actual_date, row.delay_reason) == (dt.date(2024, 4, 1), "征地未完成")


# ---- a custom milestone corrected or deleted (a QA walk: "环评批复" mistyped stayed for good) ----

def version_on(html: str) -> str:
    found = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html)
    assert found, html
    return found.group(1) or found.group(2)


def test_a_mistyped_custom_milestone_is_deleted_with_a_reason_and_the_project_is_no_longer_late(
        app, officer, longnan_project, db):
    """A custom milestone added by mistake (its planned date long past: 滞后) stayed on the
    project for good, the project 滞后 with it. Its row in the grid links to a confirmation page
    with a reason; deleting it is in the trail, and the project's kept figures follow (its next
    due date, the region's late count)."""
    from tracker.portfolio import kept

    with_lifecycle(officer, longnan_project)
    url = f"/projects/{longnan_project.id}/milestones/custom"
    assert officer.post(url, data={"custom_name": "环评批复", "planned_date": "2001-02-03"}).status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, longnan_project.id)
    custom = next(m for m in project.milestones if m.custom_name == "环评批复")
    assert project.next_milestone_due == dt.date(2001, 2, 3)

    page = officer.get(f"/projects/{project.id}/milestones").get_data(as_text=True)
    delete_url = f"/projects/{project.id}/milestones/{custom.id}/delete"
    assert f'href="{delete_url}"' in page
    standard = row_of(project, Stage.START)
    assert f"/milestones/{standard.id}/delete" not in page  # a standard row has no 删除

    confirm = officer.get(delete_url)
    assert confirm.status_code == 200 and "环评批复" in confirm.get_data(as_text=True)
    done = officer.post(delete_url, data={"reason": "误录，本项目无需环评",
                                          "version": version_on(confirm.get_data(as_text=True))})
    assert done.status_code == 302 and done.location.endswith(f"/projects/{project.id}/milestones")
    assert "已删除节点「环评批复」" in officer.get(done.location).get_data(as_text=True)

    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert db.session.get(Milestone, custom.id) is None
    assert "环评批复" not in [m.name for m in project.milestones]
    assert project.next_milestone_due != dt.date(2001, 2, 3)
    connection = db.session.connection()
    assert kept.stored(connection) == kept.computed(connection)
    history = re.sub(r"<[^>]+>", "", officer.get(f"/projects/{project.id}").get_data(as_text=True))
    assert "删除节点：环评批复" in history and "误录，本项目无需环评" in history


def test_a_standard_milestone_is_not_deletable_and_says_so(officer, longnan_project, db):
    with_lifecycle(officer, longnan_project)
    start = row_of(longnan_project, Stage.START)
    url = f"/projects/{longnan_project.id}/milestones/{start.id}/delete"
    asked = officer.get(url)
    assert asked.status_code == 200 and "标准建设节点不能删除" in asked.get_data(as_text=True)
    refused = officer.post(url, data={"reason": "x", "version": str(start.version)})
    assert refused.status_code == 400 and "标准建设节点不能删除" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Milestone, start.id) is not None


def test_a_custom_milestones_name_is_corrected_and_audited(officer, longnan_project, db):
    url = f"/projects/{longnan_project.id}/milestones/custom"
    assert officer.post(url, data={"custom_name": "环平批复", "planned_date": "2026-02-01"}).status_code == 302
    db.session.expire_all()
    custom = next(m for m in db.session.get(Project, longnan_project.id).milestones if m.custom_name == "环平批复")
    page = officer.get(f"/projects/{longnan_project.id}/milestones").get_data(as_text=True)
    rename_url = f"/projects/{longnan_project.id}/milestones/{custom.id}/rename"
    assert f'href="{rename_url}"' in page
    form = officer.get(rename_url).get_data(as_text=True)
    saved = officer.post(rename_url, data={"custom_name": "环评批复", "reason": "错别字",
                                           "version": version_on(form)})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Milestone, custom.id).custom_name == "环评批复"
    history = re.sub(r"<[^>]+>", "", officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True))
    assert "环平批复 → 环评批复" in history and "错别字" in history
    # Another milestone's name is refused, as when adding one.
    with_lifecycle(officer, longnan_project)
    clash = officer.post(rename_url, data={"custom_name": "开工",
                                           "version": version_on(officer.get(rename_url).get_data(as_text=True))})
    assert clash.status_code == 400 and "本项目已有节点「开工」" in clash.get_data(as_text=True)


def test_a_deletion_after_a_colleague_renamed_the_milestone_is_refused_and_a_deleted_one_says_who(
        app, make_user, officer, longnan_project, db):
    url = f"/projects/{longnan_project.id}/milestones/custom"
    assert officer.post(url, data={"custom_name": "节能审查", "planned_date": "2026-02-01"}).status_code == 302
    db.session.expire_all()
    custom = next(m for m in db.session.get(Project, longnan_project.id).milestones if m.custom_name == "节能审查")
    delete_url = f"/projects/{longnan_project.id}/milestones/{custom.id}/delete"
    shown = version_on(officer.get(delete_url).get_data(as_text=True))
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-colleague"))
    rename_url = f"/projects/{longnan_project.id}/milestones/{custom.id}/rename"
    assert colleague.post(rename_url, data={"custom_name": "节能审查批复", "version": shown}).status_code == 302
    late = officer.post(delete_url, data={"reason": "重复", "version": shown})
    text = re.sub(r"<[^>]+>", "", late.get_data(as_text=True))
    assert late.status_code == 409 and "没有删除" in text and "ln-colleague" in text and "节能审查批复" in text, text
    # The colleague deletes it; the officer's page, still open, says who and when.
    again = version_on(colleague.get(delete_url).get_data(as_text=True))
    assert colleague.post(delete_url, data={"reason": "重复", "version": again}).status_code == 302
    for target in (delete_url, rename_url):
        opened = officer.get(target)
        assert opened.status_code == 302 and opened.location.endswith(f"/projects/{longnan_project.id}/milestones")
        told = officer.get(opened.location).get_data(as_text=True)
        assert "这个节点已于" in told and "被 ln-colleague 删除" in told
    # An officer of another region may not delete it.
    stranger = app.test_client()
    login_as(stranger, make_user("officer", "441700", username="yj-officer"))
    other = progress_custom(longnan_project, db)
    assert stranger.get(f"/projects/{longnan_project.id}/milestones/{other.id}/delete").status_code == 403
    assert stranger.post(f"/projects/{longnan_project.id}/milestones/{other.id}/delete",
                         data={"reason": "x", "version": "1"}).status_code == 403


def progress_custom(project: Project, db) -> Milestone:
    from tracker.audit.services import CLI
    from tracker.progress import services as progress

    milestone = progress.add_custom_milestone(CLI, db.session.get(Project, project.id), "图审", None)
    db.session.commit()
    return milestone


def test_a_grid_saved_with_a_row_a_colleague_deleted_meanwhile_says_so_and_saves_nothing(
        app, officer, make_user, longnan_project, db):
    """The grid was saved with a row for a custom milestone a colleague had deleted since the page
    was loaded: the row's typing was skipped unsaid, under 已保存. The save is refused naming the
    milestone, who deleted it and when; the other rows keep what was typed."""
    with_lifecycle(officer, longnan_project)
    url = f"/projects/{longnan_project.id}/milestones/custom"
    assert officer.post(url, data={"custom_name": "环评批复", "planned_date": "2027-02-03"}).status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, longnan_project.id)
    custom = next(m for m in project.milestones if m.custom_name == "环评批复")
    start = row_of(project, Stage.START)
    page = officer.get(f"/projects/{project.id}/milestones").get_data(as_text=True)
    typed = {name: value for name, value in grid(page).items() if name != "csrf_token"}
    typed.update({f"m{custom.id}-note": "已取得批复", f"m{start.id}-note": "桩基施工中"})

    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-grid-colleague"))
    delete_url = f"/projects/{project.id}/milestones/{custom.id}/delete"
    assert colleague.post(delete_url, data={"reason": "重复", "version": version_on(
        colleague.get(delete_url).get_data(as_text=True))}).status_code == 302

    refused = officer.post(f"/projects/{project.id}/milestones", data=typed)
    text = re.sub(r"<[^>]+>", "", refused.get_data(as_text=True))
    assert refused.status_code == 409, text
    assert "环评批复" in text and "ln-grid-colleague" in text and "删除" in text, text
    assert "桩基施工中" in refused.get_data(as_text=True)  # the other row's typing kept
    db.session.expire_all()
    assert db.session.get(Milestone, start.id).note != "桩基施工中"
