"""Creating a course and editing its details, modules, lessons and glossary in the draft."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from authoring import services
from authoring.models import CourseRole, Workspace
from courses.models import Course, Lesson, Module
from tests.authoring.conftest import client_for

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"authoring:{name}", kwargs=kwargs)


def test_an_author_creates_a_course_and_owns_it(author: Any, author_client: Client) -> None:
    response = author_client.post(
        url("create"), {"title": "Data for boards", "slug": "data-for-boards", "summary": "Short."}
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(slug="data-for-boards")
    assert CourseRole.objects.get(workspace=workspace).user == author
    assert workspace.draft.is_draft and workspace.live is None
    assert not Course.objects.filter(slug__startswith="data-for-boards").exists()
    assert "Data for boards" in author_client.get(url("home")).content.decode()


@pytest.mark.parametrize(
    ("slug", "message"),
    [("Data For Boards", "lowercase letters"), ("mini-course", "already has this short name")],
)
def test_a_bad_or_taken_short_name_is_refused(
    workspace: Any, author_client: Client, slug: str, message: str
) -> None:
    response = author_client.post(url("create"), {"title": "T", "slug": slug, "summary": "S"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert Workspace.objects.count() == 1


def test_learners_cannot_create_courses_or_see_the_authoring_home(learner: Any) -> None:
    client = client_for(learner)
    assert client.get(url("create")).status_code == 403
    assert client.get(url("home")).status_code == 404


def test_admins_start_authoring_a_course_loaded_from_a_folder(
    mini_course: Any, site_admin: Any
) -> None:
    client = client_for(site_admin)
    assert "Start authoring" in client.get(url("home")).content.decode()
    response = client.post(url("home"), {"course": mini_course.pk})
    assert response.status_code == 302
    assert Workspace.objects.get(live=mini_course).draft.title == mini_course.title
    assert client.post(url("home"), {"course": "nonsense"}).status_code == 404


def test_course_details_are_saved_in_the_draft_only(workspace: Any, editor_client: Client) -> None:
    form = editor_client.get(url("details", course=workspace.slug)).context["form"]
    data = {**form.initial, "outcomes": "Read a chart\nQuestion a claim", "title": "Mini, improved"}
    data = {k: v for k, v in data.items() if v is not None}
    data["published"] = "on"
    response = editor_client.post(url("details", course=workspace.slug), data)
    assert response.status_code == 302, response.content.decode()
    workspace.draft.refresh_from_db()
    assert workspace.draft.title == "Mini, improved"
    assert workspace.draft.outcomes == ["Read a chart", "Question a claim"]
    assert Course.objects.get(slug="mini-course").title == "Mini course"
    assert services.unpublished_changes(workspace) == ["course.md"]


def test_a_second_author_saving_over_the_first_is_told_and_loses_nothing(
    workspace: Any, author_client: Client, editor_client: Client
) -> None:
    lesson = workspace.draft.modules.first().lessons.first()
    address = url(
        "lesson_edit", course=workspace.slug, module=lesson.module.slug, lesson=lesson.slug
    )
    first = author_client.get(address).context["form"]
    second = editor_client.get(address).context["form"]

    def post(client: Client, form: Any, body: str) -> Any:
        data = {**form.initial, "body": body, "loaded": form["loaded"].value(),
                "objectives": "\n".join(form.initial["objectives"])}  # fmt: skip
        return client.post(address, data)

    assert post(author_client, first, "The author's words.").status_code == 302
    clash = post(editor_client, second, "The editor's words.")
    assert clash.status_code == 400
    page = clash.content.decode()
    assert "author@example.gov.uk saved this lesson" in page
    assert "The editor&#x27;s words." in page or "The editor's words." in page
    lesson.refresh_from_db()
    assert lesson.body == "The author's words."
    # Told, the editor may choose to save over it: the form now carries the newer stamp.
    again = post(editor_client, clash.context["form"], "The editor's words, merged.")
    assert again.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body == "The editor's words, merged."


def test_a_restore_after_opening_is_named_as_such(
    workspace: Any, author: Any, editor_client: Client
) -> None:
    lesson = workspace.draft.modules.first().lessons.first()
    Lesson.objects.filter(pk=lesson.pk).update(body="Changed since version 1.")
    address = url(
        "lesson_edit", course=workspace.slug, module=lesson.module.slug, lesson=lesson.slug
    )
    form = editor_client.get(address).context["form"]
    # Version 1 has the lesson's first text: restoring it rewrites the lesson's row.
    services.restore(workspace=workspace, version=workspace.versions.get(), actor=author)
    data = {**form.initial, "body": "Mine", "loaded": form["loaded"].value(),
            "objectives": "\n".join(form.initial["objectives"])}  # fmt: skip
    response = editor_client.post(address, data)
    assert response.status_code == 400
    assert "author@example.gov.uk replaced the draft" in response.content.decode()


def test_modules_and_lessons_are_added_moved_and_deleted(
    new_workspace: Any, author_client: Client
) -> None:
    slug = new_workspace.slug
    for title, module_slug in (("Basics", "basics"), ("Further", "further")):
        response = author_client.post(
            url("module_create", course=slug), {"title": title, "slug": module_slug}
        )
        assert response.status_code == 302
    response = author_client.post(
        url("lesson_create", course=slug, module="basics"),
        {
            "title": "Averages",
            "slug": "averages",
            "estimated_minutes": 5,
            "body": "## Means\n\nText.",
        },
    )
    assert response.status_code == 302
    author_client.post(url("module_move", course=slug, module="further"), {"direction": "up"})
    assert list(new_workspace.draft.modules.values_list("slug", flat=True)) == ["further", "basics"]
    # Moving past the end does nothing.
    author_client.post(url("module_move", course=slug, module="further"), {"direction": "up"})
    assert list(new_workspace.draft.modules.values_list("slug", "position")) == [
        ("further", 1),
        ("basics", 2),
    ]
    author_client.post(url("module_delete", course=slug, module="further"))
    assert list(new_workspace.draft.modules.values_list("slug", flat=True)) == ["basics"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"authoring.create", "authoring.edit", "authoring.move", "authoring.delete"} <= actions


def test_a_lesson_with_broken_markup_is_refused_with_its_line(
    workspace: Any, editor_client: Client
) -> None:
    module = workspace.draft.modules.first()
    body = "Fine first line.\n\n{{ chart: Not A Slug }}\n\n# A second title\n"
    response = editor_client.post(
        url("lesson_create", course=workspace.slug, module=module.slug),
        {"title": "Broken", "slug": "broken", "estimated_minutes": 5, "body": body},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3:" in page and "Line 5:" in page
    assert body.splitlines()[0] in page  # the text is kept in the form
    assert not Lesson.objects.filter(slug="broken").exists()


def test_the_no_script_preview_saves_nothing(workspace: Any, editor_client: Client) -> None:
    lesson = workspace.draft.modules.first().lessons.first()
    response = editor_client.post(
        url("lesson_edit", course=workspace.slug, module=lesson.module.slug, lesson=lesson.slug),
        {"title": lesson.title, "slug": lesson.slug, "estimated_minutes": 3, "body": "Changed",
         "preview": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Preview" in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.body != "Changed"


def test_glossary_terms_are_added_edited_and_deleted(workspace: Any, editor_client: Client) -> None:
    slug = workspace.slug
    response = editor_client.post(
        url("term_create", course=slug),
        {"term": "Standard deviation", "slug": "standard-deviation", "definition": "Spread."},
    )
    assert response.status_code == 302
    taken = editor_client.post(
        url("term_create", course=slug),
        {"term": "Again", "slug": "standard-deviation", "definition": "Twice."},
    )
    assert taken.status_code == 400
    editor_client.post(url("term_delete", course=slug, term="standard-deviation"))
    assert not workspace.draft.glossary_terms.filter(slug="standard-deviation").exists()


def test_a_course_made_from_nothing_is_published_to_learners(
    new_workspace: Any, author: Any, author_client: Client, learner: Any
) -> None:
    slug = new_workspace.slug
    with pytest.raises(services.PublishRefused) as refused:
        services.publish(workspace=new_workspace, actor=author)
    assert any("at least one module" in p.message for p in refused.value.problems)
    author_client.post(url("module_create", course=slug), {"title": "Basics", "slug": "basics"})
    author_client.post(
        url("lesson_create", course=slug, module="basics"),
        {"title": "Averages", "slug": "averages", "estimated_minutes": 5, "body": "Words."},
    )
    assert services.check_draft(workspace=new_workspace) == []
    services.publish(workspace=new_workspace, actor=author, note="First")
    new_workspace.refresh_from_db()
    assert new_workspace.live.slug == "new-course"
    assert Module.objects.filter(course=new_workspace.live, slug="basics").exists()
    page = client_for(learner).get(reverse("courses:course", kwargs={"course": "new-course"}))
    assert page.status_code == 200
    assert "Averages" in page.content.decode()
