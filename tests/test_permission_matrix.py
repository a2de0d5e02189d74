"""Every route × every role: anonymous, viewer, leader, officer of region A, of region B, admin.

A route missing from ROUTES fails the test: a new page must say who may use it.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from tracker.audit.services import Actor
from tracker.models import Project
from tracker.progress import photos, services as progress

from .conftest import login_as

ROLES = ("anonymous", "viewer", "leader", "officer_a", "officer_b", "admin")
LOGGED_IN = set(ROLES) - {"anonymous"}
EDITORS = {"admin", "officer_a"}  # officer_a's regions hold the project; officer_b's do not

# endpoint → the roles that may GET it (others: 403; anonymous: sent to the login page).
# POST-only endpoints list who may POST.
ROUTES: dict[str, set[str]] = {
    "portfolio.index": LOGGED_IN, "portfolio.project_list": LOGGED_IN,
    "projects.project_detail": LOGGED_IN, "regions.region_detail": LOGGED_IN,
    "plans.plan_detail": LOGGED_IN, "plans.plan_text": LOGGED_IN, "progress.photo": LOGGED_IN,
    "dashboard.index": LOGGED_IN, "dashboard.briefing_pdf": LOGGED_IN,
    "portfolio.choose_columns": LOGGED_IN, "dashboard.my_todo": {"admin", "officer_a", "officer_b"},
    "auth.change_password": LOGGED_IN, "auth.logout": LOGGED_IN,
    "projects.project_new": {"admin", "officer_a", "officer_b"},
    "projects.project_edit": EDITORS, "projects.plan_remove": EDITORS, "progress.milestones": EDITORS,
    "progress.milestones_save": EDITORS, "progress.milestones_lifecycle": EDITORS,
    "progress.milestone_add": EDITORS, "progress.milestone_rename": EDITORS, "progress.milestone_delete": EDITORS,
    "progress.photo_delete": EDITORS,
    "progress.report_new": EDITORS, "progress.budget": EDITORS, "progress.funding": EDITORS,
    "progress.funding_delete": EDITORS, "progress.funding_edit": EDITORS,
    "audit.audit_log": {"admin", "leader"},
    "admin.settings": {"admin"}, "admin.user_list": {"admin"}, "admin.user_new": {"admin"},
    "admin.user_edit": {"admin"}, "admin.user_enable": {"admin"}, "admin.user_disable": {"admin"},
    "admin.user_reset_password": {"admin"}, "admin.user_profile": {"admin"}, "admin.user_role": {"admin"},
    "exports.export": LOGGED_IN, "exports.export_reports": LOGGED_IN, "imports.template": {"admin", "officer_a", "officer_b"},
    "imports.upload": {"admin", "officer_a", "officer_b"}, "imports.preview": {"admin", "officer_a", "officer_b"},
    "imports.confirm": {"admin", "officer_a", "officer_b"}, "imports.discard": {"admin", "officer_a", "officer_b"},
    # Plans (issue 16): the plan in this world is Longnan's, officer_a's region.
    "plans.plan_list": LOGGED_IN, "plans.plan_candidates": LOGGED_IN, "plans.plan_evaluation": LOGGED_IN,
    "plans.plan_evaluation_xlsx": LOGGED_IN, "plans.plan_new": {"admin", "officer_a", "officer_b"},
    "plans.candidate_accept": EDITORS, "plans.candidate_merge": EDITORS, "plans.candidate_reject": EDITORS,
    "plans.candidate_accept_indicator": EDITORS, "plans.plan_carry_over": EDITORS, "plans.plan_actual": EDITORS,
    "plans.plan_evaluation_pdf": LOGGED_IN, "plans.actuals_template": EDITORS, "plans.actuals_upload": EDITORS,
    "plans.actuals_preview": EDITORS, "plans.actuals_confirm": EDITORS, "plans.actuals_discard": EDITORS,
    # The world's plan is a seed plan: its details are the seed's, corrected by nobody here
    # (tests/test_plan_intake.py corrects a plan added in the tracker); its withdrawal page
    # answers its editors, saying why it cannot be withdrawn.
    "plans.plan_edit": set(), "plans.plan_withdraw": EDITORS,
    "plans.candidate_indicator": EDITORS,
    # Indicators are added by hand to a plan added in the tracker (tests/test_plan_intake.py), not
    # to a seed plan; removing one of a seed plan's answers its editors, saying why not.
    "plans.indicator_new": set(), "plans.indicator_remove": EDITORS,
    "auth.api_tokens": LOGGED_IN, "auth.revoke_api_token": LOGGED_IN,
    "home.default_scope": LOGGED_IN, "home.save_view": LOGGED_IN, "home.view_list": LOGGED_IN,
    "home.open_view": LOGGED_IN, "home.rename_view": LOGGED_IN, "home.delete_view": LOGGED_IN,
}
OWN_UPLOADS = {"imports.preview", "imports.confirm", "imports.discard",
               "plans.actuals_preview", "plans.actuals_confirm", "plans.actuals_discard",
               "auth.revoke_api_token",  # another's token: 404
               "home.open_view", "home.rename_view", "home.delete_view",  # no such view: 404
               "plans.candidate_indicator"}  # the world's candidate is a project's, not an indicator: 404
PUBLIC = {"auth.login", "set_language", "static",
          "api-docs.openapi_json", "api_docs.page", "api_docs.asset", "api_root.index"}  # the API's document and its page
# The API (tracker/api/): a token opens it, never a session cookie: 401 to every browser
# (tests/test_api.py checks the roles with tokens).
TOKEN_ONLY_PREFIX = "api."
# Routes whose own page answers with something other than 200 for a permitted GET.
REDIRECTING = {"portfolio.index", "set_language", "api_root.index"}


@pytest.fixture()
def world(app, db, seeded, make_user):
    project = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-01"))
    actor = Actor(None, "cli")
    progress.add_standard_lifecycle(actor, project)
    line = progress.add_funding_line(actor, project, source="local_fiscal", amount=Decimal("100"))
    report = progress.submit_report(actor, project, dt.date(2024, 1, 1), invested_month=Decimal("1"))
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.filename = "p.png"
    photo = photos.store_photo(report, buffer)
    db.session.commit()
    users = {"viewer": make_user("viewer"), "leader": make_user("leader"),
             "officer_a": make_user("officer", "360783"), "officer_b": make_user("officer", "441700"),
             "admin": make_user("admin")}
    clients = {"anonymous": app.test_client()}
    for role, user in users.items():
        clients[role] = app.test_client()
        login_as(clients[role], user)
    params = {"project_id": project.id, "milestone_id": project.milestones[0].id, "line_id": line.id,
              "photo_id": photo.id, "user_id": users["viewer"].id, "key": "360783",
              "code": "en", "filename": "tracker.css", "size": "thumb",
              "fmt": "xlsx", "kind": "projects", "token": "A" * 32,
              "token_id": 999999, "month": "2024-01", "name": "swagger-ui.css", "view_id": 999999}
    plan_key = project.plans[0].key
    from tracker.plans.models import PlanCandidate
    candidate = PlanCandidate(plan_id=project.plans[0].id, kind="project", position=1,
                              data={"name": "龙南市康复医院", "sources": []})
    db.session.add(candidate)
    db.session.commit()
    params["candidate_id"] = candidate.id
    params["indicator_id"] = project.plans[0].indicators[0].id
    return clients, params, plan_key


def url_for_rule(rule, params, plan_key) -> str:
    values = {name: params[name] for name in rule.arguments}
    if rule.endpoint.startswith("plans.") or "/plans/" in rule.rule:
        values["key"] = plan_key
    return rule.build(values, append_unknown=False)[1]


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    endpoints = {e for e in endpoints if not e.startswith(TOKEN_ONLY_PREFIX)}
    assert endpoints - set(ROUTES) - PUBLIC == set(), "classify the new routes in ROUTES"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(app, world, role):
    clients, params, plan_key = world
    client = clients[role]
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint == "auth.logout":
            continue  # logging out would sign this client out of the remaining routes
        url = url_for_rule(rule, params, plan_key)
        method = "GET" if "GET" in rule.methods else "POST"
        if rule.endpoint.startswith(TOKEN_ONLY_PREFIX):
            method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
            status = client.open(url, method=method, data={}).status_code
            if status != 401:
                failures.append(f"{method} {url}: {status} (the API, with a cookie)")
            continue
        allowed = role in ROUTES[rule.endpoint]
        response = client.open(url, method=method, data={})
        status = response.status_code
        if role == "anonymous":
            ok = status == 302 and "/login" in response.headers.get("Location", "")
        elif not allowed:
            ok = status == 403
        elif rule.endpoint in OWN_UPLOADS:
            ok = status == 404
        elif method == "GET":
            ok = status == 200 or (rule.endpoint in REDIRECTING and status == 302)
        else:  # an empty POST by a permitted user: refused as invalid or acted on, never forbidden
            ok = status in (200, 302, 400, 409)
        if not ok:
            failures.append(f"{method} {url}: {status} (allowed={allowed})")
    assert failures == []


@pytest.mark.parametrize("role", sorted(LOGGED_IN))
def test_a_missing_project_is_404_not_403(app, world, role):
    clients, params, plan_key = world
    for endpoint in ("projects.project_detail", "projects.project_edit", "progress.milestones",
                     "progress.report_new", "progress.budget", "progress.funding"):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = url_for_rule(rule, {**params, "project_id": 999999}, plan_key)
        assert clients[role].get(url).status_code == 404, (role, url)


def test_state_changes_need_a_csrf_token(app, world):
    clients, params, plan_key = world
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = clients["admin"].post(f"/projects/{params['project_id']}/budget", data={
            "new_amount": "1", "reason": "x", "approval_number": "x", "approval_date": "2024-01-01"})
        assert response.status_code == 400
        logout = clients["admin"].post("/logout")
        assert logout.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
