"""A user's home: the scope his dashboard and list open on, and the views he saved by name.

Both are preferences of the reader's own and change no project: they are not audited. Every
scope and every saved query is checked by the pages' own parsers (``PortfolioFilter`` for the
list, the dashboard's ``Scope``, which adds the year) when it is saved *and* each time it is
used: a region or plan removed since is said in words, never a 500 and never a silent "all".
"""

from __future__ import annotations

from typing import Any

from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..core.values import clean_text
from ..dashboard.scope import Scope
from ..errors import ValidationFailed
from ..extensions import db
from ..portfolio.filters import PortfolioFilter
from .models import PAGES, SavedView

HOME_KEYS = ("region", "plan", "period")  # what a default scope names
# Never kept in a saved view: the page and its keyset anchors (the view is the selection, not a
# place in it), and "scope=all", the way out of the home scope.
NOT_SAVED = ("page", "after", "before", "value", "anchor", "scope", "csrf_token")
ALL = "all"  # ?scope=all: the whole portfolio, even for a user with a default scope
NAME_LENGTH = 60
QUERY_LENGTH = 2000


# ---- the default scope ------------------------------------------------------------------------

def stored_home(user) -> dict[str, str]:
    """The user's default scope as stored (the keys he set, nothing else)."""
    stored = getattr(user, "home_scope", None) if getattr(user, "is_authenticated", False) else None
    return {key: str(stored[key]) for key in HOME_KEYS if isinstance(stored, dict) and stored.get(key)}


def home_problems(user) -> list[str]:
    """What is wrong with the user's stored default scope now (a region or plan since removed)."""
    stored = stored_home(user)
    return PortfolioFilter.from_args(stored).problems() if stored else []


def home_args(user) -> dict[str, Any]:
    """The query string a bare /dashboard or /projects opens on for ``user``; empty when he has
    no default scope, or when it no longer holds (his own page says why)."""
    stored = stored_home(user)
    return stored if stored and not home_problems(user) else {}


def opens_home(args) -> bool:
    """A page opens on the home scope when its URL names nothing at all: the menu's link, the
    landing page. Any query (a drill-down, a chip removed, ``scope=all``) is taken as it is."""
    return not args


def set_home(user, region: str | None, plan: str | None, period: str | None) -> None:
    """Keep ``user``'s default scope; all three blank: the whole portfolio."""
    values = {key: value for key, value in (("region", region), ("plan", plan), ("period", period))
              if value}
    problems = PortfolioFilter.from_args(values).problems()
    if problems:
        raise ValidationFailed({"__all__": problems})
    user.home_scope = values or None
    db.session.flush()


# ---- saved views ------------------------------------------------------------------------------

def clean_query(query: str) -> str:
    """The query string as a view keeps it: blanks, the page number and ``scope`` left out, so
    two saves of the same selection store the same text."""
    pairs = [(key, value) for key, value in parse_qsl(query or "", keep_blank_values=False)
             if key not in NOT_SAVED and value.strip()]
    return urlencode(pairs)


def query_problems(page: str, query: str) -> list[str]:
    """What the page would refuse in ``query``: the list's filter, or the dashboard's scope."""
    if page not in PAGES:
        return [_("未知的页面：%(page)s", page=(page or "")[:20])]
    args = MultiDict(parse_qsl(query or ""))
    if page == "dashboard":
        return Scope.from_args(args).problems()
    return PortfolioFilter.from_args(args).problems()


def views_of(user) -> list[SavedView]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        sa.select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)))


def view_of(user, view_id: int) -> SavedView | None:
    """The user's own view, or None (another user's view is as good as missing)."""
    view = db.session.get(SavedView, view_id)
    return view if view is not None and view.user_id == user.id else None


def _checked_name(user, raw: str | None, keep: SavedView | None = None) -> str:
    name = clean_text(raw or "")
    if not name:
        raise ValidationFailed(_("请填写视图名称"), "name")
    if len(name) > NAME_LENGTH:
        raise ValidationFailed(_("视图名称不能超过 %(n)s 个字", n=NAME_LENGTH), "name")
    clash = db.session.scalar(sa.select(SavedView.id).where(
        SavedView.user_id == user.id, SavedView.name == name,
        *([SavedView.id != keep.id] if keep is not None else [])))
    if clash is not None:
        raise ValidationFailed(_("已有名为“%(name)s”的视图，请换一个名称", name=name), "name")
    return name


def save_view(user, name: str | None, page: str, query: str) -> SavedView:
    """Save the page's current query under ``name``; refused when the page would refuse it."""
    query = clean_query(query)
    problems = query_problems(page, query)
    if problems:
        raise ValidationFailed({"query": problems})
    if len(query) > QUERY_LENGTH:
        raise ValidationFailed(_("筛选条件太长，无法保存为视图"), "query")
    view = SavedView(user_id=user.id, name=_checked_name(user, name), page=page, query=query)
    db.session.add(view)
    db.session.flush()
    return view


def rename_view(user, view: SavedView, name: str | None) -> None:
    view.name = _checked_name(user, name, keep=view)
    db.session.flush()


def delete_view(view: SavedView) -> None:
    db.session.delete(view)
    db.session.flush()
