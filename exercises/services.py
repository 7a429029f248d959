"""Writes for exercises: submitting answers and the grading pipeline.

The pipeline (docs/adr/0009): a submission is saved as ``pending`` in the request's
transaction and the grading task is sent on commit with only its id. The task locks the row,
grades, and stores the result in one transaction (pending → graded), so a duplicate delivery
grades once. A beat job sends again anything left pending too long, which covers lost
messages, a broker that was down, and a worker killed mid-task.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from courses.models import Course
from exercises import grading, selectors
from exercises.content import ExerciseFile
from exercises.models import Exercise, Kind, State, Submission
from masterclass import sql
from progress.services import lock_learner, record_answer

logger = logging.getLogger(__name__)


class AttemptsUsedUp(Exception):
    """The learner has used every attempt this exercise allows."""


class AlreadyCorrect(Exception):
    """The learner has already answered this exercise correctly."""


def submit_answer(
    *, learner: User, exercise: Exercise, answer: dict[str, Any], confidence: int | None
) -> Submission:
    """Save an attempt and send it for grading once the transaction commits.

    On a draft course (an author trying the exercise as a learner, ADR 15) the answer is
    marked by the same pipeline, but attempts are unlimited and no progress is recorded."""
    trial = exercise.course.is_draft
    with transaction.atomic():
        # Lock the learner's row so two quick submissions cannot both take the last attempt.
        lock_learner(learner.pk)
        attempts = selectors.attempts_for(learner=learner, exercise=exercise)
        if not trial and attempts.filter(state=State.GRADED, correct=True).exists():
            raise AlreadyCorrect(exercise)
        used = attempts.filter(counted=True).exclude(state=State.ERROR).count()
        if not trial and exercise.max_attempts and used >= exercise.max_attempts:
            raise AttemptsUsedUp(exercise)
        free_text = exercise.kind == Kind.FREE_TEXT
        submission = Submission.objects.create(
            exercise=exercise,
            learner=learner,
            answer=answer,
            confidence=confidence,
            attempt=used + 1,
            variant=selectors.variant_for(learner_id=learner.pk, exercise=exercise),
            state=State.AWAITING_TUTOR if free_text else State.PENDING,
            exercise_version=exercise.version,
        )
        if not trial:
            record_answer(
                learner_id=learner.pk, exercise_id=exercise.pk, course_id=exercise.course_id
            )
        if not free_text:
            transaction.on_commit(lambda: send_for_grading(submission_id=submission.pk))
    return submission


def send_for_grading(*, submission_id: int) -> bool:
    """Publish the grading task. If the broker is down, the submission stays pending and the
    sweeper sends it later: never raises."""
    from exercises import tasks

    try:
        tasks.grade_submission.apply_async(args=[submission_id])
    except Exception as error:  # any broker failure: the database keeps the work
        logger.warning("Could not send submission %s for grading: %r", submission_id, error)
        return False
    Submission.objects.filter(pk=submission_id).update(
        sent_at=timezone.now(), send_count=F("send_count") + 1
    )
    return True


def grade_submission(*, submission_id: int) -> bool:
    """Grade a pending submission once. Returns False when there is nothing to do: already
    graded, or being graded right now by another delivery of the same task.

    The row is locked (``SELECT … FOR UPDATE``) for the length of the grading, and the result
    is stored in the same transaction: one commit per grading. If the worker dies mid-way, the
    transaction rolls back and the submission is still pending, so the sweeper sends it again;
    a second delivery waits for the lock, then finds the submission graded and does nothing.

    The two statements on the submission are written in SQL (``masterclass.sql``): built by
    the ORM, they cost more than grading a simple answer, and a worker runs them hundreds of
    times a second (docs/adr/0014-hot-paths-in-prepared-sql.md).
    """
    started = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Safe to skip waiting for the disk here: if a crash loses this commit, the
            # submission is simply pending again and the sweeper grades it again.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # Waits for any other holder of the row (the web process noting when it sent the task,
        # or a duplicate delivery grading it): then sees the row as it is now.
        rows = sql.fetch_all(
            _LOCK_FOR_GRADING.format(**_TABLES, lock=sql.for_update("s")),
            {"submission": submission_id, "pending": State.PENDING, "grading": State.GRADING},
        )
        if not rows:
            return False
        job = _GradingJob(*rows[0])
        data = selectors.CourseData(job.course_id)
        spec = _json(job.spec)
        datasets = spec.get("datasets") or []
        outcome = grading.grade(
            job.kind,
            spec,
            _json(job.answer),
            data=data,
            variant=job.variant,
            confidence=job.confidence,
            certainty_based=bool(job.certainty_based_marking),
            version_key=data.version_key(datasets) if datasets else "",
        )
        ops = connection.ops
        if not job.trial:
            # The learner's row is locked only now, for the recount (progress.services): held
            # during the grading, it would hold up their other requests (reading, answering).
            lock_learner(job.learner_id)
        stored = sql.execute(
            _STORE_GRADE.format(**_TABLES),
            {
                "submission": submission_id,
                "pending": State.PENDING,
                "grading": State.GRADING,
                "graded": State.GRADED,
                "score": outcome.score,
                "correct": outcome.correct,
                "feedback": ops.adapt_json_value(outcome.feedback, None),
                "result": ops.adapt_json_value(outcome.result, None),
                # An attempt that once failed to be marked never counts, even when marked later.
                "counted": bool(outcome.counted and job.counted),
                "version": job.version,
                "started": ops.adapt_datetimefield_value(started),
                "now": ops.adapt_datetimefield_value(timezone.now()),
            },
        )
        if not stored:  # cannot happen while the row is locked; never store a result twice
            return False
        if not job.trial:  # an author trying a draft exercise: marked, but not progress
            record_answer(
                learner_id=job.learner_id,
                exercise_id=job.exercise_id,
                course_id=job.course_id,
                learner_locked=True,
            )
    return True


@dataclass(frozen=True)
class _GradingJob:
    """What grading reads: the answer, and the exercise's kind and answer key."""

    learner_id: int
    exercise_id: int
    answer: Any
    variant: str
    confidence: int | None
    counted: bool
    kind: str
    spec: Any
    certainty_based_marking: bool
    version: int
    course_id: int
    trial: bool  # the exercise is in a draft course: its answers count for no progress


def _json(value: Any) -> Any:
    # JSON columns come back as text from SQLite, and from PostgreSQL through Django's
    # connection (which leaves decoding to the model field).
    return json.loads(value) if isinstance(value, str) else value


_TABLES = sql.tables(submission=Submission, exercise=Exercise, course=Course)

# The submission with its exercise's answer key; on PostgreSQL it also locks the submission.
_LOCK_FOR_GRADING = """
    SELECT s.learner_id, s.exercise_id, s.answer, s.variant, s.confidence, s.counted,
           e.kind, e.spec, e.certainty_based_marking, e.version, e.course_id, c.is_draft
    FROM {submission} s
    JOIN {exercise} e ON e.id = s.exercise_id
    JOIN {course} c ON c.id = e.course_id
    WHERE s.id = %(submission)s AND s.state IN (%(pending)s, %(grading)s)
    {lock}
"""

_STORE_GRADE = """
    UPDATE {submission}
    SET state = %(graded)s, score = %(score)s, correct = %(correct)s,
        feedback = %(feedback)s, result = %(result)s, counted = %(counted)s,
        graded_version = %(version)s, started_at = %(started)s, graded_at = %(now)s,
        grading_runs = grading_runs + 1, error = ''
    WHERE id = %(submission)s AND state IN (%(pending)s, %(grading)s)
"""


@transaction.atomic
def mark_failed(*, submission_id: int, error: str) -> None:
    """Retries have run out: tell the learner, do not count the attempt, list it for staff."""
    failed = Submission.objects.filter(pk=submission_id).exclude(state=State.GRADED)
    if failed.update(
        state=State.ERROR, counted=False, error=error[:2000], graded_at=timezone.now()
    ):
        row = failed.values(
            "learner_id", "exercise_id", "exercise__course_id", "exercise__course__is_draft"
        ).get()
        if not row["exercise__course__is_draft"]:
            record_answer(
                learner_id=row["learner_id"],
                exercise_id=row["exercise_id"],
                course_id=row["exercise__course_id"],
            )


def sweep_submissions() -> int:
    """Send again what has waited too long, backing off each time (a backlog is not a loss);
    give up only on what has been waiting for hours."""
    now = timezone.now()
    resend_after = timedelta(seconds=settings.GRADING_RESEND_AFTER_SECONDS)
    # A grading that never finished: a worker that died before the rollback reached us.
    Submission.objects.filter(state=State.GRADING, started_at__lt=now - resend_after).update(
        state=State.PENDING
    )
    waiting = Submission.objects.filter(state=State.PENDING).filter(
        Q(sent_at__isnull=True, submitted_at__lt=now - timedelta(seconds=2))
        | Q(sent_at__lt=now - resend_after)
    )
    given_up = waiting.filter(
        send_count__gte=settings.GRADING_MAX_SENDS,
        submitted_at__lt=now - timedelta(seconds=settings.GRADING_GIVE_UP_AFTER_SECONDS),
    )
    for submission_id in given_up.values_list("pk", flat=True):
        mark_failed(submission_id=submission_id, error="Not marked after many tries.")
    sent = 0
    for submission_id, sent_at, sends in waiting.values_list("pk", "sent_at", "send_count")[:1000]:
        backoff = resend_after * 2 ** min(max(sends - 1, 0), 6)
        if sent_at is None or sent_at < now - backoff:
            sent += send_for_grading(submission_id=submission_id)
    return sent


def regrade(*, exercise: Exercise, submission: Submission | None = None) -> int:
    """Grade again after the answer key changed: one submission, or all of an exercise's."""
    from exercises import tasks

    if exercise.kind == Kind.FREE_TEXT:
        return 0  # marked by tutors, not by a grader: their marks stand
    finished = Submission.objects.filter(exercise=exercise, state__in=[State.GRADED, State.ERROR])
    if submission is not None:
        finished = finished.filter(pk=submission.pk)
    ids = list(finished.values_list("pk", flat=True))
    # sent_at now: the chunks below are the sending, so the sweeper does not send them again.
    Submission.objects.filter(pk__in=ids).update(
        state=State.PENDING, sent_at=timezone.now(), send_count=1
    )
    for start in range(0, len(ids), 100):
        transaction.on_commit(partial(_send_chunk, ids[start : start + 100], tasks))
    return len(ids)


def _send_chunk(ids: list[int], tasks: Any) -> None:
    try:
        tasks.regrade_submissions.apply_async(args=[ids])
    except Exception as error:
        logger.warning("Could not send a regrade chunk (the sweeper will): %r", error)


@transaction.atomic
def save_exercises(
    *, course_id: int, exercises: list[ExerciseFile], charts: dict[str, Any]
) -> None:
    """Create or update a course's exercises from checked files; bump the version of any whose
    question or answer key changed. Called by the course importer."""
    Exercise.objects.filter(course_id=course_id).exclude(
        slug__in=[e.slug for e in exercises]
    ).delete()
    for item in exercises:
        values = {
            "title": item.title,
            "kind": item.kind,
            "prompt": item.prompt,
            "spec": item.spec,
            "hints": item.hints,
            "explanation": item.explanation,
            "chart": charts.get(item.chart) if item.chart else None,
            "max_attempts": item.max_attempts,
            "reveal_answer": item.reveal_answer,
            "ask_confidence": item.ask_confidence,
            "certainty_based_marking": item.certainty_based_marking,
            "source": item.source,
        }
        exercise = Exercise.objects.filter(course_id=course_id, slug=item.slug).first()
        if exercise is None:
            Exercise.objects.create(
                course_id=course_id, slug=item.slug, fingerprint=item.fingerprint, **values
            )
        elif exercise.fingerprint != item.fingerprint or any(
            getattr(exercise, k) != v for k, v in values.items()
        ):
            for name, value in values.items():
                setattr(exercise, name, value)
            if exercise.fingerprint != item.fingerprint:
                exercise.version += 1
                exercise.fingerprint = item.fingerprint
            exercise.save()


class AlreadyMarked(Exception):
    """Another tutor marked this answer first."""


@transaction.atomic
def mark_written_answer(
    *, submission: Submission, tutor: User, points: list[int], comment: str
) -> Submission:
    """A tutor's mark for a written answer: points per rubric criterion and a comment. Half
    the points or more counts as right."""
    rubric = submission.exercise.spec["rubric"]
    total = sum(item["points"] for item in rubric)
    awarded = sum(min(max(p, 0), item["points"]) for p, item in zip(points, rubric, strict=True))
    score = awarded / total
    updated = Submission.objects.filter(pk=submission.pk, state=State.AWAITING_TUTOR).update(
        state=State.GRADED,
        score=round(score, 4),
        correct=score >= 0.5,
        feedback=[
            f"{item['criterion']}: {p} of {item['points']}"
            for p, item in zip(points, rubric, strict=True)
        ],
        result={"points": points, "awarded": awarded, "total": total},
        tutor=tutor,
        tutor_comment=comment.strip(),
        graded_version=submission.exercise.version,
        graded_at=timezone.now(),
    )
    if not updated:
        raise AlreadyMarked(submission)
    if not submission.exercise.course.is_draft:
        record_answer(
            learner_id=submission.learner_id,
            exercise_id=submission.exercise_id,
            course_id=submission.exercise.course_id,
        )
    submission.refresh_from_db()
    return submission
