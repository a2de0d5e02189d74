"""The API's writes (issue 17) as another system makes them: projects, milestones, budget
revisions and funding lines, through the forms' services and audit (via api, the token's owner),
each update naming the version it read (If-Match), 412 with what changed when it is stale."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tracker.accounts import services as accounts
from tracker.core import clock
from tracker.audit.models import AuditEntry
from tracker.audit.services import CLI
from tracker.progress import services as progress
from tracker.progress.models import FundingLine
from tracker.projects.models import Project
from tracker.vocabulary import Stage

from .test_api import assert_problem, bearer, lab_project, token_for  # noqa: F401  (a fixture)

ROLES = ("admin", "officer", "elsewhere", "leader", "viewer", "read-only")
MAY_WRITE = {"admin", "officer"}


@pytest.fixture()
def tokens_by_role(make_user, token_for):
    return {"admin": token_for(make_user("admin", username="api-root"), scope="write"),
            "officer": token_for(make_user("officer", "360783", username="ln-officer"), scope="write"),
            "colleague": token_for(make_user("officer", "360783", username="ln-colleague"), scope="write"),
            "elsewhere": token_for(make_user("officer", "441700", username="yj-officer"), scope="write"),
            "leader": token_for(make_user("leader", username="api-leader"), scope="write"),
            "viewer": token_for(make_user("viewer", username="api-viewer"), scope="write"),
            "read-only": token_for(make_user("officer", "360783", username="ln-reader"))}


@pytest.fixture()
def api(app):
    client = app.test_client()

    def send(method: str, url: str, secret: str, *, etag: str | None = None, headers=None, **kwargs):
        headers = {**bearer(secret), **({"If-Match": etag} if etag else {}), **(headers or {})}
        return client.open(f"/api/v1{url}", method=method, headers=headers, **kwargs)
    return send


def audit(action: str) -> AuditEntry:
    from tracker.extensions import db
    return db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()))


# --- projects -------------------------------------------------------------------------------------

NEW = {"name": "龙南市第二人民医院门诊楼", "region": "360783", "kind": "construction", "category": "general_hospital",
       "total_investment_wan_yuan": "12,000", "beds": 200, "floor_area_m2": "18000.5",
       "planned_start": "2027-03-01", "planned_end": "2029-06-30"}


def test_an_officer_creates_a_project_in_his_region_through_the_form_s_service(db, seeded, api, tokens_by_role):
    made = api("POST", "/projects", tokens_by_role["officer"], json=NEW)
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    assert (body["name"], body["region_code"], body["total_investment_wan_yuan"], body["beds"]) == (
        NEW["name"], "360783", "12000", 200)
    assert body["floor_area_m2"] == "18000.5" and body["planned_start"] == "2027-03-01"
    assert len(body["milestones"]) == len(Stage)  # the standard lifecycle, as the form adds by default
    assert made.headers["ETag"] == body["etag"] and made.headers["Location"].endswith(f"/projects/{body['id']}")
    entry = audit("project:create")
    assert (entry.via, entry.user.username, entry.project_id) == ("api", "ln-officer", body["id"])


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_a_project_where(db, seeded, api, tokens_by_role, role):
    made = api("POST", "/projects", tokens_by_role[role], json=NEW)
    if role in MAY_WRITE:
        assert made.status_code == 201, made.get_data(as_text=True)
    else:
        assert_problem(made, 403)


@pytest.mark.parametrize("change, field", [
    ({"name": "  "}, "name"), ({"region": "999999"}, "region"), ({"total_investment_wan_yuan": "-5"}, "total_investment_wan_yuan"),
    ({"total_investment_wan_yuan": "约100"}, "total_investment_wan_yuan"), ({"beds": "1.5"}, "beds"),
    ({"beds": 100001}, "beds"), ({"kind": None}, "kind"), ({"kind": "castle"}, "kind"),
    ({"project_code": "2021-36"}, "project_code"), ({"planned_end": "2020-01-01"}, "planned_end"),
    ({"total_investment": "1"}, "total_investment"), ({"planned_start": "3月"}, "planned_start"),
])
def test_an_invalid_project_gets_422_naming_the_field_and_nothing_is_made(db, seeded, api, tokens_by_role,
                                                                        change, field):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    body = {key: value for key, value in {**NEW, **change}.items()}
    problem = assert_problem(api("POST", "/projects", tokens_by_role["officer"], json=body), 422)
    assert field in problem["errors"], problem
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == before


def test_a_project_update_keeps_what_others_saved_and_a_real_clash_is_412(db, seeded, api, tokens_by_role):
    project = lab_project(db)
    url = f"/projects/{project.id}"
    read = api("GET", url, tokens_by_role["officer"])
    etag = read.headers["ETag"]
    assert read.get_json()["etag"] == etag
    assert_problem(api("PATCH", url, tokens_by_role["officer"], json={"location": "龙南市东江乡"}), 428)

    # A colleague saves the location; a monthly report moves the project's derived figures.
    mine = api("GET", url, tokens_by_role["colleague"]).headers["ETag"]
    colleague = api("PATCH", url, tokens_by_role["colleague"], etag=mine, json={"location": "龙南市龙南镇"})
    assert colleague.status_code == 200, colleague.get_data(as_text=True)
    progress.submit_report(CLI, project, dt.date(2026, 10, 1), invested_month="10")
    db.session.commit()

    # The officer, on the version he read, changes another field: saved, the location kept.
    other_field = api("PATCH", url, tokens_by_role["officer"], etag=etag, json={"owner_unit": "龙南市卫健委"})
    assert other_field.status_code == 200, other_field.get_data(as_text=True)
    assert (other_field.get_json()["owner_unit"], other_field.get_json()["location"]) == ("龙南市卫健委", "龙南市龙南镇")
    assert other_field.headers["ETag"] != etag
    entry = audit("project:update")
    assert (entry.via, entry.user.username, set(entry.changes)) == ("api", "ln-officer", {"owner_unit", "version"})

    # The same field, to another value, on the old version: 412 with who changed what.
    clash = api("PATCH", url, tokens_by_role["officer"], etag=etag, json={"location": "龙南市东江乡"})
    problem = assert_problem(clash, 412)
    assert problem["contested"]["location"]["theirs"] == "龙南市龙南镇"
    assert any(c["who"] == "ln-colleague" and "location" in c["changes"] for c in problem["changes"])
    assert problem["current_etag"] == clash.headers["ETag"] == other_field.headers["ETag"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).location == "龙南市龙南镇"
    # A made-up ETag is stale too, never a write.
    assert_problem(api("PATCH", url, tokens_by_role["officer"], etag='"project-1-v999"', json={"location": "x"}), 412)


def test_a_write_not_sent_as_json_or_naming_no_etag_of_its_project_is_refused_as_such(db, seeded, api, tokens_by_role):
    """A PATCH sent as text/plain or as a form was 200 with nothing saved (the body unread); an
    If-Match that is no ETag at all was told the project had been changed by others since."""
    project = lab_project(db)
    url = f"/projects/{project.id}"
    for body in ({"data": '{"location": "龙南镇3"}', "content_type": "text/plain"},
                 {"data": {"location": "龙南镇3"}}):
        problem = assert_problem(api("PATCH", url, tokens_by_role["officer"], etag="*", **body), 415)
        assert "application/json" in problem["detail"]
    assert_problem(api("POST", "/projects", tokens_by_role["officer"], data="name=x", content_type="text/plain"), 415)
    garbage = assert_problem(api("PATCH", url, tokens_by_role["officer"], etag='"garbage"', json={"location": "x"}), 412)
    assert "不是此项目的 ETag" in garbage["detail"] and "他人" not in garbage["detail"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).location != "龙南镇3"


def test_project_updates_keep_the_form_s_rules(db, seeded, api, tokens_by_role):
    project = lab_project(db)
    url = f"/projects/{project.id}"
    etag = api("GET", url, tokens_by_role["officer"]).headers["ETag"]
    problem = assert_problem(api("PATCH", url, tokens_by_role["officer"], etag=etag, json={"status": "completed"}), 422)
    assert "reason" in problem["errors"]
    problem = assert_problem(api("PATCH", url, tokens_by_role["officer"], etag=etag, json={"region": "441700"}), 422)
    assert "region" in problem["errors"]
    moved = api("PATCH", url, tokens_by_role["officer"], etag=etag,
                json={"status": "construction", "reason": "已开工", "planned_end": "2028-12-31"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert audit("project:update").reason == "已开工"
    db.session.expire_all()
    acceptance = next(m for m in db.session.get(Project, project.id).milestones if m.stage.value == "acceptance")
    assert acceptance.planned_date == dt.date(2028, 12, 31)  # 计划竣工 is the milestone's date


@pytest.mark.parametrize("role", ROLES)
def test_who_may_update_a_project(db, seeded, api, tokens_by_role, role):
    project = lab_project(db)
    etag = api("GET", f"/projects/{project.id}", tokens_by_role[role]).headers["ETag"]
    answer = api("PATCH", f"/projects/{project.id}", tokens_by_role[role], etag=etag, json={"location": "龙南"})
    if role in MAY_WRITE:
        assert answer.status_code == 200, answer.get_data(as_text=True)
    else:
        problem = assert_problem(answer, 403)
        # A viewer was told of "本人负责地区" he has none of: his role reads only.
        if role in ("leader", "viewer"):
            assert "只能查看" in problem["detail"] and "负责地区" not in problem["detail"], problem


# --- milestones -----------------------------------------------------------------------------------

def test_a_milestone_is_replanned_with_its_baseline_kept_and_the_grid_s_rules(db, seeded, api, tokens_by_role):
    project = lab_project(db)
    progress.add_standard_lifecycle(CLI, project)
    db.session.commit()
    rows = api("GET", f"/projects/{project.id}/milestones", tokens_by_role["officer"]).get_json()["milestones"]
    start = next(row for row in rows if row["stage"] == "start")
    url = f"/projects/{project.id}/milestones/{start['id']}"
    row = {"planned_date": "2026-03-01", "actual_date": None, "note": None, "delay_reason": None}
    assert_problem(api("PUT", url, tokens_by_role["officer"], json=row), 428)
    first = api("PUT", url, tokens_by_role["officer"], etag=start["etag"], json=row)
    assert first.status_code == 200, first.get_data(as_text=True)
    moved = api("PUT", url, tokens_by_role["officer"], etag=first.headers["ETag"],
                json={**row, "planned_date": "2026-06-01", "delay_reason": "土地手续"})
    body = moved.get_json()
    assert (body["planned_date"], body["baseline_date"], body["replan_count"]) == ("2026-06-01", "2026-03-01", 1)
    entry = audit("milestone:update")
    assert (entry.via, entry.user.username) == ("api", "ln-officer")

    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    problem = assert_problem(api("PUT", url, tokens_by_role["officer"], etag=moved.headers["ETag"],
                                 json={**row, "actual_date": future}), 422)
    assert "actual_date" in problem["errors"]
    acceptance = next(r for r in rows if r["stage"] == "acceptance")
    problem = assert_problem(api("PUT", f"/projects/{project.id}/milestones/{acceptance['id']}",
                                 tokens_by_role["officer"], etag=acceptance["etag"],
                                 json={**row, "planned_date": "2026-01-01"}), 422)
    assert "planned_date" in problem["errors"]  # before 开工: the lifecycle in order

    # A colleague's save since: a different date of ours is 412, with his change.
    stale = api("PUT", url, tokens_by_role["colleague"], etag=start["etag"], json={**row, "planned_date": "2026-09-01"})
    problem = assert_problem(stale, 412)
    assert problem["changes"] and problem["current_etag"] == moved.headers["ETag"]


def test_a_custom_milestone_is_added(db, seeded, api, tokens_by_role):
    project = lab_project(db)
    url = f"/projects/{project.id}/milestones"
    added = api("POST", url, tokens_by_role["officer"], json={"name": "桩基检测", "planned_date": "2026-05-01",
                                                             "after_stage": "start"})
    assert added.status_code == 201, added.get_data(as_text=True)
    assert added.get_json()["name"] == "桩基检测" and added.headers["Location"].endswith(str(added.get_json()["id"]))
    assert audit("milestone:create").via == "api"
    assert "name" in assert_problem(api("POST", url, tokens_by_role["officer"], json={"name": ""}), 422)["errors"]


def test_a_custom_milestone_is_deleted_with_if_match_and_a_standard_one_is_not(db, seeded, api, tokens_by_role):
    """As a funding line's DELETE: a reason, the ETag read, 412 after a colleague's change."""
    project = lab_project(db)
    progress.add_standard_lifecycle(CLI, project)
    db.session.commit()
    added = api("POST", f"/projects/{project.id}/milestones", tokens_by_role["officer"], json={"name": "环评批复"})
    url = added.headers["Location"]
    url = url[url.index("/projects/"):]
    etag = added.headers["ETag"]
    assert_problem(api("DELETE", url, tokens_by_role["officer"], json={"reason": "误录"}), 428)
    assert "reason" in assert_problem(api("DELETE", url, tokens_by_role["officer"], etag=etag, json={}), 422)["errors"]
    renamed = api("PUT", url, tokens_by_role["colleague"], etag=etag,
                  json={"planned_date": "2026-05-01", "actual_date": None, "note": "x", "delay_reason": None})
    assert renamed.status_code == 200
    assert_problem(api("DELETE", url, tokens_by_role["officer"], etag=etag, json={"reason": "误录"}), 412)
    removed = api("DELETE", url, tokens_by_role["officer"], etag=renamed.headers["ETag"], json={"reason": "误录"})
    assert removed.status_code == 204, removed.get_data(as_text=True)
    assert (audit("milestone:delete").via, audit("milestone:delete").reason) == ("api", "误录")
    assert_problem(api("GET", url, tokens_by_role["officer"]), 404)
    rows = api("GET", f"/projects/{project.id}/milestones", tokens_by_role["officer"]).get_json()["milestones"]
    start = next(row for row in rows if row["stage"] == "start")
    problem = assert_problem(api("DELETE", f"/projects/{project.id}/milestones/{start['id']}", tokens_by_role["officer"],
                                 etag=start["etag"], json={"reason": "x"}), 422)
    assert "标准建设节点不能删除" in str(problem)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_write_milestones(db, seeded, api, tokens_by_role, role):
    project = lab_project(db)
    answer = api("POST", f"/projects/{project.id}/milestones", tokens_by_role[role], json={"name": "桩基检测"})
    if role in MAY_WRITE:
        assert answer.status_code == 201, answer.get_data(as_text=True)
        row = answer.get_json()
        updated = api("PUT", f"/projects/{project.id}/milestones/{row['id']}", tokens_by_role[role], etag=row["etag"],
                      json={"planned_date": "2026-05-01", "actual_date": None, "note": "x", "delay_reason": None})
        assert updated.status_code == 200, updated.get_data(as_text=True)
    else:
        assert_problem(answer, 403)


# --- budget revisions -----------------------------------------------------------------------------

REVISION = {"new_amount": "1,450", "reason": "增加负压实验室", "approval_number": "龙发改投资〔2026〕12号",
            "approval_date": "2026-09-15"}


@pytest.mark.parametrize("role", ROLES)
def test_a_budget_revision_needs_a_reason_and_an_editor(db, seeded, api, tokens_by_role, role):
    project = lab_project(db)
    url = f"/projects/{project.id}/budget-revisions"
    answer = api("POST", url, tokens_by_role[role], json=REVISION)
    if role not in MAY_WRITE:
        assert_problem(answer, 403)
        return
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["new_amount"] == "1450" and answer.get_json()["previous_amount"] == "1320"
    entry = audit("budget:revise")
    assert (entry.via, entry.reason) == ("api", "增加负压实验室")
    for change, field in (({"reason": ""}, "reason"), ({"new_amount": "-1"}, "new_amount"),
                          ({"approval_date": "2099-01-01"}, "approval_date"), ({"new_amount": "a lot"}, "new_amount")):
        assert field in assert_problem(api("POST", url, tokens_by_role[role], json={**REVISION, **change}), 422)["errors"]


# --- funding lines --------------------------------------------------------------------------------

@pytest.fixture()
def line(db, seeded):
    made = progress.add_funding_line(CLI, lab_project(db), source="central_budget", amount="500", note="第一批")
    db.session.commit()
    return made


def test_a_funding_line_is_corrected_with_a_reason_and_a_stale_write_is_412(db, api, tokens_by_role, line):
    url = f"/projects/{line.project_id}/funding/{line.id}"
    read = api("GET", url, tokens_by_role["officer"])
    etag = read.headers["ETag"]
    change = {"source": "special_bonds", "amount": "800", "note": "第一批", "reason": "按批复更正"}
    assert_problem(api("PUT", url, tokens_by_role["officer"], json=change), 428)
    assert "reason" in assert_problem(api("PUT", url, tokens_by_role["officer"], etag=etag,
                                          json={**change, "reason": ""}), 422)["errors"]
    saved = api("PUT", url, tokens_by_role["officer"], etag=etag, json=change)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert (saved.get_json()["source"], saved.get_json()["amount"]) == ("special_bonds", "800")
    entry = audit("funding:update")
    assert (entry.via, entry.user.username, entry.reason) == ("api", "ln-officer", "按批复更正")
    assert entry.changes["amount"] == ["500", "800"]

    stale = api("PUT", url, tokens_by_role["colleague"], etag=etag, json={**change, "amount": "900"})
    problem = assert_problem(stale, 412)
    assert problem["changes"][0]["who"] == "ln-officer" and problem["current_etag"] == saved.headers["ETag"]
    assert_problem(api("DELETE", url, tokens_by_role["colleague"], etag=etag, json={"reason": "重复"}), 412)
    assert "reason" in assert_problem(api("DELETE", url, tokens_by_role["officer"], etag=saved.headers["ETag"],
                                          json={}), 422)["errors"]
    removed = api("DELETE", url, tokens_by_role["officer"], etag=saved.headers["ETag"], json={"reason": "重复录入"})
    assert removed.status_code == 204
    assert db.session.get(FundingLine, line.id) is None
    assert (audit("funding:delete").via, audit("funding:delete").reason) == ("api", "重复录入")
    assert_problem(api("GET", url, tokens_by_role["officer"]), 404)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_correct_and_delete_a_funding_line(db, api, tokens_by_role, line, role):
    url = f"/projects/{line.project_id}/funding/{line.id}"
    etag = api("GET", url, tokens_by_role[role]).headers["ETag"]
    corrected = api("PUT", url, tokens_by_role[role], etag=etag,
                    json={"source": "central_budget", "amount": "600", "note": None, "reason": "到账更正"})
    removed = api("DELETE", url, tokens_by_role[role], etag=corrected.headers.get("ETag", etag), json={"reason": "重复"})
    if role in MAY_WRITE:
        assert (corrected.status_code, removed.status_code) == (200, 204)
    else:
        assert_problem(corrected, 403)
        assert_problem(removed, 403)


def test_money_stays_hidden_from_viewers_in_the_new_representations(db, api, tokens_by_role, line):
    accounts.set_setting(CLI, accounts.HIDE_MONEY_FROM_VIEWERS, {"enabled": True})
    db.session.commit()
    url = f"/projects/{line.project_id}/funding/{line.id}"
    assert "amount" not in api("GET", url, tokens_by_role["viewer"]).get_json()
    assert api("GET", url, tokens_by_role["leader"]).get_json()["amount"] == "500"
    progress.revise_budget(CLI, line.project, new_amount="1450", reason="增项", approval_number="1号",
                           approval_date=dt.date(2026, 9, 1))
    db.session.commit()
    hidden = api("GET", f"/projects/{line.project_id}", tokens_by_role["viewer"]).get_json()
    assert hidden["budget_revisions"] == [] and "amount" not in hidden["funding"][0]
    assert api("GET", f"/projects/{line.project_id}", tokens_by_role["leader"]).get_json()["budget_revisions"]


def test_a_project_s_etag_answers_if_none_match_until_anything_in_it_changes(db, api, tokens_by_role, line):
    url = f"/projects/{line.project_id}"
    first = api("GET", url, tokens_by_role["leader"])
    again = api("GET", url, tokens_by_role["leader"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    progress.update_funding_line(CLI, line, source="central_budget", amount="501", note=None, reason="更正",
                                 expected_version=line.version)
    db.session.commit()
    later = api("GET", url, tokens_by_role["leader"], headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200 and later.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_milestones_and_funding_lines_with_their_etags(db, api, tokens_by_role, line, role):
    progress.add_standard_lifecycle(CLI, line.project)
    db.session.commit()
    rows = api("GET", f"/projects/{line.project_id}/milestones", tokens_by_role[role])
    assert rows.status_code == 200 and len(rows.get_json()["milestones"]) == len(Stage)
    first = rows.get_json()["milestones"][0]
    one = api("GET", f"/projects/{line.project_id}/milestones/{first['id']}", tokens_by_role[role])
    assert one.headers["ETag"] == first["etag"] == f'"milestone-{first["id"]}-v{first["version"]}"'
    funding = api("GET", f"/projects/{line.project_id}/funding/{line.id}", tokens_by_role[role])
    assert funding.headers["ETag"] == funding.get_json()["etag"]
    assert_problem(api("GET", f"/projects/{line.project_id}/milestones/999999", tokens_by_role[role]), 404)


def test_a_patch_read_before_a_milestone_replan_does_not_undo_it(db, seeded, api, tokens_by_role):
    """计划开工 is the 开工 milestone's planned date. An officer re-plans it on the milestone page; a
    client that read the project before sends the whole record back with another field changed.
    The re-plan stays: the client did not change 计划开工, the colleague did."""
    project = lab_project(db)
    progress.add_standard_lifecycle(CLI, project)
    db.session.commit()
    start = next(m for m in project.milestones if m.stage == Stage.START)
    progress.update_milestone(CLI, start, planned_date=dt.date(2027, 3, 1), actual_date=None,
                              expected_version=start.version)
    db.session.commit()
    url = f"/projects/{project.id}"
    read = api("GET", url, tokens_by_role["officer"])
    record, etag = read.get_json(), read.headers["ETag"]
    assert record["planned_start"] == "2027-03-01"

    progress.update_milestone(CLI, start, planned_date=dt.date(2027, 9, 1), actual_date=None,
                              delay_reason="用地手续未批", expected_version=start.version)
    db.session.commit()
    sent = {"owner_unit": "龙南市卫健委", "planned_start": record["planned_start"]}
    saved = api("PATCH", url, tokens_by_role["officer"], etag=etag, json=sent)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["planned_start"] == "2027-09-01"
    assert saved.get_json()["owner_unit"] == "龙南市卫健委"
    db.session.expire_all()
    assert db.session.get(Project, project.id).planned_start == dt.date(2027, 9, 1)

    # Sending a third date on that old version is a real clash: 412, naming 计划开工.
    clash = api("PATCH", url, tokens_by_role["officer"], etag=etag, json={"planned_start": "2027-05-01"})
    assert "planned_start" in assert_problem(clash, 412)["contested"]


def test_a_422_names_the_problems_in_the_readers_language(db, seeded, api, tokens_by_role):
    """marshmallow writes its messages in English only; the answer is in the request's language,
    Chinese by default, as every other message of the API."""
    body = {**NEW, "kind": "castle", "colour": "red"}
    chinese = assert_problem(api("POST", "/projects", tokens_by_role["officer"], json=body), 422)
    assert chinese["errors"]["colour"] == ["未知字段。"], chinese
    assert chinese["errors"]["kind"][0].startswith("应为以下之一："), chinese
    english = assert_problem(api("POST", "/projects", tokens_by_role["officer"], json=body,
                                 headers={"Accept-Language": "en"}), 422)
    assert english["errors"]["colour"] == ["Unknown field."]
    assert english["errors"]["kind"][0].startswith("Must be one of: ")


def test_every_marshmallow_message_the_api_may_give_reads_back_as_marshmallow_wrote_it_in_english(app):
    """Each template is matched whole and written from our msgid: Chinese by default, and in
    English exactly marshmallow's sentence (the catalogue's English is marshmallow's text)."""
    import re

    from tracker.api.messages import TEMPLATES, translated
    for english, _ours in TEMPLATES:
        message = re.sub(r"\{(\w+)\}", lambda m: {"choices": "a, b"}.get(m.group(1), "12"), english)
        with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
            chinese = translated(message)
            assert chinese != message and re.search(r"[\u4e00-\u9fff]|null|true", chinese), message
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert translated(message) == message
    with app.test_request_context():
        assert translated("请说明修改原因") == "请说明修改原因"  # ours: unchanged


def test_a_list_sorted_by_what_the_list_has_not_is_refused_naming_the_sorts(db, seeded, api, tokens_by_role):
    """?sort=foo was 200 in the default order, the script none the wiser."""
    problem = assert_problem(api("GET", "/projects?sort=foo", tokens_by_role["officer"]), 422)
    assert "investment" in str(problem)
    assert api("GET", "/projects?sort=investment&order=desc", tokens_by_role["officer"]).status_code == 200
    assert_problem(api("GET", "/projects?order=up", tokens_by_role["officer"]), 422)


def test_a_text_cut_inside_an_emoji_is_no_server_error(db, seeded, api, tokens_by_role):
    """A QA walk's complaint: a client that cut a string inside an emoji sent half of its
    surrogate pair ("\\ud83d"); every write answered 500 (the database driver cannot encode it).
    The half-character is dropped as the other invisible characters are."""
    project = lab_project(db)
    url = f"/projects/{project.id}"
    etag = api("GET", url, tokens_by_role["officer"]).headers["ETag"]
    body = '{"owner_unit": "龙南市卫健委\\ud83d", "scope": "\\udc80门诊楼"}'
    saved = api("PATCH", url, tokens_by_role["officer"], etag=etag, data=body,
                headers={"Content-Type": "application/json"})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert project.owner_unit == "龙南市卫健委" and project.scope == "门诊楼"
    made = api("POST", "/projects", tokens_by_role["officer"], headers={"Content-Type": "application/json"},
               data='{"name": "\\udfff龙南市新门诊楼", "region": "360783", "kind": "construction", "category": "other"}')
    assert made.status_code == 201, made.get_data(as_text=True)
    month = (clock.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    report = api("POST", f"{url}/reports", tokens_by_role["officer"], headers={"Content-Type": "application/json"},
                 data='{"month": "%s", "progress_text": "\\ud800主体施工"}' % month)
    assert report.status_code == 201, report.get_data(as_text=True)


def test_a_412_names_the_clashing_fields_as_the_body_sent_them(db, seeded, api, tokens_by_role):
    """A script matching a 412 to what it sent found "total_investment" where it had sent
    total_investment_wan_yuan, and the document's Problem had no "contested"."""
    project = lab_project(db)
    url = f"/projects/{project.id}"
    etag = api("GET", url, tokens_by_role["officer"]).headers["ETag"]
    mine = api("GET", url, tokens_by_role["colleague"]).headers["ETag"]
    assert api("PATCH", url, tokens_by_role["colleague"], etag=mine,
               json={"total_investment_wan_yuan": "2600"}).status_code == 200
    problem = assert_problem(api("PATCH", url, tokens_by_role["officer"], etag=etag,
                                 json={"total_investment_wan_yuan": "2500"}), 412)
    assert set(problem["contested"]) == {"total_investment_wan_yuan"}
    assert problem["contested"]["total_investment_wan_yuan"]["theirs"] == "2600"
    assert any("total_investment_wan_yuan" in change["changes"] for change in problem["changes"])
    from tracker.api.schemas import ProblemSchema
    assert ProblemSchema().validate(problem) == {}
