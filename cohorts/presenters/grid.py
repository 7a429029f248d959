"""The learners × modules grid: the dashboard page and its CSV download."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from cohorts import reports, selectors
from cohorts.filters import DashboardFilterForm, filter_members
from cohorts.models import Cohort, Membership
from cohorts.presenters.chart import completion_chart
from cohorts.presenters.formatting import (
    PRIVATE,
    STATUS_TAGS,
    date_text,
    percent,
    short_date,
    show_percent,
)
from cohorts.presenters.pagination import pagination
from cohorts.presenters.tabs import DASHBOARD, cohort_tabs
from cohorts.reports import CourseShape, ModuleCounts, ModuleFigures, ModuleShape
from cohorts.selectors import Status


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


def grid_header(modules: Sequence[ModuleShape]) -> list[str]:
    """The CSV columns of the grid, in the order of ``grid_csv_row``."""
    header = ["Name", "Email", "Group", "Status", "Last active", "Course completion %",
              "Course mastery %"]  # fmt: skip
    for module in modules:
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


PER_PAGE = 50


def member_order() -> tuple[Any, ...]:
    return (
        F("learner__last_name").asc(nulls_last=True),
        F("learner__first_name").asc(nulls_last=True),
        "email",
        "pk",
    )


def shown_modules(*, shape: CourseShape, form: DashboardFilterForm) -> tuple[ModuleShape, ...]:
    """The modules whose columns the grid shows: the one the filter picked, or all."""
    module = form.cleaned_data.get("module") if form.is_valid() else None
    return tuple(m for m in shape.modules if module is None or m.id == module)


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
    modules = shown_modules(shape=shape, form=form)
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
        "pagination": pagination(page=page, query=query, fragment="learners"),
        "tabs": cohort_tabs(cohort=cohort, current=DASHBOARD),
        "chart": completion_chart(points=points),
        "export_query": export_query.urlencode(),
    }


def grid_export_rows(
    *,
    cohort: Cohort,
    members: QuerySet[Membership],
    modules: Sequence[ModuleShape] | None = None,
    chunk_size: int = 500,
) -> Iterator[list[Any]]:
    """The CSV rows of the grid: the same figures as the screen, for the same ``modules``
    (all of them unless given), read a chunk of learners at a time (two queries per chunk)."""
    shape = reports.course_shape(course=cohort.course)
    shown = shape.modules if modules is None else tuple(modules)
    yield grid_header(shown)
    for chunk in reports.in_chunks(members.order_by(*member_order()), size=chunk_size):
        figures = reports.module_figures(
            course=cohort.course, learner_ids=[m.learner_id for m in chunk if m.learner_id]
        )
        for row in grid_rows(
            cohort=cohort, members=chunk, shape=shape, figures=figures, modules=shown
        ):
            yield grid_csv_row(row)
