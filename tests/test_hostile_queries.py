"""Hostile query strings (issue 14 item 6): bad input gets a 400 that says why, never a 5xx, and
a blank or invisible value is a filter not given (as the form's empty choice is)."""

from __future__ import annotations

import pytest

from .browsers import browser
from .factories import county_in_city, project


@pytest.fixture()
def admin(app, db, make_user):
    _, _, county = county_in_city()
    project(county, kind="construction", category="cdc", total_investment=1320)
    db.session.commit()
    return browser(app, make_user("admin", username="query-admin"))


@pytest.mark.parametrize("path, message", [
    ("/admin/audit?project=99999999999999999999", "没有编号为 99999999999999999999 的项目"),
    ("/admin/audit?date_from=0001-01-01", "日期应在 1949-01-01 至 2100-12-31 之间"),
    ("/admin/audit?date_to=9999-12-31", "日期应在 1949-01-01 至 2100-12-31 之间"),
    ("/admin/audit?date_to=2024-02-30", "截止日期应为“年-月-日”格式"),
    ("/projects?kind=%E2%80%AEnoitcurtsnoc", "筛选条件 kind 的值无效"),
    ("/projects/export.csv?kind=x", "筛选条件 kind 的值无效"),
    ("/dashboard/briefing.pdf?kind=%E2%80%8B", "筛选条件 kind 的值无效"),  # nothing but a zero-width space
])
def test_a_bad_query_string_gets_400_and_says_why(admin, path, message):
    response = admin.get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:2000]
    assert message in body


@pytest.mark.parametrize("path", [
    "/projects?kind=%20", "/dashboard?kind=%20", "/projects/export.json?kind=%20",
    "/projects/export.xlsx?kind=%20", "/projects?q=%01", "/projects/export.xlsx?q=%01%0b",
    "/dashboard?region=%20", "/dashboard/briefing.pdf?q=%E2%80%8B", "/admin/audit?project=%C2%B2",
    "/admin/audit?project=%01", "/admin/audit?user=%20",
])
def test_a_blank_or_invisible_filter_is_no_filter(admin, path):
    response = admin.get(path)
    body = response.get_data()  # a streamed export is read to its end
    assert response.status_code == 200, body[:2000]


def test_a_blank_kind_exports_the_whole_construction_portfolio(admin):
    plain = admin.get("/projects/export.csv").get_data()
    blank = admin.get("/projects/export.csv?kind=%20").get_data()
    assert blank.count(b"\n") == plain.count(b"\n") == 2  # the header and the one project, to the end
