"""The portfolio list as CSV: UTF-8 with a byte-order mark, so Excel on Chinese Windows reads it.

Same columns and headers as the xlsx (and the importer reads it back); no totals row, so every
line is a project. Streamed: one chunk per batch of projects, memory flat.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterator

from ..portfolio import queries
from ..portfolio.exports import BATCH, iter_batches
from ..portfolio.filters import PortfolioFilter
from .columns import export_columns, text_value
from .xlsx import LIST_OPTIONS

ENCODING = "utf-8-sig"
BOM = "\ufeff".encode("utf-8")


def csv_chunks(portfolio_filter: PortfolioFilter, *, include_money: bool = True,
               today: dt.date | None = None, batch: int = BATCH) -> Iterator[bytes]:
    columns = export_columns(include_money)
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the excel dialect: quotes where needed, CRLF line ends
    writer.writerow([column.label for column in columns])
    yield BOM + buffer.getvalue().encode("utf-8")
    for projects in iter_batches(portfolio_filter, options=LIST_OPTIONS, today=today, batch=batch):
        buffer.seek(0)
        buffer.truncate()
        for project in projects:
            writer.writerow([text_value(column, column.get(project)) for column in columns])
        projects.clear()  # let this batch go before the next one loads
        yield buffer.getvalue().encode("utf-8")


def write_csv(out, portfolio_filter: PortfolioFilter, **kwargs) -> int:
    """Write to a binary file; returns the number of projects written."""
    for chunk in csv_chunks(portfolio_filter, **kwargs):
        out.write(chunk)
    return queries.totals(portfolio_filter, kwargs.get("today")).projects
