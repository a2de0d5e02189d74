"""Unique clashes at the same instant, through the real server (issue 14 item 7).

Eight officers create a project with one 项目代码, or set one project's annual plan for one year,
at the same instant. Each checks "is it free?" before the others have committed, so on PostgreSQL
every INSERT but the first meets the unique index: that was a 500 for seven of them. Now each gets
an acceptance or a clear refusal (a form error, or 409), and exactly one row exists.
"""

from __future__ import annotations

from collections import Counter

from ..live import forms_in, scalar
from .test_many_officers import ACCEPTED, assert_clear, at_once, crowd  # noqa: F401  (crowd: a fixture)

CODE = "2026-360783-84-01-000099"


def test_eight_officers_creating_projects_with_one_code_get_one_project(crowd):  # noqa: F811
    url = crowd.database_url
    region_id = scalar(url, "SELECT id FROM regions WHERE key = '360783'")
    forms = [officer.get("/projects/new") for officer in crowd.officers]
    answers = at_once([
        (lambda officer=officer, form=form, n=n: officer.submit(
            form, name=f"同时新建的项目{n}", project_code=CODE, region_id=str(region_id),
            kind="construction", category="cdc"))
        for n, (officer, form) in enumerate(zip(crowd.officers, forms))])
    statuses = Counter(answer.status for answer in answers)
    assert statuses[ACCEPTED] == 1, statuses
    assert_clear(answers, {400: f"项目代码 {CODE} 已被另一个项目使用"})
    assert scalar(url, "SELECT COUNT(*) FROM projects WHERE project_code = :code", code=CODE) == 1
    assert scalar(url, "SELECT COUNT(*) FROM audit_entries WHERE action = 'project:create' "
                       "AND project_id IN (SELECT id FROM projects WHERE name LIKE '%同时新建的项目%')") == 1


def test_eight_officers_creating_one_named_project_at_once_get_one_project(crowd):  # noqa: F811
    """No index holds a name to one region (old data may hold two): the region's row is locked
    while the name is looked up, so the seven who find it taken find it after the first commits."""
    url = crowd.database_url
    region_id = scalar(url, "SELECT id FROM regions WHERE key = '360783'")
    forms = [officer.get("/projects/new") for officer in crowd.officers]
    answers = at_once([
        (lambda officer=officer, form=form: officer.submit(
            form, name="同时新建的同名项目", region_id=str(region_id), kind="construction", category="cdc"))
        for officer, form in zip(crowd.officers, forms)])
    assert Counter(answer.status for answer in answers)[ACCEPTED] == 1
    assert_clear(answers, {400: "龙南市已有同名项目《同时新建的同名项目》"})
    assert scalar(url, "SELECT COUNT(*) FROM projects WHERE name = '同时新建的同名项目'") == 1


def test_eight_officers_setting_one_annual_plan_get_one_plan(crowd):  # noqa: F811
    url = crowd.database_url
    project_id = crowd.project_ids[-1]
    pages = [officer.get(f"/projects/{project_id}/funding") for officer in crowd.officers]
    plan_forms = [next(form for form in forms_in(page.text) if form.get("a-year") is not None)
                  for page in pages]
    answers = at_once([
        (lambda officer=officer, form=form, n=n: officer.post(
            f"/projects/{project_id}/funding",
            form.values(**{"a-year": "2027", "a-planned_investment": str(100 + n)})))
        for n, (officer, form) in enumerate(zip(crowd.officers, plan_forms))])
    assert_clear(answers, {409: "其他人", 400: "其他人"})
    assert Counter(answer.status for answer in answers)[ACCEPTED] >= 1
    assert scalar(url, "SELECT COUNT(*) FROM annual_plans WHERE project_id = :p AND year = 2027",
                  p=project_id) == 1
