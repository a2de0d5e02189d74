"""Makes ``table-over-pages.pdf``: a plan's 重点项目表 as an office types it in Word and prints it to
PDF, with what a long table brings at each page break: the header row printed again (标题行重复)
and a row broken across the break (Word's default, 允许跨页断行), a name or a 床位 figure cut in two.
Above it, two paragraphs of 龙南市's plan (``PARAGRAPHS``) that the word processor wraps a line
early, carrying a character down with the punctuation that may not start a line ("…引进力" /
"度）；健康创新…").

The PDF is kept beside this file (CI has no word processor); to make it again, with LibreOffice:

    .venv/bin/python -m tests.documents.make_table_over_pages
    soffice --headless --convert-to pdf --outdir tests/documents /tmp/table-over-pages.docx
"""

from __future__ import annotations

import sys

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from .word import plan_document

COUNTIES = ["鄱阳县", "万年县", "婺源县", "余干县", "弋阳县", "横峰县", "铅山县", "玉山县", "德兴市", "广丰区"]
HEADER = ["序号", "项目名称", "建设地点", "建设内容及规模", "总投资（万元）", "建设年限"]
# Seed 002 (龙南市“十四五”区域卫生规划), lines 45 and 48, quoted exactly.
PARAGRAPHS = [
    "工程项目：健康人才强市工程（重点加强人才培养体系建设，加大高层次人次引进力度）；健康创新强市工程（重点推进一批大项目落地）；"
    "健康治理提升计划（重点深化治理体系改革，建立健全三医有效联动的机制）。",
    "工程项目：重大慢性病综合防控工程（综合防控体系建设，重点疾病筛查、信息服务等）、重点传染病防治计划（综合防控体系建设、疫苗接种等）。",
]
WIDTHS = [Cm(1.2), Cm(3.0), Cm(1.8), Cm(5.6), Cm(2.0), Cm(2.4)]


def rows() -> list[list[str]]:
    """The table's projects: every third with a long 建设内容 cell (tall enough to be cut)."""
    found = []
    for n in range(1, 25):
        scope = ("新建门诊楼1万平方米，" + "配套建设医技楼、住院楼、后勤保障用房及室外附属工程，" * (9 if n % 3 == 0 else 1)
                 + f"床位{100 + n}张")
        found.append([str(n), f"{COUNTIES[n % 10]}第{n}人民医院门诊楼建设项目", COUNTIES[n % 10], scope,
                      str(1000 + n), "2026-2028"])
    return found


def main(path: str) -> None:
    document = plan_document()
    document.add_paragraph("上饶市“十五五”卫生健康事业发展规划")
    document.add_paragraph("加强组织领导，落实投入保障，推进重点工程建设。" * 5)
    for paragraph in PARAGRAPHS:
        document.add_paragraph(paragraph)
    document.add_paragraph("专栏1 重点建设项目")
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    table.autofit = False
    for cell, words in zip(table.rows[0].cells, HEADER):
        cell.text = words
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for row in rows():
        for cell, words in zip(table.add_row().cells, row):
            cell.text = words
    for column, width in zip(table.columns, WIDTHS):
        column.width = width
        for cell in column.cells:
            cell.width = width
    document.add_paragraph("加强组织领导，强化要素保障。")
    document.save(path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/table-over-pages.docx")
