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
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from authoring import access, bundles, presenters, services, zips
from authoring import history as diffs
from authoring.access import Need
from authoring.checks import publish_problems, unembedded_exercises
from authoring.forms import check_slug
from authoring.models import Version, Workspace
from authoring.uploads import UploadSizeLimit, limit_upload
from authoring.views.common import _user, page, workspace
from cohorts.presenters.pagination import pagination
from courses.content.problems import ContentInvalid, Problem
from masterclass import ratelimits

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
    accept_losses = forms.BooleanField(
        label="I understand that these learners' records will be deleted",
        required=False,
    )
    # The draft's content_version when the page was rendered: only the draft that was
    # checked on this page is published.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


DRAFT_CHANGED = (
    "The draft changed since you opened this page: check the changes again. Nothing was published."
)
ACCEPT_LOSSES = (
    "Tick the box to confirm that you understand that these learners' records will be deleted"
)


class RestoreForm(forms.Form):
    # The draft's last recorded change when the page was opened: restoring discards the
    # draft, so a change made since then must be seen before it is thrown away.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


ZIP_TOO_BIG = (
    f"The file is larger than {zips.LIMITS.upload_bytes // zips.MEGABYTE} MB: a course zip is "
    "usually much smaller. Remove anything that is not part of the course."
)
# Room for the CSRF token and the multipart headers around the zip.
ZIP_FORM_BYTES = 64 * 1024


class ZipUploadForm(forms.Form):
    # Not required by the field itself: clean_file tells a missing file from one that was
    # dropped for being too big.
    file = forms.FileField(
        label="Upload a zip file",
        help_text=(
            "A .zip of the course folder, up to "
            f"{zips.LIMITS.upload_bytes // zips.MEGABYTE} MB, such as one downloaded from a "
            "course's history."
        ),
        required=False,
        error_messages={"empty": "The file is empty: choose a zip file of the course folder"},
    )
    # Over a draft: its content_version when the page was opened (as for restore).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    course_zip: zips.CourseZip

    def __init__(self, *args: Any, oversized: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = oversized

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.oversized:
            raise forms.ValidationError(ZIP_TOO_BIG)
        if not upload:
            raise forms.ValidationError("Choose a zip file of the course folder")
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
    stamp = str(ws.draft.content_version)
    form = PublishForm(_posted(request), initial={"seen": stamp})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["seen"] != stamp:
            form = _draft_changed(form, stamp)
        elif not services.unpublished_changes(ws):
            messages.info(request, "There was nothing to publish: the draft is already live.")
            return redirect("authoring:publish", course=ws.slug)
        else:
            try:
                version = services.publish(
                    workspace=ws,
                    actor=_user(request),
                    note=form.cleaned_data["note"],
                    accept_losses=form.cleaned_data["accept_losses"],
                    draft_version=int(stamp),
                )
            except services.DraftChanged as changed:
                ws.draft.content_version = changed.current
                stamp = str(changed.current)
                form = _draft_changed(form, stamp)
            except services.PublishRefused as refused:
                count = len(refused.problems)
                form.add_error(
                    None,
                    f"The draft was not published: it has {count} "
                    f"{'problem' if count == 1 else 'problems'} to fix first",
                )
            except services.LossesNotAccepted:
                form.add_error("accept_losses", ACCEPT_LOSSES)
            else:
                messages.success(
                    request, f"Version {version.number} is published: learners now see it."
                )
                return redirect("authoring:history", course=ws.slug)
    draft_files = bundles.files_of(ws.draft)
    latest = services.latest_version(ws)
    changes = diffs.compare(bundles.files_in(latest) if latest else {}, draft_files)
    problems = publish_problems(files=draft_files, slug=ws.slug)
    losses = services.publish_impact(workspace=ws)
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
            "losses": [loss_sentence(loss) for loss in losses],
            "unembedded": unembedded_exercises(draft=ws.draft),
            "needs_consent": any(loss.records for loss in losses),
        },
        section="publish",
    )


def _draft_changed(form: PublishForm, stamp: str) -> PublishForm:
    """The form again, with the current stamp, refusing what was posted."""
    fresh = PublishForm(
        {"seen": stamp, "note": form.cleaned_data.get("note", "")}, initial={"seen": stamp}
    )
    fresh.is_valid()
    fresh.add_error(None, DRAFT_CHANGED)
    return fresh


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def loss_sentence(loss: services.Loss) -> str:
    """What publishing does to learners' records on a removed item, in plain words:
    "Module ‘X’ is removed: 3 cohorts' dates for it and 12 records of learners having read its
    lessons are deleted"."""
    noun = {"module": "Module", "lesson": "Lesson", "exercise": "Exercise", "chart": "Chart"}
    what = f"{noun[loss.kind]} ‘{loss.title}’"
    if loss.kind == "lesson":
        what += f" in module ‘{loss.module}’"
    lost: list[str] = []
    if loss.dates:
        dates = _count(loss.dates, "cohort's dates", "cohorts' dates")
        lost.append(f"{dates} for it")
    if loss.reads:
        whose = "its lessons" if loss.kind == "module" else "it"
        reads = _count(loss.reads, "record", "records")
        lost.append(f"{reads} of learners having read {whose}")
    if loss.answers:
        lost.append(
            f"{_count(loss.answers, 'answer', 'answers')} from "
            f"{_count(loss.learners, 'learner', 'learners')}"
        )
    if lost:
        listed = " and ".join([", ".join(lost[:-1]), lost[-1]] if len(lost) > 1 else lost)
        sentence = f"{what} is removed: {listed} {'is' if loss.records == 1 else 'are'} deleted."
    elif loss.kind == "chart":
        sentence = f"{what} is removed."
    else:
        sentence = f"{what} is removed: no learner has a record of it yet."
    if loss.renamed_to:
        sentence += (
            f" The draft has one with the same title called ‘{loss.renamed_to}’: if it was "
            "renamed, learners start it afresh."
        )
    return sentence


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
@ratelimits.export_limit
def export_version(request: HttpRequest, course: str, number: int) -> HttpResponse:
    ws = workspace(request, course)
    chosen = _version(ws, number)
    services.record(workspace=ws, actor=_user(request), action="export", version=chosen.number)
    return _zip_response(bundles.files_in(chosen), ws=ws, name=f"{ws.slug}-version-{number}")


@login_required
@require_GET
@ratelimits.export_limit
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


def _zip_limit(request: HttpRequest) -> UploadSizeLimit | None:
    return limit_upload(
        request,
        file_bytes=zips.LIMITS.upload_bytes,
        request_bytes=zips.LIMITS.upload_bytes + ZIP_FORM_BYTES,
    )


def _zip_too_large() -> ZipUploadForm:
    """The upload form saying the file is too big, for a request whose body is not read."""
    form = ZipUploadForm()
    form.full_clean()  # unbound: no errors yet, and nothing cleaned
    form.cleaned_data = {}
    form.add_error("file", ZIP_TOO_BIG)
    return form


# The size limit has to be in place before the CSRF check reads the body, so that check is
# made by csrf_protect on the inner view (authoring.uploads).
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def import_draft(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.PUBLISH)
    if request.method != "POST":
        return _import_draft_page(
            request, ws, ZipUploadForm(initial={"seen": ws.draft.content_version})
        )
    limit = _zip_limit(request)
    if limit is None:
        return _import_draft_page(request, ws, _zip_too_large(), status=413)
    return _import_draft(request, ws=ws, limit=limit)


@csrf_protect
def _import_draft(request: HttpRequest, *, ws: Workspace, limit: UploadSizeLimit) -> HttpResponse:
    form = ZipUploadForm(request.POST, request.FILES, oversized=limit.too_big("file"))
    stamp = str(ws.draft.content_version)
    if form.is_valid() and form.cleaned_data["seen"] != stamp:
        form = ZipUploadForm(initial={"seen": stamp})
        form.full_clean()  # unbound: no errors yet, and nothing cleaned
        form.cleaned_data = {}
        form.add_error(
            None,
            "The draft changed after you opened this page, so nothing was imported. Check the "
            "draft, then choose the zip file again if you still want to replace it.",
        )
    elif form.is_valid():
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
    return _import_draft_page(request, ws, form)


def _import_draft_page(
    request: HttpRequest, ws: Workspace, form: ZipUploadForm, *, status: int | None = None
) -> HttpResponse:
    return page(
        request,
        "authoring/versions/import_draft.html",
        ws,
        {"form": form, "unpublished": len(services.unpublished_changes(ws))},
        section="history",
        status=status,
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    if not access.can_create_courses(user=request.user):
        raise PermissionDenied("Only authors and admins can create courses.")
    if request.method != "POST":
        return _import_new_page(request, ZipUploadForm())
    limit = _zip_limit(request)
    if limit is None:
        return _import_new_page(request, _zip_too_large(), status=413)
    return _import_new(request, limit=limit)


@csrf_protect
def _import_new(request: HttpRequest, *, limit: UploadSizeLimit) -> HttpResponse:
    form = ZipUploadForm(request.POST, request.FILES, oversized=limit.too_big("file"))
    if form.is_valid():
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
    return _import_new_page(request, form)


def _import_new_page(
    request: HttpRequest, form: ZipUploadForm, *, status: int | None = None
) -> HttpResponse:
    if status is None:
        status = 400 if form.errors else 200
    return render(request, "authoring/versions/import_new.html", {"form": form}, status=status)
