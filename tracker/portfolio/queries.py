"""The portfolio's figures, computed in the database."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..core import clock
from ..database import ExactDecimal, exact_sum
from ..extensions import db
from ..plans.models import Plan
from ..progress.models import MonthlyReport
from ..projects.models import VOCABULARY_SORTS, Project, search_grams
from ..regions.models import Region
from ..vocabulary import Kind
from . import cache, kept
from .filters import NOT_NULL_SORTS, SORTS, PortfolioFilter

T = TypeVar("T")  # what a page lists


@dataclass(frozen=True)
class Totals:
    """Sums with their coverage: a sum over 8 of 150 projects says so."""

    projects: int
    with_investment: int
    total_investment: Decimal | None
    with_invested: int
    invested_to_date: Decimal | None
    with_floor_area: int
    floor_area_m2: Decimal | None
    with_beds: int
    beds: int | None
    with_new_beds: int
    new_beds: int | None
    # 投资完成率 of the portfolio: over the projects stating both 累计完成投资 and a 总投资 above 0.
    with_rate: int = 0
    rate_invested: Decimal | None = None
    rate_investment: Decimal | None = None
    # How many of the summed 总投资 and 建筑面积 are approximations (约): the coverage says so.
    approx_investment: int = 0
    approx_floor_area: int = 0

    @classmethod
    def of_kept(cls, figures: dict) -> Totals:
        """From the kept figures (portfolio/kept.py): a sum whose coverage is none is unknown,
        as SQL's SUM over no values."""
        def known(count: str, total: str):
            return figures[total] if figures[count] else None
        return cls(figures["projects"], figures["with_investment"], known("with_investment", "total_investment"),
                   figures["with_invested"], known("with_invested", "invested_to_date"),
                   figures["with_floor_area"], known("with_floor_area", "floor_area"),
                   figures["with_beds"], known("with_beds", "beds"),
                   figures["with_new_beds"], known("with_new_beds", "new_beds"),
                   figures["with_rate"], known("with_rate", "rate_invested"),
                   known("with_rate", "rate_investment"), figures["approx_investment"],
                   figures["approx_floor_area"])

    @property
    def investment_rate(self) -> Decimal | None:
        if not self.rate_investment or self.rate_invested is None:
            return None
        return self.rate_invested / self.rate_investment


def totals(portfolio_filter: PortfolioFilter, today: dt.date | None = None) -> Totals:
    """The filter's sums with their coverage.

    A region (or none) and a kind, what most list pages show, with at most one status, category
    or 建设性质, is read from the figures kept at write time (portfolio/kept.py): a few hundred
    rows, current at every commit, uncached. Any other filter sums its projects through the
    narrow covering index ``ix_projects_totals``, kept per process until the next write
    (cache.py)."""
    today = today or clock.today()
    if kept.breakdown(portfolio_filter) is not None:  # the 约 counted with the rest
        return Totals.of_kept(kept.everything(db.session(), portfolio_filter))
    key = ("totals", replace(portfolio_filter, sort="region", order="asc"), today)
    if _grams_answer(portfolio_filter):  # the 约 counted in the same range of the index
        return cache.figures(key, lambda: _gram_totals(portfolio_filter))
    found = cache.figures(key, lambda: _totals(portfolio_filter, today))
    return with_approximate(found, portfolio_filter, today)


def with_approximate(totals: Totals, portfolio_filter: PortfolioFilter, today: dt.date) -> Totals:
    """``totals`` saying how many of the filter's stated 总投资 and 建筑面积 are 约."""
    investment, area = approximate(portfolio_filter, today)
    return replace(totals, approx_investment=investment, approx_floor_area=area)


def approximate(portfolio_filter: PortfolioFilter, today: dt.date) -> tuple[int, int]:
    """How many of the filter's stated 总投资 and 建筑面积 are 约: read from the partial index of
    the few projects with such a figure (``ix_projects_approximate``), kept per process until the
    next write as the totals are."""
    key = ("approximate", replace(portfolio_filter, sort="region", order="asc"), today)

    def count() -> tuple[int, int]:
        row = db.session.execute(approximate_statement(portfolio_filter, today)).one()
        return int(row[0]), int(row[1])
    return cache.figures(key, count)


def approximate_statement(portfolio_filter: PortfolioFilter, today: dt.date) -> sa.Select:
    investment = sa.and_(Project.total_investment_approx.is_(True), Project.total_investment.is_not(None))
    area = sa.and_(Project.floor_area_approx.is_(True), Project.floor_area_m2.is_not(None))
    return (sa.select(sa.func.count(sa.case((investment, 1))), sa.func.count(sa.case((area, 1))))
            .where(Project.has_approximate_figure, *portfolio_filter.conditions(today))
            # SQLite's planner, without statistics, took the kind's index and read every project
            # of the kind from the table: the partial index holds only the 约 ones.
            .with_hint(Project, "INDEXED BY ix_projects_approximate", "sqlite"))


def _grams_answer(portfolio_filter: PortfolioFilter) -> bool:
    """Whether the search grams' copied figures answer this filter: a search the bigram index
    alone answers (two characters) and a kind, nothing else."""
    if portfolio_filter.search_holders is None:
        return False
    if portfolio_filter.to_args(q=None, kind=None, sort="region", order="asc"):
        return False
    return portfolio_filter.kind in (None, "all") or portfolio_filter.kind in {kind.value for kind in Kind}


def _gram_totals(portfolio_filter: PortfolioFilter) -> Totals:
    values: tuple[Any, ...] = tuple(db.session.execute(gram_totals_statement(portfolio_filter)).one())
    return Totals(*values)


def gram_totals_statement(portfolio_filter: PortfolioFilter) -> sa.Select:
    """The totals of a two-character search from one range of ``ix_project_search_grams_totals``:
    the term's gram rows of the filter's kinds, each carrying its project's summed figures."""
    grams = search_grams.c
    both = sa.and_(grams.invested_to_date.is_not(None), grams.total_investment > 0)
    return (
        sa.select(
            sa.func.count(),
            sa.func.count(grams.total_investment), exact_sum(grams.total_investment),
            sa.func.count(grams.invested_to_date), exact_sum(grams.invested_to_date),
            sa.func.count(grams.floor_area_m2), exact_sum(grams.floor_area_m2),
            sa.func.count(grams.beds), exact_sum(grams.beds),
            sa.func.count(grams.new_beds), exact_sum(grams.new_beds),
            sa.func.count(sa.case((both, 1))),  # the index alone: not the project_id
            exact_sum(sa.case((both, grams.invested_to_date))),
            exact_sum(sa.case((both, grams.total_investment))),
            sa.func.count(sa.case((sa.and_(grams.total_investment_approx.is_(True),
                                           grams.total_investment.is_not(None)), 1))),
            sa.func.count(sa.case((sa.and_(grams.floor_area_approx.is_(True), grams.floor_area_m2.is_not(None)), 1))),
        ).where(grams.gram == (portfolio_filter.search_terms or [""])[0],
                *kept.kinds(portfolio_filter, search_grams))
    )


def _totals(portfolio_filter: PortfolioFilter, today: dt.date) -> Totals:
    both = sa.and_(Project.invested_to_date.is_not(None), Project.total_investment > 0)
    row = db.session.execute(
        sa.select(
            sa.func.count(Project.id),
            sa.func.count(Project.total_investment), exact_sum(Project.total_investment),
            sa.func.count(Project.invested_to_date), exact_sum(Project.invested_to_date),
            sa.func.count(Project.floor_area_m2), exact_sum(Project.floor_area_m2),
            sa.func.count(Project.beds), exact_sum(Project.beds),
            sa.func.count(Project.new_beds), exact_sum(Project.new_beds),
            sa.func.count(sa.case((both, Project.id))),
            exact_sum(sa.case((both, Project.invested_to_date))),
            exact_sum(sa.case((both, Project.total_investment))),
        ).where(*portfolio_filter.conditions(today))
    ).one()
    return Totals(*row)


# --- pages -----------------------------------------------------------------------------------------
#
# A page is found by "seeking", not by counting: the list's order is (sort value, id), and the
# "next" link carries the sort value and id of the page's last row, "previous" those of its first
# row. The database then reads from that row on through the order's index, however deep the page
# (page 951 of 1,902 at 100,000 projects: OFFSET 47,500 made PostgreSQL sort and skip 47,500
# rows). A page asked for by its number alone (``?page=N``: a bookmark, the "jump to" box, the
# first and last links) is counted from the nearer end of the list, so at worst from the middle.

MAX_INT = 2**31 - 1  # ids and counts are PostgreSQL INTEGER
_DIGITS = re.compile(r"[0-9]{1,10}")
_INTEGER = re.compile(r"-?[0-9]{1,10}")
_PAGE = re.compile(r"[-+]?[0-9]{1,30}")


class BadPageRequest(ValueError):
    """A page argument that no link of ours writes: the message says which, in the user's words."""


@dataclass(frozen=True)
class Seek:
    """Where a page starts: just after the row (``value``, ``id``), the last row of page
    ``anchor`` (a "next" link), or just before it, the first row of page ``anchor`` (a "previous"
    link). ``value`` is that row's value of the sort column; None means unknown (NULL)."""

    direction: str  # "after" or "before"
    id: int
    value: object
    anchor: int


def _whole(raw: str, name: str, minimum: int = 1) -> int:
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= MAX_INT:
        raise BadPageRequest(_("翻页参数 %(name)s 的值无效：%(value)s", name=name, value=raw[:40]))
    return int(raw)


def _sort_value(sort: str, raw: str):
    """A sort value from a link, as the column holds it; BadPageRequest when it cannot be one."""
    column = SORTS[sort]
    kind = column.type
    problem = BadPageRequest(_("翻页参数 value 对排序“%(sort)s”无效：%(value)s", sort=sort, value=raw[:40]))
    if sort in VOCABULARY_SORTS:  # a place in the vocabulary; a link from before, its code
        codes = [member.value for member in VOCABULARY_SORTS[sort]]
        if raw in codes:
            return codes.index(raw)
        if not _INTEGER.fullmatch(raw) or not 0 <= int(raw) <= len(codes):
            raise problem
        return int(raw)
    if isinstance(kind, ExactDecimal):
        # At most the column's digits: anything else would be refused (or rounded) on the way in.
        whole = kind.precision - kind.scale
        if not re.fullmatch(rf"-?[0-9]{{1,{whole}}}(\.[0-9]{{1,{kind.scale}}})?", raw):
            raise problem
        return Decimal(raw)
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        if raw not in {member.value for member in kind.enum_class}:
            raise problem
        return kind.enum_class(raw)
    if isinstance(kind, sa.Integer):
        if not _INTEGER.fullmatch(raw) or not -MAX_INT - 1 <= int(raw) <= MAX_INT:
            raise problem
        return int(raw)
    if isinstance(kind, sa.Date):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise problem from None
    if isinstance(kind, sa.String):
        if kind.length is not None and len(raw) > kind.length:
            raise problem
        return raw
    raise problem  # pragma: no cover - every sort column is one of the above


def page_number(raw: str | None) -> int:
    """``?page=N`` as any numbered list reads it: blank is 1, a number past either end shows that
    end, anything else (``²``, ``1e309``) is a BadPageRequest saying so."""
    raw = (raw or "").strip()
    if not raw:
        return 1
    if not _PAGE.fullmatch(raw):
        raise BadPageRequest(_("页码无效：%(value)s", value=raw[:40]))
    return min(max(int(raw), 1), MAX_INT)


def page_request(args, portfolio_filter: PortfolioFilter) -> tuple[int, Seek | None]:
    """The page number and, from a next/previous link, where that page starts."""
    page = page_number(args.get("page"))
    after, before = args.get("after"), args.get("before")
    raw_value, raw_anchor = args.get("value"), args.get("anchor")
    if after is None and before is None:
        if raw_value is not None or raw_anchor is not None:
            raise BadPageRequest(_("翻页参数 value 和 anchor 只能与 after 或 before 一起使用"))
        return page, None
    if after is not None and before is not None:
        raise BadPageRequest(_("翻页参数 after 和 before 不能同时使用"))
    direction = "after" if after is not None else "before"
    row_id = _whole(after if after is not None else before, direction)
    sort = portfolio_filter.sort_key
    if raw_value is None:
        if sort in NOT_NULL_SORTS:
            raise BadPageRequest(_("翻页参数缺少 value"))
        value = None
    else:
        value = _sort_value(sort, raw_value)
    if raw_anchor is None:
        anchor = page - 1 if direction == "after" else page + 1
    else:
        anchor = _whole(raw_anchor, "anchor")
    if (direction == "after" and not 1 <= anchor < page) or (direction == "before" and anchor <= page):
        raise BadPageRequest(_("翻页参数 page 与 anchor 不一致"))
    return page, Seek(direction, row_id, value, anchor)


def link_value(value) -> str | None:
    """A sort value as a link carries it (and ``_sort_value`` reads it back)."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    first: tuple[int, object] | None = None  # (id, sort value) of the first row
    last: tuple[int, object] | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def args_for(self, number: int) -> dict:
        """The page arguments of a link to page ``number``: the first page and a far one by
        their number (cheap: counted from their nearer end), a page near this one by seeking
        from this page's first or last row, the last page too: counted from the end, the next
        link to it sent the previous page's last row again after a project was created (a script
        following the links delivered it twice, or missed one when a project left the list)."""
        number = min(max(number, 1), self.pages)
        if number == 1:
            return {}
        if not self.items or abs(number - self.page) > SEEK_REACH:
            return {"page": number}
        edge, direction = (self.last, "after") if number > self.page else (self.first, "before")
        if edge is None:  # never with rows on the page; keeps the types honest
            return {"page": number}
        row_id, value = edge
        args: dict[str, object] = {"page": number, direction: row_id}
        if value is not None:
            args["value"] = link_value(value)
        if abs(number - self.page) > 1:
            args["anchor"] = self.page
        return args

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last, and two either side of this one;
        None where pages are left out."""
        shown = sorted({1, self.pages, *range(max(1, self.page - SEEK_REACH),
                                              min(self.pages, self.page + SEEK_REACH) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


SEEK_REACH = 2  # numbered links this far from the current page seek from its first or last row


def _keys(portfolio_filter: PortfolioFilter, today: dt.date, sets: bool = True):
    statement = sa.select(Project.id, SORTS[portfolio_filter.sort_key].label("sort_value"))
    if portfolio_filter.sort_key == "region":
        statement = statement.join(Region, Project.region_id == Region.id)
    return statement.where(*portfolio_filter.conditions(today, sets=sets))


# A page near either end of a list narrowed by sets of ids (a two-character search's holders, a
# plan's, a period's or a funding source's projects: ``PortfolioFilter.id_sets``), found by
# walking the list's order: the first ``budget`` rows of the order without those sets, of which
# the ids in them are kept. When they hold the page's rows, these are the page (the walked rows
# are a prefix of the order, so the kept ones are a prefix of the list); otherwise the list is
# sorted, as always. The budget is what a uniform spread of the list would need, times
# WALK_MARGIN, and is spent only when it is below the list's length (sorting costs about one
# read a row). At 100,000 projects the first page of 妇幼 (8,900 matches) walks ~1,700 rows
# instead of sorting 8,900, and the 十四五 period's (every project) 150 instead of 100,000
# (benchmarks/NOTES.md).
WALK_MARGIN = 3


def _in_order(portfolio_filter: PortfolioFilter, keys: sa.Select, reverse: bool = False) -> sa.Select:
    """``keys`` in the list's order, for a page counted from an end. Where ``_walked`` did not
    find a two-character search's page, its matches are found whole first (a materialized CTE),
    then sorted: left to itself PostgreSQL walks the sort's index probing the grams, as if the
    matches were spread evenly along the order, and where they bunch (妇幼 sorted by 类别: every
    match in one category) it read 49,000 rows and 173,000 buffers for one page at 100,000
    projects, where finding the 8,926 matches reads the table once (5,600 buffers)."""
    if portfolio_filter.search_holders is None:
        return keys.order_by(*portfolio_filter.order_by(reverse=reverse))
    matched = keys.cte("matched").prefix_with("MATERIALIZED")
    return (sa.select(matched.c.id, matched.c.sort_value)
            .order_by(*portfolio_filter.order_by(reverse=reverse, sort=matched.c.sort_value,
                                                 id_column=matched.c.id)))


def _unnarrowed(portfolio_filter: PortfolioFilter) -> int:
    """At least the number of projects the filter selects without its id sets: the projects of
    its region and kind, from the kept figures (a few rows), or the largest id."""
    scope = PortfolioFilter(region=portfolio_filter.region, kind=portfolio_filter.kind)
    if kept.answers(scope):
        return kept.project_count(db.session(), scope)
    return db.session.scalar(sa.select(sa.func.max(Project.id))) or 0


def _walked(portfolio_filter: PortfolioFilter, limit: int, offset: int, total: int,
            today: dt.date, reverse: bool = False,
            beyond: sa.ColumnElement[bool] | None = None) -> Sequence[sa.Row[int, Any]] | None:
    """Rows ``offset`` to ``offset + limit`` of a list narrowed by id sets in its order
    (``reverse``: the opposite order), by walking the order (from where ``beyond`` starts: a
    page link's seek row); None when the walk would not pay or not reach them."""
    sets = portfolio_filter.id_sets()
    # The budget is below the list's length only when it is more than WALK_MARGIN pages' worth.
    if not sets or limit <= 0 or offset + limit > total or total <= WALK_MARGIN * (offset + limit):
        return None
    budget = -(-WALK_MARGIN * (offset + limit) * _unnarrowed(portfolio_filter) // total)
    if budget >= total:
        return None
    keys = _keys(portfolio_filter, today, sets=False)
    if beyond is not None:
        keys = keys.where(beyond)
    walked = keys.order_by(*portfolio_filter.order_by(reverse=reverse)).limit(budget).subquery("walked")
    rows = db.session.execute(
        # Each walked row looked up in each set's index (EXISTS), not the set gathered whole: the
        # 十四五 period's is every project (IN took 90 ms on SQLite to gather 100,000 ids).
        sa.select(walked.c.id, walked.c.sort_value)
        .where(*(ids.where(ids.selected_columns[0] == walked.c.id).exists() for ids in sets))
        .order_by(*portfolio_filter.order_by(reverse=reverse, sort=walked.c.sort_value,
                                             id_column=walked.c.id))
        .limit(limit).offset(offset)).all()
    return rows if len(rows) == limit else None


def _beyond(portfolio_filter: PortfolioFilter, seek: Seek) -> list:
    """The rows past the seek row, in the direction of the seek, as conditions to be read in
    turn: the rows with a known value first (a range the sort's index answers), then, when the
    order reaches them, the unknown ones (NULL sorts last, so "after" ends and "before" starts
    with them). Each condition is a single range, never an OR across the index."""
    column = SORTS[portfolio_filter.sort_key]
    nullable = portfolio_filter.sort_key not in NOT_NULL_SORTS
    forward = seek.direction == "after"
    # Along the order: values grow when ascending and sorting forward, or descending and back.
    growing = forward != portfolio_filter.descending
    past_id = Project.id > seek.id if forward else Project.id < seek.id
    if seek.value is None:
        if forward:
            return [sa.and_(column.is_(None), past_id)]
        return [sa.and_(column.is_(None), past_id), column.is_not(None)]
    if growing:
        known = sa.and_(column >= seek.value, sa.or_(column > seek.value, past_id))
    else:
        known = sa.and_(column <= seek.value, sa.or_(column < seek.value, past_id))
    if forward and nullable:
        return [known, column.is_(None)]
    return [known]


def _seek(portfolio_filter: PortfolioFilter, seek: Seek, page: int, per_page: int, total: int,
          today: dt.date) -> Sequence[sa.Row[int, Any]]:
    """The (id, sort value) rows of ``page``, read from the seek row on (walking the order
    where the list is narrowed by id sets, as ``_walked`` does for the first page)."""
    forward = seek.direction == "after"
    skip = (page - seek.anchor - 1 if forward else seek.anchor - page - 1) * per_page
    wanted = skip + per_page
    keys = _keys(portfolio_filter, today).order_by(*portfolio_filter.order_by(reverse=not forward))
    rows: list = []
    for condition in _beyond(portfolio_filter, seek):
        found = _walked(portfolio_filter, wanted - len(rows), 0, total, today, reverse=not forward,
                        beyond=condition)
        if found is None:
            found = db.session.execute(keys.where(condition).limit(wanted - len(rows))).all()
        rows += found
        if len(rows) >= wanted:
            break
    rows = rows[skip:]
    return rows if forward else rows[::-1]


DEEP = 1000  # rows to skip beyond which a page of the region order is found from the region counts


def region_counts(portfolio_filter: PortfolioFilter, today: dt.date) -> tuple[tuple[str, int], ...]:
    """(region key, projects) of the filter's projects, in the list's region order (ascending);
    kept per process until the next write, like the totals."""
    key = ("region counts", replace(portfolio_filter, sort="region", order="asc"), today)
    return cache.figures(key, lambda: tuple(
        (region_key, count) for region_key, count in db.session.execute(
            sa.select(Region.key, sa.func.count(Project.id))
            .join(Region, Project.region_id == Region.id)
            .where(*portfolio_filter.conditions(today))
            .group_by(Region.key).order_by(Region.key))))


def _by_region(portfolio_filter: PortfolioFilter, start: int, per_page: int,
               today: dt.date) -> Sequence[sa.Row[int, Any]]:
    """The rows from ``start`` on in the region order, skipping whole regions by their counts:
    the database then reads from the region the page starts in, and skips at most that region's
    own rows (where OFFSET made it sort and skip every row before the page)."""
    counts = region_counts(portfolio_filter, today)
    if portfolio_filter.descending:
        counts = counts[::-1]
    before = 0
    for region_key, count in counts:  # noqa: B007  (the page's first region, read below)
        if before + count > start:
            break
        before += count
    else:
        return []
    column = SORTS["region"]
    condition = column <= region_key if portfolio_filter.descending else column >= region_key
    return db.session.execute(_keys(portfolio_filter, today).where(condition)
                              .order_by(*portfolio_filter.order_by())
                              .limit(per_page).offset(start - before)).all()


def _count(portfolio_filter: PortfolioFilter, page: int, per_page: int, total: int,
           today: dt.date) -> Sequence[sa.Row[int, Any]]:
    """The (id, sort value) rows of ``page`` by its number: counted from the nearer end, or in
    the region order (the default) from the region it starts in."""
    start, end = (page - 1) * per_page, min(page * per_page, total)
    if total == 0:
        return []  # an empty list: no need to ask (two broad id sets would be gathered whole)
    keys = _keys(portfolio_filter, today)
    if portfolio_filter.sort_key == "region" and min(start, total - end) > DEEP:
        return _by_region(portfolio_filter, start, per_page, today)
    if start <= total - end:
        walked = _walked(portfolio_filter, end - start, start, total, today)
        if walked is not None:
            return walked
        return db.session.execute(_in_order(portfolio_filter, keys)
                                  .limit(per_page).offset(start)).all()
    rows = _walked(portfolio_filter, end - start, total - end, total, today, reverse=True)
    if rows is None:
        rows = db.session.execute(_in_order(portfolio_filter, keys, reverse=True)
                                  .limit(max(end - start, 0)).offset(total - end)).all()
    return rows[::-1]


def project_page(portfolio_filter: PortfolioFilter, page: int, per_page: int, total: int,
                 today: dt.date | None = None, seek: Seek | None = None) -> Page[Project]:
    today = today or clock.today()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    # First the page's ids and sort values, then its rows: the database sorts and skips narrow
    # (id, key) pairs rather than whole project rows.
    if seek is not None and not (0 < (page - seek.anchor if seek.direction == "after"
                                      else seek.anchor - page) <= SEEK_REACH):
        seek = None  # a link from far away (or past the end): counting from an end is no dearer
    rows: Sequence[sa.Row[int, Any]] | None = None
    if seek is not None:
        rows = _seek(portfolio_filter, seek, page, per_page, total, today)
        if seek.direction == "before" and len(rows) < per_page:
            page, rows = 1, None  # a "previous" that reaches the start is the first page
        elif not rows:
            rows = None  # the list changed under the link (or it was made up): count instead
    if rows is None:
        rows = _count(portfolio_filter, page, per_page, total, today)
    ids = [row.id for row in rows]
    projects = db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids))
        # The plans' key, title and period (links and 续建), not their quoted sources (JSON
        # parsed per row: ~150 a page of the whole portfolio).
        .options(selectinload(Project.plans).load_only(Plan.key, Plan.title, Plan.period_start,
                                                        Plan.period_end),
                 joinedload(Project.region, innerjoin=True))
    ).all() if ids else []
    by_id = {project.id: project for project in projects}
    items = [by_id[project_id] for project_id in ids if project_id in by_id]
    return Page(items, page, per_page, total,
                first=(rows[0].id, rows[0].sort_value) if rows else None,
                last=(rows[-1].id, rows[-1].sort_value) if rows else None)


def latest_percents(projects: list[Project]) -> dict[int, Decimal]:
    """工程进度 of each project's latest report (the month ``last_report_month`` names), for the
    rows of one page: one statement over the (project, month) index, the projects' ids by the
    months they name (a page's rows name one or a few), each report kept if its month is its
    project's. (Joined to the projects instead, PostgreSQL read every report of the page's
    projects, 36 each; SQLite reads a row-value ``IN (VALUES …)`` by scanning the table.)"""
    latest = {project.id: project.last_report_month for project in projects
              if project.last_report_month is not None}
    if not latest:
        return {}
    rows = db.session.execute(latest_percents_statement(latest))
    return {project_id: percent for project_id, month, percent in rows
            if percent is not None and latest[project_id] == month}


def latest_percents_statement(latest: dict[int, dt.date]) -> sa.Select[int, dt.date, Decimal | None]:
    """The reports of the projects (ids) in the months (``latest``'s values) stating 工程进度."""
    return (sa.select(MonthlyReport.project_id, MonthlyReport.month, MonthlyReport.physical_percent)
            .where(MonthlyReport.project_id.in_(latest), MonthlyReport.month.in_(set(latest.values())),
                   MonthlyReport.physical_percent.is_not(None)))
