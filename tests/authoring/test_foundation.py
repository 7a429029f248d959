from __future__ import annotations

from typing import Any

import pytest

from authoring import bundles, services
from authoring.models import Version
from courses.models import Course

pytestmark = pytest.mark.django_db


def test_a_live_course_gets_a_draft_copy_and_a_first_version(workspace: Any) -> None:
    assert workspace.draft.is_draft
    assert workspace.draft.slug == "mini-course_draft"
    assert bundles.files_of(workspace.draft) == bundles.files_of(workspace.live)
    assert Version.objects.get(workspace=workspace).number == 1
    assert services.unpublished_changes(workspace) == []
    assert list(Course.objects.values_list("slug", flat=True)) == ["mini-course"]


def test_publishing_the_draft_changes_the_live_course(workspace: Any, author: Any) -> None:
    lesson = workspace.draft.modules.first().lessons.first()
    lesson.title = "A better title"
    lesson.save()
    assert services.unpublished_changes(workspace)
    version = services.publish(workspace=workspace, actor=author, note="Clearer title")
    assert version.number == 2
    live_lesson = workspace.live.modules.first().lessons.first()
    assert live_lesson.title == "A better title"
    assert services.unpublished_changes(workspace) == []
