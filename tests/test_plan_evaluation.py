"""The 终期评估 of an ended plan beyond its page (issue 16): printed as an A4 PDF, and its indicator
actuals imported from a sheet with a preview and one confirmation."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from tracker.audit.services import CLI
from tracker.plans import services
from tracker.plans.models import Plan, PlanIndicator

from .browsers import browser
from .conftest import login_as
from .test_money_hidden import hide_money

LONGNAN_PLAN = "longnan-14th-regional-plan"


def plan_with_indicators(db) -> Plan:
    indicator = db.session.scalar(sa.select(PlanIndicator).where(PlanIndicator.comparator == "≥")
                                  .order_by(PlanIndicator.id))
    return indicator.plan


def pdf_text(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return reader, "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def test_the_evaluation_prints_on_a4_with_its_chinese_as_text(app, db, make_user, seeded):
    plan = plan_with_indicators(db)
    indicator = plan.indicators[0]
    leader = app.test_client()
    login_as(leader, make_user("admin", username="admin-eval"))
    services.set_actual(CLI, indicator, 2025, "99.5", "2025年统计公报")
    db.session.commit()
    page = leader.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    assert f'href="/plans/{plan.key}/evaluation.pdf"' in page

    reader, text = pdf_text(leader.get(f"/plans/{plan.key}/evaluation.pdf"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert plan.title.replace("\n", "") in text and "终期评估" in text
    assert indicator.name in text and "99.5（2025）" in text and "2025年统计公报" in text
    for label in services.outcome_labels().values():
        assert label in text
    result = services.evaluation(plan)
    for project in result["projects"][:3]:
        assert project.name in text


def test_a_viewer_from_whom_money_is_hidden_prints_no_amount(app, db, make_user, seeded):
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == LONGNAN_PLAN))
    leader = browser(app, make_user("leader", username="leader-eval"))
    _reader, text = pdf_text(leader.get(f"/plans/{plan.key}/evaluation.pdf"))
    assert re.search(r"计划总投资：[\d,.]+ 万元", text)

    hide_money()
    viewer = browser(app, make_user("viewer", username="viewer-eval"))
    _reader, text = pdf_text(viewer.get(f"/plans/{plan.key}/evaluation.pdf"))
    assert "终期评估" in text and "万元" not in text and "计划总投资" not in text
