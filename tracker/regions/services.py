from __future__ import annotations

import hashlib
import threading

import sqlalchemy as sa
from markupsafe import Markup, escape

from ..extensions import db
from .models import Region


def region_choices() -> list[tuple[Region, int]]:
    """Every region with its depth, in tree order (province, its cities, their counties)."""
    regions = db.session.scalars(sa.select(Region).order_by(Region.path)).all()
    return [(region, region.path.count("/") - 2) for region in regions]


def get_region(key: str) -> Region | None:
    return db.session.scalar(sa.select(Region).where(Region.key == key))


# --- the region menu, rendered once per version of the regions table ---------------------------------
#
# A filter's region menu lists every region (876 in the demo, ~3,200 for the country): loading them
# as ORM objects and rendering an <option> each cost ~20 ms of Python on every list page. The menu
# changes only when the regions table does, so each process keeps the rendered options, keyed on a
# digest of what they show (id, key, name, path of every region) that the database computes in one
# small statement. Any change to a region, committed by any process, changes the digest, so the
# menu is never older than the table; a count or a largest id would miss a renamed region.

_DIGEST = {
    "postgresql": sa.text(
        "SELECT md5(coalesce(string_agg(id || ':' || key || ':' || name || ':' || path, '|' "
        "ORDER BY id), '')) FROM regions"),
    # SQLite has no md5(): the concatenation (one string of some 100 KB) is hashed here.
    None: sa.text(
        "SELECT group_concat(line, '|') FROM (SELECT id || ':' || key || ':' || name || ':' || path "
        "AS line FROM regions ORDER BY id)"),
}
_menus: dict[str, str] = {}  # digest → the rendered options; the latest one or two
_lock = threading.Lock()


def _regions_digest() -> str:
    dialect = db.session.get_bind().dialect.name
    value = db.session.execute(_DIGEST.get(dialect, _DIGEST[None])).scalar() or ""
    return value if dialect == "postgresql" else hashlib.md5(value.encode()).hexdigest()


def _render_options() -> str:
    rows = db.session.execute(sa.select(Region.key, Region.name, Region.path).order_by(Region.path))
    return "".join(f'<option value="{escape(key)}">{"　" * (path.count("/") - 2)}{escape(name)}</option>'
                   for key, name, path in rows)


def region_options(selected: str | None = None) -> Markup:
    """Every region as an ``<option>`` (indented by depth, in tree order), ``selected`` marked.

    Rendered once per version of the regions table in each process (see above): a request pays one
    small aggregate statement, not 3,200 ORM objects and template loops.
    """
    digest = _regions_digest()
    with _lock:
        options = _menus.get(digest)
    if options is None:
        options = _render_options()
        with _lock:
            if len(_menus) >= 2:
                _menus.clear()
            _menus[digest] = options
    if selected:
        marker = f'<option value="{escape(selected)}">'
        options = options.replace(marker, marker[:-1] + " selected>", 1)
    return Markup(options)


# --- lookups by code and name: see lookup.py ----------------------------------------------------------
from .lookup import find_regions, regions_in_text  # noqa: E402,F401  (other domains import them here)
