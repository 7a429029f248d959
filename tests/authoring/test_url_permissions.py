"""Every authoring address, walked as people with no role, weaker roles and none at all.

The walk reads the URL patterns themselves, so a new authoring view is covered (and must
follow the rules) without anyone remembering to add it here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from authoring.models import Comment, CourseRole
from tests.authoring.conftest import client_for

pytestmark = pytest.mark.django_db

# Pages a reviewer may open (GET); everything else that is per-course needs at least an editor.
REVIEWER_CAN_GET = {
    "overview", "glossary", "datasets", "charts", "exercises", "publish", "history", "version",
    "export_version", "export_draft", "people", "comments", "activity",
}  # fmt: skip
# Not under a course: they check the person's own rights.
SITE_WIDE = {"home", "create", "import_new"}


def authoring_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "authoring":
            return list(pattern.url_patterns)  # type: ignore[attr-defined]
    raise AssertionError("the authoring URLs are not mounted")


def arguments(workspace: Any, author: Any) -> dict[str, Any]:
    draft = workspace.draft
    module = draft.modules.order_by("position").first()
    comment = Comment.objects.create(workspace=workspace, author=author, text="A remark")
    return {
        "course": workspace.slug,
        "module": module.slug,
        "lesson": module.lessons.first().slug,
        "term": draft.glossary_terms.first().slug,
        "dataset": draft.datasets.first().slug,
        "chart": draft.charts.first().slug,
        "exercise": draft.exercises.first().slug,
        "number": 1,
        "role": CourseRole.objects.filter(workspace=workspace).first().pk,
        "comment": comment.pk,
    }


def urls(workspace: Any, author: Any) -> list[tuple[str, str]]:
    values = arguments(workspace, author)
    found = []
    for pattern in authoring_patterns():
        names = list(pattern.pattern.converters)
        unknown = set(names) - set(values)
        assert not unknown, f"{pattern.name}: give the walk a value for {unknown}"
        url = reverse(f"authoring:{pattern.name}", kwargs={n: values[n] for n in names})
        found.append((str(pattern.name), url))
    return found


def test_the_walk_sees_every_authoring_view(workspace: Any, author: Any) -> None:
    names = {name for name, _ in urls(workspace, author)}
    assert {"overview", "lesson_edit", "publish", "dataset_upload", "exercise_edit"} <= names
    assert len(names) >= 40


def test_someone_without_a_role_gets_404_everywhere(
    workspace: Any, author: Any, outsider_client: Client, learner: Any
) -> None:
    for client in (outsider_client, client_for(learner)):
        for name, url in urls(workspace, author):
            if name in SITE_WIDE:
                continue
            for method in (client.get, client.post):
                response = method(url)
                if response.status_code == 405:
                    # The view does not take this method, for any course: the answer is the
                    # same for a course that does not exist, so it gives nothing away.
                    elsewhere = method(url.replace(workspace.slug, "no-such-course", 1))
                    assert elsewhere.status_code == 405, name
                    continue
                assert response.status_code == 404, (name, method.__name__, response.status_code)


def test_signed_out_people_are_sent_to_sign_in(workspace: Any, author: Any) -> None:
    client = Client()
    for name, url in urls(workspace, author):
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


def test_a_reviewer_can_look_but_not_change(
    workspace: Any, author: Any, reviewer_client: Client
) -> None:
    for name, url in urls(workspace, author):
        if name in SITE_WIDE:
            continue
        got = reviewer_client.get(url)
        if name in REVIEWER_CAN_GET:
            assert got.status_code == 200, (name, got.status_code)
        else:
            assert got.status_code in (403, 405), (name, got.status_code)
    changing = {
        "details", "module_create", "module_edit", "module_move", "module_delete",
        "lesson_create", "lesson_edit", "lesson_move", "lesson_delete", "term_create",
        "term_edit", "term_delete", "dataset_upload", "dataset_edit", "dataset_replace",
        "dataset_delete", "chart_create", "chart_edit", "chart_delete", "exercise_create",
        "exercise_edit", "exercise_delete", "publish", "restore", "import_draft", "people",
        "remove_person", "resolve_comment",
    }  # fmt: skip
    before = workspace.draft.content_version
    for name, url in urls(workspace, author):
        if name in changing:
            response = reviewer_client.post(url, {"direction": "up", "note": "x"})
            assert response.status_code == 403, (name, response.status_code)
    workspace.draft.refresh_from_db()
    assert workspace.draft.content_version == before


def test_an_editor_reaches_every_course_page(
    workspace: Any, author: Any, editor_client: Client
) -> None:
    for name, url in urls(workspace, author):
        if name in SITE_WIDE:
            continue
        response = editor_client.get(url)
        # Managing people is for owners; some addresses only take POST.
        assert response.status_code in (200, 405), (name, response.status_code)


def test_the_draft_is_hidden_from_learners_and_shown_to_its_authors(
    workspace: Any, learner: Any, outsider_client: Client, reviewer_client: Client
) -> None:
    lesson = workspace.draft.modules.first().lessons.first()
    draft_urls = [
        reverse("courses:course", kwargs={"course": workspace.draft.slug}),
        reverse(
            "courses:lesson",
            kwargs={
                "course": workspace.draft.slug,
                "module": lesson.module.slug,
                "lesson": lesson.slug,
            },
        ),
        reverse(
            "exercises:exercise",
            kwargs={
                "course": workspace.draft.slug,
                "exercise": workspace.draft.exercises.first().slug,
            },
        ),
    ]
    for url in draft_urls:
        assert client_for(learner).get(url).status_code == 404, url
        assert outsider_client.get(url).status_code == 404, url
        page = reviewer_client.get(url)
        assert page.status_code == 200, url
        assert "Draft preview" in page.content.decode()
    catalogue = client_for(learner).get(reverse("courses:catalogue")).content.decode()
    assert workspace.draft.slug not in catalogue
