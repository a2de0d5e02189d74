"""The plan text page (issue 18): the plan as printed, without what a Word conversion left in the
file, each cited line linked back to the projects that cite it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tracker.plans.cli import plans as plans_cli
from tracker.plans.models import Plan
from tracker.projects.models import Project, SourceMention

from .test_plan_pages import admin  # noqa: F401 - the fixture

LONGNAN_PLAN = "longnan-14th-regional-plan"  # 002_6be73d2b01aff470.txt: 76 bookmarks, a footnote


def line_item(page: str, number: int) -> str:
    match = re.search(rf'<li id="L{number}">(.*?)</li>', page, re.S)
    assert match, f"no line {number}"
    return match.group(1)


def test_a_seed_plans_text_shows_no_conversion_marks(admin):  # noqa: F811
    page = admin.get(f"/plans/{LONGNAN_PLAN}/text").get_data(as_text=True)
    assert "[bookmark:" not in page and "footnoteRef" not in page and "_Toc" not in page
    # The footnote's words stay, as a note at the end of its paragraph; the numbering is unchanged.
    assert "“双随机、一公开”机制建设" in line_item(page, 260)
    assert line_item(page, 260).endswith("及时向社会公开。））</span>")
    assert line_item(page, 167).startswith('<a href="#L167" class="line-number">167</a><span class="line-text">推动江西新灵倍康')


def test_an_added_plan_is_stored_without_conversion_marks(app, db, seeded, tmp_path, admin):  # noqa: F811
    path = tmp_path / "plan.txt"
    path.write_text("[bookmark: _Toc1234]一、发展基础\n"
                    "推进“互联网+医疗健康”[footnoteRef:1]发展。 [1:  指以互联网为载体的医疗服务。]\n"
                    "[bookmark: _GoBack]\n三、重点项目\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(plans_cli, [
        "add", str(path), "--key", "marks", "--title", "测试规划", "--region", "360783",
        "--period", "2026-2030"])
    assert result.exit_code == 0, result.output
    stored = db.session.scalar(sa.select(Plan).where(Plan.key == "marks")).document.lines
    assert stored == ["一、发展基础", "推进“互联网+医疗健康”发展。（注：指以互联网为载体的医疗服务。）", "",
                      "三、重点项目"]
    page = admin.get("/plans/marks/text").get_data(as_text=True)
    assert "bookmark" not in page and "footnoteRef" not in page


def test_each_cited_line_links_back_to_its_projects(admin, db):  # noqa: F811
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == LONGNAN_PLAN))
    citations = db.session.execute(
        sa.select(SourceMention.line, Project.id, Project.name).join(Project)
        .where(SourceMention.plan_id == plan.id)).all()
    assert citations
    page = admin.get(f"/plans/{LONGNAN_PLAN}/text").get_data(as_text=True)
    for line, project_id, name in citations:
        item = line_item(page, line)
        assert f'<a href="/projects/{project_id}">{name}</a>' in item, (line, name)
    # A table row's cells cite together: its first line shows the projects, the others on demand.
    assert '<span class="cited-by">' in line_item(page, 189) and 'cited-by repeated' in line_item(page, 194)
    cited = {line for line, _id, _name in citations}
    uncited = next(number for number in range(1, 300) if number not in cited)
    assert "引用此行的项目" not in line_item(page, uncited)
