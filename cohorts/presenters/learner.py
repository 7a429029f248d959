"""One learner's page: progress by module and, unless they keep them private, answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cohorts import reports
from cohorts.models import Cohort, Membership
from cohorts.presenters.grid import grid_rows
from exercises.models import Exercise
from exercises.presenters import answer_text


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
