"""Signed-in sessions that the server can end.

The session cookie (Flask's, signed) names ``user id : user token : session key``. The key is
random; its SHA-256 is a ``UserSession`` row. A request is signed in only while

- the user's token is unchanged (a new password or a disabled account ends every session),
- the row exists and has not ended (signing out ends it: a copied cookie stops working),
- the row is younger than ``SESSION_LIFETIME`` (absolute, default 12 h), and
- the cookie was used within ``SESSION_IDLE_TIMEOUT`` (default 8 h). The time of last use is
  kept in the signed cookie itself (``_seen``, refreshed at most once a minute), so a page view
  writes nothing to the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, has_request_context, session

from ..core.clock import utcnow
from ..extensions import db
from .models import User, UserSession

SEEN = "_seen"
REFRESH_AFTER = 60  # seconds


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _now_seconds() -> int:
    return int(utcnow().timestamp())


def start(user: User) -> str:
    """A new session for ``user``: its row is flushed; returns the cookie's user id, which
    ``login_user`` (through ``User.get_id``) also stores."""
    now = utcnow()
    lifetime = current_app.config["SESSION_LIFETIME"]
    db.session.execute(sa.delete(UserSession).where(UserSession.created_at < now - lifetime - dt.timedelta(days=1)))
    key = secrets.token_urlsafe(24)
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(key), created_at=now))
    db.session.flush()
    user.session_key = key
    if has_request_context():
        session.permanent = True
        session[SEEN] = _now_seconds()
    return user.get_id()


def cookie(user: User) -> dict:
    """What a signed-in browser's session cookie holds, for a session started now (tests and
    benchmarks that sign a client in without the form; commit to keep the row)."""
    return {"_user_id": start(user), SEEN: _now_seconds(), "_fresh": True}


def _parse(session_id: str | None) -> tuple[int, str, str] | None:
    parts = (session_id or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1] or not parts[2]:
        return None
    return int(parts[0]), parts[1], parts[2]


def load(session_id: str | None) -> User | None:
    """The signed-in user of this request, or None when the session has ended."""
    parsed = _parse(session_id)
    if parsed is None:
        return None
    user_id, token, key = parsed
    now = utcnow()
    seen = session.get(SEEN)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if not isinstance(seen, int) or now.timestamp() - seen > idle.total_seconds():
        return None
    row = db.session.execute(
        sa.select(User, UserSession.created_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user, created_at = row
    if not user.active or user.session_token != token:
        return None
    if now - created_at > current_app.config["SESSION_LIFETIME"]:
        return None
    if now.timestamp() - seen >= REFRESH_AFTER:
        session[SEEN] = _now_seconds()
    user.session_key = key
    return user


def end(user: User) -> None:
    """End the session this request is signed in with (sign-out)."""
    key = getattr(user, "session_key", None)
    if key:
        db.session.execute(sa.update(UserSession)
                           .where(UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow()))
    session.pop(SEEN, None)
