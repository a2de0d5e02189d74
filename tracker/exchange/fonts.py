"""A font for Chinese in ReportLab PDFs. (The briefing has its own chooser; the lead merges them.)

In order: the TrueType file named by ``TRACKER_CJK_FONT``; a TrueType CJK font found on the
machine (WenQuanYi, AR PL, Droid, SimSun/SimHei); else ReportLab's built-in ``STSong-Light``, a CID
font every PDF reader can show (it is not embedded: the reader supplies the glyphs). A TrueType
font is embedded (subset), so the page prints the same everywhere. OpenType/CFF fonts such as
Noto CJK cannot be embedded by ReportLab and are skipped. A font that lacks Chinese glyphs is
skipped too: it would print empty boxes.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

ENV = "TRACKER_CJK_FONT"
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
]
CID_FONT = "STSong-Light"
PROBE = "中"  # a font without this glyph cannot print the list


@dataclass(frozen=True)
class ChosenFont:
    name: str  # the name to pass to setFont / ParagraphStyle
    source: str  # the file, or the CID font's name
    embedded: bool


def cjk_font() -> ChosenFont:
    """The font to print Chinese with, registered with ReportLab (chosen once per setting)."""
    return _choose(os.environ.get(ENV) or "", tuple(CANDIDATES))


@lru_cache(maxsize=8)
def _choose(configured: str, candidates: tuple[str, ...]) -> ChosenFont:
    if configured:
        chosen = _truetype(configured)
        if chosen:
            return chosen
        log.warning("%s=%s is not a usable TrueType CJK font; looking for another", ENV, configured)
    for path in candidates:
        if os.path.isfile(path):
            chosen = _truetype(path)
            if chosen:
                return chosen
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return ChosenFont(CID_FONT, CID_FONT, embedded=False)


def _truetype(path: str) -> ChosenFont | None:
    name = "TrackerCJK-" + os.path.basename(path).rsplit(".", 1)[0]
    if name in pdfmetrics.getRegisteredFontNames():
        return ChosenFont(name, path, embedded=True)
    try:
        font = TTFont(name, path, subfontIndex=0)
    except Exception as error:  # missing, not TrueType, CFF outlines, a broken file
        log.info("font %s skipped: %s", path, error)
        return None
    if ord(PROBE) not in font.face.charToGlyph:
        log.info("font %s skipped: it has no Chinese glyphs", path)
        return None
    pdfmetrics.registerFont(font)
    return ChosenFont(name, path, embedded=True)
