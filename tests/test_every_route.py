"""Every route, every role, hostile values (issue 14 item 6): no request gets a server error.

The routes come from ``app.url_map``, so a route added later is walked too. Each is asked by an
anonymous visitor and by every role (a viewer with money hidden) with hostile values:
- GET with every query-string key the tracker reads set to the value, and
- POST (where the route takes it) with every form field of the tracker's pages set to it;
then each query key alone, so one bad key cannot hide behind another's refusal: each key the
route looks at (``keys_read``: a request without a query string, its reads of the query string
watched; a key it never looks at cannot change its answer). A streamed answer is read to its
end. Each request runs in a savepoint rolled back after it. CI asks a share of the corpus
(``share``); ``make fuzz`` all of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import sys
from urllib.parse import parse_qsl, urlencode

import pytest
import sqlalchemy as sa
from flask import Request
from PIL import Image
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from tracker.accounts import services as accounts
from tracker.core import clock
from tracker.audit.services import CLI
from tracker.models import Project, User
from tracker.progress import photos, services as progress

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
    report = progress.submit_report(CLI, building, clock.this_month(), invested_month="12",
                                    progress_text="主体结构施工至5层")
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, "PNG")
    picture.seek(0)
    picture.filename = "现场.png"  # type: ignore[attr-defined]
    photo = photos.store_photo(report, picture)  # its page, and its deletion's
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
              "user_id": users["officer"].id, "photo_id": photo.id, "size": "thumb", "token": "no-such-upload",
              "kind": "projects", "fmt": None, "code": "en", "key": None, "filename": "tracker.css",
              "candidate_id": 1, "token_id": 1, "month": "2026-11", "name": "swagger-ui.css",  # plans (16), the API (17)
              "view_id": 1, "indicator_id": 1}  # saved views (18), a plan's indicator
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
                keys = [site["plan_key"]] if "/plans/" in rule.rule else ["360783"]
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


def signed_in(site, role):
    """A fresh browser (a request may sign out, or switch the language) signed in as ``role``: the
    first for a role starts a session (a row, committed), the others carry its cookie, as a second
    tab of the same browser would, instead of each starting one (a tenth of the walk)."""
    cookies = site.setdefault("cookies", {})
    if role is None or role not in cookies:
        # Loaded afresh: each request's rollback (below) leaves earlier objects detached.
        user = site["db"].session.get(User, site["users"][role]) if role else None
        client = browser(site["app"], user)
        if role is not None:
            cookies[role] = client.get_cookie(site["app"].config["SESSION_COOKIE_NAME"]).value
        return client
    client = site["app"].test_client()
    client.set_cookie(site["app"].config["SESSION_COOKIE_NAME"], cookies[role])
    return client


def assert_still_signed_in(site):
    """The walk's requests were each rolled back: every role's cookie still signs its browser in,
    so no answer of the walk was a signed-out visitor's by mistake."""
    for role in site.get("cookies", {}):
        response = signed_in(site, role).get("/account/tokens")
        assert response.status_code == 200, (role, response.status_code, response.location)


def ask(site, role, method, url, data=None):
    client = signed_in(site, role)
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
    assert_still_signed_in(site)


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("role", ["admin", "viewer"] if EVERYTHING else ["admin"])
def test_every_query_key_alone_gets_an_answer_not_a_crash(site, role, part):
    asked = walked = skipped = 0
    for number, (url, methods) in enumerate(urls(site)):
        if "GET" not in methods or url.startswith("/static") or number % PARTS != part:
            continue
        read = keys_read(site, role, url)
        skipped += len(set(QUERY_KEYS) - read)
        for key in sorted(read, key=KEYS.index):
            for value in share(HOSTILE, number + KEYS.index(key), len(HOSTILE)):
                ask(site, role, "GET", url + "?" + urlencode({key: value}))
                asked += 1
        walked += 1
    print(f"{asked} requests to {walked} URLs; {skipped} keys never read")
    assert walked and asked
    assert_still_signed_in(site)


class WatchedArgs(ImmutableMultiDict):
    """The query string's values, noting which keys the request looked at (``READ``): by name
    (``get``, ``in``, ``[]``, ``getlist``), or every key at once when it is enumerated, counted,
    copied or compared."""

    def _note(self, key=None):
        if READ is not None and (key is not None or not read_by(NUL_GUARD)):
            READ.add(key if key is not None else EVERY_KEY)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)


def _every_key(name):
    method = getattr(ImmutableMultiDict, name)

    def noted(self, *args, **kwargs):
        self._note()
        return method(self, *args, **kwargs)
    return noted


for _name in ("__iter__", "__len__", "__bool__", "__eq__", "__ne__", "__repr__", "__reduce_ex__",
              "keys", "values", "items", "lists", "listvalues", "to_dict", "copy", "deepcopy",
              "__copy__", "__deepcopy__"):
    if hasattr(ImmutableMultiDict, _name):
        setattr(WatchedArgs, _name, _every_key(_name))

EVERY_KEY = object()
READ: set | None = None
# Two readers look at every key alike, whatever its name: the guard that refuses a NUL byte in any
# value before every request (it enumerates the values), and the language switch of every page,
# whose link back carries the page's whole address (it reads the raw query string). A key's name
# cannot change what they do, and the walk with every key at once
# (test_every_route_answers_every_role_without_a_server_error) asks them every value; so what they
# read does not count as looking at a key. Any other reader of the raw string, or enumeration, does.
NUL_GUARD = ("refuse_nul_bytes", os.path.join("tracker", "application.py"))
LANGUAGE_SWITCH = ("root", os.path.join("templates", "base.html"))


def read_by(reader: tuple[str, str]) -> bool:
    """Whether ``reader`` (a function's name and file) is a few frames up: the caller of the
    property or method, or of Jinja's attribute lookup that called it."""
    name, path = reader
    frame = sys._getframe(2)
    for _ in range(5):
        if frame is None:
            return False
        if frame.f_code.co_name == name and frame.f_code.co_filename.endswith(path):
            return True
        frame = frame.f_back
    return False


class WatchedRequest(Request):
    """A request whose query string is read only through ``WatchedArgs``: the raw string and the
    URLs made from it (``full_path``, ``url`` …) count as reading every key."""

    parameter_storage_class = WatchedArgs

    @property
    def query_string(self):
        if READ is not None and not read_by(LANGUAGE_SWITCH):
            READ.add(EVERY_KEY)
        return self._query_string

    @query_string.setter
    def query_string(self, value):
        self._query_string = value

    @cached_property
    def args(self):
        return self.parameter_storage_class(parse_qsl(self._query_string.decode(), keep_blank_values=True,
                                                      errors="werkzeug.url_quote"))


def keys_read(site, role, url) -> set[str]:
    """The query keys a GET of ``url`` with no query string looks at. A request with one key K
    runs as this one does until it first looks at K (by name or by enumerating the keys): a key
    it never looks at cannot change its answer, so only the keys looked at are worth asking
    alone: those of QUERY_KEYS, and any other it reads by name (a key added later is asked too).
    Every key of QUERY_KEYS when the request enumerates them or reads the raw query string."""
    global READ
    app = site["app"]
    original, READ, app.request_class = app.request_class, set(), WatchedRequest
    try:
        ask(site, role, "GET", url)
        read = READ
    finally:
        READ, app.request_class = None, original
    if EVERY_KEY in read:
        read = (read - {EVERY_KEY}) | set(QUERY_KEYS)
    KEYS.extend(sorted(read - set(KEYS)))
    return read


KEYS = list(QUERY_KEYS)  # QUERY_KEYS, then every other key a route was seen to read


def test_the_walk_sees_which_keys_a_route_reads(site):
    """The key walk asks a key alone only where the route looks at it: a key read by name, every
    key where the keys are enumerated, no key where none is read."""
    project = site["values"]["project_id"]
    assert "month" in keys_read(site, "admin", f"/projects/{project}/reports/new")
    assert {"user", "date_from", "page"} <= keys_read(site, "admin", "/admin/audit")
    assert set(QUERY_KEYS) <= keys_read(site, "admin", "/dashboard")  # Scope.from_args enumerates
    assert "unreported" in keys_read(site, "admin", "/projects")  # read by name, not in QUERY_KEYS
    assert keys_read(site, "admin", "/account/password") == set()
