from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, Timestamp, intpk

PAGES = ("list", "dashboard")  # where a saved view opens: the project list or the dashboard


class SavedView(Base):
    """A user's named view: the query string of the list or the dashboard he saved.

    The query is kept as the page's own query string, not as a filter's columns: a filter the
    list learns later is saved without a migration, and an old view is checked by the same
    ``PortfolioFilter`` each time it is opened (a region or plan removed since says so).
    """

    __tablename__ = "saved_views"
    # A deleted view's id is never given to a new one (see FundingLine): a confirmation page left
    # open deletes the view it showed or nothing.
    __table_args__ = (sa.UniqueConstraint("user_id", "name"), {"sqlite_autoincrement": True})

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    page: Mapped[str] = mapped_column(sa.String(16))
    query: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[Timestamp]
