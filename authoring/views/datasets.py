"""The draft's datasets: the list, uploading a CSV file with its metadata, describing its
columns, replacing its data and deleting it. See authoring.datasets for the checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.models import User
from authoring import datasets as data
from authoring.access import Need
from authoring.forms import DraftForm, DraftModelForm, SlugField
from authoring.models import Workspace
from authoring.uploads import limit_upload as _limit_upload
from authoring.views import common
from courses.content.datasets import COLUMN_TYPES, Column, column_list
from courses.models import Course, Dataset

SECTION = "datasets"
TYPE_CHOICES = [(kind, data.TYPE_LABELS[kind]) for kind in COLUMN_TYPES]

# --- Forms ------------------------------------------------------------------------------------


def _file_field() -> forms.FileField:
    # Not required by the field itself: clean_file tells a missing file from one that was
    # dropped for being too big.
    return forms.FileField(
        label="CSV file",
        required=False,
        help_text=(
            f"A CSV file saved as UTF-8, with commas between the cells and a row of column "
            f"headings at the top. At most {data.MAX_UPLOAD_BYTES // (1024 * 1024)} MB and "
            f"{data.MAX_ROWS:,} rows."
        ),
    )


def _mixed_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Read columns that mix numbers and text as text",
        required=False,
        help_text="Only if a column that looks like numbers is really text, such as codes.",
    )


class CsvUploadMixin:
    """The CSV file of a form: ``clean_file`` says when there is none (or it was too big),
    then ``check_file`` (from ``clean``, once every field is read) checks it completely."""

    cleaned_data: dict[str, Any]
    oversized: bool
    checked: data.CheckedCsv | None
    # Columns that may mix numbers and text (those already text in a dataset being replaced).
    text_columns: frozenset[str] = frozenset()

    if TYPE_CHECKING:  # from forms.Form, which comes after this class in the MRO

        def add_error(self, field: str | None, error: Any) -> None: ...

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data.get("file")
        if self.oversized:
            raise forms.ValidationError(data.TOO_BIG)
        if not upload:
            raise forms.ValidationError("Choose a CSV file to upload")
        return upload

    def check_file(self) -> None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return
        mixed_as_text = bool(self.cleaned_data.get("mixed_as_text"))
        try:
            self.checked = data.check_csv(
                data.read_upload(upload),
                mixed_as_text=mixed_as_text,
                text_columns=self.text_columns,
            )
        except data.CsvRejected as rejected:
            for message in rejected.messages:
                self.add_error("file", message)


def _check_source_url(value: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise forms.ValidationError("Enter a web address starting with https://")
    return value


# field: (label, hint, message when it is left empty)
METADATA_LABELS = {
    "title": ("Title", "What the data is, for example: Life expectancy at birth, G7, 1990 to 2020",
              "Enter a title for the dataset"),
    "description": ("Description", "What the data shows, how it was collected, and its limits.",
                    "Describe the dataset"),
    "source_organisation": ("Source", "The organisation that published the data.",
                            "Enter the organisation that published the data"),
    "source_url": ("Source web address", "Where learners can find the original data.",
                   "Enter the web address of the original data"),
    "licence": ("Licence", "For example: Open Government Licence v3.0",
                "Enter the licence the data is published under"),
    "data_date": ("Date of the data", "The period it covers, for example: 2023 or 1990 to 2020",
                  "Enter the date of the data"),
}  # fmt: skip


def _label_metadata(fields: dict[str, forms.Field]) -> None:
    for name, (label, hint, required) in METADATA_LABELS.items():
        fields[name].label = label
        fields[name].help_text = hint
        fields[name].required = True
        fields[name].error_messages["required"] = required
    fields["description"].widget = forms.Textarea(attrs={"rows": 4})


class DatasetUploadForm(CsvUploadMixin, forms.ModelForm):  # type: ignore[type-arg]
    slug = SlugField(
        help_text=(
            "How lessons embed the dataset, as {{ dataset: short-name }}: lowercase letters, "
            "numbers and hyphens, for example life-expectancy. It cannot be changed later."
        ),
        error_messages={"required": "Enter a short name for the dataset"},
    )
    source_url = forms.URLField(max_length=500, assume_scheme="https")
    file = _file_field()
    mixed_as_text = _mixed_field()

    class Meta:
        model = Dataset
        fields = ["file", "title", "slug", "description", "source_organisation", "source_url",
                  "licence", "data_date", "mixed_as_text"]  # fmt: skip

    def __init__(self, *args: Any, draft: Course, oversized: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.oversized = oversized
        self.checked = None
        _label_metadata(self.fields)

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if Dataset.objects.filter(course=self.draft, slug=slug).exists():
            raise forms.ValidationError(
                f"The course already has a dataset called {slug}: choose another short name"
            )
        return slug

    def clean_source_url(self) -> str:
        return _check_source_url(self.cleaned_data["source_url"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.check_file()
        return self.cleaned_data


class DatasetReplaceForm(CsvUploadMixin, DraftForm):
    file = _file_field()
    mixed_as_text = _mixed_field()

    def __init__(
        self, *args: Any, instance: Dataset, oversized: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, instance=instance, **kwargs)
        self.oversized = oversized
        self.checked = None
        self.text_columns = frozenset(
            column.name for column in column_list(instance.columns) if column.type == "text"
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.check_file()
        return self.cleaned_data


@dataclass(frozen=True)
class ColumnFields:
    column: Column
    type: forms.BoundField
    unit: forms.BoundField
    description: forms.BoundField
    optional: forms.BoundField


class DatasetForm(DraftModelForm):
    """The metadata of a dataset and, for each column, its type, unit, description and
    whether it can have empty cells. A change of type or of empty cells is checked against
    every row, and against the charts and exercises that use the dataset."""

    source_url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Dataset
        fields = ["title", "description", "source_organisation", "source_url", "licence",
                  "data_date"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _label_metadata(self.fields)
        self.columns = column_list(self.instance.columns)
        for index, column in enumerate(self.columns):
            name = column.name
            self.fields[f"column_{index}_type"] = forms.ChoiceField(
                label=f"Type of {name}", choices=TYPE_CHOICES, initial=column.type
            )
            self.fields[f"column_{index}_description"] = forms.CharField(
                label=f"What {name} holds",
                required=False,
                max_length=data.MAX_DESCRIPTION,
                initial=column.description,
                help_text="Needed before the dataset can be used, for example: Life expectancy",
            )
            self.fields[f"column_{index}_unit"] = forms.CharField(
                label=f"Unit of {name}",
                required=False,
                max_length=100,
                initial=column.unit,
                help_text="Optional, for example: years, %, £ million",
            )
            self.fields[f"column_{index}_optional"] = forms.BooleanField(
                label=f"{name} can have empty cells",
                required=False,
                initial=column.optional,
            )
        self.new_columns: list[Column] = self.columns
        # The page shows the columns before the metadata: so do the fields and their errors.
        metadata = [name for name in self.fields if not name.startswith("column_")]
        self.order_fields([name for name in self.fields if name.startswith("column_")] + metadata)

    def full_clean(self) -> None:
        super().full_clean()
        errors = self.errors
        order = {name: index for index, name in enumerate(self.fields)}
        ranked = sorted(errors.items(), key=lambda item: order.get(item[0], -1))
        errors.clear()
        errors.update(ranked)

    def column_fields(self) -> list[ColumnFields]:
        return [
            ColumnFields(
                column=column,
                type=self[f"column_{index}_type"],
                unit=self[f"column_{index}_unit"],
                description=self[f"column_{index}_description"],
                optional=self[f"column_{index}_optional"],
            )
            for index, column in enumerate(self.columns)
        ]

    def clean_source_url(self) -> str:
        return _check_source_url(self.cleaned_data["source_url"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if any(f"column_{index}_type" in self.errors for index in range(len(self.columns))):
            return cleaned
        self.new_columns = [
            Column(
                name=column.name,
                type=cleaned[f"column_{index}_type"],
                description=cleaned.get(f"column_{index}_description", ""),
                unit=cleaned.get(f"column_{index}_unit", ""),
                optional=bool(cleaned.get(f"column_{index}_optional")),
            )
            for index, column in enumerate(self.columns)
        ]
        changed = [
            (old.type, old.optional) != (new.type, new.optional)
            for old, new in zip(self.columns, self.new_columns, strict=True)
        ]
        if not any(changed):
            return cleaned
        problems = data.cell_problems(self.instance.csv_text, self.new_columns)
        for index, messages_for_column in problems.items():
            column = self.new_columns[index]
            field = f"column_{index}_type"
            if all("is empty" in m for m in messages_for_column) and not column.optional:
                field = f"column_{index}_optional"
            for message in messages_for_column:
                self.add_error(field, message)
        if problems:
            return cleaned
        try:
            rows = data.verify(self.instance.csv_text, self.new_columns)
        except data.CsvRejected as rejected:
            for message in rejected.messages:
                self.add_error(None, message)
            return cleaned
        broken = data.dependant_problems(dataset=self.instance, columns=self.new_columns, rows=rows)
        for message in broken:
            self.add_error(None, f"{message}. Change the chart or exercise first")
        return cleaned


# --- Views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetRow:
    dataset: Dataset
    columns: int
    problems: list[str]
    usages: list[data.Usage]

    @property
    def ready(self) -> bool:
        return not self.problems


@login_required
@require_http_methods(["GET"])
def dataset_list(request: HttpRequest, course: str) -> HttpResponse:
    workspace = common.workspace(request, course, Need.VIEW)
    usages = data.usages_in(workspace=workspace)
    rows = [
        DatasetRow(
            dataset=dataset,
            columns=len(dataset.columns),
            problems=data.readiness_problems(dataset),
            usages=usages.get(dataset.slug, []),
        )
        for dataset in Dataset.objects.filter(course=workspace.draft)
        .defer("csv_text")
        .order_by("title", "slug")
    ]
    return common.page(
        request, "authoring/datasets/list.html", workspace, {"rows": rows}, section=SECTION
    )


def _too_large(request: HttpRequest, template: str, workspace: Workspace, form: forms.BaseForm,
               context: dict[str, Any]) -> HttpResponse:  # fmt: skip
    """The form again, saying the file is too big, without reading the request's body."""
    form.full_clean()  # unbound: no errors yet, and nothing cleaned
    form.cleaned_data = {}
    form.add_error(
        "file", data.TOO_BIG + ". Your other answers could not be kept: enter them again"
    )
    return common.page(
        request, template, workspace, {"form": form, **context}, section=SECTION, status=413
    )


# The size limit has to be in place before the CSRF check reads the body, so that check is
# made by csrf_protect on the inner view (as Django's documentation shows for upload handlers).
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def dataset_upload(request: HttpRequest, course: str) -> HttpResponse:
    workspace = common.workspace(request, course, Need.EDIT)
    if request.method != "POST":
        form = DatasetUploadForm(draft=workspace.draft)
        return _upload_page(request, workspace, form)
    limit = _limit_upload(request)
    if limit is None:
        form = DatasetUploadForm(draft=workspace.draft)
        return _too_large(request, "authoring/datasets/upload.html", workspace, form, {})
    return _dataset_upload(request, workspace=workspace, limit=limit)


@csrf_protect
def _dataset_upload(
    request: HttpRequest, *, workspace: Workspace, limit: data.UploadSizeLimit
) -> HttpResponse:
    form = DatasetUploadForm(
        request.POST, request.FILES, draft=workspace.draft, oversized=limit.too_big("file")
    )
    if form.is_valid():
        assert form.checked is not None
        fields = {key: form.cleaned_data[key] for key in data.METADATA}
        try:
            dataset = data.create_dataset(
                workspace=workspace,
                actor=_actor(request),
                slug=form.cleaned_data["slug"],
                checked=form.checked,
                **fields,
            )
        except data.SlugTaken:
            form.add_error("slug", "The course already has a dataset with this short name")
        else:
            messages.success(
                request,
                f"Uploaded {dataset.title}: {dataset.row_count:,} "
                f"row{pluralize(dataset.row_count)}. Check each column's "
                "type and describe what it holds.",
            )
            return redirect("authoring:dataset_edit", course=workspace.slug, dataset=dataset.slug)
    return _upload_page(request, workspace, form)


def _upload_page(request: HttpRequest, workspace: Workspace, form: forms.BaseForm) -> HttpResponse:
    return common.page(
        request, "authoring/datasets/upload.html", workspace, {"form": form}, section=SECTION
    )


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _dataset(workspace: Workspace, slug: str) -> Dataset:
    return get_object_or_404(Dataset, course=workspace.draft, slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, course: str, dataset: str) -> HttpResponse:
    workspace = common.workspace(request, course, Need.EDIT)
    found = _dataset(workspace, dataset)
    saved_columns = column_list(found.columns)
    form = DatasetForm(request.POST if request.method == "POST" else None, instance=found)
    if request.method == "POST" and form.is_valid():
        found = form.save(commit=False)
        found.columns = [column.as_dict() for column in form.new_columns]
        if common.save_form(
            request=request,
            workspace=workspace,
            form=form,
            instance=found,
            what=f"dataset:{found.pk}",
            noun="dataset",
        ):
            problems = data.readiness_problems(found)
            messages.success(
                request,
                f"Saved {found.title}."
                + (" It still needs: " + "; ".join(problems) + "." if problems else ""),
            )
            return redirect("authoring:dataset_edit", course=workspace.slug, dataset=found.slug)
    # After a refused save the instance holds what was typed: show what is stored.
    stored = Dataset.objects.get(pk=found.pk) if request.method == "POST" else found
    context = {
        "form": form,
        "dataset": stored,
        "columns": saved_columns,
        "preview": data.preview_rows(stored.csv_text),
        "problems": data.readiness_problems(stored),
        "usages": data.usages_in(workspace=workspace).get(stored.slug, []),
    }
    return common.page(request, "authoring/datasets/edit.html", workspace, context, section=SECTION)


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def dataset_replace(request: HttpRequest, course: str, dataset: str) -> HttpResponse:
    workspace = common.workspace(request, course, Need.EDIT)
    found = _dataset(workspace, dataset)
    if request.method != "POST":
        return _replace_page(request, workspace, found, DatasetReplaceForm(instance=found))
    limit = _limit_upload(request)
    if limit is None:
        form = DatasetReplaceForm(instance=found)
        context = {"dataset": found, "usages": _usages(workspace, found)}
        return _too_large(request, "authoring/datasets/replace.html", workspace, form, context)
    return _dataset_replace(request, workspace=workspace, dataset=found, limit=limit)


@csrf_protect
def _dataset_replace(
    request: HttpRequest, *, workspace: Workspace, dataset: Dataset, limit: data.UploadSizeLimit
) -> HttpResponse:
    form = DatasetReplaceForm(
        request.POST, request.FILES, instance=dataset, oversized=limit.too_big("file")
    )
    if form.is_valid():
        assert form.checked is not None
        try:
            columns, rows = data.replacement(dataset=dataset, checked=form.checked)
        except data.CsvRejected as rejected:
            for message in rejected.messages:
                form.add_error("file", message)
        except data.DependantsBroken as broken:
            form.add_error(
                None,
                "The new data has not been saved, because these would stop working with it. "
                "Change them first, or change the file:",
            )
            for message in broken.messages:
                form.add_error(None, message)
        else:
            before = dataset.row_count
            dataset.columns = [column.as_dict() for column in columns]
            dataset.csv_text = form.checked.csv_text
            dataset.row_count = len(rows)
            if common.save_form(
                request=request,
                workspace=workspace,
                form=form,
                instance=dataset,
                what=f"dataset:{dataset.pk}",
                noun="dataset",
            ):
                messages.success(
                    request,
                    f"Replaced the data of {dataset.title}: {len(rows):,} "
                    f"row{pluralize(len(rows))} (it had {before:,}). Check the columns below.",
                )
                return redirect(
                    "authoring:dataset_edit", course=workspace.slug, dataset=dataset.slug
                )
            dataset.refresh_from_db()
    return _replace_page(request, workspace, dataset, form)


def _replace_page(
    request: HttpRequest, workspace: Workspace, dataset: Dataset, form: forms.BaseForm
) -> HttpResponse:
    context = {"form": form, "dataset": dataset, "usages": _usages(workspace, dataset)}
    return common.page(
        request, "authoring/datasets/replace.html", workspace, context, section=SECTION
    )


def _usages(workspace: Workspace, dataset: Dataset) -> list[data.Usage]:
    return data.usages_in(workspace=workspace).get(dataset.slug, [])


class DeleteForm(forms.Form):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, course: str, dataset: str) -> HttpResponse:
    workspace = common.workspace(request, course, Need.EDIT)
    found = _dataset(workspace, dataset)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            data.delete_dataset(workspace=workspace, dataset=found, actor=_actor(request))
        except data.DatasetInUse:
            form.add_error(
                None,
                f"{found.title} cannot be deleted while it is used: remove it from the charts, "
                "exercises and lessons listed below first",
            )
        else:
            messages.success(request, f"Deleted the dataset {found.title}.")
            return redirect("authoring:datasets", course=workspace.slug)
    context = {"form": form, "dataset": found, "usages": _usages(workspace, found)}
    return common.page(
        request, "authoring/datasets/delete.html", workspace, context, section=SECTION
    )
