from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, code_enum, intpk
from ..vocabulary import RegionLevel


class Region(Base):
    """A GB/T 2260 division (province → city → county), or a zone with no code of its own.

    ``key`` is what URLs and seed files use: the six-digit code, or a slug for a zone. ``path``
    holds the keys from the province down (``/360000/360700/360783/``) so that "a city including
    its counties" is one indexed prefix match.
    """

    __tablename__ = "regions"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(sa.String(32), unique=True)
    code: Mapped[str | None] = mapped_column(sa.String(6), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[RegionLevel] = mapped_column(code_enum(RegionLevel))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(255), index=True)

    parent: Mapped[Region | None] = relationship(remote_side="Region.id", back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.key")
    former_names: Mapped[list[RegionFormerName]] = relationship(
        back_populates="region", cascade="all, delete-orphan", order_by="RegionFormerName.until_year")

    def __repr__(self) -> str:
        return f"<Region {self.key} {self.name}>"

    @property
    def full_name(self) -> str:
        names = []
        region: Region | None = self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


class RegionFormerName(Base):
    """A code and name a division had before a change (龙南县 360727 became 龙南市 360783)."""

    __tablename__ = "region_former_names"

    id: Mapped[intpk]
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(sa.String(6))
    name: Mapped[str] = mapped_column(sa.String(64))
    until_year: Mapped[int | None]

    region: Mapped[Region] = relationship(back_populates="former_names")
