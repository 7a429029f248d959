"""The authoring workspace: a draft copy of each course that authors edit, the immutable
versions that publishing makes of it, who may work on it, and reviewers' comments.

A draft is an ordinary ``courses.Course`` (``is_draft``), so that previews go through exactly
the pages and rendering that learners get. Publishing checks the draft as the folder format
(``courses.content.folder``) and saves it over the live course. See ADR 15.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from courses.models import SLUG_LENGTH, Course


class Workspace(models.Model):
    """One course as its authors see it: the draft they edit and the live course learners use
    (none until the first publish)."""

    slug = models.SlugField(max_length=SLUG_LENGTH, unique=True)
    draft = models.OneToOneField(Course, on_delete=models.PROTECT, related_name="workspace")
    live = models.OneToOneField(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_workspace"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"


ROLE_HINTS = {
    Role.OWNER: "Edits, publishes, and decides who works on the course",
    Role.EDITOR: "Edits and publishes",
    Role.REVIEWER: "Previews and comments; cannot edit or publish",
}


class CourseRole(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_role_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} of {self.workspace}"


class Blob(models.Model):
    """A file's text, stored once however many versions contain it."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    text = models.TextField()

    def __str__(self) -> str:
        return self.sha256

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Origin(models.TextChoices):
    START = "start", "The course as it was when authoring started"
    PUBLISHED = "published", "Published from the authoring area"
    FOLDER = "folder", "Imported from a course folder"


class Version(models.Model):
    """A published state of a course: every file of its folder, as it was. Never changed."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.PUBLISHED)
    # {path in the course folder: Blob.sha256}
    files = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workspace} version {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("A published version cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Comment(models.Model):
    """A reviewer's (or any author's) remark on part of the draft."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What it is about, as a path in the course folder ("modules/01-x/02-y.md"), or "" for
    # the course as a whole.
    about = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "-created_at"]

    def __str__(self) -> str:
        return f"Comment on {self.workspace} {self.about}"
