"""What the cohort pages and their CSV exports show, computed once here so that the screen
and the download always agree and the templates hold no logic."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from cohorts import analysis, disclosure, reports, selectors
from cohorts.filters import DashboardFilterForm, filter_members
from cohorts.models import Cohort, Membership
from cohorts.reports import (
    OWN_WORDS,
    CourseShape,
    GroupFigures,
    ModuleCounts,
    ModuleFigures,
    ModuleShape,
    WrongAnswer,
)
from cohorts.selectors import Status
from courses.content.datasets import Column
from courses.data_charts import DataChart, data_chart
from exercises.models import Exercise, Kind, Submission
from exercises.presenters import answer_text, question_html

PRIVATE = "Private"
STATUS_TAGS = {
    Status.ON_TRACK: "govuk-tag--green",
    Status.BEHIND: "govuk-tag--yellow",
    Status.INACTIVE: "govuk-tag--red",
    Status.INVITED: "govuk-tag--grey",
}


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage (None when there is nothing to have a share of)."""
    if whole <= 0:
        return None
    return round(100 * part / whole)


def show_percent(value: int | float | None) -> str:
    return "–" if value is None else f"{value:g}%"


def date_text(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return f"{value.day} {value:%B %Y}"


def short_date(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


# --- The grid -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """Completion and mastery for one learner over some items; mastery None when private."""

    completion: int | None
    mastery: int | None
    private: bool

    @property
    def completion_text(self) -> str:
        return show_percent(self.completion)

    @property
    def mastery_text(self) -> str:
        return PRIVATE if self.private else show_percent(self.mastery)


@dataclass(frozen=True)
class GridRow:
    membership_id: int
    name: str
    email: str
    group: str
    status: str
    joined: bool
    last_active_at: datetime.datetime | None
    course: Figures
    modules: tuple[Figures, ...]
    url: str

    @property
    def status_label(self) -> str:
        return Status.LABELS.get(self.status, self.status)

    @property
    def status_class(self) -> str:
        return STATUS_TAGS.get(self.status, "")

    @property
    def last_active_text(self) -> str:
        return date_text(self.last_active_at) or "Never"

    @property
    def last_active_short(self) -> str:
        if self.last_active_at is None:
            return "Never"
        return short_date(timezone.localdate(self.last_active_at))


NO_FIGURES = Figures(completion=None, mastery=None, private=False)  # not joined yet


def module_figures_for(*, counts: ModuleCounts, module: ModuleShape, private: bool) -> Figures:
    return Figures(
        completion=percent(counts.items_done, module.items),
        mastery=None if private else percent(counts.exercises_correct, module.exercises),
        private=private,
    )


def member_name(member: Membership) -> str:
    learner = member.learner
    return (learner.get_full_name() if learner is not None else "") or member.email


def grid_rows(
    *,
    cohort: Cohort,
    members: Iterable[Membership],
    shape: CourseShape,
    figures: ModuleFigures,
    modules: Sequence[ModuleShape] | None = None,
) -> list[GridRow]:
    """One row per member: status, last activity, and completion and mastery for the course
    and each module (or the ``modules`` given). Members who keep their answers private show
    completion only."""
    shown = shape.modules if modules is None else modules
    rows = []
    for member in members:
        learner = member.learner
        private = bool(learner is not None and learner.answers_private)
        if learner is None:
            course, per_module = NO_FIGURES, tuple(NO_FIGURES for _ in shown)
        else:
            done = member.items_done  # type: ignore[attr-defined]
            right = member.exercises_correct  # type: ignore[attr-defined]
            course = Figures(
                completion=percent(done, shape.items),
                mastery=None if private else percent(right, shape.exercises),
                private=private,
            )
            counts = figures.get(learner.pk, {})
            per_module = tuple(
                module_figures_for(
                    counts=counts.get(module.id, ModuleCounts()), module=module, private=private
                )
                for module in shown
            )
        rows.append(
            GridRow(
                membership_id=member.pk,
                name=member_name(member),
                email=member.email,
                group=member.group,
                status=member.status,  # type: ignore[attr-defined]
                joined=learner is not None,
                last_active_at=member.last_active_at,  # type: ignore[attr-defined]
                course=course,
                modules=per_module,
                url=reverse(
                    "cohorts:learner", kwargs={"cohort": cohort.pk, "membership": member.pk}
                ),
            )
        )
    return rows


def grid_header(shape: CourseShape) -> list[str]:
    """The CSV columns of the grid, in the order of ``grid_csv_row``."""
    header = ["Name", "Email", "Group", "Status", "Last active", "Course completion %",
              "Course mastery %"]  # fmt: skip
    for module in shape.modules:
        header += [f"{module.title}: completion %", f"{module.title}: mastery %"]
    return header


def _figure(value: int | None, *, private: bool = False) -> int | str:
    if private:
        return PRIVATE
    return "" if value is None else value


def grid_csv_row(row: GridRow) -> list[Any]:
    cells: list[Any] = [
        row.name, row.email, row.group, row.status_label,
        timezone.localdate(row.last_active_at).isoformat() if row.last_active_at else "",
        _figure(row.course.completion), _figure(row.course.mastery, private=row.course.private),
    ]  # fmt: skip
    for figures in row.modules:
        cells += [_figure(figures.completion), _figure(figures.mastery, private=figures.private)]
    return cells


# --- Pagination -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    previous_url: str
    next_url: str
    links: tuple[PageLink, ...]
    start: int
    end: int
    count: int


def page_numbers(*, current: int, last: int) -> list[int | None]:
    """The page numbers the GOV.UK pagination component shows: the first, the last, and the
    ones next to the current page, with None for the gaps."""
    wanted = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def pagination(*, page: Page[Any], query: QueryDict) -> Pagination | None:
    def url(number: int) -> str:
        params = query.copy()
        params["page"] = str(number)
        return f"?{params.urlencode()}"

    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None
    return Pagination(
        previous_url=url(page.number - 1) if page.has_previous() else "",
        next_url=url(page.number + 1) if page.has_next() else "",
        links=tuple(
            PageLink(number=n) if n is None else PageLink(n, url(n), n == page.number)
            for n in page_numbers(current=page.number, last=paginator.num_pages)
        ),
        start=page.start_index(),
        end=page.end_index(),
        count=paginator.count,
    )


# --- Completion over time -------------------------------------------------------------------
WEEK = Column(name="week", type="text", description="Week ending")
READ = Column(name="read", type="number", description="Average share of lessons read", unit="%")


def completion_chart(*, points: Sequence[tuple[datetime.date, float]]) -> DataChart | None:
    if not points:
        return None
    last_day, last = points[-1]
    summary = (
        f"By {date_text(last_day)}, the cohort's learners had read {last:g}% of the course's "
        "lessons on average"
    )
    if len(points) > 1:
        summary += f", up from {points[-2][1]:g}% a week earlier"
    summary += "."
    return data_chart(
        dom_id="cohort-completion",
        title="Cohort completion over time",
        summary=summary,
        spec={
            "type": "line",
            "x": "week",
            "y": "read",
            "y_min": 0,
            "y_max": 100,
            "x_title": "Week ending",
            "y_title": "Lessons read, on average (%)",
        },  # fmt: skip
        columns=[WEEK, READ],
        rows=[{"week": short_date(day), "read": value} for day, value in points],
    )


# --- Item analysis --------------------------------------------------------------------------
def wrong_answer_text(*, exercise: Exercise, answer: dict[str, Any]) -> str:
    """A wrong answer as learners see their own: option texts, the number, the order."""
    return answer_text(Submission(exercise=exercise, answer=answer))


@dataclass(frozen=True)
class ItemRow:
    exercise: Exercise
    statistics: analysis.ItemStatistics | None
    wrong_answers: tuple[tuple[str, int], ...]  # (answer as text, times given)
    own_words: tuple[int, int] | None  # (wrong answers, different ones) for SQL and writing
    url: str
    caution_below: int

    @property
    def answered(self) -> int:
        return self.statistics.answered if self.statistics else 0

    @property
    def caution(self) -> bool:
        return 0 < self.answered < self.caution_below

    @property
    def caution_text(self) -> str:
        noun = "learner" if self.answered == 1 else "learners"
        return f"Based on {self.answered} {noun}: treat with caution"

    @property
    def facility(self) -> int | None:
        if self.statistics is None or self.statistics.facility is None:
            return None
        return round(100 * self.statistics.facility)

    @property
    def facility_text(self) -> str:
        return show_percent(self.facility)

    @property
    def interval(self) -> tuple[int, int] | None:
        if self.statistics is None or self.statistics.interval is None:
            return None
        low, high = self.statistics.interval
        return round(100 * low), round(100 * high)

    @property
    def interval_text(self) -> str:
        return "–" if self.interval is None else f"{self.interval[0]}% to {self.interval[1]}%"

    @property
    def discrimination(self) -> float | None:
        if self.statistics is None or self.statistics.discrimination is None:
            return None
        return round(self.statistics.discrimination, 2)

    @property
    def discrimination_text(self) -> str:
        return "–" if self.discrimination is None else f"{self.discrimination:.2f}"

    @property
    def discrimination_label(self) -> str:
        if self.statistics is None:
            return ""
        return analysis.discrimination_label(self.statistics.discrimination)

    @property
    def mean_attempts(self) -> float | None:
        if self.statistics is None or self.statistics.mean_attempts is None:
            return None
        return round(self.statistics.mean_attempts, 1)

    @property
    def mean_attempts_text(self) -> str:
        return "–" if self.mean_attempts is None else f"{self.mean_attempts:g}"

    @property
    def wrong_answer_summary(self) -> str:
        """The most common wrong answer, or how many different ones for answers in words."""
        if self.own_words is not None:
            times, different = self.own_words
            if not times:
                return ""
            return f"{different} different {'answer' if different == 1 else 'answers'}"
        if not self.wrong_answers:
            return ""
        text, times = self.wrong_answers[0]
        return f"{text} ({times})"


@dataclass(frozen=True)
class ItemGroup:
    title: str
    rows: list[ItemRow] = field(default_factory=list)


def item_row(
    *,
    cohort: Cohort,
    exercise: Exercise,
    statistics: Mapping[int, analysis.ItemStatistics],
    wrong: Mapping[int, list[WrongAnswer]],
    own_words: Mapping[int, tuple[int, int]],
) -> ItemRow:
    return ItemRow(
        exercise=exercise,
        statistics=statistics.get(exercise.pk),
        wrong_answers=tuple(
            (wrong_answer_text(exercise=exercise, answer=w.answer), w.times)
            for w in wrong.get(exercise.pk, [])
        ),
        own_words=own_words.get(exercise.pk, (0, 0)) if exercise.kind in OWN_WORDS else None,
        url=reverse("cohorts:item", kwargs={"cohort": cohort.pk, "exercise": exercise.slug}),
        caution_below=settings.ITEM_ANALYSIS_MIN_LEARNERS,
    )


def hardest_first(row: ItemRow) -> tuple[bool, float, str]:
    """Lowest facility first; questions nobody answered last."""
    facility = row.statistics.facility if row.statistics else None
    return (facility is None, facility if facility is not None else 0.0, row.exercise.title)


def item_groups(*, rows: Iterable[ItemRow]) -> list[ItemGroup]:
    """The rows by module, in course order, each module's hardest questions first.
    Exercises that no lesson embeds come last."""
    groups: dict[int | None, ItemGroup] = {}
    positions: dict[int | None, int] = {}
    for row in rows:
        lesson = row.exercise.lesson
        module = lesson.module if lesson is not None else None
        key = module.pk if module is not None else None
        if key not in groups:
            groups[key] = ItemGroup(
                title=module.title if module is not None else "Questions outside the lessons"
            )
            positions[key] = module.position if module is not None else 10**9
        groups[key].rows.append(row)
    ordered = sorted(groups, key=lambda key: positions[key])
    for key in ordered:
        groups[key].rows.sort(key=hardest_first)
    return [groups[key] for key in ordered]


ITEM_HEADER = [
    "Module", "Question", "Kind", "Answered", "Right", "Facility %", "Facility 95% low %",
    "Facility 95% high %", "Discrimination", "Discrimination reading", "Average attempts",
    "Most common wrong answer", "Times given", "Caution",
]  # fmt: skip


def item_csv_row(*, group: ItemGroup, row: ItemRow) -> list[Any]:
    def blank(value: Any) -> Any:
        return "" if value is None else value

    interval = row.interval or (None, None)
    if row.own_words is not None:
        wrong, times = row.wrong_answer_summary, row.own_words[0]
    elif row.wrong_answers:
        wrong, times = row.wrong_answers[0]
    else:
        wrong, times = "", None
    return [
        group.title, row.exercise.title, row.exercise.get_kind_display(), row.answered,
        row.statistics.correct if row.statistics else 0, blank(row.facility),
        blank(interval[0]), blank(interval[1]), blank(row.discrimination),
        row.discrimination_label, blank(row.mean_attempts), wrong, blank(times),
        row.caution_text if row.caution else "",
    ]  # fmt: skip


# --- The board report -----------------------------------------------------------------------
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


# --- Whole pages --------------------------------------------------------------------------
PER_PAGE = 50
EACH_LEARNERS_VALUE = "…"  # in a question asked about each learner's own value


def member_order() -> tuple[Any, ...]:
    return (
        F("learner__last_name").asc(nulls_last=True),
        F("learner__first_name").asc(nulls_last=True),
        "email",
        "pk",
    )


def dashboard_page(*, cohort: Cohort, query: QueryDict) -> dict[str, Any]:
    """The dashboard: headline counts, filters, one page of the learners × modules grid and
    the completion chart. A fixed number of queries, whatever the size of the cohort."""
    shape = reports.course_shape(course=cohort.course)
    members = selectors.members_with_progress(cohort=cohort)
    counts = selectors.status_counts(members=members)
    form = DashboardFilterForm(query, groups=reports.cohort_groups(cohort=cohort), shape=shape)
    shown = filter_members(members=members, form=form).order_by(*member_order())
    page = Paginator(shown, PER_PAGE).get_page(query.get("page"))
    figures = reports.module_figures(
        course=cohort.course, learner_ids=[m.learner_id for m in page if m.learner_id]
    )
    module = form.cleaned_data.get("module") if form.is_valid() else None
    modules = tuple(m for m in shape.modules if module is None or m.id == module)
    joined = sum(n for status, n in counts.items() if status != Status.INVITED)
    points = reports.completion_over_time(
        cohort=cohort, lessons_total=shape.lessons, joined=joined, today=timezone.localdate()
    )
    export_query = query.copy()
    export_query.pop("page", None)
    return {
        "cohort": cohort,
        "course": cohort.course,
        "form": form,
        "counts": [
            {
                "status": status,
                "label": label,
                "count": counts[status],
                "class": STATUS_TAGS[status],
            }
            for status, label in Status.LABELS.items()
        ],  # fmt: skip
        "total": sum(counts.values()),
        "joined": joined,
        "inactive_days": settings.COHORT_INACTIVE_AFTER_DAYS,
        "filtered": form.active,
        "modules": modules,
        "rows": grid_rows(
            cohort=cohort, members=page, shape=shape, figures=figures, modules=modules
        ),
        "page": page,
        "pagination": pagination(page=page, query=query),
        "chart": completion_chart(points=points),
        "export_query": export_query.urlencode(),
    }


def grid_export_rows(
    *, cohort: Cohort, members: QuerySet[Membership], chunk_size: int = 500
) -> Iterator[list[Any]]:
    """The CSV rows of the grid: the same figures as the screen, read a chunk of learners at
    a time (two queries per chunk)."""
    shape = reports.course_shape(course=cohort.course)
    yield grid_header(shape)
    for chunk in reports.in_chunks(members.order_by(*member_order()), size=chunk_size):
        figures = reports.module_figures(
            course=cohort.course, learner_ids=[m.learner_id for m in chunk if m.learner_id]
        )
        for row in grid_rows(cohort=cohort, members=chunk, shape=shape, figures=figures):
            yield grid_csv_row(row)


@dataclass(frozen=True)
class ExerciseRecord:
    exercise: Exercise
    attempts: int
    best_score: int | None  # %
    correct: bool
    answers: tuple[dict[str, Any], ...]


def learner_page(*, cohort: Cohort, member: Membership) -> dict[str, Any]:
    """One learner's progress by module and, unless they keep them private, their answers.
    ``answers_shown`` tells the view to record that the answers were seen."""
    shape = reports.course_shape(course=cohort.course)
    learner = member.learner
    private = bool(learner is not None and learner.answers_private)
    figures = reports.module_figures(
        course=cohort.course, learner_ids=[member.learner_id] if member.learner_id else []
    )
    row = grid_rows(cohort=cohort, members=[member], shape=shape, figures=figures)[0]
    exercises = reports.item_exercises(course=cohort.course)
    progress = reports.learner_exercise_progress(member=member, course=cohort.course)
    answers = {} if private else reports.learner_answers(member=member, course=cohort.course)
    modules: list[dict[str, Any]] = [
        {"module": module, "figures": figures_, "exercises": []}
        for module, figures_ in zip(shape.modules, row.modules, strict=True)
    ]
    outside: list[ExerciseRecord] = []
    by_id = {entry["module"].id: entry for entry in modules}
    for exercise in exercises:
        record = progress.get(exercise.pk)
        item = ExerciseRecord(
            exercise=exercise,
            attempts=record.attempts if record else 0,
            best_score=None
            if record is None or record.best_score is None
            else round(100 * record.best_score),
            correct=bool(record and record.correct),
            answers=tuple(
                {
                    "text": answer_text(s),
                    "state": s.get_state_display(),
                    "score": None if s.score is None else round(100 * s.score),
                    "correct": s.correct,
                    "submitted_at": s.submitted_at,
                }
                for s in answers.get(exercise.pk, [])
            ),  # fmt: skip
        )
        module_id = exercise.lesson.module_id if exercise.lesson is not None else None
        if module_id in by_id:
            by_id[module_id]["exercises"].append(item)
        else:
            outside.append(item)
    return {
        "cohort": cohort,
        "course": cohort.course,
        "member": member,
        "row": row,
        "private": private,
        "joined": learner is not None,
        "modules": modules,
        "outside": outside,
        "answers_shown": learner is not None and not private,
    }


def items_page(*, cohort: Cohort) -> dict[str, Any]:
    statistics = reports.item_statistics(cohort=cohort)
    wrong = reports.common_wrong_answers(cohort=cohort, top=1)
    own_words = reports.different_wrong_answers(cohort=cohort)
    rows = [
        item_row(cohort=cohort, exercise=e, statistics=statistics, wrong=wrong,
                 own_words=own_words)
        for e in reports.item_exercises(course=cohort.course)
    ]  # fmt: skip
    return {
        "cohort": cohort,
        "course": cohort.course,
        "groups": item_groups(rows=rows),
        "threshold": settings.ITEM_ANALYSIS_MIN_LEARNERS,
    }


def item_page(*, cohort: Cohort, exercise: Exercise) -> dict[str, Any]:
    statistics = reports.item_statistics(cohort=cohort)
    wrong = reports.common_wrong_answers(cohort=cohort, top=5, exercise=exercise)
    own_words = reports.different_wrong_answers(cohort=cohort, exercise=exercise)
    row = item_row(
        cohort=cohort, exercise=exercise, statistics=statistics, wrong=wrong, own_words=own_words
    )
    wrong_total = reports.wrong_answer_total(cohort=cohort, exercise=exercise)
    return {
        "cohort": cohort,
        "course": cohort.course,
        "exercise": exercise,
        "row": row,
        "wrong_total": wrong_total,
        "wrong_answers": [
            {"text": text, "times": times, "share": percent(times, wrong_total)}
            for text, times in row.wrong_answers
        ],
        "question": question_html(
            exercise=exercise,
            course=cohort.course,
            # Each learner gets their own value: the page says so, instead of a placeholder.
            variant=EACH_LEARNERS_VALUE if exercise.kind == Kind.PARAMETRISED_NUMERIC else "",
        ),
        "has_charts": bool(exercise.chart_id),
        "own_values": exercise.kind == Kind.PARAMETRISED_NUMERIC,
        "threshold": settings.ITEM_ANALYSIS_MIN_LEARNERS,
    }


def item_export_rows(*, cohort: Cohort) -> Iterator[list[Any]]:
    yield ITEM_HEADER
    for group in items_page(cohort=cohort)["groups"]:
        for row in group.rows:
            yield item_csv_row(group=group, row=row)


def report_for(*, cohort: Cohort) -> Report:
    return board_report(
        groups=reports.group_figures(cohort=cohort),
        module_done=reports.group_module_figures(cohort=cohort),
        shape=reports.course_shape(course=cohort.course),
        threshold=settings.REPORT_MIN_GROUP_SIZE,
    )
