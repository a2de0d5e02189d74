"""Test browsers that each stay signed in as their own user.

The tests share one app context (tests/conftest.py keeps it open for the rolled-back
transaction), so Flask-Login's user cached on ``g`` by one client's request would be the
``current_user`` of the next client's request. In production every request has its own context.
"""

from __future__ import annotations

from flask import g
from flask.testing import FlaskClient

from .conftest import login_as


class Browser(FlaskClient):
    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def browser(app, user=None) -> Browser:
    """A fresh browser, signed in as ``user`` when given."""
    client = Browser(app, app.response_class, use_cookies=True)
    if user is not None:
        login_as(client, user)
    return client
