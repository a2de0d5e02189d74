"""The one font finder for Chinese in ReportLab PDFs: the list export (exports/pdf.py) and the
dashboard's printed briefing (dashboard/briefing.py) both print with what it chooses.

In order:

1. the font file named by ``TRACKER_CJK_FONT``;
2. a TrueType CJK font the server has (``CANDIDATES``: Debian's fonts-wqy-zenhei first, the one
   the README asks servers to install; then WenQuanYi Micro Hei, AR PL, Droid, Debian's
   fonts-noto-cjk, Windows' SimHei/SimSun);
3. else ReportLab's standard CJK font ``STSong-Light``, a CID font every PDF reader can show: it
   needs no file and its text extracts, but it is not embedded (the reader supplies its own Song
   face).

A TrueType font is embedded (subset), so the page prints the same everywhere. A file ReportLab
cannot use is skipped for the next, and the reason is kept (``FontChoice.problems``) and logged
once: OpenType/CFF fonts such as Noto Sans CJK ("postscript outlines are not supported" in
ReportLab's ttfonts.py), broken files, and fonts without simplified-Chinese glyphs (they would
print empty boxes).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

ENV = "TRACKER_CJK_FONT"
# Best first. Read at call time, so a test (or a deployment) may replace the list.
CANDIDATES = [
    # Debian/Ubuntu: fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming/-ukai/-gbsn00lp
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    # Debian/Ubuntu: fonts-noto-cjk. OpenType/CFF: ReportLab refuses them today; they are tried so
    # the log says why a server that has only these prints with STSong-Light.
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    # A Japanese Gothic (Debian's alternatives link): kept only when it has the simplified glyphs.
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
]
CID_FONT = "STSong-Light"  # ReportLab's standard simplified-Chinese CID font
# A font must have these to print our pages: 中 (any CJK font) and simplified forms a Japanese or
# traditional-only font lacks (龙南, 简报, 项目, 总投资).
PROBE = "中龙简项总资"


@dataclass(frozen=True)
class FontChoice:
    name: str  # the name registered with ReportLab: pass it to setFont / ParagraphStyle
    path: str | None  # the file embedded; None for the built-in CID font
    problems: tuple[str, ...] = ()  # the fonts tried and refused, with the reason

    @property
    def embedded(self) -> bool:
        return self.path is not None

    @property
    def source(self) -> str:
        """The file, or the CID font's name."""
        return self.path or self.name




def choose_cjk_font(configured: str | None = None,
                    candidates: tuple[str, ...] | list[str] | None = None) -> FontChoice:
    """The configured font file, else the first usable of ``candidates`` (default ``CANDIDATES``)
    the machine has, else the built-in STSong-Light. Registers the font with ReportLab."""
    if candidates is None:
        candidates = CANDIDATES
    problems = []
    for path in ((configured,) if configured else ()) + tuple(candidates):
        if not os.path.isfile(path):
            if path == configured:
                problems.append(f"{path}: no such file")
            continue
        try:
            name = _register_truetype(path)
        except Exception as error:  # ReportLab raises TTFError and others for fonts it cannot use
            problems.append(f"{path}: {error}")
            continue
        return FontChoice(name, path, tuple(problems))
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return FontChoice(CID_FONT, None, tuple(problems))


def cjk_font() -> FontChoice:
    """The font to print Chinese with: ``TRACKER_CJK_FONT``, else ``CANDIDATES``, else STSong-Light.

    Chosen once per setting and list (a server does not re-read font files on every PDF); the
    fonts refused are logged then.
    """
    return _cjk_font(os.environ.get(ENV) or "", tuple(CANDIDATES))


@lru_cache(maxsize=8)
def _cjk_font(configured: str, candidates: tuple[str, ...]) -> FontChoice:
    choice = choose_cjk_font(configured or None, candidates)
    for problem in choice.problems:
        log.warning("CJK font skipped: %s", problem)
    if configured and choice.path != configured:
        log.warning("%s=%s is not usable; printing with %s", ENV, configured, choice.source)
    return choice


@lru_cache(maxsize=None)
def _register_truetype(path: str) -> str:
    """Load and register a TrueType font (a .ttc: its first face); raise when it cannot print
    Chinese. Cached: a font is read once per process."""
    name = "TrackerCJK-" + hashlib.sha1(path.encode()).hexdigest()[:8]
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    font = TTFont(name, path, subfontIndex=0)
    missing = [char for char in PROBE if ord(char) not in font.face.charToGlyph]
    if missing:
        if len(missing) == len(PROBE):
            raise ValueError("the font has no Chinese glyphs: it would print empty boxes")
        raise ValueError(f"the font lacks simplified Chinese glyphs ({''.join(missing)}): "
                         "it would print empty boxes")
    pdfmetrics.registerFont(font)
    return name


def line_breaking() -> str | None:
    """How a PDF paragraph breaks its lines in the reader's language (``ParagraphStyle``'s
    ``wordWrap``):
    Chinese anywhere between characters (ReportLab's ``wordWrap="CJK"``), English at spaces. The
    CJK rule in English broke words and figures mid-way ("Planned investme/nt", "16,698./95");
    ReportLab's default breaks at spaces and splits only a run longer than the line, so a
    Chinese name in an English page still wraps."""
    from flask_babel import get_locale

    locale = get_locale()
    return "CJK" if locale is None or locale.language == "zh" else None
