"""The spreadsheet import: a template to fill, the upload and its preview, one confirmation."""

from __future__ import annotations

import io

from flask import abort, Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions as perms
from ..audit.services import Actor
from ..core.clock import this_month
from ..exports.columns import CLEAR_MARKER
from .templates import write_template
from ..unit_of_work import after_commit
from ..web.requests import attachment
from . import batches, uploads
from .forms import ConfirmForm, UploadForm
from .importer import COLUMNS, KINDS, PROJECTS, run_import, setting
from .outcome import ImportReport
from .prefill import due_reports

bp = Blueprint("imports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_import() -> None:
    if not (perms.has_permission(current_user, perms.EDIT_PROJECT)
            or perms.has_permission(current_user, perms.CREATE_PROJECT)):
        abort(403)


def _batch(token: str):
    batch = batches.find(token, current_user) if uploads.valid(token) else None
    if batch is None or batch.kind not in KINDS:  # another page's upload (a plan's actuals)
        abort(404)
    return batch


def _upload_page(form: UploadForm, status: int):
    return render_template("imports/import.html", form=form, max_rows=setting("IMPORT_MAX_ROWS"),
                           clear_marker=CLEAR_MARKER), status


@bp.get("/import/templates/<any(projects, 'monthly-reports'):kind>.xlsx")
def template(kind: str):
    require_import()
    buffer = io.BytesIO()
    if kind == PROJECTS:
        write_template(buffer, COLUMNS[kind], str(KINDS[kind]), kind=kind,
                       max_rows=setting("IMPORT_MAX_ROWS"))
        name, plain = _("项目导入模板"), "project-import-template"
    else:
        month = this_month()
        rows = due_reports(current_user, month, limit=setting("IMPORT_MAX_ROWS"))
        write_template(buffer, COLUMNS[kind], str(KINDS[kind]), kind=kind, rows=rows,
                       max_rows=setting("IMPORT_MAX_ROWS"))
        name, plain = _("月度填报导入模板-%(month)s", month=month.strftime("%Y-%m")), f"monthly-reports-{month:%Y-%m}"
    buffer.seek(0)
    response = send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"{name}.xlsx")
    response.headers.update(attachment(f"{name}.xlsx", f"{plain}.xlsx"))
    return response


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
    # The preview is computed here, once; it holds no transaction while it reads the sheet and
    # writes nothing that lasts (importer.run_import).
    user = current_user._get_current_object()
    report = run_import(Actor(user, "import"), data, filename, kind=form.kind.data, apply=False)
    try:
        uploads.save_preview(token, {**report.to_dict(), "language": str(get_locale())})
    except uploads.NotStored:
        form.file.errors.append(not_stored_message())
        return _upload_page(form, 503)
    batches.open_batch(user, token, report.kind, filename)
    return redirect(url_for("imports.preview", token=token))


def not_stored_message() -> str:
    return _("服务器无法保存上传的文件（存储空间不足或不可写），没有导入任何数据。请稍后重试或联系管理员。")


def _decided_page(batch, status: int = 200):
    """What a confirmed or abandoned upload shows: it is over, and nothing more will be written."""
    return render_template("imports/decided.html", batch=batch), status


@bp.get("/import/<token>")
def preview(token: str):
    """The preview kept at upload, read again only when the reader has switched language since:
    its messages are texts, written in the language of the upload (a preview switched to English
    read "未识别的列「序号」…" under English headings). Reading the sheet writes and locks nothing;
    the new preview, and the versions its confirmation checks, replace the old."""
    require_import()
    batch = _batch(token)
    if batch.status != batches.PREVIEWED:
        return _decided_page(batch)
    kept = uploads.preview(token)
    if kept is None:
        return _decided_page(batch, 410)
    language = str(get_locale())
    if kept.get("language", language) != language and (data := uploads.data(token)) is not None:
        report = run_import(Actor(current_user, "import"), data, batch.filename, kind=batch.kind, apply=False)
        kept = {**report.to_dict(), "language": language}
        try:
            uploads.save_preview(token, kept)
        except uploads.NotStored:
            pass  # shown all the same; read again at the next visit
    shown = {key: value for key, value in kept.items() if key != "language"}
    return render_template("imports/preview.html", report=ImportReport.from_dict(shown), batch=batch,
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
        return render_template("imports/preview.html", report=None, batch=batch, token=token,
                               form=form, kinds=KINDS), 400
    # Claim the upload first, in the transaction that writes its rows: a second confirmation
    # (double click, second tab) waits for this one and then finds nothing to claim.
    if not batches.claim(batch, batches.APPLIED):
        return _decided_page(batch, 409)  # as the request that claimed it first left it
    # Re-read and re-check everything: the file, the permissions, and that nobody changed the
    # previewed projects since (their versions were kept with the preview).
    report = run_import(Actor(current_user, "import"), data, batch.filename, kind=batch.kind,
                        apply=True, reason=form.reason.data, expected_versions=kept.get("versions", {}))
    if not report.applied:
        # 409 keeps nothing, the claim neither: the corrected upload can be confirmed again.
        return render_template("imports/preview.html", report=report, batch=batch, token=token,
                               form=form, kinds=KINDS), 409
    after_commit(lambda: uploads.discard(token))
    flash(report.summary(), "success")
    return render_template("imports/done.html", report=report)


@bp.post("/import/<token>/discard")
def discard(token: str):
    require_import()
    batch = _batch(token)
    if batches.claim(batch, batches.DISCARDED):
        after_commit(lambda: uploads.discard(token))
        flash(_("已放弃这次导入，没有写入任何内容。"), "info")
    return redirect(url_for("imports.upload"))
