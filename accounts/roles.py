"""The roles a person holds, for navigation and access decisions.

Admins are Django staff. Authors belong to the "Authors" group until per-course
authoring roles arrive with the authoring workspace.
"""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User

AUTHORS_GROUP = "Authors"
TUTORS_GROUP = "Tutors"


def is_admin(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def is_author(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=AUTHORS_GROUP).exists()


def is_tutor(user: User | AnonymousUser) -> bool:
    """Tutors mark written answers. Admins can too."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.groups.filter(name=TUTORS_GROUP).exists()
