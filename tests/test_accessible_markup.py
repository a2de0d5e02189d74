"""What a screen reader or keyboard user needs in the markup (issue 18): a skip link, aria-sort
on the sorted column's header, errors and hints tied to their inputs, and distinct labels for
the three 约数 boxes. axe-core checks the rendered pages in tests/e2e/test_accessibility.py."""

from __future__ import annotations

import re

from . import factories
from .browsers import browser


def test_every_page_starts_with_a_link_past_the_header(client, db):
    html = client.get("/projects").get_data(as_text=True)
    body = html[html.index("<body>"):]
    assert re.match(r'<body>\s*<a class="skip-link" href="#main">跳到正文</a>', body)
    assert '<main id="main" tabindex="-1">' in html


def test_the_sorted_columns_header_says_its_order(client, db):
    factories.project()
    html = client.get("/projects?sort=name&order=desc").get_data(as_text=True)
    header = re.search(r'<th scope="col" aria-sort="descending">\s*<a href="[^"]*">项目名称', html)
    assert header, "the 项目名称 header carries aria-sort"
    assert re.search(r'<th scope="col" aria-sort="none">\s*<a href="[^"]*">地区', html)
    assert not re.search(r"<a [^>]*aria-sort", html)  # not on the link: axe refuses it there


def test_the_user_lists_sorted_column_says_its_order_on_its_header(app, db, make_user):
    client = browser(app, make_user("admin", username="chief"))
    html = client.get("/admin/users?sort=role&order=desc").get_data(as_text=True)
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a href="[^"]*">角色', html)
    assert re.search(r'<th scope="col" aria-sort="none">\s*<a href="[^"]*">用户名', html)
    assert not re.search(r"<a [^>]*aria-sort", html)


def test_the_three_approximate_boxes_say_which_figure_they_qualify(officer):
    html = officer.get("/projects/new").get_data(as_text=True)
    for label in ("占地面积为约数", "建筑面积为约数", "总投资为约数"):
        assert html.count(label) == 1, label


def test_a_field_error_and_hint_are_read_with_their_input(officer):
    response = officer.post("/projects/new", data={"name": "", "kind": "construction",
                                                   "total_investment": "很多"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="total_investment"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert described == ["total_investment-hint", "total_investment-error"]
    error = re.search(r'<div id="total_investment-error">(.*?)</div>', html, re.S).group(1)
    assert "field-error" in error and error.strip()
    assert 'id="total_investment-hint">单位：万元' in html
