"""The project page puts what an officer updates first (issue 18): this month's report and the
milestones come before the figures, the plan citations and the history."""

from __future__ import annotations

import datetime as dt

import time_machine

from tracker.progress import services as progress
from tracker.audit.services import CLI


def test_an_officer_sees_this_months_report_and_late_milestones_first(officer, longnan_project, db):
    progress.add_standard_lifecycle(CLI, longnan_project)
    longnan_project.milestones[0].planned_date = dt.date(2020, 1, 1)  # long past, not done
    db.session.commit()
    with time_machine.travel(dt.datetime(2026, 12, 4, 4, tzinfo=dt.timezone.utc)):
        html = officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    order = [html.index(mark) for mark in (">本月：2026-12</h2>", "<h2>里程碑</h2>", "<h2>月度填报</h2>",
                                           "<h2>基本信息</h2>", "<h2>出处</h2>")]
    assert order == sorted(order)
    this_month = html[html.index("本月：2026-12"):html.index("<h2>里程碑</h2>")]
    if longnan_project.owes_report(dt.date(2026, 12, 1)):
        assert "本月月报未填报" in this_month and "填报本月月报" in this_month
    assert "个节点已过计划日期而未完成" in this_month and "更新节点" in this_month
    assert "已逾期" in html[html.index("<h2>里程碑</h2>"):html.index("<h2>月度填报</h2>")]


def test_a_report_filed_this_month_says_so_with_its_progress(officer, longnan_project, db):
    with time_machine.travel(dt.datetime(2026, 12, 4, 4, tzinfo=dt.timezone.utc)):
        progress.submit_report(CLI, longnan_project, dt.date(2026, 12, 1), physical_percent="35",
                               progress_text="主体结构施工")
        db.session.commit()
        html = officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    this_month = html[html.index("本月：2026-12"):html.index("<h2>里程碑</h2>")]
    assert "本月月报已填报（工程进度 35%）" in this_month and "修改本月月报" in this_month


def test_the_plans_are_named_by_title_not_by_file(client, longnan_project):
    html = client.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    start = html.index("<h2>出处</h2>")
    sources = html[start:html.index("</section>", start)]
    for plan in longnan_project.plans:
        assert plan.title in sources
        if plan.source_file:
            assert plan.source_file not in sources


def test_a_milestones_plan_line_is_cited_once_however_many_quotes_it_has(app, db, seeded, make_user):
    """Project 73's 竣工验收 row read "龙南市“十四五”区域卫生规划 第32行" twice, side by side: two quotes
    of one line. The line is cited once, its quotes in the link's title."""
    import re

    import sqlalchemy as sa

    from tracker.progress.models import Milestone

    from .conftest import login_as

    def repeats(milestone):
        lines = [(source["file"], source["line"]) for source in milestone.sources or []]
        return next((line for file_line in lines if lines.count(file_line) > 1 for line in [file_line[1]]), None)
    milestone = next(m for m in db.session.scalars(sa.select(Milestone)) if repeats(m))
    line = repeats(milestone)
    client = app.test_client()
    login_as(client, make_user("leader", username="reader"))
    html = client.get(f"/projects/{milestone.project_id}").get_data(as_text=True)
    rows = [r for r in re.findall(r"<tr.*?</tr>", html, re.S) if f"#L{line}\"" in r and 'class="source"' in r]
    assert rows and all(row.count(f"#L{line}\"") == 1 for row in rows), rows


def test_a_planned_date_moved_from_the_plans_year_is_no_longer_credited_to_the_plan(app, db, seeded, make_user):
    """A QA walk: 计划竣工 moved to 2030-01-01 still read "龙南市“十四五”区域卫生规划 第32行", a line
    that says 到2025年. The line now says it differs from the date held, as a figure's does."""
    import datetime as dt
    import re

    import sqlalchemy as sa

    from tracker.audit.services import CLI
    from tracker.progress import services as progress
    from tracker.progress.models import Milestone

    from .conftest import login_as

    milestone = next(m for m in db.session.scalars(sa.select(Milestone).order_by(Milestone.id))
                     if m.sources and m.planned_date and m.stage and m.stage.value == "acceptance"
                     and any(str(m.planned_date.year) in source["quote"] for source in m.sources))
    line = next(source["line"] for source in milestone.sources if str(milestone.planned_date.year) in source["quote"])
    client = app.test_client()
    login_as(client, make_user("leader", username="reader"))

    def cited() -> list[str]:
        html = client.get(f"/projects/{milestone.project_id}").get_data(as_text=True)
        return [link for link in re.findall(r'<a class="source[^"]*"[^>]*#L(?:\d+)"[^>]*>[^<]*</a>', html)
                if f'#L{line}"' in link]

    assert cited() and not any("与台账不同" in link for link in cited())
    progress.update_milestone(CLI, milestone, planned_date=dt.date(2030, 1, 1), actual_date=None,
                              expected_version=milestone.version)
    db.session.commit()
    links = cited()
    assert links and all("所载与台账不同" in link and "adjusted" in link for link in links), links
