"""Configuration from the environment, with defaults that run on a bare checkout."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(instance_path: Path) -> str:
    url = os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///{instance_path / 'tracker.sqlite3'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here, the driver the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def protect_instance(instance_path: Path, database_uri: str) -> None:
    """The instance folder and a SQLite database are the owner's alone: 0700 and 0600 (SQLite
    gives its -wal and -shm files the database file's mode)."""
    from sqlalchemy.engine import make_url

    instance_path.mkdir(parents=True, exist_ok=True)
    if instance_path.stat().st_mode & 0o077:
        instance_path.chmod(0o700)
    try:
        url = make_url(database_uri)
    except Exception:
        return
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return
    path = Path(url.database)
    if not path.parent.is_dir():
        return
    if not path.exists():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def secret_key(instance_path: Path) -> str:
    """The configured key, or one generated once and kept in the instance folder."""
    if key := os.environ.get("TRACKER_SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _duration(name: str, default: int, unit: str) -> dt.timedelta:
    """A whole number of ``unit`` (minutes, hours) from the environment variable ``name``."""
    return dt.timedelta(**{unit: int(os.environ.get(name) or default)})


def defaults(instance_path: Path) -> dict:
    lifetime = _duration("TRACKER_SESSION_LIFETIME_HOURS", 12, "hours")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": secret_key(instance_path),
        "BABEL_DEFAULT_LOCALE": "zh",
        # The portfolio's time zone: "today" for every rule, and every time a page or printout shows.
        "TIMEZONE": os.environ.get("TRACKER_TIMEZONE", "Asia/Shanghai"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TRACKER_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": {"zh": "中文", "en": "English"},
        "SOURCES_DIR": Path(os.environ.get("TRACKER_SOURCES_DIR",
                                           PROJECT_ROOT.parent / "shared" / "seeds")),
        "SEED_DIR": PROJECT_ROOT / "seed",
        "UPLOAD_DIR": instance_path / "uploads",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # A Word or PDF plan document is read in a process of its own that may use this much CPU
        # time and memory (tracker/plans/reader.py): a plan of 150 pages takes ~10 s and ~200 MB.
        "PLAN_READER_SECONDS": int(os.environ.get("TRACKER_PLAN_READER_SECONDS") or 60),
        "PLAN_READER_MEMORY": int(os.environ.get("TRACKER_PLAN_READER_MEMORY_MB") or 1024) * 1024 * 1024,
        "PAGE_SIZE": 50,
        "SESSION_COOKIE_HTTPONLY": True,
        # A session ends after this long without a request, and this long after signing in.
        "SESSION_IDLE_TIMEOUT": _duration("TRACKER_SESSION_IDLE_MINUTES", 8 * 60, "minutes"),
        "SESSION_LIFETIME": lifetime,
        "PERMANENT_SESSION_LIFETIME": lifetime,  # the browser drops the cookie then too
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Behind HTTPS (TRACKER_HTTPS=1) the session cookie is Secure and browsers get HSTS.
        "SESSION_COOKIE_SECURE": os.environ.get("TRACKER_HTTPS") == "1",
        # How many reverse proxies stand in front (their X-Forwarded-* headers are trusted).
        "PROXIES": int(os.environ.get("TRACKER_PROXIES") or 0),
        # Where the tracker is published (https://tracker.example.gov.cn/): the OC4IDS package's
        # uri is built on it, never on the Host header a client sends. Unset: a urn:uuid.
        "PUBLIC_URL": os.environ.get("TRACKER_PUBLIC_URL") or None,
        # Wrong passwords only, counted in the database (tracker/accounts/throttle.py).
        "LOGIN_LIMITS": ("10 per minute", "30 per hour"),  # per address, whatever the account
        "ACCOUNT_LOGIN_LIMIT": "5 per 5 minutes",  # per account and address together
        "PASSWORD_CHECK_LIMIT": "5 per 15 minutes",  # the password change's current password
        # Requests per API token, counted per process (tracker/api/views.py).
        "API_RATE_LIMIT": os.environ.get("TRACKER_API_RATE_LIMIT") or "600 per minute",
        # Flask-Compress: a page compressed for a browser that asks (a list page ~120 KB → ~15, a
        # plan's review page ~590 KB → ~30); never the API's JSON (its ETags are the bytes'), nor
        # what is streamed: an export, a static file (sent as a file, cached a year by its version).
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "image/svg+xml"],
        "COMPRESS_STREAMS": False,
    }
