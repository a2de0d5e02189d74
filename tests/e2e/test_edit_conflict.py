"""Two officers edit one project in real browsers (issue 12): neither loses a change.

A changes 建设单位 and 总投资; B, who opened the form before A saved, changes 总投资 and 床位. B is
shown both 总投资 side by side, chooses his own, and A's 建设单位 survives B's save. Then the top
of a refused form: its links move the focus to the field in error (static/forms.js, under the
Content-Security-Policy that forbids inline script).
"""

from __future__ import annotations

from decimal import Decimal

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
