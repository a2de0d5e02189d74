"""The portfolio figures kept at write time (tracker/portfolio/kept.py) equal a computation from
scratch after every kind of write, and the dashboard read from them equals the one computed from
every project, for every scope the kept rows answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tracker.extensions import db
from tracker.portfolio import kept
from tracker.progress import services as progress
from tracker.vocabulary import FundingSource, Kind, Stage, Status

from . import factories

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
