from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..database import Base, MaybeTimestamp, Timestamp, intpk

READ = "read"
WRITE = "write"
SCOPES = (READ, WRITE)


class ApiToken(Base):
    """A user's key to the API. Only the SHA-256 of the secret is stored: the secret is shown once,
    when the token is made. ``read`` tokens read; ``write`` tokens also write what the owner's role
    and regions allow. A token past ``expires_at`` or with ``revoked_at`` set opens nothing.

    ``rate_window`` and ``rate_count`` are its requests in the current rate-limit window (the
    window's start, in seconds since the epoch): kept on the row so that every worker of the
    server counts against one allowance (tokens.py, ``count_request``)."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the secret's first characters, to tell tokens apart
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[Timestamp]
    expires_at: Mapped[MaybeTimestamp | None]
    revoked_at: Mapped[MaybeTimestamp | None]
    last_used_at: Mapped[MaybeTimestamp | None]
    rate_window: Mapped[int | None] = mapped_column(sa.BigInteger)
    rate_count: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    user: Mapped[User] = relationship()
