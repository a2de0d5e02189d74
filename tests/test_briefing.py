"""The printed briefing: one A4 page whose Chinese text a reader renders and a machine extracts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from flask import g
from pypdf import PdfReader

from tracker.accounts.models import Setting
from tracker.core import fonts as fonts_module
from tracker.core.fonts import CID_FONT, choose_cjk_font
from tracker.dashboard import queries
from tracker.dashboard.briefing import render
from tracker.dashboard.cli import briefing
from tracker.dashboard.scope import Scope
from tracker.portfolio.filters import PortfolioFilter
from tracker.progress.models import Milestone
from tracker.vocabulary import Stage

from . import factories
from .conftest import login_as

WQY_ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
NOTO_OTF = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
A4_POINTS = (595.27, 841.89)


def one_page_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9)
    return reader.pages[0].extract_text()


def test_longnan_briefing_is_one_a4_page_in_chinese(client, seeded):
    response = client.get("/dashboard/briefing.pdf?region=360783")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = one_page_text(response.data)
    for words in ("龙南市", "卫生健康建设项目简报", "总投资", "145,735", "分地区", "滞后项目", "日期"):
        assert words in text, words


def test_the_cli_writes_the_same_briefing(app, seeded, db, tmp_path):
    output = tmp_path / "longnan.pdf"
    result = app.test_cli_runner().invoke(briefing, ["--region", "360783", "--year", "2025",
                                                     "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = one_page_text(output.read_bytes())
    assert "145,735" in text and "2025年" in text


def test_the_cli_refuses_an_unknown_region(app, db, tmp_path):
    result = app.test_cli_runner().invoke(briefing, ["--region", "123456",
                                                     "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "123456" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_without_a_truetype_font_the_builtin_cid_font_is_used(tmp_path):
    missing = str(tmp_path / "no-such-font.ttc")
    choice = choose_cjk_font(missing, candidates=())
    assert choice.name == CID_FONT and not choice.embedded
    assert any("no-such-font" in problem for problem in choice.problems)


def test_a_font_reportlab_cannot_read_is_skipped_for_the_next(tmp_path):
    junk = tmp_path / "broken.ttf"
    junk.write_bytes(b"not a font at all")
    choice = choose_cjk_font(str(junk), candidates=(str(tmp_path / "absent.ttf"),))
    assert choice.name == CID_FONT
    assert len(choice.problems) == 1 and "broken.ttf" in choice.problems[0]


@pytest.mark.skipif(not NOTO_OTF.exists(), reason="no Noto CJK (CFF) font on this machine")
def test_an_opentype_cff_font_is_refused_not_crashed_on(tmp_path):
    choice = choose_cjk_font(str(NOTO_OTF), candidates=())
    assert choice.name == CID_FONT and choice.problems


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.exists(), reason="no DejaVu Sans on this machine")
def test_a_truetype_font_without_chinese_glyphs_is_skipped():
    choice = choose_cjk_font(str(DEJAVU), candidates=())
    assert choice.name == CID_FONT and "Chinese" in choice.problems[0]


@pytest.mark.skipif(not WQY_ZENHEI.exists(), reason="fonts-wqy-zenhei not installed")
def test_an_installed_truetype_cjk_font_is_embedded(db):
    choice = choose_cjk_font(None)
    assert choice.path == str(WQY_ZENHEI) and choice.embedded
    board = queries.build(Scope(PortfolioFilter(), 2025, dt.date(2025, 7, 2)))
    data = render(board, font=choice)
    assert b"FontFile2" in data  # the TrueType subset travels inside the PDF
    assert "项目总数" in one_page_text(data)


def test_text_in_the_builtin_cid_font_still_extracts(db):
    factories.project(name="疾控中心实验楼", total_investment=Decimal("1320"))
    board = queries.build(Scope(PortfolioFilter(), 2025, dt.date(2025, 7, 2)))
    text = one_page_text(render(board, font=choose_cjk_font(None, candidates=())))
    assert "总投资" in text and "1,320" in text


def late_projects_in_counties(counties: int, reason: str = "征地拆迁尚未完成，施工单位进场延后，" * 3):
    _, city, _county = factories.county_in_city()
    for index in range(counties):
        county = factories.region(f"3607{index + 20:02d}", f"第{index + 1}县", city)
        project = factories.project(county, name=f"第{index + 1}县人民医院整体迁建项目（一期、二期）",
                                    total_investment=Decimal(1000 + index))
        factories.db.session.add(Milestone(
            project_id=project.id, stage=Stage.TOPPING_OUT, planned_date=dt.date(2025, 1, 1),
            delay_reason=reason))
    factories.db.session.flush()
    return queries.build(Scope(PortfolioFilter(region="360700"), 2025, dt.date(2025, 7, 2)))


def lowest_text(data: bytes) -> float:
    """The height above the page's bottom edge of the lowest line of text, in points."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            found.append(tm[5] * cm[3] + cm[5])

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return min(found)


def test_a_short_list_is_printed_whole_without_another_n(db):
    board = late_projects_in_counties(6, reason="征地拆迁")
    text = one_page_text(render(board, font=choose_cjk_font(None, candidates=())))
    assert "另有" not in text
    for index in range(1, 7):
        assert f"第{index}县人民医院整体迁建项目" in text
    assert "6,015" in text  # the headline total covers all six


def test_the_briefing_fills_the_page_before_it_says_how_many_more(db):
    board = late_projects_in_counties(45, reason="征地拆迁")
    data = render(board, font=choose_cjk_font(None, candidates=()))
    text = one_page_text(data)
    lines = text.replace("\n", "")
    shown = sum(f"第{index}县人民医院整体迁建项目（一期、二期）（第{index}县）" in lines
                for index in range(1, 46))
    assert 5 <= shown < 45  # the late list runs on while the page has room …
    assert f"另有 {45 - shown} 项" in text  # … and counts the rest only where the page ends
    assert lowest_text(data) < 45 * 2.835  # the last line within 45 mm of the bottom edge
    assert "46,035" in text or "45,990" in text  # the headline total still covers all


def test_a_page_fitted_with_kept_line_breaks_is_the_page_made_afresh(db, monkeypatch):
    """While the lists are fitted the page is laid out a dozen times with the same rows: each row's
    paragraph is made once and keeps its line breaks per width (``briefing._Measured``). The PDF
    is byte for byte the one made with every paragraph new at every layout."""
    from reportlab import rl_config
    from reportlab.platypus import Paragraph

    from tracker.dashboard import briefing as module

    monkeypatch.setattr(rl_config, "invariant", 1)  # no time stamp or random id in the file
    board = late_projects_in_counties(45, reason="征地拆迁尚未完成，施工单位进场延后，")
    at = dt.datetime(2025, 7, 2, 9, 30, tzinfo=dt.timezone.utc)
    font = choose_cjk_font(None, candidates=())
    kept = render(board, font=font, generated_at=at)
    monkeypatch.setattr(module, "_p", lambda text, style: Paragraph(module.escape(text), style))
    assert render(board, font=font, generated_at=at) == kept
    assert "另有" in one_page_text(kept)  # the lists were cut: the page was fitted


def test_the_over_budget_projects_are_named_with_their_amounts(db):
    over = factories.project(name="龙南市人民医院综合楼", total_investment=Decimal("8000"))
    over.current_estimate = Decimal("9250.5")
    within = factories.project(name="龙南市疾控中心", total_investment=Decimal("3000"))
    within.current_estimate = Decimal("2900")
    db.session.flush()
    board = queries.build(Scope(PortfolioFilter(), 2025, dt.date(2025, 7, 2)))
    text = one_page_text(render(board, font=choose_cjk_font(None, candidates=())))
    assert "超概算项目（1 个）" in text
    assert "龙南市人民医院综合楼（龙南市）" in text and "龙南市疾控中心（" not in text
    assert "8,000" in text and "9,250.5" in text and "1,250.5" in text  # 批复, 现行概算, 超出


def test_a_viewer_from_whom_money_is_hidden_sees_the_names_without_amounts(app, db, make_user):
    over = factories.project(name="龙南市人民医院综合楼", total_investment=Decimal("8000"))
    over.current_estimate = Decimal("9250.5")
    db.session.merge(Setting(key="hide_money_from_viewers", value={"enabled": True}))
    db.session.commit()
    viewer = app.test_client()
    login_as(viewer, make_user("viewer", username="viewer-over-budget"))
    text = one_page_text(viewer.get("/dashboard/briefing.pdf").data)
    assert "龙南市人民医院综合楼" in text
    assert "9,250.5" not in text and "8,000" not in text
    assert "图例（个）" in text  # the map shades the count, not the investment
    g.pop("_login_user", None)


def test_the_time_printed_is_the_portfolios_local_time(db):
    factories.project(name="疾控中心实验楼")
    board = queries.build(Scope(PortfolioFilter(), 2026, dt.date(2026, 1, 2)))
    with time_machine.travel(dt.datetime(2026, 1, 1, 20, 30, tzinfo=dt.timezone.utc), tick=False):
        text = one_page_text(render(board, font=choose_cjk_font(None, candidates=())))
    assert "生成：2026-01-02 04:30（UTC+08:00）" in text  # Beijing, not the server's UTC


def test_the_briefing_carries_the_dashboards_map_with_its_legend(db):
    _, city, longnan = factories.county_in_city()
    dingnan = factories.region("360728", "定南县", city)
    factories.project(longnan, total_investment=Decimal("12000"))
    factories.project(dingnan, total_investment=Decimal("56000"))
    board = queries.build(Scope(PortfolioFilter(region="360700"), 2025, dt.date(2025, 7, 2)))
    data = render(board, font=choose_cjk_font(None, candidates=()))
    text = one_page_text(data)
    assert "各地区总投资" in text and "图例（万元）" in text
    assert "40,000–60,000" in text and "无项目" in text  # the page's five steps, the same key
    # The outlines are vector paths: filled in the legend's colours.
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()
    assert content.count(b" l\n") > 50 or content.count(b" l ") > 50


def test_viewers_briefing_has_no_money_when_hidden(app, db, make_user):
    factories.project(name="有预算的项目", total_investment=Decimal("4321"))
    db.session.merge(Setting(key="hide_money_from_viewers", value={"enabled": True}))
    db.session.commit()
    viewer = app.test_client()
    login_as(viewer, make_user("viewer", username="viewer-briefing"))
    text = one_page_text(viewer.get("/dashboard/briefing.pdf").data)
    assert "4,321" not in text and "项目总数" in text
    g.pop("_login_user", None)


def test_the_font_search_order_is_configured_then_known_files(monkeypatch, tmp_path):
    tried = []

    def fake_register(path):
        tried.append(path)
        raise OSError("unreadable")

    monkeypatch.setattr(fonts_module, "_register_truetype", fake_register)
    configured = tmp_path / "mine.ttf"
    configured.write_bytes(b"x")
    known = tmp_path / "known.ttc"
    known.write_bytes(b"x")
    choose_cjk_font(str(configured), candidates=(str(known),))
    assert tried == [str(configured), str(known)]
