"""Reads for the authoring pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User
from audit.models import AuditEvent
from authoring import services
from authoring.models import Comment, Version, Workspace
from courses.models import Course, Lesson, Module


@dataclass
class Status:
    latest: Version | None
    changes: list[str]
    open_comments: int


def status(*, workspace: Workspace) -> Status:
    return Status(
        latest=services.latest_version(workspace),
        changes=services.unpublished_changes(workspace),
        open_comments=workspace.comments.filter(resolved_at__isnull=True).count(),
    )


def outline(*, course: Course) -> list[Module]:
    lessons = Lesson.objects.only("id", "slug", "title", "position", "module_id", "body")
    return list(
        course.modules.order_by("position").prefetch_related(
            Prefetch("lessons", queryset=lessons.order_by("position"))
        )
    )


def contents(*, course: Course) -> dict[str, int]:
    counted = Course.all_objects.filter(pk=course.pk).aggregate(
        datasets=Count("datasets", distinct=True),
        charts=Count("charts", distinct=True),
        exercises=Count("exercises", distinct=True),
        terms=Count("glossary_terms", distinct=True),
    )
    return {k: v or 0 for k, v in counted.items()}


def courses_without_workspace() -> QuerySet[Course]:
    return Course.objects.filter(live_workspace__isnull=True).order_by("title")


def activity(*, workspace: Workspace, limit: int = 200) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target=services.target(workspace)).order_by("-created_at")[
        :limit
    ]


def comments(*, workspace: Workspace) -> QuerySet[Comment]:
    return workspace.comments.select_related("author", "resolved_by").order_by(
        "resolved_at", "-created_at"
    )


def people(*, workspace: Workspace) -> QuerySet[User]:
    return User.objects.filter(course_roles__workspace=workspace)
