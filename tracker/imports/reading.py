"""Reading an uploaded sheet safely: what it is (by its bytes, not its name), and its cells.

Every problem with the file as a whole raises ``FileRefused`` with a message a person can act on:
an empty file, a type we do not read, an old .xls, an encrypted workbook, a zip whose contents
would unpack beyond the limit (checked in the zip directory before openpyxl opens anything; Python's
zipfile also stops at the declared sizes, so the directory cannot lie), a worksheet with more
cells than an import takes (counted in the decompressed XML as it streams, before openpyxl parses
anything), a text in an encoding we cannot decode, too many rows. Nothing here touches the
database.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
import zipfile
import zlib
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext

from ..core.archives import unpacks_within

# Cells past this column are ignored: our sheets have 30, and a hostile one may claim 16,384.
MAX_COLUMNS = 100
MAX_ZIP_ENTRIES = 2000
# How a cell starts in a worksheet's XML (<c r="A1" …>, or <c> when a writer leaves out r=).
CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
STRING_TAGS = (b"<si>", b"<si ")  # a shared string: openpyxl reads every one of them first
STYLE_TAGS = (b"<xf ", b"<xf>", b"<xf/>")  # a cell format: openpyxl builds each as it opens the file
# Excel itself keeps at most 64,000 cell formats in a workbook; a file of 300,000 (59 KB zipped)
# took 10 s of a worker to open, and ten of them at once a minute each (a QA walk).
MAX_STYLES = 64_000
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf",
                     b"Rar!", b"BZh", b"MZ", b"\x7fELF")


class FileRefused(Exception):
    """The file cannot be imported at all; the message says why and what to do."""


@dataclass(frozen=True)
class Cell:
    value: Any = None  # str, int, float, bool, datetime or None
    formula: bool = False
    error: bool = False  # #DIV/0!, #N/A …
    percent: bool = False  # shown as a percentage: 0.35 means 35
    copied: bool = False  # not its own: the value of the merged block above it, shown in it too


EMPTY = Cell()


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)  # (row number, cells)
    source: str = "xlsx"
    name: str | None = None  # the worksheet read
    passed_over: int = 0  # the workbook's other sheets whose headers are an import's too
    heading_rows: list[int] = field(default_factory=list)  # the row each column's name stands in


def normalise_label(text: str) -> str:
    """Header, sheet name and vocabulary matching ignores width (（ vs (), spacing and case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f}"


def read_sheet(data: bytes, *, max_rows: int, max_unzipped: int, skip_first: set[str],
               max_cells: int = 300_000, sheets: Iterable[str] = (),
               fits: Callable[[list[str]], bool] | None = None,
               wanted: Callable[[list[str]], bool] | None = None) -> Sheet:
    """The header row and data rows of one worksheet (``_chosen``: the sheet its reader was on,
    or the one named as a template, ``sheets``, normalised; hidden sheets last), without blank
    rows and rows whose first filled cell is in ``skip_first`` (normalised: the export's totals
    rows). ``fits`` says whether a sheet's headers are an import's, ``wanted`` whether they are
    those of the kind its reader chose (None: he left it to the headers)."""
    if not data or not data.strip():
        raise FileRefused(_("文件是空的。"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("这是旧版 Excel（.xls）文件或加密的工作簿。请在 Excel/WPS 中“另存为” .xlsx 格式"
                            "（并取消密码）后再上传。"))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows=max_rows, max_unzipped=max_unzipped, max_cells=max_cells,
                          skip_first=skip_first, sheets=set(sheets), fits=fits, wanted=wanted)
    if data.startswith(b"PK") or data.startswith(BINARY_SIGNATURES):
        raise FileRefused(_("不支持这种文件。请上传 Excel 工作簿（.xlsx）或 CSV 文件。"))
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in data[:8192]:
        raise FileRefused(_("不支持这种文件。请上传 Excel 工作簿（.xlsx）或 CSV 文件。"))
    return _read_csv(data, max_rows=max_rows, skip_first=skip_first)


def _too_many_rows(max_rows: int) -> FileRefused:
    return FileRefused(_("表格超过每次导入的上限 %(limit)s 行数据。请拆分成几个文件分批导入。",
                         limit=f"{max_rows:,}"))


def _is_blank(cells: list[Cell]) -> bool:
    return all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells)


def _first_text(cells: list[Cell]) -> str:
    """The row's first filled cell, normalised: a totals row's 合计 stands in column B of a sheet
    given a 序号 column, and reads "Totals" in an English export."""
    value = next((c.value for c in cells if c.value is not None and str(c.value).strip()), None)
    return normalise_label(value) if isinstance(value, str) else ""


def _count_tags(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int, tags=CELL_TAGS) -> int:
    """The elements (``tags``: a worksheet's cells, the shared strings, the cell formats) a part
    holds, counted in its decompressed XML as it streams by (no parsing, a few megabytes at a
    time); stops as soon as the count passes ``limit``."""
    count, tail, keep = 0, b"", max(len(tag) for tag in tags) - 1
    with archive.open(entry) as stream:
        while chunk := stream.read(1024 * 1024):
            text = tail + chunk
            count += sum(text.count(tag) for tag in tags)
            tail = text[-keep:]  # a tag cut in two is counted in the next chunk
            count -= sum(tail.count(tag) for tag in tags)
            if count > limit:
                break
    return count + sum(tail.count(tag) for tag in tags)


def _read_xlsx(data: bytes, *, max_rows: int, max_unzipped: int, max_cells: int,
               skip_first: set[str], sheets: frozenset[str] | set[str] = frozenset(),
               fits: Callable[[list[str]], bool] | None = None,
               wanted: Callable[[list[str]], bool] | None = None) -> Sheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileRefused(_("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。")) from None
    if not unpacks_within(archive, max_unzipped, MAX_ZIP_ENTRIES):
        raise FileRefused(_("文件解压后超过 %(limit)s MB，拒绝读取（可能是“压缩炸弹”）。请只保留需要导入的工作表和数据。",
                            limit=_megabytes(max_unzipped)))
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise FileRefused(_("工作簿已加密。请取消密码后再上传。"))
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise FileRefused(_("这不是 Excel 工作簿（.xlsx）。请上传 .xlsx 或 CSV 文件。"))
    # The work openpyxl would do is bounded before it starts: the sizes above, and the cells,
    # strings and formats counted in every part, wherever it lies: openpyxl finds a sheet through
    # the workbook's relationships and the strings through [Content_Types].xml, so a sheet moved
    # to xl/data/ escaped a count of xl/worksheets/ alone (a 44 KB file, 37 s of a worker).
    cells = strings = styles = 0
    try:
        for entry in entries:
            if entry.is_dir():
                continue
            cells += _count_tags(archive, entry, max_cells - cells)
            if cells > max_cells:
                raise FileRefused(_("工作簿的单元格超过 %(limit)s 个，拒绝读取。请只保留需要导入的工作表、行和列，删除空白的格式区域后再上传。",
                                    limit=f"{max_cells:,}"))
            strings += _count_tags(archive, entry, max_cells - strings, STRING_TAGS)
            if strings > max_cells:
                raise FileRefused(_("工作簿的文字条目超过 %(limit)s 条，拒绝读取。请只保留需要导入的工作表和数据后再上传。",
                                    limit=f"{max_cells:,}"))
            styles += _count_tags(archive, entry, MAX_STYLES - styles, STYLE_TAGS)
            if styles > MAX_STYLES:
                raise FileRefused(_("工作簿的单元格格式超过 %(limit)s 种，拒绝读取。"
                                    "请在 Excel/WPS 中清除多余的格式，或把数据复制到新工作簿后再上传。",
                                    limit=f"{MAX_STYLES:,}"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError):
        raise FileRefused(_("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。")) from None

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                chosen, passed_over = _chosen(workbook, sheets, fits, wanted)
                sheet = _sheet_rows(chosen, max_rows=max_rows, skip_first=skip_first,
                                    merged=_merged_down(archive, getattr(chosen, "_worksheet_path", None)))
                sheet.name, sheet.passed_over = chosen.title, passed_over
                return sheet
            finally:
                workbook.close()
    except FileRefused:
        raise
    except IndexError:
        raise FileRefused(_("工作簿里没有工作表。")) from None
    except Exception:  # a broken part, hostile XML (defusedxml refuses entities), an odd cell
        raise FileRefused(_("无法读取这个 Excel 文件：内容已损坏或格式不受支持。请在 Excel/WPS 中打开并重新保存为 .xlsx 后再试。")) from None


def _chosen(workbook, names: frozenset[str] | set[str], fits: Callable[[list[str]], bool] | None,
            wanted: Callable[[list[str]], bool] | None = None):
    """The worksheet to read. When its reader chose what he imports (``wanted``), the visible
    sheet with that kind's headers, the active one first: an office keeps its project sheet and
    its month's sheet in one workbook, and choosing 月度填报 read the project sheet in front of
    it. Else the sheet its reader was on when saving (the active one) when its
    headers are an import's: an office copies the template's sheet to edit ("项目清单 (2)") or
    keeps last month's beside it, even hidden. Else the visible sheet of a template's name
    wherever it stands (behind a cover sheet), else the first visible sheet whose headers fit,
    else the first visible one. A hidden sheet is read only when nothing visible is left. With it,
    how many other sheets (hidden ones too) have an import's headers: the preview says which
    was read when there was a choice."""
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"] or workbook.worksheets
    if not visible:
        raise IndexError
    heads: dict[str, list[str]] = {}

    def fitting(sheet, test: Callable[[list[str]], bool] | None = fits) -> bool:
        if test is None:
            return False
        if sheet.title not in heads:
            first = itertools.islice(sheet.iter_rows(max_row=TITLE_ROWS + 1, max_col=MAX_COLUMNS, values_only=True),
                                     TITLE_ROWS + 1)
            records = ((number, [Cell(value=value) for value in row]) for number, row in enumerate(first, 1))
            headers = next((["" if c.value is None else str(c.value).strip() for c in cells]
                            for _number, cells in _below_a_title(records) if not _is_blank(cells)), [])
            heads[sheet.title] = headers
        return test(heads[sheet.title])

    named = [sheet for sheet in visible if normalise_label(sheet.title) in names]
    active = workbook.active
    kind_of_choice = [sheet for sheet in visible if fitting(sheet, wanted)]
    if kind_of_choice:
        chosen = active if active in kind_of_choice else kind_of_choice[0]
    elif active in visible and (active in named or fitting(active)):
        chosen = active
    elif named:
        chosen = named[0]
    else:
        chosen = next((sheet for sheet in visible if fitting(sheet)), visible[0])
    others = sum(1 for sheet in workbook.worksheets
                 if sheet is not chosen and hasattr(sheet, "iter_rows") and fitting(sheet))
    return chosen, others


# How the xlsx format escapes, in a text, a control character (``_x000D_``: a carriage return)
# and an underscore that would start such an escape (``_x005F_``: "_"). Excel, WPS and our own
# export write them; openpyxl hands them over as they are written (of a shared string it takes
# out the ``x005F_`` alone). Read left to right, so "_x005F_x000D_" is the text "_x000D_". Not
# NUL ("_x0000_" stays as written): no text of ours holds one (PostgreSQL's cannot).
OOXML_ESCAPE = re.compile(r"_x(000[1-9A-Fa-f]|001[0-9A-Fa-f]|005[Ff])_")


def unescaped(text: str) -> str:
    """A cell's text as the person who wrote it sees it in Excel."""
    if "_x" not in text:
        return text
    return OOXML_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), text)


def _xlsx_cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if value is None:
        return EMPTY
    if isinstance(value, str):
        value = unescaped(value)
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        return Cell(value=str(value), formula=True)
    if data_type == "e":
        return Cell(value=str(value), error=True)
    number_format = getattr(cell, "number_format", "") or ""
    return Cell(value=value, percent="%" in number_format and isinstance(value, (int, float)))


TITLE_ROWS = 5  # the rows above the headings where a sheet's title may stand


def _filled(cells: list[Cell]) -> int:
    return sum(1 for c in cells if c.value is not None and str(c.value).strip())


def _below_a_title(records: Iterator[tuple[int, list[Cell]]]) -> Iterator[tuple[int, list[Cell]]]:
    """The rows from the headings on: a title above them ("龙南市2026年月报汇总", merged across
    them) is one cell where headings are several, so rows of one cell in the first
    ``TITLE_ROWS`` are passed over when a row of several follows among them. A sheet of one
    column reads as before."""
    first = list(itertools.islice(records, TITLE_ROWS))
    start = next((index for index, (_number, cells) in enumerate(first) if _filled(cells) > 1), None)
    if start is not None and all(_filled(cells) <= 1 for _number, cells in first[:start]):
        first = first[start:]
    yield from first
    yield from records


def _letters(number: int) -> str:
    """Excel's name of the ``number``-th column (1 → A, 28 → AB)."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def has_own_value(cell: Cell) -> bool:
    """Whether the cell holds a value of its own (not one a merged block above shows in it)."""
    return not cell.copied and cell.value is not None and bool(str(cell.value).strip())


def _sub_headings(upper: list[Cell], lower: list[Cell]) -> bool:
    """Whether ``lower`` reads as the sub-headings of a group heading in ``upper`` when no merge
    says so (a sheet saved without its merges, a CSV): text only, each either under a blank
    heading cell that continues a group to its left, or under the group heading itself with a
    sub-heading beside it; none under a heading of its own (where a data row fills 项目名称)."""
    own = {index for index, cell in enumerate(lower) if has_own_value(cell)}
    if not own or any(not isinstance(lower[index].value, str) or lower[index].formula for index in own):
        return False

    def headed(index: int) -> bool:
        return index < len(upper) and has_own_value(upper[index])

    if all(headed(index) for index in own):
        return False
    for index in own:
        if headed(index):
            if not (index + 1 in own and not headed(index + 1)):
                return False  # a cell under a heading of its own: a data row
            continue
        group = index
        while group >= 0 and not headed(group):
            if group not in own:
                return False
            group -= 1
        if group < 0:
            return False
    return True


@dataclass
class _Heading:
    names: list[str]
    rows: list[int]  # the row each name stands in
    spans: int  # the rows it takes: 1, or 2 (the row below was its sub-headings)
    unnamed: list[int] = field(default_factory=list)  # columns inside it left without a name


def _heading(number: int, upper: list[Cell], lower: tuple[int, list[Cell]] | None,
             merged: dict[tuple[int, int], int]) -> _Heading:
    """The sheet's column names from its heading row, and from the row below when the heading
    takes two: a group heading (投资情况, merged across) above its sub-headings (总投资（万元）,
    本年计划 …), the other headings merged down over both rows. A column is named by its lower
    cell, or by its upper one where the lower is blank or the merge's copy: the sub-heading names
    the column, the group heading none. A heading merged down more than two rows is refused: no
    column is guessed."""
    text = ["" if c.value is None else str(c.value).strip() for c in upper]
    one = _Heading(text, [number] * len(text), 1, _unnamed(text))
    deepest = max((row for (row, _column), top in merged.items() if top == number), default=number)
    if deepest > number + 1:
        raise FileRefused(_("第 %(first)s–%(last)s 行看起来是多行的列标题（有标题单元格向下合并了 %(n)s 行），"
                            "无法确定各列的列名。请把列标题改为一行（每列一个列名，例如「总投资（万元）」），"
                            "或使用导入模板后再上传。", first=number, last=deepest, n=deepest - number + 1))
    if lower is None or lower[0] != number + 1:
        return one
    cells = lower[1]
    if deepest == number:  # no heading merged down into the row below: only its cells can tell
        if not _sub_headings(upper, cells):
            return one
    elif not any(has_own_value(cell) for cell in cells):  # every heading merged down, nothing beneath a group
        return _Heading(text, [number] * len(text), 2, _unnamed(text))
    names, rows = [], []
    for index in range(max(len(upper), len(cells))):
        below = cells[index] if index < len(cells) else EMPTY
        if has_own_value(below):
            names.append(str(below.value).strip())
            rows.append(number + 1)
        else:
            names.append(text[index] if index < len(text) else "")
            rows.append(number)
    return _Heading(names, rows, 2, _unnamed(names))


def _unnamed(names: list[str]) -> list[int]:
    """The columns between two named ones that have no name themselves."""
    named = [index for index, name in enumerate(names) if name]
    return [index for index, name in enumerate(names) if not name and named and named[0] < index < named[-1]]


def _headed(records: Iterable[tuple[int, list[Cell]]], *, max_rows: int, skip_first: set[str],
            merged: dict[tuple[int, int], int] | None = None) -> tuple[_Heading | None, list[tuple[int, list[Cell]]]]:
    """The first row that is not blank as the headings (with the row below when they take two:
    ``_heading``), then each numbered row that is neither blank nor one to skip (a repeated
    heading, an example), at most ``max_rows`` of them."""
    rows: list[tuple[int, list[Cell]]] = []
    records = _below_a_title(iter(records))
    heading: _Heading | None = None
    for number, cells in records:
        if not _is_blank(cells):
            lower = next(records, None)
            heading = _heading(number, cells, lower, merged or {})
            if heading.spans == 1 and lower is not None:
                records = itertools.chain([lower], records)
            break
    if heading is None:
        return None, rows
    for number, cells in records:
        if _is_blank(cells) or _first_text(cells) in skip_first:
            continue
        if len(rows) >= max_rows:
            raise _too_many_rows(max_rows)
        rows.append((number, cells))
    unread = [index for index in heading.unnamed
              if any(index < len(cells) and has_own_value(cells[index]) for _number, cells in rows)]
    # A column without a name is not read: its figures (本年计划 under a 投资情况 whose row of
    # sub-headings was deleted) would be left out without a word. The file is refused instead.
    if unread:
        first, columns = min(heading.rows), pgettext("列举的分隔号", "、").join(
            _letters(index + 1) for index in unread)
        if heading.spans == 2:
            raise FileRefused(_("第 %(first)s–%(last)s 行看起来是两行的列标题，但 %(columns)s 列没有列名，"
                                "其中的数据无法读取。请在第 %(last)s 行为这些列填写列名（例如「总投资（万元）」），"
                                "或把列标题改为一行后再上传。", first=first, last=first + 1, columns=columns))
        raise FileRefused(_("第 %(row)s 行的列标题中，%(columns)s 列没有列名，但下面有数据，无法读取"
                            "（合并单元格的标题下应另有一行逐列的列名）。请为这些列填写列名"
                            "（例如「总投资（万元）」），或删除这些列后再上传。", row=first, columns=columns))
    return heading, rows


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})(\d+):[A-Z]{1,3}(\d+)"')


def _merged_down(archive: zipfile.ZipFile, part: str | None) -> dict[tuple[int, int], int]:
    """The cells of the sheet's merged blocks below their first row, each by (row, column) with
    the row its value stands in: a 填报月份 merged down three rows reads as that month in each
    (it read as blank: "请填写填报月份" under a cell that showed 2026-12). A block one row high
    (a title across the columns) is left as it is."""
    if not part:
        return {}
    try:
        text = archive.read(part)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError):
        return {}
    below: dict[tuple[int, int], int] = {}
    for letters, first, last in _MERGE_REF.findall(text):
        column = 0
        for letter in letters.decode():
            column = column * 26 + ord(letter) - 64
        top, bottom = int(first), int(last)
        for row in range(top + 1, min(bottom, top + 10_000) + 1):
            below[(row, column)] = top
    return below


def _sheet_rows(worksheet, *, max_rows: int, skip_first: set[str],
                merged: dict[tuple[int, int], int] | None = None) -> Sheet:
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()  # do not trust the sheet's own claim about its size
    # Blank rows cost nothing to skip, but a sheet may claim a million of them.
    max_physical_rows = max_rows * 10 + 1000
    merged = merged or {}
    anchors: dict[tuple[int, int], Cell] = {}  # a merged block's first cell, by (row, column)
    tops = set(merged.values())

    def records():
        for number, raw in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), 1):
            if number > max_physical_rows:
                raise _too_many_rows(max_rows)
            cells = [_xlsx_cell(cell) for cell in raw]
            if merged:
                for column, cell in enumerate(cells, 1):
                    if number in tops:
                        anchors[(number, column)] = cell
                    top = merged.get((number, column))
                    if top is not None and cell.value is None:
                        anchor = anchors.get((top, column), cell)
                        cells[column - 1] = replace(anchor, copied=True) if anchor.value is not None else cell
            yield number, cells

    heading, rows = _headed(records(), max_rows=max_rows, skip_first=skip_first, merged=merged)
    if heading is None:
        raise FileRefused(_("工作表是空的：第一行应为列标题。"))
    return Sheet(heading.names, rows, "xlsx", heading_rows=heading.rows)


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]  # gb18030: what Chinese Excel/WPS write as "CSV"
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("无法识别文件的文字编码。请在 Excel/WPS 中“另存为”“CSV UTF-8（逗号分隔）”后再上传。"))


def _read_csv(data: bytes, *, max_rows: int, skip_first: set[str]) -> Sheet:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = ((number, [Cell(value=value) for value in record[:MAX_COLUMNS]])
               for number, record in enumerate(reader, 1))
    try:
        heading, rows = _headed(records, max_rows=max_rows, skip_first=skip_first)
    except csv.Error as error:
        # Python's own words are English: what each says, in the reader's language.
        if "field larger than field limit" in str(error):
            raise FileRefused(_("CSV 第 %(line)s 行有一个单元格超过 %(limit)s 个字符，拒绝读取。请检查该行的引号是否成对。",
                                line=reader.line_num, limit=f"{csv.field_size_limit():,}")) from None
        raise FileRefused(_("CSV 格式有误（第 %(line)s 行）：引号、分隔符或换行不成对，请用 Excel/WPS 另存为 CSV 后再上传。",
                            line=reader.line_num)) from None
    if heading is None:
        raise FileRefused(_("文件是空的。"))
    return Sheet(heading.names, rows, "csv", heading_rows=heading.rows)
