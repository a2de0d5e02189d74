"""What an import found, row by row: the report the preview page, the confirmation and the CLI show."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from ..core.translation import labelled, phrases

PROJECTS = "projects"
MONTHLY_REPORTS = "monthly-reports"

ACTION_LABELS = {
    PROJECTS: {"create": _l("新增"), "update": _l("修改"), "unchanged": _l("无变化"), "error": _l("错误")},
    MONTHLY_REPORTS: {"create": _l("新填报"), "update": _l("更正"), "unchanged": _l("无变化"),
                      "error": _l("错误")},
}


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str
    cell: str | None = None  # as Excel names it: H4

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column and self.cell:
            return _("%(cell)s 单元格（第 %(row)s 行「%(column)s」）：%(message)s", cell=self.cell,
                     row=self.row, column=self.column, message=self.message)
        if self.column:
            return _("第 %(row)s 行「%(column)s」：%(message)s", row=self.row, column=self.column,
                     message=self.message)
        return _("第 %(row)s 行：%(message)s", row=self.row, message=self.message)


@dataclass
class RowOutcome:
    row: int
    action: str = "error"  # create, update, unchanged, error
    title: str = ""
    project_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)
    problems: list[Problem] = field(default_factory=list)
    status_change: bool = False
    cleared: int = 0  # stored values the row empties (a （清空） cell)

    def problem(self, column: str | None, message: str, cell: str | None = None) -> None:
        self.problems.append(Problem(self.row, column, message, cell))
        self.action = "error"


@dataclass
class ImportReport:
    kind: str
    filename: str
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the file as a whole
    warnings: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # "project:12" → version at preview
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not any(o.problems for o in self.outcomes)

    @property
    def counts(self) -> Counter:
        return Counter(o.action for o in self.outcomes)

    @property
    def has_changes(self) -> bool:
        return any(o.action in ("create", "update") for o in self.outcomes)

    @property
    def cleared(self) -> int:
        """How many stored values the import would empty (or emptied)."""
        return sum(o.cleared for o in self.outcomes if o.action == "update")

    @property
    def status_changes(self) -> int:
        return sum(1 for o in self.outcomes if o.status_change)

    def action_label(self, action: str) -> str:
        return str(ACTION_LABELS[self.kind][action])

    def all_problems(self) -> list[Problem]:
        return self.problems + [p for o in self.outcomes for p in o.problems]

    def summary(self) -> str:
        counts = self.counts
        labels = ACTION_LABELS[self.kind]
        parts = _("%(create)s %(n_create)s 行，%(update)s %(n_update)s 行，无变化 %(n_same)s 行，错误 %(n_error)s 行",
                  create=labels["create"], n_create=counts["create"], update=labels["update"],
                  n_update=counts["update"], n_same=counts["unchanged"], n_error=counts["error"])
        if self.problems or counts["error"]:
            return parts + _("。有错误，未导入任何内容。")
        if self.applied:
            return parts + _("。已全部导入。")
        return parts + _("。预览：尚未导入。")

    def to_dict(self) -> dict:
        """The report as JSON-safe data: the preview is computed once and kept with the upload."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        report = cls(**{**data, "outcomes": [], "problems": []})
        report.problems = [Problem(**problem) for problem in data.get("problems", [])]
        for item in data.get("outcomes", []):
            outcome = RowOutcome(**{**item, "problems": [], "changes": []})
            outcome.problems = [Problem(**problem) for problem in item.get("problems", [])]
            outcome.changes = [tuple(change) for change in item.get("changes", [])]
            report.outcomes.append(outcome)
        return report

    def lines(self) -> list[str]:
        """The report as text, row by row (the CLI prints it; the preview page shows the same)."""
        lines = [str(problem) for problem in self.problems]
        lines += [_("提示：%(text)s", text=warning) for warning in self.warnings]
        for outcome in self.outcomes:
            if outcome.problems:
                lines += [str(problem) for problem in outcome.problems]
                continue
            head = _("第 %(row)s 行：%(action)s「%(title)s」", row=outcome.row,
                     action=self.action_label(outcome.action), title=outcome.title)
            if outcome.project_id and outcome.action != "create":
                head += _("（项目ID %(id)s）", id=outcome.project_id)
            if outcome.changes:
                head = labelled(head, phrases(
                    f"{column} {old} → {new}" if outcome.action != "create" else f"{column} {new}"
                    for column, old, new in outcome.changes))
            lines.append(head)
        if self.cleared:
            lines.append(self.cleared_text())
        lines.append(self.summary())
        return lines

    def cleared_text(self) -> str:
        if self.applied:
            return ngettext("本次导入清空了 %(n)s 个已有数据（表格中填了“（清空）”的单元格）。",
                            "本次导入清空了 %(n)s 个已有数据（表格中填了“（清空）”的单元格）。",
                            self.cleared, n=self.cleared)
        return ngettext("本次导入将清空 %(n)s 个已有数据（表格中填了“（清空）”的单元格）。",
                        "本次导入将清空 %(n)s 个已有数据（表格中填了“（清空）”的单元格）。",
                        self.cleared, n=self.cleared)
