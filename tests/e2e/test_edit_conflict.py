"""Two officers edit one project in real browsers (issue 12): neither loses a change.

A changes 建设单位 and 总投资; B, who opened the form before A saved, changes 总投资 and 床位. B is
shown both 总投资 side by side, chooses his own, and A's 建设单位 survives B's save. Then the top
of a refused form: its links move the focus to the field in error (static/forms.js, under the
Content-Security-Policy that forbids inline script).
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

from flask import request

from ..live import money, scalar
from .test_browser import new_context, sign_in  # noqa: F401  (the fixture is used by name)

SEED_KEY = "longnan-t6-05"  # 第六人民医院门诊综合楼: 表6 says 5,400 万元; no other browser test edits it
SAVE = "form.project-form button[type=submit]"


def test_two_officers_resolve_a_conflict_without_losing_either_change(new_context, live_tracker):
    url = live_tracker.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = :key", key=SEED_KEY)
    a, b = sign_in(new_context(), "officer-1"), sign_in(new_context(), "officer-2")
    b.goto(f"/projects/{project_id}/edit")
    a.goto(f"/projects/{project_id}/edit")

    a.fill("#owner_unit", "龙南市第六人民医院")
    a.fill("#total_investment", "5,800")
    a.click(SAVE)
    a.wait_for_url(f"**/projects/{project_id}")

    b.fill("#total_investment", "5600")
    b.fill("#beds", "200")
    b.click(SAVE)
    b.wait_for_selector("#conflict")
    conflict = " ".join(b.inner_text("#conflict").split())
    assert "总投资（万元）" in conflict and "5800" in conflict and "5600" in conflict, conflict
    assert "建设单位" in conflict and "龙南市第六人民医院" in conflict, conflict
    assert "owner_unit" not in conflict and "total_investment" not in conflict, conflict
    assert b.input_value("#owner_unit") == "龙南市第六人民医院"  # A's value, kept on B's form
    assert b.input_value("#beds") == "200"

    b.check("input[name=resolve-total_investment][value=mine]")
    b.click(SAVE)
    b.wait_for_url(f"**/projects/{project_id}")
    assert scalar(url, "SELECT owner_unit FROM projects WHERE id = :p", p=project_id) == "龙南市第六人民医院"
    assert money(url, "SELECT total_investment FROM projects WHERE id = :p", p=project_id) == Decimal("5600")
    assert scalar(url, "SELECT beds FROM projects WHERE id = :p", p=project_id) == 200


def test_the_error_summary_link_puts_the_cursor_in_the_field(new_context, live_tracker):
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = :key",
                        key=SEED_KEY)
    page = sign_in(new_context(), "officer-3")
    page.goto(f"/projects/{project_id}/edit")
    page.fill("#total_investment", "九千")
    page.click(SAVE)
    page.wait_for_selector(".error-summary")
    page.click(".error-summary a[href='#total_investment']")
    assert page.evaluate("document.activeElement.id") == "total_investment"


def test_a_new_project_pressed_again_on_a_slow_connection_is_created_once_and_says_so(
        new_context, live_tracker, monkeypatch):
    """保存 pressed, and pressed again while the answer is slow to come (an officer on a county's
    line): the form is sent once (static/submit-once.js), the officer reads 项目已创建, and one
    project exists. Sent twice, the browser showed the second answer, the server's refusal
    (已有同名项目), as if the project had not been made."""
    url = live_tracker.database_url
    view = live_tracker.app.view_functions["projects.project_new"]

    def slow(*args, **kwargs):
        if request.method == "POST":
            time.sleep(1.5)  # the line, not the server: the save itself is as fast as ever
        return view(*args, **kwargs)

    monkeypatch.setitem(live_tracker.app.view_functions, "projects.project_new", slow)
    page = sign_in(new_context(), "officer-3")
    page.goto("/projects/new")
    page.fill("#name", "龙南市慢网新建的项目")
    page.select_option("#category", "cdc")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    button = page.locator(SAVE)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    page.click(SAVE, no_wait_after=True)
    page.wait_for_timeout(400)
    # Pressed again while the answer is on its way, by the mouse itself (page.click would wait
    # for the navigation under way).
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    page.wait_for_load_state()
    assert "项目已创建" in page.inner_text("main"), page.inner_text("main")
    assert len(posts) == 1, posts
    assert scalar(url, "SELECT COUNT(*) FROM projects WHERE name = '龙南市慢网新建的项目'") == 1


BACK_KEY = "longnan-t6-07"  # no other browser test edits it


def test_back_then_save_again_shows_the_clash_instead_of_overwriting_the_colleague(new_context, live_tracker):
    """A saves 建设单位; B saves another; A presses Back and saves again. The browser fetched the
    form afresh (its hidden version the current one) and used to put A's typing back in the
    visible fields: an ordinary save against the current version, B's change gone unannounced.
    The forms that carry a version are not restored (autocomplete="off"): Back shows B's value."""
    url = live_tracker.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = :key", key=BACK_KEY)
    a, b = sign_in(new_context(), "officer-1"), sign_in(new_context(), "officer-2")
    a.goto(f"/projects/{project_id}/edit")
    a.fill("#owner_unit", "甲填的建设单位")
    a.click(SAVE)
    a.wait_for_url(f"**/projects/{project_id}")
    b.goto(f"/projects/{project_id}/edit")
    b.fill("#owner_unit", "乙填的建设单位")
    b.click(SAVE)
    b.wait_for_url(f"**/projects/{project_id}")

    a.go_back()
    a.wait_for_selector("#owner_unit")
    a.click(SAVE)
    a.wait_for_load_state()
    assert scalar(url, "SELECT owner_unit FROM projects WHERE id = :p", p=project_id) == "乙填的建设单位"

    # The milestone grid: A's 说明 of the 开工 row, B's, A's Back and save.
    a.goto(f"/projects/{project_id}/milestones")
    a.click("form.lifecycle button[type=submit]")  # the project has no milestones yet: the standard ones
    a.wait_for_selector("table.milestone-grid")
    note = "table.milestone-grid [name$='note']"
    a.locator(note).first.fill("甲的说明")
    a.click("form[data-warn-unsaved] button[type=submit] >> nth=0")
    a.wait_for_load_state()
    b.goto(f"/projects/{project_id}/milestones")
    b.locator(note).first.fill("乙的说明")
    b.click("form[data-warn-unsaved] button[type=submit] >> nth=0")
    b.wait_for_load_state()
    assert "乙的说明" in str(scalar(url, "SELECT group_concat(note) FROM milestones WHERE project_id = :p"
                                      if "sqlite" in url else
                                      "SELECT string_agg(note, ',') FROM milestones WHERE project_id = :p",
                                      p=project_id))
    a.go_back()
    a.wait_for_load_state()
    a.click("form[data-warn-unsaved] button[type=submit] >> nth=0")
    a.wait_for_load_state()
    notes = str(scalar(url, "SELECT group_concat(note) FROM milestones WHERE project_id = :p"
                       if "sqlite" in url else "SELECT string_agg(note, ',') FROM milestones WHERE project_id = :p",
                       p=project_id))
    assert "乙的说明" in notes and "甲的说明" not in notes, notes
