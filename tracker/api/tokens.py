"""Tokens: made (the secret shown once), checked, revoked. Services: flush, never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.permissions import CREATE_PROJECT, EDIT_PROJECT, ROLE_PERMISSIONS
from ..accounts.throttle import Limit
from ..audit.services import Actor, record
from ..core.clock import utcnow
from ..errors import ValidationFailed
from ..extensions import db
from .models import SCOPES, ApiToken

PREFIX = "hct_"  # a token is recognisable in a leaked file or a secret scanner
MAX_DAYS = 3660


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def may_write(user) -> bool:
    """Whether a write token of ``user`` could write anything: a leader's or a viewer's never can
    (the token page offered them 读写, and their writes were refused one by one)."""
    return ROLE_PERMISSIONS.get(user.role, set()) & {EDIT_PROJECT, CREATE_PROJECT} != set()


def create_token(actor: Actor, user, *, name: str | None = None, scope: str = "read",
                 days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its secret (never stored, never shown again)."""
    if scope not in SCOPES:
        raise ValidationFailed(f"scope must be one of {', '.join(SCOPES)}", "scope")
    if scope == "write" and not may_write(user):
        raise ValidationFailed(_("您的角色（%(role)s）只能查看，只能创建只读令牌", role=user.role.label), "scope")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"expiry must be 1 to {MAX_DAYS} days", "expires")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user=user, name=(name or "").strip()[:64] or "API", prefix=secret[:12],
                     secret_hash=hash_secret(secret), scope=scope, created_at=now,
                     expires_at=now + dt.timedelta(days=days) if days else None)
    db.session.add(token)
    db.session.flush()
    record(actor, "token:create", user, {"token": token.prefix, "scope": scope},
           changes={"token": [None, token.prefix], "scope": [None, scope],
                    "expires_at": [None, token.expires_at.isoformat() if token.expires_at else None]})
    return token, secret


def revoke_token(actor: Actor, token: ApiToken) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    record(actor, "token:revoke", token.user, {"token": token.prefix},
           changes={"token": [token.prefix, None]})
    return True


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


def find(secret: str) -> ApiToken | None:
    """The live token with this secret: not revoked, not expired, its owner active."""
    token, _why = find_with_reason(secret)
    return token


def find_with_reason(secret: str) -> tuple[ApiToken | None, str | None]:
    """The live token, or None and why in the integrator's words: a script whose owner was
    disabled was told only that a valid token was missing."""
    if not secret or len(secret) > 200:
        return None, None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret)))
    if token is None:
        return None, None
    if token.revoked_at is not None:
        return None, _("此令牌已吊销")
    if not token.user.active:
        return None, _("此令牌所属的账号已停用")
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None, _("此令牌已过期")
    return token, None


def count_request(token: ApiToken, limit: Limit) -> int:
    """Count one request of ``token``; 0 when it is within ``limit``, else the seconds until the
    window it is counted in ends (Retry-After).

    The count lives on the token's row, in fixed windows of the limit's length: one UPDATE …
    RETURNING, atomic on both databases (PostgreSQL makes a concurrent worker's UPDATE wait for
    this one and read its count), so the workers of a server share one allowance. A row is
    updated, never added: the login throttle's row per attempt would be a row per API request.
    The caller commits at once, to release the row to the other workers."""
    length = max(1, int(limit.window.total_seconds()))
    now = utcnow().timestamp()
    start = int(now) // length * length
    count = db.session.execute(
        sa.update(ApiToken).where(ApiToken.id == token.id)
        .values(rate_count=sa.case((ApiToken.rate_window == start, ApiToken.rate_count + 1), else_=1),
                rate_window=start)
        .returning(ApiToken.rate_count)
        .execution_options(synchronize_session=False)).scalar_one()
    if count <= limit.count:
        return 0
    return max(1, math.ceil(start + length - now))
