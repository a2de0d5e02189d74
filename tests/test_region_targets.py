"""A region's page shows its plans' indicator targets (主要指标) as the plan documents print them,
beside what the tracked projects contribute where the link is direct: the beds added by completed
projects (issue 5, "Plans and their targets")."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import sqlalchemy as sa

from tracker.plans.models import Plan
from tracker.projects import services as project_services
from tracker.projects.models import Project

from . import factories
from .browsers import browser
from .conftest import SHARED_SEEDS

LONGNAN_DOCUMENT = SHARED_SEEDS / "002_6be73d2b01aff470.txt"
YICHUN_DOCUMENT = SHARED_SEEDS / "000_dfb8ccd5e9df308d.txt"
needs_documents = pytest.mark.skipif(not LONGNAN_DOCUMENT.exists() or not YICHUN_DOCUMENT.exists(),
                                     reason="the plan documents (../shared/seeds) are not here")


def plan_sections(page: str) -> dict[str, list[list[str]]]:
    """Each plan section of the page: its title → its indicator rows, each a list of cell texts."""
    sections = {}
    for part in page.split('<section class="targets">')[1:]:
        part = part.split("</section>", 1)[0]
        title = html_lib.unescape(re.sub(r"<[^>]+>", "", part.split("</h2>", 1)[0])).strip()
        body = part.split("<tbody>", 1)[1] if "<tbody>" in part else ""
        sections[title] = [
            [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return sections


def row_named(rows: list[list[str]], name: str) -> list[str]:
    matches = [row for row in rows if row[1] == name]
    assert len(matches) == 1, (name, [row[1] for row in rows])
    return matches[0]


def printed_row(document, name: str) -> tuple[str, str, str]:
    """A 主要指标 table row as the document prints it: the name's line, then baseline, target and
    预期性/约束性 each on a line of its own."""
    lines = document.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip() == name)
    baseline, target, nature = (line.strip() for line in lines[index + 1:index + 4])
    return baseline, target, nature


def read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@needs_documents
def test_longnans_page_shows_the_targets_its_plan_prints(app, seeded, db, make_user):
    page = read(browser(app, make_user("viewer")), "/regions/360783")
    sections = plan_sections(page)
    assert list(sections) == ["龙南市“十四五”区域卫生规划"]
    rows = sections["龙南市“十四五”区域卫生规划"]
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    assert [row[1] for row in rows] == [indicator.name for indicator in plan.indicators]
    assert len(rows) == 19

    # The plan has no 主要指标 table: its 规划目标 (line 32) states the targets in prose, with no
    # baseline and no 预期性/约束性. The page shows the targets and says "—" for the rest.
    document = LONGNAN_DOCUMENT.read_text(encoding="utf-8")
    line_32 = document.split("\n")[31].replace(" ", "")
    assert "预期性" not in document and "约束性" not in document
    printed = {  # name: (the target shown, the words on line 32 it comes from)
        "人均预期寿命": ("≥全国平均水平", "人均预期寿命不低于全国平均水平"),
        "每千常住人口医疗卫生机构床位": ("≥7", "医疗卫生机构床位≥7张"),
        "每千人口执业（助理）医师数": ("≥2.5", "每千人口执业（助理）医师数≥2.5"),
        "每千人口注册护士数": ("≥3.14", "每千人口注册护士数≥3.14"),
        "每万常住人口全科医生数": ("≥3", "每万常住人口全科医生数（人）≥3"),
        "婴儿死亡率": ("≤6", "婴儿死亡率≤6‰"),
        "5岁以下儿童死亡率": ("≤7.5", "5岁以下儿童死亡率≤7.5‰"),
        "孕产妇死亡率": ("≤15", "孕产妇死亡率≤15/10万"),
        "护理型床位数占养老机构床位总数": ("≥35", "护理型床位数占养老机构床位总数达到35%以上"),
    }
    for name, (target, words) in printed.items():
        assert words in line_32, words
        section, shown_name, unit, baseline, shown_target, nature, contribution, sources = \
            row_named(rows, name)
        assert (baseline, nature) == ("—", "—"), name
        assert shown_target == f"{target} （2025）", name
        assert sources.split()[0] == "32", name
    assert 'href="/plans/longnan-14th-regional-plan/text#L32"' in page
    assert row_named(rows, "每千常住人口医疗卫生机构床位")[2] == "张"


@needs_documents
def test_a_city_page_shows_baseline_target_and_nature_as_printed(app, seeded, db, make_user):
    rows = plan_sections(read(browser(app, make_user("leader")), "/regions/360900"))[
        "宜春市“十四五”卫生健康发展规划"]
    for name in ("人均预期寿命", "孕产妇死亡率", "每千人口医疗卫生机构床位数", "每万人口全科医生数"):
        baseline, target, nature = printed_row(YICHUN_DOCUMENT, name)
        row = row_named(rows, name)
        assert row[3].split(" （")[0] == baseline, name
        assert row[4].split(" （")[0] == target, name
        assert row[5] == nature, name
    assert row_named(rows, "每万人口全科医生数")[5] == "约束性"
    assert row_named(rows, "每千人口医疗卫生机构床位数")[5] == "预期性"


def test_the_bed_target_sits_beside_the_beds_completed_projects_added(app, seeded, db, make_user):
    """感染大楼 (新增床位数86张, 表6) counts once it is completed; until then it is planned. The
    plan's projects only: the 中医馆 loaded as 已建, in no plan, are none of its."""
    leader = browser(app, make_user("leader"))
    beds_row = row_named(plan_sections(read(leader, "/regions/360783"))["龙南市“十四五”区域卫生规划"],
                         "每千常住人口医疗卫生机构床位")
    assert "尚无竣工或投用的项目" in beds_row[6]
    assert "全部在库项目拟新增床位 86 张" in beds_row[6]

    building = db.session.scalar(sa.select(Project).where(
        Project.name == "赣州市龙南市第一人民医院感染大楼建设项目"))
    project_services.update_project(factories.TEST_ACTOR, building, {"status": "completed"},
                                    expected_version=building.version, reason="竣工验收")
    db.session.commit()
    beds_row = row_named(plan_sections(read(leader, "/regions/360783"))["龙南市“十四五”区域卫生规划"],
                         "每千常住人口医疗卫生机构床位")
    assert "竣工/投用项目新增床位 86 张" in beds_row[6]
    # Only the bed indicator has a direct link; the others say there is none.
    other = row_named(plan_sections(read(leader, "/regions/360783"))["龙南市“十四五”区域卫生规划"],
                      "婴儿死亡率")
    assert other[6] == "—"


def test_a_city_page_shows_its_counties_plans_and_a_region_without_one_says_so(
        app, seeded, db, make_user):
    leader = browser(app, make_user("leader"))
    assert "龙南市“十四五”区域卫生规划" in plan_sections(read(leader, "/regions/360700"))
    page = read(leader, "/regions/441702")  # 江城区: the Yangjiang plan is the city's
    assert not plan_sections(page) and "此地区没有收录规划文件。" in page


def test_a_plans_bed_target_counts_the_beds_of_its_periods_projects_only(app, seeded, db, make_user):
    """A QA walk's complaint: 龙南's 14th plan's 2025 bed target counted "全部在库项目拟新增床位
    286 张", 200 of them a 15th-plan hospital built 2026-2028."""
    from tracker.audit.services import CLI
    from tracker.regions.models import Region

    county = db.session.scalar(sa.select(Region).where(Region.key == "360783"))
    later = Plan(key="longnan-15-beds", title="龙南市“十五五”卫生健康发展规划", region_id=county.id,
                 period_start=2026, period_end=2030, sources=[])
    db.session.add(later)
    db.session.flush()
    hospital = project_services.create_project(CLI, region=county, name="龙南市人民医院新院区（十五五）",
                                               kind="construction", category="general_hospital", new_beds=200)
    project_services.link_plan(CLI, hospital, later)
    db.session.commit()
    leader = browser(app, make_user("leader"))
    beds_row = row_named(plan_sections(read(leader, "/regions/360783"))["龙南市“十四五”区域卫生规划"],
                         "每千常住人口医疗卫生机构床位")
    assert "全部在库项目拟新增床位 86 张" in beds_row[6], beds_row[6]
