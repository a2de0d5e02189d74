"""One CJK font finder (tracker/core/fonts.py) for both PDFs: the list export and the dashboard's
printed briefing. ``TRACKER_CJK_FONT`` first, then the fonts Debian installs, then ReportLab's
standard CJK font STSong-Light."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from tracker.dashboard import briefing, queries
from tracker.dashboard.scope import Scope
from tracker.core import fonts
from tracker.exports.pdf import write_pdf
from tracker.portfolio.filters import PortfolioFilter

WQY_ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs_wqy = pytest.mark.skipif(not Path(WQY_ZENHEI).is_file(), reason="fonts-wqy-zenhei not installed")


def both_pdfs() -> tuple[bytes, bytes]:
    """The briefing and the list export of Longnan, each printed with the font it chooses."""
    board = queries.build(Scope(PortfolioFilter(region="360783"), 2025, dt.date(2025, 7, 2)))
    listing = io.BytesIO()
    write_pdf(listing, PortfolioFilter(region="360783"))
    return briefing.render(board), listing.getvalue()


def text_of(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_without_a_font_file_both_pdfs_use_the_standard_cid_font(seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_CJK_FONT", str(tmp_path / "missing.ttf"))
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    choice = fonts.cjk_font()
    assert (choice.name, choice.embedded, choice.source) == ("STSong-Light", False, "STSong-Light")
    assert any("missing.ttf: no such file" in problem for problem in choice.problems)
    for data in both_pdfs():
        assert b"/STSong-Light" in data and b"/FontFile2" not in data
        assert "龙南" in text_of(data)


@needs_wqy
def test_the_configured_font_is_embedded_in_both_pdfs(seeded, monkeypatch):
    monkeypatch.setenv("TRACKER_CJK_FONT", WQY_ZENHEI)
    monkeypatch.setattr(fonts, "CANDIDATES", [])  # found through the setting alone
    assert fonts.cjk_font().path == WQY_ZENHEI
    for data in both_pdfs():
        assert b"/FontFile2" in data  # the TrueType subset travels inside the PDF
        assert "龙南" in text_of(data)


@needs_wqy
def test_an_unusable_configured_font_gives_way_to_the_installed_one(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "CANDIDATES", [WQY_ZENHEI])
    junk = tmp_path / "broken.ttf"
    junk.write_bytes(b"not a font at all")
    monkeypatch.setenv("TRACKER_CJK_FONT", str(junk))
    choice = fonts.cjk_font()
    assert choice.path == WQY_ZENHEI and "broken.ttf" in choice.problems[0]
    if Path(DEJAVU).is_file():  # a real TrueType font, but without Chinese glyphs
        monkeypatch.setenv("TRACKER_CJK_FONT", DEJAVU)
        choice = fonts.cjk_font()
        assert choice.path == WQY_ZENHEI and "no Chinese glyphs" in choice.problems[0]


def test_an_opentype_cff_font_like_noto_cjk_is_skipped_with_the_reason(tmp_path):
    """ReportLab reads TrueType outlines only: an 'OTTO' font (Debian's fonts-noto-cjk) is refused
    ("postscript outlines are not supported") and the search goes on."""
    noto = tmp_path / "NotoSansCJK-Regular.ttc"
    noto.write_bytes(b"OTTO" + bytes(64))
    choice = fonts.choose_cjk_font(None, candidates=(str(noto),))
    assert choice.name == "STSong-Light"
    assert "postscript outlines are not supported" in choice.problems[0]


def test_debians_font_packages_are_searched_wqy_first():
    assert fonts.CANDIDATES[0] == WQY_ZENHEI  # fonts-wqy-zenhei, which the set-up installs
    assert "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc" in fonts.CANDIDATES  # fonts-noto-cjk
