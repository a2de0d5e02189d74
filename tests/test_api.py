"""The JSON API (issue 17) as another system uses it: a token in the Authorization header, the
same roles, regions and money-hiding rule as the pages, problem+json for every error."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from tracker.accounts import services as accounts
from tracker.api import tokens
from tracker.api.models import ApiToken
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.progress.models import FundingLine, MonthlyReport
from tracker.projects.models import Project

from .conftest import login_as

CLI = Actor(None, "cli")
PROBLEM = "application/problem+json"
LONGNAN_LAB = "赣州市龙南市疾病预防控制中心实验楼建设项目"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def token_for(db):
    def make(user, scope: str = "read", days: int | None = None) -> str:
        readable = "read" if scope == "write" and not tokens.may_write(user) else scope
        token, secret = tokens.create_token(CLI, user, scope=readable, days=days)
        token.scope = scope  # a leader's write token: made before his role changed, still refused
        db.session.commit()
        return secret
    return make


def lab_project(db) -> Project:
    return db.session.scalar(sa.select(Project).where(Project.name == LONGNAN_LAB))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_longnan_projects_with_totals_as_the_readme_shows(app, seeded, db, make_user, token_for):
    secret = token_for(make_user("viewer", username="platform"))
    response = app.test_client().get("/api/v1/projects?region=360783", headers=bearer(secret))
    assert response.status_code == 200
    body = response.get_json()
    assert body["totals"]["total_investment_wan_yuan"] == {"count": 8, "sum": "145735", "approximate": 0}
    area = body["totals"]["floor_area_m2"]
    assert area["approximate"] >= 2 and area["approximate"] <= area["count"]  # 龙南's 约 areas, said as on the page
    assert len(body["projects"]) == body["totals"]["projects"]
    assert {p["region_code"] for p in body["projects"]} == {"360783"}
    lab = next(p for p in body["projects"] if p["name"] == LONGNAN_LAB)
    assert lab["total_investment_wan_yuan"] == "1320"  # the export's representation


def test_the_project_is_the_export_representation(app, seeded, db, make_user, token_for):
    from tracker.exports.records import project_to_dict
    secret = token_for(make_user("leader", username="reader"))
    project = lab_project(db)
    body = app.test_client().get(f"/api/v1/projects/{project.id}", headers=bearer(secret)).get_json()
    exported = project_to_dict(project)
    assert {k: body[k] for k in exported} == exported
    assert body["reports"] == [] and "funding" in body and "budget_revisions" in body


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic eDp5"}])
def test_no_valid_token_is_401_as_json(app, db, headers):
    body = assert_problem(app.test_client().get("/api/v1/projects", headers=headers), 401)
    assert "Bearer" in body["detail"]


def test_a_signed_in_browser_cookie_does_not_open_the_api(app, db, make_user):
    browser = app.test_client()
    login_as(browser, make_user("admin", username="root"))
    assert browser.get("/projects").status_code == 200  # the cookie works on the pages
    assert_problem(browser.get("/api/v1/projects"), 401)


def test_revoked_and_expired_tokens_open_nothing(app, db, make_user, token_for):
    user = make_user("leader", username="reader")
    revoked, expiring = token_for(user), token_for(user, days=1)
    client = app.test_client()
    assert client.get("/api/v1/regions", headers=bearer(revoked)).status_code == 200
    tokens.revoke_token(CLI, db.session.scalar(sa.select(ApiToken).where(
        ApiToken.secret_hash == tokens.hash_secret(revoked))))
    db.session.commit()
    assert "此令牌已吊销" in assert_problem(client.get("/api/v1/regions", headers=bearer(revoked)), 401)["detail"]
    assert client.get("/api/v1/regions", headers=bearer(expiring)).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)):
        assert "此令牌已过期" in assert_problem(client.get("/api/v1/regions", headers=bearer(expiring)), 401)["detail"]


def test_a_disabled_account_s_token_stops_working(app, db, make_user, token_for):
    user = make_user("leader", username="reader")
    secret = token_for(user)
    user.active = False
    db.session.commit()
    # A QA walk's complaint: the integrator was told only that a valid token was missing.
    problem = assert_problem(app.test_client().get("/api/v1/plans", headers=bearer(secret)), 401)
    assert "此令牌所属的账号已停用" in problem["detail"]


def test_tokens_are_stored_hashed(db, make_user):
    token, secret = tokens.create_token(CLI, make_user("leader", username="reader"))
    assert secret.startswith("hct_") and len(secret) > 40
    assert secret not in (token.secret_hash, token.prefix) and token.secret_hash == tokens.hash_secret(secret)


def test_cli_creates_a_token_printed_once_and_revokes_it(app, seeded, db, make_user):
    from tracker.api.cli import tokens as command
    make_user("officer", "360783", username="county")
    make_user("leader", username="leader")
    runner = app.test_cli_runner(mix_stderr=False) if "mix_stderr" in app.test_cli_runner.__code__.co_varnames else app.test_cli_runner()
    # A leader reads only: a write token of his could write nothing, and is not made.
    refused = runner.invoke(command, ["create", "leader", "--scope", "write"])
    assert refused.exit_code != 0 and "只能创建只读令牌" in refused.output
    result = runner.invoke(command, ["create", "county", "--expires", "30", "--scope", "write"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.splitlines()[0]
    assert app.test_client().get("/api/v1/regions", headers=bearer(secret)).status_code == 200
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == tokens.hash_secret(secret)))
    assert stored.scope == "write" and stored.expires_at is not None
    listed = runner.invoke(command, ["list", "county"])
    assert secret not in listed.output and stored.prefix in listed.output
    assert runner.invoke(command, ["revoke", str(stored.id)]).exit_code == 0
    assert_problem(app.test_client().get("/api/v1/regions", headers=bearer(secret)), 401)
    assert runner.invoke(command, ["create", "nobody"]).exit_code != 0
    assert runner.invoke(command, ["create", "county", "--expires", "0"]).exit_code != 0


def test_a_report_posted_through_the_api_is_in_the_history_and_an_old_etag_gets_412(
        app, seeded, db, make_user, token_for):
    officer = make_user("officer", "360783", username="ln-officer")
    secret = token_for(officer, scope="write")
    project = lab_project(db)
    client = app.test_client()
    posted = client.post(f"/api/v1/projects/{project.id}/reports", headers=bearer(secret),
                         json={"month": "2026-11", "progress_text": "主体封顶", "physical_percent": 60,
                               "invested_month": "1,000", "invested_total": "1000"})
    assert posted.status_code == 201, posted.get_data(as_text=True)
    first_etag = posted.headers["ETag"]
    assert posted.get_json()["submitted_by"] == "ln-officer"
    assert posted.headers["Location"].endswith(f"/api/v1/projects/{project.id}/reports/2026-11")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.project_id == project.id,
                                                          AuditEntry.action == "report:submit"))
    assert entry.via == "api" and entry.user.username == "ln-officer"
    leader = app.test_client()
    login_as(leader, make_user("leader", username="leader"))
    page = leader.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "ln-officer" in page and "主体封顶" in page

    # The same month again is a conflict, not a silent second report.
    again = client.post(f"/api/v1/projects/{project.id}/reports", headers=bearer(secret),
                        json={"month": "2026-11", "invested_month": "1"})
    assert_problem(again, 409)

    correction = {"progress_text": "主体封顶，开始装修", "physical_percent": "65", "invested_month": "1000",
                  "invested_total": "1000", "funds_received": None, "paid": None, "problems": None,
                  "next_steps": None, "over_budget_reason": None, "correction_reason": "补充形象进度"}
    url = f"/api/v1/projects/{project.id}/reports/2026-11"
    assert_problem(client.put(url, headers=bearer(secret), json=correction), 428)
    corrected = client.put(url, headers={**bearer(secret), "If-Match": first_etag}, json=correction)
    assert corrected.status_code == 200, corrected.get_data(as_text=True)
    assert corrected.headers["ETag"] != first_etag and corrected.get_json()["revision"] == 2
    stale = client.put(url, headers={**bearer(secret), "If-Match": first_etag},
                       json={**correction, "progress_text": "另一人的更正"})
    body = assert_problem(stale, 412)
    assert body["current_etag"] == corrected.headers["ETag"]
    assert body["changes"] and body["changes"][0]["who"] == "ln-officer"
    assert client.get(url, headers=bearer(secret)).get_json()["progress_text"] == "主体封顶，开始装修"


def test_writes_follow_scope_role_and_region(app, seeded, db, make_user, token_for):
    project = lab_project(db)
    url = f"/api/v1/projects/{project.id}/reports"
    report = {"month": "2026-10", "invested_month": "10"}
    client = app.test_client()
    for secret in (token_for(make_user("officer", "360783", username="read-only")),  # read scope
                   token_for(make_user("officer", "441700", username="elsewhere"), scope="write"),
                   token_for(make_user("leader", username="leader"), scope="write"),
                   token_for(make_user("viewer", username="viewer"), scope="write")):
        assert_problem(client.post(url, headers=bearer(secret), json=report), 403)
    admin = token_for(make_user("admin", username="root"), scope="write")
    assert client.post(url, headers=bearer(admin), json=report).status_code == 201


def test_invalid_reports_get_422_with_field_errors_and_change_nothing(app, seeded, db, make_user, token_for):
    secret = token_for(make_user("officer", "360783", username="ln-officer"), scope="write")
    project = lab_project(db)
    url = f"/api/v1/projects/{project.id}/reports"
    client = app.test_client()
    for body, field in (({"month": "2026-13"}, "month"), ({}, "month"),
                        ({"month": "2026-10", "invested_month": "约100"}, "invested_month"),
                        ({"month": "2026-10", "invested_month": "-5"}, "invested_month"),
                        ({"month": "2026-10", "physical_percent": "150"}, "physical_percent"),
                        ({"month": "2026-10", "paid": "1.00001"}, "paid"),
                        ({"month": "2099-01"}, "month")):
        problem = assert_problem(client.post(url, headers=bearer(secret), json=body), 422)
        assert field in problem["errors"], (body, problem)
    # A percent past any column is told its range, as the form tells it, not the money's unit (a
    # QA walk: 1e308 was told "数值过大，请检查单位（金额以万元计）").
    for percent in (1e308, -1e308, "1" + "0" * 40, 150):
        problem = assert_problem(client.post(url, headers=bearer(secret),
                                             json={"month": "2026-10", "physical_percent": percent}), 422)
        assert problem["errors"]["physical_percent"] == ["工程进度应在 0 到 100 之间"], (percent, problem)
    # Not JSON, or JSON nested deeper than Python's parser recurses (200 KB of brackets was a 500
    # and a traceback in the log): a 400 that says so, in the reader's language.
    for data in ("{not json", '{"month": ' + "[" * 100_000 + "]" * 100_000 + "}"):
        broken = client.post(url, headers={**bearer(secret), "Content-Type": "application/json"}, data=data)
        problem = assert_problem(broken, 400)
        assert problem["errors"] == {"__all__": ["请求内容不是有效的 JSON。"]}, problem
    english = client.post(url, headers={**bearer(secret), "Content-Type": "application/json", "Accept-Language": "en"},
                          data="[" * 100_000)
    assert assert_problem(english, 400)["errors"] == {"__all__": ["Invalid JSON body."]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.project_id == project.id, AuditEntry.via == "api")) == 0


def test_money_is_hidden_from_viewers_when_the_admin_so_sets(app, seeded, db, make_user, token_for):
    accounts.set_setting(CLI, accounts.HIDE_MONEY_FROM_VIEWERS, {"enabled": True})
    db.session.commit()
    viewer, leader = token_for(make_user("viewer", username="viewer")), token_for(make_user("leader", username="leader"))
    project = lab_project(db)
    client = app.test_client()
    for path in ("/api/v1/projects?region=360783", f"/api/v1/projects/{project.id}",
                 "/api/v1/totals?region=360783"):
        hidden = client.get(path, headers=bearer(viewer)).get_data(as_text=True)
        shown = client.get(path, headers=bearer(leader)).get_data(as_text=True)
        assert "total_investment_wan_yuan" not in hidden and "1320" not in hidden.replace("13200", "")
        assert "total_investment_wan_yuan" in shown


def test_lists_and_details_answer_if_none_match_with_304(app, seeded, db, make_user, token_for):
    secret = token_for(make_user("leader", username="leader"))
    client = app.test_client()
    project = lab_project(db)
    for path in ("/api/v1/projects?region=360783", f"/api/v1/projects/{project.id}", "/api/v1/plans",
                 "/api/v1/regions", "/api/v1/totals"):
        first = client.get(path, headers=bearer(secret))
        assert first.status_code == 200 and first.headers["ETag"]
        again = client.get(path, headers={**bearer(secret), "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_pages_follow_the_link_header(app, seeded, db, make_user, token_for):
    app.config["PAGE_SIZE"], size = 5, app.config["PAGE_SIZE"]
    try:
        secret = token_for(make_user("leader", username="leader"))
        client = app.test_client()
        url, seen, seeks = "/api/v1/projects?region=360783", [], 0
        while url:
            response = client.get(url, headers=bearer(secret))
            assert response.status_code == 200
            body = response.get_json()
            seen += [p["id"] for p in body["projects"]]
            link = response.headers.get("Link")
            url = body["page"]["next"]
            assert ('rel="next"' in (link or "")) == (url is not None)
            if url:
                assert f'<{url}>; rel="next"' in link
                seeks += "after=" in url  # the next page is sought from this one's last row
        assert len(seen) == len(set(seen)) == body["totals"]["projects"] > 5
        assert seeks
        # Read by number until a page is empty, as scripts do: a page past the last was the last
        # again (the loop never ended), and page=-1 was page 1.
        number, numbered = 1, []
        while True:
            body = client.get(f"/api/v1/projects?region=360783&page={number}", headers=bearer(secret)).get_json()
            if not body["projects"]:
                break
            numbered += [p["id"] for p in body["projects"]]
            number += 1
            assert number < 100
        assert sorted(numbered) == sorted(seen) and body["page"]["next"] is None and body["page"]["prev"]
        for wrong in ("-1", "0", "abc", "99999999999999999999", "²", "１"):
            assert client.get(f"/api/v1/projects?page={wrong}", headers=bearer(secret)).status_code == 400, wrong
    finally:
        app.config["PAGE_SIZE"] = size


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/v1/projects/999999", 404),
    ("get", "/api/v1/plans/no-such-plan", 404),
    ("get", "/api/v1/nowhere", 404),
    ("delete", "/api/v1/projects", 405),
    ("get", "/api/v1/projects?region=999999", 422),
    ("get", "/api/v1/projects?after=x", 400),
    ("get", "/api/v1/projects?q=a%00b", 400),
])
def test_every_error_is_problem_json(app, db, make_user, token_for, method, path, status):
    secret = token_for(make_user("leader", username="leader"))
    body = assert_problem(getattr(app.test_client(), method)(path, headers=bearer(secret)), status)
    assert "<html" not in str(body)


def test_too_large_and_rate_limited_requests_are_problem_json(app, db, make_user, token_for):
    secret = token_for(make_user("admin", username="root"), scope="write")
    client = app.test_client()
    limit = app.config.get("MAX_CONTENT_LENGTH")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        big = client.post("/api/v1/projects/1/reports", headers=bearer(secret), json={"progress_text": "x" * 5000})
        assert_problem(big, 413)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get("/api/v1/regions", headers=bearer(secret)).status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200]
        limited = client.get("/api/v1/regions", headers=bearer(secret))
        assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) > 0
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"


def test_the_openapi_document_and_its_page_need_no_token_and_use_local_assets(app, db):
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/projects", "/api/v1/totals", "/api/v1/regions", "/api/v1/plans",
            "/api/v1/projects/{project_id}/reports"} <= set(document["paths"])
    writes = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert {("/api/v1/projects", "post"), ("/api/v1/projects/{project_id}", "patch"),
            ("/api/v1/projects/{project_id}/milestones", "post"),
            ("/api/v1/projects/{project_id}/milestones/{milestone_id}", "put"),
            ("/api/v1/projects/{project_id}/budget-revisions", "post"),
            ("/api/v1/projects/{project_id}/funding/{line_id}", "put"),
            ("/api/v1/projects/{project_id}/funding/{line_id}", "delete")} <= writes
    patch = document["paths"]["/api/v1/projects/{project_id}"]["patch"]
    assert {"412", "422", "428"} <= set(patch["responses"])
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "http" not in page.replace("http-equiv", "")  # nothing from another site
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/api/v1/docs/assets/{asset}").status_code == 200
    assert client.get("/static/api-docs.js").status_code == 200
    # Told "the API is at /api", a visitor finds its documentation, signed in or not.
    for path in ("/api", "/api/", "/api/v1", "/api/v1/"):
        answer = client.get(path)
        assert answer.status_code in (301, 302, 308) and answer.location.endswith("/api/v1/docs"), (path, answer.status_code)


def test_a_user_makes_and_revokes_his_own_tokens_on_his_page(app, db, make_user):
    browser = app.test_client()
    user = make_user("leader", username="reader")
    login_as(browser, user)
    assert "还没有令牌" in browser.get("/account/tokens").get_data(as_text=True)
    made = browser.post("/account/tokens", data={"name": "省平台", "scope": "read", "expires": "30"})
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert app.test_client().get("/api/v1/plans", headers=bearer(secret)).status_code == 200
    assert secret not in browser.get("/account/tokens").get_data(as_text=True)  # shown once
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.scope == "read" and token.name == "省平台"
    # Revoking asks for confirmation; another user's token is not found.
    browser.post(f"/account/tokens/{token.id}/revoke", data={})
    assert app.test_client().get("/api/v1/plans", headers=bearer(secret)).status_code == 200
    other = app.test_client()
    login_as(other, make_user("leader", username="someone-else"))
    assert other.post(f"/account/tokens/{token.id}/revoke", data={"confirm": "y"}).status_code == 404
    browser.post(f"/account/tokens/{token.id}/revoke", data={"confirm": "y"})
    assert_problem(app.test_client().get("/api/v1/plans", headers=bearer(secret)), 401)
    assert "已吊销" in browser.get("/account/tokens").get_data(as_text=True)


def test_a_database_outage_and_a_fault_of_ours_are_problem_json_too(app, db, make_user, token_for, monkeypatch):
    secret = token_for(make_user("leader", username="reader"))
    client = app.test_client()

    def outage(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"),
                                      connection_invalidated=True)
    monkeypatch.setattr(tokens, "find_with_reason", outage)
    down = client.get("/api/v1/plans", headers=bearer(secret))
    assert_problem(down, 503)
    assert down.headers["Retry-After"] == "30"

    def fault(*args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(tokens, "find_with_reason", fault)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    broken = client.get("/api/v1/plans", headers=bearer(secret))
    body = assert_problem(broken, 500)
    assert "a bug" not in broken.get_data(as_text=True) and "Traceback" not in str(body)


def test_a_funding_line_added_through_the_api_is_checked_and_audited(app, seeded, db, make_user, token_for):
    officer = token_for(make_user("officer", "360783", username="ln-officer"), scope="write")
    reader = token_for(make_user("officer", "360783", username="ln-reader"))
    project = lab_project(db)
    url = f"/api/v1/projects/{project.id}/funding"
    client = app.test_client()
    added = client.post(url, headers=bearer(officer), json={"source": "central_budget", "amount": "1,000", "note": "第一批"})
    assert added.status_code == 201, added.get_data(as_text=True)
    line = added.get_json()
    assert {k: line[k] for k in ("source", "amount", "note")} == {"source": "central_budget", "amount": "1000", "note": "第一批"}
    assert added.headers["ETag"] == line["etag"] and added.headers["Location"].endswith(f"/funding/{line['id']}")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "funding:create",
                                                          AuditEntry.project_id == project.id))
    assert (entry.via, entry.user.username) == ("api", "ln-officer")
    assert client.get(f"/api/v1/projects/{project.id}", headers=bearer(officer)).get_json()["funding"] == [line]
    for body, field in (({"source": "gold"}, "source"), ({"source": "central_budget", "amount": "-1"}, "amount"),
                        ({"source": "central_budget", "amount": "1e30"}, "amount"),
                        ({"source": "central_budget", "note": "长" * 201}, "note")):
        assert field in assert_problem(client.post(url, headers=bearer(officer), json=body), 422)["errors"]
    assert_problem(client.post(url, headers=bearer(reader), json={"source": "central_budget"}), 403)


def test_the_rate_limit_is_one_allowance_across_workers(app, db, make_user, token_for):
    """Two workers are two processes with one database; here, two apps on the same database."""
    from tracker import create_app
    secret = token_for(make_user("leader", username="shared"))
    other_worker = create_app({**{k: app.config[k] for k in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "WTF_CSRF_ENABLED", "UPLOAD_DIR")},
        "API_RATE_LIMIT": "4 per hour"})
    app.config["API_RATE_LIMIT"] = "4 per hour"
    try:
        first, second = app.test_client(), other_worker.test_client()
        with time_machine.travel(dt.datetime(2026, 12, 4, 21, 10, tzinfo=dt.UTC), tick=False):
            answers = [(first if n % 2 else second).get("/api/v1/regions", headers=bearer(secret))
                       for n in range(6)]
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
    assert [a.status_code for a in answers] == [200] * 4 + [429] * 2
    limited = assert_problem(answers[4], 429)
    assert answers[4].headers["Retry-After"] == "3000" and limited["detail"]  # at 22:00, the next window
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == tokens.hash_secret(secret)))
    db.session.refresh(stored)
    assert stored.rate_count == 6  # the count is the database's, not either process's


def test_a_correction_sending_one_field_is_refused_and_erases_nothing(app, seeded, db, make_user, token_for):
    """A county's push script sent only what it changed (the README's PUT shows the whole report):
    200, and every money figure of the month was null, the region's totals a month lower."""
    secret = token_for(make_user("officer", "360783", username="ln-officer"), scope="write")
    project = lab_project(db)
    client = app.test_client()
    report = {"month": "2026-11", "progress_text": "主体封顶", "physical_percent": "60",
              "invested_month": "1000", "invested_total": "1000", "funds_received": "1200", "paid": "900"}
    posted = client.post(f"/api/v1/projects/{project.id}/reports", headers=bearer(secret), json=report)
    assert posted.status_code == 201, posted.get_data(as_text=True)
    url = f"/api/v1/projects/{project.id}/reports/2026-11"
    partial = client.put(url, headers={**bearer(secret), "If-Match": posted.headers["ETag"]},
                         json={"progress_text": "主体封顶，开始装修", "correction_reason": "补充形象进度"})
    errors = assert_problem(partial, 422)["errors"]
    assert {"invested_month", "invested_total", "funds_received", "paid", "physical_percent"} <= set(errors)
    kept = client.get(url, headers=bearer(secret)).get_json()
    assert (kept["invested_month"], kept["invested_total"], kept["revision"]) == ("1000", "1000", 1)

    # The whole report as read, with one change, is the correction; null clears a figure.
    whole = {**{key: kept[key] for key in report if key != "month"}, "problems": None, "next_steps": None,
             "over_budget_reason": None, "progress_text": "主体封顶，开始装修", "correction_reason": "补充形象进度"}
    corrected = client.put(url, headers={**bearer(secret), "If-Match": posted.headers["ETag"]}, json=whole)
    assert corrected.status_code == 200, corrected.get_data(as_text=True)
    assert (corrected.get_json()["progress_text"], corrected.get_json()["invested_total"]) == ("主体封顶，开始装修", "1000")


@pytest.mark.parametrize("url, body", [
    ("reports", {"month": "2026-11", "invested_total": "800", "invested_monht": "500"}),
    ("funding", {"source": "central_budget", "amount": "100", "amonut": "5"}),
])
def test_a_misspelt_field_in_a_report_or_a_funding_line_is_refused_by_name(app, seeded, db, make_user, token_for,
                                                                            url, body):
    """The project and milestone writes named a misspelt field; a report took "invested_monht" as
    no figure and answered 201."""
    secret = token_for(make_user("officer", "360783", username="ln-officer"), scope="write")
    project = lab_project(db)
    misspelt = next(key for key in body if key.endswith(("monht", "amonut")))
    model = MonthlyReport if url == "reports" else FundingLine
    before = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.project_id == project.id))
    refused = app.test_client().post(f"/api/v1/projects/{project.id}/{url}", headers=bearer(secret), json=body)
    assert assert_problem(refused, 422)["errors"] == {misspelt: ["未知字段。"]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.project_id == project.id)) == before


@pytest.mark.parametrize("write", ["create", "leave"])
def test_a_walk_by_the_next_links_delivers_each_project_once_while_others_write(app, seeded, db, make_user,
                                                                                token_for, write):
    """The province's nightly pull followed page.next; the link to the last page counted it from
    the end, so a project created before the last request sent the previous page's last row twice
    (and a project leaving the list dropped one that stayed)."""
    secret = token_for(make_user("admin", username="province"), scope="write")
    client = app.test_client()
    first = client.get("/api/v1/projects", headers=bearer(secret)).get_json()
    assert first["page"]["pages"] >= 2
    before = set(db.session.scalars(sa.select(Project.id).where(Project.kind.in_(["construction", "equipment"]))))
    delivered = [p["id"] for p in first["projects"]]
    url, page, leaving = first["page"]["next"], 1, None
    while url:
        page += 1
        if page == first["page"]["pages"] and write == "create":  # before the last page
            created = client.post("/api/v1/projects", headers=bearer(secret),
                                  json={"name": "夜间同步期间新建的项目", "region": "360783", "kind": "construction"})
            assert created.status_code == 201, created.get_data(as_text=True)
        if page == first["page"]["pages"] and write == "leave":
            leaving = delivered[3]
            etag = client.get(f"/api/v1/projects/{leaving}", headers=bearer(secret)).headers["ETag"]
            moved = client.patch(f"/api/v1/projects/{leaving}", headers={**bearer(secret), "If-Match": etag},
                                 json={"kind": "programme"})  # leaves the list
            assert moved.status_code == 200, moved.get_data(as_text=True)
        body = client.get(url, headers=bearer(secret)).get_json()
        delivered += [p["id"] for p in body["projects"]]
        url = body["page"]["next"]
    assert len(delivered) == len(set(delivered)), "a project was delivered twice"
    assert before - {leaving} <= set(delivered), "a project in the list throughout was never delivered"


def test_a_misspelt_filter_is_refused_not_taken_for_the_whole_country(app, seeded, db, make_user, token_for):
    """A nightly pull asking for ?regoin=360783 was given every project, 200."""
    secret = token_for(make_user("viewer", username="platform"))
    client = app.test_client()
    for url in ("/api/v1/projects?regoin=360783", "/api/v1/totals?regoin=360783"):
        assert assert_problem(client.get(url, headers=bearer(secret)), 422)["errors"] == {"regoin": ["未知字段。"]}
    # Every filter of the list page is a parameter the document names, with its values.
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/projects"]["get"]["parameters"]}
    assert {"period", "over_estimate", "unreported", "due_soon", "start", "continued"} <= set(parameters)
    assert "all" in parameters["kind"]["schema"]["enum"] and "unknown" in parameters["status"]["schema"]["enum"]
    assert client.get("/api/v1/projects?period=2021-2025&continued=0&kind=all",
                      headers=bearer(secret)).status_code == 200


def test_a_month_written_right_but_out_of_range_is_told_so(app, seeded, db, make_user, token_for):
    """1948-12 was refused with "月份应写作 YYYY-MM", though it is written that way."""
    secret = token_for(make_user("officer", "360783", username="ln-officer"), scope="write")
    project = lab_project(db)
    refused = app.test_client().post(f"/api/v1/projects/{project.id}/reports", headers=bearer(secret),
                                     json={"month": "1948-12", "invested_month": "1"})
    assert assert_problem(refused, 422)["errors"]["month"] == ["月份应在 1949-01 至 2100-12 之间"]


def test_a_filter_in_error_is_422_naming_each_argument(app, seeded, db, make_user, token_for):
    """?status=bogus, ?region=999999, ?late=maybe answered 400 with a detail alone, where the
    README promises 422 with errors per field (and ?sort=bogus was already 422 naming sort)."""
    secret = token_for(make_user("viewer", username="platform"))
    for url in ("/api/v1/projects?region=999999&late=maybe&period=garbage",
                "/api/v1/totals?region=999999&late=maybe&period=garbage"):
        errors = assert_problem(app.test_client().get(url, headers=bearer(secret)), 422)["errors"]
        assert set(errors) == {"region", "late", "period"}
        assert errors["region"] == ["没有行政区划代码为 999999 的地区"]


def test_a_read_varies_by_token_and_language(app, seeded, db, make_user, token_for):
    """The ETag of one version differed by Accept-Language with no Vary saying so: a cache, or an
    If-None-Match, matched an answer in the other language."""
    secret = token_for(make_user("viewer", username="platform"))
    answer = app.test_client().get("/api/v1/regions", headers={**bearer(secret), "Accept-Language": "en"})
    assert {"authorization", "accept-language"} <= {value.strip().lower() for value in answer.headers["Vary"].split(",")}


def test_the_documents_examples_of_a_report_are_a_report_the_api_takes(app, seeded, db, make_user, token_for):
    """Swagger UI's "Try it out" filled every figure with "string": pasted, the body was 422."""
    secret = token_for(make_user("officer", "360783", username="ln-officer"), scope="write")
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"]["NewReportInput"]["properties"]
    body = {name: field.get("example") for name, field in schema.items()}
    project = lab_project(db)
    posted = app.test_client().post(f"/api/v1/projects/{project.id}/reports", headers=bearer(secret), json=body)
    assert posted.status_code == 201, posted.get_data(as_text=True)
    assert (posted.get_json()["progress_text"], posted.get_json()["invested_month"]) == ("主体封顶", "1000")


def test_the_document_reads_in_the_readers_language(app, seeded, db, make_user):
    """The English docs page was Chinese in every operation's summary (79 of its 309 strings):
    the document's words are msgids, translated as it is served."""
    import re

    from .conftest import login_as

    client = app.test_client()
    login_as(client, make_user("leader", username="reader"))
    client.get("/language/en")
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["info"]["title"] == "Health-construction portfolio tracker API"
    texts = [operation.get(key) for path in document["paths"].values() for operation in path.values()
             if isinstance(operation, dict) for key in ("summary", "description") if operation.get(key)]
    assert texts and not [text for text in texts if re.search(r"[\u4e00-\u9fff]", text)]
    client.get("/language/zh")
    assert client.get("/api/v1/openapi.json").get_json()["info"]["title"] == "卫生健康建设项目台账 API"


def test_the_page_links_are_never_built_on_the_host_a_client_sent(app, seeded, db, make_user, token_for):
    """A QA walk: Host: evil.example gave Link: <http://evil.example/api/v1/projects?page=2…>;
    a client following rel="next" (or a cache that kept the answer) sent its bearer token there.
    The links stand on TRACKER_PUBLIC_URL, or are paths of this site when none is set."""
    secret = token_for(make_user("admin", username="province-host"), scope="read")
    client = app.test_client()
    answer = client.get("/api/v1/projects", headers={**bearer(secret), "Host": "evil.example"})
    assert answer.status_code == 200
    assert "evil.example" not in answer.headers["Link"] and "evil.example" not in answer.get_json()["page"]["next"]
    assert answer.get_json()["page"]["next"].startswith("/api/v1/projects?")
    app.config["PUBLIC_URL"] = "https://tracker.example.gov.cn/"
    try:
        answer = client.get("/api/v1/projects?page=999", headers={**bearer(secret), "Host": "evil.example"})
        assert answer.get_json()["page"]["prev"].startswith("https://tracker.example.gov.cn/api/v1/projects?")
        assert answer.headers["Link"].startswith("<https://tracker.example.gov.cn/api/v1/projects?")
    finally:
        app.config["PUBLIC_URL"] = None
