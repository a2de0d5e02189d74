"""The API's shapes, as marshmallow schemas: flask-smorest writes them into the OpenAPI document
and schemathesis checks every response against it (tests/test_api_schemathesis.py).

Money and other exact figures travel as strings ("145735", "12.5"): never as floats. A figure
sent to the API may be a string or a number."""

from __future__ import annotations

from typing import Callable, Iterable

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..projects.fields import FUNDING, JSON_FIELDS, REPORT, REPORT_FIELDS, Field
from ..vocabulary import BuildNature, Category, FundingSource, Kind, Status
from ..portfolio.filters import DUE_SOON_DAYS, NO, SORTS, START_CHOICES, UNKNOWN, YES
from ..audit.models import REASON_LIMIT

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
    contested = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "412 of a PATCH: each field both changed, by the body's name, with the value read "
                       "(loaded), the one saved since (theirs) and the one sent (mine)"})


class SourceSchema(Schema):
    plan = fields.String(metadata={"description": "The key of the plan the line is of (/plans/{key}/text#L{line})."})
    file = NullableString(metadata={"description": "The seed document's file; null for a plan added in the tracker."})
    line = fields.Integer(allow_none=True)
    quote = NullableString()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", allow_none=True)


class MilestoneSchema(Schema):
    stage = NullableString()
    name = NullableString()
    planned_date = NullableString(metadata={"format": "date"})
    actual_date = NullableString(metadata={"format": "date"})


def read_field(field: Field, *, required: bool = False) -> fields.Field:
    """A registered field as a read shape carries it: a figure as an exact string, a vocabulary
    as its code, a date as ISO text; null when unknown. Money says it is left out for a caller
    from whom money is hidden (every amount the registry holds is in 万元)."""
    if field.kind == "decimal":
        return Figure(metadata={"description": "万元; absent when money is hidden from the caller"}
                      if field.money else {})
    if field.kind == "int":
        return fields.Integer(allow_none=True)
    if field.kind == "bool":
        return fields.Boolean(allow_none=True)
    if field.kind == "date":
        return NullableString(metadata={"format": "date"})
    if required:
        return fields.String(required=True)
    return NullableString()


def schema_from_fields(name: str, registered: Iterable[Field], *, doc: str = "",
                       base: type[Schema] = Schema, required: Iterable[str] = (),
                       field_for: Callable[..., fields.Field] = read_field,
                       **extra: fields.Field) -> type[Schema]:
    """A schema class with one field per registered field (projects/fields.py), under its json
    name, as ``field_for`` makes it (default :func:`read_field`; a write shape passes its own),
    and the ``extra`` fields the registry does not describe (ids, relations, bookkeeping).

    The shapes and the records they describe (``exports.records.project_to_dict``) both read the
    registry: a field added there appears in both, and in the OpenAPI document."""
    required = set(required)
    declared = {field.json_name or field.name: field_for(field, required=field.name in required)
                for field in registered}
    return type(name, (base,), {"__doc__": doc, **declared, **extra})


ProjectSchema = schema_from_fields(
    "ProjectSchema", JSON_FIELDS, required=("name",),
    doc="The representation ``tracker export --format json`` writes (exports/records.py).",
    id=fields.Integer(required=True),
    aliases=fields.List(fields.String()),
    region_code=NullableString(),
    region_key=fields.String(),
    region_name=fields.String(),
    plans=fields.List(fields.String(), metadata={"description": "The keys of the plans that list the project."}),
    plan_files=fields.List(fields.String()),
    sources=fields.List(fields.Nested(SourceSchema)),
    milestones=fields.List(fields.Nested(MilestoneSchema)),
)

ReportSchema = schema_from_fields(
    "ReportSchema", REPORT_FIELDS,
    doc="A month's report; its amounts are absent when money is hidden from the caller.",
    month=fields.String(required=True, metadata={"pattern": r"^\d{4}-\d{2}$"}),
    revision=fields.Integer(),
    version=fields.Integer(),
    etag=fields.String(),
    submitted_by=NullableString(),
    submitted_at=NullableString(metadata={"format": "date-time"}),
)


class FundingSchema(Schema):
    id = fields.Integer()
    source = fields.String()
    amount = Figure()
    note = NullableString()
    version = fields.Integer()
    etag = fields.String(metadata={"description": "for If-Match when the line is corrected or deleted"})


class BudgetRevisionSchema(Schema):
    id = fields.Integer()
    previous_amount = Figure()
    new_amount = Figure()
    reason = NullableString()
    approval_number = NullableString()
    approval_date = NullableString(metadata={"format": "date"})


# The detail: the representation and what only the detail carries (built as ProjectSchema is).
ProjectDetailSchema = type("ProjectDetailSchema", (ProjectSchema,), {
    "reports": fields.List(fields.Nested(ReportSchema)),
    "funding": fields.List(fields.Nested(FundingSchema)),
    "budget_revisions": fields.List(fields.Nested(BudgetRevisionSchema)),
    "version": fields.Integer(),
    "etag": fields.String(metadata={"description": "the ETag header: If-Match of a PATCH"}),
})


class Pair(Schema):
    count = fields.Integer(required=True, metadata={"description": "projects with the figure stated"})
    sum = fields.Raw(allow_none=True, metadata={
        "type": ["string", "integer"],
        "description": "the sum over those projects: an exact string for 万元 and m², an integer for beds"})


class ApproximatePair(Pair):
    approximate = fields.Integer(required=True, metadata={
        "description": "how many of the stated figures are approximations (约)"})


class TotalsSchema(Schema):
    projects = fields.Integer(required=True)
    total_investment_wan_yuan = fields.Nested(ApproximatePair)
    invested_to_date_wan_yuan = fields.Nested(Pair)
    floor_area_m2 = fields.Nested(ApproximatePair)
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


def _flag(description: str) -> fields.Field:
    return fields.String(metadata={"description": f"{description} (1 or 0)", "enum": [*YES, *NO]})


def _codes(description: str, vocabulary, *extra: str) -> fields.Field:
    return fields.String(metadata={"description": description,
                                   "enum": [member.value for member in vocabulary] + list(extra)})


class FilterArgs(Schema):
    """The list page's filters, by the same names (a name the list does not know is refused: a
    nightly pull asking for ?regoin=360783 was given the whole country)."""

    class Meta:
        unknown = RAISE

    region = fields.String(metadata={"description": "GB/T 2260 code or region key, e.g. 360783: the "
                                                    "region and every region under it"})
    plan = fields.String(metadata={"description": "a plan's key (GET /plans): the projects it names; "
                                                  "unknown: the projects linked to no plan"})
    period = fields.String(metadata={"description": "a plan period, 2026-2030 or 十五五: the projects of "
                                                    "the plans within it", "example": "2026-2030"})
    status = _codes("status; unknown: not stated", Status, UNKNOWN)
    category = _codes("category (机构类别)", Category)
    build_nature = _codes("建设性质; unknown: not stated", BuildNature, UNKNOWN)
    kind = _codes("kind of project; not given: construction and equipment (the construction "
                  "portfolio, as the list page shows first); all: every kind", Kind, "all")
    q = fields.String(metadata={"description": "words searched for in the name, aliases, owner, "
                                               "location and plans; words apart are each found"})
    late = _flag("behind a milestone's planned date (滞后)")
    funding = _codes("projects with a funding line of this source (资金来源)", FundingSource)
    over_estimate = _flag("invested more than the current estimate (超概算)")
    start = fields.String(metadata={
        "description": "开工率's parts: planned to start by the end of start_by (planned), and of those "
                       "the started and the not yet started", "enum": list(START_CHOICES)})
    start_by = fields.String(metadata={"description": "the year for start (this year when not given)",
                                       "example": "2026"})
    unreported = _flag("in construction with no report for this month (本月未报)")
    due_soon = _flag(f"a milestone due within {DUE_SOON_DAYS} days")
    continued = _flag("续建: carried over from an earlier period's plan")


class ListArgs(FilterArgs):
    # A sort the list does not know is refused here (422), not taken for the default order as the
    # web list takes it: a script asking for sort=foo is told, not given another order.
    sort = fields.String(validate=validate.OneOf(sorted(SORTS)))
    order = fields.String(validate=validate.OneOf(["asc", "desc"]))
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


def _report_fields(required: bool) -> dict[str, fields.Field]:
    """A month's report as the form takes it; figures as strings ("1,320" is read as 1320) or
    numbers. ``required``: a correction (PUT) is the whole report, null clearing a figure, as the
    milestones' and funding lines' PUTs are: a body of the one field changed left every other
    figure of the month null (a county's push script sent only what it changed)."""
    # Each with an example that works as it stands (Swagger UI's "Try it out" filled "string").
    def figure(example: str | None) -> fields.Field:
        return fields.Raw(required=required, allow_none=True,
                          metadata={"type": ["string", "number"], "example": example})

    def text(name: str, example: str | None) -> fields.Field:
        return fields.String(required=required, allow_none=True, metadata={"example": example},
                             validate=validate.Length(max=REPORT[name].max_length))
    return {
        "progress_text": text("progress_text", "主体封顶"),
        "physical_percent": figure("60"),
        "invested_month": figure("1,000"),
        "invested_total": figure(None),
        "funds_received": figure(None),
        "paid": figure(None),
        "problems": text("problems", None),
        "next_steps": text("next_steps", None),
        "over_budget_reason": text("over_budget_reason", None),
    }


class _Strict(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not a write that silently does nothing


ReportInput = _Strict.from_dict(_report_fields(False), name="ReportInput")
NewReportInput = _Strict.from_dict({
    **_report_fields(False),
    "month": fields.String(required=True, metadata={"pattern": r"^\d{4}-\d{2}$", "example": "2026-11"}),
}, name="NewReportInput")
CorrectionInput = _Strict.from_dict({
    **_report_fields(True),
    "correction_reason": fields.String(required=True, validate=validate.Length(min=1, max=REASON_LIMIT),
                                       metadata={"example": "补充形象进度"}),
}, name="CorrectionInput")


class IfMatchHeader(Schema):
    class Meta:
        unknown = EXCLUDE

    if_match = fields.String(data_key="If-Match", metadata={
        "description": "the ETag as read: required on updates (428 without), 412 when stale"})


class FundingInput(_Strict):

    source = fields.String(required=True, metadata={"enum": [source.value for source in FundingSource]})
    amount = fields.Raw(allow_none=True, metadata={"type": ["string", "number"], "description": "万元"})
    note = fields.String(allow_none=True, validate=validate.Length(max=FUNDING["note"].max_length))
