"""benchmarks/RESULTS.md: the machine, the command, the date, every figure, and the targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .datasets import Dataset

NOTES = Path(__file__).resolve().parent / "NOTES.md"

# Issue 7's targets, at 100,000 projects on PostgreSQL.
P50_MS, P95_MS, FLOOR_RATIO = 50, 150, 3.0
CSV_ROWS_PER_S, CSV_PEAK_MIB = 50_000, 150
TARGET_PAGES = ("list", "project page", "dashboard")


@dataclass
class DatasetResults:
    dataset: Dataset
    targets: object = None
    pages: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    submissions: object = None
    datasette: list = field(default_factory=list)
    throughput: list = field(default_factory=list)
    load: tuple = ()  # the 1-minute load average when the measurements started and ended


@dataclass
class Results:
    command: str
    started: dt.datetime
    machine: dict
    report_month: str
    quick: bool = False
    datasets: list[DatasetResults] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f}"


def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✅" if ok else "❌")


def render(results: Results) -> str:
    m = results.machine
    out = ["# Benchmarks: the tracker at national scale", ""]
    if results.quick:
        out += ["> **Smoke run (--quick)**: too few repeats to be a result.", ""]
    out += [
        f"- **Command**: `{results.command}`",
        f"- **Date**: {results.started:%Y-%m-%d %H:%M %Z} (took {results.elapsed / 60:.0f} min)",
        f"- **Machine**: {m.get('cpu')}, {m.get('nproc')} cores (nproc), {m.get('memory')} memory; {m.get('os')}",
        f"- **Software**: Python {m.get('python')}, PostgreSQL {m.get('postgresql')} (default settings), "
        f"SQLite {m.get('sqlite')}, gunicorn {m.get('gunicorn')} (sync workers), "
        f"{m.get('datasette', 'Datasette not run')}; load generator: {m.get('load')}",
        f"- **Code**: commit {m.get('commit')}",
        f"- **Data**: `tracker demo-data --projects N --seed 1 --report-month {results.report_month}` "
        "(36 monthly reports per project, ~10 milestones, funding lines, annual plans, audit entries)",
        "",
        "How each figure is taken: pages are fetched through gunicorn (2 workers) on 127.0.0.1 by "
        "one keep-alive client logged in as a leader (session cookie), after 2 warm-up requests; "
        "p50 and p95 over the repeats (n). The **floor** is the page's own SQL statements, captured "
        "in-process with a SQLAlchemy `before_cursor_execute` hook and replayed through the bare "
        "driver (psycopg / sqlite3: no ORM, no template, no HTTP), with the figures cache emptied first "
        "so that the floor holds every query the page needs; **ratio** = page p50 / floor p50 (below 1 "
        "when the page is served from the cache). "
        "Exports download the whole portfolio (`kind=all`) from a fresh one-worker server; peak "
        "memory is that worker's VmHWM. The run's own processes (client, servers, wrk, "
        "Datasette) run at nice -10, since the machine may be shared; PostgreSQL runs as it is. "
        "Report submissions call "
        "`tracker.progress.services.submit_report` one transaction each, and are removed afterwards.",
        "",
    ]
    out += _targets(results)
    for section in results.datasets:
        out += _dataset(section)
    out += _generation(results)
    if results.notes:
        out += ["## Skipped or failed", ""] + [f"- {note}" for note in results.notes] + [""]
    if NOTES.exists():
        out += [NOTES.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(out) + "\n"


def _targets(results: Results) -> list[str]:
    section = next((s for s in results.datasets
                    if s.dataset.database == "postgresql" and s.dataset.size == 100_000), None)
    out = ["## Targets at 100,000 projects on PostgreSQL", ""]
    if section is None:
        return out + ["Not measured in this run.", ""]
    out += ["| what | target | measured | met |", "|---|---|---|---|"]
    for page in section.pages:
        if not page.name.startswith(TARGET_PAGES):
            continue
        if page.stats is None:
            out.append(f"| {page.name} | p50 < {P50_MS} ms, p95 < {P95_MS} ms, ≤ {FLOOR_RATIO:g}× floor "
                       f"| {page.note or 'not measured'} | — |")
            continue
        ok = page.stats.p50 * 1000 < P50_MS and page.stats.p95 * 1000 < P95_MS
        ratio_ok = page.ratio is not None and page.ratio <= FLOOR_RATIO
        ratio = f"{page.ratio:.1f}×" if page.ratio else "—"
        out.append(f"| {page.name} | p50 < {P50_MS} ms, p95 < {P95_MS} ms, ≤ {FLOOR_RATIO:g}× floor | "
                   f"p50 {ms(page.stats.p50)} ms, p95 {ms(page.stats.p95)} ms, {ratio} | "
                   f"{mark(ok)} {mark(ratio_ok)} |")
    csv = next((e for e in section.exports if e.fmt == "csv"), None)
    if csv and csv.stats:
        out.append(f"| csv export | > {CSV_ROWS_PER_S:,} rows/s, peak < {CSV_PEAK_MIB} MiB | "
                   f"{csv.rows_per_second:,.0f} rows/s, peak {csv.peak_mib:.0f} MiB | "
                   f"{mark(csv.rows_per_second > CSV_ROWS_PER_S)} {mark(csv.peak_mib < CSV_PEAK_MIB)} |")
    elif csv:
        out.append(f"| csv export | > {CSV_ROWS_PER_S:,} rows/s, peak < {CSV_PEAK_MIB} MiB | {csv.note} | — |")
    sqlite_sections = [s for s in results.datasets if s.datasette]
    if sqlite_sections:
        largest = max(sqlite_sections, key=lambda s: s.dataset.size)
        for item in largest.datasette:
            ratio = f"{item.ratio:.2f}" if item.ratio else "—"
            out.append(f"| vs Datasette ({largest.dataset.size:,}, SQLite): {item.name} | ours/theirs < 1 | "
                       f"{ratio} | {mark(item.ratio < 1 if item.ratio else None)} |")
    return out + ["", "Pages: first mark p50/p95, second mark the ratio to the floor.", ""]


def _dataset(section: DatasetResults) -> list[str]:
    d = section.dataset
    rows = ", ".join(f"{table} {count:,}" for table, count in d.rows.items())
    out = [f"## {d.label}", "", f"Rows: {rows}."]
    if len(section.load) == 2:
        out[-1] += (f" Load average (1 min) on this {section.dataset.database} run: "
                    f"{section.load[0]:.1f} at the start, {section.load[1]:.1f} at the end.")
    out.append("")
    if section.targets is not None:
        t = section.targets
        out += [f"Chosen: city `{t.city}` (the median city by projects), county `{t.county}`, "
                f"project {t.project_id}, deep page {t.deep_page} (the middle of the list).", ""]
    out += ["| page | p50 ms | p95 ms | n | floor p50 ms | ratio | SQL statements | KiB | note |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for page in section.pages:
        stats, floor = page.stats, page.floor
        out.append(f"| {page.name} | {ms(stats.p50 if stats else None)} | {ms(stats.p95 if stats else None)} | "
                   f"{stats.n if stats else '—'} | {ms(floor.p50 if floor else None)} | "
                   f"{f'{page.ratio:.1f}×' if page.ratio else '—'} | {page.statements or '—'} | "
                   f"{page.size_kib or '—'} | {page.note} |")
    out += ["", "| export | rows | p50 s | rows/s | size MiB | worker peak MiB | after one page MiB | note |",
            "|---|---:|---:|---:|---:|---:|---:|---|"]
    for export in section.exports:
        if export.stats:
            out.append(f"| {export.fmt} (whole portfolio) | {export.rows:,} | {export.stats.p50:.2f} | "
                       f"{export.rows_per_second:,.0f} | {export.bytes / 1048576:.1f} | "
                       f"{export.peak_mib:.0f} | {export.baseline_mib:.0f} | n={export.stats.n} |")
        else:
            out.append(f"| {export.fmt} | — | — | — | — | — | — | {export.note} |")
    sub = section.submissions
    if sub is not None:
        out += [""]
        if sub.stats:
            out.append(f"Monthly-report submissions (`submit_report`, one transaction each): "
                       f"**{sub.per_second:.1f} per second** (p50 {ms(sub.stats.p50)} ms, "
                       f"p95 {ms(sub.stats.p95)} ms, n={sub.stats.n}).")
        else:
            out.append(f"Monthly-report submissions: {sub.note or 'not measured'}.")
    if section.datasette:
        out += ["", "Side by side with Datasette, serving the same SQLite file:", "",
                "| operation | ours | ours p50 ms | Datasette | Datasette p50 ms | ours/theirs | note |",
                "|---|---|---:|---|---:|---:|---|"]
        for item in section.datasette:
            out.append(f"| {item.name} | `{item.ours_path}` | {ms(item.ours.p50 if item.ours else None)} | "
                       f"`{item.theirs_path}` | {ms(item.theirs.p50 if item.theirs else None)} | "
                       f"{f'{item.ratio:.2f}' if item.ratio else '—'} | {item.note} |")
    if section.throughput:
        out += ["", "Throughput under load (gunicorn sync workers, loopback):", "",
                "| workers | path | requests/s | p50 ms under load | errors | scaling vs 1 worker | tool |",
                "|---:|---|---:|---:|---:|---:|---|"]
        base = {t.path: t.requests_per_second for t in section.throughput if t.workers == 1}
        for item in section.throughput:
            scale = item.requests_per_second / base[item.path] if base.get(item.path) else None
            out.append(f"| {item.workers} | `{item.path}` | {item.requests_per_second:,.1f} | "
                       f"{'—' if item.p50_ms is None else f'{item.p50_ms:,.0f}'} | {item.errors} | "
                       f"{'—' if scale is None else f'{scale:.2f}×'} | {item.tool} |")
    return out + [""]


def _generation(results: Results) -> list[str]:
    out = ["## Generating the data (`tracker demo-data`)", "",
           "| database | projects | monthly reports | seconds |", "|---|---:|---:|---:|"]
    for section in results.datasets:
        d = section.dataset
        seconds = "—" if d.generated_seconds is None else f"{d.generated_seconds:,.0f}"
        out.append(f"| {d.database} | {d.size:,} | {d.rows.get('monthly_reports', 0):,} | {seconds}"
                   f"{' (an earlier run; reused)' if d.reused else ''} |")
    return out + [""]
