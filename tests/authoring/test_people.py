"""Who works on a course, comments, and the course's activity."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from authoring.models import Comment, CourseRole, Role
from tests.accounts.factories import UserFactory, give_totp

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"authoring:{name}", kwargs=kwargs)


def test_an_owner_adds_a_reviewer_who_can_then_preview(
    workspace: Any, author_client: Client
) -> None:
    newcomer = UserFactory(email="newcomer@example.gov.uk")
    response = author_client.post(
        url("people", course=workspace.slug),
        {"email": "NEWCOMER@example.gov.uk", "role": "reviewer"},
    )
    assert response.status_code == 302
    assert CourseRole.objects.get(workspace=workspace, user=newcomer).role == Role.REVIEWER
    client = Client()
    client.force_login(newcomer)
    # The role needs a second factor: they are asked to set one up first.
    first = client.get(url("overview", course=workspace.slug))
    assert first.status_code == 302 and first["Location"].startswith("/accounts/2fa/")
    give_totp(newcomer)
    assert client.get(url("overview", course=workspace.slug)).status_code == 200
    assert (
        client.get(reverse("courses:course", kwargs={"course": workspace.draft.slug})).status_code
        == 200
    )


def test_unknown_people_and_unknown_roles_are_refused(
    workspace: Any, author_client: Client
) -> None:
    for data, message in (
        ({"email": "nobody@example.gov.uk", "role": "editor"}, "has an account"),
        ({"email": "editor@example.gov.uk", "role": "superuser"}, "Select a valid choice"),
    ):
        response = author_client.post(url("people", course=workspace.slug), data)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_last_owner_cannot_leave(workspace: Any, author: Any, author_client: Client) -> None:
    own = CourseRole.objects.get(workspace=workspace, user=author)
    author_client.post(url("remove_person", course=workspace.slug, role=own.pk))
    assert CourseRole.objects.filter(pk=own.pk).exists()
    demoted = author_client.post(
        url("people", course=workspace.slug), {"email": author.email, "role": "editor"}
    )
    assert demoted.status_code == 400
    assert "at least one owner" in demoted.content.decode()


def test_editors_cannot_decide_who_works_on_the_course(
    workspace: Any, editor_client: Client, reviewer: Any
) -> None:
    response = editor_client.post(
        url("people", course=workspace.slug), {"email": reviewer.email, "role": "owner"}
    )
    assert response.status_code == 403
    assert CourseRole.objects.get(workspace=workspace, user=reviewer).role == Role.REVIEWER


def test_reviewers_comment_and_editors_resolve(
    workspace: Any, reviewer_client: Client, editor_client: Client
) -> None:
    lesson_file = "modules/01-first-steps/01-welcome.md"
    response = reviewer_client.post(
        url("comments", course=workspace.slug),
        {"about": lesson_file, "text": "The second paragraph needs a source."},
    )
    assert response.status_code == 302
    comment = Comment.objects.get(workspace=workspace)
    assert comment.about == lesson_file
    assert (
        reviewer_client.post(
            url("resolve_comment", course=workspace.slug, comment=comment.pk)
        ).status_code
        == 403
    )
    editor_client.post(url("resolve_comment", course=workspace.slug, comment=comment.pk))
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    page = reviewer_client.get(url("activity", course=workspace.slug)).content.decode()
    assert "added a comment" in page and "resolved a comment" in page


def test_a_comment_about_a_file_that_is_not_in_the_draft_is_refused(
    workspace: Any, reviewer_client: Client
) -> None:
    response = reviewer_client.post(
        url("comments", course=workspace.slug), {"about": "../../etc/passwd", "text": "Hello"}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_activity_lists_changes_in_words(
    workspace: Any, editor_client: Client, reviewer_client: Client
) -> None:
    editor_client.post(
        url("module_move", course=workspace.slug, module="next-steps"), {"direction": "up"}
    )
    page = reviewer_client.get(url("activity", course=workspace.slug)).content.decode()
    assert "editor@example.gov.uk" in page
    assert "moved a module up" in page


def test_a_reviewer_is_told_why_they_cannot_edit(workspace: Any, reviewer_client: Client) -> None:
    response = reviewer_client.get(url("details", course=workspace.slug))
    assert response.status_code == 403
    assert "Reviewers can preview and comment on this course, but not change it." in (
        response.content.decode()
    )
