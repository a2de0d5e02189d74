from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

from ..core.latest import Latest
from ..core.translation import aside
from ..extensions import db
from ..portfolio import cache
from ..projects.models import Project
from .models import Region




@dataclass(frozen=True)
class RegionChoice:
    """What a region picker shows of a region: read as plain rows, not 3,200 ORM objects."""

    id: int
    key: str
    code: str | None
    name: str
    path: str

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def province_key(self) -> str:
        return self.path.split("/")[1]

    def label(self, *, indent: bool = True) -> str:
        code = aside(self.code) if self.code else ""  # （360783） in Chinese, (360783) in English
        return f"{'　' * self.depth if indent else ''}{self.name}{code}"


def region_choices(within: Iterable | None = None) -> list[tuple[RegionChoice, int]]:
    """The regions with their depth, in tree order (province, its cities, their counties).

    ``within`` (regions, e.g. an officer's) keeps those regions and the regions below them.
    """
    statement = sa.select(Region.id, Region.key, Region.code, Region.name, Region.path)
    if within is not None:
        paths = [region.path for region in within]
        if not paths:
            return []
        statement = statement.where(sa.or_(*(Region.path.startswith(path, autoescape=True)
                                             for path in paths)))
    rows = db.session.execute(statement.order_by(Region.path)).all()
    choices = [RegionChoice(*row) for row in rows]
    return [(choice, choice.depth) for choice in choices]


def grouped_choices(choices, value=lambda choice: choice.id) -> dict[str, list[tuple]]:
    """Choices in ``<optgroup>``s, one per province, for a picker of hundreds or thousands.

    WTForms renders a dict of lists as option groups; each option shows its code, so that the
    picker's filter box (static/region-picker.js) finds a region by name or by code.
    """
    provinces = dict(db.session.execute(sa.select(Region.key, Region.name)
                                        .where(Region.parent_id.is_(None))).all())
    groups: dict[str, list[tuple]] = {}
    for choice, _depth in choices:
        group = provinces.get(choice.province_key, choice.province_key)
        groups.setdefault(group, []).append((value(choice), choice.label()))
    return groups


def get_region(key: str) -> Region | None:
    return db.session.scalar(sa.select(Region).where(Region.key == key))


# --- every region as a picker's options (an admin's), rendered once per version of the table -------------

_pickers: Latest[str] = Latest(keep=8)  # (digest, "id" or "key", language) → the option groups


def every_region_options(value: str) -> str:
    """Every region as ``<optgroup>``s by province of ``<option>``s (value: the region's ``id``
    or ``key``; label: indented name and code), as ``grouped_choices`` would give them.

    The admin's pickers offer the whole country: building 3,200 choices and rendering them
    through WTForms costs ~100 ms a page, this a digest and a dictionary look-up.
    """
    def render() -> str:
        groups = grouped_choices(region_choices(), value=lambda choice: getattr(choice, value))
        return "".join(
            f'<optgroup label="{escape(group)}">'
            + "".join(f'<option value="{escape(option)}">{escape(label)}</option>'
                      for option, label in choices)
            + "</optgroup>"
            for group, choices in groups.items())
    # The code's brackets are the reader's language's: one rendering per language (the brackets
    # themselves stand for it in the key).
    return _pickers.get((_regions_digest(), value, aside("")), render)


# --- the region menu, rendered once per version of the regions table ---------------------------------
#
# A filter's region menu offers the regions that have projects, with their cities and provinces:
# the country has some 3,200 divisions (`tracker regions load`), and a menu of all of them is
# 190 KB of options nobody can scroll, most of which would filter to an empty list. Loading the
# regions and rendering an <option> each on every page would also cost ~20 ms of Python, so each
# process keeps the rendered options, keyed on a digest of what they show (id, key, name, path of
# every region, and whether it has projects) that the database computes in one small statement
# (an index probe per region). Any change to a region, or a region's first or last project,
# committed by any process, changes the digest, so the menu is never older than the tables; a
# count or a largest id would miss a renamed region.

_LINE = "id || ':' || key || ':' || name || ':' || path"
_IN_USE = ("CASE WHEN EXISTS (SELECT 1 FROM projects WHERE projects.region_id = regions.id) "
           "THEN '+' ELSE '-' END")


def _digest_statement(line: str, dialect: str) -> sa.TextClause:
    if dialect == "postgresql":
        return sa.text(f"SELECT md5(coalesce(string_agg({line}, '|' ORDER BY id), '')) FROM regions")
    # SQLite has no md5(): the concatenation (one string of some 100 KB) is hashed here.
    return sa.text(f"SELECT group_concat(line, '|') FROM (SELECT {line} AS line FROM regions "
                   "ORDER BY id)")


_menus: Latest[str] = Latest()  # digest → the rendered options


def _digest(line: str) -> str:
    dialect = db.session.get_bind().dialect.name
    value = db.session.execute(_digest_statement(line, dialect)).scalar() or ""
    return value if dialect == "postgresql" else hashlib.md5(value.encode()).hexdigest()


def _regions_digest() -> str:
    """Changes with any region's id, key, name or path (the lookups' index follows it)."""
    return _digest(_LINE)


def _render_options() -> str:
    in_use = set(db.session.scalars(sa.select(Region.path).where(
        sa.select(Project.id).where(Project.region_id == Region.id).exists())))
    # A region with projects, and every region above one (its city, its province).
    shown = {path[: path.index("/", position + 1) + 1] for path in in_use
             for position in range(len(path) - 1) if path[position] == "/"}
    rows = db.session.execute(sa.select(Region.key, Region.name, Region.path).order_by(Region.path))
    return "".join(f'<option value="{escape(key)}">{"　" * (path.count("/") - 2)}{escape(name)}</option>'
                   for key, name, path in rows if path in shown)


def _menu() -> str:
    return _menus.get(_digest(f"{_LINE} || {_IN_USE}"), _render_options)


def region_options(selected: str | None = None) -> Markup:
    """The regions with projects and those above them as ``<option>``s (indented by depth, in tree
    order), ``selected`` marked, and added when it has no projects (a link to an empty region).

    Rendered once per version of the tables in each process (see above): a request pays one
    small aggregate statement, not 3,200 ORM objects and template loops.
    """
    # While the menu's change stamp stands (portfolio/cache.py, MENU: a write to the regions, a
    # project added, deleted or moved to another region moves it; a report filed does not), the
    # menu is the one rendered last: one read of the stamp instead of the digest's probe of every
    # region (~4 ms of SQL on PostgreSQL at 100,000 projects).
    options = cache.figures(("regions", "menu"), _menu, follows=cache.MENU)
    if selected:
        marker = f'<option value="{escape(selected)}">'
        if marker in options:
            options = options.replace(marker, marker[:-1] + " selected>", 1)
        elif (region := get_region(selected)) is not None:
            options = (f'<option value="{escape(region.key)}" selected>{escape(region.full_name)}'
                       f"</option>{options}")
    return Markup(options)

