"""What an answer says about itself (issue 14 item 15): the OC4IDS package's ``uri`` comes from
the configuration, never from the Host header a client sends; a 405 names the methods allowed."""

from __future__ import annotations

import json

from tracker.accounts import sessions
from tracker.extensions import db

import pytest

from .factories import county_in_city, project


def signed_in_at(app, user, host: str):
    """A leader's browser that reaches the tracker under ``host`` (a forged or misrouted Host)."""
    browser = app.test_client()
    with browser.session_transaction(base_url=f"http://{host}") as session:
        session.update(sessions.cookie(user))  # a server-side session (tracker/accounts/sessions.py)
    db.session.commit()
    return browser


@pytest.fixture()
def one_project(db):
    _, _, county = county_in_city()
    project(county, kind="construction", category="cdc", total_investment=1320)
    db.session.commit()


def test_the_oc4ids_uri_is_the_configured_public_address(app, make_user, one_project, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://tracker.wjw.example.gov.cn/")
    browser = signed_in_at(app, make_user("leader", username="uri-leader"), "evil.example")
    response = browser.get("/projects/export.oc4ids.json?region=360783", base_url="http://evil.example",
                           headers={"X-Forwarded-Host": "evil.example"})
    document = json.loads(response.get_data(as_text=True))
    assert document["uri"] == "https://tracker.wjw.example.gov.cn/projects/export.oc4ids.json?region=360783"


def test_without_a_public_address_the_uri_names_no_host(app, make_user, one_project, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", None)
    browser = signed_in_at(app, make_user("leader", username="uri-leader"), "evil.example")
    response = browser.get("/projects/export.oc4ids.json", base_url="http://evil.example")
    document = json.loads(response.get_data(as_text=True))
    assert "evil.example" not in document["uri"] and document["uri"].startswith("urn:uuid:")


@pytest.mark.parametrize("method, path, allowed", [
    ("post", "/projects", {"GET", "HEAD", "OPTIONS"}),
    ("delete", "/projects/1", {"GET", "HEAD", "OPTIONS"}),
    ("put", "/login", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("get", "/logout", {"POST", "OPTIONS"}),
])
def test_a_wrong_method_is_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed
    assert "卫生健康建设项目台账" in response.get_data(as_text=True)  # the site's own error page


@pytest.mark.parametrize("huge", ["99999999999999999999999999", "9223372036854775808"])
def test_an_id_past_the_databases_integers_is_no_such_row_on_every_route(app, make_user, huge):
    """A QA walk's complaint: /projects/99999999999999999999999999 (and /edit, /milestones,
    /photos/…, /views/…, a token's revoke, GET and POST) was a 500: SQLite's driver cannot hold
    the number. It is a 404, as the API answered."""
    from werkzeug.routing import IntegerConverter

    from .browsers import browser

    client = browser(app, make_user("admin", username="huge-id-admin"))
    rules = [rule for rule in app.url_map.iter_rules()
             if any(isinstance(converter, IntegerConverter) for converter in rule._converters.values())]
    assert len(rules) > 15
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", huge).replace(f"<{name}>", "x")
        for method in {"GET", "POST"} & set(rule.methods or ()):
            status = client.open(path, method=method).status_code
            assert status in (404, 405), (method, path, status)
