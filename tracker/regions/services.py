from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import Region


def region_choices() -> list[tuple[Region, int]]:
    """Every region with its depth, in tree order (province, its cities, their counties)."""
    regions = db.session.scalars(sa.select(Region).order_by(Region.path)).all()
    return [(region, region.path.count("/") - 2) for region in regions]


def get_region(key: str) -> Region | None:
    return db.session.scalar(sa.select(Region).where(Region.key == key))
