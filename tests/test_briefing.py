"""The printed briefing: one A4 page whose Chinese text a reader renders and a machine extracts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
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


def test_a_long_portfolio_still_fits_one_page_and_says_how_many_more(db):
    _, city, _county = factories.county_in_city()
    for index in range(15):
        county = factories.region(f"3607{index + 20:02d}", f"第{index + 1}县", city)
        project = factories.project(county, name=f"第{index + 1}县人民医院整体迁建项目（一期、二期）",
                                    total_investment=Decimal(1000 + index))
        factories.db.session.add(Milestone(
            project_id=project.id, stage=Stage.TOPPING_OUT, planned_date=dt.date(2025, 1, 1),
            delay_reason="征地拆迁尚未完成，施工单位进场延后，" * 3))
    factories.db.session.flush()
    board = queries.build(Scope(PortfolioFilter(region="360700"), 2025, dt.date(2025, 7, 2)))
    text = one_page_text(render(board, font=choose_cjk_font(None, candidates=())))
    assert text.count("另有 7 项") == 2  # regions and late projects: 8 shown of 15 each
    assert "15,105" in text  # the headline total still covers all fifteen


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
