"""/api/v1/: the portfolio for other systems. Views are thin: authenticate the token, load,
check access, call one service, commit once (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import deque

import sqlalchemy as sa
from flask import Response, current_app, g, json, request, url_for
from flask_babel import gettext as _
from flask_smorest import Api, Blueprint
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from ..accounts import permissions as perms
from ..accounts.models import User
from ..accounts.services import money_hidden_from
from ..accounts.throttle import parse_limit
from ..audit.services import Actor, json_value
from ..core.values import ValueProblem, check_places, clean_text, parse_decimal
from ..database import utcnow
from ..errors import StaleEdit, ValidationFailed
from ..extensions import db
from ..plans.models import Plan
from ..portfolio import queries
from ..exports.records import hide_money, project_to_dict
from ..portfolio.filters import PortfolioFilter
from ..progress import services as progress
from ..progress.models import BudgetRevision, FundingLine, MonthlyReport
from ..projects.models import Project, SourceMention
from ..regions.models import Region
from . import schemas, tokens
from .models import WRITE
from .problems import from_http_exception, problem


class TrackerApi(Api):
    """flask-smorest's Api, without its app-wide error handler: the pages keep their HTML error
    pages, and the API's errors are problem+json (problems.py)."""

    def _register_error_handlers(self):
        pass


api = TrackerApi()
bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="健康建设项目台账 API：项目、规划、地区、合计与月报")

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
                 413: "too large", 422: "invalid fields", 428: "If-Match required",
                 429: "rate limited", 503: "database unavailable"}


# --- authentication, rate limits, conditional requests -------------------------------------------

def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


class RateLimiter:
    """Requests per token in a sliding window, counted in this process (API_RATE_LIMIT)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: dict[str, deque] = {}

    def wait(self, key: str, text: str) -> int:
        limit = parse_limit(text)
        window = limit.window.total_seconds()
        now = time.monotonic()
        with self.lock:
            times = self.seen.setdefault(key, deque())
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit.count:
                return max(1, int(times[0] + window - now) + 1)
            times.append(now)
            return 0


limiter = RateLimiter()


@bp.before_request
def authenticate():
    """Only a token opens the API: a session cookie is never read here."""
    secret = bearer_secret()
    token = tokens.find(secret) if secret else None
    if token is None:
        return problem(401, _("缺少有效的 API 令牌：请在请求头 Authorization 中发送 “Bearer 令牌”"),
                       headers=[("WWW-Authenticate", 'Bearer realm="tracker"')])
    wait = limiter.wait(token.secret_hash, current_app.config.get("API_RATE_LIMIT", "600 per minute"))
    if wait:
        return problem(429, _("请求过于频繁，请 %(n)s 秒后再试", n=wait), headers=[("Retry-After", str(wait))])
    g.api_token = token
    g._login_user = token.user  # permissions.py reads current_user: the token's owner, never the cookie's
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return None


@bp.after_request
def conditional(response: Response) -> Response:
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag(overwrite=False)
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Vary"] = "Authorization"
        response.make_conditional(request)
    return response


@bp.errorhandler(HTTPException)
def http_problem(error):
    return from_http_exception(error)


@bp.errorhandler(ValidationFailed)
def validation_problem(error: ValidationFailed):
    db.session.rollback()
    return problem(422, _("请求中有无效的字段"), errors=error.errors)


def user():
    return g.api_token.user


def actor() -> Actor:
    return Actor(user(), "api")


def include_money() -> bool:
    return not money_hidden_from(user())


def require_write(project: Project) -> None:
    if g.api_token.scope != WRITE:
        raise _abort(403, _("此令牌为只读令牌，不能写入"))
    if not perms.can_edit_project(user(), project):
        raise _abort(403, _("您无权修改此项目（仅限本人负责地区的项目）"))


def _abort(status: int, detail: str) -> HTTPException:
    error = HTTPException(description=detail)
    error.code = status
    return error


# --- representations ------------------------------------------------------------------------------

def project_record(project: Project) -> dict:
    record = project_to_dict(project)
    return record if include_money() else hide_money(record)


MONEY_REPORT_FIELDS = ("invested_month", "invested_year", "invested_total", "funds_received", "paid")


def report_etag(report: MonthlyReport) -> str:
    return f'"report-{report.id}-v{report.version}"'


def _username(user_id: int | None) -> str | None:
    found = db.session.get(User, user_id) if user_id else None
    return found.username if found else None


def report_record(report: MonthlyReport, money: bool) -> dict:
    record = {
        "month": report.month.strftime("%Y-%m"), "revision": report.revision, "version": report.version,
        "etag": report_etag(report),
        "progress_text": report.progress_text, "physical_percent": json_value(report.physical_percent),
        "problems": report.problems, "next_steps": report.next_steps,
        "over_budget_reason": report.over_budget_reason,
        "submitted_by": _username(report.submitted_by_id),
        "submitted_at": json_value(report.submitted_at),
    }
    if money:
        record.update({field: json_value(getattr(report, field)) for field in MONEY_REPORT_FIELDS})
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
              "floor_area_m2": pair(totals.with_floor_area, totals.floor_area_m2),
              "beds": pair(totals.with_beds, totals.beds),
              "new_beds": pair(totals.with_new_beds, totals.new_beds)}
    if money:
        record["total_investment_wan_yuan"] = pair(totals.with_investment, totals.total_investment)
        record["invested_to_date_wan_yuan"] = pair(totals.with_invested, totals.invested_to_date)
    return record


def portfolio_filter() -> PortfolioFilter:
    chosen = PortfolioFilter.from_args(request.args)
    if not include_money():
        chosen = chosen.without_money_sorts()
    problems = chosen.problems()
    if problems:
        raise _abort(400, "；".join(problems))
    return chosen


# --- reads ----------------------------------------------------------------------------------------

@bp.route("/projects", methods=["GET"])
@bp.arguments(schemas.ListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ProjectListSchema)
@errors(*ERRORS_READ)
def project_list(**_args):
    """项目清单：与页面相同的筛选、排序与合计；按游标翻页（Link 头）"""
    chosen = portfolio_filter()
    try:
        number, seek = queries.page_request(request.args, chosen)
    except queries.BadPageRequest as bad:
        raise _abort(400, str(bad)) from None
    per_page = current_app.config["PAGE_SIZE"]
    totals = queries.totals(chosen)
    page = queries.project_page(chosen, number, per_page, totals.projects, seek=seek)
    projects = db.session.scalars(sa.select(Project).where(Project.id.in_([p.id for p in page.items])).options(
        selectinload(Project.aliases), selectinload(Project.plans), selectinload(Project.milestones),
        selectinload(Project.sources).selectinload(SourceMention.plan))).all()
    by_id = {p.id: p for p in projects}
    links: list[str] = []
    nav: dict[str, str | None] = {"next": None, "prev": None}
    for rel, wanted, present in (("next", page.page + 1, page.has_next), ("prev", page.page - 1, page.has_prev)):
        if present:
            url = url_for("api.project_list", **chosen.to_args(), **page.args_for(wanted), _external=True)
            links.append(f'<{url}>; rel="{rel}"')
            nav[rel] = url
    body = {"projects": [project_record(by_id[p.id]) for p in page.items if p.id in by_id],
            "totals": totals_record(totals, include_money()),
            "page": {"number": page.page, "per_page": per_page, "pages": page.pages, **nav}}
    return body, 200, ({"Link": ", ".join(links)} if links else {})


@bp.route("/totals", methods=["GET"])
@bp.arguments(schemas.FilterArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.TotalsSchema)
@errors(*ERRORS_READ)
def totals(**_args):
    """合计及其覆盖面：(有数的项目数, 合计)，与清单页相同"""
    return totals_record(queries.totals(portfolio_filter()), include_money())


@bp.route("/projects/<int:project_id>", methods=["GET"])
@bp.response(200, schemas.ProjectDetailSchema)
@errors(*ERRORS_READ)
def project_detail(project_id: int):
    """一个项目：节点、月报、资金来源、概算调整与出处"""
    project = load_project(project_id)
    money = include_money()
    record = project_record(project)
    reports = db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.project_id == project.id)
                                 .order_by(MonthlyReport.month)).all()
    record["reports"] = [report_record(r, money) for r in reports]
    lines = db.session.scalars(sa.select(FundingLine).where(FundingLine.project_id == project.id)
                               .order_by(FundingLine.id)).all()
    record["funding"] = [{"source": json_value(line.source), "note": line.note,
                          **({"amount": json_value(line.amount)} if money else {})} for line in lines]
    revisions = db.session.scalars(sa.select(BudgetRevision).where(BudgetRevision.project_id == project.id)
                                   .order_by(BudgetRevision.id)).all() if money else []
    record["budget_revisions"] = [{"previous_amount": json_value(r.previous_amount),
                                   "new_amount": json_value(r.new_amount), "reason": r.reason,
                                   "approval_number": r.approval_number,
                                   "approval_date": json_value(r.approval_date)} for r in revisions]
    return record


MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(raw: str) -> dt.date:
    match = MONTH.fullmatch(raw or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1949 <= int(match.group(1)) <= 2100:
        raise ValidationFailed({"month": [_("月份应写作 YYYY-MM，例如 2026-11")]})
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


# --- writes: monthly reports ----------------------------------------------------------------------

FIGURE_PLACES = {"physical_percent": 2, "invested_month": 4, "invested_total": 4,
                 "funds_received": 4, "paid": 4}
TEXTS = ("progress_text", "problems", "next_steps", "over_budget_reason")


def read_figures(data: dict, places_by_field: dict[str, int]) -> dict:
    """The body's figures as the services take them: read as people write them ("1,320"), or as
    JSON numbers; a field in error is named in a ValidationFailed."""
    values, problems = {}, {}
    for field, places in places_by_field.items():
        raw = data.get(field)
        if raw is None or isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            if raw is not None:
                problems[field] = [_("应为数字或数字文本")]
            continue
        try:
            number = parse_decimal(repr(raw) if isinstance(raw, float) else raw)
            if number is not None:
                number = check_places(number, places)
        except ValueProblem as bad:
            problems[field] = [str(bad)]
            continue
        values[field] = number
    if problems:
        raise ValidationFailed(problems)
    return values


def report_values(data: dict) -> dict:
    values = read_figures(data, FIGURE_PLACES)
    for field in TEXTS:
        if data.get(field) is not None:
            values[field] = clean_text(data[field], multiline=True)
    return values


def stale(error: StaleEdit, current: MonthlyReport | None):
    db.session.rollback()
    changes = [{**c, "when": json_value(c.get("when"))} for c in error.changes_by_others]
    extra = {"changes": json.loads(json.dumps(changes, default=str))}
    headers = []
    if current is not None:
        db.session.refresh(current)
        extra["current_etag"] = report_etag(current)
        headers.append(("ETag", report_etag(current)))
    return problem(412, _("月报在您读取之后已被修改：请重新读取（GET）后再提交"), headers=headers, **extra)


@bp.route("/projects/<int:project_id>/reports", methods=["POST"])
@bp.arguments(schemas.NewReportInput)
@bp.response(201, schemas.ReportSchema, headers={"ETag": {"schema": {"type": "string"}},
                                                 "Location": {"schema": {"type": "string"}}})
@errors(400, 401, 403, 404, 409, 413, 422, 429, 503)
def submit_report(data: dict, project_id: int):
    """填报一个月的月报（与网页表单相同的校验与审计，via api）"""
    project = load_project(project_id)
    require_write(project)
    month = parse_month(data["month"])
    if progress.report_for(project, month) is not None:
        raise _abort(409, _("%(month)s 的月报已提交：更正请用 PUT 并带上 If-Match 与更正原因", month=f"{month:%Y-%m}"))
    report = progress.submit_report(actor(), project, month, **report_values(data))
    db.session.commit()
    location = url_for("api.report_detail", project_id=project.id, month=f"{month:%Y-%m}")
    return report_record(report, include_money()), 201, {"ETag": report_etag(report), "Location": location}


IF_MATCH = re.compile(r'\s*(?:W/)?"report-(\d+)-v(\d+)"\s*')


@bp.route("/projects/<int:project_id>/reports/<month>", methods=["PUT"])
@bp.arguments(schemas.CorrectionInput)
@bp.arguments(schemas.IfMatchHeader, location="headers", as_kwargs=True)
@bp.response(200, schemas.ReportSchema, headers={"ETag": {"schema": {"type": "string"}}})
@errors(400, 401, 403, 404, 412, 413, 422, 428, 429, 503)
def correct_report(data: dict, project_id: int, month: str, **_headers):
    """更正已提交的月报：If-Match 须为读取时的 ETag，过期则 412 并说明他人改了什么"""
    project = load_project(project_id)
    require_write(project)
    report = find_report(project, month)
    header = request.headers.get("If-Match")
    if not header:
        raise _abort(428, _("更正月报须带 If-Match 请求头（读取月报时得到的 ETag）"))
    if header.strip() == "*":  # RFC 9110: any current version (the writer takes the risk)
        expected = None
    else:
        match = IF_MATCH.fullmatch(header)
        if match is None or int(match.group(1)) != report.id:
            return stale(StaleEdit([]), report)
        expected = int(match.group(2))
    try:
        report = progress.submit_report(actor(), project, report.month, **report_values(data),
                                        correction_reason=clean_text(data.get("correction_reason"), multiline=True),
                                        expected_version=expected)
    except StaleEdit as error:
        return stale(error, report)
    db.session.commit()
    return report_record(report, include_money()), 200, {"ETag": report_etag(report)}


# --- writes: funding lines ------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/funding", methods=["POST"])
@bp.arguments(schemas.FundingInput)
@bp.response(201, schemas.FundingSchema)
@errors(400, 401, 403, 404, 413, 422, 429, 503)
def add_funding(data: dict, project_id: int):
    """新增一条资金来源（与网页相同的校验与审计，via api）"""
    project = load_project(project_id)
    require_write(project)
    amount = read_figures(data, {"amount": 4}).get("amount")
    if amount is not None and abs(amount) >= progress.MAX_AMOUNT:
        raise ValidationFailed({"amount": [_("数值过大，请检查单位（金额以万元计）")]})
    line = progress.add_funding_line(actor(), project, source=data["source"], amount=amount,
                                     note=clean_text(data.get("note")))
    db.session.commit()
    return {"source": json_value(line.source), "amount": json_value(line.amount) if include_money() else None,
            "note": line.note}, 201
