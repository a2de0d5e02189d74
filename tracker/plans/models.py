from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, code_enum, intpk
from ..regions.models import Region
from ..vocabulary import IndicatorNature


class Plan(Base):
    """A source document: a Five-Year plan or a year's work points."""

    __tablename__ = "plans"

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

    region: Mapped[Region] = relationship()
    indicators: Mapped[list[PlanIndicator]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanIndicator.position")

    def __repr__(self) -> str:
        return f"<Plan {self.key}>"


class PlanIndicator(Base):
    """A row of a plan's 主要指标 table, values kept exactly as printed."""

    __tablename__ = "plan_indicators"
    __table_args__ = (sa.UniqueConstraint("plan_id", "key"),)

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
