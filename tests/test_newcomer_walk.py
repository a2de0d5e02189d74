"""What a newcomer's walk of a fresh clone found (2026-12-07): small slips a user reads."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tracker.progress.models import Milestone
from tracker.regions.national import NationalLoadReport


def test_a_one_year_plan_reads_its_year_not_a_range_of_one(client, seeded):
    """/plans showed 2021年宜春市卫生健康工作要点's period as "2021—2021"."""
    listed = client.get("/plans").get_data(as_text=True)
    row = next(line for line in listed.split("<tr") if "2021年宜春市卫生健康工作要点" in line)
    assert "2021—2021" not in row and "2021" in row
    assert "2021—2025" in listed  # a plan of five years keeps its range


def test_the_project_pages_dates_and_months_stay_on_one_line(client, seeded, db):
    """At 390 px a milestone's date broke as "2020-01-" over "01", a report's month as "2026-" over
    "12": each is kept whole (the table scrolls inside its box)."""
    project_id = db.session.scalar(sa.select(Milestone.project_id).where(Milestone.planned_date.is_not(None)).limit(1))
    html = client.get(f"/projects/{project_id}").get_data(as_text=True)
    dates = re.findall(r'<(?:span|td) class="nowrap">(\d{4}-\d{2}-\d{2}|—)<', html)
    assert dates, "no date of the milestones table is kept whole"


def test_the_english_import_page_and_dashboard_read_as_english(client, officer):
    """"…Monthly report import template(lists your projects…)" lacked its space; the dashboard's
    status rows read "Completed …, In use …, not stated …"."""
    client.get("/language/en")
    officer.get("/language/en")
    imports = re.sub(r"<[^>]+>", "", officer.get("/import").get_data(as_text=True))
    assert "template (lists your projects" in imports
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Not stated" in dashboard


def test_the_regions_load_says_one_region_in_the_singular():
    assert "1 other region kept" in NationalLoadReport(kept=1).lines()[0]
    assert "2 other regions kept" in NationalLoadReport(kept=2).lines()[0]


def test_a_percent_is_set_against_its_number():
    """The project page said "工程进度 5 %" where the trail and the rates say "5%"."""
    from decimal import Decimal

    from tracker.formatting import figure
    assert str(figure(Decimal("5"), "%")) == "5%" and str(figure(Decimal("12.5"), "万元")) == "12.5 万元"
