"""The dashboard's map for the printed briefing: the same shapes and shading as the page's SVG
(maps.py), drawn as ReportLab graphics so the PDF carries vector outlines and a text legend.

The shapes are ``maps.projected``: x right, y down, WIDTH units wide. ReportLab's y goes up, so
each point is turned over once here.
"""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Group, Path, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from . import maps

INK = colors.HexColor(maps.INK)
MUTED = colors.HexColor(maps.MUTED)
KEY_ROW, KEY_SIZE = 11, 7  # the legend's line height and type size, points


def measure(show_money: bool) -> str:
    """Investment where money is shown, else the count: the page's default for the reader."""
    return maps.chosen_measure(None, show_money)


def drawing(found: list[maps.Area], measure: str, font: str, width: float,
            max_height: float, whole_country: bool) -> Drawing | None:
    """The choropleth ``width`` points wide (at most ``max_height`` tall for the shapes) with its
    legend under it; None when no region in scope has an outline."""
    shapes = maps.projected(tuple(sorted(area.code for area in found)), whole_country)
    if not shapes.shapes:
        return None
    scale = min(width / shapes.width, max_height / shapes.height)
    map_height = shapes.height * scale
    keys = maps.legend_keys(found, measure)
    column = max(stringWidth(words, font, KEY_SIZE) for _colour, words in keys) + 18
    per_line = max(1, min(len(keys), int(width // column)))
    legend_height = KEY_ROW * (1 + -(-len(keys) // per_line)) + 4
    total = map_height + legend_height
    picture = Drawing(width, total)
    fill = maps.shading(found, measure)
    regions = Group()
    for area in found:
        shape = shapes.shapes.get(area.code)
        if shape is not None:
            regions.add(_path(shape, scale, total, colors.HexColor(fill(area.value)), INK, 0.4))
    if shapes.boundary is not None:
        regions.add(_path(shapes.boundary, scale, total, None, MUTED, 0.5))
    picture.add(regions)
    palette = maps.PALETTES[measure]
    for area in found:  # names where they fit, as on the page
        shape = shapes.shapes.get(area.code)
        if shape is None:
            continue
        minx, _miny, maxx, _maxy = shape.bounds
        if len(area.name) * 6.5 > (maxx - minx) * scale:
            continue
        point = shape.representative_point()
        dark = fill(area.value) in palette[3:]
        picture.add(String(point.x * scale, total - point.y * scale - 2.5, area.name,
                           fontName=font, fontSize=6.5, textAnchor="middle",
                           fillColor=colors.white if dark else INK))
    _legend(picture, keys, maps.unit_of(measure), font, column, per_line, legend_height - 2)
    return picture


def _legend(picture: Drawing, keys, unit: str, font: str, column: float, per_line: int,
            top: float) -> None:
    """The key: "图例（unit）", then the swatches with their words, ``per_line`` a line."""
    picture.add(String(0, top - 8, _("图例（%(unit)s）", unit=unit), fontName=font,
                       fontSize=KEY_SIZE, fillColor=MUTED))
    for index, (colour, words) in enumerate(keys):
        x = column * (index % per_line)
        y = top - 8 - KEY_ROW * (1 + index // per_line)
        swatch = Rect(x, y - 1, 9, 7)
        swatch.fillColor, swatch.strokeColor, swatch.strokeWidth = colors.HexColor(colour), INK, 0.4
        picture.add(swatch)
        picture.add(String(x + 12, y, words, fontName=font, fontSize=KEY_SIZE, fillColor=INK))


def _path(geometry, scale: float, height: float, fill, stroke, stroke_width: float) -> Path:
    path = Path(fillColor=fill, strokeColor=stroke, strokeWidth=stroke_width, strokeLineJoin=1,
                fillMode=0)  # even-odd: a hole (a city inside its county) stays a hole
    for ring, closed in _rings(geometry):
        points = [(x * scale, height - y * scale) for x, y, *_rest in ring]
        if len(points) < 2:
            continue
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
        if closed:
            path.closePath()
    return path


def _rings(geometry):
    """Every ring and line of a shapely geometry, with whether it closes."""
    for part in getattr(geometry, "geoms", [geometry]):
        if part.geom_type == "Polygon":
            yield part.exterior.coords, True
            for hole in part.interiors:
                yield hole.coords, True
        elif part.geom_type in ("LineString", "LinearRing"):
            yield part.coords, False
        elif hasattr(part, "geoms"):
            yield from _rings(part)
