"""The portfolio figures kept at write time (tracker/portfolio/kept.py) equal a computation from
scratch after every kind of write, and the dashboard read from them equals the one computed from
every project, for every scope the kept rows answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tracker.dashboard import kept as dashboard_kept
from tracker.dashboard import queries
from tracker.dashboard.scope import Scope
from tracker.extensions import db
from tracker.portfolio import kept
from tracker.portfolio.filters import PortfolioFilter
from tracker.progress import services as progress
from tracker.regions.models import Region
from tracker.vocabulary import FundingSource, Kind, Stage, Status

from . import factories
from .test_demo_data import make as make_demo

OFFICER = factories.TEST_ACTOR


def assert_kept_exact() -> None:
    """Commit (the figures are added before the commit), then compare with a rebuild."""
    db.session.commit()
    connection = db.session.connection()
    stored, stored_years = kept.stored(connection)
    computed, computed_years = kept.computed(connection)
    assert stored == computed
    assert stored_years == computed_years


def test_the_services_keep_the_figures_exact(db):
    province, city, county = factories.county_in_city()
    project = factories.project(county, name="甲县医院", total_investment=Decimal("1200.5"),
                                status=Status.CONSTRUCTION)
    other = factories.project(city, name="乙市疾控中心", kind=Kind.EQUIPMENT)
    assert_kept_exact()
    lifecycle = {m.stage: m for m in progress.add_standard_lifecycle(OFFICER, project)}
    start = lifecycle[Stage.START]
    progress.update_milestone(OFFICER, start, planned_date=dt.date(2025, 3, 1), actual_date=None,
                              expected_version=start.version)
    assert_kept_exact()
    progress.add_funding_line(OFFICER, project, source=FundingSource.SPECIAL_BONDS, amount="100")
    progress.submit_report(OFFICER, project, dt.date(2025, 5, 1), invested_month=Decimal("10.5"))
    progress.set_annual_plan(OFFICER, project, 2025, "300")
    assert_kept_exact()
    progress.submit_report(OFFICER, project, dt.date(2025, 5, 1), invested_month=Decimal("12"),
                           correction_reason="统计口径更正")
    assert_kept_exact()
    from tracker.projects import services
    services.update_project(OFFICER, other, {"status": Status.COMPLETED, "total_investment": Decimal("8")},
                            reason="竣工")
    project.region = city
    assert_kept_exact()
    db.session.delete(project)
    assert_kept_exact()


# ---- the dashboard read from them equals the one computed from every project ----------------------

def scopes(today: dt.date) -> list[Scope]:
    provinces = db.session.scalars(sa.select(Region).where(Region.parent_id.is_(None))
                                   .order_by(Region.key)).all()
    province = provinces[0]
    city = db.session.scalars(sa.select(Region).where(Region.parent_id == province.id)
                              .order_by(Region.key)).first()
    county = db.session.scalars(sa.select(Region).where(Region.parent_id == city.id)
                                .order_by(Region.key)).first()
    found = []
    for region in (None, province, city, county):
        for kind in (None, "all", Kind.PROGRAMME.value):
            for year in (today.year, today.year - 1):
                found.append(Scope(PortfolioFilter(region=region.key if region else None, kind=kind),
                                   year, today))
    return found


def assert_both_paths_equal(today: dt.date) -> None:
    for scope in scopes(today):
        assert dashboard_kept.answers(scope)
        assert queries.compute(scope) == queries.compute_fresh(scope), scope


def test_the_dashboard_from_the_kept_figures_equals_the_fresh_one(db):
    make_demo(db)
    for today in (dt.date(2026, 11, 17), dt.date(2026, 12, 1), dt.date(2025, 6, 30)):
        assert_both_paths_equal(today)
    assert_kept_exact()


def test_a_scope_the_kept_figures_cannot_answer_is_computed_afresh(db):
    make_demo(db)
    scope = Scope(PortfolioFilter(status=Status.CONSTRUCTION.value), 2026, dt.date(2026, 11, 17))
    assert not dashboard_kept.answers(scope)
    assert queries.compute(scope) == queries.compute_fresh(scope)
