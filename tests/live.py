"""A real tracker for the reliability tests: its own database, a real server, a plain HTTP client.

- ``DatabaseFactory`` makes fresh databases of the suite's kind: SQLite files, or PostgreSQL
  databases (created on the server of ``TRACKER_TEST_DATABASE_URL`` and dropped at the end). A
  seeded database is a copy of a template migrated and seeded once per session.
- ``LiveServer`` serves an app with werkzeug's threaded server in a thread; ``Gunicorn`` runs the
  tracker under gunicorn with several worker processes (``tests/live_wsgi.py``).
- ``WebClient`` is a browser without JavaScript: cookies, forms read from the page (CSRF token
  included), no automatic redirects, so every answer's status is seen.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

import jinja2
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker.config import PROJECT_ROOT, normalise_database_url

PASSWORD = "E2e-password-1"
OFFICERS = 8  # officers of Longnan (360783) named officer-1 … officer-8
# Everyone the seeded template holds, as (username, role, regions).
USERS = [("admin-e2e", "admin", ()), ("leader-e2e", "leader", ()), ("viewer-e2e", "viewer", ()),
         ("officer-yj", "officer", ("441700",))] + [
    (f"officer-{n}", "officer", ("360783",)) for n in range(1, OFFICERS + 1)]
SEED_DIR = PROJECT_ROOT / "seed"


def is_postgresql() -> bool:
    return bool(os.environ.get("TRACKER_TEST_DATABASE_URL"))


# --- databases ------------------------------------------------------------------------------------

class DatabaseFactory:
    """Fresh databases for one test session, each dropped (or deleted) at ``close``.

    ``seeded_source``: a database already migrated and seeded (the suite's own, tests/conftest.py)
    and a function that closes every connection to it; the seeded template is then a copy of it
    with ``USERS`` added, and neither the migrations nor the seed run a second time."""

    def __init__(self, directory: Path, seeded_source: tuple[str, Callable[[], None]] | None = None):
        self.directory = directory
        self.seeded_source = seeded_source
        self.server_url = None
        if is_postgresql():
            self.server_url = make_url(normalise_database_url(os.environ["TRACKER_TEST_DATABASE_URL"]))
            self.admin = sa.create_engine(self.server_url.set(database="postgres"),
                                          isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self._templates: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        return "postgresql" if self.server_url is not None else "sqlite"

    def empty(self, purpose: str, template: str | None = None) -> str:
        """A new database (a copy of ``template`` when given); its URL."""
        name = f"e2e_{purpose}_{uuid.uuid4().hex[:8]}"
        if self.server_url is None:
            path = self.directory / f"{name}.sqlite3"
            if template:
                with sqlite3.connect(make_url(template).database) as source, sqlite3.connect(path) as copy:
                    source.backup(copy)  # complete whatever still sits in the write-ahead log
                source.close()
                copy.close()
            self.created.append(str(path))
            return f"sqlite:///{path}"
        clause = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def migrated(self, purpose: str) -> str:
        return self.empty(purpose, self._template("migrated"))

    def seeded(self, purpose: str) -> str:
        return self.empty(purpose, self._template("seeded"))

    def _template(self, kind: str) -> str:
        with self._lock:
            if kind not in self._templates:
                if kind == "seeded" and self.seeded_source:
                    source, release = self.seeded_source
                    release()  # PostgreSQL copies a database only while nobody is connected to it
                    url = self.empty(f"template_{kind}", source)
                    prepare(url, self.directory, seed=False, users=True)
                else:
                    url = self.empty(f"template_{kind}")
                    prepare(url, self.directory, seed=kind == "seeded", users=kind == "seeded")
                self._templates[kind] = url
            return self._templates[kind]

    def url_of(self, name: str) -> str:
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def execute_on_server(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(statement))

    def close(self) -> None:
        if self.server_url is None:
            for path in self.created:
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path + suffix)
            return
        with self.admin.connect() as connection:
            for name in reversed(self.created):
                connection.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def make_app(database_url: str, directory: Path, **config):
    """The tracker's app on ``database_url``, configured as in production unless told otherwise."""
    from tracker import create_app

    instance = directory / f"instance-{uuid.uuid4().hex[:8]}"
    previous = os.environ.get("TRACKER_INSTANCE_PATH")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "e2e-secret",
            "UPLOAD_DIR": instance / "uploads",
            # Every test user signs in from 127.0.0.1: the per-address limit is not under test here.
            "LOGIN_LIMITS": ("1000 per minute",),
            "ACCOUNT_LOGIN_LIMIT": "1000 per minute",
            **config,
        })
        app.jinja_env.undefined = jinja2.StrictUndefined  # as in tests/conftest.py: fail loudly
        return app
    finally:
        if previous is None:
            os.environ.pop("TRACKER_INSTANCE_PATH", None)
        else:
            os.environ["TRACKER_INSTANCE_PATH"] = previous


def prepare(database_url: str, directory: Path, *, seed: bool, users: bool = False) -> None:
    """Migrate (nothing to do on a copy of a migrated database); with ``seed``, load the five
    plans; with ``users``, create ``USERS``."""
    from flask_migrate import upgrade

    from tracker.accounts import services
    from tracker.audit.services import CLI
    from tracker.extensions import db
    from tracker.seeding.loader import load

    app = make_app(database_url, directory)
    with app.app_context():
        upgrade()
        if seed:
            load(SEED_DIR)
        if users:
            for username, role, regions in USERS:
                services.create_user(CLI, username, role, PASSWORD, regions=regions)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def every_row(database_url: str) -> dict[str, list]:
    """Every row of every table, sorted: two databases with equal contents compare equal."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            return {name: sorted(map(tuple, connection.execute(sa.select(table)).all()), key=repr)
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def scalar(database_url: str, sql: str, **params):
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def money(database_url: str, sql: str, **params):
    """A money column read with plain SQL, as a Decimal (SQLite keeps 万元 × 10,000 as an integer)."""
    from decimal import Decimal
    value = scalar(database_url, sql, **params)
    if value is None:
        return None
    if make_url(database_url).get_backend_name() == "sqlite":
        return Decimal(value) / 10000
    return Decimal(value)


# --- servers --------------------------------------------------------------------------------------

class ClosingAnswers:
    """The app, each answer closed once its body has been read to the end or abandoned.

    werkzeug's development server closes an answer only after draining what is left of the
    request from the socket; when the browser has hung up meanwhile (a navigation cancels a
    script still loading) the drain raises first, and the file behind a static answer is left to
    the garbage collector: a ResourceWarning in whichever test runs then, which fails it
    (pyproject.toml's filterwarnings; seen on tests/e2e/test_home_browser.py in CI)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        answer = self.app(environ, start_response)

        def body():
            try:
                yield from answer
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        return body()


class LiveServer:
    """werkzeug's threaded WSGI server on a free 127.0.0.1 port, in a daemon thread."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
        self.app = app
        self.server = make_server("127.0.0.1", 0, ClosingAnswers(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        from tracker.extensions import db
        with self.app.app_context():
            db.engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """The tracker under gunicorn: ``workers`` processes of ``threads`` threads each."""

    def __init__(self, database_url: str, directory: Path, *, workers: int = 4, threads: int = 2,
                 via_tracker_serve: bool = False, app: str = "tests.live_wsgi:app"):
        """``via_tracker_serve``: start it as ``make run`` does, by the ``tracker serve`` command
        (production login limits, waitress) instead of gunicorn on tests/live_wsgi.py. ``app``:
        another WSGI app for gunicorn, e.g. ``tracker:create_app()`` for production limits."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        instance = directory / f"gunicorn-{uuid.uuid4().hex[:8]}"
        instance.mkdir(parents=True)
        env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_INSTANCE_PATH": str(instance),
               "TRACKER_SECRET_KEY": "e2e-secret", "PYTHONPATH": str(PROJECT_ROOT)}
        self.log = instance / "gunicorn.log"
        self.output = None  # the log file the child writes to, closed by ``stop``
        if via_tracker_serve:
            command = [str(Path(sys.executable).with_name("tracker")), "serve", "--host", "127.0.0.1",
                       "--port", str(port)]
            self.output = self.log.open("wb")
        else:
            command = [sys.executable, "-m", "gunicorn", "--config", "python:tests.gunicorn_preload",
                       "--workers", str(workers), "--threads",
                       str(threads), "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}",
                       "--timeout", "60", "--error-logfile", str(self.log), app]
        output = self.output or subprocess.DEVNULL
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output,
                                        stderr=output)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.output is not None:
            self.output.close()


# --- a browser without JavaScript -----------------------------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    file_fields: list[str] = field(default_factory=list)

    def values(self, **changes) -> list[tuple[str, str]]:
        """The fields as a browser would send them, with ``changes`` replacing values by name."""
        out = [(name, str(changes[name]) if name in changes else value) for name, value in self.fields]
        present = {name for name, _ in self.fields}
        out += [(name, str(value)) for name, value in changes.items() if name not in present]
        return out

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str | None, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value") or "on"))
            elif kind == "file":
                self._form.file_fields.append(name)
            elif kind not in ("submit", "button", "image", "reset"):
                self._form.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value"), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            chosen = [value for value, selected in self._options if selected] or \
                [value for value, _ in self._options[:1]]
            if chosen:
                self._form.fields.append((self._select, chosen[0] or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # A browser drops the one newline that follows <textarea>.
            # A browser drops one line break right after <textarea> (WTForms writes "\r\n").
            text = self._text.removeprefix("\r\n") if self._text.startswith("\r\n") else \
                self._text[1:] if self._text.startswith("\n") else self._text
            self._form.fields.append((self._textarea, text))
            self._textarea = None


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    url: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def form(self, action_contains: str = "") -> Form:
        """The page's POST form whose action contains ``action_contains``; without it, the
        form that posts back to the page itself (the header's sign-out form is never chosen)."""
        candidates = [f for f in forms_in(self.text)
                      if f.method == "post" and not f.action.endswith("/logout")]
        if not action_contains:
            candidates.sort(key=lambda f: f.action != "")
        for candidate in candidates:
            if action_contains in candidate.action:
                return candidate
        raise AssertionError(f"no form posting to …{action_contains}… in the page:\n{self.text[:2000]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebClient:
    """One browser: its own cookies; answers are returned as they come (redirects included)."""

    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  _NoRedirect())

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, dict(response.headers), response.read(), request.full_url)
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read(), request.full_url)

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self._url(path)))

    def post(self, path: str, fields: list[tuple[str, str]] | dict,
             files: list[tuple[str, str, bytes, str]] = ()) -> Answer:
        """POST urlencoded, or multipart when ``files`` (field, filename, bytes, type) are given."""
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if files:
            boundary = uuid.uuid4().hex
            body = bytearray()
            for name, value in items:
                body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                         f"{value}\r\n").encode()
            for name, filename, content, content_type in files:
                body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                         f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
                body += content + b"\r\n"
            body += f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(items).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self._url(path), data=bytes(body), method="POST",
                                         headers={"Content-Type": content_type})
        return self._open(request)

    def submit(self, page: Answer, action_contains: str = "", files=(), **changes) -> Answer:
        form = page.form(action_contains)
        return self.post(form.action or page.url, form.values(**changes), files=files)

    def login(self, username: str, password: str = PASSWORD) -> Answer:
        page = self.get("/login")
        answer = self.post("/login", page.form().values(username=username, password=password))
        assert answer.status == 302, f"{username} could not sign in: {answer.status} {answer.text[:500]}"
        return answer
