"""Issue 15, "facts stated once": a project's and a monthly report's fields are described in one
registry (tracker/projects/fields.py), and every consumer reads it.

Each test below takes one consumer (the form, the sheet, the importer, the audit trail, the seed,
the JSON export, the API, the services' bounds, the templates' money filter) and checks it against
the registry for every field, so a field added or relabelled there reaches all of them, and a
consumer that kept its own copy fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import render_template_string
from markupsafe import Markup

from tracker.accounts.services import MONEY_SOURCE_FIELDS
from tracker.api import schemas
from tracker.audit import display
from tracker.audit.models import AuditEntry
from tracker.errors import ValidationFailed
from tracker.exports.columns import MONTHLY_REPORT_COLUMNS, PROJECT_COLUMNS
from tracker.exports.records import project_to_dict
from tracker.imports.importer import detect_kind
from tracker.plans import services as plan_services
from tracker.plans.forms import CandidateForm
from tracker.progress.forms import ReportForm
from tracker.projects import services
from tracker.projects.fields import (EDITABLE_FIELDS, IMPORT, JSON_FIELDS, MONEY_FIELDS, PROJECT,
                                     PROJECT_FIELDS, REPORT, REPORT_FIELDS, SEED)
from tracker.projects.forms import ProjectForm
from tracker.seeding.loader import collect
from tracker.seeding.provenance import load_seed_files

from . import factories
from .test_import import officer, run, xlsx  # noqa: F401  (officer is a fixture)


def test_the_project_form_labels_every_editable_field_as_the_registry_does(app):
    with app.test_request_context():
        form = ProjectForm(meta={"csrf": False})
        assert form.FIELDS == EDITABLE_FIELDS
        for name in EDITABLE_FIELDS:
            assert form[name].label.text == str(PROJECT[name].label), name


def test_the_report_form_and_the_api_take_a_reports_texts_as_the_registry_bounds_them(app):
    """A report's texts hold 2,000 characters on every path (the import once took 5,000)."""
    with app.test_request_context():
        form = ReportForm(meta={"csrf": False})
        for field in REPORT_FIELDS:
            if field.editable:
                assert form[field.name].label.text == str(field.label), field.name
    columns = {column.key: column for column in MONTHLY_REPORT_COLUMNS}
    for name in ("progress_text", "problems", "next_steps", "over_budget_reason"):
        assert REPORT[name].max_length == columns[name].max_length == 2000
        assert schemas.ReportInput().validate({name: "字" * 2001}) == {name: ["Longer than maximum length 2000."]}


def test_the_sheet_columns_take_header_kind_decimals_and_money_from_the_registry():
    registered = {**PROJECT, **REPORT}
    covered = set()
    for column in PROJECT_COLUMNS + MONTHLY_REPORT_COLUMNS:
        field = registered.get(column.key)
        if field is None:
            continue  # the id, the region's key and name, the plans: only a sheet has them
        covered.add(column.key)
        assert (column.label, column.kind, column.places, column.money, column.max_length) == \
            (str(field.label), field.kind, field.places, field.money, field.max_length), column.key
        assert column.importable == (IMPORT in field.paths), column.key
    # Every field but the region (the sheet names it by its key) has a column.
    assert set(registered) - covered == {"region_id", "invested_year"}


def test_the_audit_trail_labels_and_hides_fields_as_the_registry_does():
    entry = AuditEntry(action="project:update")
    for field in PROJECT_FIELDS + REPORT_FIELDS:
        assert display.field_label(entry, field.name) == str(field.label), field.name
        assert (field.name in display.MONEY_FIELDS) == field.money, field.name
    assert display.display_value(entry, "floor_area_m2", "18000.5") == "18,000.5"
    assert display.display_value(entry, "physical_percent", "35") == "35%"
    assert display.display_value(entry, "status", "construction") == "在建"


def test_the_copies_that_disagreed_now_say_the_same(app):
    """总建筑面积 is the plans' word (DOMAIN.md); 建设性质 has one 原文 label; 计划开工 is a date."""
    entry = AuditEntry(action="project:update")
    columns = {column.key: column.label for column in PROJECT_COLUMNS}
    with app.test_request_context():
        form = ProjectForm(meta={"csrf": False})
        for name, label in {"floor_area_m2": "总建筑面积（m²）", "build_nature_term": "建设性质（原文用词）",
                            "floor_area_term": "面积口径", "planned_start": "计划开工日期"}.items():
            assert form[name].label.text == columns[name] == display.field_label(entry, name) == label
    reports = {column.key: column.label for column in MONTHLY_REPORT_COLUMNS}
    assert reports["funds_received"] == display.field_label(entry, "funds_received") == "累计资金到位（万元）"


def test_a_plan_candidate_names_its_figures_as_the_project_fields_they_fill(app):
    """占地（亩）, 床位 and 建筑面积（m²） were the candidate page's own words."""
    with app.test_request_context():
        form = CandidateForm(meta={"csrf": False})
        for seed_name, name in plan_services.FIGURE_FIELDS.items():
            assert form[seed_name].label.text == str(plan_services.FIELD_LABELS[seed_name]) == \
                str(PROJECT[name].label)
    assert set(plan_services.FIGURE_FIELDS.values()) == {
        "total_investment", "floor_area_m2", "land_area_mu", "beds", "new_beds"}
    assert plan_services.WHOLE_FIELDS == {"beds", "new_beds"}


def test_a_quote_of_an_amount_is_money_by_the_registry():
    assert {"total_investment_wan_yuan", "total_investment"} <= MONEY_SOURCE_FIELDS
    assert not MONEY_SOURCE_FIELDS & {"beds", "floor_area_m2"}


def test_a_sheet_exported_with_the_old_headers_still_imports(officer, db):  # noqa: F811
    """Yesterday's export said 建设性质（原文） and 建筑面积口径: those headers still read."""
    user, _browser = officer
    project = factories.project(name="龙南市中医院迁建项目")
    db.session.commit()
    headers = ["项目ID", "项目名称", "地区代码", "建设性质（原文）", "建筑面积口径", "建筑面积（m²）"]
    assert detect_kind(headers, ["en"]) == "projects"
    report = run(user, xlsx([[project.id, project.name, "360783", "易地新建", "建设面积", "4,500"]],
                            headers=headers))
    assert not report.warnings and not list(report.all_problems())
    db.session.refresh(project)
    assert (project.build_nature_term, project.floor_area_term, project.floor_area_m2) == \
        ("易地新建", "建设面积", Decimal("4500"))


def test_the_seed_states_registered_fields_by_their_seed_names(app):
    structural = {"key", "region", "aliases", "sources", "milestones", "built_before_plan"}
    seed_names = {field.seed_name for field in PROJECT_FIELDS if field.seed_name}
    for _path, data in load_seed_files(app.config["SEED_DIR"]):
        for item in data.get("projects") or []:
            assert set(item) - structural <= seed_names, item["key"]
    _regions, _plans, projects = collect(app.config["SEED_DIR"])
    seeded = {field.name for field in PROJECT_FIELDS if field.seed_name}
    assert all(set(project.attributes) == seeded for project in projects.values())
    assert "total_investment" in seeded and "project_code" not in seeded
    assert seeded == {field.name for field in PROJECT_FIELDS if SEED in field.paths}


def test_the_json_export_and_the_api_shape_carry_the_registered_fields(db):
    project = factories.project(total_investment=Decimal("9000"), beds=120, status="construction")
    record = project_to_dict(project)
    declared = schemas.ProjectSchema._declared_fields
    for field in JSON_FIELDS:
        assert field.json_name in record and field.json_name in declared, field.name
    assert record["total_investment_wan_yuan"] == "9000" and record["beds"] == 120
    assert record["status"] == "construction"
    assert declared["name"].required and not declared["location"].required
    assert "absent when money is hidden" in declared["total_investment_wan_yuan"].metadata["description"]
    reports = schemas.ReportSchema._declared_fields
    assert {field.json_name for field in REPORT_FIELDS} <= set(reports)
    assert {name for name, field in REPORT.items() if field.money} == \
        {"invested_month", "invested_year", "invested_total", "funds_received", "paid"}


def test_schema_from_fields_builds_a_schema_another_shape_can_reuse():
    shape = schemas.schema_from_fields("Sizes", [PROJECT["beds"], PROJECT["floor_area_m2"]],
                                       doc="Two sizes.", id=schemas.fields.Integer())
    assert shape.__doc__ == "Two sizes."
    assert shape().dump({"id": 1, "beds": 80, "floor_area_m2": "4500.5"}) == \
        {"id": 1, "beds": 80, "floor_area_m2": "4500.5"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("beds", 100_001, "应在 0 到 100000 之间"),
    ("new_beds", -1, "不能为负数"),
    ("total_investment", Decimal("1e12"), "数值过大"),
    ("floor_area_m2", "1000000000000", "数值过大"),
    ("status", "sleeping", "不是有效的选项"),
])
def test_the_services_hold_the_registrys_bounds(db, field, value, message):
    project = factories.project()
    with pytest.raises(ValidationFailed) as failure:
        services.update_project(factories.TEST_ACTOR, project, {field: value})
    assert message in " ".join(failure.value.errors[field])


def test_the_services_report_every_field_error_at_once(db):
    project = factories.project()
    with pytest.raises(ValidationFailed) as failure:
        services.update_project(factories.TEST_ACTOR, project,
                                {"name": " ", "beds": 100_001, "land_area_mu": -1, "kind": "castle"})
    assert set(failure.value.errors) == {"name", "beds", "land_area_mu", "kind"}


def test_money_is_what_the_registry_says():
    assert {"total_investment", "total_investment_approx", "current_estimate", "invested_to_date",
            "invested_month", "paid"} <= MONEY_FIELDS
    assert not MONEY_FIELDS & {"floor_area_m2", "beds", "physical_percent", "land_area_mu"}
    assert {column.key for column in PROJECT_COLUMNS if column.money} == \
        {name for name in MONEY_FIELDS if name in PROJECT}


@pytest.mark.parametrize("visible", [True, False])
def test_the_money_filter_prints_the_figure_or_hidden(app, visible):
    template = "{{ amount|figure|money }}｜{% filter money %}<b>{{ amount|number }}</b> 万元{% endfilter %}"
    with app.test_request_context():
        html = render_template_string(template, amount=Decimal("7515"), show_money=visible)
    hidden = str(Markup('<span class="unknown">已隐藏</span>'))
    assert html == ("7,515｜<b>7,515</b> 万元" if visible else f"{hidden}｜{hidden}")


def test_the_project_list_heads_its_field_columns_with_the_registrys_labels(client, db):
    factories.project(floor_area_m2=Decimal("4500"), beds=80)
    db.session.commit()
    html = client.get("/projects?kind=all").get_data(as_text=True)
    for name in ("total_investment", "floor_area_m2", "beds", "invested_to_date"):
        assert f">{PROJECT[name].label}</a>" in html, name


def test_a_budget_revisions_funding_lines_and_annual_plans_fields_read_as_their_forms_label_them(app, db):
    """The audit trail labelled a funding line's 备注 as 说明 (the milestones' word), and kept its own
    list of which of these records' fields are money: both now come from the registry."""
    from tracker.api import writes
    from tracker.progress.forms import AnnualPlanForm, BudgetRevisionForm, FundingLineForm
    from tracker.projects.fields import ANNUAL_PLAN_FIELDS, BUDGET_FIELDS, FUNDING_FIELDS

    with app.test_request_context():
        for form_class, fields, action in ((BudgetRevisionForm, BUDGET_FIELDS, "budget:revise"),
                                           (FundingLineForm, FUNDING_FIELDS, "funding:update"),
                                           (AnnualPlanForm, ANNUAL_PLAN_FIELDS, "annual_plan:set")):
            form = form_class(meta={"csrf": False})
            entry = AuditEntry(action=action, changes={})
            for field in fields:
                if field.editable:
                    assert form[field.name].label.text == str(field.label), field.name
                assert display.field_label(entry, field.name) == str(field.label), (action, field.name)
                assert (field.name in MONEY_FIELDS) is field.money
    too_long = "备" * (FUNDING_FIELDS[2].max_length + 1)
    assert "note" in writes.FundingChangesInput().validate({"source": "central_budget", "amount": None,
                                                            "note": too_long, "reason": "更正"})
    assert "note" not in schemas.FundingInput().validate({"source": "central_budget", "note": too_long[1:]})
