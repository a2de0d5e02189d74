"""``tracker export --format json|xlsx|csv|oc4ids|pdf``: the list's exports from the shell."""

from __future__ import annotations

import sys

import click
from flask import current_app

from ..portfolio.filters import PortfolioFilter

FORMATS = ("json", "xlsx", "csv", "oc4ids", "pdf")
BINARY = ("xlsx", "pdf")


def run_export(fmt: str, portfolio_filter: PortfolioFilter, output: str | None) -> int:
    """Write the export to ``output`` (or standard output for the text formats); returns the count."""
    if fmt in BINARY and not output:
        raise click.UsageError(f"--format {fmt} writes a binary file: give --output FILE")
    if fmt == "json":
        from .records import write_json
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                return write_json(handle, portfolio_filter)
        return write_json(sys.stdout, portfolio_filter)
    if fmt == "oc4ids":
        from ..portfolio import queries
        from .oc4ids import write_package
        if queries.totals(portfolio_filter).projects == 0:
            raise click.ClickException("no project matches: an OC4IDS package needs at least one")
        kwargs = {"prefix": current_app.config.get("OC4IDS_PREFIX", "oc4ids-tracker-"),
                  "publisher": current_app.config.get("OC4IDS_PUBLISHER")}
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                return write_package(handle, portfolio_filter, **kwargs)
        return write_package(sys.stdout, portfolio_filter, **kwargs)
    if fmt == "csv":
        from .csv_ import write_csv
        if output:
            with open(output, "wb") as handle:
                return write_csv(handle, portfolio_filter)
        return write_csv(sys.stdout.buffer, portfolio_filter)
    assert output is not None  # the binary formats are left, refused above without one
    if fmt == "xlsx":
        from .xlsx import write_xlsx
        with open(output, "wb") as handle:
            return write_xlsx(handle, portfolio_filter)
    from .pdf import TooManyRows, write_pdf
    try:
        with open(output, "wb") as handle:
            return write_pdf(handle, portfolio_filter,
                             max_rows=current_app.config.get("EXPORT_PDF_MAX_ROWS", 2000))
    except TooManyRows as too_many:
        raise click.ClickException(str(too_many)) from None
