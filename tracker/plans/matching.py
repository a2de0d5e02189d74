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


def as_region(region) -> RegionRef:
    if isinstance(region, RegionRef):
        return region
    code, name, *rest = region
    former = tuple(rest[0]) if rest and rest[0] else ()
    return RegionRef(str(code), name, former)


def as_known(project) -> KnownProject:
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


def region_of(text: str, regions: Sequence[RegionRef]) -> str | None:
    """The region a name or place cell names; the most specific (longest printed) wins."""
    best: tuple[int, int, str] | None = None
    for region in regions:
        for name in (region.name, *region.former_names):
            for form in short_forms(name):
                position = text.find(form)
                if position < 0:
                    continue
                # A county's code over its city's: "赣州市龙南市" is 龙南市.
                rank = (len(form) if form == name else len(form) - 1, position)
                if best is None or rank[0] > best[0] or (rank[0] == best[0] and position > best[1]):
                    best = (rank[0], position, region.code)
    return best[2] if best else None


def match_key(name: str, regions: Sequence[RegionRef] = ()) -> str:
    """A name stripped of what differs between two printings of the same project."""
    key = re.sub(r"[（(][^）)]*[）)]", "", name)
    key = re.sub(r"[“”\"'《》\s·、]", "", key)
    changed = True
    while changed:
        changed = False
        for region in regions:
            for full in (region.name, *region.former_names):
                for form in short_forms(full):
                    if key.startswith(form) and len(key) > len(form) + 1:
                        key = key[len(form):]
                        changed = True
        for prefix in ("省级", "市级", "区级", "县级", "市本级", "市", "区", "县"):
            if key.startswith(prefix) and len(key) > len(prefix) + 2:
                key = key[len(prefix):]
                changed = True
                break
    for suffix in ("建设项目", "建设工程", "工程项目", "项目", "工程", "建设"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            key = key[: -len(suffix)]
            break
    return key


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


def existing_match(name: str, known: Sequence[KnownProject], regions: Sequence[RegionRef],
                   region_code: str | None = None) -> int | None:
    """The tracked project this candidate is: the same name once the region and 项目/工程 are off,
    in the same area (the candidate's region, else the plan's)."""
    key = match_key(name, regions)
    for project in known:
        if not same_area(region_code, project.region_code):
            continue
        if any(match_key(other, regions) == key for other in (project.name, *project.aliases)):
            return project.id
    return None
