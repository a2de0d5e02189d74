"""Makes ``indented-paragraphs.pdf``: a plan's text as 公文 sets it, each paragraph's first line two
characters in (首行缩进), printed to PDF by LibreOffice. Every printed line of it ends at the right
margin, and most end a sentence there (``PARAGRAPHS``): only the indent tells a paragraph's first
line from the lines that go on, within a page and across a page break. Three paragraphs end with a
full line and no stop (a 专栏's list of projects), the next starting two characters in; a heading
(``HEADING``) stands at the margin in a font of its own under a full line that ends a sentence.
Each page has the plan's title printed at its top (页眉, ``RUNNING_HEADER``) and its number at
its foot.

The PDF is kept beside this file (CI has no word processor); to make it again, with LibreOffice:

    .venv/bin/python -m tests.documents.make_indented_paragraphs
    soffice --headless --convert-to pdf --outdir tests/documents /tmp/indented-paragraphs.docx
"""

from __future__ import annotations

import sys

from docx.oxml.ns import qn
from docx.shared import Pt

from .word import plan_document

SIZE = 11  # points, the font's; a line of the page holds 39 characters, an indented first line 37
WORDS = ("推进县域医疗卫生次中心建设提升乡镇卫生院服务能力完善村卫生室设施配置加强基层人才队伍建设"
         "健全分级诊疗制度强化公共卫生体系补齐重大疫情防控短板")


def sentence(length: int, start: int, stop: str = "。") -> str:
    """``length`` characters of plan-like words from ``start``, the last a stop."""
    text = (WORDS * 3)[start:start + length - 1]
    return text + stop


def paragraphs() -> list[str]:
    found = []
    for number in range(24):
        lines = [sentence(37, number)] + [sentence(39, number + line) for line in range(1, 3 + number % 3)]
        if number % 8 == 7:  # a full last line with no stop: the next paragraph is its own
            lines[-1] = sentence(39, number, stop="等")
        found.append("".join(lines))
    return found


HEADING = "二、主要任务"
RUNNING_HEADER = "某县“十五五”卫生健康事业发展规划"
PARAGRAPHS = paragraphs()
PARAGRAPHS.insert(12, HEADING)


def main(path: str) -> None:
    document = plan_document(SIZE)
    header = document.sections[0].header.paragraphs[0]
    header.text = RUNNING_HEADER
    header.alignment = 1  # centred
    for text in PARAGRAPHS:
        paragraph = document.add_paragraph(text)
        if text == HEADING:  # at the margin, in a font of its own (公文 sets a heading in 黑体)
            paragraph.runs[0].font.name = "WenQuanYi Zen Hei Sharp"
            paragraph.runs[0]._element.rPr.rFonts.set(qn("w:eastAsia"), "WenQuanYi Zen Hei Sharp")
        else:
            paragraph.paragraph_format.first_line_indent = Pt(2 * SIZE)
    document.save(path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/indented-paragraphs.docx")
