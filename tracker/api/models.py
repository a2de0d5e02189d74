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
    and regions allow. A token past ``expires_at`` or with ``revoked_at`` set opens nothing."""

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

    user: Mapped[User] = relationship()
