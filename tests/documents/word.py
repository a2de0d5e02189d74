"""What the fixture scripts here share: a Word document set as an office sets a plan."""

from __future__ import annotations

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

FONT = "WenQuanYi Zen Hei"  # the CJK font the suite installs (fonts-wqy-zenhei)


def plan_document(size: int | None = None):
    """A new Word document in the CJK font (``size`` points), each page's number at its foot
    ("— 3 —", a PAGE field, as 公文 prints it)."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    if size:
        normal.font.size = Pt(size)
    normal._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = 1  # centred
    footer.add_run("— ")
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    run, number = OxmlElement("w:r"), OxmlElement("w:t")
    number.text = "1"
    run.append(number)
    page.append(run)
    footer._p.append(page)
    footer.add_run(" —")
    return document
