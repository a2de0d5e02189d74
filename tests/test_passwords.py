"""Issue 14.11: common and guessable passwords are refused, with a message that says why."""

from __future__ import annotations

import pytest

from tracker.accounts import services

from .conftest import login_as


@pytest.mark.parametrize("weak", ["password12", "Password123", "qwerty12345", "1qaz2wsx3edc",
                                  "woaini1314", "Aa123456789", "zhangsan123"])
def test_a_common_password_is_refused_at_the_password_change(app, make_user, db, weak):
    user = make_user("leader", username="zhangsan")
    browser = app.test_client()
    login_as(browser, user)
    answer = browser.post("/account/password", data={
        "current": "Test-password-1", "password": weak, "confirm": weak})
    assert answer.status_code == 400
    assert "密码太常见或容易被猜到" in answer.get_data(as_text=True)
    assert services.authenticate("zhangsan", weak) is None


@pytest.mark.parametrize("fine", ["Longnan-2024-beds", "Test-password-1", "云梯-7-橘子-海门"])
def test_an_uncommon_password_is_accepted(fine):
    assert services.password_problems(fine, "someone") == []


def test_the_name_of_the_user_counts_as_guessable(app):
    with app.test_request_context():
        assert services.password_problems("Wangxiaoming88", "wangxm", display_name="王小明 wangxiaoming")


def test_an_unknown_name_is_checked_against_a_hash_made_as_a_users_is(db, make_user, monkeypatch):
    """So that both answers take the same time: the same method at the same cost (the tests'
    cheap one here, scrypt in production), not scrypt for the unknown name beside a user's
    cheaper hash."""
    make_user("viewer", username="known")
    checked = []
    original = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash",
                        lambda stored, password: checked.append(stored) or original(stored, password))
    assert services.authenticate("known", "Wrong-password-1") is None
    assert services.authenticate("nobody-by-that-name", "Wrong-password-1") is None
    methods = [stored.split("$", 1)[0] for stored in checked]
    assert len(methods) == 2 and methods[0] == methods[1], methods
