"""Finding regions by what people write: a code, a name with or without 市/县/区, a former name.

``find_regions("龙南")``, ``find_regions("龙南县")`` (its name before 2020), ``find_regions("360727")``
(its code before 2020) and ``find_regions("江西省赣州市龙南市")`` all give 龙南市 360783.
``regions_in_text(text, within=region)`` finds the regions a plan's text names, for the plan
extractor: "龙南第五人民医院" names 龙南市.

The names are held in memory, one index per version of the regions table (as the region menu is,
see ``services``): a lookup costs one small aggregate statement, not a query per name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..core.latest import Latest
from ..extensions import db
from .models import Region, RegionFormerName

# Longest first. The ethnic parts are those of the three autonomous regions whose short name
# drops them (广西壮族自治区 → 广西); other autonomous areas are found by prefix (恩施).
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
             "自治县", "自治旗", "地区", "林区", "省", "市", "县", "区", "旗", "盟")
_CODE = re.compile(r"^\d{6}$")


def short_name(name: str) -> str | None:
    """The name without its administrative suffix (龙南市 → 龙南), if two characters remain."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def _generic(name: str) -> bool:
    """城区, 郊区, 矿区, 东区: real districts, but in running text ordinary words."""
    return len(name) <= 2 and name.endswith("区")


@dataclass(frozen=True)
class _Entry:
    region_id: int
    path: str
    how: str  # "name", "former", "short" or "former-short"


@dataclass
class _Index:
    by_code: dict[str, list[int]]
    by_former_code: dict[str, list[int]]
    by_name: dict[str, list[_Entry]]  # full names and former names
    by_short: dict[str, list[_Entry]]
    paths: dict[int, str]
    names: list[tuple[str, int]]  # (name, region id) for prefix search
    autonomous: list[tuple[str, int]]  # the same for 自治区, 自治州, 自治县, 自治旗
    lengths: dict[str, set[int]]  # first character → the lengths of the names it begins


@dataclass(frozen=True)
class RegionMention:
    """A place in a text that names a region: ``text[start:end]``, and the regions it may be."""

    start: int
    end: int
    text: str
    how: str
    regions: tuple[Region, ...]


_indexes: Latest[_Index] = Latest()


def _digest() -> str:
    formers = RegionFormerName.__table__
    # Former names are only ever added (or go with their region): their count and last id suffice.
    summary = db.session.execute(sa.select(sa.func.count(), sa.func.max(formers.c.id))).one()
    from .services import _regions_digest  # the menu's digest: every id, key, name and path
    return hashlib.md5(f"{_regions_digest()}|{tuple(summary)}".encode()).hexdigest()


def _build() -> _Index:
    regions = Region.__table__
    formers = RegionFormerName.__table__
    index = _Index({}, {}, {}, {}, {}, [], [], {})
    rows: Sequence[tuple[int, str | None, str, str]] = db.session.execute(
        sa.select(regions.c.id, regions.c.code, regions.c.name, regions.c.path)).all()

    def add(table: dict, key: str, value) -> None:
        table.setdefault(key, []).append(value)

    for region_id, code, name, path in rows:
        index.paths[region_id] = path
        if code:
            add(index.by_code, code, region_id)
        add(index.by_name, name, _Entry(region_id, path, "name"))
        index.names.append((name, region_id))
        if "自治" in name:
            index.autonomous.append((name, region_id))
        if short := short_name(name):
            add(index.by_short, short, _Entry(region_id, path, "short"))
    former_names: Sequence[tuple[int, str | None, str]] = db.session.execute(
        sa.select(formers.c.region_id, formers.c.code, formers.c.name)).all()
    for region_id, code, name in former_names:
        path = index.paths[region_id]
        if code:
            add(index.by_former_code, code, region_id)
        add(index.by_name, name, _Entry(region_id, path, "former"))
        if short := short_name(name):
            add(index.by_short, short, _Entry(region_id, path, "former-short"))
    for table in (index.by_name, index.by_short):
        for name in table:
            index.lengths.setdefault(name[0], set()).add(len(name))
    return index


def _index() -> _Index:
    return _indexes.get(_digest(), _build)


def _related(path: str, within: Region | None) -> bool:
    """In ``within`` (itself or below it) or above it (its city, its province)."""
    return within is None or path.startswith(within.path) or within.path.startswith(path)


def _load(ids, within: Region | None, paths: dict[int, str]) -> list[Region]:
    wanted = sorted({i for i in ids if _related(paths[i], within)}, key=lambda i: paths[i])
    if not wanted:
        return []
    found = {region.id: region for region in db.session.scalars(
        sa.select(Region).where(Region.id.in_(wanted)))}
    return [found[i] for i in wanted if i in found]


def find_regions(query: str | None, *, within: Region | None = None) -> list[Region]:
    """The regions ``query`` names, best kind of match first, in tree order within it.

    Tried in turn, the first that finds anything answers: the six-digit code (current, then
    former); the name as written (current or former); the name without 市/县/区… on both sides
    (龙南县 → 龙南市, 海门 → 海门区); a chain of names (江西省赣州市龙南市, 赣州龙南); the
    beginning of a name (恩施 → 恩施土家族苗族自治州, 恩施市). ``within`` keeps the regions in it
    or above it. Two regions of one name (朝阳区 in Beijing and in Changchun) are both returned.
    """
    text = unicodedata.normalize("NFKC", query or "").strip()
    text = re.sub(r"\s+", "", text)
    if not text:
        return []
    index = _index()
    paths = index.paths
    if _CODE.match(text):
        return (_load(index.by_code.get(text, ()), within, paths)
                or _load(index.by_former_code.get(text, ()), within, paths))
    short = short_name(text) or text
    tiers = [
        [entry.region_id for entry in index.by_name.get(text, ())],
        # 恩施 is 恩施市 and also 恩施土家族苗族自治州: autonomous areas are named by their start.
        [entry.region_id for entry in index.by_short.get(short, ())]
        + [region_id for name, region_id in index.autonomous if name.startswith(short)],
    ]
    for ids in tiers:
        if found := _load(ids, within, paths):
            return found
    if found := _chain(text, within, index):
        return found
    if len(text) >= 2:
        return _load([region_id for name, region_id in index.names if name.startswith(text)],
                     within, paths)
    return []


def _chain(text: str, within: Region | None, index: _Index) -> list[Region]:
    """江西省赣州市龙南市: each name narrows the one before, the last one answers."""
    mentions = _scan(text, index, generic=True)
    if not mentions or sum(end - start for start, end, _, _ in mentions) != len(text):
        return []  # only a text made wholly of region names is a chain
    candidates = {i for i in mentions[0][3] if _related(index.paths[i], within)}
    for _, _, _, ids in mentions[1:]:
        parents = [index.paths[i] for i in candidates]
        narrowed = {i for i in ids if any(index.paths[i].startswith(p) for p in parents)}
        if not narrowed:
            return []
        candidates = narrowed
    return _load(candidates, within, index.paths)


def _scan(text: str, index: _Index, *, generic: bool = False,
          short: bool = True) -> list[tuple[int, int, str, list[int]]]:
    """Leftmost-longest names in ``text``: (start, end, how, region ids)."""
    found = []
    position = 0
    while position < len(text):
        match = None
        for length in sorted(index.lengths.get(text[position], ()), reverse=True):
            piece = text[position:position + length]
            if len(piece) < length or (not generic and _generic(piece)):
                continue
            if not short and length <= 2:
                continue  # 高县 in 提高县级医院: two-character names only with their surroundings
            entries = index.by_name.get(piece) or (index.by_short.get(piece) if short else None)
            if entries:
                match = (position, position + length, entries[0].how,
                         [entry.region_id for entry in entries])
                break
        if match:
            found.append(match)
            position = match[1]
        else:
            position += 1
    return found


def regions_in_text(text: str | None, *, within: Region | None = None) -> list[RegionMention]:
    """Every place in ``text`` that names a region (full, short or former name), left to right.

    ``within`` (the plan's region) keeps the regions in it or above it, so that a plan of
    赣州市 that names 龙南 finds 龙南市, and a plan of 阳江市 does not find 江城区 of another city.
    Short names (龙南 for 龙南市) are recognised only ``within`` a region: across the country
    they are everyday words too (合作, 安宁, 新建, 资源 are all counties' short names).
    Without ``within``, two-character names are skipped too (提高县级 is not 高县).
    Generic district names (城区, 郊区, 东区) are never recognised in running text.
    """
    if not text:
        return []
    index = _index()
    mentions = []
    loaded: dict[int, Region] = {}
    scanned = [(start, end, how, [i for i in ids if _related(index.paths[i], within)])
               for start, end, how, ids in _scan(text, index, short=within is not None)]
    wanted = {i for *_, ids in scanned for i in ids} - set(loaded)
    if wanted:
        loaded.update({region.id: region for region in db.session.scalars(
            sa.select(Region).where(Region.id.in_(sorted(wanted))))})
    for start, end, how, ids in scanned:
        if ids:
            regions = tuple(sorted((loaded[i] for i in set(ids)), key=lambda r: r.path))
            mentions.append(RegionMention(start, end, text[start:end], how, regions))
    return mentions
