"""Who may do what in the authoring workspace: the one place that decides.

Each course has owners, editors and reviewers (``CourseRole``); admins act as owners of every
course. Anyone else gets a 404 for every authoring address of the course, so that they cannot
even learn that it exists. A role that is too weak for an action gets a 403 that says why.
"""

from __future__ import annotations

from enum import IntEnum
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import roles
from accounts.models import User
from authoring.models import CourseRole, Role, Workspace
from courses.models import Course

Person = User | AnonymousUser


class Need(IntEnum):
    """What an action needs, weakest first."""

    VIEW = 1  # preview the draft, read history, comment
    EDIT = 2  # change the draft
    PUBLISH = 3  # publish, restore a version, import over the draft
    MANAGE = 4  # decide who works on the course


GRANTS = {
    Role.REVIEWER: Need.VIEW,
    Role.EDITOR: Need.PUBLISH,
    Role.OWNER: Need.MANAGE,
}
REFUSALS = {
    Need.EDIT: "Reviewers can preview and comment on this course, but not change it.",
    Need.PUBLISH: "Reviewers can preview and comment on this course, but not publish it.",
    Need.MANAGE: "Only the course's owners can decide who works on it.",
}


def can_create_courses(*, user: Person) -> bool:
    return roles.is_admin(user) or roles.is_author(user)


def can_open_workspaces(*, user: Person) -> bool:
    """Bringing a live course made before authoring existed into the authoring area: for
    admins, as no one has a role on such a course yet."""
    return roles.is_admin(user)


def role_in(*, user: Person, workspace: Workspace) -> str | None:
    """The user's role on the course; admins count as owners."""
    if not user.is_authenticated:
        return None
    if roles.is_admin(user):
        return Role.OWNER
    return (
        CourseRole.objects.filter(workspace=workspace, user=user)
        .values_list("role", flat=True)
        .first()
    )


def allows(role: str | None, need: Need) -> bool:
    return role is not None and GRANTS[Role(role)] >= need


def workspaces_for(*, user: Person) -> QuerySet[Workspace]:
    workspaces = Workspace.objects.select_related("draft", "live").order_by("draft__title")
    if roles.is_admin(user):
        return workspaces
    if not user.is_authenticated:
        return workspaces.none()
    return workspaces.filter(roles__user=user)


def workspace_for(*, user: Person, slug: str, need: Need = Need.VIEW) -> Workspace:
    """The workspace, with ``role`` set on it, or 404 when the user has no role on the course
    and 403 when the role does not allow ``need``."""
    workspace = Workspace.objects.select_related("draft", "live").filter(slug=slug).first()
    role = role_in(user=user, workspace=workspace) if workspace is not None else None
    if workspace is None or role is None:
        raise Http404("No such course")
    if not allows(role, need):
        raise PermissionDenied(REFUSALS[need])
    workspace.role = role  # type: ignore[attr-defined]
    return workspace


def can_preview_draft(*, user: Person, course: Course) -> bool:
    """Whether the user may see this draft course through the learner pages."""
    if not user.is_authenticated or not course.is_draft:
        return False
    if roles.is_admin(user):
        return True
    return CourseRole.objects.filter(workspace__draft=course, user=user).exists()


def can_preview_unlisted(*, user: Person, course: Course) -> bool:
    """An author sees an unlisted live course if it is not in the authoring area, or if they
    have a role on it there."""
    workspace = Workspace.objects.filter(live=course).only("pk").first()
    if workspace is None:
        return True
    return CourseRole.objects.filter(workspace=workspace, user_id=cast(int, user.pk)).exists()


def can_regrade(*, user: Person, course: Course) -> bool:
    """Whether the user may have every answer to the course's exercises marked again (after an
    answer key is fixed): admins, and the course's editors and owners. A course that is not in
    the authoring area (loaded only from a folder) has no roles: every author may."""
    if not user.is_authenticated:
        return False
    if roles.is_admin(user):
        return True
    workspace = Workspace.objects.filter(Q(live=course) | Q(draft=course)).first()
    if workspace is None:
        return roles.is_author(user)
    return allows(role_in(user=user, workspace=workspace), Need.EDIT)
