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
from authoring.models import Comment, CourseRole, Origin, Role, Version, Workspace
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
    # True when the whole draft was replaced (a version restored, a zip or folder imported).
    replaced: bool = False

    def message(self, noun: str) -> str:
        when = timezone.localtime(self.at).strftime("%-d %B %Y at %H:%M")
        what = (
            "replaced the draft (restored a version or imported a course)"
            if self.replaced
            else f"saved this {noun}"
        )
        return (
            f"{self.by} {what} on {when}, after you opened this {noun}. Your changes have not "
            f"been saved: they are still in the form below. Open the {noun} in a new tab to see "
            "theirs; saving this form again replaces their changes with yours."
        )


# Changes that replace the whole draft at once.
WHOLE_DRAFT = ["authoring.restore", "authoring.import", "authoring.import-folder"]


def target(workspace: Workspace) -> str:
    return f"course:{workspace.slug}"


def record(*, workspace: Workspace, actor: User | None, action: str, **details: Any) -> AuditEvent:
    return audit.record(
        actor=actor, action=f"authoring.{action}", target=target(workspace), details=details
    )


def _new_draft(*, slug: str, title: str, summary: str) -> Course:
    # Listed by default: nothing reaches learners before it is published anyway.
    return Course.all_objects.create(
        slug=f"{slug}{DRAFT_SUFFIX}", title=title, summary=summary, is_draft=True, published=True
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
        origin=Origin.START,
        published_by=actor,
    )
    return workspace


def latest_version(workspace: Workspace) -> Version | None:
    return workspace.versions.order_by("-number").first()


def unpublished_changes(workspace: Workspace) -> list[str]:
    """Paths of the draft's files that differ from the latest version (added, changed or
    removed); every path when nothing has been published."""
    version = latest_version(workspace)
    published = version.files if version is not None else {}
    digests = bundles.draft_digests(workspace.draft)
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
def publish(
    *,
    workspace: Workspace,
    actor: User | None,
    note: str = "",
    accept_losses: bool = False,
    draft_version: int | None = None,
) -> Version:
    """Check the draft as a whole course and make it what learners see, recording an
    immutable version. Raises PublishRefused listing every problem; then nothing changes.

    Publishing deletes the live modules, lessons, exercises and charts the draft no longer has,
    and with them learners' records (``publish_impact``): unless ``accept_losses``, it raises
    LossesNotAccepted when any records would go. With ``draft_version`` (the draft's
    ``content_version`` the publisher saw), it raises DraftChanged if the draft has changed
    since: only what was checked is published."""
    from authoring.checks import checked

    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    # Locking the draft's row holds back edits' content_version bumps until this commits, so
    # the files read below are the ones the stamp describes.
    current = (
        Course.all_objects.select_for_update()
        .filter(pk=workspace.draft_id)
        .values_list("content_version", flat=True)
        .get()
    )
    if draft_version is not None and current != draft_version:
        raise DraftChanged(current)
    files = bundles.files_of(workspace.draft)
    bundle, problems = checked(files=files, slug=workspace.slug)
    if problems or bundle is None:
        raise PublishRefused(problems)
    losses = (
        _losses(live=workspace.live, shape=_Shape.of_bundle(bundle))
        if workspace.live is not None
        else []
    )
    lost = [loss for loss in losses if loss.records]
    if lost and not accept_losses:
        raise LossesNotAccepted(lost)
    live = course_services.save_course(bundle=bundle, into=workspace.live)
    if workspace.live_id is None:
        workspace.live = live
        workspace.save(update_fields=["live"])
    version = _record_version(workspace=workspace, files=files, actor=actor, note=note)
    details: dict[str, Any] = {"version": version.number, "note": note}
    if lost:
        details["removed"] = [loss.audit() for loss in lost][:MAX_AUDITED_LOSSES]
    record(workspace=workspace, actor=actor, action="publish", **details)
    return version


def _record_version(
    *,
    workspace: Workspace,
    files: bundles.Files,
    actor: User | None,
    note: str,
    origin: str = Origin.PUBLISHED,
) -> Version:
    number = (workspace.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    return Version.objects.create(
        workspace=workspace,
        number=number,
        files=bundles.store(files),
        note=note[:MAX_NOTE],
        origin=origin,
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
        workspace=workspace,
        files=files,
        actor=actor,
        note="Imported from a course folder",
        origin=Origin.FOLDER,
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
                AuditEvent.objects.filter(target=target(workspace))
                .filter(
                    models.Q(action="authoring.edit", details__what=what)
                    | models.Q(action__in=WHOLE_DRAFT)
                )
                .order_by("-created_at", "-pk")
                .first()
            )
            raise EditConflict(
                by=(event.actor_email if event else "") or "Another author",
                at=current,
                replaced=event is not None and event.action in WHOLE_DRAFT,
            )
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


# --- What publishing would delete --------------------------------------------------------

MAX_AUDITED_LOSSES = 50


class DraftChanged(Exception):
    """The draft changed after the publisher checked it: nothing was published."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(f"the draft is now at content version {current}")


@dataclass(frozen=True)
class Loss:
    """A live module, lesson, exercise or chart that publishing the draft would remove, and
    the learners' records deleted with it (``save_course`` matches items by short name, so a
    renamed item is one removed and another added)."""

    kind: str  # "module", "lesson", "exercise" or "chart"
    slug: str
    title: str
    module: str = ""  # a lesson's module (title)
    reads: int = 0  # LessonCompletion rows: of the lesson, or of every lesson of the module
    answers: int = 0  # Submission rows of the exercise
    learners: int = 0  # different learners with reads or answers
    dates: int = 0  # cohorts.ModuleSchedule rows of the module
    renamed_to: str = ""  # a new item in the draft with the same title, if there is one

    @property
    def records(self) -> int:
        return self.reads + self.answers + self.dates

    def audit(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "slug": self.slug,
            "reads": self.reads,
            "answers": self.answers,
            "dates": self.dates,
        }


class LossesNotAccepted(Exception):
    """Publishing would delete learners' records and the publisher did not accept it."""

    def __init__(self, losses: list[Loss]) -> None:
        self.losses = losses
        super().__init__(f"{len(losses)} removed items have learners' records")


@dataclass(frozen=True)
class _Shape:
    """The items a course will have, by short name, with their titles."""

    modules: dict[str, str]
    lessons: dict[tuple[str, str], str]  # (module slug, lesson slug)
    exercises: dict[str, str]
    charts: dict[str, str]

    @classmethod
    def of_bundle(cls, bundle: Any) -> _Shape:
        return cls(
            modules={m.slug: m.title for m in bundle.modules},
            lessons={(m.slug, le.slug): le.title for m in bundle.modules for le in m.lessons},
            exercises={e.slug: e.title for e in bundle.exercises},
            charts={c.slug: c.title for c in bundle.charts},
        )

    @classmethod
    def of_course(cls, course: Course) -> _Shape:
        from courses.models import Chart, Lesson, Module
        from exercises.models import Exercise

        return cls(
            modules=dict(Module.objects.filter(course=course).values_list("slug", "title")),
            lessons={
                (module, slug): title
                for module, slug, title in Lesson.objects.filter(module__course=course).values_list(
                    "module__slug", "slug", "title"
                )
            },
            exercises=dict(Exercise.objects.filter(course=course).values_list("slug", "title")),
            charts=dict(Chart.objects.filter(course=course).values_list("slug", "title")),
        )


def publish_impact(*, workspace: Workspace) -> list[Loss]:
    """The live items that publishing the draft as it is now would remove, each with the
    learners' records that would be deleted with it (none before the first publish)."""
    if workspace.live is None:
        return []
    return _losses(live=workspace.live, shape=_Shape.of_course(workspace.draft))


def _renamed(title: str, *, new: dict[Any, str], old: set[Any]) -> str:
    """The short name of an item the live course does not have but with the same title."""
    folded = title.strip().casefold()
    for key, other in new.items():
        if key not in old and other.strip().casefold() == folded:
            return key[-1] if isinstance(key, tuple) else str(key)
    return ""


def _counted(rows: models.QuerySet[Any], key: str) -> dict[int, tuple[int, int]]:
    """(records, different learners) by ``key``."""
    return {
        row[key]: (row["n"], row["learners"])
        for row in rows.values(key).annotate(
            n=models.Count("pk"), learners=models.Count("learner_id", distinct=True)
        )
    }


def _losses(*, live: Course, shape: _Shape) -> list[Loss]:
    from cohorts.models import ModuleSchedule
    from courses.models import Chart, Lesson, LessonCompletion, Module
    from exercises.models import Exercise, Submission

    losses: list[Loss] = []
    modules = list(
        Module.objects.filter(course=live).order_by("position").values("pk", "slug", "title")
    )
    live_modules = {m["slug"] for m in modules}
    gone_modules = [m for m in modules if m["slug"] not in shape.modules]
    gone_ids = [m["pk"] for m in gone_modules]
    lessons = list(
        Lesson.objects.filter(module__course=live)
        .order_by("module__position", "position")
        .values("pk", "slug", "title", "module_id", "module__slug", "module__title")
    )
    live_lessons = {(le["module__slug"], le["slug"]) for le in lessons}
    gone_lessons = [
        le
        for le in lessons
        if le["module_id"] not in gone_ids and (le["module__slug"], le["slug"]) not in shape.lessons
    ]
    reads = LessonCompletion.objects.filter(lesson__module__course=live)
    module_reads = _counted(reads.filter(lesson__module_id__in=gone_ids), "lesson__module_id")
    dates = dict(
        ModuleSchedule.objects.filter(module_id__in=gone_ids)
        .values("module_id")
        .annotate(n=models.Count("pk"))
        .values_list("module_id", "n")
    )
    for module in gone_modules:
        module_read, module_learners = module_reads.get(module["pk"], (0, 0))
        losses.append(
            Loss(
                kind="module",
                slug=module["slug"],
                title=module["title"],
                reads=module_read,
                learners=module_learners,
                dates=dates.get(module["pk"], 0),
                renamed_to=_renamed(module["title"], new=shape.modules, old=live_modules),
            )
        )
    lesson_reads = _counted(
        reads.filter(lesson_id__in=[le["pk"] for le in gone_lessons]), "lesson_id"
    )
    for lesson in gone_lessons:
        lesson_read, lesson_learners = lesson_reads.get(lesson["pk"], (0, 0))
        same_module = {
            key: title for key, title in shape.lessons.items() if key[0] == lesson["module__slug"]
        }
        losses.append(
            Loss(
                kind="lesson",
                slug=lesson["slug"],
                title=lesson["title"],
                module=lesson["module__title"],
                reads=lesson_read,
                learners=lesson_learners,
                renamed_to=_renamed(lesson["title"], new=same_module, old=live_lessons),
            )
        )
    exercises = list(
        Exercise.objects.filter(course=live).order_by("slug").values("pk", "slug", "title")
    )
    live_exercises = {e["slug"] for e in exercises}
    gone_exercises = [e for e in exercises if e["slug"] not in shape.exercises]
    answers = _counted(
        Submission.objects.filter(exercise_id__in=[e["pk"] for e in gone_exercises]),
        "exercise_id",
    )
    for exercise in gone_exercises:
        answered, answer_learners = answers.get(exercise["pk"], (0, 0))
        losses.append(
            Loss(
                kind="exercise",
                slug=exercise["slug"],
                title=exercise["title"],
                answers=answered,
                learners=answer_learners,
                renamed_to=_renamed(exercise["title"], new=shape.exercises, old=live_exercises),
            )
        )
    charts = Chart.objects.filter(course=live).order_by("slug").values_list("slug", "title")
    live_charts = {slug for slug, _ in charts}
    losses += [
        Loss(
            kind="chart",
            slug=slug,
            title=title,
            renamed_to=_renamed(title, new=shape.charts, old=live_charts),
        )
        for slug, title in charts
        if slug not in shape.charts
    ]
    return losses


def published_in_the_browser(*, course: Course) -> bool:
    """Whether authors have published the course from the authoring area: then a course
    folder must not be imported over it unasked (the demo loader checks)."""
    return Version.objects.filter(workspace__live=course, origin=Origin.PUBLISHED).exists()


def draft_only(*, slug: str) -> bool:
    """Whether a course with this slug exists only as an unpublished draft."""
    return Workspace.objects.filter(slug=slug, live__isnull=True).exists()
