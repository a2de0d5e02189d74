"""Candidates from a plan's text: what an officer confirms before anything enters the portfolio.

The five seed documents are the measured case (the seed is the human-checked truth); small documents
written here are the general one: Markdown and Word tables, prose lists, 亿元 and 万平方米.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

from tracker.plans.documents import read_lines
from tracker.plans.extraction import RegionRef, extract, match_key, provenance_problems
from tracker.seeding.provenance import load_seed_files

from .conftest import SHARED_SEEDS

SEED_DIR = Path(__file__).resolve().parents[1] / "seed"
FIGURE_FIELDS = ("total_investment_wan_yuan", "floor_area_m2", "land_area_mu", "beds", "new_beds")
ALREADY_BUILT = {"completed", "in_use"}

LONGNAN = ("360783", "龙南市", ["龙南县"])
YANGJIANG_REGIONS = [("441700", "阳江市", []), ("441704", "阳东区", []), ("441781", "阳春市", []),
                     ("441721", "阳西县", [])]


def lines_of(tmp_path: Path, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_lines(path)


def by_name(result: dict) -> dict[str, dict]:
    return {candidate["name"]: candidate for candidate in result["projects"]}


def assert_provenance(result: dict, lines: list[str]) -> None:
    for candidate in result["projects"]:
        assert provenance_problems(candidate, lines) == [], candidate["name"]
    for indicator in result["indicators"]:
        for source in indicator["sources"]:
            assert source["quote"] in lines[source["line"] - 1], indicator["name"]


# The five seed documents --------------------------------------------------------------------------

def names_match(candidate: str, names: set[str], regions: list[RegionRef]) -> bool:
    """The same project printed two ways: equal once the region prefix and 项目/工程/建设 are off,
    or one holding the other with at least 60% of its length (市疾控中心易地新建 / …易地新建项目)."""
    key = match_key(candidate, regions)
    for name in names:
        other = match_key(name, regions)
        if key == other:
            return True
        shorter, longer = sorted((key, other), key=len)
        if len(shorter) >= 4 and shorter in longer and len(shorter) / len(longer) >= 0.6:
            return True
    return False


def measure_seed_documents() -> dict:
    seeds = load_seed_files(SEED_DIR)  # libyaml's parser: a seventh of the pure-Python one's time
    names_by_key: dict[str, set[str]] = {}
    for _, data in seeds:
        for project in data["projects"]:
            names_by_key.setdefault(project["key"], set()).update([project["name"], *(project.get("aliases") or [])])
    expected = covered = candidates = matched_candidates = 0
    figures_compared = 0
    wrong_figures: list[str] = []
    missed: list[str] = []
    offered_built: list[str] = []
    for path, data in seeds:
        lines = read_lines(SHARED_SEEDS / data["document"]["file"])
        regions = [(region["code"] or region["key"], region["name"],
                    [former["name"] for former in region.get("former") or []])
                   for region in data.get("regions") or []]
        refs = [RegionRef(code, name, tuple(former)) for code, name, former in regions]
        result = extract(lines, data["document"]["key"], regions=regions,
                         plan_region=str(data["document"]["region"]))
        assert_provenance(result, lines)
        offered = result["projects"]
        candidates += len(offered)
        matched: set[int] = set()
        for project in data["projects"]:
            names = names_by_key[project["key"]]
            hits = [index for index, candidate in enumerate(offered)
                    if names_match(candidate["name"], names, refs)]
            if project.get("status") in ALREADY_BUILT:
                offered_built.extend(f"{path.name}: {offered[index]['name']}" for index in hits)
                continue
            expected += 1
            if not hits:
                missed.append(f"{path.name}: {project['name']}")
                continue
            covered += 1
            matched.update(hits)
            for index in hits:
                for field in FIGURE_FIELDS:
                    seeded, found = project.get(field), offered[index].get(field)
                    if seeded is not None and found is not None:
                        figures_compared += 1
                        if Decimal(str(seeded)) != Decimal(str(found)):
                            wrong_figures.append(f"{project['name']} {field}: {seeded} ≠ {found}")
        matched_candidates += len(matched)
    return {"expected": expected, "covered": covered, "candidates": candidates,
            "matched_candidates": matched_candidates, "figures_compared": figures_compared,
            "wrong_figures": wrong_figures, "missed": missed, "offered_built": offered_built}


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_the_five_seed_plans_yield_their_named_projects_with_exact_figures():
    measured = measure_seed_documents()
    coverage = measured["covered"] / measured["expected"]
    print(f"\ncoverage {measured['covered']}/{measured['expected']} = {coverage:.1%}; "
          f"candidates {measured['candidates']}, of which {measured['matched_candidates']} are seeded "
          f"projects ({measured['matched_candidates'] / measured['candidates']:.1%}); "
          f"{measured['figures_compared']} figures compared")
    print("missed:", *measured["missed"], sep="\n  ")
    assert coverage >= 0.95, measured["missed"]
    assert measured["figures_compared"] >= 20
    assert measured["wrong_figures"] == []
    # Longnan's 16 township 中医馆 (已建) and Haimen's facilities built in the 13th plan are facts,
    # not projects of these plans: none is offered.
    assert measured["offered_built"] == []


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_what_the_seed_missed_is_offered_and_what_was_already_done_is_not():
    """Issue 16's "missed named items": Yichun's line 446 names a project of the plan; Yangjiang's
    line 9 reports what was achieved before it (2018, 2019), so it is no project of the plan."""
    yichun = extract(read_lines(SHARED_SEEDS / "000_dfb8ccd5e9df308d.txt"), "yichun")
    centre = by_name(yichun)["宜春市本级中医特色康复中心"]
    assert {"line": 446, "quote": "宜春市本级中医特色康复中心", "fields": ["name"]} in centre["sources"]
    yangjiang = extract(read_lines(SHARED_SEEDS / "004_a4400b38b50f820e.txt"), "yangjiang")
    assert not any(source["line"] == 9 for project in yangjiang["projects"] for source in project["sources"])


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_longnans_project_table_is_read_row_by_row_with_every_figure_cited():
    lines = read_lines(SHARED_SEEDS / "002_6be73d2b01aff470.txt")
    result = extract(lines, "longnan", regions=[LONGNAN, ("360700", "赣州市", [])])
    lab = by_name(result)["赣州市龙南市疾病预防控制中心实验楼建设项目"]
    assert (lab["total_investment_wan_yuan"], lab["floor_area_m2"], lab["land_area_mu"]) == ("1320", "4400", "4")
    assert (lab["build_nature"], lab["build_nature_term"], lab["region_code"]) == ("new", "新建", "360783")
    assert {"line": 194, "quote": "1,320", "fields": ["total_investment_wan_yuan"]} in lab["sources"]
    assert {"line": 192, "quote": "新建", "fields": ["build_nature"]} in lab["sources"]
    assert {"line": 193, "quote": "占地约4亩，新建实验楼面积4400平方米。",
            "fields": ["floor_area_m2", "land_area_mu", "scope"]} in lab["sources"]
    infection = by_name(result)["赣州市龙南市第一人民医院感染大楼建设项目"]
    assert infection["new_beds"] == 86 and infection["beds"] is None
    assert infection["floor_area_m2"] == "16698.95"
    names = set(by_name(result))
    assert not any(name.endswith("中医馆") and name.startswith("龙南市") for name in names), \
        "the 16 township 中医馆 marked 已建 are not projects of the plan"
    assert_provenance(result, lines)


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_indicators_of_a_seed_plan_come_from_its_main_table_with_one_baseline_rule():
    lines = read_lines(SHARED_SEEDS / "004_a4400b38b50f820e.txt")
    indicators = {row["name"]: row for row in extract(lines, "yangjiang")["indicators"]}
    assert len(indicators) == 21
    life = indicators["人均预期寿命"]
    assert (life["unit"], life["target"], life["comparator"], life["target_year"], life["nature"]) == \
        ("岁", "79", ">", 2025, "expected")
    # The 十四五 table has no base-year column: the 2020 value of the 十三五 table is the baseline.
    assert (life["baseline"], life["baseline_year"]) == ("77.8", 2020)
    assert {"line": 20, "quote": "77.8", "fields": ["baseline"]} in life["sources"]
    yichun = {row["name"]: row for row in extract(read_lines(SHARED_SEEDS / "000_dfb8ccd5e9df308d.txt"),
                                                  "yichun")["indicators"]}
    # A dash is no baseline: unknown, not the string "—".
    assert yichun["人均预期寿命"]["baseline"] is None and yichun["人均预期寿命"]["baseline_year"] is None


# Haimen's 十三五 table prints 人均预期寿命 as 人均期望寿命 (line 46): the extractor matches rows of
# the previous period's table by name only, the seed also under this older name (issue 16).
OLDER_NAMES = {"人均预期寿命"}


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_indicator_rows_of_the_seed_plans_agree_with_the_seed():
    """Every row of the 主要指标 tables of Yichun, Haimen and Yangjiang, compared with the seed on
    name, target and its year, comparator and nature; baselines where the seed states a number."""
    rows = agreeing = baselines = 0
    for path, data in load_seed_files(SEED_DIR):
        if not data.get("indicators") or path.name.startswith("002"):
            continue  # Longnan prints its targets in a sentence (line 32), not in a table
        lines = read_lines(SHARED_SEEDS / data["document"]["file"])
        found = {row["name"]: row for row in extract(lines, data["document"]["key"])["indicators"]}
        for seeded in data["indicators"]:
            rows += 1
            row = found.get(seeded["name"])
            if row is None:
                continue
            keys = ("target", "target_year", "comparator", "nature")
            if all(str(row[key]) == str(seeded[key]) for key in keys):
                agreeing += 1
            if seeded["baseline"] not in (None, "—"):
                baselines += 1
                if row["baseline"] is None and seeded["name"] in OLDER_NAMES:
                    continue  # the seed reads the previous table's row under its older name
                assert row["baseline"] == seeded["baseline"], seeded["name"]
    print(f"\n{agreeing} of {rows} indicator rows agree with the seed; {baselines} baselines equal")
    assert rows == 69 and agreeing >= 66 and baselines >= 20


# Small documents of other cities ---------------------------------------------------------------------

def test_a_markdown_table_in_yi_yuan_and_wan_square_metres_is_converted_and_cited(tmp_path):
    lines = lines_of(tmp_path, "plan.md", (
        "# 阳江市“十五五”卫生健康规划\n\n表3 重点建设项目\n\n"
        "| 序号 | 项目名称 | 建设地点 | 建设性质 | 建设规模及内容 | 总投资（亿元） | 建设年限 |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 1 | 阳东区人民医院住院大楼 | 阳东区 | 新建 | 总建筑面积约4.5万平方米，设置床位600张，新增床位200张 | 3.2 | 2026-2028 |\n"
        "| 2 | 阳春市中医院迁建项目 | 阳春市 | 迁建 | 占地120亩，建筑面积80,000平方米 | 6 | 2026—2030 |\n"))
    result = extract(lines, "yangjiang-15th", regions=YANGJIANG_REGIONS)
    inpatient = by_name(result)["阳东区人民医院住院大楼"]
    assert inpatient["total_investment_wan_yuan"] == "32000"
    assert inpatient["floor_area_m2"] == "45000"
    assert (inpatient["beds"], inpatient["new_beds"]) == (600, 200)
    assert (inpatient["start_year"], inpatient["end_year"]) == (2026, 2028)
    assert (inpatient["build_nature"], inpatient["region_code"]) == ("new", "441704")
    money = next(source for source in inpatient["sources"] if "total_investment_wan_yuan" in source["fields"])
    assert money["quote"] == "3.2" and money["units"] == {"total_investment_wan_yuan": "亿元"}
    assert lines[money["line"] - 1] == "\t3.2"
    relocation = by_name(result)["阳春市中医院迁建项目"]
    assert (relocation["build_nature"], relocation["build_nature_term"]) == ("relocation", "迁建")
    assert (relocation["land_area_mu"], relocation["floor_area_m2"]) == ("120", "80000")
    assert relocation["total_investment_wan_yuan"] == "60000"
    assert relocation["region_code"] == "441781"
    assert_provenance(result, lines)


def test_a_word_table_made_by_an_office_is_read_like_the_seed_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("三、重点项目")
    table = document.add_table(rows=3, cols=6)
    header = ["序号", "项目名称", "建设性质", "主要建设内容", "总投资\n（万元）", "备注"]
    rows = [["1", "龙南县妇幼保健院新院", "易地新建", "建筑面积12000平方米，床位150张", "18,600", "续建"],
            ["2", "龙南市精神卫生中心", "改扩建", "改扩建业务用房3000平方米", "2,400", ""]]
    for cells, texts in zip(table.rows, [header, *rows]):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    path = tmp_path / "plan.docx"
    document.save(path)
    lines = read_lines(path)
    result = extract(lines, "longnan-15th", regions=[LONGNAN])
    maternity = by_name(result)["龙南县妇幼保健院新院"]
    assert maternity["total_investment_wan_yuan"] == "18600" and maternity["floor_area_m2"] == "12000"
    assert maternity["beds"] == 150
    assert (maternity["build_nature"], maternity["build_nature_term"]) == ("relocation", "易地新建")
    # 龙南县 is 龙南市's former name: the region is found all the same.
    assert maternity["region_code"] == "360783"
    assert maternity["status"] == "construction"  # 续建, stated in the table
    mental = by_name(result)["龙南市精神卫生中心"]
    assert mental["build_nature"] == "renovation_expansion" and mental["floor_area_m2"] == "3000"
    assert mental["status"] is None
    assert_provenance(result, lines)


def test_a_word_table_with_owner_group_rows_and_two_investment_columns(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=4, cols=7)
    texts = [
        ["序号", "项目单位", "项目名称", "建设内容及规模", "总投资（亿元）", "“十五五”期间投资（亿元）", "进展情况"],
        ["一、医疗服务体系（2项）"] * 7,
        ["1", "市卫生健康委", "市第一人民医院新院区", "新建门诊医技楼、住院楼，总建筑面积25万平方米，床位1500张",
         "18.6（其中中央预算内资金2亿元）", "12", "前期"],
        ["2", "县卫生健康局", "县人民医院感染楼", "建筑面积9000平方米", "0.95", "0.95", "在建"],
    ]
    for row, values in zip(table.rows, texts):
        if len(set(values)) == 1:
            row.cells[0].merge(row.cells[-1]).text = values[0]
            continue
        for cell, value in zip(row.cells, values):
            cell.text = value
    path = tmp_path / "项目表.docx"
    document.save(path)
    lines = read_lines(path)
    result = extract(lines, "city-15th")
    assert set(by_name(result)) == {"市第一人民医院新院区", "县人民医院感染楼"}
    campus = by_name(result)["市第一人民医院新院区"]
    assert (campus["total_investment_wan_yuan"], campus["floor_area_m2"], campus["beds"]) == ("186000", "250000", 1500)
    assert campus["status"] == "preparation"
    infection = by_name(result)["县人民医院感染楼"]
    assert (infection["total_investment_wan_yuan"], infection["floor_area_m2"]) == ("9500", "9000")
    assert infection["status"] == "construction"
    assert_provenance(result, lines)


def test_a_word_box_of_key_projects_gives_each_item_with_its_figures(tmp_path):
    document = docx.Document()
    document.add_heading("第四章 强化公共卫生体系", level=1)
    document.add_paragraph("加快推进县疾控中心迁建，提升检验检测能力。")
    box = document.add_table(rows=1, cols=1).cell(0, 0)
    box.text = "专栏3 公共卫生重点工程"
    box.add_paragraph("1．县级重大疫情救治基地建设项目：依托县人民医院建设重大疫情救治基地，新增床位100张。")
    box.add_paragraph("2．县120急救指挥中心：新建急救指挥中心，总投资3000万元。")
    document.add_paragraph("加强基层医疗卫生机构建设。")
    path = tmp_path / "plan.docx"
    document.save(path)
    lines = read_lines(path)
    result = extract(lines, "county-15th")
    names = by_name(result)
    assert set(names) == {"县疾控中心迁建", "县级重大疫情救治基地建设项目", "县120急救指挥中心"}
    assert names["县疾控中心迁建"]["build_nature"] == "relocation"
    assert names["县级重大疫情救治基地建设项目"]["new_beds"] == 100
    assert names["县120急救指挥中心"]["total_investment_wan_yuan"] == "3000"
    assert_provenance(result, lines)


def test_prose_lists_give_one_candidate_per_named_facility_with_its_figures(tmp_path):
    lines = lines_of(tmp_path, "plan.txt", (
        "（三）重点项目\n"
        "推进阳江市中西医结合医院、阳春市中医院、阳西县中医院迁建项目。\n"
        "新建阳东区人民医院住院大楼，总投资3.2亿元，建筑面积4.5万平方米，新增床位500张，2027年建成。\n"
        "加快阳春市、阳西县急危重症救治中心建设。\n"))
    result = extract(lines, "yangjiang-15th", regions=YANGJIANG_REGIONS)
    names = by_name(result)
    for name, region in (("阳江市中西医结合医院迁建项目", "441700"), ("阳春市中医院迁建项目", "441781"),
                         ("阳西县中医院迁建项目", "441721")):
        assert names[name]["build_nature"] == "relocation"
        assert names[name]["region_code"] == region
        assert names[name]["sources"][0]["line"] == 2
    inpatient = names["阳东区人民医院住院大楼"]
    assert inpatient["build_nature_term"] == "新建"
    assert {"line": 3, "quote": "新建阳东区人民医院住院大楼", "fields": ["build_nature"]} in inpatient["sources"]
    assert inpatient["total_investment_wan_yuan"] == "32000" and inpatient["floor_area_m2"] == "45000"
    assert inpatient["new_beds"] == 500 and inpatient["end_year"] == 2027
    assert {"line": 3, "quote": "总投资3.2亿元", "fields": ["total_investment_wan_yuan"],
            "units": {"total_investment_wan_yuan": "亿元"}} in inpatient["sources"]
    assert {"阳春市急危重症救治中心", "阳西县急危重症救治中心"} <= {match_key(name) for name in names}
    assert_provenance(result, lines)


def test_a_numbered_list_of_another_city_in_other_words_and_units(tmp_path):
    lines = lines_of(tmp_path, "赣州.txt", (
        "第四章 重点项目\n"
        "1. 赣县区人民医院新院区项目：总投资约12.5亿元，总建筑面积18万平方米，设置床位1200张，2026年开工，2029年建成。\n"
        "2. 于都县中医院迁建工程。项目占地150亩，计划总投资80000万元，建设期2026—2030年。\n"
        "3. 宁都县妇幼保健院改扩建项目，新增床位200张，建筑面积2.3万㎡。\n"
        "4. 兴国县中医院迁建项目\n"
        "（二）公共卫生项目\n"
        "实施瑞金市疾病预防控制中心、会昌县疾病预防控制中心标准化建设项目。\n"
        "全面提升基层医疗卫生服务能力。建成一批乡镇卫生院。\n"))
    regions = [("360704", "赣县区", ["赣县"]), ("360731", "于都县", []), ("360730", "宁都县", []),
               ("360781", "瑞金市", []), ("360733", "会昌县", [])]
    result = extract(lines, "ganzhou-15th", regions=regions)
    names = by_name(result)
    assert set(names) == {"赣县区人民医院新院区项目", "于都县中医院迁建工程", "宁都县妇幼保健院改扩建项目",
                          "兴国县中医院迁建项目", "瑞金市疾病预防控制中心标准化建设项目",
                          "会昌县疾病预防控制中心标准化建设项目"}
    ganxian = names["赣县区人民医院新院区项目"]
    assert (ganxian["total_investment_wan_yuan"], ganxian["floor_area_m2"], ganxian["beds"]) == ("125000", "180000", 1200)
    assert (ganxian["start_year"], ganxian["end_year"], ganxian["region_code"]) == (2026, 2029, "360704")
    assert {"line": 2, "quote": "总投资约12.5亿元", "fields": ["total_investment_wan_yuan"],
            "units": {"total_investment_wan_yuan": "亿元"}} in ganxian["sources"]
    yudu = names["于都县中医院迁建工程"]
    assert (yudu["land_area_mu"], yudu["total_investment_wan_yuan"], yudu["build_nature"]) == ("150", "80000", "relocation")
    assert (yudu["start_year"], yudu["end_year"]) == (2026, 2030)
    ningdu = names["宁都县妇幼保健院改扩建项目"]
    assert (ningdu["new_beds"], ningdu["beds"], ningdu["floor_area_m2"]) == (200, None, "23000")
    assert names["会昌县疾病预防控制中心标准化建设项目"]["region_code"] == "360733"
    assert_provenance(result, lines)


def test_markdown_lists_bold_words_and_quoted_boxes_read_as_prose(tmp_path):
    lines = lines_of(tmp_path, "plan.md", (
        "## 三、重点建设项目\n\n"
        "- 推进**县人民医院**迁建项目，总投资5.6亿元。\n"
        "* 新建县中医院康复大楼（建筑面积1.2万平方米）。\n"
        "1. 改扩建县妇幼保健院，新增床位120张；\n"
        "> 专栏2 公共卫生能力提升工程\n"
        "> （一）县疾控中心实验室建设项目。建设P2实验室。\n"))
    result = extract(lines, "county-15th")
    names = by_name(result)
    assert names["县人民医院迁建项目"]["total_investment_wan_yuan"] == "56000"
    assert names["县人民医院迁建项目"]["build_nature"] == "relocation"
    rehab = names["县中医院康复大楼"]
    assert (rehab["floor_area_m2"], rehab["build_nature"]) == ("12000", "new")
    assert names["县妇幼保健院"]["new_beds"] == 120
    assert names["县妇幼保健院"]["build_nature"] == "renovation_expansion"
    assert "县疾控中心实验室建设项目" in names
    assert not any(name.startswith(("-", "*", ">", "#")) or "**" in name for name in names)
    assert_provenance(result, lines)


def test_a_box_item_that_lists_several_facilities_offers_each_not_the_list(tmp_path):
    """"3.推进A、B改扩建项目。" in a 专栏: one verb covers two facilities (DOMAIN.md). The item's head
    was offered as one project named "A、B改扩建项目" beside A's, and B's own was taken for the
    same project as the head and dropped: each facility is a candidate, and the list is none."""
    lines = lines_of(tmp_path, "plan.md", (
        "三、重点建设项目\n"
        "专栏1 医疗卫生服务体系重点项目\n"
        "1.定南县人民医院传染病大楼建设项目：新建传染病大楼，床位150张，总投资1.5亿元。\n"
        "2.定南县中医院迁建项目：异地新建，占地面积60亩。\n"
        "3.推进定南县疾病预防控制中心、定南县妇幼保健院改扩建项目。\n"))
    result = extract(lines, "dingnan-15th")
    names = by_name(result)
    assert "定南县疾病预防控制中心改扩建项目" in names and "定南县妇幼保健院改扩建项目" in names, sorted(names)
    assert not any("、" in name for name in names), sorted(names)
    # An item that names one project keeps its figures (the head and the text after it agree).
    assert names["定南县人民医院传染病大楼建设项目"]["total_investment_wan_yuan"] == "15000"
    assert names["定南县中医院迁建项目"]["build_nature"] == "relocation"
    assert_provenance(result, lines)


def test_general_sentences_built_facilities_and_indicator_rows_are_not_offered(tmp_path):
    lines = lines_of(tmp_path, "plan.md", (
        "# 某县“十五五”卫生健康规划\n"
        "一、发展基础\n"
        "“十四五”期间，县人民医院新院建成投用，完成乡镇卫生院标准化建设。\n"
        "二、“十五五”主要任务\n"
        "加强基层医疗卫生机构建设。完善公共卫生服务体系建设。推进乡镇卫生院标准化建设。\n"
        "县疾控中心实验楼已建成投入使用。“十四五”期间，建成县精神卫生中心。\n"
        "新建县第二人民医院。\n\n"
        "| 领域 | 指标名称 | 单位 | 2025年基期值 | 2030年目标值 | 指标性质 |\n"
        "|---|---|---|---|---|---|\n"
        "| 健康水平 | 人均预期寿命 | 岁 | 79.2 | ≥80 | 预期性 |\n"
        "| 医疗资源 | 每千人口医疗卫生机构床位数 | 张 | 6.5 | 7.4 | 预期性 |\n"
        "| 公共卫生 | 孕产妇死亡率 | /10万 | — | ≤12 | 约束性 |\n"))
    result = extract(lines, "county-15th")
    assert [candidate["name"] for candidate in result["projects"]] == ["县第二人民医院"]
    indicators = {row["name"]: row for row in result["indicators"]}
    assert indicators["人均预期寿命"] | {"sources": None} == {
        "section": "健康水平", "name": "人均预期寿命", "unit": "岁", "baseline": "79.2",
        "baseline_year": 2025, "target": "80", "target_year": 2030, "comparator": "≥",
        "nature": "expected", "sources": None}
    maternal = indicators["孕产妇死亡率"]
    assert (maternal["baseline"], maternal["comparator"], maternal["target"], maternal["nature"]) == \
        (None, "≤", "12", "binding")
    assert_provenance(result, lines)


def test_programme_words_alone_are_no_project(tmp_path):
    """"推进项目建设", "实施一批重大工程项目", "开展各专项行动": a plan's words for its projects in
    general, named by nothing but 项目, 工程, 建设, 行动. Each was a candidate for the reviewer to
    reject (宜春's plan gave 专项行动, 各专项行动 and 建设工程); a named one beside them still is."""
    lines = lines_of(tmp_path, "plan.txt", (
        "加强组织领导，落实投入保障，推进项目建设。\n"
        "加快工程建设，实施一批重大工程项目，开展各专项行动和专项行动评估。\n"
        "加强建设工程质量安全监管。推进县人民医院迁建项目。\n"))
    assert [candidate["name"] for candidate in extract(lines, "t")["projects"]] == ["县人民医院迁建项目"]


def test_a_generic_facility_or_a_slogans_fragment_is_no_project(tmp_path):
    """"加强实验室建设", "打造一批创新平台", "完善业务系统建设", "开展宣讲活动": a kind of thing in
    general, named by nothing of its own; "健康教育进家门、进学校、进社区" and "进家庭活动": a
    campaign's slogan, each "进…" a place it goes to. The five seed plans gave such candidates for
    the reviewer to reject (进学校 twice); a named one beside them still is."""
    lines = lines_of(tmp_path, "plan.txt", (
        "进一步推进医防中心实体化运行，加强实验室建设，增强检测能力。\n"
        "打造一批创新平台、载体，完善区域全民健康信息平台及业务系统建设。\n"
        "制作宣传手册，开展宣讲活动。\n"
        "推动健康教育进家门、进学校、进社区，开展健康科普进村镇、进家庭活动。\n"
        "加快建设区疾控中心P2实验室。\n"))
    assert [candidate["name"] for candidate in extract(lines, "t")["projects"]] == [
        "区域全民健康信息平台", "区疾控中心P2实验室"]


def test_a_labs_biosafety_level_alone_is_no_project_and_its_line_keeps_its_figure(tmp_path):
    """"定南县疾病预防控制中心实验室改扩建：建设P2实验室，总投资2800万元" (a county's 15th plan,
    typed as offices write their boxes) offered "P2实验室" beside the CDC's project, and the line's
    总投资, two candidates' to share, went to neither. A level of lab names no lab; the CDC's does."""
    lines = lines_of(tmp_path, "plan.txt", (
        "2．定南县疾病预防控制中心实验室改扩建：建设P2实验室，总投资2800万元。\n"
        "新建生物安全二级实验室和PCR实验室。\n"))
    result = extract(lines, "t")
    [candidate] = result["projects"]
    assert candidate["name"] == "定南县疾病预防控制中心实验室改扩建"
    assert candidate["total_investment_wan_yuan"] == "2800"
    assert_provenance(result, lines)


def test_the_buildings_a_project_builds_are_its_content_and_its_figures_stay_with_it(tmp_path):
    """"X项目：新建门诊医技楼、住院楼，总建筑面积约8万平方米，…总投资60000万元" (a county's plan typed
    as offices write them, found by a walk) offered the two buildings as projects beside X, and
    the line's figures, three candidates' to share, went to none; "改建P2实验室" cost its line its
    总投资 the same way. The buildings after a named project's colon are what it builds."""
    lines = lines_of(tmp_path, "plan.txt", (
        "定南县“十五五”卫生健康发展规划\n"
        "1. 定南县人民医院新院区建设项目：新建门诊医技楼、住院楼，总建筑面积约8万平方米，新增床位500张，"
        "总投资60000万元，建设年限2026-2028年。\n"
        "2. 定南县精神卫生中心建设项目：新建住院楼，总投资5000万元。\n"
        "3. 定南县疾病预防控制中心实验室改造项目：改建P2实验室，总投资800万元，2026年完成。\n"
        "4. 推进以下项目：定南县妇幼保健院门诊楼、定南县中医院住院楼建设。\n"))
    result = extract(lines, "t", regions=[("360728", "定南县", [])], plan_region="360728")
    found = by_name(result)
    assert set(found) == {"定南县人民医院新院区建设项目", "定南县精神卫生中心建设项目",
                          "定南县疾病预防控制中心实验室改造项目", "定南县妇幼保健院门诊楼", "定南县中医院住院楼"}
    hospital = found["定南县人民医院新院区建设项目"]
    assert (hospital["total_investment_wan_yuan"], hospital["floor_area_m2"], hospital["new_beds"],
            hospital["start_year"], hospital["end_year"]) == ("60000", "80000", 500, 2026, 2028)
    assert found["定南县精神卫生中心建设项目"]["total_investment_wan_yuan"] == "5000"
    assert found["定南县疾病预防控制中心实验室改造项目"]["total_investment_wan_yuan"] == "800"
    assert_provenance(result, lines)


def test_a_cdc_or_a_tcm_hospital_named_in_full_and_for_short_is_one_candidate(tmp_path):
    """A plan names its CDC 疾病预防控制中心 in its text and 疾控中心 in its table, its hospital of
    Chinese medicine 中医医院 in one place and 中医院 in another: one project each, with the
    figures of both printings, as a tracked project named either way is matched."""
    lines = lines_of(tmp_path, "plan.md", (
        "推进定南县疾病预防控制中心实验室改扩建，建设县中医医院康复大楼。\n\n"
        "| 序号 | 项目名称 | 建设性质 | 总投资（万元） |\n"
        "| --- | --- | --- | --- |\n"
        "| 1 | 定南县疾控中心实验室改扩建项目 | 改扩建 | 2800 |\n"
        "| 2 | 定南县中医院康复大楼 | 新建 | 15000 |\n"))
    result = extract(lines, "t", regions=[("360728", "定南县", [])], plan_region="360728")
    printed = {frozenset([candidate["name"], *candidate["aliases"]]): candidate for candidate in result["projects"]}
    assert set(printed) == {frozenset({"定南县疾病预防控制中心实验室改扩建", "定南县疾控中心实验室改扩建项目"}),
                            frozenset({"县中医医院康复大楼", "定南县中医院康复大楼"})}
    cdc = printed[frozenset({"定南县疾病预防控制中心实验室改扩建", "定南县疾控中心实验室改扩建项目"})]
    assert (cdc["total_investment_wan_yuan"], cdc["build_nature"]) == ("2800", "renovation_expansion")
    assert match_key("定南县疾病预防控制中心", [("360728", "定南县", [])]) == match_key("定南县疾控中心", [("360728", "定南县", [])])
    existing = [(4, "定南县疾病预防控制中心实验室改扩建项目", []), (5, "定南县中医医院康复大楼", [])]
    matched = extract(lines, "t", regions=[("360728", "定南县", [])], plan_region="360728", existing=existing)
    assert sorted(candidate["existing_project_id"] for candidate in matched["projects"]) == [4, 5]
    assert_provenance(result, lines)


def test_a_second_verb_or_a_manner_is_no_part_of_a_name(tmp_path):
    """"建立和完善省级核辐射救援基地" names 省级核辐射救援基地, not "和完善省级…" (阳江's plan gave
    four such, each a candidate beside the right one); "有计划、有步骤地推进" names nothing. A
    name that starts with 和 keeps it (和平医院)."""
    lines = lines_of(tmp_path, "plan.txt", (
        "建立和完善省级核辐射救援基地。\n"
        "有计划、有步骤地推进改革。\n"
        "推进和平医院迁建项目。\n"))
    assert [candidate["name"] for candidate in extract(lines, "t")["projects"]] == ["省级核辐射救援基地", "和平医院迁建项目"]


def test_a_candidate_already_tracked_is_matched_to_its_project(tmp_path):
    lines = lines_of(tmp_path, "plan.txt", "继续推进龙南县第五人民医院建设项目、龙南市传染病医院建设。\n")
    existing = [(7, "龙南第五人民医院（公立中医院）建设项目", ["龙南市第五人民医院"]), (9, "龙南市中医院", [])]
    result = extract(lines, "longnan-15th", regions=[LONGNAN], existing=existing)
    names = by_name(result)
    assert names["龙南县第五人民医院建设项目"]["existing_project_id"] == 7
    assert names["龙南市传染病医院"]["existing_project_id"] is None


def test_a_project_of_another_city_with_the_same_short_name_is_not_a_match(tmp_path):
    lines = lines_of(tmp_path, "plan.txt", "推进市人民医院新院区建设项目。\n新建阳东区人民医院住院楼。\n")
    existing = [(3, "宜春市人民医院新院区建设项目", [], "360900"),
                (4, "阳江市人民医院新院区建设项目", [], "441700"),
                (5, "阳东区人民医院住院楼", [], "441704")]
    regions = [*YANGJIANG_REGIONS, ("360900", "宜春市", [])]
    names = by_name(extract(lines, "yangjiang-15th", regions=regions, existing=existing, plan_region="441700"))
    assert names["市人民医院新院区建设项目"]["existing_project_id"] == 4
    assert names["阳东区人民医院住院楼"]["existing_project_id"] == 5
    names = by_name(extract(lines, "yichun-15th", regions=regions, existing=existing, plan_region="360900"))
    assert names["市人民医院新院区建设项目"]["existing_project_id"] == 3


# The command ------------------------------------------------------------------------------------

def test_plans_extract_reads_a_stored_plan_and_changes_nothing(app, seeded, db, tmp_path):
    from tracker.plans.cli import plans
    from tracker.projects.models import Project

    count = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    output = tmp_path / "longnan.json"
    result = app.test_cli_runner().invoke(plans, ["extract", "longnan-14th-regional-plan",
                                                  "--output", str(output)])
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["plan"] == "longnan-14th-regional-plan"
    lab = by_name(data)["赣州市龙南市疾病预防控制中心实验楼建设项目"]
    tracked = db.session.scalar(sa.select(Project.id).where(Project.seed_key == "longnan-t6-01"))
    assert lab["existing_project_id"] == tracked
    assert lab["region_code"] == "360783"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == count


def test_plans_extract_reads_any_file_to_standard_output(app, seeded, db, tmp_path):
    from tracker.plans.cli import plans
    path = tmp_path / "规划.md"
    path.write_text("新建市人民医院住院楼，总投资1.5亿元。\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(plans, ["extract", "--file", str(path), "--region", "441700"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["projects"][0]["total_investment_wan_yuan"] == "15000"
    assert data["projects"][0]["region_code"] == "441700"
    result = app.test_cli_runner().invoke(plans, ["extract", "--file", str(path), "--region", "999999"])
    assert result.exit_code != 0 and "999999" in result.output


@pytest.mark.parametrize("arguments, message", [
    (["extract", "no-such-plan"], "no-such-plan"),
    ([], "KEY"),
])
def test_plans_extract_explains_what_is_wrong(app, db, arguments, message):
    from tracker.plans.cli import plans
    arguments = arguments or ["extract"]
    result = app.test_cli_runner().invoke(plans, arguments)
    assert result.exit_code != 0
    assert message in result.output


def test_plans_extract_refuses_a_file_it_cannot_read_in_chinese(app, db, tmp_path):
    from tracker.plans.cli import plans
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = app.test_cli_runner().invoke(plans, ["extract", "--file", str(path)])
    assert result.exit_code != 0
    assert "另存为”.docx" in result.output


def test_a_15th_plans_indicator_columns_headed_by_years_alone(tmp_path):
    """"2025年 | 2030年": the base year and the target, not a target of 2025."""
    lines = lines_of(tmp_path, "plan.md", "## 主要指标\n\n"
                     "| 序号 | 指标 | 单位 | 2025年 | 2030年 | 指标属性 |\n|---|---|---|---|---|---|\n"
                     "| 1 | 孕产妇死亡率 | /10万 | 9.5 | ≤9 | 约束性 |\n")
    [row] = extract(lines, "t")["indicators"]
    assert (row["baseline"], row["baseline_year"], row["target"], row["target_year"], row["comparator"]) == \
        ("9.5", 2025, "9", 2030, "≤")


def test_a_baseline_keeps_what_the_plan_printed_around_its_number(tmp_path):
    """A baseline printed "≤9.5" or "90%以上" (the last plan's target, met) is quoted as printed:
    "9.5" alone would claim a measured value the plan never states. The target is still split
    into its comparator and its number, which the evaluation compares."""
    lines = lines_of(tmp_path, "plan.md", "## 主要指标\n\n"
                     "| 序号 | 指标 | 单位 | 2025年 | 2030年 | 指标属性 |\n|---|---|---|---|---|---|\n"
                     "| 1 | 孕产妇死亡率 | /10万 | ≤9.5 | ≤9.0 | 约束性 |\n"
                     "| 2 | 儿童预防接种率 | % | 90%以上 | ≥95% | 约束性 |\n"
                     "| 3 | 人均预期寿命 | 岁 | 79.2 | 80 | 预期性 |\n")
    rows = {row["name"]: row for row in extract(lines, "t")["indicators"]}
    assert rows["孕产妇死亡率"]["baseline"] == "≤9.5"
    assert (rows["孕产妇死亡率"]["target"], rows["孕产妇死亡率"]["comparator"]) == ("9.0", "≤")
    assert rows["儿童预防接种率"]["baseline"] == "90%以上"
    assert rows["人均预期寿命"]["baseline"] == "79.2"
    assert {"line": 13, "quote": "≤9.5", "fields": ["baseline"]} in rows["孕产妇死亡率"]["sources"]


def test_a_project_tables_group_rows_are_no_projects(tmp_path):
    """"一 | 医疗服务能力提升 | … | 12.5" heads (and sums) the projects under it, as "（二）公共卫生"
    does in the name's own cell: neither is a project to confirm."""
    lines = lines_of(tmp_path, "plan.md", (
        "专栏2 重点建设项目表\n\n"
        "| 序号 | 项目名称 | 建设性质 | 总投资（亿元） | 建设年限 |\n|---|---|---|---|---|\n"
        "| 一 | 医疗服务能力提升 |  | 12.5 |  |\n"
        "| 1 | 龙南市人民医院医技楼 | 新建 | 2.5 | 2026-2028 |\n"
        "|  | （二）公共卫生 |  | 0.8 |  |\n"
        "| 2 | 龙南市疾控中心实验室 | 新建 | 0.8 | 2026-2027 |\n"
        "|  | 合计 |  | 13.3 |  |\n"))
    assert sorted(by_name(extract(lines, "t"))) == ["龙南市人民医院医技楼", "龙南市疾控中心实验室"]


def test_a_years_cell_of_one_year_is_its_start_or_its_end_as_it_says(tmp_path):
    """建设年限 "2026年" is a project begun and finished in 2026; "2027年开工" states the start
    alone, "2029年建成" the end alone. One year was read as neither."""
    lines = lines_of(tmp_path, "plan.md", (
        "专栏3 重大项目\n\n| 序号 | 项目名称 | 总投资（万元） | 建设年限 |\n|---|---|---|---|\n"
        "| 1 | 龙南市妇幼保健院迁建项目 | 9000 | 2026年 |\n"
        "| 2 | 龙南市中医院康复楼 | 12000 | 2027年开工 |\n"
        "| 3 | 龙南市人民医院医技楼 | 21000 | 2029年建成 |\n"))
    years = {name: (project["start_year"], project["end_year"]) for name, project in by_name(extract(lines, "t")).items()}
    assert years == {"龙南市妇幼保健院迁建项目": (2026, 2026), "龙南市中医院康复楼": (2027, None),
                     "龙南市人民医院医技楼": (None, 2029)}


def test_many_projects_on_one_line_each_keep_their_own_figures_and_quotes():
    """A line of many projects, each in its sentence with its figure, and a list of many sharing
    "每所" (read once per sentence and clause since a 1 MB line took 253 s): each candidate has the
    figure of its own sentence, quoted from its own clause."""
    line = "".join(f"新建第{index}人民医院迁建项目，总投资约{index + 100}万元，床位{index + 10}张。" for index in range(300))
    found = {project["name"]: project for project in extract([line], "many")["projects"]}
    assert len(found) == 300
    for index in (0, 150, 299):
        project = found[f"第{index}人民医院迁建项目"]
        assert (project["total_investment_wan_yuan"], project["beds"]) == (str(index + 100), index + 10), project
        quotes = {source["quote"] for source in project["sources"] if "total_investment_wan_yuan" in source["fields"]}
        assert quotes == {f"总投资约{index + 100}万元"}, project["sources"]
    listed = "推进" + "、".join(f"第{index}乡镇卫生院" for index in range(200)) + "迁建项目，每所总投资约1200万元，由县财政安排。"
    found = {project["name"]: project for project in extract([listed], "list")["projects"]}
    assert len(found) == 200 and {project.get("total_investment_wan_yuan") for project in found.values()} == {"1200"}


@pytest.mark.parametrize("table", [
    # Word's "另存为纯文本": a row a line, its cells between tabs.
    "序号\t项目名称\t建设性质\t建设内容\t总投资（万元）\n"
    "1\t龙南市妇幼保健院迁建项目\t迁建\t建筑面积2.4万平方米，床位200张\t26000\n"
    "2\t龙南市精神卫生中心建设项目\t新建\t建筑面积8000平方米\t5000\n",
    # Pipe rows typed in a text file, no Markdown separator row under the heading.
    "| 序号 | 项目名称 | 建设性质 | 建设内容 | 总投资（万元） |\n"
    "| 1 | 龙南市妇幼保健院迁建项目 | 迁建 | 建筑面积2.4万平方米，床位200张 | 26000 |\n"
    "| 2 | 龙南市精神卫生中心建设项目 | 新建 | 建筑面积8000平方米 | 5000 |\n",
], ids=["tabs", "pipes"])
def test_a_table_in_a_text_file_is_read_as_its_cells(tmp_path, table):
    """A .txt plan's tables (a Word file saved as text, pipe rows typed by hand) were read as lines
    of prose: the projects only the table names were missing, their 总投资 with them."""
    lines = lines_of(tmp_path, "plan.txt", "龙南市“十五五”卫生健康发展规划\n\n四、重点项目\n\n" + table + "\n五、保障措施\n")
    assert "\t龙南市妇幼保健院迁建项目" in lines
    found = by_name(extract(lines, "t", regions=[LONGNAN], plan_region="360783"))
    assert found["龙南市妇幼保健院迁建项目"]["total_investment_wan_yuan"] == "26000"
    assert found["龙南市妇幼保健院迁建项目"]["build_nature"] == "relocation"
    assert found["龙南市精神卫生中心建设项目"]["total_investment_wan_yuan"] == "5000"
    assert_provenance(extract(lines, "t", regions=[LONGNAN], plan_region="360783"), lines)


def test_a_seed_texts_cells_and_a_line_with_one_tab_are_no_new_table(tmp_path):
    """The tracker's own text (cells a line each, after a tab) and prose with a stray tab read as before."""
    from tracker.plans.documents import clean_line, decode_text

    for seed in sorted(SHARED_SEEDS.glob("*.txt")):
        read = read_lines(seed)
        assert read == [clean_line(line) for line in decode_text(seed.read_bytes()).split("\n")][:len(read)], seed
    lines = lines_of(tmp_path, "plan.txt", "推进\t龙南市人民医院建设。\n加快\t定南县中医院建设。\n")
    assert lines == ["推进\t龙南市人民医院建设。", "加快\t定南县中医院建设。"]


@pytest.mark.parametrize("text, beds, new_beds", [
    ("新增负压病床80张", None, 80), ("新增ICU床位20张", None, 20), ("床位200张，新增传染病床位50张", 200, 50),
    ("新增床位500张", None, 500), ("设置床位300张", 300, None)])
def test_new_beds_of_a_kind_are_new_beds(text, beds, new_beds):
    """"新增负压病床80张" filled 床位 (the beds the facility has) with the 80 it adds."""
    from tracker.plans.figures import figures_in

    found = {figure.field: figure.value for figure in figures_in(text)}
    assert (found.get("beds"), found.get("new_beds")) == (beds, new_beds)


def test_towns_listed_as_some_of_a_number_and_a_programme_named_without_its_region_are_one_project(tmp_path):
    """"实施乡镇卫生院提质改造工程，对渡江镇、杨村镇、程龙镇等8个乡镇卫生院进行改扩建，总投资9600万元"
    beside the table's "龙南市乡镇卫生院提质改造工程" (a county's plan, typed by a tester) offered five
    candidates: the programme twice (with and without 龙南市) and one per town named, "渡江镇等8个
    乡镇卫生院进行改扩建". The towns are some of the eight the programme improves; a name that names
    no region is of the plan's own."""
    lines = lines_of(tmp_path, "plan.md", (
        "（三）实施乡镇卫生院提质改造工程，对渡江镇、杨村镇、程龙镇等8个乡镇卫生院进行改扩建，总投资9600万元。\n\n"
        "| 序号 | 项目名称 | 建设内容 | 建设年限 | 总投资（万元） |\n|---|---|---|---|---|\n"
        "| 5 | 龙南市乡镇卫生院提质改造工程 | 改扩建8个乡镇卫生院 | 2026-2030 | 9600 |\n"))
    result = extract(lines, "t", regions=[LONGNAN], plan_region="360783")
    [programme] = result["projects"]
    assert programme["name"] == "龙南市乡镇卫生院提质改造工程" and programme["aliases"] == ["乡镇卫生院提质改造工程"]
    assert (programme["total_investment_wan_yuan"], programme["start_year"], programme["end_year"]) == ("9600", 2026, 2030)
    assert_provenance(result, lines)


def test_an_investment_printed_as_a_range_is_no_figure_in_a_table_as_in_a_sentence(tmp_path):
    """"6000—8000" under 总投资（万元） was read as 6,000 万元, exact, while the same range in a
    sentence gave none: a range is no one figure, so the project's 总投资 stays 未填报 for its
    officer to give, and a "约4500" beside it is still an approximate 4,500."""
    lines = lines_of(tmp_path, "plan.md", (
        "| 序号 | 项目名称 | 建设性质 | 总投资（万元） |\n|---|---|---|---|\n"
        "| 1 | 龙南市妇幼保健院改扩建项目 | 改扩建 | 6000—8000 |\n"
        "| 2 | 龙南市第二人民医院迁建项目 | 迁建 | 约4500 |\n"
        "| 3 | 龙南市急救中心建设项目 | 新建 | 3000万元～3500万元 |\n\n"
        "改扩建龙南市中医院，总投资6000—8000万元。\n"))
    found = {project["name"]: project for project in extract(lines, "t", regions=[LONGNAN], plan_region="360783")["projects"]}
    assert found["龙南市妇幼保健院改扩建项目"].get("total_investment_wan_yuan") is None
    assert found["龙南市急救中心建设项目"].get("total_investment_wan_yuan") is None
    assert (found["龙南市第二人民医院迁建项目"]["total_investment_wan_yuan"],
            found["龙南市第二人民医院迁建项目"]["total_investment_approx"]) == ("4500", True)
    assert found["龙南市中医院"].get("total_investment_wan_yuan") is None


def test_a_work_named_by_its_verb_in_a_sentence_and_by_its_project_in_the_table_is_one_candidate(tmp_path):
    """"迁建定南县疾病预防控制中心，…总投资1.35亿元" and the table's "定南县疾病预防控制中心迁建项目 |
    迁建 | … | 13500" were two candidates with 13,500 万元 each: accepted, the relocation counted
    twice. The institution named without a build nature stays apart from its relocation."""
    lines = lines_of(tmp_path, "plan.md", (
        "（二）迁建龙南市疾病预防控制中心，总建筑面积8600平方米，总投资1.35亿元，建设期2027—2029年。\n\n"
        "| 序号 | 项目名称 | 建设性质 | 建设规模 | 总投资（万元） |\n|---|---|---|---|---|\n"
        "| 1 | 龙南市疾病预防控制中心迁建项目 | 迁建 | 建筑面积8600平方米 | 13500 |\n"
        "| 2 | 龙南市妇幼保健院改扩建项目 | 改扩建 | 床位120张 | 9000 |\n\n"
        "（三）支持龙南市妇幼保健院开展儿童早期发展基地建设，总投资500万元。\n"))
    found = extract(lines, "t", regions=[LONGNAN], plan_region="360783")["projects"]
    relocations = [project for project in found if "疾病预防控制中心" in project["name"]]
    assert [(p["name"], p["aliases"], p["total_investment_wan_yuan"]) for p in relocations] == [
        ("龙南市疾病预防控制中心迁建项目", ["龙南市疾病预防控制中心"], "13500")]
    assert len([project for project in found if "妇幼保健院" in project["name"]]) >= 1
    assert_provenance({"projects": relocations, "indicators": []}, lines)


def test_a_construction_period_of_one_year_is_its_start_and_its_end(tmp_path):
    """"建设期2026年" was not read (only a range of years was); "2026年12月底前…" is no period."""
    lines = lines_of(tmp_path, "plan.md", "（四）新建龙南市急救站，总投资约650万元，建设期2026年。\n\n"
                                          "（五）新建龙南市血站，总投资800万元，建设期2026年12月底前完成。\n")
    found = {p["name"]: p for p in extract(lines, "t", regions=[LONGNAN], plan_region="360783")["projects"]}
    assert (found["龙南市急救站"]["start_year"], found["龙南市急救站"]["end_year"]) == (2026, 2026)
    assert (found["龙南市血站"].get("start_year"), found["龙南市血站"].get("end_year")) == (None, None)
    assert_provenance({"projects": list(found.values()), "indicators": []}, lines)


def test_a_project_carried_on_as_x_xu_jian_is_matched_to_x():
    """A QA walk's complaint: the 15th plan's "龙南市第二人民医院（龙南市妇幼保健院）续建项目" was
    not offered as the tracked "龙南市第二人民医院（龙南市妇幼保健院）": 续建 is the same project."""
    regions = [("360783", "龙南市", [])]
    assert match_key("龙南市第二人民医院（龙南市妇幼保健院）续建项目", regions) == \
        match_key("龙南市第二人民医院（龙南市妇幼保健院）", regions)
    assert match_key("龙南市中医院续建工程", regions) == match_key("龙南市中医院", regions)
    assert match_key("龙南市中医院改扩建项目", regions) != match_key("龙南市中医院", regions)  # another work


def test_figures_with_thousands_commas_or_full_width_digits_are_quoted_whole(tmp_path):
    """A planner's walk with plans of his own: "总投资12,600万元" was quoted "总投资12" and his 12600
    refused as not in its quote; "５８０００平方米" refused the 58000 read from it (accept and merge),
    and "总投资４．５亿元，２０２６—２０２８年" gave neither the investment nor the years."""
    lines = lines_of(tmp_path, "plan.txt", (
        "某县“十五五”卫生健康发展规划\n"
        "新建某县康复医院，设置床位200张，总建筑面积15,000平方米，总投资12,600万元，2028—2030年。\n"
        "新建某县儿童医院，床位３００张，建筑面积５８０００平方米，总投资４．５亿元，２０２６—２０２８年。\n"))
    found = by_name(extract(lines, "t"))
    rehab, children = found["某县康复医院"], found["某县儿童医院"]
    assert (rehab["total_investment_wan_yuan"], rehab["floor_area_m2"]) == ("12600", "15000")
    assert {"总投资12,600万元", "总建筑面积15,000平方米"} <= {source["quote"] for source in rehab["sources"]}
    assert (children["total_investment_wan_yuan"], children["floor_area_m2"], children["beds"],
            children["start_year"], children["end_year"]) == ("45000", "58000", 300, 2026, 2028)
    assert_provenance({"projects": [rehab, children], "indicators": []}, lines)


def test_a_building_named_in_a_later_clause_is_the_projects_content_and_leaves_it_its_figures(tmp_path):
    """"改扩建X实验楼，改造面积3600平方米，建设生物安全二级（P2）实验室，总投资1850万元" offered the lab
    as a project beside X and the line's figures went to neither; "续建X，完成住院楼、医技楼主体及
    配套工程，总投资5亿元" offered two buildings and lost the 5亿元."""
    lines = lines_of(tmp_path, "plan.txt", (
        "龙南市“十五五”卫生健康发展规划\n"
        "改扩建龙南市疾病预防控制中心实验楼，改造面积3600平方米，建设生物安全二级（P2）实验室，总投资1850万元，2026年完成。\n"
        "续建龙南第五人民医院（公立中医院）建设项目，完成住院楼、医技楼主体及配套工程，总投资5亿元，2026—2027年建成投用。\n"))
    result = extract(lines, "t", regions=[LONGNAN], plan_region="360783")
    found = by_name(result)
    assert set(found) == {"龙南市疾病预防控制中心实验楼", "龙南第五人民医院（公立中医院）建设项目"}
    lab = found["龙南市疾病预防控制中心实验楼"]
    assert (lab["total_investment_wan_yuan"], lab["floor_area_m2"]) == ("1850", "3600")
    assert found["龙南第五人民医院（公立中医院）建设项目"]["total_investment_wan_yuan"] == "50000"
    assert_provenance(result, lines)


def test_a_table_row_without_its_number_goes_on_with_the_row_above_and_a_caption_is_no_project(tmp_path):
    """A name broken over two rows ("宜春市急救中心业务用房及" | "智慧急救调度平台") was two candidates,
    the second invented and the first cut; a table's caption was a construction project."""
    lines = lines_of(tmp_path, "plan.md", (
        "表2 宜春市“十五五”卫生健康重点建设项目\n\n"
        "| 序号 | 项目名称 | 建设内容 | 总投资（万元） | 建设年限 |\n|---|---|---|---|---|\n"
        "| 1 | 宜春市急救中心业务用房及 | 建筑面积6500平方米 | 4200 | 2026-2027 |\n"
        "|  | 智慧急救调度平台 | 配置负压救护车20辆 |  |  |\n"
        "| 2 | 宜春市乡镇卫生院提质升级工程（甲、乙、 | 8个卫生院业务用房改扩建 | 9600 | 2026-2030 |\n"
        "|  | 丙等8个卫生院） | 合计改扩建面积约2.4万平方米 |  |  |\n"))
    result = extract(lines, "t", regions=[("360900", "宜春市", [])], plan_region="360900")
    found = by_name(result)
    assert set(found) == {"宜春市急救中心业务用房及智慧急救调度平台", "宜春市乡镇卫生院提质升级工程（甲、乙、丙等8个卫生院）"}
    towns = found["宜春市乡镇卫生院提质升级工程（甲、乙、丙等8个卫生院）"]
    assert (towns["total_investment_wan_yuan"], towns["floor_area_m2"], towns["floor_area_approx"]) == ("9600", "24000", True)
    assert_provenance(result, lines)


def test_a_relocation_printed_in_other_words_is_the_same_project():
    """"宜春市中心血站迁建项目" (a 15th plan) was not matched to the tracked "市中心血站易地新建" (the
    14th): accepted, the blood station was two projects."""
    regions = [("360900", "宜春市", [])]
    assert match_key("宜春市中心血站迁建项目", regions) == match_key("市中心血站易地新建", regions)
    assert match_key("宜春市中心血站异地新建项目", regions) == match_key("市中心血站易地新建", regions)
    assert match_key("宜春市中心血站改扩建项目", regions) != match_key("市中心血站易地新建", regions)


def test_a_project_named_with_its_carry_over_in_brackets_keeps_its_whole_name():
    """A QA walk: "推进宜丰县康复医院建设项目（续建），总投资3000万元。" gave a candidate named
    "项目（续建）": the 建设 inside the name was taken for a verb and the hospital for its actor."""
    lines = ["三、重点项目",
             "推进宜丰县康复医院建设项目（续建），总投资3000万元。",
             "续建宜丰县中医院传染病区建设项目（续建），2027年底前投入使用。"]
    names = set(by_name(extract(lines, "yifeng-15th")))
    assert "宜丰县康复医院建设项目（续建）" in names and "宜丰县中医院传染病区建设项目（续建）" in names, names
    assert not any(name.startswith("项目") for name in names), names


def test_what_a_project_leaves_out_and_a_tables_caption_are_no_candidates():
    """A QA walk: "（不含乡镇卫生院提质改造工程）" and a PDF table's caption "附表 2027年卫生健康
    重点项目推进计划" came up as candidates for the planner to reject one by one."""
    lines = ["三、重点项目",
             "（一）推进县域医共体建设，实施乡镇卫生院提质改造（不含乡镇卫生院提质改造工程）。",
             "附表 2027年卫生健康重点项目推进计划",
             "新建宜丰县康复医院，总投资3000万元。"]
    names = set(by_name(extract(lines, "yifeng-2027")))
    assert "宜丰县康复医院" in names
    assert not any(name.startswith(("不含", "附表")) for name in names), names


def test_a_table_without_a_nature_column_takes_it_from_the_work_cell_that_opens_with_it(tmp_path):
    """A QA walk: with no 建设性质 column, 妇幼保健院新院 read 未填报（原文：新院） though its 建设内容
    said 新建…, a 提质改造工程 read 改建 though its cell said 改扩建, and a 120 centre nothing."""
    document = docx.Document()
    document.add_paragraph("三、重点项目")
    table = document.add_table(rows=4, cols=4)
    rows = [["序号", "项目名称", "建设内容", "总投资（万元）"],
            ["1", "宜丰县妇幼保健院新院", "新建业务用房12000平方米，床位150张", "12000"],
            ["2", "宜丰县乡镇卫生院提质改造工程", "改扩建8所乡镇卫生院业务用房", "3000"],
            ["3", "宜丰县120急救指挥中心", "新建急救指挥调度中心1200平方米", "900"]]
    for cells, texts in zip(table.rows, rows):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    path = tmp_path / "plan.docx"
    document.save(path)
    lines = read_lines(path)
    found = by_name(extract(lines, "yifeng-15th"))
    assert found["宜丰县妇幼保健院新院"]["build_nature"] == "new"
    assert found["宜丰县乡镇卫生院提质改造工程"]["build_nature"] == "renovation_expansion"
    assert found["宜丰县120急救指挥中心"]["build_nature"] == "new"
    assert_provenance(extract(lines, "yifeng-15th"), lines)


def test_a_ward_building_a_name_run_into_its_figures_and_a_programme_with_its_count_are_read(tmp_path):
    """A county's 15th plan, tried by a QA walk: "扩建…传染病楼" and "新建…感染楼" gave no candidate
    (a 楼 of another kind than 门诊楼 or 综合楼 closed no name); "…扩建项目总投资12,000万元" with no
    comma before its 总投资 gave none; "实施…提标扩能工程，总投资1.2亿元，改造13个乡镇卫生院" gave two,
    the programme without its 1.2 亿元 and "改造13个乡镇卫生院" (a count of a kind of
    institution); and the sentence that introduces a table was offered as a project."""
    lines = lines_of(tmp_path, "某县.txt", (
        "某县“十五五”卫生健康发展规划\n"
        "1. 扩建某县第二医院传染病楼，总投资9500万元，新增床位120张。\n"
        "2. 新建某县第二医院感染楼，总投资9500万元。\n"
        "3. 某县第三人民医院扩建项目总投资12,000万元。\n"
        "4. 实施乡镇卫生院提标扩能工程，总投资1.2亿元，改造13个乡镇卫生院。\n"
        "下表为“十五五”期间其他重点项目。\n"
        "新建某县中医院康复楼，总投资3000万元。\n"))
    result = extract(lines, "mouxian-2026-2030")
    names = by_name(result)
    assert set(names) == {"某县第二医院传染病楼", "某县第二医院感染楼", "某县第三人民医院扩建项目",
                          "乡镇卫生院提标扩能工程", "某县中医院康复楼"}, set(names)
    ward = names["某县第二医院传染病楼"]
    assert (ward["total_investment_wan_yuan"], ward["new_beds"], ward["build_nature"]) == ("9500", 120, "expansion")
    assert names["某县第二医院感染楼"]["total_investment_wan_yuan"] == "9500"
    assert names["某县第三人民医院扩建项目"]["total_investment_wan_yuan"] == "12000"
    assert names["乡镇卫生院提标扩能工程"]["total_investment_wan_yuan"] == "12000"
    assert names["某县中医院康复楼"]["total_investment_wan_yuan"] == "3000"
    assert_provenance(result, lines)


def test_an_investment_printed_as_a_bound_is_an_approximation_not_the_figure():
    """A QA walk: "总投资2亿元以上" is at least 2 亿元; read as the exact 20,000 万元 it claimed more
    than the plan says."""
    lines = ["新建某县疾控中心，总投资2亿元以上。", "新建某县妇幼保健院，总投资1.2亿元。"]
    names = by_name(extract(lines, "bound-2026"))
    cdc, mch = names["某县疾控中心"], names["某县妇幼保健院"]
    assert (cdc["total_investment_wan_yuan"], cdc["total_investment_approx"]) == ("20000", True)
    assert (mch["total_investment_wan_yuan"], mch.get("total_investment_approx", False)) == ("12000", False)
