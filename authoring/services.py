"""Writes in the authoring workspace: creating courses, editing the draft, publishing,
restoring versions. Views and commands call these; they check nothing about who is asking
(authoring.access does) but keep every content rule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from audit.models import AuditEvent
from authoring import bundles
from authoring.models import Comment, CourseRole, Role, Version, Workspace
from courses import services as course_services
from courses.content.problems import ContentInvalid, Problem
from courses.models import DRAFT_SUFFIX, Course

MAX_NOTE = 300


class SlugTaken(Exception):
    pass


class PublishRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


@dataclass
class EditConflict(Exception):
    """Someone saved the same thing after this author opened it."""

    by: str
    at: datetime.datetime

    def message(self, noun: str) -> str:
        when = timezone.localtime(self.at).strftime("%-d %B %Y at %H:%M")
        return (
            f"{self.by} saved this {noun} on {when}, after you opened it. Your changes have not "
            f"been saved: they are still in the form below. Open the {noun} in a new tab to "
            "see what changed, then save again."
        )


def target(workspace: Workspace) -> str:
    return f"course:{workspace.slug}"


def record(*, workspace: Workspace, actor: User | None, action: str, **details: Any) -> AuditEvent:
    return audit.record(
        actor=actor, action=f"authoring.{action}", target=target(workspace), details=details
    )


def _new_draft(*, slug: str, title: str, summary: str) -> Course:
    return Course.all_objects.create(
        slug=f"{slug}{DRAFT_SUFFIX}", title=title, summary=summary, is_draft=True
    )


@transaction.atomic
def create_course(*, actor: User, slug: str, title: str, summary: str) -> Workspace:
    """A new, empty draft course, owned by ``actor``. Nothing is live until it is published."""
    if Workspace.objects.filter(slug=slug).exists() or Course.objects.filter(slug=slug).exists():
        raise SlugTaken(slug)
    workspace = Workspace.objects.create(
        slug=slug, draft=_new_draft(slug=slug, title=title, summary=summary), created_by=actor
    )
    CourseRole.objects.create(workspace=workspace, user=actor, role=Role.OWNER)
    record(workspace=workspace, actor=actor, action="create", title=title)
    return workspace


@transaction.atomic
def import_new_course(*, actor: User, slug: str, files: bundles.Files, **details: Any) -> Workspace:
    """A new course whose draft is these files, owned by ``actor``. Raises ContentInvalid
    (the files' problems) or SlugTaken, and then saves nothing."""
    bundle = bundles.read_files(files, slug=slug)
    workspace = create_course(actor=actor, slug=slug, title=bundle.title, summary=bundle.summary)
    workspace.draft = course_services.save_course(bundle=bundle, into=workspace.draft)
    record(workspace=workspace, actor=actor, action="import", **details)
    return workspace


@transaction.atomic
def workspace_for_course(*, course: Course, actor: User | None = None) -> Workspace:
    """The workspace of a live course, made on first use: its draft starts as a copy of the
    course, and its first version records the course as it is."""
    existing = Workspace.objects.filter(live=course).first()
    if existing is not None:
        return existing
    files = bundles.files_of(course)
    bundle = bundles.read_files(files, slug=course.slug)
    draft = course_services.save_course(
        bundle=bundle,
        into=_new_draft(slug=course.slug, title=course.title, summary=course.summary),
    )
    workspace = Workspace.objects.create(slug=course.slug, draft=draft, live=course)
    Version.objects.create(
        workspace=workspace,
        number=1,
        files=bundles.store(files),
        note="The course as it was when authoring started",
        published_by=actor,
    )
    return workspace


def latest_version(workspace: Workspace) -> Version | None:
    return workspace.versions.order_by("-number").first()


def unpublished_changes(workspace: Workspace) -> list[str]:
    """Paths of the draft's files that differ from the latest version (added, changed or
    removed); every path when nothing has been published."""
    draft = bundles.files_of(workspace.draft)
    version = latest_version(workspace)
    published = version.files if version is not None else {}
    digests = {name: bundles.Blob.digest(text) for name, text in draft.items()}
    return sorted(
        name for name in set(digests) | set(published) if digests.get(name) != published.get(name)
    )


@transaction.atomic
def replace_draft(
    *, workspace: Workspace, files: bundles.Files, actor: User | None, action: str, **details: Any
) -> None:
    """Make the draft exactly these files, or raise ContentInvalid and change nothing."""
    bundle = bundles.read_files(files, slug=workspace.slug)
    workspace.draft = course_services.save_course(bundle=bundle, into=workspace.draft)
    record(workspace=workspace, actor=actor, action=action, **details)


@transaction.atomic
def publish(*, workspace: Workspace, actor: User | None, note: str = "") -> Version:
    """Check the draft as a whole course and make it what learners see, recording an
    immutable version. Raises PublishRefused listing every problem; then nothing changes."""
    from authoring.checks import publish_problems

    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    files = bundles.files_of(workspace.draft)
    problems = publish_problems(files=files, slug=workspace.slug)
    if problems:
        raise PublishRefused(problems)
    bundle = bundles.read_files(files, slug=workspace.slug)
    live = course_services.save_course(bundle=bundle, into=workspace.live)
    if workspace.live_id is None:
        workspace.live = live
        workspace.save(update_fields=["live"])
    version = _record_version(workspace=workspace, files=files, actor=actor, note=note)
    record(workspace=workspace, actor=actor, action="publish", version=version.number, note=note)
    return version


def _record_version(
    *, workspace: Workspace, files: bundles.Files, actor: User | None, note: str
) -> Version:
    number = (workspace.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    return Version.objects.create(
        workspace=workspace,
        number=number,
        files=bundles.store(files),
        note=note[:MAX_NOTE],
        published_by=actor,
    )


def restore(*, workspace: Workspace, version: Version, actor: User) -> None:
    """Make the draft what ``version`` was. The live course changes only when it is published."""
    replace_draft(
        workspace=workspace,
        files=bundles.files_in(version),
        actor=actor,
        action="restore",
        version=version.number,
    )


@transaction.atomic
def record_folder_import(*, course: Course, actor: User | None = None) -> Version | None:
    """After a course folder was imported over the live course (``import_course``): keep a
    version of it, and bring the draft along if it had no unpublished changes."""
    workspace = Workspace.objects.select_for_update().filter(live=course).first()
    if workspace is None:
        workspace_for_course(course=course, actor=actor)
        return None
    files = bundles.files_of(course)
    version = latest_version(workspace)
    if version is not None and version.files == {
        name: bundles.Blob.digest(text) for name, text in files.items()
    }:
        return None
    draft_was_clean = not unpublished_changes(workspace)
    new = _record_version(
        workspace=workspace, files=files, actor=actor, note="Imported from a course folder"
    )
    if draft_was_clean:
        replace_draft(workspace=workspace, files=files, actor=actor, action="import-folder")
    return new


def last_change(*, workspace: Workspace) -> AuditEvent | None:
    return AuditEvent.objects.filter(target=target(workspace)).order_by("-created_at").first()


@transaction.atomic
def save_draft_object(
    *,
    workspace: Workspace,
    instance: models.Model,
    loaded_at: datetime.datetime | None,
    actor: User,
    what: str,
    update_fields: list[str] | None = None,
) -> models.Model:
    """Save an edited part of the draft (a lesson, a module, a term…), unless someone else
    saved it after ``loaded_at`` (when this author opened it): then EditConflict, and nothing
    is saved. New objects (no pk) are simply created."""
    model = type(instance)
    if instance.pk is not None and loaded_at is not None:
        current = (
            model._base_manager.select_for_update()  # type: ignore[attr-defined]
            .filter(pk=instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if current is not None and current != loaded_at:
            event = (
                AuditEvent.objects.filter(
                    target=target(workspace), action="authoring.edit", details__what=what
                )
                .order_by("-created_at")
                .first()
            )
            by = (event.actor_email if event else "") or "Another author"
            raise EditConflict(by=by, at=current)
    instance.save(update_fields=update_fields)
    course_services.bump_content_version(course=workspace.draft)
    record(workspace=workspace, actor=actor, action="edit", what=what)
    return instance


def check_draft(*, workspace: Workspace) -> list[Problem]:
    """Everything that would stop the draft being published."""
    from authoring.checks import publish_problems

    return publish_problems(files=bundles.files_of(workspace.draft), slug=workspace.slug)


__all__ = ["ContentInvalid"]


class LastOwner(Exception):
    """A course must keep at least one owner."""


@transaction.atomic
def set_role(*, workspace: Workspace, user: User, role: str, actor: User) -> CourseRole:
    existing = CourseRole.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if existing is not None and existing.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(workspace=workspace, leaving=existing)
    found, _ = CourseRole.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    record(workspace=workspace, actor=actor, action="role", user=user.email, role=role)
    return found


@transaction.atomic
def remove_role(*, workspace: Workspace, course_role: CourseRole, actor: User) -> None:
    if course_role.role == Role.OWNER:
        _keep_an_owner(workspace=workspace, leaving=course_role)
    course_role.delete()
    record(workspace=workspace, actor=actor, action="role", user=course_role.user.email, role="")


def _keep_an_owner(*, workspace: Workspace, leaving: CourseRole) -> None:
    owners = CourseRole.objects.select_for_update().filter(workspace=workspace, role=Role.OWNER)
    if not owners.exclude(pk=leaving.pk).exists():
        raise LastOwner


def add_comment(*, workspace: Workspace, author: User, about: str, text: str) -> Comment:
    comment = Comment.objects.create(workspace=workspace, author=author, about=about, text=text)
    record(workspace=workspace, actor=author, action="comment", about=about)
    return comment


def resolve_comment(*, workspace: Workspace, comment: Comment, actor: User) -> None:
    updated = Comment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
        resolved_by=actor, resolved_at=timezone.now()
    )
    if updated:
        record(workspace=workspace, actor=actor, action="resolve-comment", comment=comment.pk)
