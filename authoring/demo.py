"""The sample course in the authoring area, owned by the demo author. Never in production."""

from __future__ import annotations

from accounts.models import User
from authoring import services
from authoring.models import CourseRole, Role, Workspace
from courses.models import Course


def load_demo_authoring(*, course: Course, owner: User) -> Workspace:
    """Keep a version of the sample course as loaded, and make the demo author its owner."""
    services.record_folder_import(course=course)
    workspace = services.workspace_for_course(course=course)
    CourseRole.objects.get_or_create(workspace=workspace, user=owner, defaults={"role": Role.OWNER})
    return workspace
