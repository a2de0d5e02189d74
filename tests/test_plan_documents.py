"""Reading plan documents into the numbered lines that are stored and cited."""

from __future__ import annotations

from pathlib import Path

import docx
import pypdf
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.plans.documents import DocumentProblem, read_lines

from .conftest import SHARED_SEEDS


def test_a_seed_text_reads_line_for_line_as_stored():
    path = SHARED_SEEDS / "002_6be73d2b01aff470.txt"
    lines = read_lines(path)
    stored = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert len(lines) == len(stored)
    # Line 189 is the first project of 表6, cited by the seed as line 189.
    assert lines[188] == "\t赣州市龙南市疾病预防控制中心实验楼建设项目"
    # The converter's bookmarks are not part of the plan's words.
    assert lines[1] == "一、发展现状"
    assert not any("[bookmark:" in line for line in lines)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_a_text_saved_by_chinese_windows_reads_too(tmp_path, encoding):
    path = tmp_path / "规划.txt"
    path.write_bytes("一、总体要求\r\n新建县人民医院。\r\n".encode(encoding))
    assert read_lines(path) == ["一、总体要求", "新建县人民医院。"]


def test_a_markdown_pipe_table_becomes_one_cell_per_line(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("# 重点项目\n\n| 序号 | 项目名称 | 总投资（亿元） |\n|---|:--|--:|\n"
                    "| 1 | 县人民医院迁建项目 | 3.5 |\n\n正文。\n", encoding="utf-8")
    assert read_lines(path) == [
        "# 重点项目", "",
        "\t序号", "\t项目名称", "\t总投资（亿元）", "",
        "\t1", "\t县人民医院迁建项目", "\t3.5", "",
        "", "正文。"]


def test_two_empty_cells_side_by_side_stay_two_cells(tmp_path):
    """A row whose 建设地点 and 建设规模 are both blank keeps its columns: the second empty cell was
    taken for a merged cell's repeat and dropped, and the total investment read as the scale (in a
    Markdown, Word or PDF table alike)."""
    path = tmp_path / "plan.md"
    path.write_text("| 项目名称 | 建设地点 | 建设规模 | 总投资（万元） |\n|---|---|---|---|\n"
                    "| 县人民医院迁建项目 |  |  | 35000 |\n", encoding="utf-8")
    assert read_lines(path) == ["\t项目名称", "\t建设地点", "\t建设规模", "\t总投资（万元）", "",
                                "\t县人民医院迁建项目", "\t", "\t", "\t35000"]
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for number, text in enumerate(["项目名称", "建设地点", "建设规模", "总投资（万元）", "县人民医院迁建项目", "", "", "35000"]):
        table.cell(number // 4, number % 4).text = text
    document.save(tmp_path / "plan.docx")
    assert read_lines(tmp_path / "plan.docx")[5:9] == ["\t县人民医院迁建项目", "\t", "\t", "\t35000"]


def test_a_word_document_keeps_paragraphs_and_tables_in_order(tmp_path):
    document = docx.Document()
    document.add_heading("一、重点项目", level=1)
    paragraph = document.add_paragraph("推进县中医院迁建。")
    paragraph.add_run().add_break()
    paragraph.add_run("力争2025年建成。")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "项目名称", "总投资\n（万元）"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "县妇幼保健院新院", "12,000"]):
        cell.text = text
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合计"
    merged.cell(0, 2).text = "12,000"
    document.add_paragraph("结束语")
    path = tmp_path / "plan.docx"
    document.save(path)

    assert read_lines(path) == [
        "一、重点项目", "推进县中医院迁建。", "力争2025年建成。",
        "\t序号", "\t项目名称", "\t总投资", "（万元）", "",
        "\t1", "\t县妇幼保健院新院", "\t12,000", "",
        "\t合计", "\t12,000", "",
        "结束语"]


def tracked(kind: str, text: str, number: int) -> str:
    """A run Word keeps as a tracked change (修订): inserted (w:ins), deleted (w:del), moved away
    (w:moveFrom) or moved here (w:moveTo)."""
    tag = "w:delText" if kind == "del" else "w:t"
    return (f'<w:{kind} xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="{number}" '
            f'w:author="规划科" w:date="2026-11-20T09:00:00Z"><w:r><{tag}>{text}</{tag}></w:r></w:{kind}>')


def test_a_word_draft_with_tracked_changes_reads_as_it_does_with_them_accepted(tmp_path):
    """A 修改稿 keeps its revisions tracked: the words inserted since (w:ins, w:moveTo) are the
    plan's, the ones deleted (w:del) or moved away (w:moveFrom) are not, in the text, a table cell
    and a field's shown result alike. python-docx reads only the runs right under a paragraph: an
    inserted project name was lost ("推进，总投资12000万元。"), a deleted one kept in none."""
    from docx.oxml import parse_xml

    from tracker.plans.extraction import extract

    document = docx.Document()
    paragraph = document.add_paragraph("推进")
    paragraph._p.append(parse_xml(tracked("ins", "县人民医院迁建项目", 1)))
    paragraph._p.append(parse_xml(tracked("del", "县中医院改扩建项目", 2)))
    paragraph.add_run("，总投资12000万元。")
    moved = document.add_paragraph("加快")
    moved._p.append(parse_xml(tracked("moveFrom", "县疾控中心实验楼", 3)))
    moved._p.append(parse_xml(tracked("moveTo", "县妇幼保健院新院", 4)))
    moved.add_run("建设。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "项目名称"
    table.cell(0, 1).paragraphs[0]._p.append(parse_xml(tracked("ins", "总投资（万元）", 5)))
    path = tmp_path / "draft.docx"
    document.save(path)

    lines = read_lines(path)
    assert lines == ["推进县人民医院迁建项目，总投资12000万元。", "加快县妇幼保健院新院建设。",
                     "\t项目名称", "\t总投资（万元）"]
    assert [project["name"] for project in extract(lines, "t")["projects"]][:1] == ["县人民医院迁建项目"]


def test_a_paragraph_indented_with_the_tab_key_is_no_table_cell(tmp_path):
    """An office indents a paragraph with the Tab key as often as with spaces: its line must not
    start with the tab that marks a table's cell in the stored text (it read as a table of one
    cell); a tab inside the line stays."""
    document = docx.Document()
    document.add_paragraph("\t\t推进县人民医院迁建项目。")
    document.add_paragraph("项目\t总投资")
    path = tmp_path / "plan.docx"
    document.save(path)
    assert read_lines(path) == ["推进县人民医院迁建项目。", "项目\t总投资"]


def without_character_maps(source, target) -> None:
    """``source`` with its fonts' character maps (ToUnicode) taken out, as some 公文 systems write a
    PDF: the glyphs print, but nothing says which character each is."""
    reader, writer = pypdf.PdfReader(source), pypdf.PdfWriter()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font.get_object().pop("/ToUnicode", None)
        writer.add_page(page)
    writer.write(target)


def test_a_pdf_whose_fonts_say_no_characters_is_refused_not_stored_as_codes(tmp_path):
    """A PDF whose fonts carry no character map reads as glyph numbers, "(cid:1)(cid:2)…": stored,
    it was a plan of such lines and no project. It is refused with the reason, as a scan is."""
    printed, stripped = tmp_path / "plan.pdf", tmp_path / "stripped.pdf"
    print_plan(printed, ["推进鄱阳县人民医院传染病区建设，总投资21000万元。"] * 3,
               [["项目名称", "总投资（万元）"], ["鄱阳县人民医院传染病区建设项目", "21000"]])
    without_character_maps(printed, stripped)
    with pytest.raises(DocumentProblem) as refused:
        read_lines(stripped)
    assert refused.value.code == "pdf_no_character_map"
    assert "Word" in str(refused.value)
    # A code this server does not know (a reading process of a newer release) is a failed reading.
    assert str(DocumentProblem("from_a_newer_release")) == str(DocumentProblem("reader_failed"))


def test_a_pdf_that_asks_for_a_password_to_open_is_refused_saying_so(tmp_path):
    """A PDF locked with an opening password (打开密码) is refused saying that, not "damaged or
    encrypted"; one that only restricts copying and printing (an owner password, as many a
    government PDF has) is read."""
    printed, locked, restricted = tmp_path / "plan.pdf", tmp_path / "locked.pdf", tmp_path / "restricted.pdf"
    print_plan(printed, ["推进鄱阳县人民医院传染病区建设，总投资21000万元。"], [["项目名称", "总投资（万元）"]])
    for path, user_password in ((locked, "open-sesame"), (restricted, "")):
        writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(printed))
        writer.encrypt(user_password=user_password, owner_password="owner", permissions_flag=-3904, algorithm="AES-128")
        writer.write(path)
    with pytest.raises(DocumentProblem) as refused:
        read_lines(locked)
    assert refused.value.code == "pdf_password" and "密码" in str(refused.value)
    assert read_lines(restricted)[0] == "推进鄱阳县人民医院传染病区建设，总投资21000万元。"


def test_a_few_glyphs_without_a_character_among_real_text_show_as_the_missing_character_sign():
    """One symbol from a font without a character map (a "≥" set in another font) is one "□" in
    the stored text, not "(cid:12)", and the plan is read."""
    from tracker.plans.documents import _mapped

    lines = ["每千人口床位数(cid:12)7.4张，推进县人民医院迁建项目。", "\t(cid:7)", ""]
    assert _mapped(lines) == ["每千人口床位数□7.4张，推进县人民医院迁建项目。", "\t□", ""]
    with pytest.raises(DocumentProblem):
        _mapped(["(cid:1)(cid:2)(cid:3)21000(cid:4)"])


W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def numbered_list(document, levels: list[tuple[str, str, str]], abstract_id: int = 90, num_id: int = 90) -> int:
    """A list definition (编号) added to ``document``: each level's number format, text and what
    follows the number ("tab", "space", "nothing"); returns its numId for ``numbered``."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    lvls = "".join(f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:suff w:val="{suffix}"/>'
                   f'<w:lvlText w:val="{text}"/></w:lvl>' for level, (fmt, text, suffix) in enumerate(levels))
    numbering.insert(0, parse_xml(f'<w:abstractNum xmlns:w="{W_MAIN}" w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num xmlns:w="{W_MAIN}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def numbered(paragraph, num_id: int, level: int) -> None:
    from docx.oxml import parse_xml

    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W_MAIN}"><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def test_a_word_files_automatic_numbers_are_in_its_text(tmp_path):
    """Word numbers a list or a heading itself (自动编号): the number is shown, not typed, and
    python-docx gives the paragraph without it ("发展基础" for "一、发展基础"). The stored text holds
    it as Word shows it: Chinese counting, bracketed, decimal, a sub-list starting again under each
    heading, a list numbered through its style (Word's List Number), a bullet without a number."""
    document = docx.Document()
    plan = numbered_list(document, [("chineseCounting", "%1、", "nothing"), ("chineseCounting", "（%2）", "nothing"),
                                    ("decimal", "%3.", "tab")])
    for text, level in [("发展基础", 0), ("现状", 1), ("推进县人民医院迁建。", 2), ("建设县妇幼保健院新院。", 2),
                        ("形势", 1), ("加快县疾控中心实验室建设。", 2), ("主要任务", 0), ("完善服务体系", 1)]:
        numbered(document.add_paragraph(text), plan, level)
    document.add_paragraph("附：项目表")
    document.add_paragraph("第一项", style="List Number")
    document.add_paragraph("", style="List Number")  # empty, and counted: Word shows "2."
    document.add_paragraph("第三项", style="List Number")
    document.add_paragraph("要点", style="List Bullet")
    path = tmp_path / "plan.docx"
    document.save(path)

    assert read_lines(path) == ["一、发展基础", "（一）现状", "1. 推进县人民医院迁建。", "2. 建设县妇幼保健院新院。",
                                "（二）形势", "1. 加快县疾控中心实验室建设。", "二、主要任务", "（一）完善服务体系",
                                "附：项目表", "1. 第一项", "", "3. 第三项", "要点"]


def test_a_list_numbered_from_an_absurd_start_is_read_in_digits(tmp_path):
    """A hostile file's list that starts at ten to the eighteenth in letters or roman numerals is
    numbered in digits, not spelled out (4 × 10¹⁶ letters, a roman loop of 10¹⁵ steps); a level
    that is no number leaves its paragraph unnumbered (the reading failed on it)."""
    from tracker.plans.word_numbers import FORMATS

    for fmt in ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "chineseCounting", "ideographDigital"):
        assert FORMATS[fmt](10**18) in (str(10**18), "一〇〇〇〇〇〇〇〇〇〇〇〇〇〇〇〇〇〇")
    assert (FORMATS["lowerLetter"](28), FORMATS["upperRoman"](14), FORMATS["chineseCounting"](105)) == ("bb", "XIV", "一百零五")
    # A level that is no number, a start that is none: the paragraph is read without its number.
    document = docx.Document()
    broken = numbered_list(document, [("decimal", "%1.", "tab")])
    numbering = document.part.numbering_part.element
    numbering[0][0].set(f"{{{W_MAIN}}}ilvl", "x")
    numbered(document.add_paragraph("推进县人民医院迁建。"), broken, 0)
    document.save(tmp_path / "broken.docx")
    assert read_lines(tmp_path / "broken.docx") == ["推进县人民医院迁建。"]


TEXT_BOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
    '<wps:wsp><wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent></wps:txbx></wps:wsp>'
    '</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
    '<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{paragraphs}</w:txbxContent></v:textbox>'
    '</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def test_a_box_drawn_as_a_word_text_box_is_read_once_where_it_stands(tmp_path):
    from docx.oxml import parse_xml

    from tracker.plans.extraction import extract

    document = docx.Document()
    anchor = document.add_paragraph("四、重点任务")
    paragraphs = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
                         for text in ("专栏1 重点工程", "（一）县人民医院迁建项目。总投资2亿元。"))
    anchor._p.append(parse_xml(TEXT_BOX.format(paragraphs=paragraphs)))
    document.add_paragraph("五、保障措施")
    path = tmp_path / "plan.docx"
    document.save(path)
    lines = read_lines(path)
    assert lines == ["四、重点任务", "专栏1 重点工程", "（一）县人民医院迁建项目。总投资2亿元。", "五、保障措施"]
    projects = extract(lines, "county-15th")["projects"]
    assert [(project["name"], project["total_investment_wan_yuan"]) for project in projects] == \
        [("县人民医院迁建项目", "20000")]


def test_a_pdf_with_a_text_layer_reads_its_chinese_lines(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tracker.core.fonts import cjk_font

    path = tmp_path / "plan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    font = cjk_font().name
    printed = ["阳江市“十五五”卫生健康规划", "新建阳东区人民医院住院大楼，总投资3.2亿元。",
               "建筑面积约4.5万平方米，新增床位500张。"]
    for number, text in enumerate(printed):
        pdf.setFont(font, 12)
        pdf.drawString(72, 760 - 24 * number, text)
    pdf.save()
    assert read_lines(path) == printed


def test_a_scanned_pdf_without_text_is_refused_with_a_reason(tmp_path):
    from reportlab.pdfgen import canvas
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(10, 10, 100, 100)
    pdf.save()
    with pytest.raises(DocumentProblem, match="扫描件"):
        read_lines(path)


@pytest.mark.parametrize("name, data, message", [
    ("plan.doc", b"\xd0\xcf\x11\xe0", "另存为”.docx"),  # an old Word file: how to make it readable
    ("plan.wps", b"\xd0\xcf\x11\xe0", "另存为”.docx"),
    ("plan.exe", b"MZ", "不支持的文件格式"),
    ("plan.txt", b"  \n", "空的"),
    ("plan.docx", b"not a zip at all", "无法读取这个 Word 文件"),
    ("plan.pdf", b"%PDF-1.4 broken", "无法读取这个 PDF"),
])
def test_an_unreadable_file_gets_a_clear_chinese_reason(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentProblem, match=message):
        read_lines(path)


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the five plan documents are not here")
def test_a_plan_printed_to_pdf_reads_back_paragraph_by_paragraph_with_its_projects(tmp_path):
    """The measure of PDF support: Yichun's plan typeset by ReportLab (A4, wrapped paragraphs), read
    back with pypdf. Wrapped lines are joined again; the extractor finds the same projects."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from tracker.core.fonts import cjk_font
    from tracker.plans.extraction import extract

    source = read_lines(SHARED_SEEDS / "000_dfb8ccd5e9df308d.txt")
    paragraphs = [line.strip() for line in source if line.strip()]
    style = ParagraphStyle("plan", fontName=cjk_font().name, fontSize=10.5, leading=15, wordWrap="CJK")
    path = tmp_path / "yichun.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(escape(text), style) for text in paragraphs])

    lines = read_lines(path)
    read_back = {line.strip() for line in lines}
    identical = sum(1 for text in paragraphs if text in read_back)
    print(f"\n{identical} of {len(paragraphs)} paragraphs read back identical; ", end="")
    assert identical / len(paragraphs) >= 0.85, f"{identical} of {len(paragraphs)} paragraphs"
    from_text = {project["name"] for project in extract(source, "yichun")["projects"]}
    from_pdf = {project["name"] for project in extract(lines, "yichun")["projects"]}
    seeded = [name for name in ("宜春市疾病预防控制中心易地新建", "宜春市妇幼保健院二期建设项目",
                                "市中医院改扩建工程项目", "宜春市公共卫生应急指挥中心", "热敏灸小镇")
              if any(name in found or found in name for found in from_pdf)]
    assert len(seeded) == 5
    print(f"{len(from_text & from_pdf)} of {len(from_text)} candidates of the text found in the PDF")
    assert len(from_text & from_pdf) / len(from_text) >= 0.9


@pytest.mark.parametrize("footer", ["宜春市卫生健康委员会办公室　2021年12月印发", "宜春市“十四五”卫生健康发展规划　第 {page} 页"])
def test_a_running_footer_is_a_line_of_its_own_past_which_a_paragraph_goes_on(tmp_path, footer):
    """What an office prints at the foot of each page (页脚: the issuing office, the plan's title,
    with the page's number or without) is passed over as a page number is: a paragraph a page
    break cuts reads back whole, the footer a line of its own on each page. It was the end of
    the paragraph cut (its rest a paragraph of its own), or glued to it."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from tracker.core.fonts import cjk_font

    source = read_lines(SHARED_SEEDS / "000_dfb8ccd5e9df308d.txt")
    paragraphs = [line.strip() for line in source if line.strip()][:80]
    style = ParagraphStyle("plan", fontName=cjk_font().name, fontSize=10.5, leading=15, wordWrap="CJK")

    def printed(path, foot: str | None) -> list[str]:
        def draw(canvas, document):
            if foot:
                canvas.setFont(cjk_font().name, 9)
                canvas.drawString(72, 40, foot.format(page=document.page))
        SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(escape(text), style) for text in paragraphs],
                                                        onFirstPage=draw, onLaterPages=draw)
        return read_lines(path)

    plain = printed(tmp_path / "plain.pdf", None)
    lines = printed(tmp_path / "footed.pdf", footer)
    pages = len(pypdf.PdfReader(tmp_path / "footed.pdf").pages)
    assert pages >= 4
    printed_footers = ["".join(footer.format(page=page).split()) for page in range(1, pages + 1)]
    footers = [line for line in lines if "".join(line.split()) in printed_footers]
    assert ["".join(line.split()) for line in footers] == printed_footers
    assert [line for line in lines if line not in footers] == plain
    assert sum(text in plain for text in paragraphs) >= 0.9 * len(paragraphs)


PROJECT_TABLE_HEADER = ["序号", "项目名称", "建设地点", "建设内容及规模", "总投资（万元）", "建设年限"]


def print_plan(path, paragraphs: list[str], rows: list[list[str]], widths=None, page_number: bool | str = False,
               spans: tuple = ()) -> None:
    """A plan as an office prints it to PDF: its paragraphs, then ``rows`` as a ruled table (each cell
    wraps at its width; ``spans``: each the first and last (column, row) of cells merged into one), and
    with ``page_number`` each page's number at its foot ("— 2 —"), or at its top with "top")."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from tracker.core.fonts import cjk_font

    style = ParagraphStyle("plan", fontName=cjk_font().name, fontSize=10, leading=14, wordWrap="CJK")

    def numbered(canvas, document):
        canvas.setFont(cjk_font().name, 9)
        canvas.drawString(280, 810 if page_number == "top" else 30, f"— {document.page} —")

    pages = {"onFirstPage": numbered, "onLaterPages": numbered} if page_number else {}
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph(text, style) for text in paragraphs]
        + [Table([[Paragraph(text, style) for text in row] for row in rows], colWidths=widths,
                 style=[("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
                 + [("SPAN", *span) for span in spans])], **pages)


def test_a_pdfs_project_table_reads_as_a_table_with_its_figures(tmp_path):
    """A 重点项目表 printed in a PDF (ruled, as a plan's tables are; a long cell, a name and a year
    wrapped over two printed lines):
    read as the table it is, as a Word table is, so each row is a candidate with its place, its
    total investment and its years. pypdf's plain text gives one cell a line with nothing to say
    where a row ends: the candidates lost every figure of the table."""
    from tracker.plans.extraction import extract

    rows = [PROJECT_TABLE_HEADER,
            ["1", "鄱阳县人民医院传染病区建设项目", "鄱阳县", "新建传染病楼1.8万平方米，床位200张", "21000", "2026-2027"],
            ["2", "万年县妇幼保健院迁建项目", "万年县", "迁建门诊综合楼", "15000", "2027-2029"]]
    path = tmp_path / "plan.pdf"
    print_plan(path, ["上饶市“十五五”卫生健康事业发展规划", "加强组织领导，落实投入保障，推进项目建设。" * 4,
                      "专栏1 重点建设项目"], rows, widths=[30, 150, 50, 150, 60, 60])

    lines = read_lines(path)
    assert "\t鄱阳县人民医院传染病区建设项目" in lines and "\t21000" in lines, lines
    assert "专栏1 重点建设项目" in lines and "加强组织领导，落实投入保障，推进项目建设。" * 4 in lines
    found = {project["name"]: project for project in extract(lines, "shangrao-15th")["projects"]}
    poyang, wannian = found["鄱阳县人民医院传染病区建设项目"], found["万年县妇幼保健院迁建项目"]
    assert (poyang["total_investment_wan_yuan"], poyang["start_year"], poyang["end_year"]) == ("21000", 2026, 2027)
    assert (poyang["floor_area_m2"], poyang["beds"]) == ("18000", 200)
    assert (wannian["total_investment_wan_yuan"], wannian["start_year"], wannian["end_year"]) == ("15000", 2027, 2029)
    assert poyang["location"] == "鄱阳县"


def test_a_pdf_table_running_over_pages_under_a_page_number_keeps_every_row(tmp_path):
    """A long 重点项目表 runs over three pages, each page with its number printed at the foot: the
    rows before and after each break are rows too (the number once read as a cell joined the
    last row of a page and the first of the next into one that was none)."""
    from tracker.plans.extraction import extract

    counties = ["鄱阳县", "万年县", "婺源县", "余干县", "弋阳县", "横峰县", "铅山县", "玉山县", "德兴市", "广丰区"]
    rows = [PROJECT_TABLE_HEADER]
    rows += [[str(n), f"{counties[n % 10]}第{n}人民医院门诊楼建设项目", counties[n % 10], "新建门诊楼1万平方米",
              str(1000 + n), "2026-2028"] for n in range(1, 41)]
    path = tmp_path / "plan.pdf"
    print_plan(path, ["专栏1 重点建设项目"], rows, widths=[30, 150, 50, 150, 60, 60], page_number=True)

    lines = read_lines(path)
    assert "— 2 —" in lines  # three pages at least
    found = {project["name"]: project["total_investment_wan_yuan"] for project in extract(lines, "t")["projects"]}
    assert found == {row[1]: row[4] for row in rows[1:]}


@pytest.fixture(scope="module")
def printed_plan(tmp_path_factory) -> bytes:
    """A small plan PDF with a paragraph and a ruled table: the file the damaged ones are made from."""
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    print_plan(path, ["推进鄱阳县人民医院传染病区建设。"], [["项目名称", "总投资（万元）"], ["鄱阳县人民医院传染病区建设项目", "21000"]])
    return path.read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.none() | st.floats(min_value=0, max_value=1),
       flips=st.lists(st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255)), max_size=8))
@example(cut=0.5, flips=[])  # half a download
@example(cut=None, flips=[(0.0, 0)])  # no "%PDF" at the start
def test_a_damaged_pdf_is_read_or_refused_with_a_reason(printed_plan, tmp_path, cut, flips):
    """A PDF cut short or with bytes changed (a broken download, a hostile upload): its lines, or the
    Chinese reason it cannot be read, never another error (pdfminer raises many kinds), and the
    file closed either way (pdfplumber left a broken one open: a ResourceWarning, which fails a
    test here, and a descriptor held by the server until the garbage collector came by)."""
    data = bytearray(printed_plan if cut is None else printed_plan[:int(cut * len(printed_plan))])
    for place, value in flips:
        if data:
            data[int(place * len(data))] = value
    path = tmp_path / "plan.pdf"
    path.write_bytes(bytes(data))
    try:
        lines = read_lines(path)
    except DocumentProblem:
        return
    assert all(isinstance(line, str) for line in lines)


def test_a_pdf_cell_merged_down_over_rows_belongs_to_each_row_as_in_word(tmp_path):
    """A 建设地点 printed once for a county's projects (one cell merged over their rows) is each
    project's place, as a Word table's merged cell is (python-docx repeats it): the second
    project had no place, so no region."""
    from tracker.plans.extraction import extract

    rows = [["序号", "项目名称", "建设地点", "总投资（万元）"],
            ["1", "余江区人民医院传染病区建设项目", "余江区", "21000"],
            ["2", "余江区中医院门诊楼建设项目", "", "15000"],
            ["3", "贵溪市妇幼保健院迁建项目", "贵溪市", "9000"]]
    path = tmp_path / "plan.pdf"
    print_plan(path, ["专栏1 重点建设项目"], rows, spans=[((2, 1), (2, 2))])
    found = {project["name"]: project for project in extract(read_lines(path), "t")["projects"]}
    assert [found[row[1]]["location"] for row in rows[1:]] == ["余江区", "余江区", "贵溪市"]
    assert [found[row[1]]["total_investment_wan_yuan"] for row in rows[1:]] == ["21000", "15000", "9000"]


def test_a_header_of_two_rows_or_repeated_on_each_page_is_no_project(tmp_path):
    """A 投资 heading over 总投资 and “十五五”投资 makes the header two rows, 序号 and 项目名称 merged
    down through both; a long table prints its header again on each page. Neither second header
    is a project named 项目名称."""
    from tracker.plans.extraction import extract

    rows = [["序号", "项目名称", "投资（万元）", "", "建设年限"],
            ["", "", "总投资", "“十五五”投资", ""],
            ["1", "余江区人民医院传染病区建设项目", "21000", "15000", "2026-2028"],
            ["2", "贵溪市妇幼保健院迁建项目", "9000", "9000", "2027-2029"],
            ["序号", "项目名称", "总投资", "“十五五”投资", "建设年限"]]  # as page 2 prints it
    rows.append(["3", "月湖区社区卫生服务中心建设项目", "3000", "3000", "2026-2027"])
    path = tmp_path / "plan.pdf"
    print_plan(path, ["专栏1 重点建设项目"], rows,
               spans=[((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (3, 0)), ((4, 0), (4, 1))])
    found = {project["name"]: project["total_investment_wan_yuan"]
             for project in extract(read_lines(path), "t")["projects"]}
    assert found == {"余江区人民医院传染病区建设项目": "21000", "贵溪市妇幼保健院迁建项目": "9000",
                     "月湖区社区卫生服务中心建设项目": "3000"}


# ---- a file that would take the server's memory or minutes (issue 14: small requests must not
# take the server down) -------------------------------------------------------------------------

def word_bomb(path, megabytes: int) -> None:
    """A .docx of a few hundred kilobytes whose document.xml unpacks to ``megabytes`` MB of
    paragraphs: 342 KB for 100 MB, which python-docx read in 108 s holding 1.9 GB."""
    import io
    import zipfile

    document = docx.Document()
    document.add_paragraph("规划")
    saved = io.BytesIO()
    document.save(saved)
    source = zipfile.ZipFile(saved)
    paragraph = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                out.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>")
            with out.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(head + b"<w:body>")
                for _ in range(megabytes):
                    stream.write(paragraph * (1024 * 1024 // len(paragraph)))
                stream.write(tail)


def pdf_of(path, content: bytes, *, compressed: bytes | None = None) -> None:
    """A one-page PDF whose page draws ``content`` (or carries ``compressed``, a FlateDecode
    stream as it is: a stream can unpack to a thousand times its size)."""
    stream = compressed if compressed is not None else content
    flate = b" /Filter /FlateDecode" if compressed is not None else b""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
               b"<< /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(data)


def test_a_word_file_that_unpacks_far_beyond_a_plan_is_refused_unread(tmp_path):
    """Its package's directory says how large it unpacks: past the limit, python-docx never opens
    it (the limit is far above a plan's: the seeds' longest unpacks to ~1 MB)."""
    from tracker.plans import documents

    path = tmp_path / "规划.docx"
    word_bomb(path, 100)
    assert path.stat().st_size < 500_000
    with pytest.raises(DocumentProblem, match="解压后超过 64 MB"):
        read_lines(path)
    assert documents.WORD_MAX_UNZIPPED == 64 * 1024 * 1024


def test_an_old_word_file_renamed_docx_is_told_to_be_saved_as_docx(tmp_path):
    """A Word 97–2003 .doc renamed .docx (offices do) was "damaged, or not .docx": it is neither,
    and the officer is told what to do with it."""
    path = tmp_path / "规划.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "定南县卫生健康规划".encode("utf-16-le"))
    with pytest.raises(DocumentProblem, match="旧版 Word 文件（.doc，只是改了扩展名）：请在 Word 或 WPS 中“另存为” .docx"):
        read_lines(path)


def test_a_pdf_of_more_pages_than_a_plan_has_is_refused_with_its_count(tmp_path, monkeypatch):
    from tracker.plans import documents

    monkeypatch.setattr(documents, "PDF_MAX_PAGES", 2)
    path = tmp_path / "规划.pdf"
    print_plan(path, ["一、总体要求。" * 40] * 30, [["序号", "项目名称"], ["1", "县人民医院迁建项目"]])
    pages = len(pypdf.PdfReader(path).pages)
    assert pages > 2
    with pytest.raises(DocumentProblem, match=f"共 {pages} 页，超过 2 页"):
        read_lines(path)


def test_the_reader_reads_where_the_system_refuses_a_limit(tmp_path, monkeypatch, capsys):
    """macOS refuses RLIMIT_AS: the reading process says so and reads without it, rather than
    failing every upload on a developer's Mac."""
    import json
    import resource

    from tracker.plans import reader

    def refuse(limit, value):
        raise ValueError("not allowed to raise maximum limit")

    monkeypatch.setattr(resource, "setrlimit", refuse)
    path = tmp_path / "plan.md"
    path.write_text("一、总体要求\n新建县人民医院。\n", encoding="utf-8")
    assert reader.main(["60", str(1 << 30), str(path), "规划.md"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == {"lines": ["一、总体要求", "新建县人民医院。"]}
    assert "not set" in out.err


def test_a_paragraph_wraps_back_by_its_printed_width_not_its_count_of_characters(tmp_path):
    """A printed line runs on when it reaches the right margin. Counted in characters, a page's
    contents line of dots (77 characters on one printed line, where a line of Chinese holds 45)
    made every Chinese line on the page look short, and no paragraph on it was joined again: a
    project's name broken at the margin was two lines of the stored text."""
    paragraph = ("加快推进龙南市人民医院新院区建设项目，总投资约12000万元，新增床位500张，"
                 "2027年开工建设，2029年建成投入使用；同步建设龙南市中医院门诊综合楼。")
    path = tmp_path / "plan.pdf"
    print_plan(path, ["目录", "一、发展基础" + "." * 70 + "3", "二、重点任务" + "." * 120 + "12", "三、保障措施",
                      paragraph], [["序号", "项目名称"]])
    lines = read_lines(path)
    assert paragraph in lines, lines
    # A contents line whose dots and page number reach the margin ends there all the same.
    assert "三、保障措施" in lines and lines[lines.index("三、保障措施") - 1].endswith("12"), lines


def test_a_line_that_wrapped_before_a_number_runs_on_into_it(tmp_path):
    """No line breaks inside a number: a printed line that stopped short because the next line's
    first word, a number, would not fit after it is full all the same."""
    paragraph = "推进县人民医院迁建项目建设，完善县域医疗卫生服务体系建设，提升服务能力，计划总投资" + "120000000" + "元，2027年开工。"
    path = tmp_path / "plan.pdf"
    print_plan(path, ["二、重点任务", paragraph], [["序号", "项目名称"]])
    printed = read_lines(path)
    assert paragraph in printed, printed


def test_a_paragraph_a_page_break_cuts_reads_back_whole_before_the_pages_number(tmp_path):
    """A paragraph that runs from the foot of one page to the top of the next is one line of the
    stored text, its project's name whole; the page's number printed at the foot ("— 1 —") follows
    it as a line of its own, not glued to its last word (both were so before)."""
    paragraphs = ["二、重点任务", "完善县域医疗卫生服务体系，提升基层服务能力，" * 60 + "推进县人民医院迁建项目建设，"
                  + "完善县域医疗卫生服务体系，提升基层服务能力，" * 100 + "总投资约12000万元。"]
    path = tmp_path / "plan.pdf"
    print_plan(path, paragraphs, [["序号", "项目名称"]], page_number=True)
    assert len(pypdf.PdfReader(path).pages) == 2
    lines = read_lines(path)
    assert lines[:3] == [*paragraphs, "— 1 —"] and "— 2 —" in lines, lines
    # The number printed at the top of each page instead: the paragraph goes on past it.
    print_plan(path, paragraphs, [["序号", "项目名称"]], page_number="top")
    lines = read_lines(path)
    assert lines[:3] == ["— 1 —", *paragraphs] and "— 2 —" in lines, lines


DOCUMENTS = Path(__file__).parent / "documents"


def test_a_table_row_a_page_break_cuts_reads_back_whole_under_the_repeated_header():
    """A 重点项目表 typed in Word and printed to PDF (tests/documents/make_table_over_pages.py, by
    LibreOffice): at each page break the header row is printed again and the row the break falls
    in goes on at the top of the next page, each cell's last lines there. Each such row is one
    project with its whole name and scope: page by page, a name was cut into two projects
    ("婺源县第22人" and "民医院门诊楼建设项目") and a 床位 figure lost ("床位" / "109张"). The
    number printed at each page's foot is a line between the table's rows, in none of its cells
    (it ended the last cell of each page: "2026-2028— 1 —")."""
    from .documents.make_table_over_pages import HEADER, PARAGRAPHS, rows

    from tracker.plans.extraction import extract
    from tracker.plans.tables import find_tables

    lines = read_lines(DOCUMENTS / "table-over-pages.pdf")
    assert len(pypdf.PdfReader(DOCUMENTS / "table-over-pages.pdf").pages) > 3
    assert lines.count("\t" + HEADER[0]) == 1, "the header printed on each page is read once"
    [table] = find_tables(lines)  # one table of every row, the pages' numbers in none of its cells
    assert len(table.rows) == 1 + len(rows())
    assert not [cell.text for row in table.rows for cell in row if "—" in cell.text]
    found = {project["name"]: project for project in extract(lines, "t")["projects"]}
    expected = rows()
    # The table's projects, and the paragraphs' (whole names: no piece of a cut one).
    assert {row[1] for row in expected} <= set(found)
    assert all(name in "".join(PARAGRAPHS) for name in set(found) - {row[1] for row in expected}), sorted(found)
    for number, name, _place, scope, investment, _years in expected:
        project = found[name]
        assert (project["scope"], project["total_investment_wan_yuan"], project["beds"]) == (
            scope, investment, 100 + int(number)), name


def test_only_a_row_without_its_number_at_the_top_of_a_page_is_the_rest_of_a_cut_row():
    """The rest of a cut row is known by the empty first cell of a column every row fills (序号,
    项目名称). A first column of merged cells, a county printed once over its projects, is empty at
    the top of the next page too: that row is a project of its own."""
    from tracker.plans.documents import PdfPage, PdfTable, _carry_tables_over

    def two_pages(header: str, first_cell: str) -> tuple[list[list[str]], list[list[str]]]:
        pages = [PdfPage([PdfTable([[header, "项目名称", "总投资（万元）"], ["鄱阳县", "鄱阳县人民医院迁", "21000"]]),
                          ["— 1 —"]], False, 1),
                 PdfPage([PdfTable([[header, "项目名称", "总投资（万元）"], [first_cell, "建项目", ""],
                                    ["2", "万年县妇幼保健院迁建项目", "9000"]]), ["— 2 —"]], False, 1)]
        _carry_tables_over(pages)
        return pages[0].parts[0].rows, pages[1].parts[0].rows

    before, after = two_pages("序号", "")
    assert before[-1] == ["鄱阳县", "鄱阳县人民医院迁建项目", "21000"]
    assert after == [["2", "万年县妇幼保健院迁建项目", "9000"]]
    before, after = two_pages("县（市、区）", "")  # merged down: the next page's row is its own
    assert before[-1] == ["鄱阳县", "鄱阳县人民医院迁", "21000"]
    assert after[0] == ["", "建项目", ""]



def test_a_line_a_word_processor_ended_early_for_punctuation_runs_on():
    """Chinese typesetting starts no line with a closing bracket, quote, stop or comma (行首禁则): a
    word processor carries the character before it down with it, and a full line stops short of
    the margin by more than a character ("…加大高层次人次引进力" / "度）；健康创新…"). Two paragraphs
    of 龙南市's plan printed so by LibreOffice read back whole: each was two lines, and in the whole
    plan printed so, its 健康人才强市工程 and 重大慢性病综合防控工程 were no candidates."""
    from .documents.make_table_over_pages import PARAGRAPHS

    lines = read_lines(DOCUMENTS / "table-over-pages.pdf")
    assert [paragraph in lines for paragraph in PARAGRAPHS] == [True, True]


def test_a_page_that_indents_its_paragraphs_is_read_by_the_indent():
    """公文 starts each paragraph two characters in (首行缩进). Printed so by LibreOffice, a plan whose
    every line ends a sentence at the right margin (tests/documents/make_indented_paragraphs.py)
    reads back paragraph by paragraph: a line at the margin goes on with the paragraph above it, even
    after its stop, within a page and across a page break; a line two characters in starts one,
    even after a full line without a stop; a heading at the margin in a font of its own is a line
    of its own. Read by the width alone, nearly every printed line was a paragraph of its own (1 of
    its 25 paragraphs and heading whole) and a full line without a stop took the next paragraph
    into it."""
    from tracker.plans.documents import PAGE_NUMBER

    from .documents.make_indented_paragraphs import HEADING, PARAGRAPHS, RUNNING_HEADER

    path = DOCUMENTS / "indented-paragraphs.pdf"
    pages = len(pypdf.PdfReader(path).pages)
    assert pages > 1
    assert HEADING in PARAGRAPHS
    lines = read_lines(path)
    # The title printed at the top of each page (页眉) and the number at its foot are lines of their
    # own, past which a paragraph a page break cuts goes on (the title was glued to its end).
    assert lines.count(RUNNING_HEADER) == pages
    assert [line for line in lines if line != RUNNING_HEADER and not PAGE_NUMBER.fullmatch(line)] == PARAGRAPHS


def borderless_table_plan(path: Path) -> None:
    """A county's plan printed to PDF with its 重点项目表 set without rules (as a table whose borders
    an office took off prints): a heading over two lines ("总投资" / "（万元）"), a 建设内容
    wrapped in its column, a paragraph above and below."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from tracker.core.fonts import cjk_font

    text = ParagraphStyle("plan", fontName=cjk_font().name, fontSize=10.5, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=cjk_font().name, fontSize=9, leading=12, wordWrap="CJK")
    header = ["序号", "项目名称", "建设性质", "建设内容", "总投资<br/>（万元）", "建设年限"]
    rows = [["1", "定南县人民医院新院区建设项目", "新建", "规划床位800张，总建筑面积12万平方米，配套建设医技楼和后勤保障用房",
             "68000", "2026-2029"],
            ["2", "定南县中医院迁建项目", "迁建", "建筑面积5.6万平方米", "32000", "2026-2028"],
            ["3", "定南县妇幼保健院综合楼", "新建", "业务用房1.2万平方米", "15000", "2027-2029"]]
    table = Table([[Paragraph(words, cell) for words in row] for row in [header, *rows]],
                  colWidths=[30, 130, 50, 150, 50, 60])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))  # no GRID, no BOX: no rules
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph("定南县“十五五”卫生健康事业发展规划", text),
        Paragraph("到2030年，基本建成优质高效的整合型医疗卫生服务体系，推进以下重点项目建设。", text),
        table,
        Paragraph("各责任单位要加强组织领导，确保项目按期建成投用。", text)])


def test_a_table_printed_without_rules_is_read_as_its_cells(tmp_path):
    """A table without rules has no lines for ``find_tables`` to find: its rows were read as one
    wrapped paragraph ("…2026-20292 定南县中医院迁建项目…", a year and the next row's number run
    together) and the plan offered none of its projects. Its columns are the gaps its rows share
    under its heading: each row is read as cells, a heading or a cell wrapped in its column one cell."""
    from tracker.plans.extraction import extract

    path = tmp_path / "dingnan.pdf"
    borderless_table_plan(path)
    lines = read_lines(path)
    assert lines[:2] == ["定南县“十五五”卫生健康事业发展规划",
                         "到2030年，基本建成优质高效的整合型医疗卫生服务体系，推进以下重点项目建设。"]
    assert lines[-1] == "各责任单位要加强组织领导，确保项目按期建成投用。"
    assert "\t总投资（万元）" in lines and "\t规划床位800张，总建筑面积12万平方米，配套建设医技楼和后勤保障用房" in lines
    assert not any("2026-20292" in line for line in lines)
    found = {project["name"]: project for project in extract(lines, "dingnan")["projects"]}
    assert set(found) == {"定南县人民医院新院区建设项目", "定南县中医院迁建项目", "定南县妇幼保健院综合楼"}
    hospital = found["定南县人民医院新院区建设项目"]
    assert (hospital["total_investment_wan_yuan"], hospital["beds"], hospital["start_year"], hospital["end_year"]) == (
        "68000", 800, 2026, 2029)


@pytest.mark.parametrize("repeated", [True, False], ids=["heading repeated", "heading printed once"])
def test_a_table_without_rules_goes_on_over_the_page_break(tmp_path, repeated):
    """Forty projects set without rules run onto a second page, with their heading printed again
    (标题行重复) or not: every row is read as its cells, once, in one table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from tracker.core.fonts import cjk_font
    from tracker.plans.extraction import extract

    cell = ParagraphStyle("cell", fontName=cjk_font().name, fontSize=9, leading=12, wordWrap="CJK")
    header = ["序号", "项目名称", "建设内容", "总投资（万元）", "建设年限"]
    rows = [[str(n), f"定南县第{n}卫生院迁建项目", f"业务用房{n}00平方米", str(1000 + n), "2026-2028"] for n in range(1, 41)]
    table = Table([[Paragraph(words, cell) for words in row] for row in [header, *rows]],
                  colWidths=[30, 150, 130, 70, 60], repeatRows=1 if repeated else 0)
    path = tmp_path / "long.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    with __import__("pdfplumber").open(path) as pdf:
        assert len(pdf.pages) == 2
    lines = read_lines(path)
    assert [line for line in lines if line == "\t序号"] == ["\t序号"]
    assert not any(not line.startswith("\t") and line.strip() for line in lines), [l for l in lines if l.strip() and not l.startswith("\t")]
    found = {project["name"]: project for project in extract(lines, "long")["projects"]}
    assert set(found) == {f"定南县第{n}卫生院迁建项目" for n in range(1, 41)}
    assert found["定南县第40卫生院迁建项目"]["total_investment_wan_yuan"] == "1040"
