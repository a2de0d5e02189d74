"""Which region a name belongs to, and which tracked project a candidate is: names compared as
plans print them (龙南第五人民医院 / 龙南市第五人民医院 / 龙南县第五人民医院)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    former_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownProject:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    region_code: str | None = None  # where it is: 宜春's 市人民医院 is not 阳江's


# What a caller passes: (code, name, former names) and (id, name, aliases[, region code]).
RegionRow = RegionRef | tuple
ProjectRow = KnownProject | tuple


def as_region(region: RegionRow) -> RegionRef:
    if isinstance(region, RegionRef):
        return region
    code, name, *rest = region
    former = tuple(rest[0]) if rest and rest[0] else ()
    return RegionRef(str(code), name, former)


def as_known(project: ProjectRow) -> KnownProject:
    if isinstance(project, KnownProject):
        return project
    project_id, name, *rest = project
    aliases = tuple(rest[0]) if rest and rest[0] else ()
    region_code = str(rest[1]) if len(rest) > 1 and rest[1] else None
    return KnownProject(int(project_id), name, aliases, region_code)


def short_forms(name: str) -> list[str]:
    """龙南市 → [龙南市, 龙南]; 海门区 → [海门区, 海门]; 江西省 → [江西省, 江西]."""
    forms = [name]
    stripped = re.sub(r"(?:自治县|自治州|特别行政区|新区|地区|省|市|县|区|旗|盟)$", "", name)
    if stripped != name and len(stripped) >= 2:
        forms.append(stripped)
    return forms


class RegionIndex:
    """Every printed form of every region (name, short name, former names), looked up by substring,
    so a national list of divisions costs a few dictionary lookups per name.

    Within ``plan_region``'s area a short form counts ("海门" is 海门区 in a 南通 plan); outside it
    only a full name does ("中山大学" does not make a project 中山市's), and where two regions print
    the same, the one in the plan's area wins (鼓楼区 is in four cities).
    """

    def __init__(self, regions: Sequence[RegionRef] = (), plan_region: str | None = None):
        self.plan_region = plan_region
        self.forms: dict[str, list[tuple[str, bool]]] = {}
        for region in regions:
            for name in (region.name, *region.former_names):
                for form in short_forms(name):
                    self.forms.setdefault(form, []).append((region.code, form == name))
        self.lengths = sorted({len(form) for form in self.forms}, reverse=True)

    def region_of(self, text: str) -> str | None:
        """The region a name or place cell names; the most specific (longest printed) wins, a
        county's code over its city's ("赣州市龙南市" is 龙南市)."""
        best: tuple | None = None
        for position in range(len(text)):
            for length in self.lengths:
                for code, full in self.forms.get(text[position: position + length], ()):
                    in_area = same_area(self.plan_region, code)
                    if not full and not in_area:
                        continue
                    rank = (in_area, length if full else length - 1, position)
                    if best is None or rank > best[0]:
                        best = (rank, code)
        return best[1] if best else None

    def strip_prefix(self, key: str) -> str:
        """The name without the regions printed at its front: "赣州市龙南市疾控中心" → "疾控中心"."""
        changed = True
        while changed:
            changed = False
            for length in self.lengths:
                if len(key) > length + 1 and key[:length] in self.forms:
                    key = key[length:]
                    changed = True
                    break
        return key


def as_index(regions: RegionIndex | Sequence[RegionRef]) -> RegionIndex:
    if isinstance(regions, RegionIndex):
        return regions
    return RegionIndex([as_region(r) for r in regions]) if regions else _NO_REGIONS


_NO_REGIONS = RegionIndex()  # never changed after it is built: one serves every call without regions


def region_of(text: str, regions: RegionIndex | Sequence[RegionRef]) -> str | None:
    return as_index(regions).region_of(text)


# An institution's name in full and as plans shorten it, the same institution either way.
SHORT_NAMES = (("疾病预防控制中心", "疾控中心"), ("中医医院", "中医院"))


def match_key(name: str, regions: RegionIndex | Sequence[RegionRef] = ()) -> str:
    """A name stripped of what differs between two printings of the same project: the region in
    front, 市/县级 and the like, brackets, quotes, and 项目/工程/建设 at the end; an institution
    named in full as plans shorten it (``SHORT_NAMES``)."""
    index = as_index(regions)
    key = re.sub(r"[（(][^）)]*[）)]", "", name)
    key = re.sub(r"[“”\"'《》\s·、]", "", key)
    for full, short in SHORT_NAMES:
        key = key.replace(full, short)
    changed = True
    while changed:
        stripped = index.strip_prefix(key)
        changed = stripped != key
        key = stripped
        for prefix in ("省级", "市级", "区级", "县级", "市本级", "市", "区", "县"):
            if key.startswith(prefix) and len(key) > len(prefix) + 2:
                key = key[len(prefix):]
                changed = True
                break
    for suffix in ("建设项目", "建设工程", "工程项目", "项目", "工程", "建设"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            key = key[: -len(suffix)]
            break
    # "X续建项目" in a new plan is X carried on (DOMAIN: the same project, a longer history).
    if key.endswith("续建") and len(key) > 4:
        key = key[:-2]
    # A relocation is printed in several words (DOMAIN: 迁建 = 易地新建 = 异地新建): "市中心血站易地新建"
    # (14th plan) and "宜春市中心血站迁建项目" (15th) were two projects, the second accepted anew.
    for word in RELOCATION_WORDS:
        if key.endswith(word) and len(key) > len(word) + 2:
            key = key[: -len(word)] + "迁建"
            break
    return key


RELOCATION_WORDS = ("易地迁建", "异地迁建", "易地新建", "异地新建", "整体搬迁", "整体迁建", "搬迁")


def same_area(first: str | None, second: str | None) -> bool:
    """One region within the other by GB/T 2260 code (360700 holds 360783), or the same zone;
    unknown on either side does not rule a match out."""
    if not first or not second or first == second:
        return True
    if not (first.isdigit() and second.isdigit() and len(first) == len(second) == 6):
        return False
    return first.startswith(_code_prefix(second)) or second.startswith(_code_prefix(first))


def _code_prefix(code: str) -> str:
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


class KnownProjects:
    """The projects already tracked, by the key of each of their names: one lookup per candidate."""

    def __init__(self, known: Sequence[KnownProject], regions: RegionIndex):
        self.regions = regions
        self.by_key: dict[str, list[KnownProject]] = {}
        for project in known:
            for name in dict.fromkeys((project.name, *project.aliases)):
                self.by_key.setdefault(match_key(name, regions), []).append(project)

    def match(self, name: str, region_code: str | None = None) -> int | None:
        """The tracked project this candidate is: the same name once the region and 项目/工程 are
        off, in the same area (the candidate's region, else the plan's)."""
        for project in self.by_key.get(match_key(name, self.regions), ()):
            if same_area(region_code, project.region_code):
                return project.id
        return None
