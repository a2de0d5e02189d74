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
    """A project through the service. A name its region holds already (a test of ties in the
    list's order) is old data, from before one name in one region was one project: the project
    is made under another name and renamed past the service's refusal, as a database keeps it."""
    fields.setdefault("name", f"测试项目{next(_counter)}")
    region_row = region_row or region()
    name = fields["name"]
    if services.same_name(region_row, name.strip()) is None:
        return services.create_project(TEST_ACTOR, region=region_row, **fields)
    made = services.create_project(TEST_ACTOR, region=region_row, **{**fields, "name": f"{name}（{next(_counter)}）"})
    made.name = name
    services.refresh_search_text(made)
    db.session.flush()
    return made
