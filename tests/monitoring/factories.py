"""Submissions in a given state at given times, for the status figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from exercises.models import Exercise, State, Submission


def make_submission(
    *,
    exercise: Exercise,
    learner: Any,
    state: str = State.PENDING,
    submitted_at: datetime,
    took: timedelta | None = None,
    grading_runs: int | None = None,
    **fields: Any,
) -> Submission:
    """A submission made at ``submitted_at``; with ``took``, finished that long after."""
    submission = Submission.objects.create(
        exercise=exercise,
        learner=learner,
        answer={},
        attempt=1,
        state=state,
        exercise_version=exercise.version,
    )
    finished = {"graded_at": submitted_at + took} if took is not None else {}
    runs = grading_runs if grading_runs is not None else int(state == State.GRADED)
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=submitted_at, grading_runs=runs, **finished, **fields
    )
    submission.refresh_from_db()
    return submission
