"""Context for the learner's progress pages, so that templates hold no logic. Everything here
is about the signed-in learner alone."""

from __future__ import annotations

import dataclasses
import datetime
import math
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from courses import selectors as course_selectors
from courses.content import charts as chart_content
from courses.content.datasets import Column
from courses.data_charts import DataChart, data_chart
from courses.models import Course
from courses.selectors import Person
from progress import selectors
from progress.models import Certificate, CourseProgress
from progress.selectors import CalibrationPoint, ExerciseRecord, LessonStatus

# Fewer answers than this say more about luck than about calibration.
MIN_CALIBRATION_ANSWERS = 5
# How far (in percentage points) stated confidence may be from the share right before we
# call someone over- or under-confident.
CALIBRATION_TOLERANCE = 10

STATUS_TAGS = {
    LessonStatus.NOT_STARTED: "govuk-tag--grey",
    LessonStatus.IN_PROGRESS: "govuk-tag--light-blue",
    LessonStatus.READ: "",
}


def percent(share: float) -> int:
    """A share as a whole percentage, rounded down so that 100% means all of it."""
    return math.floor(share * 100 + 1e-9)


def long_date(day: datetime.date | datetime.datetime) -> str:
    """3 December 2026, in the service's time zone."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return date_format(day, "j F Y")


CANNOT_START_YET = {
    "status": "cannot_start_yet",
    "label": "Cannot start yet",
    "tag": "",
    "modifier": "govuk-task-list__status--cannot-start-yet",
}


def lesson_status(status: str, *, closed: bool = False) -> dict[str, str]:
    """A lesson's status as the task-list status cell shows it. A lesson not started in a
    module that has not opened for the learner cannot be started yet."""
    if closed and status == LessonStatus.NOT_STARTED:
        return CANNOT_START_YET
    return {
        "status": status,
        "label": LessonStatus.LABELS[status],
        "tag": STATUS_TAGS[status],
        "modifier": "",
    }


def course_outline(*, course: Course, user: Person) -> list[dict[str, Any]]:
    """The course's modules in order, each with its lessons: link (none in a module that has
    not opened for this user), reading time and status; and the day a closed module opens.
    The course page and the learner's progress page both show it. Three queries (four when
    a module is closed and the preview roles must be checked)."""
    learner = user if isinstance(user, User) else None
    closed = course_selectors.closed_modules(user=user, course=course)
    statuses = selectors.lesson_statuses(learner=learner, course=course) if learner else {}
    outline: list[dict[str, Any]] = []
    for number, module in enumerate(course_selectors.course_outline(course=course), start=1):
        opens_on = long_date(closed[module.pk]) if module.pk in closed else ""
        lessons: list[dict[str, Any]] = []
        for lesson in module.lessons.all():
            status = statuses.get(lesson.pk, LessonStatus.NOT_STARTED)
            url = reverse(
                "courses:lesson",
                kwargs={"course": course.slug, "module": module.slug, "lesson": lesson.slug},
            )
            lessons.append(
                {
                    "id": lesson.pk,
                    "title": lesson.title,
                    "url": "" if opens_on else url,
                    "minutes": lesson.estimated_minutes,
                    "read": status == LessonStatus.READ,
                    "status": lesson_status(status, closed=bool(opens_on)),
                }
            )
        outline.append(
            {
                "module": module,
                "number": number,
                "opens_on": opens_on,
                "lessons": lessons,
                "lessons_read": sum(item["read"] for item in lessons),
                "lessons_total": len(lessons),
                "minutes": sum(item["minutes"] for item in lessons),
            }
        )
    return outline


def course_summary(*, course: Course, progress: CourseProgress | None) -> dict[str, Any]:
    """A course's headline figures for one learner."""
    summary: dict[str, Any] = {
        "course": course,
        "course_url": course.get_absolute_url(),
        "progress_url": reverse("progress:course", kwargs={"course": course.slug}),
        "started": progress is not None,
        "completed": bool(progress and progress.completed_at),
        "completion": 0,
        "mastery": 0,
    }
    if progress is not None:
        summary.update(
            completion=percent(progress.completion),
            mastery=percent(progress.mastery),
            lessons_read=progress.lessons_read,
            lessons_total=progress.lessons_total,
            exercises_answered=progress.exercises_answered,
            exercises_correct=progress.exercises_correct,
            exercises_total=progress.exercises_total,
            completed_on=long_date(progress.completed_at) if progress.completed_at else "",
        )
    return summary


def overview_page(*, learner: User) -> dict[str, Any]:
    progress = selectors.progress_by_course(learner=learner)
    issued = list(selectors.certificates_of(learner=learner))
    certificate_of = {certificate.course_id: certificate for certificate in issued}
    courses = []
    for course in course_selectors.visible_courses(user=learner):
        summary = course_summary(course=course, progress=progress.get(course.pk))
        certificate = certificate_of.get(course.pk)
        summary["certificate_url"] = certificate.get_absolute_url() if certificate else ""
        courses.append(summary)
    certificates = [{"certificate": c, "completed_on": long_date(c.completed_at)} for c in issued]
    return {"courses": courses, "certificates": certificates}


def _exercise_row(*, record: ExerciseRecord, course: Course, open_: bool) -> dict[str, Any]:
    if not record.answered:
        best = "Not tried"
    elif record.best_score is None:
        best = "Not marked yet"
    else:
        best = f"{percent(record.best_score)}%"
    url = reverse("exercises:exercise", kwargs={"course": course.slug, "exercise": record.slug})
    return {
        "title": record.title,
        "url": url if open_ else "",
        "attempts": record.attempts,
        "best_score": best,
        "correct": record.correct,
    }


def _module_figures(lessons: list[dict[str, Any]], records: list[ExerciseRecord]) -> dict[str, Any]:
    lessons_read = sum(item["read"] for item in lessons)
    answered = sum(r.answered for r in records)
    right = sum(r.correct for r in records)
    items = len(lessons) + len(records)
    return {
        "exercises_answered": answered,
        "exercises_correct": right,
        "exercises_total": len(records),
        "completion": percent((lessons_read + answered) / items) if items else 0,
        "mastery": percent(right / len(records)) if records else None,
    }


def course_progress_page(*, learner: User, course: Course) -> dict[str, Any]:
    outline = course_outline(course=course, user=learner)
    records = selectors.exercise_records(learner=learner, course=course)
    progress = selectors.course_progress_for(learner=learner, course=course)

    module_of_lesson = {
        lesson["id"]: item["module"].pk for item in outline for lesson in item["lessons"]
    }
    records_by_module: dict[int | None, list[ExerciseRecord]] = {}
    for record in records:
        module_id = module_of_lesson.get(record.lesson_id) if record.lesson_id else None
        records_by_module.setdefault(module_id, []).append(record)

    for item in outline:
        module_records = records_by_module.get(item["module"].pk, [])
        item["exercises"] = [
            _exercise_row(record=r, course=course, open_=not item["opens_on"])
            for r in module_records
        ]
        item.update(_module_figures(item["lessons"], module_records))
    other = [
        _exercise_row(record=r, course=course, open_=True) for r in records_by_module.get(None, [])
    ]
    completed = bool(progress and progress.completed_at)
    certificate_code = getattr(progress, "certificate_code", None)
    return {
        "course": course,
        "summary": course_summary(course=course, progress=progress),
        "outline": outline,
        "other_exercises": other,
        "topics": topics(outline=outline),
        "calibration": calibration_section(
            points=selectors.calibration(learner=learner, course=course)
        ),
        "completed": completed,
        "certificate_url": (
            reverse("progress:certificate", kwargs={"code": certificate_code})
            if certificate_code
            else ""
        ),
    }


def topics(*, outline: list[dict[str, Any]]) -> dict[str, Any]:
    """Modules ranked by mastery, among those where the learner answered a question."""
    ranked = sorted(
        (item for item in outline if item["exercises_answered"]),
        key=lambda item: (
            -item["mastery"],
            -item["exercises_correct"] / item["exercises_answered"],
            item["number"],
        ),
    )
    if len(ranked) < 2:
        return {"enough": False, "ranked": ranked}
    strongest, weakest = ranked[0], ranked[-1]
    return {
        "enough": True,
        "ranked": ranked,
        "even": strongest["mastery"] == weakest["mastery"],
        "strongest": strongest,
        "weakest": weakest,
    }


def calibration_summary(points: list[CalibrationPoint]) -> str:
    """A sentence per confidence level, then what they add up to."""
    parts = [
        f"when you said you were {p.confidence}% sure, you were right "
        f"{round(p.share_right * 100)}% of the time ({p.right} of {p.answers} "
        f"{'answer' if p.answers == 1 else 'answers'})"
        for p in points
    ]
    answers = sum(p.answers for p in points)
    stated = sum(p.confidence * p.answers for p in points) / answers
    actual = 100 * sum(p.right for p in points) / answers
    if stated - actual > CALIBRATION_TOLERANCE:
        verdict = "You tend to be over-confident: you were right less often than you expected."
    elif actual - stated > CALIBRATION_TOLERANCE:
        verdict = "You tend to be under-confident: you were right more often than you expected."
    else:
        verdict = "Your confidence matches how often you are right: you are well calibrated."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + ". " + verdict


CALIBRATION_COLUMNS = [
    Column("confidence", "integer", "How sure you said you were", "%"),
    Column("share", "number", "Answers that were right", "%"),
    Column("series", "text", "Series"),
]


def calibration_chart(points: list[CalibrationPoint]) -> DataChart:
    """Share right against stated confidence, with perfect calibration (y = x) to compare."""
    title = "How sure you were, and how often you were right"
    rows: list[dict[str, Any]] = [
        {"confidence": p.confidence, "share": round(p.share_right * 100, 1),
         "series": "Your answers"}
        for p in points
    ]  # fmt: skip
    rows += [
        {"confidence": level, "share": level, "series": "Perfect calibration"}
        for level in (50, 100)
    ]
    chart = data_chart(
        dom_id="calibration",
        title=title,
        summary=calibration_summary(points),
        spec={
            "type": "line",
            "x": "confidence",
            "y": "share",
            "colour": "series",
            "y_min": 0,
            "y_max": 100,
        },
        columns=CALIBRATION_COLUMNS,
        rows=rows,
    )
    chart.figure["layout"]["xaxis"]["range"] = [45, 102]
    table = chart_content.Table(
        caption=f"Data for the chart: {title}",
        headers=["How sure you said you were", "Answers", "Right", "Share right"],
        numeric=[False, True, True, True],
        rows=[
            [f"{p.confidence}%", str(p.answers), str(p.right), f"{round(p.share_right * 100)}%"]
            for p in points
        ],
    )
    return dataclasses.replace(chart, table=table)


def calibration_section(*, points: list[CalibrationPoint]) -> dict[str, Any]:
    answers = sum(p.answers for p in points)
    enough = answers >= MIN_CALIBRATION_ANSWERS
    return {
        "answers": answers,
        "needed": MIN_CALIBRATION_ANSWERS,
        "more_needed": max(MIN_CALIBRATION_ANSWERS - answers, 0),
        "chart": calibration_chart(points) if enough else None,
    }


def verification_url(*, certificate: Certificate, fallback_base: str) -> str:
    """The certificate's public address, on the service's own domain when it is set."""
    base = (settings.SITE_URL or fallback_base).rstrip("/")
    return base + certificate.get_absolute_url()


def certificate_page(
    *, certificate: Certificate, viewer: User | None, fallback_base: str
) -> dict[str, Any]:
    return {
        "certificate": certificate,
        "completed_on": long_date(certificate.completed_at),
        "verification_url": verification_url(certificate=certificate, fallback_base=fallback_base),
        "is_own": viewer is not None and viewer.pk == certificate.learner_id,
    }
