"""A learner with a history on two courses, for the "Your data" and account deletion tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.test import Client

from courses import services as course_services
from courses.models import Course
from exercises import services as exercise_services
from exercises.models import Submission
from tests.accounts.factories import PASSWORD
from tests.courses.conftest import MINI_COURSE
from tests.progress.helpers import answer, exercise


def import_mini_course() -> Course:
    return course_services.import_course(path=MINI_COURSE)


def import_second_course(tmp_path: Path) -> Course:
    """The small test course again, as a course of its own: "second-course", "Second course"."""
    copy = tmp_path / "second-course"
    shutil.copytree(MINI_COURSE, copy)
    course_file = copy / "course.md"
    course_file.write_text(
        course_file.read_text().replace("title: Mini course", "title: Second course")
    )
    return course_services.import_course(path=copy)


def write(learner: Any, course: Course, text: str) -> Submission:
    """A written answer (marked by a tutor later)."""
    return answer(learner, exercise(course, "what-is-noise"), {"text": text}, grade=False)


def mark(submission: Submission, tutor: Any, points: list[int], comment: str) -> Submission:
    return exercise_services.mark_written_answer(
        submission=submission, tutor=tutor, points=points, comment=comment
    )


def reauthenticate(client: Client) -> None:
    """Confirm the password on allauth's page, as the person is asked to before deleting."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
