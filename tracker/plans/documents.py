"""Reading a plan document into the numbered lines the tracker stores and cites.

Line N of the list returned by :func:`read_lines` is line N of the stored text (``/plans/<key>/text#LN``)
and of every citation. The shape is the one of the five seed documents in ``shared/seeds/``:

- a paragraph is one line;
- a table cell starts a line with a tab (``"\\tcell"``); a cell's own line breaks continue on the
  following lines without a tab; a blank line follows each row. An extractor therefore reads a
  table the same way whether it came from Word, Markdown or a seed text.

Formats: ``.txt`` (UTF-8 with or without BOM, GB18030 as Chinese Windows saves it, UTF-16 with
BOM), ``.md`` (pipe tables become cells as above; other Markdown is kept as written), ``.docx``
(python-docx: paragraphs, text boxes and tables in document order, no bookmarks or field codes),
and ``.pdf`` (pdfplumber: the text layer, a paragraph wrapped at the margin joined into one line
again; a ruled table, which ``find_tables`` finds by its lines, read as cells as above, where it
stands on the page, and so is a table printed without rules, found by the gaps between its
columns under a heading that names them (``_unruled_tables``); a scanned PDF without a text layer
is refused).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from flask_babel import lazy_gettext as _l

from ..core.archives import unpacks_within
from .word_numbers import ListNumbers

if TYPE_CHECKING:  # python-docx is imported when a Word file is read, not with the application
    from docx.table import Table
    from docx.text.paragraph import Paragraph

FORMATS = (".txt", ".md", ".docx", ".pdf")

# Artefacts of Word-to-text converters: "[bookmark: _Toc123]", "[footnoteRef:0]".
_CONVERTER_MARKS = re.compile(r"\[(?:bookmark: [^\]]*|footnoteRef:\d+|footnote: [^\]]*)\]")
# The same converters put a footnote's text at the end of its paragraph, "[0:  text]": the words
# are the plan's, so they stay, as a note a reader recognises.
_FOOTNOTE_TEXT = re.compile(r"\s*\[\d+:\s+([^\[\]]+?)\s*\]\s*$")
_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


# What is wrong with a file, by code: the reading process sends the code and its values back
# (``reader``), and the message is made in the reader's language where it is shown.
PROBLEMS = {
    "old_format": _l("不支持“%(suffix)s”格式：请在 Word 或 WPS 中“另存为”.docx 后上传，或上传 PDF。"),
    "unknown_format": _l("不支持的文件格式“%(suffix)s”：请上传 .txt、.md、.docx 或 .pdf 文件。"),
    "empty": _l("文件是空的。"),
    "no_text": _l("文件中没有可读取的文字。"),
    "encoding": _l("无法识别文件的文字编码：请另存为 UTF-8 文本。"),
    "word_unreadable": _l("无法读取这个 Word 文件（.docx）：文件可能已损坏，或不是 .docx 格式。"),
    "word_97": _l("这是旧版 Word 文件（.doc，只是改了扩展名）：请在 Word 或 WPS 中“另存为” .docx 后再上传。"),
    "pdf_unreadable": _l("无法读取这个 PDF 文件：文件可能已损坏或已加密。"),
    "pdf_password": _l("这个 PDF 设有打开密码，无法读取：请上传没有打开密码的 PDF，或 Word、文本格式的规划文本。"),
    "pdf_scanned": _l("这个 PDF 没有文字层（可能是扫描件）：请上传 Word 或文本格式的规划文本。"),
    "pdf_no_character_map": _l("这个 PDF 的文字读不出来：它的字体没有说明每个字形是哪个字（读出的是字形编号），"
                               "请上传 Word 或文本格式的规划文本，或在原软件中重新导出 PDF。"),
    "unzipped_too_large": _l("这个文件解压后超过 %(limit)s MB，远超一份规划的篇幅，拒绝读取（可能是“压缩炸弹”）。请只上传规划正文。"),
    "too_many_pages": _l("这个 PDF 共 %(pages)s 页，超过 %(limit)s 页的上限：请只上传规划正文。"),
    "too_slow": _l("读取这个文件超过 %(seconds)s 秒仍未完成（其中的图形或表格过于复杂），已停止。请上传 Word 或文本格式的规划正文。"),
    "too_much_memory": _l("读取这个文件需要超过 %(limit)s MB 内存（其中的内容解压后过大），已停止。请上传 Word 或文本格式的规划正文。"),
    "reader_failed": _l("读取这个文件时出错，已停止。请上传 Word 或文本格式的规划正文。"),
}
# A Word file is a zip package: past this size unpacked it is refused before python-docx opens it
# (a 342 KB .docx that unpacked to 100 MB took python-docx 108 s and 1.9 GB). The seeds' longest
# plan unpacks to ~1 MB; a plan with many tables and pictures stays far below.
WORD_MAX_UNZIPPED = 64 * 1024 * 1024
WORD_MAX_ENTRIES = 2000
# A 十五五 plan runs to 30–150 pages; pdfplumber reads ~15 pages a second.
PDF_MAX_PAGES = 400


class DocumentProblem(ValueError):
    """A file that cannot be read as a plan document: ``code`` (a key of ``PROBLEMS``) and its
    values; ``str(self)`` says why, in the reader's language."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(code)

    @property
    def message(self) -> str:
        # A code this process does not know (a reading child of a newer release, mid-upgrade) is
        # said as a failed reading, not a server error.
        if self.code not in PROBLEMS:
            return str(PROBLEMS["reader_failed"])
        text = PROBLEMS[self.code]
        return text % self.params if self.params else str(text)

    def __str__(self) -> str:
        return self.message


def read_lines(path: Path | str, filename: str | None = None) -> list[str]:
    """The document's lines, exactly as they will be stored and cited (line N = ``lines[N-1]``).

    ``filename`` gives the format when ``path`` is a temporary file without the original name.
    """
    path = Path(path)
    suffix = Path(filename or path.name).suffix.lower()
    if suffix in (".doc", ".wps", ".rtf"):  # what offices save plans as: Word and WPS keep the .docx
        raise DocumentProblem("old_format", suffix=suffix)
    if suffix not in FORMATS:
        raise DocumentProblem("unknown_format", suffix=suffix or "-")
    data = path.read_bytes()
    if not data.strip():
        raise DocumentProblem("empty")
    if suffix == ".docx":
        lines = list(_docx_lines(path))
    elif suffix == ".pdf":
        lines = list(_pdf_lines(path))
    else:
        text = decode_text(data)
        lines = text.split("\n")
        if suffix == ".md":
            lines = list(_markdown_lines(lines))
        else:
            lines = list(_text_tables(lines))
    lines = [clean_line(line) for line in lines]
    while lines and not lines[-1].strip() and not lines[-1].startswith("\t"):
        lines.pop()  # trailing empty lines, but not a table's empty last cell
    if not any(line.strip() for line in lines):
        raise DocumentProblem("no_text")
    return lines


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode": UTF-16 with its BOM
        return data.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte sequence that reaches here
        raise DocumentProblem("encoding")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_line(line: str) -> str:
    """One stored (or shown) line: converter marks and invisible control characters removed, a
    footnote's text kept as a note, tabs kept (they mark table cells), the words untouched."""
    line = _FOOTNOTE_TEXT.sub(lambda match: f"（注：{match.group(1)}）", _CONVERTER_MARKS.sub("", line))
    return "".join(ch for ch in line
                   if ch == "\t" or not (unicodedata.category(ch) in {"Cc", "Cf"}
                                         and ch not in "\u200d"))


def table_rows_to_lines(rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """Cells one per line, each starting with a tab; a blank line after each row."""
    for row in rows:
        for cell in row:  # (a cell merged across columns comes once: ``_docx_rows``)
            text = str(cell).strip()
            first, *rest = text.split("\n") if text else [""]
            yield "\t" + first
            yield from rest
        yield ""


def _markdown_lines(lines: list[str]) -> Iterator[str]:
    index = 0
    while index < len(lines):
        if _MD_TABLE_ROW.match(lines[index]):
            rows = []
            while index < len(lines) and _MD_TABLE_ROW.match(lines[index]):
                if not _MD_SEPARATOR.match(lines[index]):
                    rows.append(_markdown_cells(lines[index]))
                index += 1
            yield from table_rows_to_lines(rows)
            continue
        yield lines[index]
        index += 1


# A row of a table in a text file: its cells between tabs (what Word's "另存为纯文本" writes), three
# cells or more, the first not empty (a line the tracker itself stores as a cell starts with a tab).
_TAB_ROW = re.compile(r"^[^\t]+(?:\t[^\t]*){2,}$")


def _text_tables(lines: list[str]) -> Iterator[str]:
    """A text file's tables as cells, as a Word or Markdown file's are: two rows or more in a row,
    each of one shape, cut at its tabs or at its pipes ("| 1 | 龙南市… | 26000 |", typed with or
    without Markdown's separator row). Before, their rows were read as prose: the projects only a
    table names, and its figures, were lost."""
    index = 0
    while index < len(lines):
        for shape, cells in ((_TAB_ROW, _tab_cells), (_MD_TABLE_ROW, _markdown_cells)):
            end = index
            while end < len(lines) and shape.match(lines[end]):
                end += 1
            rows = [cells(line) for line in lines[index:end] if not _MD_SEPARATOR.match(line)]
            if len(rows) >= 2 and len({len(row) for row in rows}) == 1 and len(rows[0]) >= 3:
                yield from table_rows_to_lines(rows)
                index = end
                break
        else:
            yield lines[index]
            index += 1


def _tab_cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.split("\t")]


def _markdown_cells(row: str) -> list[str]:
    row = row.strip()[1:-1]
    cells = re.split(r"(?<!\\)\|", row)
    return [re.sub(r"<br\s*/?>", "\n", cell.replace("\\|", "|")).strip() for cell in cells]


def _docx_lines(path: Path) -> Iterator[str]:
    _check_package(path)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
        document = docx.Document(str(path))
    except MemoryError:
        raise
    except Exception as error:  # python-docx raises several kinds for a damaged package
        if _out_of_memory(error):
            raise MemoryError from error
        raise DocumentProblem("word_unreadable") from error
    numbers = ListNumbers(document)  # Word's automatic numbers, counted in the document's order
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text, label = _shown_text(block._p), numbers.label(block._p)  # (an empty one is counted too)
            yield from (line.lstrip("\t") for line in _paragraph_text((label if text.strip() else "") + text.lstrip("\t")))
            yield from _text_boxes(block)
        elif isinstance(block, Table):
            yield from table_rows_to_lines(_docx_rows(block, numbers))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


# The first bytes of an OLE2 compound file: Word 97–2003's .doc (and old .xls), often renamed .docx.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_package(path: Path) -> None:
    """A Word file's zip directory, read before anything is unpacked: how large it unpacks."""
    with path.open("rb") as handle:
        if handle.read(len(OLE2)) == OLE2:
            raise DocumentProblem("word_97")
    try:
        with zipfile.ZipFile(path) as package:
            fits = unpacks_within(package, WORD_MAX_UNZIPPED, WORD_MAX_ENTRIES)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise DocumentProblem("word_unreadable") from error
    if not fits:
        raise DocumentProblem("unzipped_too_large", limit=WORD_MAX_UNZIPPED // (1024 * 1024))


def _text_boxes(paragraph: Paragraph) -> Iterator[str]:
    """The paragraphs of a text box anchored in this paragraph (a 专栏 is often one), after it.
    Word stores a box twice (DrawingML and a VML fallback): the fallback is skipped."""
    for box in paragraph._p.iter(f"{_W}txbxContent"):
        if any(ancestor.tag == _FALLBACK for ancestor in box.iterancestors()):
            continue
        for inner in box.iter(f"{_W}p"):
            yield from (line.lstrip("\t") for line in _paragraph_text(_shown_text(inner)))


def _docx_rows(table: Table, numbers: ListNumbers) -> Iterator[list[str]]:
    for row in table.rows:
        cells = []
        seen = set()
        for cell in row.cells:
            # A horizontally merged cell appears once per column it spans: keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            parts = []
            for paragraph in cell.paragraphs:
                text, label = _shown_text(paragraph._p), numbers.label(paragraph._p)
                parts.append(label + text if text.strip() else text)
            for inner in cell.tables:  # a table inside a cell: its cells joined in reading order
                for inner_row in inner.rows:
                    parts.append(" ".join(c.text for c in inner_row.cells))
            cells.append("\n".join(p for p in parts).strip())
        yield cells


# What a tracked change (修订) leaves out of the text Word shows with its changes accepted.
_REMOVED = {f"{_W}del", f"{_W}moveFrom"}


def _shown_text(paragraph) -> str:
    """A Word paragraph's text as it reads with its tracked changes accepted: the runs it holds at
    any depth (inserted, w:ins, or moved here, w:moveTo; in a link, a field's shown result, a
    content control), but the deleted (w:del) or moved away (w:moveFrom), and those of a text box
    anchored in it (its own paragraphs: ``_text_boxes``). python-docx's ``Paragraph.text`` reads
    the runs right under the paragraph, and a 修改稿's inserted words were lost. Each run's text is
    python-docx's (tabs, line breaks)."""
    parts = []
    for run in paragraph.iter(f"{_W}r"):
        owner = run.getparent()
        removed = False
        while owner is not None and owner is not paragraph:
            if owner.tag in _REMOVED or owner.tag == f"{_W}p":  # deleted, or a text box's paragraph
                removed = True
                break
            owner = owner.getparent()
        if not removed:
            parts.append(run.text)
    return "".join(parts)


def _paragraph_text(text: str) -> list[str]:
    # A soft line break (Shift+Enter) or Word's vertical tab is a new line of the stored text.
    return text.replace("\x0b", "\n").split("\n")


def _pdf_lines(path: Path) -> Iterator[str]:
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    try:
        import pdfplumber
        # The file opened here, not by pdfplumber, which leaves it open when the PDF is broken.
        with open(path, "rb") as stream, pdfplumber.open(stream) as pdf:
            if len(pdf.pages) > PDF_MAX_PAGES:
                raise DocumentProblem("too_many_pages", pages=len(pdf.pages), limit=PDF_MAX_PAGES)
            layouts = [_layout(page) for page in pdf.pages]
            running = _running_headers(layouts) | _running_footers(layouts)
            layouts = _unruled_carried_over(layouts, running)
            pages = [_pdf_page(layout, running) for layout in layouts]
    except (DocumentProblem, MemoryError):
        raise
    except Exception as error:  # pdfminer raises several kinds for a damaged or locked file
        if _out_of_memory(error):  # pdfplumber wraps what pdfminer raised
            raise MemoryError from error
        if _in_chain(error, PDFPasswordIncorrect):  # (a password only against copying opens)
            raise DocumentProblem("pdf_password") from error
        raise DocumentProblem("pdf_unreadable") from error
    if not any(line.strip() for page in pages for line in page.lines):
        raise DocumentProblem("pdf_scanned")
    _carry_tables_over(pages, running)
    yield from _mapped(_joined(pages, running))


_UNMAPPED = re.compile(r"\(cid:\d+\)")


def _mapped(lines: list[str]) -> list[str]:
    """A glyph whose font does not say which character it is, pdfminer writes as "(cid:N)": a PDF
    of them (a fifth of its characters or more) is refused; a few among real text are each shown
    as the sign of a character that cannot be shown (缺字), "□"."""
    text = "".join(lines)
    glyphs = len(_UNMAPPED.findall(text))
    if not glyphs:
        return lines
    if glyphs * 5 > len(_UNMAPPED.sub("□", "".join(text.split()))):
        raise DocumentProblem("pdf_no_character_map")
    return [_UNMAPPED.sub("□", line) for line in lines]


class PdfTable(NamedTuple):
    rows: list[list[str]]  # each row's cells as text (``_pdf_table_rows``)
    # A table printed without rules: where its columns start, and its characters' size
    # (``_unruled_tables``), for its rows on the next page (``_unruled_carried_over``).
    starts: tuple[float, ...] = ()
    size: float = 0.0


class PdfPage(NamedTuple):
    parts: list[list[str] | PdfTable]  # its text's lines and its tables, in reading order
    # Whether its last paragraph goes on at the top of the next page: None, on a page that indents
    # its paragraphs, when the next page's first line says it (``opens``).
    runs_on: bool | None
    footer: int  # how many of its last lines are its printed page number
    # Its first lines of text (past a page number): each its text, where it starts on a page that
    # indents its paragraphs ("margin" or "indent", ``_opens``) and its font.
    openings: tuple[tuple[str, str, str], ...] = ()
    closing_font: str = ""  # the font of its last line of text

    @property
    def lines(self) -> list[str]:
        lines: list[str] = []
        for part in self.parts:
            lines += table_rows_to_lines(part.rows) if isinstance(part, PdfTable) else part
        return lines

    def closing_table(self, running: frozenset[str] = frozenset()) -> PdfTable | None:
        """The table the page ends with (nothing after it but what every page prints), if any."""
        parts = [part for part in self.parts if not _furniture_only(part, running)]
        return parts[-1] if parts and isinstance(parts[-1], PdfTable) else None

    def opening_table(self, running: frozenset[str] = frozenset()) -> PdfTable | None:
        """The table the page starts with (nothing above it but what every page prints), if any."""
        parts = [part for part in self.parts if not _furniture_only(part, running)]
        return parts[0] if parts and isinstance(parts[0], PdfTable) else None


def _furniture(line: str, running: frozenset[str] = frozenset()) -> bool:
    """A line every page prints, no part of the text running through it: a page's number, or a
    running header or footer (页眉, 页脚: ``_running_headers``, ``_running_footers``)."""
    return bool(PAGE_NUMBER.fullmatch(line.strip())) or (bool(running) and _running_key(line) in running)


def _running_key(line: str) -> str:
    """A line as running headers and footers are compared: its numbers as "#" (a footer may
    print the page's: "宜春市卫生健康委员会　第3页"), without spaces."""
    return _DIGITS.sub("#", "".join(line.split()))


_DIGITS = re.compile(r"\d+")


def _furniture_only(part: list[str] | PdfTable, running: frozenset[str]) -> bool:
    return not isinstance(part, PdfTable) and all(not line.strip() or _furniture(line, running) for line in part)


def _running_headers(layouts: list[Layout]) -> frozenset[str]:
    """The lines printed at the top of most pages (页眉: the plan's title, its chapter): the first
    line of three pages or more, and of half of them (``_running_key``s)."""
    return _most_pages([next((line for line in layout.lines if not PAGE_NUMBER.fullmatch(line.strip())), "")
                        for layout in layouts])


def _running_footers(layouts: list[Layout]) -> frozenset[str]:
    """The lines printed at the foot of most pages (页脚: the issuing office, the plan's title,
    with or without the page's number) below the text or the last table: the last line of three
    pages or more, and of half of them (``_running_key``s)."""
    return _most_pages([next((line for line in reversed(layout.below) if not PAGE_NUMBER.fullmatch(line.strip())), "")
                        for layout in layouts])


def _most_pages(lines: list[str]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for line in lines:
        key = _running_key(line)
        if key:
            counts[key] = counts.get(key, 0) + 1
    return frozenset(key for key, count in counts.items() if count >= 3 and 2 * count >= len(lines))


# A table's first column when every row fills it (a project's number, its name): a row of the
# table that leaves it empty at the top of a page is the rest of the row the page break cut.
_FILLED_BY_EVERY_ROW = re.compile(r"序号|编号|项目名称|名称|项目")


def _carry_tables_over(pages: list[PdfPage], running: frozenset[str] = frozenset()) -> None:
    """A table a page break cuts goes on at the top of the next page, where Word prints its header
    rows again (标题行重复) and, by default, the rest of the row the break cut (允许跨行断页): each
    cell's last printed lines, the cells that ended on the page before empty. Read page by page,
    that rest was a row of its own and the cut row lost it: a name cut to "…门诊楼建设项", a
    project named "目" with the 床位 of the scope's end. Here the repeated header rows are dropped
    and the rest is joined to its row, cell by cell, when the table's first column is one every row
    fills (a 序号, a name: a row that leaves it empty is a rest; a column of merged cells, a
    county's name over its projects, is not one) and the cut row filled it. A running header
    (``running``) between them is passed over as a page number is."""
    headers: dict[int, list[list[str]]] = {}  # the header rows of a table going on, by its part
    # The part holding the last row so far of a table going on: the part itself, or, when the part
    # was all header and rest (a row cut twice, over three pages), the one its rest went to.
    holders: dict[int, PdfTable] = {}
    for page, following in zip(pages, pages[1:]):
        last, first = page.closing_table(running), following.opening_table(running)
        if last is None or first is None or not first.rows:
            continue
        header = headers.get(id(last)) or _header_rows(last.rows)
        last = holders.get(id(last), last)
        if not last.rows or not header or len(header[0]) != len(first.rows[0]):
            continue
        headers[id(first)] = header
        repeated = 0
        while repeated < len(header) and first.rows and first.rows[0] == header[repeated]:
            first.rows.pop(0)
            repeated += 1
        cut = last.rows[-1]
        if (first.rows and not first.rows[0][0] and cut[0] and cut not in header
                and _FILLED_BY_EVERY_ROW.fullmatch("".join(header[0][0].split()))):
            rest = first.rows.pop(0)
            last.rows[-1] = [before + after for before, after in zip(cut, rest)]
        if not first.rows:
            holders[id(first)] = last


def _header_rows(rows: list[list[str]]) -> list[list[str]]:
    """A table's header: its first row, and the second when it goes on with it (a 投资 heading over
    总投资 and “十五五”投资: its first cell is the first row's merged down, or empty)."""
    if len(rows) > 1 and rows[1][0] in ("", rows[0][0]):
        return rows[:2]
    return rows[:1]


def _joined(pages: list[PdfPage], running: frozenset[str] = frozenset()) -> list[str]:
    """The pages' lines one after the other, a paragraph a page break cut joined again (its page's
    number, printed at the foot, then follows it). On pages that indent their paragraphs, the next
    page's first line decides as ``_goes_on`` does: at the margin it goes on with the last page's
    paragraph (in its font, after a sentence's end), two characters in it does not. A running
    header at the top of a page (``running``) is passed over as its number is."""
    out: list[str] = []
    carried: int | None = None  # where the paragraph the last page left running on is
    carried_runs_on: bool | None = False  # the last page's ``runs_on``
    carried_font = ""  # and the font of its last line
    for page in pages:
        lines = list(page.lines)
        first = next((index for index, line in enumerate(lines) if not _furniture(line, running)), len(lines))
        # A page that indents its paragraphs says by its first line whether it starts one.
        _, opens, font = next((opening for opening in page.openings if not _furniture(opening[0], running)),
                              ("", "", ""))
        goes_on = (opens == "margin" and font == carried_font if carried_runs_on is None
                   else opens != "indent")
        continued = (carried is not None and goes_on and first < len(lines) and bool(lines[first].strip())
                     and not lines[first].startswith("\t"))
        if continued and carried is not None:  # (past a page number printed at the top)
            out[carried] += lines.pop(first).strip()
        elif lines and lines[0].startswith("\t") and out and out[-1].strip():
            out.append("")  # the last page's footer is not a cell of the table this page goes on with
        start = len(out)
        out += lines
        if page.runs_on is False:
            carried = None
        elif len(lines) > page.footer:
            carried = start + len(lines) - 1 - page.footer
        elif not continued:
            carried = None  # (a page of nothing but the paragraph goes on carrying it)
        if not continued or len(lines) > page.footer:
            carried_runs_on, carried_font = page.runs_on, page.closing_font
    return out


def _out_of_memory(error: BaseException | None) -> bool:
    return _in_chain(error, MemoryError)


def _in_chain(error: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether ``error`` is a ``kind``, or was raised while handling one (pdfplumber wraps what
    pdfminer raised)."""
    while error is not None:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
    return False


class Layout(NamedTuple):
    """A page as printed: its lines of text above each table and below the last (pdfplumber's,
    with their characters), its tables' cells, its margins."""
    printed: list[list[dict]]
    tables: list[PdfTable]
    margins: Margins

    @property
    def lines(self) -> list[str]:
        return [line["text"] for lines in self.printed for line in lines]

    @property
    def below(self) -> list[str]:
        return [line["text"] for line in self.printed[-1]]


def _layout(page) -> Layout:
    tables = sorted(page.find_tables(), key=lambda table: table.bbox[1])
    tops = [0.0, *(table.bbox[3] for table in tables)]
    bottoms = [*(table.bbox[1] for table in tables), page.height]
    segments = [_printed(page, top, bottom) for top, bottom in zip(tops, bottoms)]  # above each table, below the last
    margins = _margins(page, [table.bbox for table in tables], [line for lines in segments for line in lines])
    ruled = [PdfTable(_pdf_table_rows(table)) for table in tables]
    # A table printed without rules, found in the text between the ruled ones, stands where it is.
    printed: list[list[dict]] = []
    found: list[PdfTable] = []
    for number, segment in enumerate(segments):
        pieces, rest = _unruled_tables(segment)
        for text, table in pieces:
            printed.append(text)
            found.append(table)
        printed.append(rest)
        if number < len(ruled):
            found.append(ruled[number])
    return Layout(printed, found, margins)


# Between two cells of a row printed without rules: a gap of this many characters at least. A
# cell's margins keep its text about a character from the next one's (Word's 0.19 cm a side,
# ReportLab's 6 pt), less where a heading overflows its cell; a Chinese line's characters stand a
# fraction of one apart, a Latin word's a space's width (a third of one).
CELL_GAP = 0.6
# A table's heading names its columns: one of these among its cells.
_HEADING_WORDS = re.compile(r"^(?:序号|项目名称|名称|指标|指标名称|建设内容|建设性质|总投资)")


class _Cell(NamedTuple):
    x0: float
    x1: float
    text: str


def _cells(line: dict) -> list[_Cell]:
    """A printed line cut at its wide gaps (``CELL_GAP`` characters or more; a space is a gap)."""
    chars = sorted((char for char in line["chars"] if char["text"].strip()), key=lambda char: char["x0"])
    cells: list[_Cell] = []
    gap = CELL_GAP * _size(line)
    for char in chars:
        if cells and char["x0"] - cells[-1].x1 < gap:
            last = cells[-1]
            cells[-1] = _Cell(last.x0, max(last.x1, char["x1"]), last.text + char["text"])
        else:
            cells.append(_Cell(char["x0"], char["x1"], char["text"]))
    return cells


def _column_of(cell: _Cell, starts: tuple[float, ...], size: float) -> int | None:
    """The column a cell stands in: it starts at or after the column's heading (less a character:
    a number may be set to the right, a heading centred) and ends before the next one's."""
    for column, start in enumerate(starts):
        end = starts[column + 1] if column + 1 < len(starts) else float("inf")
        if start - size <= cell.x0 and cell.x1 <= end + size / 2:
            return column
    return None


def _unruled_tables(lines: list[dict]) -> tuple[list[tuple[list[dict], PdfTable]], list[dict]]:
    """The tables printed without rules among a page's lines, each with the lines above it (and
    below the one before it), and the lines below the last. A table: a heading line of three cells
    or more that names its columns (``_HEADING_WORDS``), and the lines under it whose every cell
    stands in one column (``_rows_in_columns``), at least one row; the first line that does not
    fit the columns ends it."""
    pieces: list[tuple[list[dict], PdfTable]] = []
    start = 0
    index = 0
    while index < len(lines):
        heading = _cells(lines[index])
        if len(heading) < 3 or not any(_HEADING_WORDS.match(cell.text) for cell in heading):
            index += 1
            continue
        starts = tuple(cell.x0 for cell in heading)
        size = _size(lines[index])
        rows = [[cell.text for cell in heading]]
        end = index + 1 + _rows_in_columns(lines[index + 1:], starts, size, rows, numbered=rows[0][0] == "序号")
        if len(rows) == 1:  # a heading and nothing under it: what went on in it is no heading
            index = max(end, index + 1)
            continue
        pieces.append((lines[start:index], PdfTable(rows, starts, size)))
        start = index = end
    return pieces, lines[start:]


def _rows_in_columns(lines: list[dict], starts: tuple[float, ...], size: float, rows: list[list[str]], *,
                     numbered: bool) -> int:
    """How many of ``lines`` (from the first) fit a table's columns, each read into ``rows`` (which
    holds the heading, or the rest of a row a page break cut): a line with a cell in the first
    column starts a row (under 序号, a number), any other goes on in the cells of the last row."""
    for taken, line in enumerate(lines):
        cells = _cells(line)
        columns = [_column_of(cell, starts, size) for cell in cells]
        if not cells or None in columns or len(set(columns)) < len(columns):
            return taken
        if columns[0] == 0 and (not numbered or cells[0].text.isdigit()):
            rows.append([""] * len(starts))
        for cell, column in zip(cells, columns):
            rows[-1][column] += cell.text  # type: ignore[index]
    return len(lines)


def _unruled_carried_over(layouts: list[Layout], running: frozenset[str]) -> list[Layout]:
    """A table printed without rules that ends a page and goes on at the top of the next without
    its heading printed again: the next page's first lines that fit its columns are its rows, a
    table of that page (``_carry_tables_over`` then joins the two, and a row the break cut). A
    running header or a page number above them is passed over."""
    result = list(layouts)
    for number in range(1, len(result)):
        before, layout = result[number - 1], result[number]
        if not before.tables or not before.tables[-1].starts:
            continue
        if any(not _furniture(line["text"], running) for line in before.printed[-1]):
            continue  # text follows the table on its page: it ended there
        last = before.tables[-1]
        lines = layout.printed[0]
        skipped = 0
        while skipped < len(lines) and _furniture(lines[skipped]["text"], running):
            skipped += 1
        rest = [""] * len(last.starts)  # of the row the break cut, if any
        rows = [rest]
        taken = _rows_in_columns(lines[skipped:], last.starts, last.size, rows, numbered=last.rows[0][0] == "序号")
        if taken == 0:
            continue
        carried = PdfTable(rows if any(rest) else rows[1:], last.starts, last.size)
        result[number] = Layout([lines[:skipped], lines[skipped + taken:], *layout.printed[1:]],
                                [carried, *layout.tables], layout.margins)
    return result


def _pdf_page(layout: Layout, running: frozenset[str] = frozenset()) -> PdfPage:
    """One page's lines: its text above, between and below its tables, each table as cells. The
    lines every page prints (``running``) are lines of their own, which a paragraph a page break
    cuts goes on past."""
    printed, margins = layout.printed, layout.margins
    parts: list[list[str] | PdfTable] = []
    for above, table in zip(printed, layout.tables):
        text, _, _ = _pdf_text(above, margins, running)
        if text:
            parts.append(text + [""])  # the text's last line is no cell of the table
        parts.append(table)
    below, runs_on, footer = _pdf_text(printed[-1], margins, running)
    text_lines = [line for lines in printed for line in lines if not _furniture(line["text"], running)]
    openings = tuple((line["text"], _opens(line, margins), _font(line)) for line in
                     [line for line in printed[0] if not PAGE_NUMBER.fullmatch(line["text"].strip())][:3])
    return PdfPage(parts + [below], runs_on, footer, openings, _font(text_lines[-1]) if text_lines else "")


def _opens(line: dict, margins: Margins) -> str:
    """On a page that indents its paragraphs, where a line starts: "margin", going on with the
    paragraph above it (the last page's), or "indent", a new one."""
    if not margins.indents:
        return ""
    if _indented(line, margins.left):
        return "indent"
    return "margin" if abs(line["x0"] - margins.left) <= _size(line) / 2 else ""


def _printed(page, top: float, bottom: float) -> list[dict]:
    """The printed lines between ``top`` and ``bottom`` (pdfplumber's, with their characters)."""
    if bottom <= top:
        return []
    return [line for line in page.within_bbox((0, top, page.width, bottom)).extract_text_lines()
            if line["text"].strip()]


class Margins(NamedTuple):
    left: float  # where the page's text starts
    right: float  # where its full lines end
    indents: bool  # it starts its paragraphs two characters in (首行缩进), as 公文 does


def _margins(page, tables: list[tuple[float, float, float, float]], printed: list[dict]) -> Margins:
    """The page's margins: the right one as far from its right edge as its text starts from the left
    (a plan's margins are the same on both sides, or nearly: 公文 prints 28 and 26 mm; a table's
    cells do not count: a table may reach into the margins); and whether it indents its paragraphs'
    first lines (two lines of its text or more start two characters in)."""
    def in_a_table(char) -> bool:
        return any(x0 <= char["x0"] <= x1 and top <= char["top"] <= bottom for x0, top, x1, bottom in tables)

    starts = [char["x0"] for char in page.chars if char["text"].strip() and not in_a_table(char)]
    if not starts:
        return Margins(0.0, page.width, False)
    left = min(starts)
    indented = sum(_indented(line, left) for line in printed)
    return Margins(left, page.width - left, indented >= 2)


def _font(line: dict) -> str:
    """The font most of a printed line's Chinese characters are set in (digits and Latin letters
    may be set in another, the same in a heading and its text)."""
    names = [_SUBSET.sub("", char.get("fontname", "")) for char in line["chars"] if char["text"] >= "\u2e80"]
    return max(set(names), key=names.count) if names else ""


_SUBSET = re.compile(r"^[A-Z]{6}\+")  # "BAAAAA+WenQuanYiZenHei": a subset of a font, named for the PDF


def _indented(line: dict, left: float) -> bool:
    size = _size(line)
    return abs(line["x0"] - left - 2 * size) <= size * 0.6


def _pdf_text(printed: list[dict], margins: Margins,
              running: frozenset[str] = frozenset()) -> tuple[list[str], bool | None, int]:
    """Printed lines as text, a paragraph wrapped at the margin joined again (``_goes_on``). With
    it, whether its last paragraph runs on past its end, and how many of its last lines are a page
    number or a running footer (``_furniture``)."""
    if not printed:
        return [], False, 0
    footer = 0
    while footer < len(printed) and _furniture(printed[-1 - footer]["text"], running):
        footer += 1
    # The page's last line of text is measured on its own: what is printed below it is no part
    # of its paragraph (a footer at the margin went on it).
    body = printed[:len(printed) - footer]
    texts = [(line["text"], _goes_on(line, following, margins))
             for line, following in zip(body, [*body[1:], None])]
    # A page's last line that would run on: the next page's first line goes on with it. On a page
    # that indents its paragraphs, a full line that ends a sentence may go on too: the next page's
    # first line says it (``_joined``).
    runs_on: bool | None = bool(texts) and texts[-1][1]
    if texts:
        texts[-1] = (texts[-1][0], False)  # on the next page, past the footer (``_joined``)
    texts += [(line["text"], False) for line in printed[len(body):]]
    if not runs_on and footer < len(texts) and margins.indents:
        last = printed[-1 - footer]
        if last["x1"] >= margins.right - 2 * _size(last) and not _CONTENTS_ENTRY.search(last["text"]):
            runs_on = None
    return reflow(texts), runs_on, footer


def _goes_on(line: dict, following: dict | None, margins: Margins) -> bool:
    """Whether the paragraph of a printed line goes on into the next. The line must be full: it
    reaches the right margin within two characters, or the next line's first word (a number, a
    Latin word: no line breaks inside one) would not have fitted after it. On a page that indents
    its paragraphs, the next line says the rest: two characters in, it starts a paragraph; at the
    margin, it goes on with this one, even after a sentence's end ("…战略储备。" / "健全…"), and
    after a line a little shorter (below). On a page that does not, the line must not end a
    sentence. A contents entry or a page number never goes on."""
    size = _size(line)
    first_word = _first_word_width(following) if following else 0.0
    full = line["x1"] >= margins.right - 2 * size or line["x1"] + first_word >= margins.right - size / 2
    text = line["text"].rstrip()
    if not text.strip() or PAGE_NUMBER.fullmatch(text.strip()) or _CONTENTS_ENTRY.search(text):
        return False
    ends_a_sentence = text.endswith(_PARAGRAPH_END)
    if margins.indents and following is not None:
        if _indented(following, margins.left):
            return False
        if abs(following["x0"] - margins.left) <= size / 2:
            # A word processor breaks a Chinese line short by more than punctuation alone: it
            # keeps a number with the character before it ("江西" / "2030”"), an opening quote
            # with the character after it ("完" / "善“…"). With the next line at the margin
            # saying the paragraph goes on, a line four characters short of it still does,
            # unless it ends a sentence there (a paragraph's last line, a heading below it). A
            # heading set at the margin is in a font of its own (公文: 黑体 over 仿宋).
            if ends_a_sentence:
                return full and _font(following) == _font(line)
            return full or line["x1"] >= margins.right - 4 * size
    return full and not ends_a_sentence


def _size(line: dict) -> float:
    sizes = sorted(char["size"] for char in line["chars"])
    return sizes[len(sizes) // 2] if sizes else 0.0


# What a line does not break inside: digits, Latin letters and what joins them (12,000.5 / 2026-2030).
_UNBROKEN = re.compile(r"[0-9A-Za-z.,%/\-]")
# What may not start a printed line (Chinese typesetting's 行首禁则: closing brackets and quotes,
# the stops and commas): a word processor carries the character before it down with it, so a
# full line can stop a character or two short of the margin ("…引进力" / "度）；健康创新…").
_NO_LINE_START = re.compile(r"[）)》」』】〕〉”’，。、；：！？,.;:!?…·%]")


def _first_word_width(line: dict) -> float:
    """The printed width of what the line could not have begun without: its first word (a run of
    digits and Latin letters, else its first character) and the punctuation that may not start a
    line after it."""
    chars = [char for char in line["chars"] if char["text"].strip()]
    if not chars:
        return 0.0
    end = 1
    if _UNBROKEN.fullmatch(chars[0]["text"]):
        while end < len(chars) and _UNBROKEN.fullmatch(chars[end]["text"]):
            end += 1
    while end < len(chars) and _NO_LINE_START.fullmatch(chars[end]["text"]):
        end += 1
    return chars[end - 1]["x1"] - chars[0]["x0"]


def _pdf_table_rows(table) -> list[list[str]]:
    """A table's cells as text. A cell a merge covers (``extract`` gives None) takes the merged
    cell's text where the merge runs down from a row above, as Word repeats it (a 建设地点 printed
    once for a county's projects is each one's); one a merge covers from its left stays empty."""
    texts = table.extract()
    origins = {bbox: (row, column) for row, cells in enumerate(r.cells for r in table.rows)
               for column, bbox in enumerate(cells) if bbox is not None}
    result = []
    for row, cells in enumerate(r.cells for r in table.rows):
        line = []
        for column, bbox in enumerate(cells):
            text = texts[row][column]
            if bbox is None:
                x0, _, x1, _ = table.columns[column].bbox
                _, top, _, bottom = table.rows[row].bbox
                middle = ((x0 + x1) / 2, (top + bottom) / 2)
                covering = next((origin for merged, origin in origins.items()
                                 if merged[0] <= middle[0] <= merged[2] and merged[1] <= middle[1] <= merged[3]), None)
                if covering and covering[0] < row and covering[1] == column:
                    text = texts[covering[0]][column]
            line.append(_unwrapped(text))
        result.append(line)
    return result


def _unwrapped(cell: str | None) -> str:
    """A cell's text with the line breaks of its printing taken out: a PDF cell wraps at its width,
    in Chinese anywhere, in a name or a year ("2026-202" / "7"). A cell a merge covers is empty."""
    return "".join(line.strip() for line in (cell or "").split("\n"))


# A page's number as printed at its foot: "— 3 —", "- 3 -", "3", "第3页", "第 3 页 共 60 页".
PAGE_NUMBER = re.compile(r"[—–－\-]*\s*\d{1,4}\s*[—–－\-]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?")
# A line of the contents: its leader of dots and a page number reach the margin, and end it.
_CONTENTS_ENTRY = re.compile(r"(?:\.{3,}|…{2,}|·{3,})\s*\d+$")
_PARAGRAPH_END = ("。", "；", "！", "？", "：", "”", "）", ")", ";", ":", "!", "?")


def reflow(lines: list[tuple[str, bool]]) -> list[str]:
    """A PDF's text comes in printed lines, each with whether its paragraph goes on into the next
    (``_goes_on``): a paragraph wrapped at the margin is joined again, so a name broken over two
    printed lines is one line of the stored text.
    (By the printed width, not the count of characters: a line of digits and Latin letters holds
    half again as many as one of Chinese, and a contents line of dots twice as many.)"""
    result: list[str] = []
    running_on = False
    for text, goes_on in lines:
        text = text.rstrip()
        if running_on and result and text.strip() and not PAGE_NUMBER.fullmatch(text.strip()):
            result[-1] += text.strip()
        else:
            result.append(text)
        running_on = goes_on
    return result
