from pathlib import Path

import pytest

from courses import services as course_services
from exercises.models import Exercise

MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"


@pytest.fixture
def course(db):  # type: ignore[no-untyped-def]
    return course_services.import_course(path=MINI_COURSE)


@pytest.fixture
def exercise_named(course):  # type: ignore[no-untyped-def]
    return lambda slug: Exercise.objects.select_related("course").get(course=course, slug=slug)


from tests.courses.conftest import draft_course, mini_course_path  # noqa: E402, F401  (shared fixtures)
