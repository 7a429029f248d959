"""The board report: figures by group with small numbers hidden, and its CSV download."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from cohorts import disclosure, reports
from cohorts.models import Cohort
from cohorts.presenters.formatting import percent
from cohorts.presenters.tabs import REPORT, cohort_tabs
from cohorts.reports import CourseShape, GroupFigures, ModuleShape

TOTAL = "\x00total"  # the total row's key: no group can be called this
LEARNERS, ON_TRACK, BEHIND, INACTIVE = "learners", "on_track", "behind", "inactive"
COMPLETION, MASTERY = "completion", "mastery"
COUNT_COLUMNS = (ON_TRACK, BEHIND, INACTIVE)
REPORT_COLUMNS = (
    (LEARNERS, "Learners"), (ON_TRACK, "On track"), (BEHIND, "Behind"), (INACTIVE, "Inactive"),
    (COMPLETION, "Average completion"), (MASTERY, "Average mastery"),
)  # fmt: skip
HIDDEN = "hidden"


def module_key(module: ModuleShape) -> str:
    return f"module-{module.id}"


@dataclass(frozen=True)
class ReportCell:
    value: int | None  # None when hidden or undefined
    text: str
    hidden: bool

    @property
    def csv_value(self) -> int | str:
        return self.text if self.hidden or self.value is None else self.value


@dataclass(frozen=True)
class ReportRow:
    label: str
    cells: tuple[ReportCell, ...]
    total: bool = False


@dataclass(frozen=True)
class Report:
    threshold: int
    columns: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    module_columns: tuple[str, ...]
    module_rows: tuple[ReportRow, ...]
    hidden_cells: int

    @property
    def empty(self) -> bool:
        return len(self.rows) <= 1


def group_label(group: str) -> str:
    return group or "No group"


def board_report(
    *,
    groups: Sequence[GroupFigures],
    module_done: Mapping[str, Mapping[int, int]],
    shape: CourseShape,
    threshold: int,
) -> Report:
    """The aggregate table (and completion by module) for each group and the whole cohort,
    with small numbers hidden by the rules in cohorts.disclosure."""
    total = GroupFigures(
        group=TOTAL,
        learners=sum(g.learners for g in groups),
        on_track=sum(g.on_track for g in groups),
        behind=sum(g.behind for g in groups),
        inactive=sum(g.inactive for g in groups),
        items_done=sum(g.items_done for g in groups),
        exercises_correct=sum(g.exercises_correct for g in groups),
    )
    keys = [g.group for g in groups]
    module_total: dict[int, int] = {}
    for done in module_done.values():
        for module_id, n in done.items():
            module_total[module_id] = module_total.get(module_id, 0) + n
    values: dict[disclosure.Cell, float | int | None] = {}
    for figures in (*groups, total):
        row = figures.group
        values[(row, LEARNERS)] = figures.learners
        values[(row, ON_TRACK)] = figures.on_track
        values[(row, BEHIND)] = figures.behind
        values[(row, INACTIVE)] = figures.inactive
        values[(row, COMPLETION)] = percent(figures.items_done, figures.learners * shape.items)
        values[(row, MASTERY)] = percent(
            figures.exercises_correct, figures.learners * shape.exercises
        )
        done = module_total if row == TOTAL else module_done.get(row, {})
        for module in shape.modules:
            values[(row, module_key(module))] = percent(
                done.get(module.id, 0), figures.learners * module.items
            )
    averages = (COMPLETION, MASTERY, *(module_key(m) for m in shape.modules))
    hidden = disclosure.suppress_group_table(
        table=disclosure.GroupTable(
            rows=tuple(keys),
            total_row=TOTAL,
            size_column=LEARNERS,
            count_columns=COUNT_COLUMNS,
            average_columns=averages,
            values=values,
        ),  # fmt: skip
        threshold=threshold,
    )
    small = disclosure.small_groups(
        sizes={row: int(values[(row, LEARNERS)] or 0) for row in (*keys, TOTAL)},
        threshold=threshold,
    )

    def cell(row: str, column: str, *, count: bool) -> ReportCell:
        value = values[(row, column)]
        if (row, column) in hidden:
            text = f"fewer than {threshold}" if column == LEARNERS and row in small else HIDDEN
            return ReportCell(value=None, text=text, hidden=True)
        if value is None:
            return ReportCell(value=None, text="–", hidden=False)
        number = int(value)
        return ReportCell(value=number, text=f"{number:,}" if count else f"{number}%", hidden=False)

    def rows_for(columns: Sequence[str]) -> tuple[ReportRow, ...]:
        return tuple(
            ReportRow(
                label="All learners" if row == TOTAL else group_label(row),
                cells=tuple(cell(row, c, count=c in (LEARNERS, *COUNT_COLUMNS)) for c in columns),
                total=row == TOTAL,
            )
            for row in (*keys, TOTAL)
        )

    main_columns = tuple(key for key, _ in REPORT_COLUMNS)
    module_columns = (LEARNERS, *(module_key(m) for m in shape.modules))
    return Report(
        threshold=threshold,
        columns=tuple(label for _, label in REPORT_COLUMNS),
        rows=rows_for(main_columns),
        module_columns=("Learners", *(m.title for m in shape.modules)),
        module_rows=rows_for(module_columns),
        hidden_cells=len(hidden),
    )


def report_csv_rows(report: Report) -> Iterable[list[Any]]:
    yield ["Group", *report.columns]
    for row in report.rows:
        yield [row.label, *(c.csv_value for c in row.cells)]
    yield []
    yield ["Completion by module", *report.module_columns[1:]]
    for row in report.module_rows:
        yield [row.label, *(c.csv_value for c in row.cells[1:])]


def report_for(*, cohort: Cohort) -> Report:
    return board_report(
        groups=reports.group_figures(cohort=cohort),
        module_done=reports.group_module_figures(cohort=cohort),
        shape=reports.course_shape(course=cohort.course),
        threshold=settings.REPORT_MIN_GROUP_SIZE,
    )


def report_page(*, cohort: Cohort, facilitator: bool) -> dict[str, Any]:
    """The board report; ``facilitator``: the viewer also facilitates the cohort, so the page
    links to the cohort's other pages."""
    return {
        "cohort": cohort,
        "course": cohort.course,
        "report": report_for(cohort=cohort),
        "facilitator": facilitator,
        "tabs": cohort_tabs(cohort=cohort, current=REPORT) if facilitator else [],
    }
