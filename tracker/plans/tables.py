"""Tables in a plan's numbered lines: cells one per line starting with a tab, rows after a blank line
(the shape ``documents.read_lines`` gives Word and Markdown tables, and the seed texts have)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Cell:
    parts: list[tuple[int, str]] = field(default_factory=list)  # (line number, text on that line)

    @property
    def text(self) -> str:
        return "".join(text.strip() for _, text in self.parts)

    @property
    def line(self) -> int:
        """The first line with words on it (a cell may start with an empty line)."""
        for number, text in self.parts:
            if text.strip():
                return number
        return self.parts[0][0]

    def quote(self) -> tuple[int, str]:
        """A quote standing verbatim on one line: the longest line of the cell, stripped."""
        number, text = max(self.parts, key=lambda part: len(part[1].strip()))
        return number, text.strip()

    def line_with(self, needle: str) -> tuple[int, str] | None:
        for number, text in self.parts:
            if needle in text:
                return number, text.strip()
        return None


@dataclass
class Table:
    first_line: int
    last_line: int
    rows: list[list[Cell]]
    title: str = ""  # the nearest non-empty line above the table
    title_line: int = 0


# A heading of the plan's own text (Markdown's "#", "三、", "第三章"): never a piece of a cell.
SECTION_HEADING = re.compile(r"^(?:#{1,6}\s|第[一二三四五六七八九十\d]+[章节]|[一二三四五六七八九十]+、)")


# A page's number as a PDF prints it at a page's foot or top and the reader keeps as a line of its
# own, between a table's rows when the table runs over pages: "— 3 —", "第3页". (A bare "3" could
# be a cell's own words after an empty paragraph, and stays one.)
PRINTED_PAGE_NUMBER = re.compile(r"[—–－\-]+\s*\d{1,4}\s*[—–－\-]+|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?")


def is_cell_line(text: str) -> bool:
    return text.startswith(("\t", " \t"))


def find_tables(lines: list[str]) -> list[Table]:
    tables: list[Table] = []
    index = 0
    total = len(lines)
    while index < total:
        if not is_cell_line(lines[index]):
            index += 1
            continue
        start = end = index
        probe = index + 1
        while probe < total:
            if is_cell_line(lines[probe]):
                end = probe
                probe += 1
                continue
            # Between cells: blank lines, a cell's own further lines (right after it), and short
            # pieces of a cell broken by an empty paragraph ("2020年", "", "基期值").
            gap = probe
            while gap < total and not is_cell_line(lines[gap]) and gap - probe < 5:
                text = lines[gap].strip()
                if SECTION_HEADING.match(text):
                    break  # a heading between two tables ends the first: "## 三、重点项目"
                if text and not lines[gap - 1].strip() and not is_cell_line(lines[gap - 1]) \
                        and len(text) > 20:
                    break
                gap += 1
            if gap < total and is_cell_line(lines[gap]):
                probe = gap
                continue
            # The table ends; a last cell may still run on over the lines right after it.
            while probe < total and lines[probe].strip() and probe == end + 1 \
                    and not lines[end].strip().endswith(("。", "；")) and len(lines[probe]) < 200 \
                    and _is_open_cell(lines[end]):
                end = probe
                probe += 1
            break
        rows = _rows(lines, start, end)
        title, title_line = _title_above(lines, start)
        tables.append(Table(start + 1, end + 1, rows, title, title_line))
        index = end + 1
    return tables


def _is_open_cell(text: str) -> bool:
    return is_cell_line(text) and len(text.strip()) <= 2


def _rows(lines: list[str], start: int, end: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    after_blank = False
    broken_cell = False
    for index in range(start, end + 1):
        text = lines[index]
        number = index + 1
        if not text.strip() and not is_cell_line(text):
            after_blank = True
            continue
        if after_blank and PRINTED_PAGE_NUMBER.fullmatch(text.strip()):
            continue  # a PDF's page number between the rows of a table running over pages
        if is_cell_line(text):
            width = len(rows[0]) if rows else None
            # A blank line ends a row, unless the row still lacks cells and its last cell went on
            # after an empty paragraph ("智慧", "", "健康", "", ""): that cell's row goes on too. A
            # row merged across the table ("一、医疗服务体系") is a row of its own.
            if after_blank and current and (width is None or len(current) >= width
                                             or not broken_cell):
                rows.append(current)
                current = []
            broken_cell = False
            current.append(Cell([(number, text.lstrip(" ").removeprefix("\t"))]))
        else:  # a continuation of the cell above, even across a blank line inside the cell
            broken_cell = broken_cell or after_blank
            if current:
                current[-1].parts.append((number, text))
            elif rows:
                rows[-1][-1].parts.append((number, text))
        after_blank = False
    if current:
        rows.append(current)
    return rows


def _title_above(lines: list[str], start: int) -> tuple[str, int]:
    for index in range(start - 1, max(start - 4, -1), -1):
        text = lines[index].strip()
        if text:
            return text, index + 1
    return "", 0


def header_text(cell: Cell) -> str:
    return re.sub(r"\s+", "", cell.text)
