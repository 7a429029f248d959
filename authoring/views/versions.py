"""Publishing, the history of published versions (with their differences and restoring one),
and the course as a zip: exported, imported over the draft, or imported as a new course."""

from __future__ import annotations

from pathlib import PurePath
from typing import IO, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from authoring import access, bundles, presenters, services, zips
from authoring import history as diffs
from authoring.access import Need
from authoring.checks import publish_problems
from authoring.forms import check_slug
from authoring.models import Version, Workspace
from authoring.views.common import _user, page, workspace
from cohorts.presenters.pagination import pagination
from courses.content.problems import ContentInvalid, Problem

VERSIONS_PER_PAGE = 25
# Problems listed in an import's error summary; the rest are counted.
MAX_LISTED_PROBLEMS = 50
MAX_VERSION_NUMBER = 2**31 - 1


class PublishForm(forms.Form):
    note = forms.CharField(
        label="What changed (optional)",
        help_text="A sentence for the history, such as ‘Clearer chart summaries in module 2’.",
        max_length=services.MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RestoreForm(forms.Form):
    # The draft's last recorded change when the page was opened: restoring discards the
    # draft, so a change made since then must be seen before it is thrown away.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class ZipUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a zip file",
        help_text=(
            "A .zip of the course folder, up to "
            f"{zips.LIMITS.upload_bytes // zips.MEGABYTE} MB, such as one downloaded from a "
            "course's history."
        ),
        error_messages={
            "required": "Choose a zip file of the course folder",
            "empty": "The file is empty: choose a zip file of the course folder",
        },
    )

    course_zip: zips.CourseZip

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.course_zip = zips.read_zip(cast(IO[bytes], upload))
        except zips.ZipRefused as refused:
            raise forms.ValidationError(refused.messages) from None
        return upload

    def add_problems(self, problems: list[Problem], *, slug: str) -> None:
        prefix = f"{slug}/"
        listed = [
            presenters.problem_text(Problem(p.path.removeprefix(prefix), p.line, p.message))
            for p in problems[:MAX_LISTED_PROBLEMS]
        ]
        if len(problems) > MAX_LISTED_PROBLEMS:
            listed.append(f"and {len(problems) - MAX_LISTED_PROBLEMS:,} more problems")
        self.add_error(
            "file",
            [f"The course in the zip has {len(problems):,} "
             f"{'problem' if len(problems) == 1 else 'problems'}: fix them and upload it again",
             *listed],
        )  # fmt: skip


# --- Check and publish -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.PUBLISH if request.method == "POST" else Need.VIEW)
    form = PublishForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if not services.unpublished_changes(ws):
            messages.info(request, "There was nothing to publish: the draft is already live.")
            return redirect("authoring:publish", course=ws.slug)
        try:
            version = services.publish(
                workspace=ws, actor=_user(request), note=form.cleaned_data["note"]
            )
        except services.PublishRefused as refused:
            count = len(refused.problems)
            form.add_error(
                None,
                f"The draft was not published: it has {count} "
                f"{'problem' if count == 1 else 'problems'} to fix first",
            )
        else:
            messages.success(
                request, f"Version {version.number} is published: learners now see it."
            )
            return redirect("authoring:history", course=ws.slug)
    draft_files = bundles.files_of(ws.draft)
    latest = services.latest_version(ws)
    changes = diffs.compare(bundles.files_in(latest) if latest else {}, draft_files)
    problems = publish_problems(files=draft_files, slug=ws.slug)
    return page(
        request,
        "authoring/versions/publish.html",
        ws,
        {
            "form": form,
            "latest": latest,
            "changes": changes,
            "problems": presenters.problem_rows(ws, problems),
            "next_number": (latest.number if latest else 0) + 1,
        },
        section="publish",
    )


# --- History -----------------------------------------------------------------------------


@login_required
@require_GET
def history(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)
    versions = Version.objects.filter(workspace=ws).select_related("published_by")
    paginator = Paginator(versions.order_by("-number"), VERSIONS_PER_PAGE)
    current = paginator.get_page(request.GET.get("page"))
    changes = services.unpublished_changes(ws)
    return page(
        request,
        "authoring/versions/history.html",
        ws,
        {
            "versions": current,
            "pagination": pagination(page=current, query=request.GET, label="Pages of versions"),
            "latest": services.latest_version(ws),
            "unpublished": [diffs.label(path, "") for path in changes],
            "last_change": services.last_change(workspace=ws),
        },
        section="history",
    )


@login_required
@require_GET
def version(request: HttpRequest, course: str, number: int) -> HttpResponse:
    ws = workspace(request, course)
    shown = _version(ws, number)
    files = bundles.files_in(shown)
    if request.GET.get("with") == "draft":
        before = files
        after = bundles.files_of(ws.draft)
        against = "draft"
        earlier = None
    else:
        earlier = (
            Version.objects.filter(workspace=ws, number__lt=number).order_by("-number").first()
        )
        before = bundles.files_in(earlier) if earlier else {}
        after = files
        against = "earlier"
    return page(
        request,
        "authoring/versions/version.html",
        ws,
        {
            "version": shown,
            "earlier": earlier,
            "against": against,
            "changes": diffs.compare(before, after),
            "latest": services.latest_version(ws),
        },
        section="history",
    )


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: HttpRequest, course: str, number: int) -> HttpResponse:
    ws = workspace(request, course, Need.PUBLISH)
    chosen = _version(ws, number)
    stamp = str(ws.draft.content_version)
    form = RestoreForm(_posted(request), initial={"seen": stamp})
    problems: list[presenters.ProblemRow] = []
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["seen"] != stamp:
            form = RestoreForm({"seen": stamp})
            form.add_error(
                None,
                "The draft changed after you opened this page, so nothing was restored. Check "
                "the draft, then restore the version again if you still want to.",
            )
        else:
            try:
                services.restore(workspace=ws, version=chosen, actor=_user(request))
            except ContentInvalid as invalid:
                form.add_error(
                    None,
                    f"Version {chosen.number} cannot be restored: it does not pass today's "
                    "checks (listed below). Nothing was changed.",
                )
                # Problems of the old version's files: there is nothing in the draft to fix.
                prefix = f"{ws.slug}/"
                problems = [
                    presenters.ProblemRow(p.path.removeprefix(prefix), p.line, p.message, url="")
                    for p in invalid.problems
                ]
            else:
                latest = services.latest_version(ws)
                messages.success(
                    request,
                    f"The draft is now version {chosen.number}. Learners still see version "
                    f"{latest.number if latest else chosen.number} until you publish.",
                )
                return redirect("authoring:publish", course=ws.slug)
    return page(
        request,
        "authoring/versions/restore.html",
        ws,
        {
            "version": chosen,
            "form": form,
            "problems": problems,
            "unpublished": len(services.unpublished_changes(ws)),
            "latest": services.latest_version(ws),
        },
        section="history",
    )


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST, even an empty one (``request.POST or None`` would leave the
    form unbound and the POST silently ignored)."""
    return request.POST if request.method == "POST" else None


def _version(ws: Workspace, number: int) -> Version:
    if number > MAX_VERSION_NUMBER:  # not a number the database can even compare
        raise Http404("No such version")
    return get_object_or_404(
        Version.objects.select_related("published_by"), workspace=ws, number=number
    )


# --- Export ------------------------------------------------------------------------------


@login_required
@require_GET
def export_version(request: HttpRequest, course: str, number: int) -> HttpResponse:
    ws = workspace(request, course)
    chosen = _version(ws, number)
    services.record(workspace=ws, actor=_user(request), action="export", version=chosen.number)
    return _zip_response(bundles.files_in(chosen), ws=ws, name=f"{ws.slug}-version-{number}")


@login_required
@require_GET
def export_draft(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)
    services.record(workspace=ws, actor=_user(request), action="export", version="draft")
    return _zip_response(bundles.files_of(ws.draft), ws=ws, name=f"{ws.slug}-draft")


def _zip_response(files: bundles.Files, *, ws: Workspace, name: str) -> HttpResponse:
    response = HttpResponse(zips.write_zip(files, folder=ws.slug), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Import ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_draft(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.PUBLISH)
    form = ZipUploadForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.replace_draft(
                workspace=ws,
                files=form.course_zip.files,
                actor=_user(request),
                action="import",
                file=str(upload.name)[:200],
                file_count=len(form.course_zip.files),
            )
        except ContentInvalid as invalid:
            form.add_problems(invalid.problems, slug=ws.slug)
        else:
            messages.success(
                request,
                f"The draft is now the course in {upload.name}. Learners see no change until "
                "you publish it.",
            )
            return redirect("authoring:publish", course=ws.slug)
    return page(
        request,
        "authoring/versions/import_draft.html",
        ws,
        {"form": form, "unpublished": len(services.unpublished_changes(ws))},
        section="history",
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    if not access.can_create_courses(user=request.user):
        raise PermissionDenied("Only authors and admins can create courses.")
    form = ZipUploadForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        folder = form.course_zip.folder
        slug = folder or PurePath(str(upload.name)).stem
        try:
            check_slug(slug)
        except forms.ValidationError:
            where = f"the zip's folder, {folder!r}" if folder else f"the zip file, {upload.name!r}"
            form.add_error(
                "file",
                f"The course's short name comes from the name of {where}, which is not a short "
                "name: use lowercase letters, numbers and hyphens, like reading-charts.",
            )
        else:
            try:
                found = services.import_new_course(
                    actor=_user(request),
                    slug=slug,
                    files=form.course_zip.files,
                    file=str(upload.name)[:200],
                )
            except services.SlugTaken:
                form.add_error(
                    "file",
                    f"A course called {slug!r} already exists. Rename the folder in the zip to "
                    "give the new course its own short name, or import the zip over that "
                    "course's draft from its history page.",
                )
            except ContentInvalid as invalid:
                form.add_problems(invalid.problems, slug=slug)
            else:
                messages.success(
                    request,
                    f"“{found.draft.title}” is imported as a draft. Check it, then publish it.",
                )
                return redirect("authoring:publish", course=found.slug)
    return render(
        request,
        "authoring/versions/import_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
