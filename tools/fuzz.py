"""`make fuzz`: hostile input at scale (issue 14), with the figures docs/RELIABILITY.md records.

Runs each property of tests/test_hostile_input.py (every form, the importer, the query strings of
every page) with the "hostile-fuzz" Hypothesis profile (10,000 fresh examples each), and the route
walk of tests/test_every_route.py with its whole corpus, in ``--jobs`` processes (each its own
pytest session, so its own database). Prints a Markdown table: property, examples, answers by
status, seconds, result. Exit status 1 when any failed.

    .venv/bin/python tools/fuzz.py [--examples N] [--jobs N] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "tests/test_hostile_input.py"
PROPERTIES = [
    "test_project_create_form_takes_no_hostile_value",
    "test_project_edit_form_takes_no_hostile_value",
    "test_milestone_forms_take_no_hostile_value",
    "test_monthly_report_form_takes_no_hostile_value",
    "test_budget_revision_form_takes_no_hostile_value",
    "test_funding_and_annual_plan_forms_take_no_hostile_value",
    "test_the_login_form_takes_no_hostile_value",
    "test_the_importer_takes_no_hostile_file",
    "test_hostile_query_strings_get_an_answer_not_a_crash",
    "test_the_new_plan_form_takes_no_hostile_value_or_text",
    "test_the_plan_correction_and_indicator_forms_take_no_hostile_value",
]
ROUTE_WALK = "tests/test_every_route.py"
PASSING = re.compile(r"(\d+) passing, (\d+) failing")
EVENT = re.compile(r"\* ([\d.]+)%, ((?:\w+ )?answered \d+)")
REQUESTS = re.compile(r"(\d+) requests to (\d+) URLs")


def run(target: str, examples: int, log_dir: Path) -> dict:
    env = {**os.environ, "TRACKER_FUZZ": "1", "TRACKER_HOSTILE_EXAMPLES": str(examples),
           "TRACKER_WALK_ALL": "1", "PYTHONHASHSEED": "0"}
    name = target.rsplit("::", 1)[-1].removesuffix(".py").replace("/", "-")
    log = log_dir / f"{name}.log"
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                                "--hypothesis-show-statistics", target], cwd=ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    text = log.read_text(errors="replace")
    passing = sum(int(match.group(1)) for match in PASSING.finditer(text))
    failing = sum(int(match.group(2)) for match in PASSING.finditer(text))
    answers: dict[str, float] = {}
    for share, label in EVENT.findall(text):
        status = label.replace("answered ", "")
        answers[status] = answers.get(status, 0) + float(share)
    walked = REQUESTS.findall(text)
    return {"name": name, "code": code, "seconds": time.monotonic() - started, "examples": passing,
            "failing": failing, "answers": answers, "log": log,
            "requests": sum(int(count) for count, _urls in walked) if walked else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="run only the targets whose name contains this")
    parser.add_argument("--no-walk", action="store_true", help="leave out the route walk")
    options = parser.parse_args()
    log_dir = ROOT / "fuzz-logs"
    log_dir.mkdir(exist_ok=True)
    targets = [f"{HOSTILE}::{name}" for name in PROPERTIES] + ([] if options.no_walk else [ROUTE_WALK])
    targets = [target for target in targets if options.only in target]
    started = time.monotonic()
    with ThreadPoolExecutor(options.jobs) as pool:
        results = list(pool.map(lambda target: run(target, options.examples, log_dir), targets))
    print("| property | examples | answers | seconds | result |")
    print("|---|---:|---|---:|---|")
    for result in results:
        shares = ", ".join(f"{status}: {share:.0f} %" for status, share in sorted(result["answers"].items()))
        count = result["requests"] if result["requests"] is not None else result["examples"]
        unit = " requests" if result["requests"] is not None else ""
        verdict = "passed" if result["code"] == 0 else f"FAILED (see {result['log'].relative_to(ROOT)})"
        print(f"| {result['name']} | {count:,}{unit} | {shares or '—'} | {result['seconds']:.0f} | {verdict} |")
    print(f"\n{len(results)} targets in {time.monotonic() - started:.0f} s, {options.jobs} processes; "
          f"logs in fuzz-logs/")
    return 0 if all(result["code"] == 0 for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
