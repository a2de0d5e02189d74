"""/api/v1/: the portfolio for other systems. Views are thin: authenticate the token, load,
check access, call one service; the unit of work commits (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json as json_module
import re

import sqlalchemy as sa
from flask import Response, current_app, g, json, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import Api, Blueprint
from sqlalchemy.orm import selectinload
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from ..accounts import permissions as perms
from ..accounts.models import User
from ..accounts.services import money_hidden_from
from ..accounts.throttle import parse_limit
from ..audit.services import Actor, json_value
from ..core.values import ValueProblem, clean_text, outside
from ..core.clock import utcnow
from ..errors import EditConflict, StaleEdit, ValidationFailed
from ..extensions import db
from ..unit_of_work import commit_attempt, writes_next
from ..plans.models import Plan
from ..portfolio import queries
from ..exports.records import hide_money, project_to_dict
from ..portfolio.filters import PortfolioFilter
from ..progress import services as progress
from ..progress.models import BudgetRevision, FundingLine, Milestone, MonthlyReport
from ..projects import services as projects
from ..projects.fields import REPORT_FIELDS
from ..projects.models import Project, SourceMention
from ..regions.models import Region
from ..core.translation import phrases
from ..vocabulary import Role, Stage
from . import schemas, tokens, writes
from .catalog import N_, in_readers_language
from .models import WRITE
from .problems import from_http_exception, problem


class JsonParser(FlaskParser):
    """webargs' parser, but a body nested deeper than Python's JSON parser recurses (200 KB of
    "[") is invalid JSON like any other (a 400), not a RecursionError (a 500); and a query
    string's unknown names are the schema's to judge (``FilterArgs`` refuses them: webargs
    dropped them by default, so ?regoin=360783 was the whole country)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json_module.JSONDecodeError("nested too deeply", "…", 0) from None


class TrackerBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonParser()


class TrackerApi(Api):
    """flask-smorest's Api, without its app-wide error handler: the pages keep their HTML error
    pages, and the API's errors are problem+json (problems.py)."""

    def _register_error_handlers(self):
        pass

    def _openapi_json(self):
        """The document in the reader's language (its words are msgids: ``catalog``)."""
        return current_app.response_class(json.dumps(in_readers_language(self.spec.to_dict()), indent=2),
                                          mimetype="application/json")


api = TrackerApi()
bp = TrackerBlueprint("api", __name__, url_prefix="/api/v1",
               description=N_("卫生健康建设项目台账 API：项目、规划、地区、合计与月报"))

ERRORS_READ = (400, 401, 403, 404, 429, 503)
PROBLEM = "application/problem+json"


def errors(*codes: int):
    def decorator(view):
        for code in reversed(codes):
            view = bp.alt_response(code, schema=schemas.ProblemSchema, content_type=PROBLEM,
                                   description=_DESCRIPTIONS.get(code, "problem"))(view)
        return view
    return decorator


_DESCRIPTIONS = {400: "bad request", 401: "no valid token", 403: "not allowed", 404: "not found",
                 409: "conflict", 412: "stale: the ETag named is not the current one",
                 413: "too large", 415: "the body is not JSON", 422: "invalid fields", 428: "If-Match required",
                 429: "rate limited", 503: "database unavailable"}


# --- authentication, rate limits, conditional requests -------------------------------------------

def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


@bp.before_request
def authenticate():
    """Only a token opens the API: a session cookie is never read here."""
    secret = bearer_secret()
    writes_next()  # the call is counted below: SQLite's write lock is waited for, not refused
    token, why = tokens.find_with_reason(secret) if secret else (None, None)
    if token is None:
        told = _("缺少有效的 API 令牌：请在请求头 Authorization 中发送 “Bearer 令牌”")
        return problem(401, phrases([why, told]) if why else told,
                       headers=[("WWW-Authenticate", 'Bearer realm="tracker"')])
    wait = tokens.count_request(token, parse_limit(current_app.config.get("API_RATE_LIMIT", "600 per minute")))
    now = utcnow()
    if not wait and (token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5)):
        token.last_used_at = now  # the token was used, whatever the answer
    # Counted (and marked used) in one commit, whatever the answer: other workers read the count.
    commit_attempt()
    if wait:
        return problem(429, _("请求过于频繁，请 %(n)s 秒后再试", n=wait), headers=[("Retry-After", str(wait))])
    g.api_token = token
    g._login_user = token.user  # permissions.py reads current_user: the token's owner, never the cookie's
    return None


@bp.before_request
def json_bodies():
    """A write's body is JSON: sent as text or as a form, webargs found no JSON and the PATCH was
    200 with nothing saved. (After ``authenticate``: a caller without a token learns only that.)"""
    if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
        return problem(415, _("请求体须为 JSON，并带请求头 Content-Type: application/json"))
    return None


@bp.after_request
def conditional(response: Response) -> Response:
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag(overwrite=False)
        response.headers["Cache-Control"] = "private, no-cache"
        # The body is the token's (its role hides money) and in the request's language (labels,
        # messages): a cache keeping one for If-None-Match keys on both.
        response.vary.add("Authorization")
        response.vary.add("Accept-Language")
        response.make_conditional(request)
    return response


@bp.errorhandler(HTTPException)
def http_problem(error):
    return from_http_exception(error)


@bp.errorhandler(ValidationFailed)
def validation_problem(error: ValidationFailed):
    return problem(422, _("请求中有无效的字段"), errors=writes.field_errors(error.errors))


def user():
    return g.api_token.user


def actor() -> Actor:
    return Actor(user(), "api")


def include_money() -> bool:
    return not money_hidden_from(user())


def require_write_scope() -> None:
    if g.api_token.scope != WRITE:
        raise _abort(403, _("此令牌为只读令牌，不能写入"))


def require_write(project: Project) -> None:
    require_write_scope()
    if not perms.can_edit_project(user(), project):
        # A leader or a viewer changes nothing: told so, not of regions they have none of.
        raise _abort(403, _("您无权修改此项目（仅限本人负责地区的项目）") if user().role is Role.OFFICER
                     else _("您的角色（%(role)s）只能查看，不能修改", role=user().role.label))


def _abort(status: int, detail: str) -> HTTPException:
    error = HTTPException(description=detail)
    error.code = status
    return error


# --- representations ------------------------------------------------------------------------------

def project_record(project: Project) -> dict:
    record = project_to_dict(project)
    return record if include_money() else hide_money(record)




def etag(kind: str, obj) -> str:
    """The version a write names in ``If-Match``: ``"report-12-v3"``."""
    return f'"{kind}-{obj.id}-v{obj.version}"'


def report_etag(report: MonthlyReport) -> str:
    return etag("report", report)


def _username(user_id: int | None) -> str | None:
    found = db.session.get(User, user_id) if user_id else None
    return found.username if found else None


def report_record(report: MonthlyReport, money: bool) -> dict:
    """The report as ``schemas.ReportSchema`` describes it: its registered fields, but the amounts
    when ``money`` is false."""
    record = {
        "month": report.month.strftime("%Y-%m"), "revision": report.revision, "version": report.version,
        "etag": report_etag(report),
        "submitted_by": _username(report.submitted_by_id),
        "submitted_at": json_value(report.submitted_at),
    }
    record.update({field.json_name or field.name: json_value(getattr(report, field.name)) for field in REPORT_FIELDS
                   if money or not field.money})
    return record


def load_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id) if 0 < project_id <= queries.MAX_INT else None
    if project is None:
        raise _abort(404, _("没有编号为 %(id)s 的项目", id=project_id))
    return project


def pair(count: int, total, money_field: bool = False) -> dict:
    return {"count": count, "sum": json_value(total)}


def totals_record(totals: queries.Totals, money: bool) -> dict:
    record = {"projects": totals.projects,
              "floor_area_m2": {**pair(totals.with_floor_area, totals.floor_area_m2),
                                "approximate": totals.approx_floor_area},
              "beds": pair(totals.with_beds, totals.beds),
              "new_beds": pair(totals.with_new_beds, totals.new_beds)}
    if money:
        record["total_investment_wan_yuan"] = {**pair(totals.with_investment, totals.total_investment),
                                               "approximate": totals.approx_investment}
        record["invested_to_date_wan_yuan"] = pair(totals.with_invested, totals.invested_to_date)
    return record


def portfolio_filter() -> PortfolioFilter:
    chosen = PortfolioFilter.from_args(request.args)
    if not include_money():
        chosen = chosen.without_money_sorts()
    problems = chosen.problems_by_field()
    if problems:  # named per argument, as a body's fields are (README: 422 with errors per field)
        raise ValidationFailed(problems)
    return chosen


# --- reads ----------------------------------------------------------------------------------------

@bp.route("/projects", methods=["GET"])
@bp.arguments(schemas.ListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ProjectListSchema)
@errors(*ERRORS_READ, 422)
def project_list(**_args):
    """项目清单：与页面相同的筛选、排序与合计；按游标翻页（Link 头）"""
    chosen = portfolio_filter()
    # A page number is 1 or more; one past the last is an empty page, not the last again (a script
    # reading page after page until one is empty never stopped; page=-1 was page 1).
    asked = request.args.get("page")
    if asked is not None and not (asked.isascii() and asked.isdigit() and 1 <= int(asked) <= 10 ** 9):
        raise _abort(400, _("page 应为 1 或更大的整数"))
    try:
        number, seek = queries.page_request(request.args, chosen)
    except queries.BadPageRequest as bad:
        raise _abort(400, str(bad)) from None
    per_page = current_app.config["PAGE_SIZE"]
    totals = queries.totals(chosen)
    pages = max(1, -(-totals.projects // per_page))
    if asked is not None and seek is None and int(asked) > pages:
        last = _page_link(chosen, page=pages)
        return ({"projects": [], "totals": totals_record(totals, include_money()),
                 "page": {"number": int(asked), "per_page": per_page, "pages": pages, "next": None, "prev": last}},
                200, {"Link": f'<{last}>; rel="prev"'})
    page = queries.project_page(chosen, number, per_page, totals.projects, seek=seek)
    projects = db.session.scalars(sa.select(Project).where(Project.id.in_([p.id for p in page.items])).options(
        selectinload(Project.aliases), selectinload(Project.plans), selectinload(Project.milestones),
        selectinload(Project.sources).selectinload(SourceMention.plan))).all()
    by_id = {p.id: p for p in projects}
    links: list[str] = []
    nav: dict[str, str | None] = {"next": None, "prev": None}
    for rel, wanted, present in (("next", page.page + 1, page.has_next), ("prev", page.page - 1, page.has_prev)):
        if present:
            url = _page_link(chosen, **page.args_for(wanted))
            links.append(f'<{url}>; rel="{rel}"')
            nav[rel] = url
    body = {"projects": [project_record(by_id[p.id]) for p in page.items if p.id in by_id],
            "totals": totals_record(totals, include_money()),
            "page": {"number": page.page, "per_page": per_page, "pages": page.pages, **nav}}
    return body, 200, ({"Link": ", ".join(links)} if links else {})


def _page_link(chosen: PortfolioFilter, **args) -> str:
    """Another page of this list, on the configured public URL (``TRACKER_PUBLIC_URL``), or a
    path of this site when none is set: never on the Host header a client sent (``Host:
    evil.example`` made rel="next" a link there, and a client following it sent its token)."""
    path = url_for("api.project_list", **chosen.to_args(), **args)
    base = current_app.config.get("PUBLIC_URL")
    return base.rstrip("/") + path if base else path


@bp.route("/totals", methods=["GET"])
@bp.arguments(schemas.FilterArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.TotalsSchema)
@errors(*ERRORS_READ, 422)
def totals(**_args):
    """合计及其覆盖面：(有数的项目数, 合计)，与清单页相同"""
    return totals_record(queries.totals(portfolio_filter()), include_money())


def funding_record(line: FundingLine, money: bool) -> dict:
    return {"id": line.id, "source": json_value(line.source), "note": line.note, "version": line.version,
            "etag": etag("funding", line), **({"amount": json_value(line.amount)} if money else {})}


def budget_record(revision: BudgetRevision) -> dict:
    return {"id": revision.id, "previous_amount": json_value(revision.previous_amount),
            "new_amount": json_value(revision.new_amount), "reason": revision.reason,
            "approval_number": revision.approval_number, "approval_date": json_value(revision.approval_date)}


def detail(project: Project) -> tuple[dict, str]:
    """The project with its milestones, reports, funding and budget history, and its ETag.

    The ETag names the project's version (what a PATCH's ``If-Match`` checks) and a digest of
    this record (what ``If-None-Match`` checks: a funding line corrected moves no project
    version, yet changes the record)."""
    money = include_money()
    record = project_record(project)
    reports = db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.project_id == project.id)
                                 .order_by(MonthlyReport.month)).all()
    record["reports"] = [report_record(r, money) for r in reports]
    lines = db.session.scalars(sa.select(FundingLine).where(FundingLine.project_id == project.id)
                               .order_by(FundingLine.id)).all()
    record["funding"] = [funding_record(line, money) for line in lines]
    revisions = db.session.scalars(sa.select(BudgetRevision).where(BudgetRevision.project_id == project.id)
                                   .order_by(BudgetRevision.id)).all() if money else []
    record["budget_revisions"] = [budget_record(r) for r in revisions]
    record["version"] = project.version
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:16]
    record["etag"] = f'"project-{project.id}-v{project.version}-{digest}"'
    return record, record["etag"]


@bp.route("/projects/<int:project_id>", methods=["GET"])
@bp.response(200, schemas.ProjectDetailSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*ERRORS_READ)
def project_detail(project_id: int):
    """一个项目：节点、月报、资金来源、概算调整与出处；ETag 用于修改时的 If-Match"""
    record, tag = detail(load_project(project_id))
    return record, 200, {"ETag": tag}


MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(raw: str) -> dt.date:
    match = MONTH.fullmatch(raw or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationFailed({"month": [_("月份应写作 YYYY-MM，例如 2026-11")]})
    if not 1949 <= int(match.group(1)) <= 2100:  # written right: its year is what is wrong
        raise ValidationFailed({"month": [_("月份应在 1949-01 至 2100-12 之间")]})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def find_report(project: Project, month: str) -> MonthlyReport:
    try:
        day = parse_month(month)
    except ValidationFailed:
        raise _abort(404, _("没有 %(month)s 的月报", month=month[:20])) from None
    report = progress.report_for(project, day)
    if report is None:
        raise _abort(404, _("没有 %(month)s 的月报", month=month))
    return report


@bp.route("/projects/<int:project_id>/reports/<month>", methods=["GET"])
@bp.response(200, schemas.ReportSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*ERRORS_READ)
def report_detail(project_id: int, month: str):
    """一个月的月报；ETag 用于更正时的 If-Match"""
    report = find_report(load_project(project_id), month)
    return report_record(report, include_money()), 200, {"ETag": report_etag(report)}


@bp.route("/regions", methods=["GET"])
@bp.arguments(schemas.RegionArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.RegionListSchema)
@errors(*ERRORS_READ)
def regions(parent: str | None = None):
    """行政区划：顶层，或 parent 的下级"""
    statement = sa.select(Region).options(selectinload(Region.parent)).order_by(Region.key)
    if parent:
        parent_row = db.session.scalar(sa.select(Region).where(
            sa.or_(Region.key == parent, Region.code == parent)))
        if parent_row is None:
            raise _abort(404, _("没有行政区划代码为 %(code)s 的地区", code=parent[:20]))
        statement = statement.where(Region.parent_id == parent_row.id)
    else:
        statement = statement.where(Region.parent_id.is_(None))
    return {"regions": [{"key": r.key, "code": r.code, "name": r.name, "level": json_value(r.level),
                         "parent_key": r.parent.key if r.parent else None}
                        for r in db.session.scalars(statement)]}


def plan_record(plan: Plan) -> dict:
    return {"key": plan.key, "title": plan.title, "issuer": plan.issuer, "doc_number": plan.doc_number,
            "issued_date": json_value(plan.issued_date), "period_start": plan.period_start,
            "period_end": plan.period_end, "region_key": plan.region.key if plan.region else None,
            "source_file": plan.source_file}


@bp.route("/plans", methods=["GET"])
@bp.response(200, schemas.PlanListSchema)
@errors(*ERRORS_READ)
def plans():
    """规划文件"""
    rows = db.session.scalars(sa.select(Plan).options(selectinload(Plan.region)).order_by(Plan.key))
    return {"plans": [plan_record(plan) for plan in rows]}


@bp.route("/plans/<key>", methods=["GET"])
@bp.response(200, schemas.PlanDetailSchema)
@errors(*ERRORS_READ)
def plan_detail(key: str):
    """一个规划及其主要指标"""
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == key[:64]).options(selectinload(Plan.indicators)))
    if plan is None:
        raise _abort(404, _("没有编号为 %(key)s 的规划", key=key[:64]))
    record = plan_record(plan)
    record["indicators"] = [{"key": i.key, "section": i.section, "name": i.name, "unit": i.unit,
                             "baseline": i.baseline, "baseline_year": i.baseline_year, "target": i.target,
                             "target_year": i.target_year, "comparator": i.comparator,
                             "nature": json_value(i.nature)} for i in plan.indicators]
    return record


# --- writes: reading the body ---------------------------------------------------------------------

FIGURE_PLACES = {field.name: field.places for field in REPORT_FIELDS
                 if field.kind == "decimal" and field.editable}
TEXTS = tuple(field.name for field in REPORT_FIELDS if field.kind == "text")


RANGES = {field.name: field for field in REPORT_FIELDS if field.out_of_range is not None}


def read_figures(data: dict, places_by_field: dict[str, int]) -> dict:
    """The body's figures as the services take them: read as people write them ("1,320"), or as
    JSON numbers; a field in error is named in a ValidationFailed. A figure with a range of its
    own (工程进度) refused as past any column is told its range, as the form tells it, not that
    money is counted in 万元."""
    values, problems = {}, {}
    for field, places in places_by_field.items():
        if data.get(field) is None:
            continue
        try:
            values[field] = writes.read_figure(data[field], places)
        except ValueProblem as bad:
            bounded = RANGES.get(field)
            problems[field] = [str(bounded.out_of_range if bounded is not None and bounded.maximum is not None
                                   and outside(data[field], bounded.maximum) else bad)]
    if problems:
        raise ValidationFailed(problems)
    return values


def report_values(data: dict) -> dict:
    values = read_figures(data, FIGURE_PLACES)
    for field in TEXTS:
        if data.get(field) is not None:
            values[field] = clean_text(data[field], multiline=True)
    return values


# --- no lost update: If-Match, 412 --------------------------------------------------------------------

IF_MATCH = re.compile(r'\s*(?:W/)?"([a-z]+)-(\d+)-v(\d+)(?:-[0-9a-f]+)?"\s*')
STALE_DETAIL = {
    "report": _l("月报在您读取之后已被修改：请重新读取（GET）后再提交"),
    "project": _l("项目在您读取之后已被他人修改，且与您的修改冲突：请重新读取（GET）后再提交"),
    "milestone": _l("节点在您读取之后已被他人修改：请重新读取（GET）后再提交"),
    "funding": _l("资金来源在您读取之后已被他人修改：请重新读取（GET）后再提交"),
}


def if_match(kind: str, current) -> int | None:
    """The version an update names (``If-Match``: the ETag it read): 428 without one; None when
    it names another resource or a version that never was (the write is then stale)."""
    header = request.headers.get("If-Match")
    if not header:
        raise _abort(428, _("修改须带 If-Match 请求头（读取时得到的 ETag）"))
    if header.strip() == "*":  # RFC 9110: any current version (the writer takes the risk)
        return current.version
    match = IF_MATCH.fullmatch(header)
    if match is None or match.group(1) != kind or int(match.group(2)) != current.id:
        raise _abort(412, _("If-Match 不是此%(what)s的 ETag：请先读取（GET）它，用其 ETag", what=WHAT[kind]))
    if int(match.group(3)) > current.version:
        return None  # a version that never was: stale
    return int(match.group(3))


WHAT = {"report": _l("月报"), "project": _l("项目"), "milestone": _l("节点"), "funding": _l("资金来源")}


def stale(error: StaleEdit, kind: str, current):
    """412: nothing was written; who changed what since the version named, and the ETag now."""
    # A project's fields by the names its representation and the PATCH body give them
    # (total_investment_wan_yuan): a client matching the conflict to what it sent found nothing.
    def named(field: str) -> str:
        return writes.wire_name(field) if kind == "project" and field in writes.PROJECT else field
    changes = [{"who": entry.user.username if entry.user else entry.via,
                "when": json_value(entry.occurred_at),
                "changes": {named(k): v for k, v in entry.changes.items() if k != "version"}}
               for entry in error.changes_by_others]
    extra: dict = {"changes": changes}
    if isinstance(error, EditConflict):
        extra["contested"] = {named(field): values for field, values in error.contested.items()}
    headers = []
    if current is not None:
        db.session.refresh(current)
        tag = detail(current)[1] if kind == "project" else etag(kind, current)
        extra["current_etag"] = tag
        headers.append(("ETag", tag))
    return problem(412, str(STALE_DETAIL[kind]), headers=headers, **extra)


UPDATE_ERRORS = (400, 401, 403, 404, 412, 413, 415, 422, 428, 429, 503)
CREATE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
WRITTEN = {"ETag": {"schema": {"type": "string"}}, "Location": {"schema": {"type": "string"}}}


# --- writes: monthly reports ----------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/reports", methods=["POST"])
@bp.arguments(schemas.NewReportInput)
@bp.response(201, schemas.ReportSchema, headers=WRITTEN)
@errors(*CREATE_ERRORS)
def submit_report(data: dict, project_id: int):
    """填报一个月的月报（与网页表单相同的校验与审计，via api）"""
    project = load_project(project_id)
    require_write(project)
    month = parse_month(data["month"])
    if progress.report_for(project, month) is not None:
        raise _abort(409, _("%(month)s 的月报已提交：更正请用 PUT 并带上 If-Match 与更正原因", month=f"{month:%Y-%m}"))
    report = progress.submit_report(actor(), project, month, **report_values(data))
    location = url_for("api.report_detail", project_id=project.id, month=f"{month:%Y-%m}")
    return report_record(report, include_money()), 201, {"ETag": report_etag(report), "Location": location}


@bp.route("/projects/<int:project_id>/reports/<month>", methods=["PUT"])
@bp.arguments(schemas.CorrectionInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(200, schemas.ReportSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*UPDATE_ERRORS)
def correct_report(data: dict, project_id: int, month: str, **_headers):
    """更正已提交的月报（发送全部字段，null 为清空）：If-Match 须为读取时的 ETag，过期则 412 并说明他人改了什么"""
    project = load_project(project_id)
    require_write(project)
    report = find_report(project, month)
    expected = if_match("report", report)
    try:
        if expected is None:
            raise StaleEdit([])
        report = progress.submit_report(actor(), project, report.month, **report_values(data),
                                        correction_reason=clean_text(data.get("correction_reason"), multiline=True),
                                        expected_version=expected)
    except StaleEdit as error:
        return stale(error, "report", report)
    return report_record(report, include_money()), 200, {"ETag": report_etag(report)}


# --- writes: projects ---------------------------------------------------------------------------------

@bp.route("/projects", methods=["POST"])
@bp.arguments(writes.NewProjectInput)
@bp.response(201, schemas.ProjectDetailSchema, headers=WRITTEN)
@errors(*CREATE_ERRORS)
def create_project(data: dict):
    """新建项目：官员仅限本人负责的地区（与网页表单相同的校验与审计，via api）"""
    require_write_scope()
    values = writes.project_values(data)
    region = values.pop("region_id")
    if not perms.can_create_in(user(), region):
        raise _abort(403, _("您只能在本人负责的地区新建项目"))
    project = projects.create_project(actor(), region=region, **values)
    if data["add_lifecycle"]:
        progress.add_standard_lifecycle(actor(), project)
    record, tag = detail(project)
    return record, 201, {"ETag": tag, "Location": url_for("api.project_detail", project_id=project.id)}


@bp.route("/projects/<int:project_id>", methods=["PATCH"])
@bp.arguments(writes.ProjectChangesInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(200, schemas.ProjectDetailSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*UPDATE_ERRORS)
def update_project(data: dict, project_id: int, **_headers):
    """修改项目：只改请求中的字段。If-Match 须为读取时的 ETag：他人其间改了别的字段，照常保存；
    改了同一字段且值不同，则 412 并列出冲突（contested）"""
    project = load_project(project_id)
    require_write(project)
    expected = if_match("project", project)
    values = writes.project_values(data)
    if "region_id" in values:
        if values["region_id"] is None or not perms.can_create_in(user(), values["region_id"]):
            raise ValidationFailed({"region_id": [_("您不能把项目移到您负责范围以外的地区")]})
        values["region_id"] = values["region_id"].id
    try:
        if expected is None:
            raise StaleEdit([])
        projects.update_project(actor(), project, values, loaded=projects.values_at(project, expected),
                                expected_version=expected,
                                reason=clean_text(data.get("reason"), multiline=True))
    except StaleEdit as error:
        return stale(error, "project", project)
    record, tag = detail(project)
    return record, 200, {"ETag": tag}


# --- writes: milestones -------------------------------------------------------------------------------

def milestone_record(milestone: Milestone) -> dict:
    return {"id": milestone.id, "stage": json_value(milestone.stage), "name": milestone.name,
            "planned_date": json_value(milestone.planned_date), "actual_date": json_value(milestone.actual_date),
            "baseline_date": json_value(milestone.baseline_date), "replan_count": milestone.replan_count,
            "note": milestone.note, "delay_reason": milestone.delay_reason, "version": milestone.version,
            "etag": etag("milestone", milestone)}


def load_milestone(project: Project, milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id) if 0 < milestone_id <= queries.MAX_INT else None
    if milestone is None or milestone.project_id != project.id:
        raise _abort(404, _("此项目没有编号为 %(id)s 的节点", id=milestone_id))
    return milestone


@bp.route("/projects/<int:project_id>/milestones", methods=["GET"])
@bp.response(200, writes.MilestoneListSchema)
@errors(*ERRORS_READ)
def milestones(project_id: int):
    """项目的建设节点，含基准日期（首次计划日期）与调整次数；每个节点的 ETag 用于修改"""
    return {"milestones": [milestone_record(m) for m in load_project(project_id).milestones]}


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>", methods=["GET"])
@bp.response(200, writes.MilestoneRowSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*ERRORS_READ)
def milestone_detail(project_id: int, milestone_id: int):
    """一个节点；ETag 用于修改时的 If-Match"""
    milestone = load_milestone(load_project(project_id), milestone_id)
    return milestone_record(milestone), 200, {"ETag": etag("milestone", milestone)}


@bp.route("/projects/<int:project_id>/milestones", methods=["POST"])
@bp.arguments(writes.NewMilestoneInput)
@bp.response(201, writes.MilestoneRowSchema, headers=WRITTEN)
@errors(*CREATE_ERRORS)
def add_milestone(data: dict, project_id: int):
    """新增自定义节点（与节点页面相同的规则与审计，via api）"""
    project = load_project(project_id)
    require_write(project)
    after = Stage(data["after_stage"]) if data.get("after_stage") else None
    try:
        milestone = progress.add_custom_milestone(actor(), project, data["name"], data.get("planned_date"),
                                                  after=after, note=clean_text(data.get("note")))
    except ValidationFailed as failure:
        raise ValidationFailed({"name" if key == "custom_name" else key: messages
                                for key, messages in failure.errors.items()}) from None
    location = url_for("api.milestone_detail", project_id=project.id, milestone_id=milestone.id)
    return milestone_record(milestone), 201, {"ETag": etag("milestone", milestone), "Location": location}


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>", methods=["PUT"])
@bp.arguments(writes.MilestoneInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(200, writes.MilestoneRowSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*UPDATE_ERRORS)
def update_milestone(data: dict, project_id: int, milestone_id: int, **_headers):
    """修改节点（发送全部字段）：与节点页面相同的规则——生命周期顺序、实际日期不晚于今天、
    首次计划日期为基准、改期计入调整次数；他人其间改过且您也改了，则 412"""
    project = load_project(project_id)
    require_write(project)
    milestone = load_milestone(project, milestone_id)
    expected = if_match("milestone", milestone)
    edit = progress.MilestoneEdit(milestone, data["planned_date"], data["actual_date"],
                                  clean_text(data["note"]), clean_text(data["delay_reason"]),
                                  expected_version=expected or 0)
    try:
        if expected is None:
            raise StaleEdit([])
        progress.save_milestones(actor(), project, [edit])
    except StaleEdit as error:
        others = [change for row in error.changes_by_others for change in row["changes"]]
        return stale(StaleEdit(others), "milestone", milestone)
    except ValidationFailed as failure:  # the row's errors, under "-<field>" (the page's row prefix)
        raise ValidationFailed({key.lstrip("-"): messages for key, messages in failure.errors.items()}) from None
    return milestone_record(milestone), 200, {"ETag": etag("milestone", milestone)}


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>", methods=["DELETE"])
@bp.arguments(writes.MilestoneRemovalInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(204)
@errors(*UPDATE_ERRORS)
def remove_milestone(data: dict, project_id: int, milestone_id: int, **_headers):
    """删除一个自定义节点，须说明原因（记入修改记录）；标准建设节点不能删除（422）；If-Match 须为读取时的 ETag"""
    project = load_project(project_id)
    require_write(project)
    milestone = load_milestone(project, milestone_id)
    expected = if_match("milestone", milestone)
    try:
        if expected is None:
            raise StaleEdit([])
        progress.remove_custom_milestone(actor(), milestone, reason=clean_text(data["reason"], multiline=True),
                                         expected_version=expected)
    except StaleEdit as error:
        return stale(error, "milestone", milestone)
    return None


# --- writes: budget revisions -------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/budget-revisions", methods=["POST"])
@bp.arguments(writes.BudgetRevisionInput)
@bp.response(201, schemas.BudgetRevisionSchema)
@errors(*CREATE_ERRORS)
def revise_budget(data: dict, project_id: int):
    """概算调整：须说明原因并注明批复文号与日期（与网页相同的校验与审计，via api）"""
    project = load_project(project_id)
    require_write(project)
    amount = read_figures(data, {"new_amount": 4}).get("new_amount")
    try:
        revision = progress.revise_budget(actor(), project, new_amount=amount,
                                          reason=clean_text(data["reason"], multiline=True) or "",
                                          approval_number=clean_text(data["approval_number"]) or "",
                                          approval_date=data["approval_date"])
    except StaleEdit:
        raise _abort(409, _("其他人刚刚修改了此项目，请重试")) from None
    return budget_record(revision), 201


# --- writes: funding lines ------------------------------------------------------------------------

def load_funding(project: Project, line_id: int) -> FundingLine:
    line = db.session.get(FundingLine, line_id) if 0 < line_id <= queries.MAX_INT else None
    if line is None or line.project_id != project.id:
        raise _abort(404, _("此项目没有编号为 %(id)s 的资金来源", id=line_id))
    return line


@bp.route("/projects/<int:project_id>/funding", methods=["POST"])
@bp.arguments(schemas.FundingInput)
@bp.response(201, schemas.FundingSchema, headers=WRITTEN)
@errors(*CREATE_ERRORS)
def add_funding(data: dict, project_id: int):
    """新增一条资金来源（与网页相同的校验与审计，via api）"""
    project = load_project(project_id)
    require_write(project)
    amount = read_figures(data, {"amount": 4}).get("amount")
    line = progress.add_funding_line(actor(), project, source=data["source"], amount=amount,
                                     note=clean_text(data.get("note")))
    location = url_for("api.funding_detail", project_id=project.id, line_id=line.id)
    return funding_record(line, include_money()), 201, {"ETag": etag("funding", line), "Location": location}


@bp.route("/projects/<int:project_id>/funding/<int:line_id>", methods=["GET"])
@bp.response(200, schemas.FundingSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*ERRORS_READ)
def funding_detail(project_id: int, line_id: int):
    """一条资金来源；ETag 用于修改或删除时的 If-Match"""
    line = load_funding(load_project(project_id), line_id)
    return funding_record(line, include_money()), 200, {"ETag": etag("funding", line)}


@bp.route("/projects/<int:project_id>/funding/<int:line_id>", methods=["PUT"])
@bp.arguments(writes.FundingChangesInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(200, schemas.FundingSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(*UPDATE_ERRORS)
def update_funding(data: dict, project_id: int, line_id: int, **_headers):
    """修改一条资金来源（来源、金额、备注），须说明原因；过期的 If-Match 得 412"""
    project = load_project(project_id)
    require_write(project)
    line = load_funding(project, line_id)
    expected = if_match("funding", line)
    amount = read_figures(data, {"amount": 4}).get("amount")
    try:
        if expected is None:
            raise StaleEdit([])
        progress.update_funding_line(actor(), line, source=data["source"], amount=amount,
                                     note=clean_text(data.get("note")),
                                     reason=clean_text(data["reason"], multiline=True), expected_version=expected)
    except StaleEdit as error:
        return stale(error, "funding", line)
    return funding_record(line, include_money()), 200, {"ETag": etag("funding", line)}


@bp.route("/projects/<int:project_id>/funding/<int:line_id>", methods=["DELETE"])
@bp.arguments(writes.FundingRemovalInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(204)
@errors(*UPDATE_ERRORS)
def remove_funding(data: dict, project_id: int, line_id: int, **_headers):
    """删除一条资金来源，须说明原因（记入修改记录）；If-Match 须为读取时的 ETag"""
    project = load_project(project_id)
    require_write(project)
    line = load_funding(project, line_id)
    expected = if_match("funding", line)
    try:
        if expected is None:
            raise StaleEdit([])
        progress.remove_funding_line(actor(), line, reason=clean_text(data["reason"], multiline=True),
                                     expected_version=expected)
    except StaleEdit as error:
        return stale(error, "funding", line)
    return None
