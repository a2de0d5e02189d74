"""What the API's writes take: the bodies of project, milestone, budget-revision and funding-line
writes, as marshmallow schemas (in the OpenAPI document), and how a body becomes the arguments of
the service the forms call.

A project's fields are not listed here: the schemas are built from the field registry
(``projects/fields.py``: every field a service may change, its kind, length and vocabulary), so a
field made editable there is writable here. On the wire a field has the name the project's
representation gives it (``total_investment_wan_yuan``, ``region``).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, fields, validate

from ..core.values import ValueProblem, check_places, clean_text, parse_decimal
from ..errors import ValidationFailed
from ..forms import keeps_line_breaks
from ..projects.fields import BUDGET, FUNDING, PROJECT, PROJECT_FIELDS, Field
from ..projects.models import Project
from ..regions.services import get_region
from ..vocabulary import FundingSource, Stage
from .catalog import N_

FIGURE_INPUT = {"type": ["string", "number"],
                "description": "an exact figure: a string (\"1,320\" is read as 1320) or a number"}
# A field's name in the project's representation (exports/records.py) where the registry gives
# none: the region is sent as its code, 主管部门 under its own name.
WIRE_NAME = {"region_id": "region"}


def wire_name(field: str) -> str:
    return PROJECT[field].json_name or WIRE_NAME.get(field, field)


def _input_field(field: Field, required: bool, nullable: bool) -> fields.Field:
    """The marshmallow field that takes ``field``'s kind of value (``null``: not stated, where the
    project's column may be empty)."""
    description = {"description": str(field.label)}
    if field.kind == "text":
        return fields.String(validate=validate.Length(max=field.max_length), required=required,
                             allow_none=nullable, metadata=description)
    if field.numeric:
        return fields.Raw(required=required, allow_none=nullable, metadata={**description, **FIGURE_INPUT})
    if field.kind == "bool":
        return fields.Boolean(required=False, metadata=description)
    if field.kind == "date":
        return fields.Date(required=required, allow_none=nullable, metadata=description)
    if field.kind == "vocab" and field.vocabulary is not None:
        codes = [member.value for member in field.vocabulary]
        return fields.String(validate=validate.OneOf(codes), required=required, allow_none=nullable,
                             metadata=description)  # the document's enum: apispec's
    if field.kind == "region":
        return fields.String(validate=validate.Length(min=1, max=64), required=required, allow_none=nullable,
                             metadata={"description": "the region's GB/T 2260 code or key, e.g. 360783"})
    raise TypeError(f"no API field for a {field.kind} field ({field.name})")


def project_fields(*, required: tuple[str, ...] = ()) -> dict[str, fields.Field]:
    """One marshmallow field per editable field of a project, named as the representation names it."""
    table = Project.__table__.columns
    return {wire_name(field.name): _input_field(field, field.name in required, bool(table[field.name].nullable))
            for field in PROJECT_FIELDS if field.editable}


class _Strict(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not a write that silently does nothing


NewProjectInput = _Strict.from_dict({
    **project_fields(required=("name", "region_id")),
    "add_lifecycle": fields.Boolean(load_default=True, metadata={
        "description": "add the standard lifecycle's milestones, as the form offers"}),
}, name="NewProjectInput")

ProjectChangesInput = _Strict.from_dict({
    **project_fields(),
    "reason": fields.String(allow_none=True, validate=validate.Length(max=1000),
                            metadata={"description": "why: required when the status changes"}),
}, name="ProjectChangesInput")


def project_values(data: dict) -> dict:
    """A project body as ``create_project`` / ``update_project`` take it: only the fields sent,
    figures exact, texts cleaned, the region looked up. Errors name the body's fields."""
    values, problems = {}, {}
    for field in PROJECT_FIELDS:
        name = wire_name(field.name)
        if not field.editable or name not in data:
            continue
        try:
            values[field.name] = _read(field, data[name])
        except ValueProblem as bad:
            problems[name] = [str(bad)]
    if problems:
        raise ValidationFailed(problems)
    return values


def _read(field: Field, raw):
    if raw is None:
        return None
    if field.kind == "text":  # a field longer than a form's line (建设规模及内容) keeps its line breaks
        return clean_text(raw, multiline=keeps_line_breaks(field.max_length))
    if field.kind == "region":
        region = get_region(raw.strip())
        if region is None:
            raise ValueProblem(_("没有行政区划代码为 %(code)s 的地区", code=raw[:20]))
        return region
    if field.numeric:
        return read_figure(raw, field.places, whole=field.kind == "int")
    return raw  # a bool, a date or a vocabulary code, as marshmallow read it


def read_figure(raw, places: int, *, whole: bool = False):
    """A figure sent as a JSON number or as people write it ("1,320"), exact."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValueProblem(_("应为数字或数字文本"))
    # A JSON number is exact as its shortest representation (1e-05, 1e+16 included).
    number = parse_decimal(Decimal(repr(raw)) if isinstance(raw, float) else raw)
    if number is None:
        return None
    number = check_places(number, places)
    return int(number) if whole else number


def field_errors(errors: dict) -> dict:
    """A service's errors, under the body's names for the fields."""
    return {wire_name(field) if field in PROJECT else field: messages for field, messages in errors.items()}


# --- milestones -----------------------------------------------------------------------------------

class MilestoneInput(_Strict):
    """A milestone row as the milestone page saves it: every field (``null`` clears one)."""

    planned_date = fields.Date(required=True, allow_none=True)
    actual_date = fields.Date(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True, validate=validate.Length(max=500))
    delay_reason = fields.String(required=True, allow_none=True, validate=validate.Length(max=500))


class NewMilestoneInput(_Strict):
    """A custom milestone (the lifecycle's stages are added with the project)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    planned_date = fields.Date(allow_none=True)
    after_stage = fields.String(allow_none=True, validate=validate.OneOf([s.value for s in Stage]),
                                metadata={"description": "placed after this stage; absent: at the end"})
    note = fields.String(allow_none=True, validate=validate.Length(max=500))


class MilestoneRowSchema(Schema):
    id = fields.Integer(required=True)
    stage = fields.String(allow_none=True)
    name = fields.String()
    planned_date = fields.String(allow_none=True, metadata={"format": "date"})
    actual_date = fields.String(allow_none=True, metadata={"format": "date"})
    baseline_date = fields.String(allow_none=True, metadata={
        "format": "date", "description": "the first planned date: lateness counts from it"})
    replan_count = fields.Integer(metadata={"description": "how often the planned date moved since"})
    note = fields.String(allow_none=True)
    delay_reason = fields.String(allow_none=True)
    version = fields.Integer()
    etag = fields.String()


class MilestoneListSchema(Schema):
    milestones = fields.List(fields.Nested(MilestoneRowSchema), required=True)


# --- budget revisions and funding lines -------------------------------------------------------------

class BudgetRevisionInput(_Strict):
    new_amount = fields.Raw(required=True, metadata={**FIGURE_INPUT, "description": N_("调整后概算（万元）")})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    approval_number = fields.String(required=True, validate=validate.Length(min=1, max=BUDGET["approval_number"].max_length))
    approval_date = fields.Date(required=True)


FUNDING_CODES = [source.value for source in FundingSource]


class FundingChangesInput(_Strict):
    """A funding line as corrected: every field, and why."""

    source = fields.String(required=True, validate=validate.OneOf(FUNDING_CODES))
    amount = fields.Raw(required=True, allow_none=True, metadata={**FIGURE_INPUT, "description": "万元"})
    note = fields.String(required=True, allow_none=True, validate=validate.Length(max=FUNDING["note"].max_length))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class FundingRemovalInput(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MilestoneRemovalInput(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
