"""What keeping the portfolio figures costs a write: a project saved (总投资 changed) and a monthly
report filed, each committed, with the kept figures' session hooks on and off, alternating.

    TRACKER_DATABASE_URL=… .venv/bin/python benchmarks/kept_write_cost.py [--runs 20]

Writes into the configured database (use a copy): each run changes a project of the demo data.
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import create_app
from tracker.audit.services import CLI
from tracker.core import clock
from tracker.extensions import db
from tracker.models import Project
from tracker.portfolio import kept
from tracker.progress import services as progress
from tracker.projects import services
from tracker.vocabulary import Status

HOOKS = (("before_flush", kept._take_before), ("after_flush_postexec", kept._born_ids),
         ("before_commit", kept._before_commit))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    app = create_app()
    with app.app_context():
        month = clock.today().replace(day=1)  # the month after the demo's last reports
        ids = db.session.scalars(sa.select(Project.id).where(Project.status == Status.CONSTRUCTION,
                                                             Project.last_report_month < month,
                                                             Project.total_investment > 2 * Project.invested_to_date)
                                 .order_by(Project.id).limit(options.runs * 2)).all()
        times: dict[str, list[float]] = {}
        for run, project_id in enumerate(ids):
            on = run % 2 == 0
            if not on:
                for name, hook in HOOKS:
                    sa.event.remove(Session, name, hook)
            project = db.session.get(Project, project_id)
            started = time.perf_counter()
            services.update_project(CLI, project, {"total_investment": (project.total_investment or Decimal(0)) + 1})
            db.session.commit()
            saved = time.perf_counter()
            progress.submit_report(CLI, db.session.get(Project, project_id), month,
                                   invested_month=Decimal("1"))
            db.session.commit()
            done = time.perf_counter()
            if not on:
                for name, hook in HOOKS:
                    sa.event.listen(Session, name, hook)
            label = "kept" if on else "off"
            times.setdefault(f"save {label}", []).append((saved - started) * 1000)
            times.setdefault(f"report {label}", []).append((done - saved) * 1000)
        for name, values in times.items():
            print(f"{name:12s} p50={statistics.median(values):6.1f} ms  max={max(values):6.1f} ms")


if __name__ == "__main__":
    main()
