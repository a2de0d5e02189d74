"""Every route, every role, hostile values (issue 14 item 6): no request gets a server error.

The routes come from ``app.url_map``, so a route added later is walked too. Each is asked by an
anonymous visitor and by every role (a viewer with money hidden) with hostile values:
- GET with every query-string key the tracker reads set to the value, and
- POST (where the route takes it) with every form field of the tracker's pages set to it;
then each query key alone, so one bad key cannot hide behind another's refusal. A streamed answer
is read to its end. Each request runs in a savepoint rolled back after it. CI asks a share of
the corpus (``share``); ``make fuzz`` all of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tracker.accounts import services as accounts
from tracker.core import clock
from tracker.audit.services import CLI
from tracker.models import Project, User
from tracker.progress import services as progress

from .browsers import browser

HOSTILE = ["", " ", "\x01", "\x0b\x0c", "\u202e", "\u200b", "²", "-1", "0", "99999999999999999999",
           "1e309", "NaN", "0001-01-01", "9999-12-31", "2024-02-30", "<script>alert(1)</script>",
           "=1+1", "＝1＋1", "'; DROP TABLE projects; --", "%", "_", "[]", "x" * 5000, "前" * 300]
QUERY_KEYS = ["q", "region", "plan", "period", "status", "category", "kind", "build_nature", "nature", "funding",
              "late", "sort", "order", "page", "after", "before", "value", "anchor", "year", "user", "via",
              "action", "project", "date_from", "date_to", "month", "next", "role", "size"]
ROLES = [None, "admin", "officer", "leader", "viewer"]
# CI asks each role a share of the corpus, a different share on each route, and each key alone
# one value; `make fuzz` (TRACKER_WALK_ALL=1) asks every role every value on every route, and
# every key alone every value, as the admin and as the viewer.
EVERYTHING = os.environ.get("TRACKER_WALK_ALL") == "1"
# Each walk is cut into PARTS tests, each taking every PARTS-th route (the same values as one walk
# would ask it): pytest-xdist then spreads a walk over the workers instead of one worker ending it
# alone while the others wait.
PARTS = 4


def share(values: list, turn: int, parts: int) -> list:
    return values if EVERYTHING else values[turn % parts::parts]
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


@pytest.fixture()
def site(app, db, seeded, make_user):
    """The seed, a report with a funding line, and one user of each role (money hidden from viewers)."""
    building = db.session.scalar(sa.select(Project).where(Project.region.has(key="360783"))
                                 .order_by(Project.id))
    progress.submit_report(CLI, building, clock.this_month(), invested_month="12",
                           progress_text="主体结构施工至5层")
    line = progress.add_funding_line(CLI, building, source="central_budget", amount="500", note="第一批")
    milestone = progress.add_custom_milestone(CLI, building, "设备安装", dt.date(2025, 6, 30))
    admin = make_user("admin", username="walk-admin")
    users = {"admin": admin, "officer": make_user("officer", "360783", username="walk-officer"),
             "leader": make_user("leader", username="walk-leader"),
             "viewer": make_user("viewer", username="walk-viewer")}
    accounts.set_setting(CLI, accounts.HIDE_MONEY_FROM_VIEWERS, {"enabled": True})
    db.session.commit()
    plan_key = db.session.scalar(sa.text("SELECT key FROM plans ORDER BY id LIMIT 1"))
    values = {"project_id": building.id, "line_id": line.id, "milestone_id": milestone.id,
              "user_id": users["officer"].id, "photo_id": 1, "size": "thumb", "token": "no-such-upload",
              "kind": "projects", "fmt": None, "code": "en", "key": None, "filename": "tracker.css",
              "candidate_id": 1, "token_id": 1, "month": "2026-11", "name": "swagger-ui.css",  # plans (16), the API (17)
              "view_id": 1}  # saved views (18)
    return {"app": app, "db": db, "users": {role: user.id for role, user in users.items()}, "values": values, "plan_key": plan_key,
            "connection": db.session.get_bind()}


def urls(site) -> list[tuple[str, set[str]]]:
    """Each rule as concrete URLs (one per choice of an ``any`` converter), with its methods."""
    found = []
    for rule in site["app"].url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        choices = [{}]
        for name in rule.arguments:
            converter = rule._converters[name]
            if hasattr(converter, "items"):  # any(...): every choice
                options = sorted(converter.items) if isinstance(converter.items, (set, list, tuple)) \
                    else sorted(re.findall(r"[\w.-]+", converter.regex))
                choices = [{**c, name: option} for c in choices for option in options]
            elif name == "key":
                keys = [site["plan_key"]] if rule.rule.startswith("/plans") else ["360783"]
                choices = [{**c, name: key} for c in choices for key in keys]
            else:
                choices = [{**c, name: site["values"][name]} for c in choices]
        with site["app"].test_request_context():
            from flask import url_for
            for arguments in choices:
                found.append((url_for(rule.endpoint, **arguments), methods))
    return sorted(found)


@contextlib.contextmanager
def rolled_back(site):
    db = site["db"]
    db.session.remove()
    savepoint = site["connection"].begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()


def ask(site, role, method, url, data=None):
    # Loaded afresh: each request's rollback (below) leaves earlier objects detached.
    user = site["db"].session.get(User, site["users"][role]) if role else None
    client = browser(site["app"], user)
    with rolled_back(site):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=data)
        body = response.get_data()  # a streamed answer is read to its end: it must not break off
    assert response.status_code < 500, (role, method, url, data and list(data)[:5],
                                        body[:1500].decode("utf-8", "replace"))
    return response, body


@pytest.fixture()
def form_fields(site, app):
    """The name of every form field on the admin's pages: what a POST may carry. Read once per
    session (each part of the walk would otherwise read every page again), on the same data."""
    if not _form_fields:
        names = set()
        for url, methods in urls(site):
            if "GET" in methods and not url.startswith("/static") and "export" not in url:
                response, body = ask(site, "admin", "GET", url)
                if response.mimetype == "text/html":
                    names |= set(FIELD_NAME.findall(body.decode()))
        _form_fields.extend(sorted(names - {"csrf_token"}))
    return _form_fields


_form_fields: list[str] = []


@pytest.mark.parametrize("part", range(PARTS))
def test_every_route_answers_every_role_without_a_server_error(site, form_fields, part):
    routes = urls(site)
    assert len(routes) > 40
    asked = walked = 0
    for number, (url, methods) in enumerate(routes):
        if number % PARTS != part:
            continue
        walked += 1
        for turn, role in enumerate(ROLES):
            # A visitor who is not signed in is sent to the login page whatever he sends: one value.
            values = share(HOSTILE, number + turn, 6) if role else share(HOSTILE, number, len(HOSTILE))
            for value in values:
                if "GET" in methods:
                    ask(site, role, "GET", url + "?" + urlencode({key: value for key in QUERY_KEYS}))
                    asked += 1
                if "POST" in methods:
                    ask(site, role, "POST", url, {name: value for name in form_fields})
                    asked += 1
    print(f"{asked} requests to {walked} URLs")


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("role", ["admin", "viewer"] if EVERYTHING else ["admin"])
def test_every_query_key_alone_gets_an_answer_not_a_crash(site, role, part):
    asked = walked = 0
    for number, (url, methods) in enumerate(urls(site)):
        if "GET" not in methods or url.startswith("/static") or number % PARTS != part:
            continue
        for turn, key in enumerate(QUERY_KEYS):
            for value in share(HOSTILE, number + turn, len(HOSTILE)):
                ask(site, role, "GET", url + "?" + urlencode({key: value}))
                asked += 1
        walked += 1
    print(f"{asked} requests to {walked} URLs")
