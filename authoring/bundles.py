"""A course as the files of its folder: read from a draft, checked, kept in versions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from authoring.models import Blob, Version
from courses.content.folder import CourseBundle, read_course
from courses.exporting import course_files
from courses.models import Course
from masterclass import caching

Files = dict[str, str]


def files_of(course: Course) -> Files:
    return course_files(course=course)


# Kept for a day; every change to a draft bumps its content_version, so a key never goes stale.
DIGESTS_SECONDS = 60 * 60 * 24


def draft_digests(draft: Course) -> dict[str, str]:
    """{path: digest} of the draft's files. Writing a whole course out takes a noticeable
    fraction of a second for a large one, and the overview and history pages need only this:
    cached per content version of the draft."""
    key = f"authoring:digests:{draft.pk}:{draft.content_version}"
    digests = caching.get(key)
    if digests is None:
        digests = {name: Blob.digest(text) for name, text in files_of(draft).items()}
        caching.set(key, digests, DIGESTS_SECONDS)
    return digests  # type: ignore[no-any-return]


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
