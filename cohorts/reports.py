"""Reads behind the cohort dashboard, the item analysis and the board report.

Every figure comes from a fixed number of grouped queries, whatever the size of the cohort:
the course's shape once, then per-module counts for one page (or one chunk) of learners at a
time, never a query per cell (docs/adr/0010).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncDate

from cohorts import analysis
from cohorts.models import Cohort, Membership
from cohorts.selectors import Status, members_with_progress
from courses.models import Course, Lesson, LessonCompletion, Module
from exercises.models import Exercise, Kind, State, Submission
from progress.models import ExerciseProgress

# Answers that are the learner's own words: shown as a number of different answers, never
# as text, because free text can be personal.
OWN_WORDS = (Kind.SQL, Kind.FREE_TEXT)


# --- The course's shape ---------------------------------------------------------------------
@dataclass(frozen=True)
class ModuleShape:
    id: int
    title: str
    position: int
    lessons: int
    exercises: int  # the exercises embedded in the module's lessons

    @property
    def items(self) -> int:
        return self.lessons + self.exercises


@dataclass(frozen=True)
class CourseShape:
    modules: tuple[ModuleShape, ...]
    lessons: int
    exercises: int  # all the course's exercises, embedded in a lesson or not

    @property
    def items(self) -> int:
        return self.lessons + self.exercises


def course_shape(*, course: Course) -> CourseShape:
    """The modules with their numbers of lessons and exercises (two queries)."""
    modules = tuple(
        ModuleShape(
            id=module.pk,
            title=module.title,
            position=module.position,
            lessons=module.lesson_count,  # type: ignore[attr-defined]
            exercises=module.exercise_count,  # type: ignore[attr-defined]
        )
        for module in Module.objects.filter(course=course)
        .annotate(
            lesson_count=Count("lessons", distinct=True),
            exercise_count=Count("lessons__exercises", distinct=True),
        )
        .order_by("position")
    )
    return CourseShape(
        modules=modules,
        lessons=sum(m.lessons for m in modules),
        exercises=Exercise.objects.filter(course=course).count(),
    )


# --- Per-module figures for a set of learners -------------------------------------------------
@dataclass
class ModuleCounts:
    lessons_read: int = 0
    exercises_answered: int = 0
    exercises_correct: int = 0

    @property
    def items_done(self) -> int:
        return self.lessons_read + self.exercises_answered


ModuleFigures = dict[int, dict[int, ModuleCounts]]  # learner id → module id → counts


def module_figures(*, course: Course, learner_ids: Iterable[int]) -> ModuleFigures:
    """Lessons read, exercises answered and answered correctly, per learner and module, for
    the given learners: two grouped queries."""
    ids = [pk for pk in learner_ids if pk is not None]
    figures: ModuleFigures = defaultdict(lambda: defaultdict(ModuleCounts))
    if not ids:
        return figures
    lessons = (
        LessonCompletion.objects.filter(learner_id__in=ids, lesson__module__course=course)
        .values("learner_id", "lesson__module_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in lessons:
        figures[row["learner_id"]][row["lesson__module_id"]].lessons_read = row["n"]
    exercises = (
        ExerciseProgress.objects.filter(
            learner_id__in=ids, course=course, attempts__gt=0, exercise__lesson__isnull=False
        )
        .values("learner_id", "exercise__lesson__module_id")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(correct=True)))
        .order_by()
    )
    for answered in exercises:
        counts = figures[answered["learner_id"]][answered["exercise__lesson__module_id"]]
        counts.exercises_answered = answered["answered"]
        counts.exercises_correct = answered["correct"]
    return figures


def in_chunks(members: QuerySet[Membership], *, size: int = 500) -> Iterator[list[Membership]]:
    """The members a chunk at a time, read with a database cursor so that memory stays
    bounded however large the cohort."""
    chunk: list[Membership] = []
    for member in members.iterator(chunk_size=size):
        chunk.append(member)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- Completion over time ---------------------------------------------------------------------
def joined_learners(*, cohort: Cohort) -> QuerySet[Membership]:
    return Membership.objects.filter(cohort=cohort, learner__isnull=False)


def completion_over_time(
    *, cohort: Cohort, lessons_total: int, joined: int, today: datetime.date
) -> list[tuple[datetime.date, float]]:
    """For each week since the cohort started (the last one ending today), the average share
    of the course's lessons that its joined members had read by the end of that week, in %.
    One grouped query (lessons read per day), added up in Python."""
    if cohort.start_date > today or not lessons_total or not joined:
        return []
    # Two semi-joins (IN subqueries) rather than joins through lesson and module: PostgreSQL
    # then scans the completions once with hash lookups, where the joins led it to a nested
    # loop ten times slower for a cohort of 10,000.
    learner_ids = joined_learners(cohort=cohort).values("learner_id")
    lesson_ids = Lesson.objects.filter(module__course=cohort.course_id).values("pk")
    per_day = dict(
        LessonCompletion.objects.filter(learner_id__in=learner_ids, lesson_id__in=lesson_ids)
        .annotate(day=TruncDate("completed_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    days = sorted(per_day.items())
    # Weeks counted back from today, so that the points are exactly a week apart.
    ends = []
    end = today
    while end >= cohort.start_date:
        ends.append(end)
        end -= datetime.timedelta(days=7)
    points: list[tuple[datetime.date, float]] = []
    read, index = 0, 0
    for end in reversed(ends):
        while index < len(days) and days[index][0] <= end:
            read += days[index][1]
            index += 1
        points.append((end, round(100 * read / (joined * lessons_total), 1)))
    return points


# --- Item analysis ----------------------------------------------------------------------------
@dataclass(frozen=True)
class WrongAnswer:
    answer: dict[str, Any]
    times: int


def item_exercises(*, course: Course) -> list[Exercise]:
    return list(
        Exercise.objects.filter(course=course)
        .select_related("lesson__module")
        .order_by("lesson__module__position", "lesson__position", "slug")
    )


def marked_answers(*, cohort: Cohort) -> QuerySet[ExerciseProgress]:
    """The progress rows of the cohort's joined members on exercises they have had at least
    one answer marked for (a best score): what "answered" means in the question analysis and
    the facilitators' digest. An answer still waiting for a tutor is neither right nor wrong,
    so counting it would make tutor-marked questions look harder than they are. (Completion
    counts any answer given: that is the learner's part done.)"""
    return ExerciseProgress.objects.filter(
        learner_id__in=joined_learners(cohort=cohort).values("learner_id"),
        course=cohort.course_id,
        best_score__isnull=False,
    )


def item_statistics(*, cohort: Cohort) -> dict[int, analysis.ItemStatistics]:
    """Facility, discrimination and attempts per exercise among the cohort's joined members
    who have had an answer to it marked: one pass over their progress rows."""
    rows = marked_answers(cohort=cohort).values_list(
        "learner_id", "exercise_id", "correct", "attempts"
    )
    return analysis.item_statistics(
        analysis.Answer(learner_id=learner, exercise_id=exercise, correct=right, attempts=tries)
        for learner, exercise, right, tries in rows.iterator(chunk_size=2000)
    )


def _wrong_submissions(*, cohort: Cohort) -> QuerySet[Submission]:
    return Submission.objects.filter(
        learner_id__in=joined_learners(cohort=cohort).values("learner_id"),
        exercise__course=cohort.course_id,
        state=State.GRADED,
        correct=False,
    )


def common_wrong_answers(
    *, cohort: Cohort, top: int, exercise: Exercise | None = None
) -> dict[int, list[WrongAnswer]]:
    """The ``top`` most common wrong answers to each exercise (or one), with how often each
    was given, in one query: answers in the learners' own words are left out (see
    ``different_wrong_answers``)."""
    ranked = (
        _wrong_submissions(cohort=cohort)
        .exclude(exercise__kind__in=OWN_WORDS)
        .filter(**({"exercise": exercise} if exercise is not None else {}))
        .values("exercise_id", "answer")
        .annotate(times=Count("pk"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("exercise_id")],
                order_by=[F("times").desc(), F("answer").asc()],
            )
        )
        .filter(rank__lte=top)
        .order_by("exercise_id", "rank")
    )
    answers: dict[int, list[WrongAnswer]] = defaultdict(list)
    for row in ranked:
        answers[row["exercise_id"]].append(WrongAnswer(answer=row["answer"], times=row["times"]))
    return answers


def different_wrong_answers(
    *, cohort: Cohort, exercise: Exercise | None = None
) -> dict[int, tuple[int, int]]:
    """For exercises answered in the learners' own words: how many wrong answers were given,
    and how many different ones, per exercise."""
    rows = (
        _wrong_submissions(cohort=cohort)
        .filter(exercise__kind__in=OWN_WORDS)
        .filter(**({"exercise": exercise} if exercise is not None else {}))
        .values("exercise_id")
        .annotate(times=Count("pk"), different=Count("answer", distinct=True))
        .order_by()
    )
    return {row["exercise_id"]: (row["times"], row["different"]) for row in rows}


def wrong_answer_total(*, cohort: Cohort, exercise: Exercise) -> int:
    return _wrong_submissions(cohort=cohort).filter(exercise=exercise).count()


# --- The board report -------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupFigures:
    group: str
    learners: int
    on_track: int
    behind: int
    inactive: int
    items_done: int
    exercises_correct: int


def group_figures(*, cohort: Cohort) -> list[GroupFigures]:
    """Per group (Membership.group), the joined members, their statuses and their summed
    progress, in one grouped query. Groups come in name order, the ungrouped last."""
    rows = (
        members_with_progress(cohort=cohort)
        .filter(learner__isnull=False)
        .values("group")
        .annotate(
            learners=Count("pk"),
            on_track=Count("pk", filter=Q(status=Status.ON_TRACK)),
            behind=Count("pk", filter=Q(status=Status.BEHIND)),
            inactive=Count("pk", filter=Q(status=Status.INACTIVE)),
            done=Sum("items_done"),
            right=Sum("exercises_correct"),
        )
        .order_by()
    )
    figures = [
        GroupFigures(
            group=row["group"],
            learners=row["learners"],
            on_track=row["on_track"],
            behind=row["behind"],
            inactive=row["inactive"],
            items_done=row["done"] or 0,
            exercises_correct=row["right"] or 0,
        )
        for row in rows
    ]
    return sorted(figures, key=lambda f: (f.group == "", f.group.casefold()))


def group_module_figures(*, cohort: Cohort) -> dict[str, dict[int, int]]:
    """Items done (lessons read and exercises answered) per group and module, summed over the
    groups' joined members: two grouped queries."""
    joined = joined_learners(cohort=cohort)
    done: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    lessons = (
        joined.filter(learner__lesson_completions__lesson__module__course=cohort.course_id)
        .values("group", "learner__lesson_completions__lesson__module_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in lessons:
        done[row["group"]][row["learner__lesson_completions__lesson__module_id"]] += row["n"]
    exercises = (
        joined.filter(
            learner__exercise_progress__course=cohort.course_id,
            learner__exercise_progress__attempts__gt=0,
            learner__exercise_progress__exercise__lesson__isnull=False,
        )
        .values("group", "learner__exercise_progress__exercise__lesson__module_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for answered in exercises:
        module = answered["learner__exercise_progress__exercise__lesson__module_id"]
        done[answered["group"]][module] += answered["n"]
    return done


# --- One learner ------------------------------------------------------------------------------
def cohort_groups(*, cohort: Cohort) -> list[str]:
    """The cohort's groups, in name order ("" for members with none)."""
    return sorted(
        Membership.objects.filter(cohort=cohort)
        .order_by()
        .values_list("group", flat=True)
        .distinct(),
        key=str.casefold,
    )


def learner_exercise_progress(*, member: Membership, course: Course) -> dict[int, ExerciseProgress]:
    if member.learner_id is None:
        return {}
    return {
        record.exercise_id: record
        for record in ExerciseProgress.objects.filter(learner_id=member.learner_id, course=course)
    }


def learner_answers(*, member: Membership, course: Course) -> dict[int, list[Submission]]:
    """The learner's attempts at the course's exercises, oldest first, per exercise."""
    if member.learner_id is None:
        return {}
    answers: dict[int, list[Submission]] = defaultdict(list)
    for submission in (
        Submission.objects.filter(learner_id=member.learner_id, exercise__course=course)
        .select_related("exercise")
        .order_by("submitted_at", "pk")
    ):
        answers[submission.exercise_id].append(submission)
    return answers
