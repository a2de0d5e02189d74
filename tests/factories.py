"""Small builders for test data: each states only what a test asserts on."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from tracker.audit.services import Actor
from tracker.extensions import db
from tracker.projects import services
from tracker.regions.models import Region

TEST_ACTOR = Actor(None, "cli")
_counter = itertools.count(1)


def region(key: str = "360783", name: str = "龙南市", parent: Region | None = None,
           level: str = "county") -> Region:
    existing = db.session.scalar(sa.select(Region).where(Region.key == key))
    if existing:
        return existing
    row = Region(key=key, code=key if key.isdigit() else None, name=name, level=level, parent=parent,
                 path=(parent.path if parent else "/") + key + "/")
    db.session.add(row)
    db.session.flush()
    return row


def county_in_city() -> tuple[Region, Region, Region]:
    province = region("360000", "江西省", level="province")
    city = region("360700", "赣州市", province, level="city")
    county = region("360783", "龙南市", city)
    return province, city, county


def project(region_row: Region | None = None, **fields):
    fields.setdefault("name", f"测试项目{next(_counter)}")
    return services.create_project(TEST_ACTOR, region=region_row or region(), **fields)
