"""Test browsers that each stay signed in as their own user.

Each request starts without the user Flask-Login cached on ``g`` by an earlier one (see
``_forget_the_user`` in tests/conftest.py), so several browsers in one test are several people.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from .conftest import login_as


def browser(app, user=None) -> FlaskClient:
    """A fresh browser, signed in as ``user`` when given."""
    client = app.test_client()
    if user is not None:
        login_as(client, user)
    return client
