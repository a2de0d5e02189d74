"""Regions are ranked by what the reader may see (issue 14 item 14).

A viewer from whom money is hidden saw the dashboard's regions (table, chart, briefing) ranked by
总投资: the order gave away which region's projects cost most. Here 阳江市 has one project of
10,000 万元 and 江西省 three of 1 万元: by money 阳江市 leads, by projects 江西省 does.
"""

from __future__ import annotations

import io

import pytest

from tracker.accounts import services as accounts
from tracker.audit.services import CLI

from .browsers import browser
from .factories import county_in_city, project, region


@pytest.fixture()
def two_regions(app, db, make_user):
    _, _, county = county_in_city()
    yangjiang = region("441700", "阳江市", level="city")
    project(yangjiang, name="阳江大项目", kind="construction", category="cdc", total_investment=10000)
    for n in range(3):
        project(county, name=f"龙南小项目{n}", kind="construction", category="cdc", total_investment=1)
    accounts.set_setting(CLI, accounts.HIDE_MONEY_FROM_VIEWERS, {"enabled": True})
    db.session.commit()
    return {"viewer": browser(app, make_user("viewer", username="rank-viewer")),
            "leader": browser(app, make_user("leader", username="rank-leader"))}


def order(text: str, start: str) -> list[str]:
    """The two regions in the order they first appear after ``start``."""
    tail = text[text.index(start):]
    return sorted(("江西省", "阳江市"), key=tail.index)


@pytest.mark.parametrize("reader, first", [("viewer", "江西省"), ("leader", "阳江市")])
def test_the_dashboard_ranks_regions_by_what_its_reader_may_see(two_regions, reader, first):
    html = two_regions[reader].get("/dashboard").get_data(as_text=True)
    assert order(html, "分地区")[0] == first  # the chart
    assert order(html, "按地区")[0] == first  # the table


@pytest.mark.parametrize("reader, first", [("viewer", "江西省"), ("leader", "阳江市")])
def test_the_briefing_ranks_regions_by_what_its_reader_may_see(two_regions, reader, first):
    from pypdf import PdfReader
    response = two_regions[reader].get("/dashboard/briefing.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    table = text[text.index("\n地区\n"):]  # the regions' table (the map above names them too)
    assert sorted(("江西省", "阳江市"), key=lambda name: table.find(name))[0] == first, text[:3000]
