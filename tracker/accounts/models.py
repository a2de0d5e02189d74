from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, MaybeTimestamp, Timestamp, code_enum, intpk
from ..regions.models import Region
from ..vocabulary import Role

user_regions = sa.Table(
    "user_regions",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(code_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(255))
    # Changes when the password changes or the account is disabled: old sessions stop working.
    session_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[Timestamp]
    last_login_at: Mapped[MaybeTimestamp | None]
    # The project list's columns this user chose (tracker/portfolio/columns.py); NULL: the default.
    list_columns: Mapped[list | None] = mapped_column(sa.JSON)
    # The scope the dashboard and the list open on when the URL names none (tracker/home/):
    # {"region": key, "plan": key, "period": "2026-2030"}; NULL: the whole portfolio.
    home_scope: Mapped[dict | None] = mapped_column(sa.JSON)

    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.key)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    # The key of the session this request signed in with (tracker/accounts/sessions.py); not stored.
    if TYPE_CHECKING:
        session_key: str | None
    session_key = None

    def get_id(self) -> str:  # Flask-Login: the session names the token and the session's key
        return f"{self.id}:{self.session_token}:{self.session_key or ''}"


class Setting(Base):
    """Portfolio-wide switches an admin sets, such as hiding money figures from viewers."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(sa.JSON)


class LoginFailure(Base):
    """One wrong password: at the sign-in form (``login``) or at the password change's check of
    the current one (``password``). Kept in the database so that every worker and server counts
    the same attempts; rows older than a day are deleted as new ones come."""

    __tablename__ = "login_failures"
    __table_args__ = (
        sa.Index("ix_login_failures_scope_account_address", "scope", "account", "address", "at"),
        sa.Index("ix_login_failures_scope_address", "scope", "address", "at"),
        sa.Index("ix_login_failures_at", "at"),
    )

    id: Mapped[intpk]
    scope: Mapped[str] = mapped_column(sa.String(16))
    account: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[Timestamp]


class UserSession(Base):
    """One signed-in browser. The session cookie carries a random key whose hash is stored here:
    signing out ends the row, so a copied cookie stops working at once; a row older than the
    absolute lifetime (``SESSION_LIFETIME``) counts as ended. The idle timeout is checked on the
    time the (signed) cookie says it was last used (tracker/accounts/sessions.py)."""

    __tablename__ = "user_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[Timestamp]
    ended_at: Mapped[MaybeTimestamp | None]
