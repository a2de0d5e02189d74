from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, MaybeTimestamp, Timestamp, code_enum, intpk
from ..regions.models import Region
from ..vocabulary import IndicatorNature


class Plan(Base):
    """A source document: a Five-Year plan or a year's work points."""

    __tablename__ = "plans"
    __table_args__ = {"sqlite_autoincrement": True}  # a deleted plan's id is never reused

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str | None] = mapped_column(sa.String(200))
    doc_number: Mapped[str | None] = mapped_column(sa.String(100))
    issued_date: Mapped[dt.date | None]
    period_start: Mapped[int | None]
    period_end: Mapped[int | None]
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    source_file: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    # Where the title, issuer, number and date are printed: [{"line": n, "quote": "..."}].
    sources: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Counted up by every correction (/plans/<key>/edit): one begun at an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))

    region: Mapped[Region] = relationship()
    document: Mapped[PlanDocument | None] = relationship(
        back_populates="plan", cascade="all, delete-orphan", uselist=False)
    indicators: Mapped[list[PlanIndicator]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanIndicator.position")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Plan {self.key}>"


def cited_line(source_file: str | None, key: str, line: int, quote: str) -> str:
    """A citation as the audit trail writes it: "document:line quote". The document is the seed
    plan's file, or the plan's key for a plan a user added (its text is kept in the database)."""
    return f"{source_file or key}:{line} {quote}"


class PlanIndicator(Base):
    """A row of a plan's 主要指标 table, values kept exactly as printed."""

    __tablename__ = "plan_indicators"
    __table_args__ = (sa.UniqueConstraint("plan_id", "key"), {"sqlite_autoincrement": True})

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    section: Mapped[str | None] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str | None] = mapped_column(sa.String(50))
    baseline: Mapped[str | None] = mapped_column(sa.String(100))
    baseline_year: Mapped[int | None]
    target: Mapped[str | None] = mapped_column(sa.String(100))
    target_year: Mapped[int | None]
    comparator: Mapped[str | None] = mapped_column(sa.String(2))
    nature: Mapped[IndicatorNature | None] = mapped_column(code_enum(IndicatorNature))
    sources: Mapped[list] = mapped_column(sa.JSON, default=list)

    plan: Mapped[Plan] = relationship(back_populates="indicators")
    actuals: Mapped[list[PlanIndicatorActual]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="PlanIndicatorActual.year")


# A plan's text as ``services.check_lines`` takes it: a plan runs to ~25,000 characters and its
# longest paragraph to ~600 (the five seeds'); the extractor, run in the request, reads ~100,000
# characters a second. The stored text is its lines joined by line feeds.
MAX_LINES = 50_000
MAX_LINE_CHARACTERS = 10_000
MAX_TEXT_CHARACTERS = 500_000


class PlanDocument(Base):
    """The text of a plan a user added, as numbered lines (line N is ``text.split("\\n")[N-1]``).

    Kept in the database, so ``tracker backup`` keeps it and every citation of the plan resolves on
    any server; the five seed plans are read from SOURCES_DIR instead (``Plan.source_file``).
    """

    __tablename__ = "plan_documents"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    # Not the 20,000 characters of a free-text column (database.TEXT_LIMIT): a whole plan.
    text: Mapped[str] = mapped_column(sa.Text, info={"max_length": MAX_TEXT_CHARACTERS + MAX_LINES})
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[Timestamp]

    plan: Mapped[Plan] = relationship(back_populates="document")

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


class PlanCandidate(Base):
    """One project or indicator the extractor found in a plan, and what a person decided of it.

    ``data`` is the extractor's dict (the fields of ``tracker export --format json`` with their
    sources); ``decision`` is None until a person accepts, merges or rejects it, so a reload does
    not offer a decided candidate again.
    """

    __tablename__ = "plan_candidates"
    __table_args__ = (sa.UniqueConstraint("plan_id", "kind", "position"),)

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "project" or "indicator"
    position: Mapped[int]
    data: Mapped[dict] = mapped_column(sa.JSON)
    decision: Mapped[str | None] = mapped_column(sa.String(16))  # accepted, merged, rejected
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[MaybeTimestamp]

    plan: Mapped[Plan] = relationship()


class PlanIndicatorActual(Base):
    """An indicator's actual value in one year (终期评估), as printed by its source."""

    __tablename__ = "plan_indicator_actuals"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "year"),)

    id: Mapped[intpk]
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("plan_indicators.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    value: Mapped[str] = mapped_column(sa.String(100))
    source: Mapped[str] = mapped_column(sa.String(500))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[Timestamp]

    indicator: Mapped[PlanIndicator] = relationship(back_populates="actuals")
