"""Attempt limits on passwords: failures only, counted in the database.

A wrong password is a ``LoginFailure`` row. An address is refused while it has too many recent
failures for one account (``ACCOUNT_LOGIN_LIMIT``, per account *and* address: a stranger's
guesses lock out his own address, never the user at his desk) or for any accounts
(``LOGIN_LIMITS``, per address: one machine trying many names). A successful sign-in clears its
account-and-address count. The current-password check of the password change is limited per
account (``PASSWORD_CHECK_LIMIT``): only the signed-in user reaches it.

The database is the shared store: exact across workers and servers, nothing to set up. Counting
takes an indexed count per limit, and only on a POST of the sign-in form.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, request

from ..core.clock import utcnow
from ..extensions import db
from .models import LoginFailure

LOGIN = "login"
PASSWORD = "password"
KEEP = dt.timedelta(days=1)  # no limit looks further back
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Limit:
    count: int
    window: dt.timedelta


def parse_limit(text: str) -> Limit:
    """``"5 per 5 minutes"``, ``"30 per hour"``, ``"10/minute"`` → Limit."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*", text or "")
    if not match:
        raise ValueError(f"not an attempt limit: {text!r} (write e.g. '5 per 5 minutes')")
    count, every, unit = match.groups()
    return Limit(int(count), dt.timedelta(seconds=int(every or 1) * _UNITS[unit]))


def _limits(name: str) -> list[Limit]:
    value = current_app.config[name]
    return [parse_limit(item) for item in ([value] if isinstance(value, str) else value)]


def account_key(username: str | None) -> str:
    return (username or "").strip().lower()[:64]


def client_address() -> str:
    """The visitor's address (ProxyFix has applied TRACKER_PROXIES' X-Forwarded-For)."""
    return (request.remote_addr or "unknown")[:64]


def _wait(conditions, limit: Limit, now: dt.datetime) -> float:
    """Seconds until the failures matching ``conditions`` fall under ``limit``; 0 when they are."""
    since = now - limit.window
    recent = sa.select(LoginFailure.at).where(*conditions, LoginFailure.at > since)
    count = db.session.execute(sa.select(sa.func.count()).select_from(recent.subquery())).scalar_one()
    if count < limit.count:
        return 0
    # The failure whose expiry brings the count back under the limit.
    nth = db.session.execute(recent.order_by(LoginFailure.at.desc()).offset(limit.count - 1)
                             .limit(1)).scalar_one()
    return max(1.0, (nth + limit.window - now).total_seconds())


def seconds_blocked(scope: str, account: str, address: str) -> int:
    """0 when the attempt may go ahead; else how many seconds until it may."""
    now = utcnow()
    waits = []
    if scope == LOGIN:
        pair = (LoginFailure.scope == scope, LoginFailure.account == account,
                LoginFailure.address == address)
        waits += [_wait(pair, limit, now) for limit in _limits("ACCOUNT_LOGIN_LIMIT")]
        anywhere = (LoginFailure.scope == scope, LoginFailure.address == address)
        waits += [_wait(anywhere, limit, now) for limit in _limits("LOGIN_LIMITS")]
    else:
        mine = (LoginFailure.scope == scope, LoginFailure.account == account)
        waits += [_wait(mine, limit, now) for limit in _limits("PASSWORD_CHECK_LIMIT")]
    return math.ceil(max(waits, default=0))


def record_failure(scope: str, account: str, address: str) -> None:
    now = utcnow()
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    db.session.add(LoginFailure(scope=scope, account=account, address=address, at=now))
    db.session.flush()


def clear(scope: str, account: str, address: str | None = None) -> None:
    conditions = [LoginFailure.scope == scope, LoginFailure.account == account]
    if address is not None:
        conditions.append(LoginFailure.address == address)
    db.session.execute(sa.delete(LoginFailure).where(*conditions))
