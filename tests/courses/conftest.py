import shutil
from pathlib import Path

import pytest

from courses import services

MINI_COURSE = Path(__file__).parent / "fixtures" / "mini-course"
SAMPLE_COURSE = Path(__file__).resolve().parents[2] / "content" / "data-masterclass"


@pytest.fixture
def mini_course_path(tmp_path: Path) -> Path:
    """A writable copy of the small test course, for tests that break it."""
    copy = tmp_path / "mini-course"
    shutil.copytree(MINI_COURSE, copy)
    return copy


@pytest.fixture
def mini_course(db: None):  # type: ignore[no-untyped-def]
    return services.import_course(path=MINI_COURSE)


@pytest.fixture
def draft_course(db: None, mini_course_path: Path):  # type: ignore[no-untyped-def]
    course_file = mini_course_path / "course.md"
    course_file.write_text(course_file.read_text().replace("published: true", "published: false"))
    renamed = mini_course_path.parent / "draft-course"
    mini_course_path.rename(renamed)
    return services.import_course(path=renamed)
