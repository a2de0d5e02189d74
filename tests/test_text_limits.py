"""Every text has a limit the database and the pages can hold (issue 14 item 5).

A 1.5 M-character funding-deletion reason made a project page 4.5 MB. Forms give every text field
without its own Length a default one (``TrackerForm``); inputs that are not forms are checked;
and the services refuse text longer than its column holds, on every database (SQLite stores any
length, PostgreSQL failed with a 500).
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import Length

from tracker.audit.services import CLI
from tracker.errors import ValidationFailed
from tracker.forms import BLOCK_LIMIT, LINE_LIMIT, TrackerForm
from tracker.progress import services as progress
from tracker.progress.models import FundingLine

from .browsers import browser
from .factories import county_in_city, project


@pytest.fixture()
def funded(app, db, make_user):
    _, _, county = county_in_city()
    target = project(county, kind="construction", category="cdc", total_investment=1320)
    line = progress.add_funding_line(CLI, target, source="central_budget", amount="500", note="第一批")
    db.session.commit()
    officer = browser(app, make_user("officer", "360783", username="limits-officer"))
    return {"project": target.id, "line": line.id, "officer": officer}


def test_a_long_funding_deletion_reason_is_refused_and_the_line_kept(funded, db):
    response = funded["officer"].post(f"/projects/{funded['project']}/funding/{funded['line']}/delete",
                                      data={"reason": "删" * 20_000})
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:2000]
    assert "不能超过 500 个字" in html
    assert len(html) < 100_000  # what was typed is not echoed back
    assert db.session.get(FundingLine, funded["line"]) is not None
    page = funded["officer"].get(f"/projects/{funded['project']}")
    assert page.status_code == 200 and len(page.get_data()) < 500_000


def test_a_huge_typed_form_is_refused_before_it_is_read(funded, db, app):
    """1.5 million characters typed (13.5 MB of %-escapes): the body is refused unread, with a
    page that says what to do, instead of a worker decoding it for seconds (TrackerRequest)."""
    assert app.config.get("MAX_FORM_MEMORY_SIZE", 500_000) < 13_500_000 < app.config["MAX_CONTENT_LENGTH"]
    response = funded["officer"].post(f"/projects/{funded['project']}/funding/{funded['line']}/delete",
                                      data={"reason": "删" * 1_500_000})
    html = response.get_data(as_text=True)
    assert response.status_code == 413, html[:2000]
    assert "提交的内容太长，没有保存" in html and "上传的文件太大" not in html
    assert len(html) < 100_000
    assert db.session.get(FundingLine, funded["line"]) is not None
    # An upload of the same size is still the importer's to judge (MAX_CONTENT_LENGTH).
    upload = funded["officer"].post("/import", data={"file": (io.BytesIO(b"x" * 13_500_000), "big.csv")},
                                    content_type="multipart/form-data")
    assert upload.status_code != 413 and "文件超过 10 MB 的上限" in upload.get_data(as_text=True)


def test_a_funding_line_is_deleted_with_a_reason_of_sensible_length(funded, db):
    response = funded["officer"].post(f"/projects/{funded['project']}/funding/{funded['line']}/delete",
                                      data={"reason": "重复录入\x0b"})
    assert response.status_code == 302
    assert db.session.get(FundingLine, funded["line"]) is None
    reason = db.session.scalar(sa.text("SELECT reason FROM audit_entries WHERE action = 'funding:delete'"))
    assert reason == "重复录入"  # cleaned like any typed text


class Sample(TrackerForm):
    line = StringField("line")
    block = TextAreaField("block")
    own = StringField("own", validators=[Length(max=5)])
    secret = PasswordField("secret")


def test_every_text_field_without_its_own_limit_gets_one(app):
    with app.test_request_context(method="POST", data={"line": "x" * (LINE_LIMIT + 1),
                                                       "block": "y" * (BLOCK_LIMIT + 1),
                                                       "own": "z" * 6, "secret": "s" * 1000}):
        form = Sample(meta={"csrf": False})
        assert not form.validate()
        assert set(form.errors) == {"line", "block", "own", "secret"}
        assert f"不能超过 {LINE_LIMIT} 个字" in " ".join(form.errors["line"]) or \
            str(LINE_LIMIT) in " ".join(form.errors["line"])
    with app.test_request_context(method="POST", data={"line": "x" * LINE_LIMIT, "block": "y" * BLOCK_LIMIT,
                                                       "own": "z" * 5, "secret": "s" * 100}):
        assert Sample(meta={"csrf": False}).validate()
    assert not [v for v in Sample.own.kwargs["validators"] if isinstance(v, Length) and v.max != 5]


def test_services_refuse_text_longer_than_its_column(funded, db):
    target = db.session.get(FundingLine, funded["line"]).project
    with pytest.raises(ValidationFailed) as refused:
        progress.add_funding_line(CLI, target, source="central_budget", amount="1", note="备" * 201)
    assert "note" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        progress.remove_funding_line(CLI, db.session.get(FundingLine, funded["line"]), reason="因" * 2001)
    assert "reason" in refused.value.errors
    db.session.rollback()
    assert db.session.get(FundingLine, funded["line"]) is not None


def test_a_huge_report_text_is_refused_through_the_service(funded, db):
    import datetime as dt
    target = db.session.get(FundingLine, funded["line"]).project
    with pytest.raises(ValidationFailed) as refused:
        progress.submit_report(CLI, target, dt.date.today().replace(day=1), invested_month="1",
                               problems="问" * 1_500_000)
    assert "problems" in refused.value.errors


def test_a_correction_reason_has_one_limit_on_every_path(app):
    """The reason lands in the audit trail's ``reason`` (REASON_LIMIT characters): the form, the API
    and the sheet used to allow 1,000, 500 and 5,000, so a reason the sheet took failed at the
    database and one the form refused went through the sheet."""
    from tracker.api.schemas import CorrectionInput
    from tracker.audit.models import REASON_LIMIT
    from tracker.exports.columns import MONTHLY_REPORT_COLUMNS
    from tracker.imports.cells import CellProblem, CellReader
    from tracker.imports.reading import Cell
    from tracker.progress.forms import ReportForm

    column = next(c for c in MONTHLY_REPORT_COLUMNS if c.key == "correction_reason")
    reader = CellReader(["zh", "en"])
    for length, accepted in ((REASON_LIMIT, True), (REASON_LIMIT + 1, False)):
        reason = "因" * length
        with app.test_request_context(method="POST", data={"correction_reason": reason}):
            form = ReportForm(meta={"csrf": False})
            form.validate()
            assert ("correction_reason" not in form.errors) is accepted
        assert ("correction_reason" not in CorrectionInput().validate({"correction_reason": reason})) is accepted
        try:
            reader.read(column, Cell(value=reason))
        except CellProblem:
            assert not accepted
        else:
            assert accepted
