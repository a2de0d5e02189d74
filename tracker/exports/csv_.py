"""The portfolio list as CSV: UTF-8 with a byte-order mark, so Excel on Chinese Windows reads it.

Same columns and headers as the xlsx (and the importer reads it back); no totals row, so every
line is a project. Streamed: one chunk per partition of rows (``listing.Listing``), memory flat.

The database writes the lines: PostgreSQL through ``COPY … TO STDOUT`` (``csv_copy``), SQLite
through one SELECT whose one column is the finished line (``csv_lines``); Python passes blocks of
bytes on. ``csv.writer`` (``Lines``) writes the header, and the rows on a PostgreSQL older than 13
(no ``trim_scale``). All write the same bytes: lines end in "\\n" (the only line end COPY
writes), and a cell is quoted when it holds a comma, a quote, a line feed or a carriage return.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Generator

from ..extensions import db
from ..portfolio.filters import PortfolioFilter
from .columns import export_columns
from .csv_copy import copy_chunks
from .csv_lines import line_chunks
from .listing import Listing

BOM = "\ufeff".encode("utf-8")


class Lines:
    """``csv.writer``'s lines, in the excel dialect but for the line end: "\\n". With that line
    end ``csv.writer`` would leave a carriage return inside a cell unquoted (it quotes what is in
    its line end), where PostgreSQL's COPY and the CRLF writer quote it: a block that holds one
    is written again, row by row, each row with "\\r\\n" as the line end taken back off."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.crlf = csv.writer(self.buffer)  # quotes a carriage return, as COPY does

    def block(self, rows: Iterable[Iterable]) -> bytes:
        rows = list(rows)
        buffer = self.buffer
        buffer.seek(0)
        buffer.truncate()
        self.writer.writerows(rows)
        text = buffer.getvalue()
        if "\r" in text:  # rare: a stored text with a carriage return
            lines = []
            for row in rows:
                buffer.seek(0)
                buffer.truncate()
                self.crlf.writerow(row)
                lines.append(buffer.getvalue()[:-2] + "\n")
            text = "".join(lines)
        return text.encode("utf-8")


def csv_chunks(portfolio_filter: PortfolioFilter, *, include_money: bool = True,
               today: dt.date | None = None, batch: int | None = None) -> Generator[bytes, None, int]:
    """The csv as byte chunks; the generator returns the number of projects written."""
    columns = export_columns(include_money)
    lines = Lines()
    yield BOM + lines.block([[column.label for column in columns]])
    # Built here, inside the (streamed) response: the labels are in the request's language.
    listing = Listing(columns, text=True)
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql" and (dialect.server_version_info or (0,)) >= (13,):  # trim_scale
        yield from copy_chunks(listing, portfolio_filter, write=lines.block, today=today, batch=batch)
        return listing.count
    if dialect.name == "sqlite":
        yield from line_chunks(listing, portfolio_filter, today=today, batch=batch)
        return listing.count
    for rows in listing.partitions(portfolio_filter, listing.text_converters(), today=today,
                                   batch=batch):
        yield lines.block(rows)
    return listing.count


def write_csv(out, portfolio_filter: PortfolioFilter, **kwargs) -> int:
    """Write to a binary file; returns the number of projects written."""
    chunks = csv_chunks(portfolio_filter, **kwargs)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as end:
            return end.value
