"""The API's shapes, as marshmallow schemas: flask-smorest writes them into the OpenAPI document
and schemathesis checks every response against it (tests/test_api_schemathesis.py).

Money and other exact figures travel as strings ("145735", "12.5"): never as floats. A figure
sent to the API may be a string or a number."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

NullableString = lambda **kw: fields.String(allow_none=True, **kw)  # noqa: E731
FIGURE = {"type": "string", "description": "an exact figure, as a string (万元 for money)"}


def Figure(**kw):  # named like the marshmallow fields it stands beside
    return fields.Raw(allow_none=True, metadata=dict(FIGURE, **kw.pop("metadata", {})), **kw)


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    changes = fields.List(fields.Dict(), metadata={"description": "what others saved since the version named (412)"})
    current_etag = fields.String()


class SourceSchema(Schema):
    file = NullableString()
    line = fields.Integer(allow_none=True)
    quote = NullableString()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", allow_none=True)


class MilestoneSchema(Schema):
    stage = NullableString()
    name = NullableString()
    planned_date = NullableString(metadata={"format": "date"})
    actual_date = NullableString(metadata={"format": "date"})


class ProjectSchema(Schema):
    """The representation ``tracker export --format json`` writes (portfolio/exports.py)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String())
    project_code = NullableString()
    region_code = NullableString()
    region_key = fields.String()
    region_name = fields.String()
    plan_files = fields.List(fields.String())
    kind = NullableString()
    category = NullableString()
    build_nature = NullableString()
    build_nature_term = NullableString()
    location = NullableString()
    owner_unit = NullableString()
    land_area_mu = Figure()
    land_area_approx = fields.Boolean(allow_none=True)
    floor_area_m2 = Figure()
    floor_area_approx = fields.Boolean(allow_none=True)
    floor_area_term = NullableString()
    beds = fields.Integer(allow_none=True)
    new_beds = fields.Integer(allow_none=True)
    total_investment_wan_yuan = Figure(metadata={"description": "万元; absent when money is hidden from the caller"})
    total_investment_approx = fields.Boolean(allow_none=True)
    scope = NullableString()
    status = NullableString()
    planned_start = NullableString(metadata={"format": "date"})
    planned_end = NullableString(metadata={"format": "date"})
    sources = fields.List(fields.Nested(SourceSchema))
    milestones = fields.List(fields.Nested(MilestoneSchema))


class ReportSchema(Schema):
    month = fields.String(required=True, metadata={"pattern": r"^\d{4}-\d{2}$"})
    revision = fields.Integer()
    version = fields.Integer()
    etag = fields.String()
    progress_text = NullableString()
    physical_percent = Figure()
    invested_month = Figure()
    invested_year = Figure()
    invested_total = Figure()
    funds_received = Figure()
    paid = Figure()
    problems = NullableString()
    next_steps = NullableString()
    over_budget_reason = NullableString()
    submitted_by = NullableString()
    submitted_at = NullableString(metadata={"format": "date-time"})


class FundingSchema(Schema):
    source = fields.String()
    amount = Figure()
    note = NullableString()


class BudgetRevisionSchema(Schema):
    previous_amount = Figure()
    new_amount = Figure()
    reason = NullableString()
    approval_number = NullableString()
    approval_date = NullableString(metadata={"format": "date"})


class ProjectDetailSchema(ProjectSchema):
    reports = fields.List(fields.Nested(ReportSchema))
    funding = fields.List(fields.Nested(FundingSchema))
    budget_revisions = fields.List(fields.Nested(BudgetRevisionSchema))


class Pair(Schema):
    count = fields.Integer(required=True, metadata={"description": "projects with the figure stated"})
    sum = fields.Raw(allow_none=True, metadata={
        "type": ["string", "integer"],
        "description": "the sum over those projects: an exact string for 万元 and m², an integer for beds"})


class TotalsSchema(Schema):
    projects = fields.Integer(required=True)
    total_investment_wan_yuan = fields.Nested(Pair)
    invested_to_date_wan_yuan = fields.Nested(Pair)
    floor_area_m2 = fields.Nested(Pair)
    beds = fields.Nested(Pair)
    new_beds = fields.Nested(Pair)


class PageSchema(Schema):
    number = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    next = NullableString()
    prev = NullableString()


class ProjectListSchema(Schema):
    projects = fields.List(fields.Nested(ProjectSchema), required=True)
    totals = fields.Nested(TotalsSchema, required=True)
    page = fields.Nested(PageSchema, required=True)


class FilterArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    region = fields.String(metadata={"description": "GB/T 2260 code or region key, e.g. 360783"})
    plan = fields.String()
    status = fields.String()
    category = fields.String()
    build_nature = fields.String()
    kind = fields.String()
    q = fields.String()
    late = fields.String()
    funding = fields.String()


class ListArgs(FilterArgs):
    sort = fields.String()
    order = fields.String(metadata={"enum": ["asc", "desc"]})
    page = fields.String(metadata={"description": "page number; follow the Link header's next/prev"})
    after = fields.String()
    before = fields.String()
    value = fields.String()
    anchor = fields.String()


class RegionSchema(Schema):
    key = fields.String(required=True)
    code = NullableString()
    name = fields.String(required=True)
    level = fields.String()
    parent_key = NullableString()


class RegionListSchema(Schema):
    regions = fields.List(fields.Nested(RegionSchema), required=True)


class RegionArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    parent = fields.String(metadata={"description": "the parent's key: its children; none: the top level"})


class IndicatorSchema(Schema):
    key = fields.String()
    section = NullableString()
    name = fields.String()
    unit = NullableString()
    baseline = NullableString()
    baseline_year = fields.Integer(allow_none=True)
    target = NullableString()
    target_year = fields.Integer(allow_none=True)
    comparator = NullableString()
    nature = NullableString()


class PlanSchema(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    issuer = NullableString()
    doc_number = NullableString()
    issued_date = NullableString(metadata={"format": "date"})
    period_start = fields.Integer(allow_none=True)
    period_end = fields.Integer(allow_none=True)
    region_key = NullableString()
    source_file = NullableString()


class PlanDetailSchema(PlanSchema):
    indicators = fields.List(fields.Nested(IndicatorSchema))


class PlanListSchema(Schema):
    plans = fields.List(fields.Nested(PlanSchema), required=True)


class ReportInput(Schema):
    """A month's report as the form takes it; figures as strings ("1,320" is read as 1320) or numbers."""

    class Meta:
        unknown = EXCLUDE

    progress_text = fields.String(allow_none=True, validate=validate.Length(max=2000))
    physical_percent = fields.Raw(allow_none=True, metadata={"type": ["string", "number"]})
    invested_month = fields.Raw(allow_none=True, metadata={"type": ["string", "number"]})
    invested_total = fields.Raw(allow_none=True, metadata={"type": ["string", "number"]})
    funds_received = fields.Raw(allow_none=True, metadata={"type": ["string", "number"]})
    paid = fields.Raw(allow_none=True, metadata={"type": ["string", "number"]})
    problems = fields.String(allow_none=True, validate=validate.Length(max=2000))
    next_steps = fields.String(allow_none=True, validate=validate.Length(max=2000))
    over_budget_reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class NewReportInput(ReportInput):
    month = fields.String(required=True, metadata={"pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})


class CorrectionInput(ReportInput):
    correction_reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class IfMatchHeader(Schema):
    class Meta:
        unknown = EXCLUDE

    if_match = fields.String(data_key="If-Match", metadata={"description": "the report's ETag as read"})


class FundingInput(Schema):
    class Meta:
        unknown = EXCLUDE

    source = fields.String(required=True, metadata={"enum": ["central_budget", "provincial_fiscal", "special_bonds",
                                                             "local_fiscal", "self_raised", "bank_loan",
                                                             "private_capital"]})
    amount = fields.Raw(allow_none=True, metadata={"type": ["string", "number"], "description": "万元"})
    note = fields.String(allow_none=True, validate=validate.Length(max=200))
