"""A course as the files of its folder: read from a draft, checked, kept in versions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from authoring.models import Blob, Version
from courses.content.folder import CourseBundle, read_course
from courses.exporting import course_files
from courses.models import Course

Files = dict[str, str]


def files_of(course: Course) -> Files:
    return course_files(course=course)


def read_files(files: Files, *, slug: str) -> CourseBundle:
    """Check the files as a course folder named ``slug``; raises ContentInvalid with every
    problem (paths relative to the folder)."""
    with tempfile.TemporaryDirectory(prefix="course-") as directory:
        root = Path(directory) / slug
        root.mkdir()
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return read_course(root)


def store(files: Files) -> dict[str, str]:
    """Save each file's text once; returns {path: digest} for a version."""
    digests = {name: Blob.digest(text) for name, text in files.items()}
    known = set(Blob.objects.filter(sha256__in=digests.values()).values_list("sha256", flat=True))
    Blob.objects.bulk_create(
        [
            Blob(sha256=digest, text=files[name])
            for name, digest in digests.items()
            if digest not in known
        ],
        ignore_conflicts=True,
    )
    return digests


def files_in(version: Version) -> Files:
    texts = dict(
        Blob.objects.filter(sha256__in=set(version.files.values())).values_list("sha256", "text")
    )
    return {name: texts[digest] for name, digest in sorted(version.files.items())}
