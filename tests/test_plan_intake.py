"""A county adds its 十五五 plan and reviews what the text was found to say (issue 16, as a user met
it): the form reports every problem at once and takes the region by name; the review page names
what each quote was read for in the reader's language, offers the plan's region, and gives each of
several facilities listed together its own candidate; what is accepted keeps the plan's 约 and
its 亿元 and 万平方米 without calling the figure adjusted; the history reads as a person wrote it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tracker.audit.models import AuditEntry
from tracker.plans.documents import read_lines
from tracker.plans.extraction import extract
from tracker.plans.models import Plan, PlanCandidate, PlanIndicator, PlanIndicatorActual
from tracker.projects.models import Project
from tracker.vocabulary import Category, Kind

from .conftest import SHARED_SEEDS, login_as
from .live import forms_in
from .test_plan_pages import accept_form, candidate

# A county's plan as staff type it: a 专栏 table whose figures are in 亿元 and 万平方米, a
# 主要指标 table, and a prose list of townships whose clinics move, each at about 1,200 万元.
LONGNAN_COUNTY_15 = """# 龙南市“十五五”卫生健康事业发展规划

## 一、主要指标

| 指标 | 单位 | 2025年 | 2030年 | 指标属性 |
|---|---|---|---|---|
| 孕产妇死亡率 | /10万 | 15 | ≤14 | 约束性 |

## 二、重点项目

| 序号 | 项目名称 | 建设内容 | 总投资 |
|---|---|---|---|
| 1 | 龙南市人民医院传染病区改扩建项目 | 新增床位120张，建筑面积1.8万平方米 | 2.4亿元 |

推进杨村镇、程龙镇、桃江乡卫生院迁建项目，每所总投资约1200万元。
"""
# A second draft added beside the first names itself apart (the same title, region and period is
# the same plan: refused).
REVISED = "龙南市“十五五”卫生健康事业发展规划（修订稿）"
TOWNSHIPS = ["杨村镇卫生院迁建项目", "程龙镇卫生院迁建项目", "桃江乡卫生院迁建项目"]


@pytest.fixture()
def admin(app, make_user, db, seeded):
    client = app.test_client()
    login_as(client, make_user("admin", username="admin-intake"))
    return client


def upload(client, **fields):
    data = {"title": "龙南市“十五五”卫生健康事业发展规划", "region": "360783", "period": "十五五",
            "document": (io.BytesIO(LONGNAN_COUNTY_15.encode("utf-8")), "规划.md"), **fields}
    return client.post("/plans/new", data={k: v for k, v in data.items() if v is not None},
                       content_type="multipart/form-data")


@pytest.fixture()
def plan(admin, db) -> Plan:
    response = upload(admin, key="longnan-county-15")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-county-15"))


def test_the_new_plan_form_names_every_problem_at_once_and_keeps_nothing(admin, db):
    response = upload(admin, key="Bad Key", title="", region="不存在的地方", period="2026年", document=None)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in ("请选择规划原文文件", "编号只能使用小写字母", "没有找到行政区划“不存在的地方”",
                    "规划期应写作"):
        assert message in page, message
    assert "请填写规划名称" not in page  # left blank, it is read from the file still to be chosen
    # A title too long is said once (the form's length and the service's rule are one problem).
    page = upload(admin, key="x", title="规" * 201).get_data(as_text=True)
    assert re.findall(r"[^>]*不能超过[^<]*", page) == ["：不能超过 200 个字", "不能超过 200 个字"]  # summary, field
    # A file chosen with the other errors: the page says to choose it again (a browser drops it).
    page = upload(admin, key="Bad Key").get_data(as_text=True)
    assert "请重新选择文件（规划.md）" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(Plan.period_start == 2026)) == 0


def test_an_issue_date_after_today_is_refused(admin, db):
    """A QA walk: 印发日期 2099-01-01 was taken; a document added here has been issued."""
    page = upload(admin, key="future-issue", issued_date="2099-01-01").get_data(as_text=True)
    assert "印发日期 2099-01-01 晚于今天" in page
    assert db.session.scalar(sa.select(Plan.id).where(Plan.key == "future-issue")) is None


def test_a_plan_takes_its_region_by_name_and_a_key_made_from_it(admin, db):
    first = upload(admin, key="", region="龙南市")
    assert first.status_code == 302 and first.location.endswith("/plans/360783-2026-2030/candidates")
    revised = (LONGNAN_COUNTY_15 + "\n（修订稿）\n").encode("utf-8")
    second = upload(admin, key="", region="龙南", title=REVISED, document=(io.BytesIO(revised), "规划（修订稿）.md"))
    assert second.status_code == 302 and second.location.endswith("/plans/360783-2026-2030-2/candidates")
    plans = db.session.scalars(sa.select(Plan).where(Plan.key.like("360783-2026-2030%"))).all()
    assert {p.region.code for p in plans} == {"360783"}


def test_a_plans_title_and_region_left_blank_are_read_from_its_first_line(admin, db):
    """An office uploads its plan and types nothing else: the name and the region are the ones the
    document's title line prints (as the period already was), and the page says where they came
    from; a document whose first lines are no title, or whose title names no one region, still
    asks for them."""
    response = upload(admin, key="", title="", region="", period="")
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "360783-2026-2030"))
    assert (plan.title, plan.region.code, plan.period_start) == ("龙南市“十五五”卫生健康事业发展规划", "360783", 2026)
    page = admin.get(response.location).get_data(as_text=True)
    assert "规划名称和行政区划取自原文第 1 行，如有不符请在规划页更正" in page
    untitled = "一、主要指标\n\n孕产妇死亡率降至14/10万以下。\n\n推进龙南市人民医院传染病区改扩建项目。\n"
    page = upload(admin, key="untitled", title="", region="",
                  document=(io.BytesIO(untitled.encode()), "规划.md")).get_data(as_text=True)
    assert "请填写规划名称" in page and "请填写规划所属的行政区划" in page
    # A title that names no region (or two) leaves the region to be typed, and is kept.
    nameless = LONGNAN_COUNTY_15.replace("龙南市“十五五”", "“十五五”", 1)
    page = upload(admin, key="nameless", title="", region="",
                  document=(io.BytesIO(nameless.encode()), "规划.md")).get_data(as_text=True)
    assert "请填写规划所属的行政区划" in page and 'value="“十五五”卫生健康事业发展规划"' in page
    assert db.session.scalar(sa.select(Plan).where(Plan.key.in_(["untitled", "nameless"]))) is None
    # The same document again is refused for that alone: its name and region were read.
    page = upload(admin, key="again", title="", region="", period="").get_data(as_text=True)
    assert "相同，无需再次添加" in page and "请填写规划名称" not in page and "请填写规划所属的行政区划" not in page


def test_the_same_text_uploaded_again_is_refused_naming_the_plan_it_is(admin, db, plan):
    again = upload(admin, key="longnan-county-15-again", document=(
        io.BytesIO(LONGNAN_COUNTY_15.encode("gb18030")), "规划（另存为GBK）.md"))
    assert again.status_code == 400
    assert f"与已添加的规划《{plan.title}》（{plan.key}）相同" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-county-15-again")) is None


TRANSPORT_PLAN = """# 龙南市“十五五”综合交通运输发展规划

## 一、重点项目

| 序号 | 项目名称 | 建设内容 | 总投资 |
|---|---|---|---|
| 1 | 龙南至定南快速路新建项目 | 双向四车道，全长18公里 | 12亿元 |
| 2 | 杨村镇客运站改扩建项目 | 站房3000平方米 | 3000万元 |
"""


def test_a_plan_that_is_not_of_health_is_refused_before_its_roads_become_candidates(admin, db):
    """A transport plan chosen by mistake was added, and its roads and bus stations offered as
    projects to accept into a health portfolio."""
    response = upload(admin, key="longnan-transport-15", title="龙南市“十五五”综合交通运输发展规划",
                      document=(io.BytesIO(TRANSPORT_PLAN.encode("utf-8")), "交通规划.md"))
    assert response.status_code == 400
    assert "不像卫生健康规划" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-transport-15")) is None
    # The same text with a 卫生院 in it is a plan the tracker takes.
    health = TRANSPORT_PLAN + "| 3 | 杨村镇卫生院迁建项目 | 业务用房2000平方米 | 1500万元 |\n"
    taken = upload(admin, key="longnan-mixed-15", title="龙南市“十五五”综合交通运输发展规划",
                   document=(io.BytesIO(health.encode("utf-8")), "规划.md"))
    assert taken.status_code == 302, taken.get_data(as_text=True)


def test_the_same_plan_in_another_format_is_refused_naming_the_plan_it_is(admin, db, plan):
    """The same plan uploaded as .txt after .md (its text differs by a heading's '#'): two plans of
    one title, region and period, each offering every project, and the 规划 filter listing the
    title twice."""
    as_text = LONGNAN_COUNTY_15.replace("# ", "").replace("## ", "")
    again = upload(admin, key="longnan-county-15-txt", document=(io.BytesIO(as_text.encode("utf-8")), "规划.txt"))
    assert again.status_code == 400
    assert f"同一规划期已有同名规划《{plan.title}》（编号 {plan.key}）" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-county-15-txt")) is None


def test_a_plan_file_over_the_upload_limit_is_told_what_a_plan_needs(admin, db):
    """A 30 MB plan (scanned pages) was told to 压缩图片: a plan's text is what is read."""
    response = upload(admin, key="too-large", document=(io.BytesIO(b"x" * (17 * 1024 * 1024)), "规划.pdf"))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "一次上传不能超过 16 MB" in page and "规划原文只需正文" in page and "压缩图片" not in page
    assert db.session.scalar(sa.select(Plan).where(Plan.key == "too-large")) is None


def test_a_title_left_blank_that_the_text_does_not_give_says_where_it_was_looked_for(admin, db):
    """A first line of 500 characters is a paragraph, not a title: the form said only 请填写规划名称."""
    text = "龙南市“十五五”卫生健康事业发展规划" + "，推进医疗卫生服务体系建设" * 40 + "\n\n新建龙南市人民医院综合楼。\n"
    response = upload(admin, key="long-title", title="", document=(io.BytesIO(text.encode("utf-8")), "规划.txt"))
    assert response.status_code == 400
    assert "原文开头几行中没有找到规划名称" in response.get_data(as_text=True)


def test_a_plans_issue_details_left_blank_are_read_where_the_document_prints_them(admin, db):
    """The document printed 定府办发〔2026〕5号, 发文机关 and 印发日期 on its first lines; the plan page
    said 未填报 for all three. A date in the text's prose is not the issue date."""
    text = LONGNAN_COUNTY_15.replace(
        "# 龙南市“十五五”卫生健康事业发展规划\n",
        "# 龙南市“十五五”卫生健康事业发展规划\n\n龙府办发〔2026〕5号\n\n"
        "发文机关：龙南市人民政府办公室　　印发日期：2026年3月18日\n\n到2030年12月31日前全部建成。\n", 1)
    response = upload(admin, key="longnan-issued-15", document=(io.BytesIO(text.encode("utf-8")), "规划.md"))
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-issued-15"))
    assert (plan.doc_number, plan.issuer, plan.issued_date) == ("龙府办发〔2026〕5号", "龙南市人民政府办公室",
                                                                 dt.date(2026, 3, 18))
    told = admin.get(response.location).get_data(as_text=True)
    assert "文号取自原文第 3 行" in told and "印发日期取自原文第 5 行" in told
    # What the form gives is kept: the text fills only what was left blank.
    typed = upload(admin, key="longnan-typed-15", title=REVISED, doc_number="龙府发〔2026〕1号",
                   document=(io.BytesIO(text.replace("龙南市“十五五”", "龙南市“十五五”（修订稿）", 1).encode("utf-8")), "规划.md"))
    assert typed.status_code == 302, typed.get_data(as_text=True)
    assert db.session.scalar(sa.select(Plan.doc_number).where(Plan.key == "longnan-typed-15")) == "龙府发〔2026〕1号"


def test_a_plan_corrected_onto_another_plans_title_is_refused_as_an_upload_of_it_would_be(admin, db, plan):
    """Two plans of one title, region and period: the 规划 filter lists the title twice. An upload
    of it is refused; a correction of another plan to it was taken."""
    other = upload(admin, key="longnan-draft-15", title=REVISED,
                   document=(io.BytesIO(LONGNAN_COUNTY_15.replace("杨村镇、", "").encode("utf-8")), "规划（稿）.md"))
    assert other.status_code == 302, other.get_data(as_text=True)
    onto = admin.post("/plans/longnan-draft-15/edit", data={"title": plan.title, "region": "360783", "period": "2026-2030",
                                                            "version": "1"})
    assert onto.status_code == 400 and f"同一规划期已有同名规划《{plan.title}》（编号 {plan.key}）" in onto.get_data(as_text=True)
    assert db.session.scalar(sa.select(Plan.title).where(Plan.key == "longnan-draft-15")) == REVISED


def test_a_region_name_two_regions_share_is_refused_with_their_codes(app, make_user, country):
    client = app.test_client()
    login_as(client, make_user("admin", username="admin-intake"))
    page = upload(client, key="", region="朝阳区").get_data(as_text=True)
    assert "“朝阳区”可指2个行政区划" in page and "（110105）" in page and "（220104）" in page
    # Left blank, the region is read from the title: the same list, not "请填写规划所属的行政区划" (a QA walk).
    page = upload(client, key="", region="", title="朝阳区“十五五”卫生健康发展规划").get_data(as_text=True)
    assert "“朝阳区”可指2个行政区划" in page and "（110105）" in page and "请填写规划所属的行政区划" not in page
    # In English the list is English too: "(110105), …", not "（110105）、…" (a QA walk).
    client.get("/language/en")
    page = upload(client, key="", region="朝阳区").get_data(as_text=True)
    assert "北京市朝阳区 (110105), " in page and "（110105）" not in page, page[page.find("110105") - 200:][:400]


def test_the_review_page_says_what_each_quote_was_read_for_in_the_readers_language(admin, plan):
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    assert "（项目名称）" in page and "总投资（万元）" in page and "约束性" in page
    for code in ("total investment", "floor area m2", "new beds", "build nature", "binding", "expected"):
        assert code not in page, code
    admin.get("/language/en")
    english = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    assert "line 7: “孕产妇死亡率”" not in english  # (the indicators are a table of their own)
    assert "(Project name)" in english and "(Floor area, Added beds, Scale and scope)" in english
    assert "Binding" in english and "15 <small> (2025)</small>" in english
    assert "：" not in re.sub(r"“[^”]*”", "", english.split("<main")[1])  # colons outside the quotes


def test_facilities_listed_together_are_each_a_candidate_with_the_figure_said_of_each(tmp_path):
    path = tmp_path / "规划.md"
    path.write_text(LONGNAN_COUNTY_15, encoding="utf-8")
    found = {project["name"]: project for project in extract(read_lines(path), "p")["projects"]}
    assert set(TOWNSHIPS) <= set(found), sorted(found)
    for name in TOWNSHIPS:
        assert found[name]["total_investment_wan_yuan"] == "1200"
        assert found[name]["total_investment_approx"] is True
    hospital = found["龙南市人民医院传染病区改扩建项目"]
    assert (hospital["total_investment_wan_yuan"], hospital["floor_area_m2"]) == ("24000", "18000")
    assert "total_investment_approx" not in hospital


def test_a_candidate_offers_the_plans_region_and_is_accepted_as_the_plan_says(admin, db, plan):
    township = candidate(db, plan, "杨村镇卫生院迁建项目")
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    form = page.split(f'id="candidate-{township.id}"')[1].split("</section>")[0]
    assert 'name="region" value="360783"' in form and "龙南市" in form and "原文为约数" in form
    response = admin.post(f"/plans/{plan.key}/candidates/{township.id}/accept",
                          data={**accept_form(township), "region": "360783"})
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.name == "杨村镇卫生院迁建项目"))
    assert project.total_investment == 1200 and project.total_investment_approx is True
    assert "约" in admin.get(f"/projects/{project.id}").get_data(as_text=True)


def test_a_figure_printed_in_yi_yuan_and_wan_square_metres_is_cited_not_called_adjusted(admin, db, plan):
    hospital = candidate(db, plan, "龙南市人民医院传染病区改扩建项目")
    admin.post(f"/plans/{plan.key}/candidates/{hospital.id}/accept", data=accept_form(hospital))
    project = db.session.scalar(sa.select(Project).where(Project.name == hospital.data["name"]))
    assert (project.total_investment, project.floor_area_m2) == (24000, 18000)
    page = admin.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "与台账不同" not in page


def test_the_history_of_a_decision_reads_as_labels_and_values_not_codes(admin, db, plan):
    hospital = candidate(db, plan, "龙南市人民医院传染病区改扩建项目")
    admin.post(f"/plans/{plan.key}/candidates/{hospital.id}/accept",
               data=accept_form(hospital, name="龙南市人民医院传染病区改扩建工程"))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "plan:candidate-accepted"))
    # What was corrected: the name alone (the figures left as found are no edit).
    assert set(entry.changes) == {"decision", "candidate", "name", "category"}, entry.changes
    page = admin.get(f"/admin/audit?project={entry.project_id}").get_data(as_text=True)
    assert "处理：（空）→已采纳" in strip_tags(page)
    assert "项目名称：龙南市人民医院传染病区改扩建项目→龙南市人民医院传染病区改扩建工程" in strip_tags(page)
    for raw in ("→accepted", "edits", "'None'", "infectious_disease", f"{plan.key}:"):
        assert raw not in strip_tags(page), strip_tags(page)[strip_tags(page).find(raw) - 200:][:300]


def strip_tags(page: str) -> str:
    """The page's words, without markup or spaces."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))


def test_a_candidates_unchanged_blank_figures_are_no_edit(admin, db, plan):
    hospital = candidate(db, plan, "龙南市人民医院传染病区改扩建项目")
    assert hospital.data.get("land_area_mu") is None
    admin.post(f"/plans/{plan.key}/candidates/{hospital.id}/accept", data=accept_form(hospital))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "plan:candidate-accepted"))
    assert "land_area_mu" not in str(entry.changes) and "beds" not in str(entry.changes), entry.changes
    assert db.session.get(PlanCandidate, hospital.id).decision == "accepted"


def test_a_candidate_is_merged_by_choosing_a_project_by_name(admin, db, plan):
    """The merge field took a project's number, which no officer knows: the page offers the
    region's projects by name (a datalist whose values are their numbers)."""
    tracked = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-01"))
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    assert 'list="mergeable"' in page
    datalist = page.split('<datalist id="mergeable">')[1].split("</datalist>")[0]
    assert f'<option value="{tracked.id}">{tracked.name}</option>' in datalist
    assert "阳江" not in datalist and "宜春" not in datalist  # other regions' projects are not offered


def test_a_project_tables_figures_in_yi_yuan_and_wan_square_metres(tmp_path):
    """A 专栏 table as 十五五 plans print it: 总投资（亿元）, "约1.5", "改扩建业务用房1.2万㎡"."""
    import docx

    document = docx.Document()
    document.add_paragraph("专栏3 “十五五”卫生健康重点建设项目")
    table = document.add_table(rows=1, cols=5)
    for cell, heading in zip(table.rows[0].cells, ["序号", "项目名称", "建设内容及规模", "总投资（亿元）", "建设年限"]):
        cell.text = heading
    for row in [["1", "和政县人民医院新院区建设项目", "总建筑面积6.5万平方米，床位500张", "5.8", "2026-2029年"],
                ["2", "和政县中医医院改扩建项目", "改扩建业务用房1.2万㎡", "约1.5", "2027-2028年"]]:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    path = tmp_path / "和政县规划.docx"
    document.save(path)
    found = {project["name"]: project for project in extract(read_lines(path), "hz")["projects"]}
    hospital, tcm = found["和政县人民医院新院区建设项目"], found["和政县中医医院改扩建项目"]
    assert (hospital["total_investment_wan_yuan"], hospital["floor_area_m2"], hospital["beds"]) == ("58000", "65000", 500)
    assert (hospital["start_year"], hospital["end_year"]) == (2026, 2029)
    assert (tcm["total_investment_wan_yuan"], tcm["floor_area_m2"]) == ("15000", "12000")
    assert tcm["total_investment_approx"] is True and "floor_area_approx" not in tcm


def test_a_plans_details_are_corrected_once_and_a_stale_correction_is_refused(app, admin, db, plan, make_user):
    """The 文号 and 印发日期 come after the text: they are filled in later, and the history says so.
    A second officer's correction begun before the first was saved is refused, showing it."""
    form = admin.get(f"/plans/{plan.key}/edit").get_data(as_text=True)
    assert 'value="360783"' in form and 'name="version" type="hidden" value="1"' in form
    data = {"title": plan.title, "region": "360783", "period": "2026-2030", "issuer": "龙南市人民政府",
            "doc_number": "龙府发〔2026〕8号", "issued_date": "2026-05-20", "version": "1"}
    response = admin.post(f"/plans/{plan.key}/edit", data=data)
    assert response.status_code == 302 and response.location.endswith(f"/plans/{plan.key}")
    db.session.refresh(plan)
    assert (plan.doc_number, plan.issued_date.isoformat(), plan.version) == ("龙府发〔2026〕8号", "2026-05-20", 2)
    history = strip_tags(admin.get("/admin/audit?action=plan:update").get_data(as_text=True))
    assert "修改规划信息：" in history and "文号：（空）→龙府发〔2026〕8号" in history
    created = strip_tags(admin.get("/admin/audit?action=plan:create").get_data(as_text=True))
    assert "行政区划：（空）→江西省赣州市龙南市" in created and "原文文件：（空）→规划.md" in created
    # The same form sent again (a double click): what it says is saved already, nothing to refuse.
    again = admin.post(f"/plans/{plan.key}/edit", data=data)
    assert again.status_code == 302 and "没有改动" in admin.get(again.location).get_data(as_text=True)
    # Another correction, begun at version 1: refused, with the first shown; nothing changes.
    other = app.test_client()
    login_as(other, make_user("admin", username="admin-intake-2"))
    stale = other.post(f"/plans/{plan.key}/edit", data={**data, "doc_number": "龙府发〔2026〕9号"})
    assert stale.status_code == 409
    page = strip_tags(stale.get_data(as_text=True))
    assert "其他人已修改了此规划的信息" in page and "龙府发〔2026〕8号" in page
    db.session.refresh(plan)
    assert plan.doc_number == "龙府发〔2026〕8号"
    # A QA walk's complaint: the refused form still held the old 发文单位 under the new version,
    # and saving it again put the old one back. The other's change is in the form now.
    admin.post(f"/plans/{plan.key}/edit", data={**data, "issuer": "龙南市卫生健康委员会", "version": "2"})
    late = other.post(f"/plans/{plan.key}/edit", data={**data, "doc_number": "龙府发〔2026〕9号", "version": "2"})
    assert late.status_code == 409
    [again] = [f for f in forms_in(late.get_data(as_text=True)) if f.method == "post" and f.action != "/logout"]
    assert again.get("issuer") == "龙南市卫生健康委员会" and again.get("doc_number") == "龙府发〔2026〕9号"
    assert other.post(f"/plans/{plan.key}/edit", data=MultiDict(again.values())).status_code == 302
    db.session.refresh(plan)
    assert (plan.issuer, plan.doc_number) == ("龙南市卫生健康委员会", "龙府发〔2026〕9号")
    # A seed plan's details are the seed's.
    seed_plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    assert admin.get(f"/plans/{seed_plan.key}/edit").status_code == 403


def test_a_plan_added_by_mistake_is_withdrawn_after_a_confirmation_while_nothing_rests_on_it(admin, db, plan):
    page = admin.get(f"/plans/{plan.key}").get_data(as_text=True)
    assert f'href="/plans/{plan.key}/withdraw"' in page
    refused = admin.post(f"/plans/{plan.key}/withdraw", data={"reason": "上传错了文件"})
    assert refused.status_code == 400 and "请勾选确认后再撤回" in refused.get_data(as_text=True)
    assert db.session.get(Plan, plan.id) is not None
    # Once a project rests on it, it stays.
    hospital = candidate(db, plan, "龙南市人民医院传染病区改扩建项目")
    admin.post(f"/plans/{plan.key}/candidates/{hospital.id}/accept", data=accept_form(hospital))
    kept = admin.post(f"/plans/{plan.key}/withdraw", data={"reason": "上传错了文件", "confirm": "y"})
    assert kept.status_code == 400 and "已有 1 个项目列入此规划，不能撤回" in kept.get_data(as_text=True)
    # A plan nothing rests on goes, with its candidates; the trail keeps what it was.
    revised = (LONGNAN_COUNTY_15 + "\n（误传的副本）\n").encode("utf-8")
    upload(admin, key="longnan-county-15-copy", title=REVISED, document=(io.BytesIO(revised), "副本.md"))
    copy = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-county-15-copy"))
    copy_id = copy.id
    gone = admin.post(f"/plans/{copy.key}/withdraw", data={"reason": "重复上传", "confirm": "y"})
    assert gone.status_code == 302 and gone.location.endswith("/plans")
    twice = admin.post(f"/plans/{copy.key}/withdraw", data={"reason": "重复上传", "confirm": "y"})  # a double click
    assert twice.status_code == 302 and "此规划已撤回" in admin.get(twice.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Plan, copy_id) is None
    assert not db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == copy_id)).all()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "plan:withdraw"))
    assert entry.reason == "重复上传" and entry.changes["key"] == ["longnan-county-15-copy", None]
    assert "撤回规划：" in strip_tags(admin.get("/admin/audit?action=plan:withdraw").get_data(as_text=True))
    # A list or a saved view that named it says so in words.
    assert "没有编号为 longnan-county-15-copy 的规划" in admin.get("/projects?plan=longnan-county-15-copy").get_data(
        as_text=True)


def test_a_plans_page_points_to_its_indicators_awaiting_confirmation(admin, db, plan):
    """The page said 此规划没有主要指标表 while the text's indicator waited on the review page."""
    page = admin.get(f"/plans/{plan.key}").get_data(as_text=True)
    assert "从原文找到 1 个主要指标，待确认后列入" in page
    assert f'href="/plans/{plan.key}/candidates#indicators"' in page
    assert "此规划没有主要指标表" not in page  # said right under it, while one waited
    # The plans list counts what waits on the review page: its projects and its indicator.
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(PlanCandidate).where(
        PlanCandidate.plan_id == plan.id, PlanCandidate.decision.is_(None)))
    kinds = set(db.session.scalars(sa.select(PlanCandidate.kind).where(PlanCandidate.plan_id == plan.id)))
    assert kinds == {"project", "indicator"}
    listing = admin.get("/plans").get_data(as_text=True)
    row = listing[listing.index(f'href="/plans/{plan.key}"'):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'<td class="number">(?:<a [^>]*>)?(\d+)', row)[-1] == str(waiting), row


def test_an_indicators_lines_are_cited_once_each_in_order(admin, db, plan):
    """Its cells' lines read "14 15 17 16 18" (the cells in the order read), a line twice as "32 32"."""
    indicator = db.session.scalar(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id,
                                                                 PlanCandidate.kind == "indicator"))
    assert admin.post(f"/plans/{plan.key}/candidates/{indicator.id}/accept-indicator").status_code == 302
    for url in (f"/plans/{plan.key}", "/regions/360783"):
        page = admin.get(url).get_data(as_text=True)
        lines = [int(line) for line in re.findall(rf'/plans/{plan.key}/text#L(\d+)"', page)]
        assert lines and lines == sorted(set(lines)), (url, lines)


def test_an_officer_corrects_his_regions_plan_but_cannot_move_it_elsewhere(app, db, plan, make_user):
    officer = app.test_client()
    login_as(officer, make_user("officer", "360783", username="ln-officer-intake"))
    data = {"title": plan.title, "region": "360783", "period": "2026-2030", "version": str(plan.version)}
    moved = officer.post(f"/plans/{plan.key}/edit", data={**data, "region": "360900"})
    assert moved.status_code == 400 and "规划只能属于您负责的地区" in moved.get_data(as_text=True)
    saved = officer.post(f"/plans/{plan.key}/edit", data={**data, "issuer": "龙南市卫生健康委员会"})
    assert saved.status_code == 302
    db.session.refresh(plan)
    assert plan.issuer == "龙南市卫生健康委员会" and plan.region.code == "360783"


def test_the_kind_offered_agrees_with_the_seeds_for_nine_projects_in_ten():
    """Every candidate was accepted as 工程建设: half of the seed's named projects are programmes,
    IT platforms or grade awards, which the construction totals leave out."""
    from pathlib import Path

    import yaml

    from tracker.plans.services import guess_kind

    projects = [project for path in sorted(Path(__file__).resolve().parents[1].glob("seed/*.yaml"))
                for project in yaml.safe_load(path.read_text(encoding="utf-8")).get("projects", [])
                if project.get("kind")]
    agree = [project["name"] for project in projects if guess_kind(project["name"], project.get("scope")) == project["kind"]]
    assert len(projects) > 200 and len(agree) >= 0.9 * len(projects), (len(agree), len(projects))


def test_a_building_named_like_a_programme_is_offered_as_construction_by_what_the_plan_gives_it(admin, db):
    """"…产科能力提升建设项目" (改扩建, 床位80张) and "…卫生室标准化建设项目" (新建, 101 平方米) were
    offered as 专项工程/行动 by their names: accepted so, they left the construction totals."""
    text = "\n".join([
        "# 龙南市“十五五”卫生健康事业发展规划", "", "## 二、重点项目", "",
        "| 序号 | 项目名称 | 建设性质 | 建设规模 | 总投资（万元） |", "|---|---|---|---|---|",
        "| 1 | 龙南市妇幼保健院产科能力提升建设项目 | 改扩建 | 床位80张 | 6000 |",
        "| 2 | 龙南市里仁镇第1村卫生室标准化建设项目 | 新建 | 建筑面积101平方米 | 21 |",
        "| 3 | 龙南市基层医疗卫生服务能力提升工程 | | | 3000 |", ""])
    response = upload(admin, key="longnan-kinds-15", document=(io.BytesIO(text.encode("utf-8")), "规划.md"))
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-kinds-15"))
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    for name, kind in (("龙南市妇幼保健院产科能力提升建设项目", "construction"),
                       ("龙南市里仁镇第1村卫生室标准化建设项目", "construction"),
                       ("龙南市基层医疗卫生服务能力提升工程", "programme")):
        found = candidate(db, plan, name)
        offered = re.search(rf'id="candidate-{found.id}".*?<select name="kind">(.*?)</select>', page, re.S)
        assert offered and f'<option value="{kind}" selected>' in offered.group(1), (name, kind)


def test_a_platform_found_in_a_plan_is_offered_and_accepted_as_one_outside_the_construction_totals(admin, db, plan):
    lines = ["## 重点项目", "建设龙南市全民健康信息平台，总投资800万元。"]
    from tracker.audit.services import CLI
    from tracker.plans import services as plans

    platform_plan = plans.add_plan(CLI, plans.check_plan(key="longnan-platform", title="龙南市信息化规划",
                                                         region="360783", period="十五五"), lines=lines,
                                   filename="p.txt")
    db.session.commit()
    found = candidate(db, platform_plan, "龙南市全民健康信息平台")
    page = admin.get(f"/plans/{platform_plan.key}/candidates").get_data(as_text=True)
    assert '<option value="it_platform" selected>' in page
    response = admin.post(f"/plans/{platform_plan.key}/candidates/{found.id}/accept",
                          data={**accept_form(found), "kind": "it_platform"})
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市全民健康信息平台"))
    assert project.kind.value == "it_platform"
    admin.get(response.location)  # (its flash names it)
    assert "龙南市全民健康信息平台" not in admin.get(f"/projects?plan={platform_plan.key}").get_data(as_text=True)
    assert "龙南市全民健康信息平台" in admin.get(f"/projects?plan={platform_plan.key}&kind=all").get_data(as_text=True)


def test_a_project_already_tracked_under_the_same_name_is_merged_not_accepted_twice(admin, db, plan):
    """临夏县's hospital, in the county's second draft of its plan, was accepted as a second project
    of the same name beside the one accepted from the first: the page said 可能是已有项目 and
    took the click anyway."""
    hospital = candidate(db, plan, "龙南市人民医院传染病区改扩建项目")
    admin.post(f"/plans/{plan.key}/candidates/{hospital.id}/accept", data=accept_form(hospital))
    revised = (LONGNAN_COUNTY_15 + "\n（第二稿）\n").encode("utf-8")
    upload(admin, key="longnan-county-15-b", title=REVISED, document=(io.BytesIO(revised), "第二稿.md"))
    draft = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-county-15-b"))
    again = candidate(db, draft, "龙南市人民医院传染病区改扩建项目")
    response = admin.post(f"/plans/{draft.key}/candidates/{again.id}/accept", data=accept_form(again))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "已有同名项目《龙南市人民医院传染病区改扩建项目》" in page
    same_name = sa.select(sa.func.count()).where(Project.name == "龙南市人民医院传染病区改扩建项目")
    assert db.session.scalar(same_name) == 1
    tracked = db.session.scalar(sa.select(Project).where(Project.name == "龙南市人民医院传染病区改扩建项目"))
    merged = admin.post(f"/plans/{draft.key}/candidates/{again.id}/merge", data={"project_id": str(tracked.id)})
    assert merged.status_code == 302 and db.session.scalar(same_name) == 1
    assert {p.key for p in tracked.plans} == {plan.key, draft.key}


def test_once_every_candidate_is_decided_the_page_leads_to_the_plans_projects(admin, db, plan):
    for item in db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id,
                                                                  PlanCandidate.kind == "project")):
        if item.data["name"] == "杨村镇卫生院迁建项目":
            admin.post(f"/plans/{plan.key}/candidates/{item.id}/accept", data=accept_form(item))
        else:
            admin.post(f"/plans/{plan.key}/candidates/{item.id}/reject", data={"reason": "不属于本县"})
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    assert "没有待确认的项目" in page and f'href="/projects?plan={plan.key}&amp;kind=all"' in page


def test_two_uploads_taking_the_same_key_at_once_refuse_the_second_in_words(admin, db, plan, monkeypatch):
    """Two officers adding their county's plan in the same instant, the key left blank: both were
    given the same free key; the second insert was a unique-index failure (a 500)."""
    from tracker.plans import services as plans

    checked = plans.check_plan
    monkeypatch.setattr(plans, "check_plan", lambda **kwargs: dataclasses.replace(checked(**kwargs), key=plan.key))
    revised = (LONGNAN_COUNTY_15 + "\n（同时提交）\n").encode("utf-8")
    response = upload(admin, key="", title=REVISED, document=(io.BytesIO(revised), "同时提交.md"))
    assert response.status_code == 400
    assert f"编号 {plan.key} 刚刚被另一个规划使用" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(Plan.key == plan.key)) == 1


def test_a_period_that_contradicts_the_title_is_refused_and_a_blank_one_is_the_titles(admin, db):
    """A 十五五 plan entered as 2021-2025 (the last plan's period, typed from habit)."""
    page = upload(admin, key="wrong-period", period="2021-2025").get_data(as_text=True)
    assert "规划名称写的是“十五五”（2026—2030），与所填规划期 2021—2025 不符" in page
    assert upload(admin, key="blank-period", period="").status_code == 302
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "blank-period"))
    assert (plan.period_start, plan.period_end) == (2026, 2030)


def test_an_indicator_read_wrongly_is_corrected_then_accepted_within_its_quotes(admin, db, plan):
    """An indicator could only be accepted as read or rejected (and no indicator can be added by
    hand): one read wrongly was lost. Corrected, its values must still be the plan's."""
    indicator = db.session.scalar(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id,
                                                                 PlanCandidate.kind == "indicator"))
    assert (indicator.data["comparator"], indicator.data["target"], indicator.data["baseline"]) == ("≤", "14", "15")
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    assert f'href="/plans/{plan.key}/candidates/{indicator.id}/indicator"' in page
    form = admin.get(f"/plans/{plan.key}/candidates/{indicator.id}/indicator").get_data(as_text=True)
    assert 'value="孕产妇死亡率"' in form and "“孕产妇死亡率”" in form
    data = {"name": "孕产妇死亡率", "unit": "1/10万", "baseline": "15", "baseline_year": "2025",
            "target": "12", "target_year": "2030", "nature": "binding"}
    refused = admin.post(f"/plans/{plan.key}/candidates/{indicator.id}/indicator", data=data)
    assert refused.status_code == 400 and "“12”不在所引的原文中" in refused.get_data(as_text=True)
    assert db.session.get(PlanCandidate, indicator.id).decision is None
    accepted = admin.post(f"/plans/{plan.key}/candidates/{indicator.id}/indicator", data={**data, "target": "14"})
    assert accepted.status_code == 302
    db.session.refresh(plan)
    kept = plan.indicators[0]
    assert (kept.name, kept.unit, kept.comparator, kept.target, kept.nature.value) == ("孕产妇死亡率", "1/10万", "≤", "14",
                                                                                     "binding")
    history = strip_tags(admin.get("/admin/audit?action=plan:candidate-accepted").get_data(as_text=True))
    assert "单位：/10万→1/10万" in history and "目标值" not in history  # the target as read


# A county's plan whose targets are written in a sentence, not in a 主要指标 table: the reading
# finds none of them.
PROSE_TARGETS = """# 龙南市“十五五”卫生健康事业发展规划（征求意见稿）

## 一、发展目标

到2030年，每千人口医疗卫生机构床位数由2025年的6.2张提高到7.5张，每千人口执业（助理）医师数达到3.6人。
"""


@pytest.fixture()
def prose_plan(admin, db) -> Plan:
    response = upload(admin, key="longnan-prose-15",
                      document=(io.BytesIO(PROSE_TARGETS.encode("utf-8")), "征求意见稿.txt"))
    assert response.status_code == 302, response.get_data(as_text=True)
    found = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-prose-15"))
    assert not found.indicators and not db.session.scalar(sa.select(PlanCandidate.id).where(
        PlanCandidate.plan_id == found.id, PlanCandidate.kind == "indicator"))
    return found


BEDS = {"lines": "5", "section": "医疗资源", "name": "每千人口医疗卫生机构床位数", "unit": "张",
        "baseline": "6.2", "baseline_year": "2025", "target": "7.5", "target_year": "2030", "nature": "expected"}


def test_an_indicator_the_reading_missed_is_added_by_hand_citing_its_line(admin, db, prose_plan):
    """A plan's targets written in a sentence gave no indicator, and none could be added: its
    终期评估 had nothing to evaluate. Added by hand, each rests on the line it is printed on."""
    for page in (f"/plans/{prose_plan.key}", f"/plans/{prose_plan.key}/candidates"):
        assert f'href="/plans/{prose_plan.key}/indicators/new"' in admin.get(page).get_data(as_text=True), page
    assert admin.get(f"/plans/{prose_plan.key}/indicators/new").status_code == 200
    # Every problem at once: a line the text has not, a target not printed, no name.
    refused = admin.post(f"/plans/{prose_plan.key}/indicators/new",
                         data={**BEDS, "lines": "99", "name": "", "target": ""})
    page = strip_tags(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "原文没有第99行（共5行）" in page and "请填写指标名称" in page and "请按原文填写目标值" in page
    assert page.count("请填写指标名称") == 2  # the summary and the field: once each
    not_printed = admin.post(f"/plans/{prose_plan.key}/indicators/new", data={**BEDS, "target": "≥8"})
    assert not_printed.status_code == 400 and "“8”不在所引的原文中" in not_printed.get_data(as_text=True)
    # A digit inside another figure is not the figure: "5" is in "2025年" and "7.5张", printed nowhere.
    inside = admin.post(f"/plans/{prose_plan.key}/indicators/new", data={**BEDS, "target": "5", "baseline": "6"})
    assert inside.status_code == 400
    assert "“5”不在所引的原文中" in inside.get_data(as_text=True) and "“6”不在所引的原文中" in inside.get_data(as_text=True)
    assert admin.post(f"/plans/{prose_plan.key}/indicators/new", data={**BEDS, "lines": "1-9"}).status_code == 400
    added = admin.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS)
    assert added.status_code == 302
    db.session.refresh(prose_plan)
    [kept] = prose_plan.indicators
    assert (kept.name, kept.unit, kept.baseline, kept.baseline_year, kept.comparator, kept.target,
            kept.target_year, kept.nature.value) == ("每千人口医疗卫生机构床位数", "张", "6.2", 2025, None, "7.5",
                                                     2030, "expected")
    assert [source["line"] for source in kept.sources] == [5]
    assert kept.sources[0]["quote"].startswith("到2030年，每千人口医疗卫生机构床位数")
    # Sent twice (a double click): one indicator, and the second is told so, not refused.
    again = admin.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS, follow_redirects=True)
    assert "已添加，无需重复保存" in again.get_data(as_text=True)
    # The same name with other values is another indicator's name.
    clash = admin.post(f"/plans/{prose_plan.key}/indicators/new", data={**BEDS, "target": "6.2"})
    assert clash.status_code == 400 and "此规划已有指标“每千人口医疗卫生机构床位数”" in clash.get_data(as_text=True)
    doctors = admin.post(f"/plans/{prose_plan.key}/indicators/new",
                         data={"lines": "5", "name": "每千人口执业（助理）医师数", "unit": "人", "target": "≥3.6"})
    assert doctors.status_code == 302
    db.session.refresh(prose_plan)
    assert [(i.name, i.comparator, i.target) for i in prose_plan.indicators] == [
        ("每千人口医疗卫生机构床位数", None, "7.5"), ("每千人口执业（助理）医师数", "≥", "3.6")]
    page = admin.get(f"/plans/{prose_plan.key}").get_data(as_text=True)
    assert f'/plans/{prose_plan.key}/text#L5"' in page
    evaluation = strip_tags(admin.get(f"/plans/{prose_plan.key}/evaluation").get_data(as_text=True))
    assert "每千人口执业（助理）医师数" in evaluation
    history = strip_tags(admin.get("/admin/audit?action=indicator:create").get_data(as_text=True))
    assert "新增规划指标：每千人口医疗卫生机构床位数（龙南市“十五五”卫生健康事业发展规划）" in history
    assert "目标值：（空）→7.5" in history.replace(" ", "")


def test_an_indicator_added_by_mistake_is_removed_after_a_confirmation_until_actuals_rest_on_it(
        admin, db, prose_plan):
    assert admin.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS).status_code == 302
    db.session.refresh(prose_plan)
    [indicator] = prose_plan.indicators
    url = f"/plans/{prose_plan.key}/indicators/{indicator.id}/remove"
    assert url in admin.get(f"/plans/{prose_plan.key}").get_data(as_text=True)
    unconfirmed = admin.post(url, data={"reason": "重复"})
    assert unconfirmed.status_code == 400 and "请勾选确认后再删除" in unconfirmed.get_data(as_text=True)
    assert admin.post(url, data={"confirm": "y", "reason": "误加"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(indicator), indicator.id) is None
    again = admin.post(url, data={"confirm": "y", "reason": "误加"}, follow_redirects=True)
    assert "此指标已删除" in again.get_data(as_text=True)
    # An id no indicator ever had is not "already removed": it is not found.
    never = admin.post(f"/plans/{prose_plan.key}/indicators/{indicator.id + 1000}/remove",
                       data={"confirm": "y", "reason": "误加"})
    assert never.status_code == 404
    history = strip_tags(admin.get("/admin/audit?action=indicator:delete").get_data(as_text=True))
    assert "删除规划指标：每千人口医疗卫生机构床位数" in history and "误加" in history
    # Once an actual value rests on it, it stays.
    assert admin.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS).status_code == 302
    db.session.refresh(prose_plan)
    [indicator] = prose_plan.indicators
    answer = admin.post(f"/plans/{prose_plan.key}/evaluation/actuals",
                        data={"indicator": indicator.id, "year": "2025", "value": "7.6", "source": "2025年统计公报"})
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)
    db.session.refresh(indicator)
    assert indicator.actuals
    kept = admin.post(f"/plans/{prose_plan.key}/indicators/{indicator.id}/remove", data={"confirm": "y", "reason": "x"})
    assert kept.status_code == 409 and "此指标已填报实际值，不能删除" in kept.get_data(as_text=True)


def test_a_removal_page_left_open_never_removes_the_indicator_added_after(admin, db, prose_plan):
    """Two tabs open on one indicator's removal page; the first removes it, then another indicator
    is added. On SQLite the new one took the removed one's id (the largest plus one), and the
    second tab's confirmation removed it: the page names what it removes, and an indicator of
    another name under that id is not it."""
    assert admin.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS).status_code == 302
    db.session.refresh(prose_plan)
    [beds] = prose_plan.indicators
    url = f"/plans/{prose_plan.key}/indicators/{beds.id}/remove"
    page = admin.get(url).get_data(as_text=True)
    assert f'name="name" type="hidden" value="{BEDS["name"]}"' in page or f'value="{BEDS["name"]}"' in page
    stale = {"confirm": "y", "reason": "误加", "name": BEDS["name"]}
    assert admin.post(url, data=stale).status_code == 302
    doctors = {**BEDS, "name": "每千人口执业（助理）医师数", "unit": "人", "baseline": "", "baseline_year": "",
               "target": "3.6"}
    added = admin.post(f"/plans/{prose_plan.key}/indicators/new", data=doctors)
    assert added.status_code == 302, added.get_data(as_text=True)
    db.session.expire_all()
    [kept] = db.session.get(Plan, prose_plan.id).indicators
    # The page left open posts to the address it was opened at (on SQLite, the new indicator's).
    late = admin.post(url, data=stale, follow_redirects=True)
    assert "此指标已删除" in late.get_data(as_text=True)
    db.session.expire_all()
    assert [i.name for i in db.session.get(Plan, prose_plan.id).indicators] == ["每千人口执业（助理）医师数"]


def test_a_seed_plans_indicators_and_another_regions_plan_are_not_changed_here(app, db, admin, prose_plan,
                                                                              make_user):
    seed_plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    assert admin.get(f"/plans/{seed_plan.key}/indicators/new").status_code == 403
    assert admin.post(f"/plans/{seed_plan.key}/indicators/new", data=BEDS).status_code == 403
    if seed_plan.indicators:
        assert admin.post(f"/plans/{seed_plan.key}/indicators/{seed_plan.indicators[0].id}/remove",
                          data={"confirm": "y", "reason": "x"}).status_code == 409
    outsider = app.test_client()
    login_as(outsider, make_user("officer", "360900", username="gz-officer-indicators"))
    assert outsider.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS).status_code == 403
    db.session.refresh(prose_plan)
    assert not prose_plan.indicators


def test_an_accepted_indicator_removed_goes_back_to_review(admin, db, plan):
    """Removing an indicator accepted as read (a column read wrongly) left its candidate marked
    已采纳 with nothing to show for it: it is offered again, to be accepted corrected."""
    candidate = db.session.scalar(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id,
                                                                 PlanCandidate.kind == "indicator"))
    assert admin.post(f"/plans/{plan.key}/candidates/{candidate.id}/accept-indicator").status_code == 302
    db.session.refresh(plan)
    [indicator] = plan.indicators
    assert admin.post(f"/plans/{plan.key}/indicators/{indicator.id}/remove",
                      data={"confirm": "y", "reason": "基期值读错了列"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanCandidate, candidate.id).decision is None
    page = admin.get(f"/plans/{plan.key}/candidates").get_data(as_text=True)
    assert f"/plans/{plan.key}/candidates/{candidate.id}/indicator" in page
    assert admin.post(f"/plans/{plan.key}/candidates/{candidate.id}/accept-indicator").status_code == 302
    db.session.refresh(plan)
    assert [i.name for i in plan.indicators] == ["孕产妇死亡率"]


def test_an_upload_that_would_take_minutes_or_the_servers_memory_is_stopped_with_a_reason(app, admin, db, tmp_path,
                                                                                         monkeypatch):
    """A Word or PDF file is read in a process of its own, under a limit of CPU time and of memory:
    a PDF whose one page unpacks to 400 MB (2 MB sent), or whose drawing takes minutes to read,
    stops there with the reason, and the tracker goes on serving the others meanwhile."""
    import zlib

    from .test_plan_documents import pdf_of

    monkeypatch.setitem(app.config, "PLAN_READER_MEMORY", 256 * 1024 * 1024)
    monkeypatch.setitem(app.config, "PLAN_READER_SECONDS", 1)
    squeezed = zlib.compressobj(1)
    bomb = b"".join(squeezed.compress(b" " * 1024 * 1024) for _ in range(400)) + squeezed.flush()
    heavy, slow = tmp_path / "heavy.pdf", tmp_path / "slow.pdf"
    pdf_of(heavy, b"", compressed=bomb)
    assert heavy.stat().st_size < 2_000_000
    # Thousands of ruled lines crossing each other on each page: a table's search takes seconds.
    drawing = b"BT /F1 12 Tf 72 720 Td (plan) Tj ET\n" + b"".join(
        b"%d 0 m %d 842 l S 0 %d m 595 %d l S\n" % (x % 595, x % 595, x % 842, x % 842) for x in range(0, 60_000, 3))
    pdf_of(slow, drawing)
    # Each limit alone: on a slow or busy machine unpacking the 400 MB took over a second of CPU
    # and the time limit, not the memory limit, stopped it (a CI run on PostgreSQL).
    for path, reason, seconds in ((heavy, "内存", 60), (slow, "秒", 1)):
        monkeypatch.setitem(app.config, "PLAN_READER_SECONDS", seconds)
        response = upload(admin, key=f"stopped-{path.stem}", document=(io.BytesIO(path.read_bytes()), "规划.pdf"))
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "读取这个文件" in page and reason in page, page[-3000:]
    assert db.session.scalar(sa.select(Plan).where(Plan.key.like("stopped-%"))) is None
    # A plan's PDF is read there as in the server, its project table with it.
    from .test_plan_documents import PROJECT_TABLE_HEADER, print_plan

    printed = tmp_path / "plan.pdf"
    print_plan(printed, ["龙南市“十五五”卫生健康事业发展规划", "四、重点建设项目"],
               [PROJECT_TABLE_HEADER, ["1", "龙南市中医院迁建项目", "龙南市", "新建业务用房", "32000", "2026-2029"]])
    added = upload(admin, key="read-in-a-child", document=(io.BytesIO(printed.read_bytes()), "规划.pdf"))
    assert added.status_code == 302, added.get_data(as_text=True)[-3000:]
    found = {candidate.data.get("name"): candidate.data for candidate in db.session.scalars(
        sa.select(PlanCandidate).join(Plan).where(Plan.key == "read-in-a-child"))}
    assert found["龙南市中医院迁建项目"]["total_investment_wan_yuan"] == "32000", found


def test_a_text_without_paragraphs_or_far_longer_than_a_plan_is_refused_before_it_is_read_for_projects(admin, db):
    """The extractor's work grows with the text: a plan runs to ~25,000 characters, its longest
    paragraph ~600 (the seeds'). A file of one line of 30,000 characters (a text saved without its
    paragraphs, or a hostile one), or of more characters than twenty plans, is refused with the
    reason; a 1 MB line used to hold the server for 253 s."""
    one_line = ("新建县人民医院迁建项目，总投资约1200万元，" * 1500).encode("utf-8")
    refused = upload(admin, key="one-line", document=(io.BytesIO(one_line), "规划.txt"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "第 1 行有 34,500 个字，超过一段规划文字的上限（10,000 字）" in page, page[-2000:]
    long_text = ("推进县人民医院迁建项目建设。\n" * 40_000).encode("utf-8")
    refused = upload(admin, key="too-long", document=(io.BytesIO(long_text), "规划.txt"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "文件有 560,000 个字，超过一份规划正文的上限（500,000 字）" in page, page[-2000:]
    assert db.session.scalar(sa.select(Plan).where(Plan.key.in_(["one-line", "too-long"]))) is None


def test_a_whole_plan_of_more_than_twenty_thousand_characters_is_added(admin, db):
    """Yichun's 十四五 plan (23,344 characters, the longest seed) added by an office as its own:
    it was refused with "不能超过 20000 个字" under no field, the limit of a free-text column, so no
    real plan of a city could be added. Its whole text is kept, line for line."""
    from .conftest import SHARED_SEEDS

    path = SHARED_SEEDS / "000_dfb8ccd5e9df308d.txt"
    added = upload(admin, key="yichun-again", title="宜春市卫生健康事业发展“十四五”规划", region="360900",
                   period="十四五", document=(io.BytesIO(path.read_bytes()), "宜春市规划.txt"))
    assert added.status_code == 302, re.findall(r'role="alert"[^>]*>(.*?)</', added.get_data(as_text=True), re.S)
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "yichun-again"))
    assert plan.document.text.split("\n") == read_lines(path) and len(plan.document.text) > 23_000


def test_an_actual_sent_from_a_page_left_open_never_lands_on_the_indicator_added_after(admin, db, prose_plan):
    """An evaluation page open on an indicator; meanwhile the indicator is removed and another is
    added. SQLite gave the new indicator the removed one's id (the largest plus one), so the
    actual entered for the removed one was saved on the new one, and the removal's trail read as
    the new one's: a removed indicator's, plan's or project's id is never given again."""
    assert admin.post(f"/plans/{prose_plan.key}/indicators/new", data=BEDS).status_code == 302
    removed = db.session.scalar(sa.select(PlanIndicator).where(PlanIndicator.plan_id == prose_plan.id))
    removed_id = removed.id
    assert admin.post(f"/plans/{prose_plan.key}/indicators/{removed_id}/remove",
                      data={"name": BEDS["name"], "reason": "误加的指标", "confirm": "y"}).status_code == 302
    doctors = {"lines": "5", "name": "每千人口执业（助理）医师数", "unit": "人", "target": "≥3.6"}
    assert admin.post(f"/plans/{prose_plan.key}/indicators/new", data=doctors).status_code == 302
    added = db.session.scalar(sa.select(PlanIndicator).where(PlanIndicator.plan_id == prose_plan.id))
    assert added.id != removed_id
    stale = admin.post(f"/plans/{prose_plan.key}/evaluation/actuals",
                       data={"indicator": str(removed_id), "year": "2025", "value": "3.1", "source": "统计公报"},
                       follow_redirects=True)
    assert "请选择本规划的指标" in stale.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanIndicatorActual)) == 0
    # Nor does a plan or a project inherit the id of one deleted before it.
    for model, make in ((Plan, lambda: Plan(key="gone-plan", title="删除的规划", region_id=prose_plan.region_id)),
                        (Project, lambda: Project(name="删除的项目", region_id=prose_plan.region_id,
                                                  kind=Kind.CONSTRUCTION, category=Category.CDC))):
        first = make()
        db.session.add(first)
        db.session.flush()
        first_id = first.id
        db.session.delete(first)
        db.session.flush()
        second = make()
        db.session.add(second)
        db.session.flush()
        assert second.id != first_id, model


def test_a_title_printed_over_two_lines_is_read_whole():
    """A PDF's title set large wraps: "定南县“十五五”卫生健康事业" / "发展规划". Its name is both lines;
    a letterhead above a whole title is not part of it."""
    from tracker.plans.services import title_line

    assert title_line(["定南县“十五五”卫生健康事业", "发展规划", "", "一、发展基础"]) == (
        1, "定南县“十五五”卫生健康事业发展规划")
    assert title_line(["定南县卫生健康委员会文件", "定卫字〔2026〕12号", "定南县“十五五”卫生健康事业发展规划"]) == (
        3, "定南县“十五五”卫生健康事业发展规划")
    assert title_line(["# 龙南市“十五五”卫生健康事业发展规划", "", "## 一、主要指标"]) == (1, "龙南市“十五五”卫生健康事业发展规划")
    assert title_line(["一、主要指标", "孕产妇死亡率降至14/10万以下。"]) is None


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_the_seed_documents_give_their_titles_not_their_notices_or_chapters():
    """As offices send them: under the notice that issues it ("宜春市人民政府办公室关于印发" /
    "宜春市“十四五”卫生健康发展规划的通知", "关于印发…工作要点的通知", "《…》" / "的通知"), or
    with no title before its first chapter ("第1章 规划背景": no name, the form asks)."""
    from tracker.plans.services import title_line

    titles = {path.name[:3]: title_line(read_lines(path)) for path in sorted(SHARED_SEEDS.glob("*.txt"))}
    assert {key: found and found[1] for key, found in titles.items()} == {
        "000": "宜春市“十四五”卫生健康发展规划", "001": "2021年宜春市卫生健康工作要点", "002": None,
        "003": "南通市海门区“十四五”卫生健康发展规划", "004": None}


@pytest.mark.parametrize("content, told", [(b"", "文件是空的"), (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "文字编码")])
def test_a_file_that_cannot_be_read_is_the_one_problem_told_when_the_facts_were_left_to_it(admin, db, content, told):
    """An empty or a binary file, with the name, region and period left blank to be read from it,
    was told 请填写规划名称 and 规划期应写作… beside the file's own problem, though the hints say
    these may be left blank."""
    response = upload(admin, title="", region="", period="", document=(io.BytesIO(content), "规划.txt"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert told in page, page[-2000:]
    assert "请填写规划名称" not in page and "规划期应写作" not in page and "请填写行政区划" not in page
    # A fact typed wrong is still told: it was not left to the file.
    typed = upload(admin, title="", region="999999", period="", document=(io.BytesIO(content), "规划.txt"))
    assert "999999" in typed.get_data(as_text=True)


def test_a_mastheads_issuer_and_date_are_read_beside_its_document_number(admin, db):
    """A plan printed as offices print them, its masthead unlabelled ("宜春市人民政府办公室" /
    "宜府办发〔2026〕41号" / "2026年12月1日"): its 文号 was read, its issuer and date said 未填报."""
    text = LONGNAN_COUNTY_15.replace(
        "# 龙南市“十五五”卫生健康事业发展规划\n",
        "# 龙南市“十五五”卫生健康事业发展规划\n\n龙南市人民政府办公室\n\n龙府办发〔2026〕7号\n\n2026年12月1日\n", 1)
    response = upload(admin, key="longnan-masthead-15", document=(io.BytesIO(text.encode("utf-8")), "规划.md"))
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-masthead-15"))
    assert (plan.doc_number, plan.issuer, plan.issued_date) == ("龙府办发〔2026〕7号", "龙南市人民政府办公室",
                                                                 dt.date(2026, 12, 1))


@pytest.mark.parametrize("name, category", [
    ("宜春市第三人民医院心理卫生综合大楼", "mental_health"), ("海门区老年医院（二级）", "elderly_care"),
    ("悦来镇农村区域性医疗卫生中心", "township_clinic"), ("宜春市人民医院外科大楼", "general_hospital"),
])
def test_a_candidates_category_is_suggested_by_the_words_its_kind_is_printed_in(name, category):
    """A planner's walk: a 心理卫生综合大楼 was offered as 综合医院, a 老年医院 as 综合医院, a 农村区域性
    医疗卫生中心 as 其他, each accepted unnoticed unless changed."""
    from tracker.plans.services import guess_category

    assert guess_category(name) == category


# A county's 十五五 plan whose table names a project carried on from the 14th (续建) and a
# centre whose investment is printed as a range.
YIFENG_15 = """# 宜丰县“十五五”卫生健康事业发展规划

## 重点项目

| 序号 | 项目名称 | 建设内容 | 总投资 |
|---|---|---|---|
| 1 | 宜丰县康复医院建设项目（续建） | 建筑面积8000平方米 | 6000万元 |
| 2 | 宜丰县120急救指挥中心 | 建筑面积2500平方米 | 约1.2—1.5亿元 |
"""


@pytest.fixture()
def yifeng(admin, db) -> Plan:
    from tracker.regions.models import Region

    from . import factories

    city = db.session.scalar(sa.select(Region).where(Region.code == "360900"))
    factories.region("360924", "宜丰县", city)  # the seed's regions stop at 宜春市
    db.session.commit()
    response = upload(admin, key="yifeng-15", title="宜丰县“十五五”卫生健康事业发展规划", region="360924",
                      document=(io.BytesIO(YIFENG_15.encode("utf-8")), "宜丰规划.md"))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Plan).where(Plan.key == "yifeng-15"))


def test_a_project_tracked_after_the_upload_is_hinted_and_not_accepted_twice(admin, db, yifeng):
    """A QA walk's complaint: 宜丰县康复医院 was made by hand after the plan was uploaded; its
    candidate "宜丰县康复医院建设项目（续建）" was never hinted as 可能是已有项目 (worked out once, at
    the upload), and accepting it made a second project beside the first (only the exact name was
    refused)."""
    from tracker.regions.models import Region

    from . import factories

    yifeng_county = db.session.scalar(sa.select(Region).where(Region.code == "360924"))
    tracked = factories.project(yifeng_county, name="宜丰县康复医院")
    db.session.commit()
    rehab = candidate(db, yifeng, "宜丰县康复医院建设项目（续建）")
    page = admin.get(f"/plans/{yifeng.key}/candidates").get_data(as_text=True)
    section = page.split(f'id="candidate-{rehab.id}"')[1].split("</section>")[0]
    assert "可能是已有项目" in section and f"/projects/{tracked.id}" in section
    assert re.search(rf'name="project_id" value="{tracked.id}"', section)  # the merge offered

    refused = admin.post(f"/plans/{yifeng.key}/candidates/{rehab.id}/accept", data=accept_form(rehab))
    assert refused.status_code == 400
    told = refused.get_data(as_text=True)
    assert f"《宜丰县康复医院》（编号 {tracked.id}）" in told and "并入已有项目" in told
    others = sa.select(sa.func.count()).select_from(Project).where(Project.name.contains("宜丰县康复医院"))
    assert db.session.scalar(others) == 1
    # A different project after all (a second 院区 the plan prints alike): said so, it is accepted.
    accepted = admin.post(f"/plans/{yifeng.key}/candidates/{rehab.id}/accept",
                          data={**accept_form(rehab), "different": "y"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    assert db.session.scalar(others) == 2


def test_an_investment_printed_as_a_range_in_its_table_cell_is_quoted_and_either_end_taken_as_about(admin, db, yifeng):
    """A QA walk's complaint: 宜丰县120急救指挥中心's 总投资 cell "约1.2—1.5亿元" vanished: no quote,
    12000 or 15000 refused as 不在所引的原文语句中, and the project then said the plan prints no
    investment. A range is no one figure (as in a sentence), but its cell is the figure's quote,
    and either end typed is kept as 约."""
    centre = candidate(db, yifeng, "宜丰县120急救指挥中心")
    assert centre.data.get("total_investment_wan_yuan") is None
    assert any(source["quote"] == "约1.2—1.5亿元" and "total_investment_wan_yuan" in source["fields"]
               for source in centre.data["sources"])
    page = admin.get(f"/plans/{yifeng.key}/candidates").get_data(as_text=True)
    assert "“约1.2—1.5亿元”" in page.split(f'id="candidate-{centre.id}"')[1].split("</section>")[0]
    accepted = admin.post(f"/plans/{yifeng.key}/candidates/{centre.id}/accept",
                          data=accept_form(centre, total_investment_wan_yuan="15000"))
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    project = db.session.scalar(sa.select(Project).where(Project.name == "宜丰县120急救指挥中心"))
    assert (project.total_investment, project.total_investment_approx) == (15000, True)
    # The lower end is as printed too.
    from tracker.plans.services import check_provenance, cite_typed, plan_lines
    data = cite_typed({**centre.data, "total_investment_wan_yuan": "12000"}, ["total_investment_wan_yuan"],
                      plan_lines(yifeng))
    check_provenance(yifeng, data)
    assert data["total_investment_approx"] is True


def test_a_years_work_points_take_their_year_as_the_period(admin, db):
    """A QA walk's complaint: "2027年龙南市卫生健康工作要点" with 规划期 blank was refused though the
    hint says a blank is taken from the name, and "2027" typed was refused as no period. A year's
    工作要点 is a period of one year; a refused form says its file must be chosen again."""
    text = "2027年龙南市卫生健康工作要点\n\n一、推进龙南市人民医院传染病大楼建设。\n"

    def points(**fields):  # each its own text: the same text is not added twice
        document = (text + fields["key"] + "\n").encode("utf-8")
        return upload(admin, **{"title": "", "region": "", "document": (io.BytesIO(document), "要点.txt"), **fields})

    refused = points(key="points-bad", period="27")
    assert refused.status_code == 400
    told = refused.get_data(as_text=True)
    assert "“2027”" in told  # the hint and the message name a single year
    assert "请重新选择文件（要点.txt）" in told  # the chosen file is not kept by the browser
    assert points(key="points-blank", period="").status_code == 302
    assert points(key="points-typed", title="龙南市卫生健康工作要点（2027年）", period="2027").status_code == 302
    assert points(key="points-year", title="龙南市2027年度卫生健康工作要点", period="").status_code == 302
    for key in ("points-blank", "points-typed", "points-year"):
        plan = db.session.scalar(sa.select(Plan).where(Plan.key == key))
        assert (plan.period_start, plan.period_end, plan.region.code) == (2027, 2027, "360783"), key
    assert "留空则取规划名称中的“十五五”或年份" in admin.get("/plans/new").get_data(as_text=True)
