"""The OC4IDS project package: validated offline against the 0.9.5 schema in ../shared/oc4ids/."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from flask import g

from tracker.accounts.models import Setting
from tracker.audit.services import Actor
from tracker.exports import oc4ids
from tracker.plans.models import Plan
from tracker.portfolio.filters import PortfolioFilter
from tracker.progress import services as progress
from tracker.projects import services as project_services
from tracker.vocabulary import BuildNature, Stage, Status

from . import factories
from .conftest import login_as

OC4IDS = Path(__file__).resolve().parents[2] / "shared" / "oc4ids"
ACTOR = Actor(None, "cli")


@pytest.fixture(scope="module")
def validator():
    if not OC4IDS.is_dir():
        pytest.skip(f"the OC4IDS schema is not at {OC4IDS}")
    project_schema = json.loads((OC4IDS / "project-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads((OC4IDS / "project-package-schema.json").read_text(encoding="utf-8"))
    # The package refers to the project schema by its published URL: resolve it to the local
    # file. A registry with no retriever never goes to the network.
    registry = Registry().with_resource(project_schema["id"], Resource.from_contents(
        project_schema, default_specification=DRAFT4))
    return Draft4Validator(package_schema, registry=registry,
                           format_checker=Draft4Validator.FORMAT_CHECKER)


def codelist(name: str) -> set[str]:
    with open(OC4IDS / "codelists" / name, encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def package(portfolio_filter: PortfolioFilter, **kwargs) -> dict:
    text = "".join(oc4ids.package_chunks(portfolio_filter, uri="https://tracker.example/p.json", **kwargs))
    return json.loads(text, parse_float=Decimal)


def errors(validator, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def unknowns(value, path="") -> list[str]:
    """Places where an unknown value was written instead of left out."""
    found = []
    if value is None or value == [] or value == {} or value == "":
        found.append(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unknowns(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unknowns(item, f"{path}[{index}]")
    return found


def test_the_longnan_package_validates_offline(validator, seeded):
    document = package(PortfolioFilter(region="360783", kind="all"))
    assert errors(validator, document) == []
    assert document["version"] == "0.9"
    projects = {p["title"]: p for p in document["projects"]}
    lab = projects["赣州市龙南市疾病预防控制中心实验楼建设项目"]
    assert lab["budget"]["amount"] == {"amount": 13200000, "currency": "CNY"}
    assert lab["type"] == "construction" and lab["sector"] == ["health"]
    assert lab["locations"][0]["gazetteer"] == {"scheme": "GB/T 2260", "identifiers": ["360783"]}
    floor = next(m for m in lab["metrics"] if m["id"] == "floorArea")["observations"][0]
    assert floor["measure"] == 4400 and floor["unit"]["id"] == "MTK"
    land = next(m for m in lab["metrics"] if m["id"] == "landArea")["observations"][0]
    assert land["measure"] == 4 and land["notes"] == "约数"
    stated = [p["budget"]["amount"]["amount"] for p in document["projects"] if "amount" in p.get("budget", {})]
    assert len(stated) == 8 and sum(stated) == 145735 * 10000
    # Unknown stays unknown: nothing is written as null, an empty list or an empty object.
    assert unknowns(document) == []
    assert any("budget" not in p for p in document["projects"])
    for record in document["projects"]:  # a status nobody stated is not guessed
        stated = any(c["scheme"] == "tracker-status" for c in record["additionalClassifications"])
        assert ("status" in record) == stated


def test_a_full_project_maps_every_part(validator, db):
    region = factories.region()
    plan = Plan(key="p1", title="龙南市“十四五”区域卫生规划", issuer="龙南市卫生健康委员会", region=region)
    db.session.add(plan)
    project = factories.project(
        region, name="龙南市人民医院迁建项目", project_code="2021-360783-84-01-000013",
        build_nature=BuildNature.RELOCATION, status=Status.CONSTRUCTION, owner_unit="龙南市人民医院",
        total_investment=Decimal("16698.9512"), floor_area_m2=Decimal("52000.50"), beds=500,
        new_beds=200, planned_start=dt.date(2022, 3, 1), planned_end=dt.date(2025, 12, 31))
    project_services.link_plan(ACTOR, project, plan)
    progress.add_standard_lifecycle(ACTOR, project)
    approval = next(m for m in project.milestones if m.stage is Stage.PRELIMINARY_DESIGN)
    progress.update_milestone(ACTOR, approval, planned_date=dt.date(2021, 10, 1),
                              actual_date=dt.date(2021, 11, 15), expected_version=approval.version)
    start = next(m for m in project.milestones if m.stage is Stage.START)
    progress.update_milestone(ACTOR, start, planned_date=dt.date(2022, 3, 1), actual_date=None,
                              expected_version=start.version)
    progress.add_funding_line(ACTOR, project, source="central_budget", amount=Decimal("5000"))
    progress.add_funding_line(ACTOR, project, source="special_bonds", amount=None)
    progress.submit_report(ACTOR, project, dt.date(2024, 1, 1), progress_text="基础施工",
                           physical_percent=Decimal("12.5"), invested_month=Decimal("800.25"),
                           invested_total=Decimal("3000.25"))
    progress.submit_report(ACTOR, project, dt.date(2024, 2, 1), progress_text="主体结构施工至5层",
                           physical_percent=Decimal("20"), invested_month=Decimal("1000"))
    db.session.commit()

    document = package(PortfolioFilter(), today=dt.date(2024, 3, 15))
    assert errors(validator, document) == []
    record = document["projects"][0]
    assert {"id": "2021-360783-84-01-000013", "scheme": "GB/T 40058-2021"} in record["identifiers"]
    assert record["status"] == "implementation" and record["type"] == "replacement"
    assert record["budget"]["amount"]["amount"] == 166989512  # 16,698.9512 万元, to the yuan
    assert record["budget"]["approvalDate"] == "2021-11-15T00:00:00+08:00"
    assert record["period"] == {"startDate": "2022-03-01T00:00:00+08:00", "endDate": "2025-12-31T00:00:00+08:00"}
    parties = {party["id"]: party for party in record["parties"]}
    assert record["publicAuthority"] == {"id": "publicAuthority-1", "name": "龙南市卫生健康委员会"}
    assert parties["publicAuthority-1"]["roles"] == ["publicAuthority"]
    assert parties["owner-1"]["name"] == "龙南市人民医院"
    assert "funder" in parties["funder-central_budget"]["roles"]
    lines = record["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    assert {line["sourceParty"]["id"] for line in lines} == {"funder-central_budget", "funder-special_bonds"}
    assert [line["amount"]["amount"] for line in lines if "amount" in line] == [50000000]
    metrics = {metric["id"]: metric for metric in record["metrics"]}
    physical = metrics["physicalProgress"]["observations"]
    assert [(o["period"]["startDate"][:7], o["measure"], o["notes"]) for o in physical] == [
        ("2024-01", Decimal("12.5"), "基础施工"), ("2024-02", 20, "主体结构施工至5层")]
    assert physical[0]["period"]["endDate"] == "2024-01-31T23:59:59+08:00"
    financial = metrics["financialProgress"]["observations"]
    assert [o["value"]["amount"] for o in financial] == [30002500, 40002500]  # cumulative, in yuan
    assert metrics["beds"]["observations"][0]["measure"] == 500
    assert metrics["newBeds"]["observations"][0]["measure"] == 200
    assert metrics["floorArea"]["observations"][0]["measure"] == Decimal("52000.5")
    milestones = {m["code"]: m for m in record["milestones"] if "code" in m}
    assert milestones["preliminary_design"]["status"] == "met"
    assert milestones["preliminary_design"]["type"] == "approval"
    # 在建: its 开工 is passed though nobody dated it (met, no dateMet), not "notMet".
    assert milestones["start"]["status"] == "met" and "dateMet" not in milestones["start"]
    assert milestones["start"]["type"] == "delivery"
    assert "dateMet" not in milestones["start"]
    # 计划竣工 on the project is the 竣工验收 milestone's planned date: one fact
    assert milestones["acceptance"]["dueDate"] == "2025-12-31T00:00:00+08:00"
    assert milestones["acceptance"]["status"] == "scheduled"
    assert unknowns(document) == []


def test_amounts_are_exact_json_numbers_never_floats():
    text = oc4ids.dumps({"a": oc4ids.yuan(Decimal("0.0001")), "b": Decimal("52000.50"),
                         "c": oc4ids.yuan(Decimal("123456789012.3456"))})
    assert text == '{"a":1,"b":52000.5,"c":1234567890123456}'


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs"])),
       amount=st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False))
def test_any_stored_text_and_amount_reads_back_from_the_package_exactly(text, amount):
    """Whatever an officer typed (quotes, backslashes, control characters, U+2028, emoji) is the
    same string read back from the package, and an amount the same number (never an exponent,
    never through a float)."""
    document = json.loads(oc4ids.dumps({"name": text, "amount": amount, "list": [text, None, True]}),
                          parse_float=Decimal)
    assert document == {"name": text, "amount": amount, "list": [text, None, True]}
    assert "e" not in oc4ids.dumps(amount).lower()


def test_every_mapped_code_is_in_its_codelist():
    if not OC4IDS.is_dir():
        pytest.skip(f"the OC4IDS codelists are not at {OC4IDS}")
    assert set(oc4ids.PROJECT_TYPE.values()) <= codelist("projectType.csv")
    assert set(oc4ids.PROJECT_STATUS.values()) <= codelist("projectStatus.csv")
    assert set(oc4ids.MILESTONE_TYPE.values()) <= codelist("milestoneType.csv")
    assert set(oc4ids.PROJECT_STATUS) == set(Status) and set(oc4ids.PROJECT_TYPE) == set(BuildNature)


def test_the_web_export_is_the_list_in_view(validator, app, client, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://tracker.example.gov.cn")
    response = client.get("/projects/export.oc4ids.json?region=360783")
    assert response.status_code == 200 and response.is_streamed
    document = json.loads(response.get_data(as_text=True), parse_float=Decimal)
    assert errors(validator, document) == []
    assert document["uri"] == "https://tracker.example.gov.cn/projects/export.oc4ids.json?region=360783"
    page = client.get("/projects?region=360783").get_data(as_text=True)
    assert f"项目 {len(document['projects'])} 个" in page


def test_an_empty_selection_is_refused_not_an_invalid_package(client, db):
    response = client.get("/projects/export.oc4ids.json?q=没有这个项目")
    assert response.status_code == 400
    assert "至少要有一个项目" in response.get_data(as_text=True)


def test_a_budget_from_an_approximate_total_investment_says_so(validator, client, seeded, db):
    """A QA walk's complaint: a project whose 总投资 is 约30,000 gave its budget in the package as
    300000000 CNY with nothing saying so, though its floor area carried "notes": "约数"."""
    import sqlalchemy as sa

    from tracker.projects.models import Project

    project = db.session.scalar(sa.select(Project).where(Project.name == "龙南医养综合服务中心"))
    project.total_investment_approx = True
    db.session.commit()
    response = client.get("/projects/export.oc4ids.json?region=360783")
    document = json.loads(response.get_data(as_text=True), parse_float=Decimal)
    assert errors(validator, document) == []
    budgets = {p["title"]: p["budget"] for p in document["projects"] if "budget" in p}
    assert budgets["龙南医养综合服务中心"] == {"amount": {"amount": 300000000, "currency": "CNY"},
                                        "description": "总投资为约数"}
    assert "description" not in budgets["赣州市龙南市疾病预防控制中心实验楼建设项目"]


def test_a_revised_budget_is_the_current_estimate_with_its_approvals(validator, app, client, seeded, db,
                                                                     make_user):
    """A QA walk's complaint: 感染大楼's 概算 was revised to 8,200 万元 (龙发改投资〔2026〕12号) and the
    dashboard counted it 超概算, but the package still gave its budget as the 7,515 of the plan
    and nothing of the revision. OC4IDS 0.9 has no project-level modifications: the budget is
    the current approved estimate (现行概算), approved on the revision's date, its description
    names the 总投资 first approved, and each approval is a document of the codelist's type
    budgetAmendmentApproval."""
    import sqlalchemy as sa

    from tracker.projects.models import Project

    title = "赣州市龙南市第一人民医院感染大楼建设项目"
    project = db.session.scalar(sa.select(Project).where(Project.name == title))
    progress.revise_budget(ACTOR, project, new_amount=Decimal("8200"), reason="增加负压病房",
                           approval_number="龙发改投资〔2026〕12号", approval_date=dt.date(2026, 3, 2))
    db.session.commit()

    def record(reader, url: str) -> dict:
        document = json.loads(reader.get(url).get_data(as_text=True), parse_float=Decimal)
        assert errors(validator, document) == [] and unknowns(document) == []
        return next(p for p in document["projects"] if p["title"] == title)

    found = record(client, "/projects/export.oc4ids.json?region=360783")
    assert found["budget"]["amount"] == {"amount": 82000000, "currency": "CNY"}
    assert found["budget"]["approvalDate"] == "2026-03-02T00:00:00+08:00"
    assert "7,515" in found["budget"]["description"] and "1" in found["budget"]["description"]
    [document] = found["documents"]
    assert document["documentType"] == "budgetAmendmentApproval"
    assert "budgetAmendmentApproval" in codelist("documentType.csv")
    assert "龙发改投资〔2026〕12号" in document["title"]
    assert document["datePublished"] == "2026-03-02T00:00:00+08:00"
    assert "7,515" in document["description"] and "8,200" in document["description"]
    assert "增加负压病房" in document["description"]

    # A viewer from whom money is hidden: the approval and its reason, no amount anywhere.
    db.session.merge(Setting(key="hide_money_from_viewers", value={"enabled": True}))
    db.session.commit()
    viewer = app.test_client()
    login_as(viewer, make_user("viewer", username="viewer-oc4ids"))
    g.pop("_login_user", None)  # the test's app context outlives requests
    found = record(viewer, "/projects/export.oc4ids.json?region=360783")
    text = json.dumps(found, ensure_ascii=False, default=str)
    assert "budget" not in found and "8,200" not in text and "7,515" not in text
    assert "龙发改投资〔2026〕12号" in found["documents"][0]["title"]
    assert "增加负压病房" in found["documents"][0]["description"]
