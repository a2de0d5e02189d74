"""What a browser is told, and what an attacker at the login form meets."""

import re

import pytest


def test_every_page_carries_the_security_headers(client, anonymous_client):
    for response in (client.get("/projects"), anonymous_client.get("/login"), client.get("/nowhere")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite(app, make_user):
    make_user("leader", username="cookie-user")
    client = app.test_client()
    response = client.post("/login", data={"username": "cookie-user", "password": "Test-password-1"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on localhost; TRACKER_HTTPS=1 makes it Secure


def test_repeated_failed_logins_are_slowed_with_a_clear_message(app, make_user, db):
    make_user("leader", username="target")
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "target", "password": f"wrong-{i}"}).status_code
                for i in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    blocked = client.post("/login", data={"username": "target", "password": "Test-password-1"})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(app, make_user, db):
    make_user("leader", username="known")
    client = app.test_client()
    wrong = client.post("/login", data={"username": "known", "password": "nope-123456"})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope-123456"})
    assert wrong.status_code == unknown.status_code == 400
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert "用户名或密码不正确" in unknown.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/projects", "/projects/1", "/regions/360783", "/account/password"])
def test_anonymous_visitors_are_sent_to_login(anonymous_client, path):
    response = anonymous_client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_first_login_with_a_one_time_password_must_choose_a_new_one(app, db):
    from tracker.accounts import services
    from tracker.audit.services import CLI
    user, password = services.ensure_admin(CLI)
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": "admin", "password": password})
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/projects").headers["Location"].endswith("/account/password")
    changed = client.post("/account/password", data={"current": password, "password": "Brand-new-pw-9",
                                                     "confirm": "Brand-new-pw-9"})
    assert changed.status_code == 302
    assert client.get("/projects").status_code == 200
    # The header names the account once and its role once: "admin 管理员", not "管理员 管理员".
    account = re.search(r'<div class="account">(.*?)<details', client.get("/projects").get_data(as_text=True),
                        re.S).group(1)
    assert re.sub(r"<[^>]+>|\s+", " ", account).split() == ["admin", "管理员"]


def test_a_disabled_users_session_ends(app, db, make_user):
    from tracker.accounts import services
    from tracker.audit.services import CLI
    from .conftest import login_as
    user = make_user("leader", username="soon-gone")
    client = app.test_client()
    login_as(client, user)
    assert client.get("/projects").status_code == 200
    make_user("admin", username="keeper")
    services.set_active(CLI, user, False)
    db.session.commit()
    assert client.get("/projects").status_code == 302


def _ten_failed_logins_from(client, address: str) -> list[int]:
    return [client.post("/login", data={"username": f"nobody-{address}-{i}", "password": "nope-123456"},
                        headers={"X-Forwarded-For": address}).status_code for i in range(10)]


def test_behind_a_proxy_the_login_limit_counts_each_visitor_not_the_proxy(database_url, tmp_path, db):
    """TRACKER_PROXIES=1: nginx's X-Forwarded-For names the visitor, so one visitor's failed
    attempts do not lock out the whole office behind the same proxy."""
    from tracker import create_app
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "t",
                          "WTF_CSRF_ENABLED": False, "PROXIES": 1, "UPLOAD_DIR": tmp_path})
    client = proxied.test_client()
    assert _ten_failed_logins_from(client, "10.0.0.1") == [400] * 10
    assert client.post("/login", data={"username": "x", "password": "nope-123456"},
                       headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 429
    assert _ten_failed_logins_from(client, "10.0.0.2")[0] == 400  # a colleague is not locked out


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_limit(app, db):
    client = app.test_client()
    statuses = [client.post("/login", data={"username": f"forger-{i}", "password": "nope-123456"},
                            headers={"X-Forwarded-For": f"10.9.9.{i}"}).status_code for i in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


def test_no_template_has_an_inline_handler_the_policy_would_block():
    """script-src 'self' blocks an inline onsubmit: the plan review's "确定驳回？" never asked, and
    one click rejected a candidate for good. A question goes in data-confirm (submit-once.js)."""
    from tracker.config import PROJECT_ROOT

    inline = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = [f"{path.relative_to(PROJECT_ROOT)}:{number}"
             for path in sorted((PROJECT_ROOT / "templates").rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if inline.search(line)]
    assert found == []


def test_every_form_that_carries_what_it_was_opened_on_is_not_restored_by_back():
    """A form with a hidden version (or the values it was opened with) that the browser fills
    again on Back puts the officer's old typing over a page fetched afresh, its version the
    current one: saved again, a colleague's change since was overwritten unannounced
    (tests/e2e/test_edit_conflict.py). autocomplete="off" keeps the browser from restoring it."""
    from tracker.config import PROJECT_ROOT

    form = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL)
    carried = re.compile(r"\.(version|loaded|shown)\b|name=\"(version|loaded|shown)\"")
    unguarded = [f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)[:80]}"
                 for path in sorted((PROJECT_ROOT / "templates").rglob("*.html"))
                 for match in form.finditer(path.read_text(encoding="utf-8"))
                 if carried.search(match.group(0)) and 'autocomplete="off"' not in match.group(0).split(">", 1)[0]]
    assert unguarded == []


@pytest.mark.parametrize("target", ["/projects\n", "/%0d%0aSet-Cookie:%20x=1", "/a\rb", "/a\tb"])
def test_a_next_address_with_a_control_character_falls_back_to_the_landing_page(app, make_user, db, target):
    """A QA walk: /login?next=/projects%0A and a correct password gave a 500 (werkzeug refuses a
    Location with a line break), the error page drawn as if signed in while he was not; the same
    from the language switch. Such an address is no path of this site: the landing page."""
    from urllib.parse import quote

    make_user("leader", username="next-tester")
    client = app.test_client()
    signed = client.post(f"/login?next={quote(target, safe='/%')}",
                         data={"username": "next-tester", "password": "Test-password-1"})
    assert signed.status_code == 302 and signed.location in ("/", "/projects"), signed.location
    switched = client.get(f"/language/en?next={quote(target, safe='/%')}")
    assert switched.status_code == 302 and "\n" not in switched.location and "\r" not in switched.location
