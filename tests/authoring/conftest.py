"""Personas and courses for the authoring workspace.

``workspace`` is the small test course (tests/courses/fixtures/mini-course), live, with its
draft: ``author`` owns it, ``editor`` edits it, ``reviewer`` reviews it, and ``outsider`` (an
author too) has no role on it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from authoring import services
from authoring.models import CourseRole, Role, Workspace
from courses import services as course_services
from tests.accounts.factories import UserFactory
from tests.courses.conftest import MINI_COURSE


@pytest.fixture
def editor(db: None) -> Any:
    return UserFactory(email="editor@example.gov.uk", author=True, mfa=True)


@pytest.fixture
def reviewer(db: None) -> Any:
    return UserFactory(email="reviewer@example.gov.uk", author=True, mfa=True)


@pytest.fixture
def outsider(db: None) -> Any:
    return UserFactory(email="outsider@example.gov.uk", author=True, mfa=True)


@pytest.fixture
def mini_course_path(tmp_path: Any) -> Any:
    """A writable copy of the small test course."""
    import shutil

    copy = tmp_path / "mini-course"
    shutil.copytree(MINI_COURSE, copy)
    return copy


@pytest.fixture
def mini_course(db: None) -> Any:
    return course_services.import_course(path=MINI_COURSE)


@pytest.fixture
def workspace(mini_course: Any, author: Any, editor: Any, reviewer: Any) -> Workspace:
    found = services.workspace_for_course(course=mini_course, actor=author)
    for user, role in ((author, Role.OWNER), (editor, Role.EDITOR), (reviewer, Role.REVIEWER)):
        CourseRole.objects.create(workspace=found, user=user, role=role)
    return found


@pytest.fixture
def new_workspace(author: Any) -> Workspace:
    """A course made from nothing in the authoring area: a draft with no modules yet."""
    return services.create_course(
        actor=author, slug="new-course", title="A new course", summary="Made in the browser."
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def author_client(author: Any) -> Client:
    return client_for(author)


@pytest.fixture
def editor_client(editor: Any) -> Client:
    return client_for(editor)


@pytest.fixture
def reviewer_client(reviewer: Any) -> Client:
    return client_for(reviewer)


@pytest.fixture
def outsider_client(outsider: Any) -> Client:
    return client_for(outsider)
