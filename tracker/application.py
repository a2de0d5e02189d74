"""Wiring: extensions, blueprints, error pages, template helpers. Called by ``create_app``."""

from __future__ import annotations

import gc
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, abort, current_app, g, has_request_context, redirect, render_template, request, session
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.engine import Engine

from . import formatting
from .config import PROJECT_ROOT
from .core.translation import phrases
from .api.problems import from_http_exception as api_problem, is_api_request, problem
from .errors import StaleEdit, ValidationFailed
from .extensions import babel, csrf, db, migrate
from .web.requests import safe_next
from .accounts.auth import signed_out_while_typing


def init_app(app: Flask) -> None:
    # Registered first, so its ``after_request`` runs last, on the answer as the others left it.
    # (BREACH: a page's CSRF token is signed with the time, and the session cookie is SameSite=Lax,
    # so another site cannot have a signed-in browser fetch pages to compare their sizes.)
    from flask_compress import Compress
    Compress(app)
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies:
        # Behind that many reverse proxies, trust their X-Forwarded-For/-Proto/-Host: the login
        # limits count each visitor's own address, not the proxy's, and redirects keep https.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap it
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(PROJECT_ROOT / "tracker" / "translations"))
    from .core import translation
    translation.install(app)
    csrf.init_app(app)
    from . import security
    security.init_app(app)

    from . import models  # noqa: F401  (every mapper registered before the first query)
    from .accounts import auth
    from .accounts.views import bp as auth_bp
    from .dashboard.views import bp as dashboard_bp
    from .exports.views import bp as exports_bp
    from .home.views import bp as home_bp
    from .imports.views import bp as imports_bp
    from .plans.views import bp as plans_bp
    from .portfolio.views import bp as portfolio_bp
    from .progress.views import bp as progress_bp
    from .projects.views import bp as projects_bp
    from .regions.views import bp as regions_bp

    auth.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(portfolio_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(regions_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(home_bp)
    from .accounts import visibility
    from .accounts.admin_views import bp as admin_bp
    from .audit.views import bp as audit_bp
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    from .api import setup as api_setup
    api_setup.init_app(app)
    visibility.init_app(app)  # `show_money` in every template

    from .web import static
    app.url_defaults(static.add_version)  # `?v=` on every static file's URL: cached a year
    app.add_url_rule("/language/<code>", "set_language", set_language)
    register_error_pages(app)
    formatting.register(app)

    from .cli import register_commands
    register_commands(app)

    # What lives as long as the process (modules, the app) leaves the garbage collector's view:
    # otherwise every few requests a full collection walks all of it, a 50-100 ms pause that
    # was most of the pages' p95 (benchmarks/NOTES.md). Once per process: a server makes one app;
    # the tests make hundreds, and a collection at each cost the suite a second of CPU.
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite enforces foreign keys only when asked, and waits for a lock instead of failing.

    The sqlite3 module also starts transactions late and on its own, which breaks SAVEPOINT;
    SQLAlchemy's documented fix is to switch that off and emit BEGIN ourselves (below).
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # 30 s: an import of the most rows allowed is confirmed in one transaction (13.5 s for
        # 4,900 rows on two shared cores); another officer's save waits for it, not a 503.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@sa.event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name == "sqlite" and connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        # (A connection asked to autocommit, as a migration's ``autocommit_block``, gets none.)
        # A request that may write takes SQLite's write lock at BEGIN: a second writer then waits
        # (busy_timeout) instead of failing with "database is locked", which WAL answers at once
        # to a transaction that read before another one committed (tests/e2e/test_many_officers.py).
        # So does a read's transaction that is to write (``unit_of_work.writes_next``: an API
        # call's count), which WAL would refuse at once while another request writes.
        writes = has_request_context() and (request.method not in ("GET", "HEAD", "OPTIONS")
                                            or g.pop("writes_next", False))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def select_locale() -> str:
    languages = list(current_app.config["LANGUAGES"])
    if not has_request_context():
        return languages[0]  # the CLI, the seed and the importer write Chinese
    chosen = session.get("language")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
    return redirect(safe_next(request.args.get("next")))


def remember_locale() -> None:
    refresh()  # Flask-Babel caches the locale on g, which an app context may outlive
    g.locale = str(get_locale())


# PostgreSQL's SQLSTATE classes that mean "the database cannot serve now": 08 connection exception,
# 53 insufficient resources (disk full, out of memory, too many connections), 57 operator
# intervention (shutdown, cannot connect now, statement timeout), 58 system error (I/O).
OUTAGE_SQLSTATE_CLASSES = {"08", "53", "57", "58"}
# SQLite's wordings of the same: a lock held too long, a file it cannot open, read or write.
SQLITE_OUTAGES = ("locked", "busy", "unable to open", "disk i/o", "disk is full", "readonly",
                  "read-only", "malformed", "not a database")


def is_outage(error: sa.exc.DBAPIError) -> bool:
    """Whether a database error means the database cannot answer (a 503 that says "try again
    later") rather than that it refused one statement (a 500, reported as our fault)."""
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        # 25006: the server is read-only (a standby, a full disk's remedy): nobody can write now.
        return sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES or sqlstate == "25006"
    if type(original).__module__.startswith("sqlite3"):
        message = str(original).lower()
        return any(words in message for words in SQLITE_OUTAGES)
    return True  # a driver error without a state: no connection was made at all


def register_error_pages(app: Flask) -> None:
    def page(status: int):
        def handler(error):
            if is_api_request():  # /api/…: problem+json, never a page (tracker/api/problems.py)
                return api_problem(error)
            remember_locale()  # a request refused before it ran (CSRF, NUL bytes, 413) has none
            # The exception's own headers stay: a 405's Allow, a 429's Retry-After.
            headers = [(name, value) for name, value in getattr(error, "get_headers", list)()
                       if name.lower() != "content-type"]
            return render_template("errors/error.html", status=status, error=error), status, headers
        return handler

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, page(status))

    @app.errorhandler(CSRFError)
    def form_without_its_session(error: CSRFError):
        """A form whose session cookie is gone (its lifetime past, the browser cleared it): said as
        the sign-in it is, not as "请求有误"."""
        if not is_api_request() and not current_user.is_authenticated:
            return signed_out_while_typing()
        return page(400)(error)

    @app.context_processor
    def error_page_helpers():
        def came_from() -> str | None:
            """The page of this site the request was sent from (a form refused as too large):
            its path, for a link back to it; never another site's."""
            referrer = urlsplit(request.referrer or "")
            if referrer.netloc != request.host or not referrer.path.startswith("/") \
                    or (request.method == "GET" and referrer.path == request.path):
                return None
            return referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return {"came_from": came_from}

    @app.errorhandler(ValidationFailed)
    def refused(error: ValidationFailed):
        """A service's refusal that no view put on its form: 400 with its messages (in the API
        422, each field named). The unit of work has rolled the request back."""
        if is_api_request():
            return problem(422, gettext("请求中有无效的字段"), errors=error.errors)
        reason = phrases(message for messages in error.errors.values() for message in messages)
        return render_template("errors/error.html", status=400, error=error, reason=reason), 400

    @app.errorhandler(StaleEdit)
    def stale(error: StaleEdit):
        """Saved by someone else since it was loaded, and no view showed the conflict itself:
        409, nothing written."""
        if is_api_request():
            return problem(409, gettext("其他人刚刚修改了此内容：请重新读取后再提交"))
        return render_template("errors/error.html", status=409, error=error), 409

    @app.errorhandler(sa.exc.OperationalError)
    def database_unavailable(error):
        if is_api_request():
            status = 503 if is_outage(error) else 500
            if status == 500:
                app.logger.error("database refused a statement", exc_info=error)
            return problem(status, gettext("数据库暂时不可用，请稍后再试") if status == 503 else None,
                           headers=[("Retry-After", "30")] if status == 503 else [])
        if not is_outage(error):
            # The database answered and refused this one statement: a fault of ours, a 500 like
            # any other, not "try again later" for everyone (tests/test_big_sums.py).
            app.logger.error("database refused a statement", exc_info=error)
            return render_template("errors/error.html", status=500, error=error), 500
        app.logger.error("database unavailable: %s", error)
        # The page must not need the database: its header would load the signed-in user again.
        from .extensions import login_manager
        g._login_user = login_manager.anonymous_user()
        remember_locale()
        return render_template("errors/error.html", status=503, error=error), 503, {"Retry-After": "30"}

    @app.errorhandler(sa.exc.InternalError)
    def database_read_only(error):
        """PostgreSQL in read-only mode (a standby, a full disk's remedy) refuses writes so."""
        if getattr(error.orig, "sqlstate", None) != "25006":  # read_only_sql_transaction
            raise error
        return database_unavailable(error)

    @app.before_request
    def refuse_nul_bytes():
        """No page or form of ours sends a NUL byte, and PostgreSQL text cannot hold one: such a
        request is refused with 400 before it reaches the database (tests/test_hostile_input.py)."""
        values = [request.path, *(v for _, v in request.args.items(multi=True))]
        if request.method == "POST":
            values += [v for _, v in request.form.items(multi=True)]
            values += [f.filename or "" for _, f in request.files.items(multi=True)]
        if any("\x00" in value for value in values):
            abort(400)

    app.before_request(remember_locale)

    @app.context_processor
    def permissions():
        from flask_login import current_user

        from .accounts import permissions as perms
        return {"can": lambda permission: perms.has_permission(current_user, permission),
                "can_edit": lambda project: perms.can_edit_project(current_user, project),
                "perms": perms}
