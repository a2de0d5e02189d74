"""Issue 14.9 and 14.10: what counts against a sign-in, and whose attempts lock out whom.

Failures only are counted, per account and address together (5 in 5 minutes) and per address
(10 a minute, 30 an hour); the count lives in the database, so every worker sees the same one.
"""

from __future__ import annotations

from .conftest import login_as


def sign_in(client, username: str, password: str, address: str = "10.1.1.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_an_office_behind_one_address_can_sign_in_all_day(app, make_user, db):
    """Successful sign-ins used to count: an office behind one NAT was locked out after 30."""
    make_user("leader", username="office")
    for _ in range(40):
        browser = app.test_client()
        assert sign_in(browser, "office", "Test-password-1").status_code == 302


def test_a_stranger_cannot_lock_the_admin_out_from_elsewhere(app, make_user, db):
    make_user("admin", username="chief")
    stranger = app.test_client()
    statuses = [sign_in(stranger, "chief", f"guess-{n}", "203.0.113.9").status_code for n in range(8)]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    # Even the right password is refused to the stranger's address while it is locked …
    blocked = sign_in(stranger, "chief", "Test-password-1", "203.0.113.9")
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.get_data(as_text=True)
    assert blocked.headers["Retry-After"].isdigit()
    # … and the admin, at his own desk, signs in at once.
    assert sign_in(app.test_client(), "chief", "Test-password-1", "10.1.1.20").status_code == 302


def test_a_successful_sign_in_clears_that_desks_earlier_typos(app, make_user, db):
    make_user("leader", username="typist")
    browser = app.test_client()
    for n in range(4):
        assert sign_in(browser, "typist", f"typo-{n}").status_code == 400
    assert sign_in(browser, "typist", "Test-password-1").status_code == 302
    later = app.test_client()
    for n in range(4):
        assert sign_in(later, "typist", f"typo-again-{n}").status_code == 400
    assert sign_in(later, "typist", "Test-password-1").status_code == 302


def test_the_count_is_kept_in_the_database_so_every_worker_sees_it(app, make_user, db):
    """Two workers are two processes with one database; here, two apps on the same database."""
    from tracker import create_app
    make_user("leader", username="shared")
    other_worker = create_app({**{k: app.config[k] for k in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "WTF_CSRF_ENABLED", "UPLOAD_DIR")}})
    first, second = app.test_client(), other_worker.test_client()
    statuses = [sign_in(first if n % 2 else second, "shared", f"wrong-{n}").status_code
                for n in range(6)]
    assert statuses == [400] * 5 + [429]


def test_the_current_password_check_has_an_attempt_limit(app, make_user, db):
    user = make_user("leader", username="changer")
    browser = app.test_client()
    login_as(browser, user)

    def change(current: str):
        return browser.post("/account/password", data={
            "current": current, "password": "Fresh-choice-77", "confirm": "Fresh-choice-77"})

    statuses = [change(f"not-it-{n}").status_code for n in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    refused = change("Test-password-1")
    assert refused.status_code == 429 and "尝试次数过多" in refused.get_data(as_text=True)
    from tracker.accounts import services
    assert services.authenticate("changer", "Fresh-choice-77") is None


def test_an_admins_reset_lets_a_locked_out_user_sign_in_with_the_new_password(app, make_user, db):
    """A user who forgot his password locked himself out with five tries; the admin reset it, and
    the one-time password he was handed was refused: "尝试次数过多，请 5 分钟后再试"."""
    from tracker.accounts import services
    from tracker.audit.services import Actor

    user = make_user("viewer", username="forgetful")
    desk = app.test_client()
    assert [sign_in(desk, "forgetful", f"maybe-{n}").status_code for n in range(6)][-1] == 429
    password = services.reset_password(Actor(None, "cli"), user)
    db.session.commit()
    assert sign_in(desk, "forgetful", password).status_code == 302
