"""Checks that the seed files say only what the plan documents say.

Each quote must stand verbatim on its cited line of the source document, and every number a record
states must appear among that record's quotes. Used by ``tracker seed --check`` and by the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ..core.values import HALF_WIDTH_DIGITS
from ..vocabulary import BuildNature, Category, IndicatorNature, Kind, RegionLevel, Stage, Status


def _codes(vocabulary, *, optional: bool = False) -> set:
    """The codes a seed file may write: the vocabulary's own (None where the field may be unstated)."""
    return {member.value for member in vocabulary} | ({None} if optional else set())


KINDS = _codes(Kind)
CATEGORIES = _codes(Category)
BUILD_NATURES = _codes(BuildNature, optional=True)
STATUSES = _codes(Status, optional=True)
STAGES = _codes(Stage)
LEVELS = _codes(RegionLevel)
NATURES = _codes(IndicatorNature, optional=True)
COMPARATORS = {"≥", "≤", ">", "<", "=", None}

PROJECT_NUMBER_FIELDS = ("land_area_mu", "floor_area_m2", "beds", "new_beds",
                         "total_investment_wan_yuan")
INDICATOR_NUMBER_FIELDS = ("baseline", "target")


@dataclass
class Problem:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


# libyaml's parser when PyYAML was built with it: the seed parses ten times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_seed_files(seed_dir: Path) -> list[tuple[Path, dict]]:
    return [(path, yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader))
            for path in sorted(seed_dir.glob("*.yaml"))]


def number_forms(value: str) -> list[str]:
    """The ways a document may print ``value``: 1320 as "1320" or "1,320"; 4.0 as "4"."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return [str(value)]
    plain = format(number.normalize(), "f") if number == number.to_integral() else str(value)
    if number == number.to_integral():
        plain = str(int(number))
    forms = {str(value), plain}
    integer, _, fraction = plain.partition(".")
    if len(integer.lstrip("-")) > 3:
        grouped = f"{int(integer):,}"
        forms.add(grouped + (f".{fraction}" if fraction else ""))
    return sorted(forms, key=len, reverse=True)


def _numbers_in(text: str) -> set[str]:
    """The numbers printed in ``text``, in ASCII digits: "５８０００" is printed 58000 (a planner's
    correct figure from a full-width document was refused as not in its quote)."""
    return set(re.findall(r"[0-9][0-9,]*(?:\.[0-9]+)?", text.translate(HALF_WIDTH_DIGITS)))


def appears_in(value, quotes: list[str]) -> bool:
    """True when ``value`` is printed in one of the quotes as a whole number, not inside another."""
    joined = "\n".join(quotes)
    numbers = _numbers_in(joined)
    numbers |= {n.replace(",", "") for n in numbers}
    return any(form in numbers for form in number_forms(value))


class SeedChecker:
    def __init__(self, sources_dir: Path):
        self.sources_dir = sources_dir
        self._lines: dict[str, list[str]] = {}
        self.problems: list[Problem] = []

    def lines_of(self, file: str) -> list[str] | None:
        if file not in self._lines:
            path = self.sources_dir / file
            if not path.exists():
                return None
            self._lines[file] = path.read_text(encoding="utf-8").split("\n")
        return self._lines[file]

    def problem(self, file: str, where: str, message: str) -> None:
        self.problems.append(Problem(file, where, message))

    def check_quotes(self, seed_file: str, doc_file: str, where: str, sources) -> list[str]:
        quotes: list[str] = []
        if not sources:
            self.problem(seed_file, where, "no sources: every record needs its lines and quotes")
            return quotes
        lines = self.lines_of(doc_file)
        for source in sources:
            line, quote = source.get("line"), source.get("quote")
            if not isinstance(line, int) or not quote:
                self.problem(seed_file, where, f"source needs a line number and a quote: {source}")
                continue
            quote = str(quote)
            quotes.append(quote)
            if lines is None:
                self.problem(seed_file, where, f"document {doc_file} not found")
            elif not 1 <= line <= len(lines):
                self.problem(seed_file, where, f"line {line} is outside {doc_file}")
            elif quote not in lines[line - 1]:
                self.problem(seed_file, where,
                             f"quote {quote!r} is not on line {line} of {doc_file}: "
                             f"{lines[line - 1][:80]!r}")
        return quotes

    def check_file(self, path: Path, data: dict, known_projects: dict[str, str],
                   known_regions: dict[str, dict]) -> None:
        name = path.name
        document = data.get("document") or {}
        doc_file = document.get("file")
        if not doc_file:
            self.problem(name, "document", "document.file is required")
            return
        self.check_quotes(name, doc_file, "document", document.get("sources"))

        for region in data.get("regions") or []:
            key = region.get("key")
            if region.get("level") not in LEVELS:
                self.problem(name, f"region {key}", f"level {region.get('level')!r} unknown")
            if region.get("code") and not re.fullmatch(r"\d{6}", str(region["code"])):
                self.problem(name, f"region {key}", "a GB/T 2260 code has six digits")
            previous = known_regions.get(key)
            if previous and {k: previous.get(k) for k in ("code", "name", "parent")} != {
                    k: region.get(k) for k in ("code", "name", "parent")}:
                self.problem(name, f"region {key}", "differs from an earlier file's definition")
            known_regions.setdefault(key, region)
        if document.get("region") not in known_regions:
            self.problem(name, "document", f"region {document.get('region')!r} is not defined")

        for project in data.get("projects") or []:
            key = project.get("key")
            where = f"project {key}"
            if not key or not project.get("name"):
                self.problem(name, where, "key and name are required")
                continue
            defined_before = key in known_projects
            if not defined_before:
                for field, allowed in (("kind", KINDS), ("category", CATEGORIES),
                                       ("build_nature", BUILD_NATURES), ("status", STATUSES)):
                    if project.get(field) not in allowed:
                        self.problem(name, where, f"{field} {project.get(field)!r} is not a known code")
                if project.get("region") not in known_regions:
                    self.problem(name, where, f"region {project.get('region')!r} is not defined")
                known_projects[key] = name
            # One rule for every plan: what the text reports as already built (已建, 建成投用 …)
            # was built before the plan and is not one of its projects (README, "Rules").
            done = project.get("status") in ("completed", "in_use")
            if done != bool(project.get("built_before_plan")):
                self.problem(name, where, "status completed/in_use goes with built_before_plan: true"
                             if done else "built_before_plan needs status completed or in_use")
            quotes = self.check_quotes(name, doc_file, where, project.get("sources"))
            for field in PROJECT_NUMBER_FIELDS:
                value = project.get(field)
                if value is not None and not appears_in(value, quotes):
                    self.problem(name, where, f"{field} {value} does not appear in its quotes")
            for milestone in project.get("milestones") or []:
                if milestone.get("stage") not in STAGES and not milestone.get("name"):
                    self.problem(name, where, f"milestone stage {milestone.get('stage')!r} unknown")
                self.check_quotes(name, doc_file, f"{where} milestone", milestone.get("sources"))

        for item in data.get("retired") or []:
            where = f"retired {item.get('key')}"
            if item.get("key") in known_projects:
                self.problem(name, where, "a retired key cannot be a project of the seed")
            if item.get("into") not in known_projects:
                self.problem(name, where, f"into {item.get('into')!r} is not a project of the seed")
            if not item.get("reason"):
                self.problem(name, where, "a reason is required")

        for indicator in data.get("indicators") or []:
            where = f"indicator {indicator.get('key')}"
            if indicator.get("comparator") not in COMPARATORS:
                self.problem(name, where, f"comparator {indicator.get('comparator')!r} unknown")
            if indicator.get("nature") not in NATURES:
                self.problem(name, where, f"nature {indicator.get('nature')!r} unknown")
            quotes = self.check_quotes(name, doc_file, where, indicator.get("sources"))
            for field in INDICATOR_NUMBER_FIELDS:
                value = indicator.get(field)
                if value is not None and not any(str(value) in q for q in quotes):
                    self.problem(name, where, f"{field} {value!r} does not appear in its quotes")

    def check_all(self, seed_dir: Path) -> list[Problem]:
        known_projects: dict[str, str] = {}
        known_regions: dict[str, dict] = {}
        for path, data in load_seed_files(seed_dir):
            self.check_file(path, data or {}, known_projects, known_regions)
        return self.problems


def main() -> int:  # pragma: no cover - a helper for editing the seed files by hand
    import sys
    root = Path(__file__).resolve().parents[2]
    sources = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "seeds"
    problems = SeedChecker(sources).check_all(root / "seed")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
