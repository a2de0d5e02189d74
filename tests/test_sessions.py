"""Issue 14.8: signing out ends the session on the server; sessions end when idle or old.

A copied session cookie used to keep working for 31 days after its owner signed out. Each request
here is replayed from a fresh browser holding only the cookie, as an attacker with a copy would.
"""

from __future__ import annotations

import datetime as dt

import time_machine

START = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.timezone.utc)  # 08:30 in Shanghai


def signed_in_cookie(app, username: str) -> str:
    browser = app.test_client()
    answer = browser.post("/login", data={"username": username, "password": "Test-password-1"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return browser.get_cookie("session").value


def replay(app, cookie: str, path: str = "/projects"):
    """A request from another machine that has only a copy of the cookie; the cookie the server
    sends back (a refreshed one) and the answer."""
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    answer = copy.get(path)
    refreshed = copy.get_cookie("session")
    return answer, (refreshed.value if refreshed else cookie)


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, make_user, db):
    make_user("leader", username="careful")
    browser = app.test_client()
    browser.post("/login", data={"username": "careful", "password": "Test-password-1"})
    copied = browser.get_cookie("session").value
    assert replay(app, copied)[0].status_code == 200
    assert browser.post("/logout").status_code == 302
    answer, _ = replay(app, copied)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_signing_out_ends_only_that_browsers_session(app, make_user, db):
    make_user("leader", username="two-desks")
    office, phone = signed_in_cookie(app, "two-desks"), signed_in_cookie(app, "two-desks")
    office_browser = app.test_client()
    office_browser.set_cookie("session", office)
    office_browser.post("/logout")
    assert replay(app, office)[0].status_code == 302
    assert replay(app, phone)[0].status_code == 200


def test_a_session_idle_for_eight_hours_ends(app, make_user, db, monkeypatch):
    make_user("leader", username="idler")
    monkeypatch.setitem(app.config, "SESSION_LIFETIME", dt.timedelta(days=2))  # idleness alone
    with time_machine.travel(START, tick=False) as traveller:
        cookie = signed_in_cookie(app, "idler")
        traveller.shift(dt.timedelta(hours=7, minutes=50))
        answer, cookie = replay(app, cookie)
        assert answer.status_code == 200  # used within 8 h: still signed in, and the clock restarts
        traveller.shift(dt.timedelta(hours=7, minutes=50))
        answer, fresh = replay(app, cookie)
        assert answer.status_code == 200
        traveller.shift(dt.timedelta(hours=8, minutes=1))
        answer, _ = replay(app, fresh)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_session_in_use_all_day_ends_after_its_lifetime(app, make_user, db):
    make_user("leader", username="busy")
    with time_machine.travel(START, tick=False) as traveller:
        cookie = signed_in_cookie(app, "busy")
        for _ in range(5):  # every two hours, never idle
            traveller.shift(dt.timedelta(hours=2))
            answer, cookie = replay(app, cookie)
            assert answer.status_code == 200
        traveller.shift(dt.timedelta(hours=2, minutes=1))  # 12 h after signing in
        answer, _ = replay(app, cookie)
        assert answer.status_code == 302


def test_the_timeouts_are_configurable(app, make_user, db, monkeypatch):
    make_user("leader", username="strict")
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", dt.timedelta(minutes=15))
    with time_machine.travel(START, tick=False) as traveller:
        cookie = signed_in_cookie(app, "strict")
        traveller.shift(dt.timedelta(minutes=16))
        assert replay(app, cookie)[0].status_code == 302


def test_the_timeouts_come_from_the_environment(monkeypatch, tmp_path):
    from tracker.config import defaults
    monkeypatch.setenv("TRACKER_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("TRACKER_SESSION_LIFETIME_HOURS", "4")
    config = defaults(tmp_path)
    assert config["SESSION_IDLE_TIMEOUT"] == dt.timedelta(minutes=30)
    assert config["SESSION_LIFETIME"] == config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=4)


def test_a_region_given_keeps_the_officer_signed_in_one_taken_ends_his_sessions(app, make_user, db):
    """A QA walk's complaint: an admin added 宜春 to an officer's regions while he was typing a
    project's 建设单位; his save landed on the login page, his typing lost. A right given keeps
    his session; a right taken (a region removed, the role changed) still ends it at once."""
    from tracker.accounts import services
    from tracker.audit.services import CLI

    from . import factories

    city, other = factories.region("360700", "赣州市"), factories.region("360900", "宜春市")
    db.session.commit()
    officer = make_user("officer", city.key, username="widened")
    cookie = signed_in_cookie(app, "widened")
    services.change_role(CLI, officer, "officer", [city.key, other.key])
    db.session.commit()
    answer, cookie = replay(app, cookie)
    assert answer.status_code == 200
    services.change_role(CLI, officer, "officer", [other.key])
    db.session.commit()
    assert replay(app, cookie)[0].status_code == 302
