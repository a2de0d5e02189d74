"""Plans as the users' own (issue 16): a plan added from the shell and in the browser, its text kept
with line numbers, its candidates confirmed by a person, and the period as a filter."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.plans.cli import plans as plans_cli
from tracker.plans.models import Plan, PlanCandidate, PlanIndicator
from tracker.projects.models import Project

from .conftest import login_as

# A 十五五 plan of 龙南市, as a health commission would write it in Markdown.
LONGNAN_15 = """# 龙南市“十五五”卫生健康事业发展规划

## 一、发展基础

“十四五”期间，龙南市第二人民医院已建成投入使用。

## 二、主要指标

| 序号 | 指标 | 单位 | 2025年 | 2030年 | 指标属性 |
|---|---|---|---|---|---|
| 1 | 每千人口医疗卫生机构床位数 | 张 | 6.8 | 7.5 | 预期性 |

## 三、重点项目

| 序号 | 项目名称 | 建设性质 | 建设内容 | 总投资（万元） |
|---|---|---|---|---|
| 1 | 龙南市人民医院传染病大楼建设项目 | 新建 | 建筑面积12000平方米，床位200张 | 15000 |
| 2 | 龙南市疾病预防控制中心实验楼建设项目 | 续建 | 建筑面积3000平方米 | 2800 |
| 3 | 龙南市精神卫生中心迁建项目 | 迁建 | 建筑面积20000平方米，床位300张 | 18000 |

## 四、保障措施

加强基层医疗卫生机构建设。推进龙南市中医院康复大楼建设，总投资5000万元。
"""
KEY = "longnan-15th"


@pytest.fixture()
def admin(app, make_user, db, seeded):
    client = app.test_client()
    login_as(client, make_user("admin", username="admin16"))
    return client


@pytest.fixture()
def added(app, db, seeded, tmp_path) -> Plan:
    path = tmp_path / "龙南十五五.md"
    path.write_text(LONGNAN_15, encoding="utf-8")
    result = app.test_cli_runner().invoke(plans_cli, [
        "add", str(path), "--key", KEY, "--title", "龙南市“十五五”卫生健康事业发展规划",
        "--region", "360783", "--period", "2026-2030", "--issuer", "龙南市人民政府",
        "--doc-number", "龙府发〔2026〕1号", "--date", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert "review them at /plans/longnan-15th/candidates" in result.output
    return db.session.scalar(sa.select(Plan).where(Plan.key == KEY))


def candidate(db, plan: Plan, name: str) -> PlanCandidate:
    for item in db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id)):
        if item.data.get("name") == name:
            return item
    raise AssertionError(f"no candidate {name}")


def accept_form(item: PlanCandidate, **changes) -> dict:
    from tracker.plans.services import guess_category
    form = {"name": item.data["name"], "region": item.data.get("region_code") or "",
            "category": guess_category(item.data["name"])}
    for field in ("total_investment_wan_yuan", "floor_area_m2", "land_area_mu", "beds", "new_beds"):
        value = item.data.get(field)
        form[field] = "" if value is None else str(value)
    form.update(changes)
    return form


def test_a_plan_added_from_the_shell_keeps_its_text_with_line_numbers(admin, added, db):
    assert (added.period_start, added.period_end) == (2026, 2030)
    assert added.document is not None and added.document.filename == "龙南十五五.md"
    page = admin.get(f"/plans/{KEY}/text").get_data(as_text=True)
    line = next(number for number, text in enumerate(added.document.lines, 1) if "传染病大楼" in text)
    assert f'id="L{line}"' in page and "龙南市人民医院传染病大楼建设项目" in page
    listing = admin.get("/plans").get_data(as_text=True)
    assert "龙南市“十五五”卫生健康事业发展规划" in listing and "龙府发〔2026〕1号" in listing
    assert "十五五" in listing
    # Nothing entered the portfolio: the candidates wait for a person.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.name == "龙南市人民医院传染病大楼建设项目")) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "plan:create", AuditEntry.object_type == "Plan", AuditEntry.object_id == added.id))
    assert entry is not None and entry.via == "cli"


def test_a_generic_sentence_is_not_offered(admin, added, db):
    names = {item.data["name"] for item in db.session.scalars(
        sa.select(PlanCandidate).where(PlanCandidate.plan_id == added.id, PlanCandidate.kind == "project"))}
    assert "龙南市人民医院传染病大楼建设项目" in names
    assert not any("加强基层医疗卫生机构建设" in name for name in names)
    assert not any("第二人民医院" in name for name in names)  # already built: not a project of the plan


def test_review_accept_merge_reject_and_the_period_filter(admin, added, db):
    """The issue's "done when", through the pages: accept, merge one as 续建, reject one."""
    page = admin.get(f"/plans/{KEY}/candidates").get_data(as_text=True)
    hospital = candidate(db, added, "龙南市人民医院传染病大楼建设项目")
    line = hospital.data["sources"][0]["line"]
    assert f'/plans/{KEY}/text#L{line}' in page

    # Accept: the project is created with its quotes and the plan link, by the admin.
    response = admin.post(f"/plans/{KEY}/candidates/{hospital.id}/accept", data=accept_form(hospital))
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市人民医院传染病大楼建设项目"))
    assert project is not None
    assert project.total_investment == Decimal("15000") and project.beds == 200
    assert project.category.value == "infectious_disease"  # suggested from its name, as submitted
    assert [plan.key for plan in project.plans] == [KEY]
    assert {source.line for source in project.sources} >= {line}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "plan:candidate-accepted"))
    assert entry.user.username == "admin16" and entry.project_id == project.id

    # A reload does not offer it again; a second post (a double click) creates nothing.
    page = admin.get(f"/plans/{KEY}/candidates").get_data(as_text=True)
    assert f"/candidates/{hospital.id}/accept" not in page and "已采纳" in page
    again = admin.post(f"/plans/{KEY}/candidates/{hospital.id}/accept", data=accept_form(hospital),
                       follow_redirects=True)
    assert re.search(r"此候选已由 admin16 于 \d{4}-\d\d-\d\d \d\d:\d\d 处理（已采纳）", again.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.name == "龙南市人民医院传染病大楼建设项目")) == 1

    # Edited before accepting: a figure the plan does not print is refused, nothing is created.
    centre = candidate(db, added, "龙南市精神卫生中心迁建项目")
    refused = admin.post(f"/plans/{KEY}/candidates/{centre.id}/accept",
                         data=accept_form(centre, beds="350"), follow_redirects=True)
    assert "床位（张） 350 不在所引的原文语句中" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(Project).where(Project.name.contains("精神卫生中心迁建"))) is None
    # A corrected name is kept; a figure left blank is unknown.
    admin.post(f"/plans/{KEY}/candidates/{centre.id}/accept",
               data=accept_form(centre, name="龙南市精神卫生中心迁建", total_investment_wan_yuan=""))
    moved = db.session.scalar(sa.select(Project).where(Project.name == "龙南市精神卫生中心迁建"))
    assert moved.total_investment is None and moved.beds == 300
    assert moved.category.value == "mental_health"
    page = admin.get(f"/plans/{KEY}/candidates").get_data(as_text=True)
    assert re.search(r'<option value="cdc" selected>', page)  # the lab's suggested category

    # Merge into the 14th plan's project: one project, two plan links (续建), its history intact.
    lab = candidate(db, added, "龙南市疾病预防控制中心实验楼建设项目")
    existing = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-01"))
    before = existing.total_investment
    response = admin.post(f"/plans/{KEY}/candidates/{lab.id}/merge", data={"project_id": str(existing.id)})
    assert response.status_code == 302
    # The new plan's 2800 beside the 1320 tracked: kept, and said (the merge said nothing of it).
    told = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "新规划写的与台账不同，台账保持不变：建筑面积：原文 3000 m²，台账 4400 m²；总投资：原文 2800 万元，台账 1320 万元" in told
    db.session.refresh(existing)
    assert {plan.key for plan in existing.plans} == {"longnan-14th-regional-plan", KEY}
    assert "龙南市疾病预防控制中心实验楼建设项目" in {alias.name for alias in existing.aliases}
    assert existing.total_investment == before
    assert any(source.plan.key == KEY for source in existing.sources)

    # Reject: decided, nothing created.
    tcm = candidate(db, added, "龙南市中医院康复大楼")
    admin.post(f"/plans/{KEY}/candidates/{tcm.id}/reject", data={"reason": "已列入其他规划"})
    db.session.refresh(tcm)
    assert tcm.decision == "rejected"
    assert db.session.scalar(sa.select(Project).where(Project.name == "龙南市中医院康复大楼")) is None

    # The period filter: the new plan's projects under 十五五, not under 十四五.
    new_period = admin.get("/projects?period=2026-2030&kind=all").get_data(as_text=True)
    assert "龙南市人民医院传染病大楼建设项目" in new_period and "龙南市精神卫生中心迁建" in new_period
    assert existing.name in new_period
    old_period = admin.get("/projects?period=十四五&kind=all").get_data(as_text=True)
    assert "龙南市人民医院传染病大楼建设项目" not in old_period and existing.name in old_period
    assert admin.get("/projects?period=2027").status_code == 400


def test_the_dashboard_and_export_follow_the_period(admin, added, db):
    hospital = candidate(db, added, "龙南市人民医院传染病大楼建设项目")
    admin.post(f"/plans/{KEY}/candidates/{hospital.id}/accept", data=accept_form(hospital))
    dashboard = admin.get("/dashboard?period=2026-2030")
    assert dashboard.status_code == 200
    assert 'option value="2026-2030" selected' in dashboard.get_data(as_text=True)
    export = admin.get("/projects/export.csv?period=2026-2030&kind=all")
    assert export.status_code == 200
    text = export.get_data().decode("utf-8-sig")
    assert "龙南市人民医院传染病大楼建设项目" in text
    assert "宜春" not in text
    assert "宜春" in admin.get("/projects/export.csv?period=2021-2025&kind=all").get_data().decode("utf-8-sig")


def test_a_plan_is_added_in_the_browser_and_bad_input_loses_nothing(admin, db, seeded):
    data = {"key": "Longnan 15", "title": "龙南市规划", "region": "360783", "period": "2026年",
            "document": (io.BytesIO(LONGNAN_15.encode("utf-8")), "规划.md")}
    refused = admin.post("/plans/new", data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "编号只能使用小写字母" in text and "规划期应写作" in text
    assert 'value="龙南市规划"' in text  # what was typed stays
    data = {"key": "longnan-15b", "title": "龙南市规划", "region": "360783", "period": "十五五",
            "issued_date": "2026-03-01",
            "document": (io.BytesIO(LONGNAN_15.encode("gb18030")), "规划.txt")}
    response = admin.post("/plans/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/plans/longnan-15b/candidates")
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-15b"))
    assert (plan.period_start, plan.period_end) == (2026, 2030)
    assert "传染病大楼" in "\n".join(plan.document.lines)
    # An unreadable file is a clear error, not a 500.
    bad = admin.post("/plans/new", data={**data, "key": "other", "document": (io.BytesIO(b"\x00PK"), "plan.exe")},
                     content_type="multipart/form-data")
    assert bad.status_code == 400


def test_who_may_add_plans_and_decide(app, make_user, db, seeded, added):
    leader = app.test_client()
    login_as(leader, make_user("leader", username="leader16"))
    assert leader.get("/plans/new").status_code == 403
    assert leader.get("/plans").status_code == 200
    hospital = candidate(db, added, "龙南市人民医院传染病大楼建设项目")
    assert leader.post(f"/plans/{KEY}/candidates/{hospital.id}/reject", data={}).status_code == 403
    # An officer of another city may not decide Longnan's candidates, nor add a plan for Longnan.
    other = app.test_client()
    yichun = db.session.scalar(sa.select(Plan).where(Plan.key.like("yichun%"))).region
    login_as(other, make_user("officer", yichun.key, username="yc-officer"))
    assert other.post(f"/plans/{KEY}/candidates/{hospital.id}/accept",
                      data=accept_form(hospital)).status_code == 403
    response = other.post("/plans/new", data={
        "key": "ln-other", "title": "龙南", "region": "360783", "period": "2026-2030",
        "document": (io.BytesIO(LONGNAN_15.encode("utf-8")), "p.md")}, content_type="multipart/form-data")
    assert response.status_code == 403
    # Longnan's officer may.
    officer = app.test_client()
    login_as(officer, make_user("officer", "360783", username="ln-officer16"))
    assert 'value="360783"' in officer.get("/plans/new").get_data(as_text=True)
    assert officer.post(f"/plans/{KEY}/candidates/{hospital.id}/accept",
                        data=accept_form(hospital)).status_code == 302


def test_the_seed_plans_text_still_reads(admin, db):
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    page = admin.get(f"/plans/{plan.key}/text").get_data(as_text=True)
    assert 'id="L189"' in page
    assert re.search(r"十四五", admin.get("/plans").get_data(as_text=True))


def test_an_ended_plans_unfinished_projects_are_carried_over_as_continued(admin, added, db):
    old = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    page = admin.get(f"/plans/{old.key}").get_data(as_text=True)
    from tracker.plans import services
    unfinished = services.unfinished_projects(old)
    assert unfinished, "the seed has unfinished Longnan projects"
    assert "未完工项目" in page and unfinished[0].name in page and f'option value="{KEY}"' in page
    finished = [p for p in old_projects(db, old) if p not in unfinished]
    # Without the confirmation nothing moves.
    admin.post(f"/plans/{old.key}/carry-over", data={"target": KEY})
    assert all(KEY not in {plan.key for plan in p.plans} for p in unfinished)
    response = admin.post(f"/plans/{old.key}/carry-over", data={"target": KEY, "confirm": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/plans/{KEY}")
    for project in unfinished:
        db.session.refresh(project)
        assert {plan.key for plan in project.plans} >= {old.key, KEY}
    for project in finished:
        assert KEY not in {plan.key for plan in project.plans}
    new_page = admin.get(f"/plans/{KEY}").get_data(as_text=True)
    assert "续建项目" in new_page and unfinished[0].name in new_page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "plan:carry-over")) == len(unfinished)
    # Carried once: a second click carries nothing more.
    admin.post(f"/plans/{old.key}/carry-over", data={"target": KEY, "confirm": "1"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "plan:carry-over")) == len(unfinished)
    # Not backwards: an earlier plan is no target.
    refused = admin.post(f"/plans/{KEY}/carry-over", data={"target": old.key, "confirm": "1"},
                         follow_redirects=True)
    assert "只能转入下一规划期的规划" in refused.get_data(as_text=True)


def old_projects(db, plan: Plan) -> list[Project]:
    from tracker.projects.models import project_plans
    return db.session.scalars(sa.select(Project).join(project_plans, project_plans.c.project_id == Project.id)
                              .where(project_plans.c.plan_id == plan.id)).all()


def test_the_evaluation_of_an_ended_plan(admin, db):
    from openpyxl import load_workbook

    from tracker.plans import services
    from tracker.plans.models import PlanIndicator, PlanIndicatorActual

    indicator = db.session.scalar(sa.select(PlanIndicator).where(PlanIndicator.comparator == "≥")
                                  .order_by(PlanIndicator.id))
    plan = indicator.plan
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    assert indicator.name in page and "按期竣工" in page and "未开工" in page and "已取消" in page
    assert "约束性" in page or all(i.nature is None or i.nature.value != "binding" for i in plan.indicators)
    result = services.evaluation(plan)
    assert sum(len(items) for items in result["by_outcome"].values()) == len(result["projects"]) > 0

    # An indicator id no column holds (hostile input) is no indicator of this plan, not a 500.
    huge = admin.post(f"/plans/{plan.key}/evaluation/actuals", follow_redirects=True,
                      data={"indicator": "99999999999999999999", "year": "2025", "value": "1", "source": "x"})
    assert huge.status_code == 200 and "请选择本规划的指标" in huge.get_data(as_text=True)
    # An actual value without its source is refused; nothing is saved.
    refused = admin.post(f"/plans/{plan.key}/evaluation/actuals", follow_redirects=True,
                         data={"indicator": indicator.id, "year": "2025", "value": "1", "source": ""})
    assert "请注明数据来源" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(PlanIndicatorActual)) is None
    # Below the target: not attained; a second entry for the year replaces the first.
    target = services._number(indicator.target)
    below, above = str(target - 1), str(target + 1)
    admin.post(f"/plans/{plan.key}/evaluation/actuals",
               data={"indicator": indicator.id, "year": "2025", "value": below, "source": "2025年统计公报"})
    assert services.attained(indicator, below) is False
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    assert "2025年统计公报" in page and "未达标" in page
    admin.post(f"/plans/{plan.key}/evaluation/actuals",
               data={"indicator": indicator.id, "year": "2025", "value": above, "source": "2025年统计年鉴"})
    actuals = db.session.scalars(sa.select(PlanIndicatorActual)).all()
    assert [(a.year, a.value, a.source) for a in actuals] == [(2025, above, "2025年统计年鉴")]
    assert services.attained(indicator, above) is True

    workbook = admin.get(f"/plans/{plan.key}/evaluation.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(rows[indicator.name]["最新实际值"])) == Decimal(above)
    assert rows[indicator.name]["是否达标"] == "达标"
    # A leader reads the evaluation but enters nothing.
    assert admin.get(f"/plans/{plan.key}").get_data(as_text=True).count("/evaluation") >= 1


def test_attainment_follows_the_comparator():
    from types import SimpleNamespace

    from tracker.plans.services import attained
    lower = SimpleNamespace(target="9", comparator="≤")
    assert attained(lower, "8.5") is True and attained(lower, "9.5") is False
    assert attained(SimpleNamespace(target="持续提升", comparator=None), "80") is None
    assert attained(SimpleNamespace(target="95%", comparator="≥"), "96.2%") is True
    assert attained(SimpleNamespace(target="10", comparator=None), "12") is None


def test_an_indicator_candidate_becomes_one_of_the_plans_indicators(admin, added, db):
    from tracker.plans.models import PlanIndicator

    indicators = db.session.scalars(sa.select(PlanCandidate).where(
        PlanCandidate.plan_id == added.id, PlanCandidate.kind == "indicator")).all()
    assert indicators, "the Markdown plan has a 主要指标 table"
    first = indicators[0]
    page = admin.get(f"/plans/{KEY}/candidates").get_data(as_text=True)
    assert f"/candidates/{first.id}/accept-indicator" in page
    admin.post(f"/plans/{KEY}/candidates/{first.id}/accept-indicator")
    admin.post(f"/plans/{KEY}/candidates/{first.id}/accept-indicator")  # a double click: once
    stored = db.session.scalars(sa.select(PlanIndicator).where(PlanIndicator.plan_id == added.id)).all()
    assert [indicator.name for indicator in stored] == [first.data["name"]]
    assert stored[0].sources == first.data["sources"]
    assert first.data["name"] in admin.get(f"/plans/{KEY}/evaluation").get_data(as_text=True)
    # A project candidate is not an indicator.
    hospital = candidate(db, added, "龙南市人民医院传染病大楼建设项目")
    refused = admin.post(f"/plans/{KEY}/candidates/{hospital.id}/accept-indicator", follow_redirects=True)
    assert "项目候选请采纳为项目" in refused.get_data(as_text=True)


def test_a_citation_of_an_added_plan_names_the_plan_in_the_history(admin, added, db):
    """A plan added by a user has no seed file: its citations used to read "None:12 …"."""
    lab = candidate(db, added, "龙南市疾病预防控制中心实验楼建设项目")
    existing = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-01"))
    admin.post(f"/plans/{KEY}/candidates/{lab.id}/merge", data={"project_id": str(existing.id)})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "project:source",
                                                          AuditEntry.project_id == existing.id)
                              .order_by(AuditEntry.id.desc()).limit(1))
    cited = entry.changes["source"][1]
    assert cited.startswith(f"{KEY}:") and "None" not in cited, cited
    page = admin.get(f"/projects/{existing.id}").get_data(as_text=True)
    # The history names the plan by its title, as the seed plans' citations read (not its key).
    line, quote = cited.split(" ", 1)[0].split(":")[1], cited.split(" ", 1)[1]
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == KEY))
    assert f"《{plan.title}》第{line}行：{quote}" in page, page
    assert "None:" not in page and f"{KEY}:" not in page


TOWNS = "东江 里仁 渡江 杨村 程龙 汶龙 临塘 南亨 夹湖 桃江 九连山 黄沙 关西 武当 新圩 太平 龙华 东坑 杨梅 横岗 " \
        "大坪 水西 高桥 石岗 洋田 安基 石门 象塘 新村 下垅 坳下 河洞 上蕉 坪田 茶坑 车头 白石 中湾 寨头 杨西 " \
        "平和 文龙 兴隆 梅州 黄坑".split()


@pytest.fixture()
def crowded(app, db, seeded, tmp_path) -> Plan:
    """A county's plan naming 45 projects: the review a page at a time."""
    rows = "\n".join(f"| {number} | 龙南市{town}镇卫生院迁建项目 | 迁建 | 建筑面积{1000 + number}平方米 | {200 + number} |"
                     for number, town in enumerate(TOWNS, 1))
    path = tmp_path / "龙南乡镇卫生院.md"
    path.write_text("# 龙南市乡镇卫生院建设方案\n\n## 重点项目\n\n| 序号 | 项目名称 | 建设性质 | 建设内容 | 总投资（万元） |\n"
                    f"|---|---|---|---|---|\n{rows}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(plans_cli, [
        "add", str(path), "--key", "longnan-towns", "--title", "龙南市乡镇卫生院建设方案", "--region", "360783",
        "--period", "2026-2030"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-towns"))


def test_a_plans_open_candidates_are_reviewed_a_page_at_a_time_each_decision_leading_to_the_next(admin, crowded, db):
    """A plan of 45 projects was one page of 45 × three forms (a city's 150 were 590 KB of HTML
    for a phone): its open candidates come 20 a page, and accepting, merging or rejecting one
    goes on to the open candidate after it, on the page that holds it."""
    waiting = list(db.session.scalars(sa.select(PlanCandidate).where(
        PlanCandidate.plan_id == crowded.id, PlanCandidate.kind == "project").order_by(PlanCandidate.position)))
    assert len(waiting) == len(TOWNS)
    url = "/plans/longnan-towns/candidates"
    first = admin.get(url).get_data(as_text=True)
    accept_forms = re.findall(r'/candidates/(\d+)/accept"', first)
    assert accept_forms == [str(item.id) for item in waiting[:20]]
    assert "待确认（45）" in first and "第 1 / 3 页" in first and f'href="{url}?page=2"' in first
    third = admin.get(f"{url}?page=3").get_data(as_text=True)
    assert re.findall(r'/candidates/(\d+)/accept"', third) == [str(item.id) for item in waiting[40:]]
    assert f'href="{url}?page=2"' in third and "第 3 / 3 页" in third
    assert admin.get(f"{url}?page=99").status_code == 200  # past the end: the last page
    assert admin.get(f"{url}?page=abc").status_code == 200

    # Accepting the 22nd (page 2) goes to the 23rd, which is still on page 2.
    response = admin.post(f"/plans/longnan-towns/candidates/{waiting[21].id}/accept", data=accept_form(waiting[21]))
    assert response.status_code == 302 and response.location == f"{url}?page=2#candidate-{waiting[22].id}"
    # Rejecting the 21st goes to the 23rd: 20 are open before it, so it is the first of page 2.
    response = admin.post(f"/plans/longnan-towns/candidates/{waiting[20].id}/reject", data={"reason": "已建成"})
    assert response.location == f"{url}?page=2#candidate-{waiting[22].id}"
    # Merging the 20th (last of page 1) goes to the 23rd, now the 20th open: page 1.
    existing = db.session.scalar(sa.select(Project).where(Project.region.has(code="360783")).limit(1))
    response = admin.post(f"/plans/longnan-towns/candidates/{waiting[19].id}/merge", data={"project_id": str(existing.id)})
    assert response.location == f"{url}#candidate-{waiting[22].id}"
    # The last one decided goes back to the one before it; a refusal to the page holding it.
    response = admin.post(f"/plans/longnan-towns/candidates/{waiting[-1].id}/reject", data={"reason": "重复"})
    assert response.location == f"{url}?page=3#candidate-{waiting[-2].id}"
    refused = admin.post(f"/plans/longnan-towns/candidates/{waiting[-2].id}/accept",
                         data=accept_form(waiting[-2], region="999999"))
    # Refused: told on the page that holds it, what was typed kept (not a redirect).
    told = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "没有行政区划代码为 999999 的地区" in told and "第 3 / 3 页" in told
    page = admin.get(f"{url}?page=3").get_data(as_text=True)
    assert "待确认（41）" in page and "已处理（4）" in page


def test_a_candidate_is_merged_only_into_a_project_of_its_plans_region_or_above_it(admin, added, db):
    """A candidate of 龙南's plan merged into a project of 宜春 (another city: the number typed
    wrong) made 宜春's project 龙南's 续建, with 龙南's name as its alias: refused, nothing kept.
    A project of the city above (赣州市, which may build in the county) may take it."""
    from . import factories

    dingnan = db.session.scalar(sa.select(Project).where(Project.region.has(code="360900")).limit(1))
    assert dingnan is not None  # of 宜春市, another city
    lab = candidate(db, added, "龙南市疾病预防控制中心实验楼建设项目")
    refused = admin.post(f"/plans/{KEY}/candidates/{lab.id}/merge", data={"project_id": str(dingnan.id)})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert f"《{dingnan.name}》属于宜春市，不在本规划的龙南市范围内" in page
    db.session.expire_all()
    assert lab.decision is None and "龙南市疾病预防控制中心实验楼建设项目" not in {a.name for a in dingnan.aliases}
    assert KEY not in {plan.key for plan in dingnan.plans}

    longnan = db.session.scalar(sa.select(Project).where(Project.region.has(code="360783")).limit(1)).region
    assert longnan.parent is not None and longnan.parent.code == "360700"
    above = factories.project(longnan.parent, name="赣州市第五人民医院龙南分院")
    db.session.commit()
    response = admin.post(f"/plans/{KEY}/candidates/{lab.id}/merge", data={"project_id": str(above.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert lab.decision == "merged" and KEY in {plan.key for plan in above.plans}


def test_an_officer_taking_a_candidate_outside_his_region_is_told_so_on_the_review_page(app, make_user, added, db):
    """Longnan's officer setting a candidate's region to 宜春, or merging it into a project of
    宜春, got a bare 403 page and lost what he typed: the review page says why, nothing is made."""
    officer = app.test_client()
    login_as(officer, make_user("officer", "360783", username="ln-officer-elsewhere"))
    hospital = candidate(db, added, "龙南市人民医院传染病大楼建设项目")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    answer = officer.post(f"/plans/{KEY}/candidates/{hospital.id}/accept", data=accept_form(hospital, region="360900"))
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "您只能在本人负责的地区新建项目：宜春市不在您负责的龙南市内" in page
    yichun = db.session.scalar(sa.select(Project).where(Project.region.has(code="360900")).limit(1))
    answer = officer.post(f"/plans/{KEY}/candidates/{hospital.id}/merge", data={"project_id": str(yichun.id)})
    assert answer.status_code == 400
    assert "该项目属于宜春市；您负责：龙南市" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert hospital.decision is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == before


def test_an_indicator_corrected_with_its_direction_is_judged_by_it(admin, added, db):
    """A target printed without ≥ (床位数 7.5) could never be judged 达标; corrected as "≥7.5" before
    it is accepted, the sign stayed in the text and it was not judged either."""
    beds = next(item for item in db.session.scalars(sa.select(PlanCandidate).where(
        PlanCandidate.plan_id == added.id, PlanCandidate.kind == "indicator")) if "床位" in item.data["name"])
    form = {field: beds.data.get(field) or "" for field in ("section", "name", "unit", "baseline", "baseline_year",
                                                             "target", "target_year", "nature")}
    page = admin.get(f"/plans/{KEY}/candidates/{beds.id}/indicator").get_data(as_text=True)
    assert "可在数字前写 ≥ 或 ≤" in page
    answer = admin.post(f"/plans/{KEY}/candidates/{beds.id}/indicator", data={**form, "target": "≥7.5"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    indicator = db.session.scalar(sa.select(PlanIndicator).where(PlanIndicator.plan_id == added.id))
    assert (indicator.comparator, indicator.target) == ("≥", "7.5")
    saved = admin.post(f"/plans/{KEY}/evaluation/actuals", data={
        "indicator": str(indicator.id), "year": "2026", "value": "7.6", "source": "2026年统计公报"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    evaluation = admin.get(f"/plans/{KEY}/evaluation").get_data(as_text=True)
    assert "达标" in evaluation and "无法判定" not in evaluation


def test_an_accepted_candidates_years_are_pointed_to_the_milestones_page(admin, crowded, db):
    """A plan's 建设期 (2026—2028) is read and cited, but a project keeps dates, not years: after
    accepting, 计划开工/计划竣工 stayed 未填报 with nothing said. The officer is told where they go,
    and no day is invented."""
    item = db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == crowded.id)
                              .order_by(PlanCandidate.position)).first()
    item.data = {**item.data, "start_year": 2026, "end_year": 2028}  # as the reading gives them
    db.session.commit()
    answer = admin.post(f"/plans/longnan-towns/candidates/{item.id}/accept", data=accept_form(item))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    page = admin.get(answer.location).get_data(as_text=True)
    assert "原文写明建设期 2026–2028 年" in page and "计划开工、竣工日期" in page
    project = db.session.scalar(sa.select(Project).where(Project.name == item.data["name"]))
    assert project.planned_start is None and project.planned_end is None


def test_a_plans_unknown_investment_total_says_so_in_words(admin, db):
    """宜春's plan states no budget: its page wrote "总投资合计 — 万元", a dash with a unit that reads
    like a figure, where the list and the dashboard say 未填报."""
    page = admin.get("/plans/yichun-14th-health-plan").get_data(as_text=True)
    total = page[page.index("总投资合计"):][:300]
    assert "未填报" in total and "— 万元" not in total and "—</strong> 万元" not in total


def test_a_merge_fills_what_the_project_left_unknown_from_the_new_plan_and_keeps_what_it_holds(admin, added, db):
    """A planner's complaint: merged into its 14th-plan project, the 15th plan's lab kept none of
    the new plan's figures; its page said 未填报 beside "规划原文（第N行），已调整"."""
    lab = candidate(db, added, "龙南市疾病预防控制中心实验楼建设项目")
    existing = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-01"))
    existing.floor_area_m2 = existing.status = None
    lab.data = {**lab.data, "status": "construction"}  # as a 备注 "续建" is read
    db.session.commit()
    before = existing.total_investment
    assert before is not None and before != Decimal("2800")
    response = admin.post(f"/plans/{KEY}/candidates/{lab.id}/merge", data={"project_id": str(existing.id)})
    assert response.status_code == 302
    db.session.refresh(existing)
    assert existing.floor_area_m2 == Decimal("3000")  # unknown before: the new plan says it
    assert existing.status is not None and existing.status.value == "construction"  # 续建
    assert existing.total_investment == before  # what the project holds stays
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "project:update", AuditEntry.project_id == existing.id)
        .order_by(AuditEntry.id.desc()))
    assert set(entry.changes) >= {"floor_area_m2", "status"} and "total_investment" not in entry.changes
    page = admin.get(f"/projects/{existing.id}").get_data(as_text=True)
    assert "3,000" in page
    # The new plan's other 总投资 is cited as differing from the figure kept, not as "adjusted"
    # (a QA walk: nobody adjusted anything, and the merge's own message said the ledger was kept).
    row = page[page.index(">总投资<"):]
    row = row[:row.index("</tr>")]
    assert "与台账不同" in row and "已调整" not in row


def test_the_review_names_the_status_the_plan_gives_in_words(admin, added, db):
    lab = candidate(db, added, "龙南市疾病预防控制中心实验楼建设项目")
    lab.data = {**lab.data, "status": "construction"}
    db.session.commit()
    page = admin.get(f"/plans/{KEY}/candidates").get_data(as_text=True)
    assert "原文所述状态：在建" in page and "原文所述状态：construction" not in page


def test_a_figure_the_reading_missed_is_accepted_when_its_line_prints_it(admin, app, db, seeded, tmp_path):
    """A planner typed the 1850 printed on the candidate's own line ("…，建设生物安全二级实验室，总投资
    1850万元") and was told it was not in the quoted text, the quotes being the name alone; a range
    ("总投资1—1.2亿元") could not be entered at all. Now the clause that prints it is cited, and one
    end of a range is kept as 约; a figure printed nowhere on the line is still refused."""
    path = tmp_path / "plan.txt"
    path.write_text("某市“十五五”卫生健康发展规划\n"
                    "建设龙南市急救指挥中心，建筑面积2500平方米，总投资1—1.2亿元，2026—2027年。\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(plans_cli, ["add", str(path), "--key", "typed", "--title", "某规划",
                                                      "--region", "360783", "--period", "2026-2030"])
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "typed"))
    centre = candidate(db, plan, "龙南市急救指挥中心")
    assert centre.data.get("total_investment_wan_yuan") is None  # a range is no one figure
    refused = admin.post(f"/plans/typed/candidates/{centre.id}/accept",
                         data=accept_form(centre, total_investment_wan_yuan="11000"), follow_redirects=True)
    assert "11000 不在所引的原文语句中" in refused.get_data(as_text=True)
    accepted = admin.post(f"/plans/typed/candidates/{centre.id}/accept",
                          data=accept_form(centre, total_investment_wan_yuan="12000"))
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市急救指挥中心"))
    assert (project.total_investment, project.total_investment_approx) == (Decimal("12000"), True)
    assert any(source.quote == "总投资1—1.2亿元" for source in project.sources)


def test_every_reject_on_the_review_page_asks_first(admin, added):
    """The indicator candidates' 驳回 rejected at once, with no way back; the project's asked."""
    page = admin.get(f"/plans/{KEY}/candidates").get_data(as_text=True)
    rejects = re.findall(r"<form[^>]*/reject\"[^>]*>", page)
    assert len(rejects) >= 2 and all("data-confirm=" in form for form in rejects), rejects


def test_a_refused_candidate_form_comes_back_as_typed_at_that_candidate(admin, added, db):
    """A QA walk's complaint: accepting with an edited name and a 总投资 the quotes do not print
    (950) went back to the top of the page with one message naming nobody, and the candidate's
    form held the extracted values again: what was typed was lost."""
    centre = candidate(db, added, "龙南市精神卫生中心迁建项目")
    refused = admin.post(f"/plans/{KEY}/candidates/{centre.id}/accept",
                         data=accept_form(centre, name="龙南市精神卫生中心迁建（一期）", total_investment_wan_yuan="950"))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "“龙南市精神卫生中心迁建项目”" in page  # the message names the candidate
    section = page[page.index(f'id="candidate-{centre.id}"'):]
    section = section[:section.index("</section>")]
    assert 'class="error-summary"' in section  # where the page opens (forms.js focuses it)
    assert 'value="龙南市精神卫生中心迁建（一期）"' in section
    assert re.search(r'name="total_investment_wan_yuan"[^>]* value="950"', section)
    investment = section[section.index('name="total_investment_wan_yuan"'):]
    assert investment.index("950 不在所引的原文语句中") < investment.index("</label>")  # beside its field
    # The other candidates' forms are as extracted; nothing was created.
    hospital = candidate(db, added, "龙南市人民医院传染病大楼建设项目")
    assert 'value="龙南市人民医院传染病大楼建设项目"' in page and hospital.decision is None
    assert db.session.scalar(sa.select(Project).where(Project.name.contains("精神卫生中心迁建"))) is None
    # A refused merge keeps the number typed.
    merged = admin.post(f"/plans/{KEY}/candidates/{centre.id}/merge", data={"project_id": "99999999"})
    assert merged.status_code == 400 and re.search(r'name="project_id"[^>]* value="99999999"', merged.get_data(as_text=True))


def test_a_viewer_from_whom_money_is_hidden_reads_no_amount_a_candidate_quotes(app, admin, added, db, make_user):
    """A QA walk's complaint: with 向只读用户隐藏金额 on, a viewer read a pending candidate's
    “总投资5000万元” on /plans/<key>/candidates and its line in full on /plans/<key>/text, while an
    accepted project's cited amount reads 已隐藏 there. A pending candidate's amount is hidden the
    same way: its quote and its line."""
    from flask import g

    from .test_money_hidden import hide_money

    hide_money()
    viewer = app.test_client()
    login_as(viewer, make_user("viewer", username="viewer-candidates"))
    for url in (f"/plans/{KEY}/candidates", f"/plans/{KEY}/text"):
        shown = admin.get(url).get_data(as_text=True)
        assert "总投资5000万元" in shown and "15000" in shown, url
        hidden = viewer.get(url).get_data(as_text=True)
        assert "总投资5000万元" not in hidden and "15000" not in hidden and "18000" not in hidden, url
        assert '<span class="unknown">已隐藏</span>' in hidden, url
    assert "加强基层医疗卫生机构建设" not in hidden  # the text page hides the whole line, as for 表6
    g.pop("_login_user", None)  # the test's app context outlives requests


def test_a_later_plans_other_build_nature_is_not_cited_as_the_projects(app):
    """A QA walk: merged into its 14th-plan project (新建), the 15th plan's "改扩建…实验楼" line was
    cited as the source of 建设性质 新建. It reads 所载与台账不同, as a figure's other line does."""
    from types import SimpleNamespace

    from tracker.projects.views import adjusted_citations
    from tracker.vocabulary import BuildNature

    project = SimpleNamespace(build_nature=BuildNature.NEW, total_investment=None)
    other = SimpleNamespace(id=7, line=11, quote="改扩建龙南市疾病预防控制中心实验楼")
    same = SimpleNamespace(id=8, line=40, quote="新建龙南市疾病预防控制中心实验楼")
    with app.test_request_context():
        adjusted = adjusted_citations(project, {"build_nature": [other, same]})
    assert adjusted == {"build_nature": {7: "规划原文（第11行）所载与台账不同"}}
