"""续建 shown where people look (issue 16): a project carried from an ended plan into the next
period's plan is marked in the project list, can be listed on its own, and its page says from
which plan into which."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tracker.plans import services
from tracker.plans.models import Plan
from tracker.projects.models import Project

from .test_plan_pages import KEY, added, admin  # noqa: F401 - the fixtures

OLD = "longnan-14th-regional-plan"


def carry_over(admin, db) -> tuple[Plan, list[Project]]:  # noqa: F811
    old = db.session.scalar(sa.select(Plan).where(Plan.key == OLD))
    unfinished = services.unfinished_projects(old)
    response = admin.post(f"/plans/{OLD}/carry-over", data={"target": KEY, "confirm": "1"})
    assert response.status_code == 302
    return old, unfinished


def test_nothing_is_continued_before_a_carry_over(admin, added, db):  # noqa: F811
    page = admin.get("/projects?continued=1&kind=all").get_data(as_text=True)
    assert "续建（由上一规划期转入）" in page and 'class="chip"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(Project.is_continued)) == 0


def test_the_list_marks_and_filters_the_carried_projects(app, admin, added, db, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)  # the whole region on one page
    old, unfinished = carry_over(admin, db)
    carried = {project.name for project in unfinished}
    page = admin.get("/projects?continued=1&kind=all&region=360783").get_data(as_text=True)
    listed = {project.name for project in db.session.scalars(sa.select(Project).where(Project.is_continued))}
    assert listed == carried
    for name in carried:
        assert name in page
    assert page.count('title="由上一规划期的规划转入">续建</span>') == len(carried)
    # The whole list marks them too, and only them.
    whole = admin.get("/projects?region=360783&kind=all").get_data(as_text=True)
    assert whole.count('title="由上一规划期的规划转入">续建</span>') == len(carried)
    # One definition in Python and in SQL.
    for project in db.session.scalars(sa.select(Project)):
        assert project.is_continued is (project.name in carried)


def test_the_project_page_says_from_which_plan_into_which(admin, added, db):  # noqa: F811
    old, unfinished = carry_over(admin, db)
    project = unfinished[0]
    page = admin.get(f"/projects/{project.id}").get_data(as_text=True)
    assert (f'由<a href="/plans/{OLD}">《{old.title}》</a>转入'
            f'<a href="/plans/{KEY}">《{added.title}》</a>') in page
    assert project.carry_overs == [(old, added)]
    finished = db.session.scalar(sa.select(Project).where(
        Project.plans.any(Plan.key == OLD), Project.id.not_in([p.id for p in unfinished])))
    assert "转入" not in admin.get(f"/projects/{finished.id}").get_data(as_text=True)


def test_a_line_that_continues_a_tracked_project_is_matched_to_it(db, seeded):
    from tracker.plans.extraction import extract
    from tracker.plans.queries import known_projects, known_regions

    tracked = db.session.scalar(sa.select(Project).where(
        Project.seed_key == "yangjiang-yangxi-public-health-hospital"))
    found = extract(["续建阳西县总医院公共卫生医院（第三人民医院）项目，总投资12000万元。"], plan="yangxi-15th",
                    regions=known_regions(), existing=known_projects(), plan_region="441721")
    [candidate] = found["projects"]
    assert not candidate["name"].startswith("续建")  # the verb is no part of the name
    assert candidate["existing_project_id"] == tracked.id
    assert candidate["total_investment_wan_yuan"] == "12000"


def test_an_export_of_the_continued_says_so_in_words(admin, added, db):  # noqa: F811
    carry_over(admin, db)
    book = load_workbook(io.BytesIO(admin.get("/projects/export.xlsx?continued=1&kind=all").data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "续建" in cells and "continued" not in cells


def test_an_ended_plans_projects_go_only_into_a_plan_of_its_own_region(admin, added, db):  # noqa: F811
    """龙南's 14th plan offered 临夏县's 15th plan to carry its projects into (any plan of the next
    period did): it offers the plans of 龙南 and of the regions it lies in or holds, and refuses
    another county's plan posted by hand."""
    from tracker.audit.services import CLI
    from tracker.regions.models import Region
    from tracker.vocabulary import RegionLevel

    yichun = db.session.scalar(sa.select(Plan).where(Plan.key.like("yichun%"))).region
    elsewhere = services.add_plan(CLI, services.check_plan(key="yichun-15th", title="宜春市“十五五”卫生健康规划",
                                                           region=yichun, period="十五五"),
                                  lines=["宜春市“十五五”卫生健康规划"], filename="p.txt")
    jiangxi = db.session.scalar(sa.select(Region).where(Region.level == RegionLevel.PROVINCE, Region.name == "江西省"))
    province = services.add_plan(CLI, services.check_plan(key="jiangxi-15th", title="江西省“十五五”卫生健康规划",
                                                          region=jiangxi, period="十五五"),
                                 lines=["江西省“十五五”卫生健康规划"], filename="p.txt")
    db.session.commit()
    old = db.session.scalar(sa.select(Plan).where(Plan.key == OLD))
    assert [plan.key for plan in services.next_plans(old)] == sorted([province.key, KEY])
    page = admin.get(f"/plans/{OLD}").get_data(as_text=True)
    assert f'value="{KEY}"' in page and f'value="{province.key}"' in page and elsewhere.title not in page
    response = admin.post(f"/plans/{OLD}/carry-over", data={"target": elsewhere.key, "confirm": "1"})
    assert response.status_code == 302
    assert "只能转入本地区" in admin.get(response.location).get_data(as_text=True)
    assert not services.continued_ids(elsewhere)


def test_a_carry_over_sent_again_says_nothing_was_carried(admin, added, db):  # noqa: F811
    """The same carry-over sent again said "已将 0 个未完工项目…转入", a success of nothing."""
    carry_over(admin, db)
    again = admin.post(f"/plans/{OLD}/carry-over", data={"target": KEY, "confirm": "1"})
    page = admin.get(again.location).get_data(as_text=True)
    assert "没有转入任何项目：本规划的未完工项目都已列入" in page and "已将 0 个" not in page


def test_an_ended_plans_page_says_which_unfinished_projects_went_on_and_where(admin, added, db):  # noqa: F811
    """After a carry-over the ended plan's page listed its 未完工项目 as before, with the form, as if
    nothing had happened."""
    before = admin.get(f"/plans/{OLD}").get_data(as_text=True)
    assert "已转入" not in before
    _old, unfinished = carry_over(admin, db)
    page = admin.get(f"/plans/{OLD}").get_data(as_text=True)
    assert f"其中 {len(unfinished)} 个已转入下一规划期（续建），0 个尚未转入。" in page
    assert page.count(f'已转入<a href="/plans/{KEY}">《{added.title}》</a>') == len(unfinished)


def test_a_project_carried_into_the_wrong_plan_is_taken_out_with_a_reason_and_the_plan_can_be_withdrawn(
        app, admin, added, db, make_user):  # noqa: F811
    """The carry-over went into a plan added by mistake: nothing took a project out of a plan, so
    the plan could not be withdrawn either. Its editor takes each project out from the project's
    page, saying why and confirming; the page then no longer counts it, the trail says why."""
    from tracker.audit.models import AuditEntry

    from .browsers import browser

    _old, unfinished = carry_over(admin, db)
    project = unfinished[0]
    assert services.withdrawal_problem(added)
    officer = browser(app, make_user("officer", "360783", username="ln-remove-officer"))
    page = officer.get(f"/projects/{project.id}").get_data(as_text=True)
    remove = f"/projects/{project.id}/plans/{KEY}/remove"
    assert f'href="{remove}"' in page
    form = officer.get(remove)
    assert form.status_code == 200 and added.title in form.get_data(as_text=True)
    # Without a reason, or unconfirmed: refused, nothing changed.
    refused = officer.post(remove, data={"reason": "", "confirm": "y"})
    assert refused.status_code == 400 and "请说明移出原因" in refused.get_data(as_text=True)
    refused = officer.post(remove, data={"reason": "误转入", "confirm": ""})
    assert refused.status_code == 400 and "请勾选确认后再移出" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert added in db.session.get(Project, project.id).plans
    # Confirmed: out of the plan, in the trail with its reason; the same form sent again says so.
    done = officer.post(remove, data={"reason": "误转入同期另一规划", "confirm": "y"}, follow_redirects=True)
    assert done.status_code == 200 and f"已将项目移出《{added.title}》" in done.get_data(as_text=True)
    db.session.expire_all()
    assert added not in db.session.get(Project, project.id).plans
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.project_id == project.id)
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.reason == "误转入同期另一规划" and entry.changes == {"plan": [KEY, None]}
    again = officer.post(remove, data={"reason": "误转入同期另一规划", "confirm": "y"}, follow_redirects=True)
    assert "项目已不在" in again.get_data(as_text=True)
    back = officer.get(remove, follow_redirects=True)  # the browser's Back to the confirmation page
    assert back.status_code == 200 and "项目已不在" in back.get_data(as_text=True)
    assert project.name not in admin.get(f"/projects?plan={KEY}&kind=all").get_data(as_text=True)
    # A reader sees the plans but no way to change them; another county's officer is refused.
    leader = browser(app, make_user("leader", username="ln-remove-leader"))
    assert "/remove" not in leader.get(f"/projects/{unfinished[1].id}").get_data(as_text=True)
    assert leader.get(f"/projects/{unfinished[1].id}/plans/{KEY}/remove").status_code == 403
    # Every project taken out, the plan added by mistake can be withdrawn.
    for other in unfinished[1:]:
        assert officer.post(f"/projects/{other.id}/plans/{KEY}/remove",
                            data={"reason": "误转入", "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert services.withdrawal_problem(db.session.get(Plan, added.id)) is None
