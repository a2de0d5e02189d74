"""Exports of the list in view (its filter and sort) and the spreadsheet import with its preview."""

from __future__ import annotations

import io
import tempfile
import unicodedata
from urllib.parse import quote

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   send_file, stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..core import clock
from ..accounts import permissions as perms
from ..accounts.services import money_hidden_from
from ..audit.services import Actor
from ..core.clock import this_month
from ..database import utcnow
from ..extensions import db
from ..portfolio import queries
from ..portfolio.exports import hide_money, json_chunks
from ..portfolio.filters import PortfolioFilter
from . import batches, uploads
from .columns import CLEAR_MARKER
from .csv_ import csv_chunks
from .forms import ConfirmForm, UploadForm
from .importer import COLUMNS, KINDS, PROJECTS, run_import, setting
from .oc4ids import package_chunks
from .outcome import ImportReport
from .pdf import TooManyRows, write_pdf
from .prefill import due_reports
from .xlsx import write_template, write_xlsx

bp = Blueprint("exchange", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> dict:
    """Content-Disposition for a Chinese file name, as Flask's send_file writes it."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "export"
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                   f"filename*=UTF-8''{quote(name, safe='')}",
            "Cache-Control": "no-store"}


def download_name(portfolio_filter: PortfolioFilter, extension: str) -> str:
    region = portfolio_filter.region_row()
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return f"{_('项目清单')}-{region.name if region else _('全部地区')}-{stamp}.{extension}"


def public_uri() -> str | None:
    """This request's address on the configured public URL (``TRACKER_PUBLIC_URL``), never on the
    Host header a client sent; None (a urn:uuid) when no public URL is configured."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return None
    return base.rstrip("/") + request.full_path.rstrip("?")


def _problem_page(problems: list[str], status: int = 400):
    return render_template("exchange/export_problem.html", problems=problems), status


@bp.get("/projects/export.<any(xlsx, csv, json, pdf, 'oc4ids.json'):fmt>")
def export(fmt: str):
    if not perms.has_permission(current_user, perms.READ):
        abort(403)
    include_money = not money_hidden_from(current_user)
    portfolio_filter = PortfolioFilter.from_args(request.args)
    if not include_money:
        portfolio_filter = portfolio_filter.without_money_sorts()
    problems = portfolio_filter.problems()
    if problems:
        return _problem_page(problems)
    today = clock.today()
    name = download_name(portfolio_filter, fmt)
    if fmt == "csv":
        chunks = csv_chunks(portfolio_filter, include_money=include_money, today=today)
        return Response(stream_with_context(chunks), mimetype="text/csv; charset=utf-8",
                        headers=attachment(name))
    if fmt == "json":
        chunks = json_chunks(portfolio_filter, None if include_money else hide_money)
        return Response(stream_with_context(chunks), mimetype="application/json",
                        headers=attachment(name))
    if fmt == "oc4ids.json":
        if queries.totals(portfolio_filter, today).projects == 0:
            return _problem_page([_("没有符合条件的项目：OC4IDS 数据包至少要有一个项目。")])
        chunks = package_chunks(portfolio_filter, uri=public_uri(), include_money=include_money,
                                today=today, prefix=current_app.config.get("OC4IDS_PREFIX", "oc4ids-tracker-"),
                                publisher=current_app.config.get("OC4IDS_PUBLISHER"))
        return Response(stream_with_context(chunks), mimetype="application/json",
                        headers=attachment(name))
    # Binary formats are written to a temporary file (memory stays flat) and sent from there.
    spool = tempfile.TemporaryFile()
    try:
        if fmt == "xlsx":
            write_xlsx(spool, portfolio_filter, include_money=include_money, today=today)
            mimetype = XLSX
        else:
            write_pdf(spool, portfolio_filter, include_money=include_money, today=today,
                      max_rows=current_app.config.get("EXPORT_PDF_MAX_ROWS", 2000))
            mimetype = "application/pdf"
    except TooManyRows as too_many:
        spool.close()
        return _problem_page([str(too_many)])
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- import -------------------------------------------------------------------------------------

def require_import() -> None:
    if not (perms.has_permission(current_user, perms.EDIT_PROJECT)
            or perms.has_permission(current_user, perms.CREATE_PROJECT)):
        abort(403)


def _batch(token: str):
    batch = batches.find(token, current_user) if uploads.valid(token) else None
    if batch is None:
        abort(404)
    return batch


def _upload_page(form: UploadForm, status: int):
    return render_template("exchange/import.html", form=form, max_rows=setting("IMPORT_MAX_ROWS"),
                           clear_marker=CLEAR_MARKER), status


@bp.get("/import/templates/<any(projects, 'monthly-reports'):kind>.xlsx")
def template(kind: str):
    require_import()
    buffer = io.BytesIO()
    if kind == PROJECTS:
        write_template(buffer, COLUMNS[kind], str(KINDS[kind]), kind=kind,
                       max_rows=setting("IMPORT_MAX_ROWS"))
        name = _("项目导入模板")
    else:
        month = this_month()
        rows = due_reports(current_user, month, limit=setting("IMPORT_MAX_ROWS"))
        write_template(buffer, COLUMNS[kind], str(KINDS[kind]), kind=kind, rows=rows,
                       max_rows=setting("IMPORT_MAX_ROWS"))
        name = _("月度填报导入模板-%(month)s", month=month.strftime("%Y-%m"))
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"{name}.xlsx")


@bp.route("/import", methods=["GET", "POST"])
def upload():
    require_import()
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, 400 if form.errors else 200)
    limit = setting("IMPORT_MAX_BYTES")
    data = form.file.data.read(limit + 1)
    if len(data) > limit:
        form.file.errors.append(_("文件超过 %(n)s MB 的上限。请拆分后分批导入。", n=limit // (1024 * 1024)))
        return _upload_page(form, 400)
    filename = form.file.data.filename or ""
    try:
        token = uploads.store(data)
    except uploads.NotStored:
        form.file.errors.append(not_stored_message())
        return _upload_page(form, 503)
    # The preview is computed here, once. End the request's transaction first: on SQLite a POST's
    # transaction holds the write lock, and reading a large sheet takes seconds. The preview then
    # gives the database back every half second (importer.Slices) and writes nothing that lasts.
    user = current_user._get_current_object()
    db.session.rollback()
    report = run_import(Actor(user, "import"), data, filename, kind=form.kind.data, apply=False)
    db.session.rollback()
    try:
        uploads.save_preview(token, report.to_dict())
    except uploads.NotStored:
        form.file.errors.append(not_stored_message())
        return _upload_page(form, 503)
    batches.open_batch(user, token, report.kind, filename)
    db.session.commit()
    return redirect(url_for("exchange.preview", token=token))


def not_stored_message() -> str:
    return _("服务器无法保存上传的文件（存储空间不足或不可写），没有导入任何数据。请稍后重试或联系管理员。")


def _decided_page(batch, status: int = 200):
    """What a confirmed or abandoned upload shows: it is over, and nothing more will be written."""
    return render_template("exchange/decided.html", batch=batch), status


@bp.get("/import/<token>")
def preview(token: str):
    """The preview kept at upload: read, never recomputed, so a view writes and locks nothing."""
    require_import()
    batch = _batch(token)
    if batch.status != batches.PREVIEWED:
        return _decided_page(batch)
    kept = uploads.preview(token)
    if kept is None:
        return _decided_page(batch, 410)
    return render_template("exchange/preview.html", report=ImportReport.from_dict(kept), batch=batch,
                           token=token, form=ConfirmForm(), kinds=KINDS)


@bp.post("/import/<token>/confirm")
def confirm(token: str):
    require_import()
    batch = _batch(token)
    if batch.status != batches.PREVIEWED:
        return _decided_page(batch, 409)
    form = ConfirmForm()
    kept, data = uploads.preview(token), uploads.data(token)
    if kept is None or data is None:
        return _decided_page(batch, 410)
    if not form.validate_on_submit():
        return render_template("exchange/preview.html", report=None, batch=batch, token=token,
                               form=form, kinds=KINDS), 400
    # Claim the upload first, in the transaction that writes its rows: a second confirmation
    # (double click, second tab) waits for this one and then finds nothing to claim.
    if not batches.claim(batch, batches.APPLIED):
        db.session.rollback()
        return _decided_page(_batch(token), 409)
    # Re-read and re-check everything: the file, the permissions, and that nobody changed the
    # previewed projects since (their versions were kept with the preview).
    report = run_import(Actor(current_user, "import"), data, batch.filename, kind=batch.kind,
                        apply=True, reason=form.reason.data, expected_versions=kept.get("versions", {}))
    if not report.applied:
        db.session.rollback()  # the claim too: the corrected upload can be confirmed again
        return render_template("exchange/preview.html", report=report, batch=batch, token=token,
                               form=form, kinds=KINDS), 409
    db.session.commit()
    uploads.discard(token)
    flash(report.summary(), "success")
    return render_template("exchange/done.html", report=report)


@bp.post("/import/<token>/discard")
def discard(token: str):
    require_import()
    batch = _batch(token)
    if batches.claim(batch, batches.DISCARDED):
        db.session.commit()
        uploads.discard(token)
        flash(_("已放弃这次导入，没有写入任何内容。"), "info")
    else:
        db.session.rollback()
    return redirect(url_for("exchange.upload"))
