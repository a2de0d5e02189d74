"""Fixtures of the reliability tests: fresh databases, a live tracker, headless Chromium.

The browser is Debian's ``chromium-headless-shell`` (Chromium's own headless build, the one
Playwright itself runs for ``headless=True``) driven by Playwright for Python (never ``playwright
install``: it downloads a browser build, which this project does not use). It renders with the same
Blink as ``chromium`` for a third less CPU, which in a CPU-bound suite is its wall time (issue 15);
the full ``chromium`` is used where only it is installed. When neither is there and we are root with
apt-get, the set-up installs the headless shell with a CJK font; when it still cannot be had, the
browser tests are skipped with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.config import PROJECT_ROOT

from ..live import DatabaseFactory, LiveServer, make_app

HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = os.environ.get("TRACKER_E2E_CHROMIUM") or next(
    (path for path in (HEADLESS_SHELL, "/usr/bin/chromium") if os.path.exists(path)), HEADLESS_SHELL)
# The pages run little JavaScript and axe-core runs a few hundred times: V8's optimising compiler
# and its background threads cost more than they save (the e2e tests 120 → 110 CPU-s; the pages
# behave the same, only slower code runs).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--js-flags=--no-opt --single-threaded"]
APT_PACKAGES = ["chromium-headless-shell", "fonts-wqy-zenhei"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(listed.stdout.strip())


def _apt_install(packages: list[str]) -> str:
    """Install Debian packages when we may; returns what went wrong ("" on success)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "not root with apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200)
        except subprocess.TimeoutExpired:
            return f"{' '.join(command)} took longer than 20 minutes"
        if result.returncode != 0:
            return f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}"
    return ""


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's headless Chromium, installed with a CJK font when missing (root with apt-get only)."""
    problem = ""
    if not os.path.exists(CHROMIUM):
        problem = _apt_install(APT_PACKAGES)
    elif not _has_cjk_font():
        _apt_install(APT_PACKAGES[1:])  # pages still work without it; screenshots show boxes
    if not os.path.exists(CHROMIUM):
        _unavailable(f"no Chromium at {CHROMIUM} and it could not be installed "
                     f"(apt-get install {' '.join(APT_PACKAGES)}: {problem or 'no binary after install'})")
    return CHROMIUM


@pytest.fixture(scope="session")
def chromium(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory, seeded_database) -> DatabaseFactory:
    """Fresh databases of the suite's kind (SQLite files, or PostgreSQL databases dropped at the end).

    Seeded ones start from the suite's seeded database (tests/conftest.py): the seed is loaded
    once per session for both kinds of test."""
    factory = DatabaseFactory(tmp_path_factory.mktemp("e2e"),
                              seeded_source=(seeded_database.url, seeded_database.engine.dispose))
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def live_tracker(databases, tmp_path_factory):
    """The tracker on its own seeded database, served by a threaded server on a free port.

    CSRF is on, as in production: the browser submits the real forms with their tokens.
    """
    url = databases.seeded("browser")
    server = LiveServer(make_app(url, tmp_path_factory.mktemp("live")))
    server.database_url = url
    yield server
    server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
