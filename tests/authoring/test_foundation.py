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


def test_import_course_refuses_a_slug_that_is_only_a_draft(
    new_workspace: Any, mini_course_path: Any
) -> None:
    from django.core.management import CommandError, call_command

    renamed = mini_course_path.parent / "new-course"
    mini_course_path.rename(renamed)
    with pytest.raises(CommandError, match="being written in the authoring area"):
        call_command("import_course", str(renamed))
    assert not Course.objects.filter(slug="new-course").exists()


def test_import_course_keeps_each_new_folder_state_as_a_version(
    workspace: Any, mini_course_path: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    lesson = mini_course_path / "modules/01-first-steps/01-welcome.md"
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    call_command("import_course", str(mini_course_path))
    call_command("import_course", str(mini_course_path))  # the same again: nothing new
    versions = list(workspace.versions.order_by("number").values_list("number", "origin"))
    assert versions == [(1, "start"), (2, "folder")]
    workspace.draft.refresh_from_db()
    assert services.unpublished_changes(workspace) == []  # the draft came along


def test_the_demo_loader_leaves_a_course_published_in_the_browser_alone(
    settings: Any, author: Any
) -> None:
    from django.core.management import call_command

    call_command("load_demo")
    course = Course.objects.get(slug="data-masterclass")
    workspace = services.workspace_for_course(course=course)
    lesson = workspace.draft.modules.first().lessons.first()
    lesson.title = "Retitled by an author"
    lesson.save()
    services.publish(workspace=workspace, actor=author)
    call_command("load_demo")
    assert course.modules.first().lessons.first().title == "Retitled by an author"
    assert workspace.versions.count() == 2


def test_publishing_is_refused_while_a_lesson_links_to_the_draft(
    workspace: Any, author: Any
) -> None:
    lesson = workspace.draft.modules.first().lessons.first()
    lesson.body += "\n\nSee [the chart](/courses/mini-course_draft/first-steps/data/).\n"
    lesson.save()
    problems = services.check_draft(workspace=workspace)
    assert [p.message for p in problems if "preview address" in p.message]


def test_reading_a_draft_earns_no_progress_and_no_certificate(
    workspace: Any, reviewer: Any
) -> None:
    from django.urls import reverse

    from progress.models import Certificate, CourseProgress
    from tests.authoring.conftest import client_for

    client = client_for(reviewer)
    draft = workspace.draft
    for module in draft.modules.all():
        for lesson in module.lessons.all():
            address = reverse(
                "courses:mark_read",
                kwargs={"course": draft.slug, "module": module.slug, "lesson": lesson.slug},
            )
            assert client.post(address).status_code == 302
    client.post(
        reverse("progress:my_certificate", kwargs={"course": draft.slug}), {"name": "Rev Iewer"}
    )
    assert not CourseProgress.objects.filter(learner=reviewer).exists()
    assert not Certificate.objects.exists()
    assert not reviewer.lesson_completions.exists()


def test_authors_see_unlisted_courses_only_where_they_have_a_role(
    workspace: Any, outsider: Any, reviewer: Any
) -> None:
    from django.urls import reverse

    from tests.authoring.conftest import client_for

    Course.objects.filter(pk=workspace.live_id).update(published=False)
    address = reverse("courses:course", kwargs={"course": workspace.slug})
    assert client_for(outsider).get(address).status_code == 404
    assert client_for(reviewer).get(address).status_code == 200
    catalogue = client_for(outsider).get(reverse("courses:catalogue")).content.decode()
    assert "Mini course" not in catalogue


def test_the_draft_digests_follow_every_change_to_the_draft(workspace: Any) -> None:
    from django.urls import reverse

    from tests.authoring.conftest import client_for

    assert services.unpublished_changes(workspace) == []
    client = client_for(workspace.roles.get(role="editor").user)
    client.post(
        reverse("authoring:module_move", kwargs={"course": workspace.slug, "module": "next-steps"}),
        {"direction": "up"},
    )
    workspace.draft.refresh_from_db()
    # Both modules change places: each file is removed at its old path and added at its new one.
    assert len(services.unpublished_changes(workspace)) == 10
