"""`tracker serve`, the server `make run` starts: one person's sign-in never serves another."""

from __future__ import annotations

import pytest

from ..live import Gunicorn, WebClient


@pytest.fixture(scope="module")
def served(databases, tmp_path_factory):
    server = Gunicorn(databases.seeded("serve"), tmp_path_factory.mktemp("serve"), workers=1,
                      via_tracker_serve=True)
    yield server
    server.stop()
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-5000:]


def test_a_signed_in_officer_does_not_sign_in_the_next_visitor(served):
    """One worker serves both, one request after the other, as on a quiet office server."""
    officer = WebClient(served.url)
    officer.login("officer-1")
    assert officer.get("/projects").status == 200

    stranger = WebClient(served.url)
    answer = stranger.get("/projects")
    assert answer.status == 302 and "/login" in answer.location
    login_page = stranger.get("/login")
    assert login_page.status == 200 and 'name="password"' in login_page.text
    assert stranger.get("/dashboard").status == 302

    viewer = WebClient(served.url)
    viewer.login("viewer-e2e")
    assert viewer.get("/projects/new").status == 403  # a viewer is not the officer before him
    assert officer.get("/projects/new").status == 200  # and the officer is still himself
