"""Reads for cohorts: members with their progress and status, computed in the database so
that the cost does not grow with the number of cells (docs/adr/0010)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import Cohort, Membership, ModuleSchedule
from courses.models import Lesson, LessonCompletion
from exercises.models import Exercise
from progress.models import ExerciseProgress


class Status:
    ON_TRACK = "on_track"
    BEHIND = "behind"
    INACTIVE = "inactive"
    INVITED = "invited"  # has not joined yet

    LABELS = {
        ON_TRACK: "On track",
        BEHIND: "Behind",
        INACTIVE: "Inactive",
        INVITED: "Not joined yet",
    }


@dataclass(frozen=True)
class Expectations:
    """What a learner should have done by today: the lessons and exercises of every module
    whose due date has passed; and since when no activity makes a learner inactive."""

    today: datetime.date
    overdue_modules: tuple[int, ...]
    items_due: int
    inactive_since: datetime.datetime


def expectations(*, cohort: Cohort, today: datetime.date | None = None) -> Expectations:
    today = today or timezone.localdate()
    overdue = tuple(
        ModuleSchedule.objects.filter(cohort=cohort, due_date__lt=today).values_list(
            "module_id", flat=True
        )
    )
    items_due = 0
    if overdue:
        items_due = (
            Lesson.objects.filter(module_id__in=overdue).count()
            + Exercise.objects.filter(lesson__module_id__in=overdue).count()
        )
    days = settings.COHORT_INACTIVE_AFTER_DAYS
    return Expectations(
        today=today,
        overdue_modules=overdue,
        items_due=items_due,
        inactive_since=timezone.now() - datetime.timedelta(days=days),
    )


def _done_in(modules: tuple[int, ...]) -> ExpressionWrapper:
    """Per member: lessons read and exercises answered in the given modules."""
    lessons = (
        LessonCompletion.objects.filter(learner=OuterRef("learner"), lesson__module__in=modules)
        .order_by()
        .values("learner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    answers = (
        ExerciseProgress.objects.filter(
            learner=OuterRef("learner"), attempts__gt=0, exercise__lesson__module__in=modules
        )
        .order_by()
        .values("learner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return ExpressionWrapper(
        Coalesce(Subquery(lessons), Value(0)) + Coalesce(Subquery(answers), Value(0)),
        output_field=IntegerField(),
    )


def members_with_progress(
    *, cohort: Cohort, expected: Expectations | None = None
) -> QuerySet[Membership]:
    """Every member of the cohort with their course figures and status, as annotations:
    ``lessons_read``, ``exercises_answered``, ``exercises_correct``, ``items_done``,
    ``last_active_at``, ``completed_at`` and ``status``. Filter, count and paginate on them.

    *Inactive*: no reading or answers since ``inactive_since`` (COHORT_INACTIVE_AFTER_DAYS),
    counted from whichever is later, joining or the cohort's start: nobody is inactive on the
    first day. *Behind*: fewer lessons read and exercises answered in the modules past their
    due date than those modules hold."""
    expected = expected or expectations(cohort=cohort)
    cutoff = expected.inactive_since
    members = (
        Membership.objects.filter(cohort=cohort)
        .select_related("learner")
        .annotate(
            cp=FilteredRelation(
                "learner__course_progress",
                condition=Q(learner__course_progress__course=cohort.course_id),
            )
        )
        .annotate(
            lessons_read=Coalesce(F("cp__lessons_read"), Value(0)),
            exercises_answered=Coalesce(F("cp__exercises_answered"), Value(0)),
            exercises_correct=Coalesce(F("cp__exercises_correct"), Value(0)),
            last_active_at=F("cp__last_active_at"),
            completed_at=F("cp__completed_at"),
        )
        .annotate(
            items_done=ExpressionWrapper(
                F("lessons_read") + F("exercises_answered"), output_field=IntegerField()
            )
        )
    )
    started_long_enough = cohort.start_date < timezone.localdate(cutoff)
    inactive = (
        (Q(joined_at__isnull=True) | Q(joined_at__lt=cutoff))
        & (Q(last_active_at__isnull=True) | Q(last_active_at__lt=cutoff))
        if started_long_enough
        else Q(pk__in=[])
    )
    behind = Q(pk__in=[])
    if expected.items_due:
        members = members.annotate(due_done=_done_in(expected.overdue_modules))
        behind = Q(due_done__lt=expected.items_due)
    return members.annotate(
        status=Case(
            When(learner__isnull=True, then=Value(Status.INVITED)),
            When(completed_at__isnull=False, then=Value(Status.ON_TRACK)),
            When(inactive, then=Value(Status.INACTIVE)),
            When(behind, then=Value(Status.BEHIND)),
            default=Value(Status.ON_TRACK),
        )
    )


def status_counts(*, members: QuerySet[Membership]) -> dict[str, int]:
    """How many members have each status, in one query."""
    # (an annotation from members_with_progress, which the type checker cannot see)
    rows = members.order_by().values("status").annotate(n=Count("pk"))  # type: ignore[misc]
    counts = dict.fromkeys(Status.LABELS, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def cohorts_of_learner(*, learner_id: int) -> QuerySet[Cohort]:
    return Cohort.objects.filter(memberships__learner_id=learner_id, archived=False)
