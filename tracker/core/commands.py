"""What the loading commands (``tracker seed``, ``tracker regions load``) share."""

from __future__ import annotations

from typing import Callable, Protocol

import click
from sqlalchemy.orm import Session, scoped_session


class Report(Protocol):
    def lines(self) -> list[str]: ...


def load_and_report(session: Session | scoped_session, load: Callable[[], Report]) -> None:
    """Run ``load`` as one transaction of ``session``, committed when it returns and rolled back
    when it raises, then print its report a line at a time."""
    try:
        report = load()
        session.commit()
    except Exception:
        session.rollback()
        raise
    for line in report.lines():
        click.echo(line)
