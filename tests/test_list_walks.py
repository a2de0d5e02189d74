"""A list narrowed by a set of ids read from another table (a plan's, a period's or a funding
source's projects, the 续建) finds its pages near either end by walking the list's order and
keeping the ids in the sets (``queries._walked``), where the database would gather the set whole
and sort it: the 十四五 period, every project of a portfolio whose plans are all 十四五's, took
0.4 s a page on SQLite at 100,000 projects, its next page 0.15 s, the 续建 0.5 s (benchmarks/NOTES.md).
Walked or sorted, every page is the same rows as the sorted list's, in every sort both ways,
by its number and by its neighbours' links (下一页 and 上一页)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.core import clock
from tracker.plans.models import Plan
from tracker.portfolio import queries
from tracker.portfolio.filters import SORTS, PortfolioFilter
from tracker.progress import services as progress
from tracker.audit.services import CLI
from tracker.projects.models import Project, continued_project_ids

from . import factories


@pytest.fixture()
def portfolio(db):
    """60 projects of a 十四五 plan, 10 of them also in a 十五五 one (续建), 40 with central
    funding; and 6 projects in no plan."""
    province, city, county = factories.county_in_city()
    old = Plan(key="p-14", title="十四五规划", region_id=province.id, period_start=2021, period_end=2025)
    new = Plan(key="p-15", title="十五五规划", region_id=province.id, period_start=2026, period_end=2030)
    db.session.add_all([old, new])
    db.session.flush()
    for number in range(66):
        project = factories.project(county if number % 3 else city, name=f"项目{number:02d}",
                                    total_investment=(number * 7) % 50 or None,
                                    beds=number % 5 or None)
        if number < 60:
            project.plans.append(old)
        if number < 10:
            project.plans.append(new)
        if number % 3 != 2 and number < 60:
            progress.add_funding_line(CLI, project, source="central_budget", amount="10", note="")
    db.session.flush()
    return old, new


def walked_pages(monkeypatch) -> list[bool]:
    walks: list[bool] = []
    walked = queries._walked
    monkeypatch.setattr(queries, "_walked", lambda *a, **k: walks.append(
        (found := walked(*a, **k)) is not None) or found)
    return walks


@pytest.mark.parametrize("args", [{"period": "2021-2025"}, {"funding": "central_budget"},
                                  {"plan": "p-14"}, {"continued": "1"},
                                  {"period": "2021-2025", "funding": "central_budget"}])
def test_a_list_narrowed_by_id_sets_shows_the_sorted_lists_pages(db, portfolio, monkeypatch, args):
    walks = walked_pages(monkeypatch)
    for sort in SORTS:
        for order in ("asc", "desc"):
            narrowed = PortfolioFilter.from_args({**args, "sort": sort, "order": order})
            everything = db.session.execute(queries._keys(narrowed, clock.today())
                                            .order_by(*narrowed.order_by())).all()
            ids = [row.id for row in everything]
            assert ids and len(ids) < 66
            pages = -(-len(ids) // 4)
            for page in sorted({1, 2, pages // 2, pages - 1, pages} - {0}):
                shown = queries.project_page(narrowed, page, 4, len(ids))
                assert [p.id for p in shown.items] == ids[(page - 1) * 4:page * 4], (sort, order, page)
                if shown.has_next:  # the "下一页" link: read from the last row on
                    following = queries.project_page(narrowed, page + 1, 4, len(ids),
                                                     seek=queries.Seek("after", *shown.last, anchor=page))
                    assert [p.id for p in following.items] == ids[page * 4:(page + 1) * 4], \
                        (sort, order, page, "next")
                    # and its "上一页" link back: read from its first row on, backwards
                    back = queries.project_page(narrowed, page, 4, len(ids),
                                                seek=queries.Seek("before", *following.first,
                                                                  anchor=page + 1))
                    assert [p.id for p in back.items] == ids[(page - 1) * 4:page * 4], \
                        (sort, order, page, "previous")
    if "continued" not in args and "plan" not in args:
        assert any(walks)  # broad sets are walked (and a walk that falls short is sorted)


def test_the_first_page_of_a_broad_period_walks_the_order(db, portfolio, monkeypatch):
    """The 十四五 period holds 60 of 66 projects: the first page walks the order (a LIMIT of a
    few pages' rows, each looked up in the period's links), it does not gather the 60."""
    statements: list[str] = []

    def seen(connection, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = queries.project_page(PortfolioFilter.from_args({"period": "2021-2025"}), 1, 4, 60)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(page.items) == 4
    keys = [s for s in statements if "walked" in s]
    assert keys and "EXISTS" in keys[0].upper() and "project_plans" in keys[0]


def test_continued_is_the_same_set_in_sql_and_in_python(db, portfolio):
    """Project.is_continued: the hybrid's SQL (the later links' projects) and its Python agree."""
    every = db.session.scalars(sa.select(Project)).all()
    in_python = {p.id for p in every if p.is_continued}
    in_sql = set(db.session.scalars(continued_project_ids()))
    assert in_python == in_sql == set(db.session.scalars(sa.select(Project.id).where(Project.is_continued)))
    assert len(in_python) == 10
