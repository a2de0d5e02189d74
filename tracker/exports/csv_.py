"""The portfolio list as CSV: UTF-8 with a byte-order mark, so Excel on Chinese Windows reads it.

Same columns and headers as the xlsx (and the importer reads it back); no totals row, so every
line is a project. Streamed: one chunk per partition of rows (``listing.Listing``), memory flat.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Generator

from ..portfolio.filters import PortfolioFilter
from .columns import export_columns
from .listing import Listing

BOM = "\ufeff".encode("utf-8")


def csv_chunks(portfolio_filter: PortfolioFilter, *, include_money: bool = True,
               today: dt.date | None = None, batch: int | None = None) -> Generator[bytes, None, int]:
    """The csv as byte chunks; the generator returns the number of projects written."""
    columns = export_columns(include_money)
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the excel dialect: quotes where needed, CRLF line ends
    writer.writerow([column.label for column in columns])
    yield BOM + buffer.getvalue().encode("utf-8")
    # Built here, inside the (streamed) response: the labels are in the request's language.
    listing = Listing(columns, text=True)
    for rows in listing.partitions(portfolio_filter, listing.text_converters(), today=today,
                                   batch=batch):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        yield buffer.getvalue().encode("utf-8")
    return listing.count


def write_csv(out, portfolio_filter: PortfolioFilter, **kwargs) -> int:
    """Write to a binary file; returns the number of projects written."""
    chunks = csv_chunks(portfolio_filter, **kwargs)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as end:
            return end.value
