"""The chart builder: a form over a draft chart, the checks a chart must pass, and the writes.

A chart is stored as in a course's ``charts/<slug>.yaml`` (``courses.content.charts``): the
form builds that file's keys from what the author chose and checks them with the same
``validate_spec`` and ``check_series`` that publishing and ``import_course`` use, so a chart
the builder accepts is one the folder reader accepts.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import User
from authoring import references, services
from authoring.forms import DraftModelForm, SlugField
from authoring.models import Workspace
from authoring.numbers import number_text, plain
from courses import services as course_services
from courses.content import charts as chart_content
from courses.content import markdown as md
from courses.content.datasets import Column, column_list
from courses.content.folder import MAX_LENGTHS
from courses.content.problems import Problem
from courses.models import SLUG_LENGTH, Chart, Course, Dataset, Lesson
from courses.rendering import CourseResolver, dataset_rows
from exercises.models import Exercise

CHART_TYPES = {
    "line": "Line",
    "bar": "Vertical bars",
    "barh": "Horizontal bars",
    "scatter": "Scatter (points)",
}
FILTER_TESTS = {
    "equals": "equals",
    "in": "is one of (separate with commas)",
    "min": "is at least",
    "max": "is at most",
}
SORTS = {
    "none": "As in the data",
    "ascending": "Smallest first",
    "descending": "Largest first",
}
BARMODES = {"group": "Side by side", "stack": "Stacked"}
MIN_FILTER_ROWS = 3
MAX_FILTER_ROWS = 20
PREVIEW_DOM_ID = "chart-preview"
# Keys the form does not edit: kept as they are when a chart is saved.
KEPT_KEYS = ("annotations",)
assert set(CHART_TYPES) == set(chart_content.CHART_TYPES)
assert set(FILTER_TESTS) == set(chart_content.FILTER_TESTS)


class ChartInUse(Exception):
    def __init__(self, uses: ChartUses) -> None:
        self.uses = uses
        super().__init__("the chart is in use")


@dataclass
class ChartUses:
    """Where a chart appears: lessons (and the course introduction) that embed it, and
    exercises that ask about it."""

    lessons: list[Lesson] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    in_introduction: bool = False

    def __bool__(self) -> bool:
        return bool(self.lessons or self.exercises or self.in_introduction)


def uses_of_charts(*, course: Course) -> dict[str, ChartUses]:
    """{chart slug: its uses} for every chart that a lesson, the introduction or an exercise
    of the course uses. Three queries, whatever the number of charts."""
    uses: dict[str, ChartUses] = {}
    for slug in references.embedded(course.introduction, "chart"):
        uses.setdefault(slug, ChartUses()).in_introduction = True
    for slug, lessons in references.lesson_embeds(draft=course, kind="chart").items():
        uses.setdefault(slug, ChartUses()).lessons.extend(lessons)
    exercises = (
        Exercise.objects.filter(course=course)
        .filter(Q(chart__isnull=False) | Q(source__has_key="chart"))
        .select_related("chart")
        .order_by("slug")
    )
    for exercise in exercises:
        named = exercise.source.get("chart") if isinstance(exercise.source, dict) else None
        for slug in {s for s in (named, exercise.chart.slug if exercise.chart else None) if s}:
            uses.setdefault(str(slug), ChartUses()).exercises.append(exercise)
    return uses


def uses_of(*, chart: Chart) -> ChartUses:
    return uses_of_charts(course=chart.course).get(chart.slug, ChartUses())


def chart_file(
    *, title: str, dataset: str, spec: dict[str, Any], summary: str, source_note: str
) -> dict[str, Any]:
    """The keys of the chart's YAML file, as ``courses.exporting`` writes them."""
    data: dict[str, Any] = {"title": title, "dataset": dataset, **spec, "summary": summary}
    if source_note:
        data["source_note"] = source_note
    return data


def chart_problems(*, data: dict[str, Any], dataset: Dataset) -> list[Problem]:
    """Every problem with a chart file's keys over ``dataset``: the checks the folder reader
    makes on import and publish, then drawing it."""
    path = "chart"
    columns = column_list(dataset.columns)
    too_long = [
        Problem(path, None, f"{key}: at most {limit} characters")
        for key, limit in MAX_LENGTHS.items()
        if isinstance(data.get(key), str) and len(data[key].strip()) > limit
    ]
    problems = too_long + chart_content.validate_spec(data, columns, path=path)
    if problems:
        return problems
    try:
        rows = dataset_rows(dataset)
    except ValueError as error:  # the dataset's own text is broken: its page says how
        return [Problem(path, None, f"the dataset cannot be read: {error}")]
    return chart_content.check_series(data, rows, columns, path=path)


def chart_html(*, workspace: Workspace, chart: Chart, dom_id: str = PREVIEW_DOM_ID) -> str:
    """The chart as learners get it (figure, summary, data table, source), for a chart that
    may not be saved yet."""
    return CourseResolver(workspace.draft).chart_html(chart, dom_id=dom_id)


@transaction.atomic
def create_chart(*, workspace: Workspace, chart: Chart, actor: User) -> Chart:
    """Save a new chart (already checked by ChartForm) in the draft. Raises IntegrityError if
    another chart took its short name meanwhile."""
    chart.course = workspace.draft
    chart.save()
    course_services.bump_content_version(course=workspace.draft)
    services.record(
        workspace=workspace, actor=actor, action="create", what=f"chart:{chart.pk}", slug=chart.slug
    )
    return chart


@transaction.atomic
def delete_chart(*, workspace: Workspace, chart: Chart, actor: User) -> None:
    """Delete a draft chart; ChartInUse (and nothing deleted) while lessons embed it or
    exercises ask about it."""
    Chart.objects.select_for_update().filter(pk=chart.pk).first()
    uses = uses_of(chart=chart)
    if uses:
        raise ChartInUse(uses)
    slug, pk = chart.slug, chart.pk
    chart.delete()
    course_services.bump_content_version(course=workspace.draft)
    services.record(
        workspace=workspace, actor=actor, action="delete", what=f"chart:{pk}", slug=slug
    )


@dataclass(frozen=True)
class ChartRow:
    chart: Chart
    type_label: str
    uses: ChartUses


def chart_rows(*, workspace: Workspace) -> list[ChartRow]:
    uses = uses_of_charts(course=workspace.draft)
    return [
        ChartRow(
            chart=chart,
            type_label=CHART_TYPES.get(str(chart.spec.get("type")), str(chart.spec.get("type"))),
            uses=uses.get(chart.slug, ChartUses()),
        )
        for chart in Chart.objects.filter(course=workspace.draft)
        .select_related("dataset")
        .order_by("title")
    ]


def columns_by_dataset(*, workspace: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Each draft dataset's columns, for the builder's script to refresh the column choices."""
    return {
        dataset.slug: [
            {"name": c.name, "label": column_label(c), "numeric": c.is_numeric}
            for c in column_list(dataset.columns)
        ]
        for dataset in Dataset.objects.filter(course=workspace.draft).order_by("title")
    }


def column_label(column: Column) -> str:
    described = f"{column.description} " if column.description else ""
    return f"{described}({column.name}, {column.type})"


# --- The form ------------------------------------------------------------------------------


class ColumnField(forms.ChoiceField):
    """A column of the chosen dataset. Any of its columns is accepted here, so that the chart
    checks can say what is wrong with it (a text column for numbers, say)."""

    known: set[str]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.known = set()

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.known

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            super().validate(value)
        elif not self.valid_value(value):
            raise forms.ValidationError(f"The dataset has no column {value!r}")


class ColumnsField(forms.MultipleChoiceField):
    known: set[str]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.known = set()

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.known

    def validate(self, value: Any) -> None:
        if not value and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for item in value:
            if not self.valid_value(item):
                raise forms.ValidationError(f"The dataset has no column {item!r}")


def join_values(values: list[Any]) -> str:
    """A list of filter values as one line of text: separated by commas, with any value that
    has a comma or a quote in it in double quotes ("Hong Kong, China")."""

    def one(value: Any) -> str:
        text = number_text(value)
        if "," not in text and '"' not in text:
            return text
        return '"' + text.replace('"', '""') + '"'

    return ", ".join(one(value) for value in values)


def split_values(text: str) -> list[str]:
    """The values of a line written by join_values (or typed in the same way)."""
    try:
        return [part.strip() for part in next(csv.reader([text], skipinitialspace=True))]
    except (csv.Error, StopIteration):
        return [part.strip() for part in text.split(",")]


def _typed(text: str, column: Column | None) -> Any:
    """A filter value as the chart file would hold it: numbers for numeric columns (text that
    is not a number is kept, so that the check can say so)."""
    text = text.strip()
    if column is None or not column.is_numeric:
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def is_slug(value: Any) -> bool:
    """Whether a value from the request can be a short name at all: anything else (a null
    byte, say, which PostgreSQL refuses in a query) is treated as naming nothing."""
    return isinstance(value, str) and len(value) <= SLUG_LENGTH and bool(md.SLUG_RE.match(value))


class DatasetField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One of the draft's datasets, by short name; a value that is not a short name is an
    invalid choice, and is never put in a query."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_slug(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ChartForm(DraftModelForm):
    """A chart over one of the draft's datasets. ``preview`` checks only what drawing it needs
    (no title, short name or summary yet is fine)."""

    slug = SlugField()
    dataset = DatasetField(
        queryset=Dataset.objects.none(),
        to_field_name="slug",
        label="Dataset",
        empty_label="Choose a dataset",
        error_messages={
            "required": "Choose the dataset the chart draws from",
            "invalid_choice": "Choose one of this course's datasets",
        },
    )
    chart_type = forms.ChoiceField(
        label="Type of chart",
        choices=list(CHART_TYPES.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of chart"},
    )
    x = ColumnField(
        label="Across the chart (x axis)",
        help_text="For horizontal bars, the column that names each bar.",
        error_messages={"required": "Choose the column for the x axis"},
    )
    y = ColumnsField(
        label="Values (y axis)",
        help_text="A numeric column. Choose more than one to draw one line or set of bars each.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one numeric column for the values"},
    )
    colour = ColumnField(
        label="One series per value of (optional)",
        help_text="For example a country column, to draw one line per country.",
        required=False,
    )
    x_title = forms.CharField(
        label="x axis title (optional)",
        help_text="Leave blank to use the column's description.",
        required=False,
        max_length=MAX_LENGTHS["title"],
    )
    y_title = forms.CharField(
        label="y axis title (optional)",
        help_text="Leave blank to use the column's description and unit.",
        required=False,
        max_length=MAX_LENGTHS["title"],
    )
    y_min = forms.FloatField(
        label="Lowest value on the value axis (optional)",
        help_text="For example 0, so that differences are not exaggerated.",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter the lowest value as a number, like 0"},
    )
    y_max = forms.FloatField(
        label="Highest value on the value axis (optional)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter the highest value as a number, like 100"},
    )
    sort = forms.ChoiceField(
        label="Order of the bars or points", choices=list(SORTS.items()), required=False
    )
    barmode = forms.ChoiceField(
        label="Bars of several series",
        choices=list(BARMODES.items()),
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Chart
        fields = ["title", "slug", "dataset", "summary", "source_note"]
        labels = {
            "title": "Title",
            "summary": "Summary",
            "source_note": "Source note (optional)",
        }
        help_texts = {
            "summary": (
                "What the chart shows and its main takeaway, in plain English. Learners who "
                "cannot see the chart read this instead, so write it for them."
            ),
            "source_note": "Shown under the chart. Leave blank to show the dataset's source "
            "and licence.",
        }
        error_messages = {
            "title": {"required": "Enter a title for the chart"},
            "summary": {"required": "Write a summary of what the chart shows"},
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "source_note": forms.TextInput(),
        }

    def __init__(
        self, *args: Any, workspace: Workspace, preview: bool = False, **kwargs: Any
    ) -> None:
        given_initial = bool(kwargs.get("initial"))
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.preview = preview
        self.instance.course = workspace.draft
        self.original_slug = self.instance.slug if self.instance.pk else None
        self.spec: dict[str, Any] = {}
        self.fields["slug"].help_text = (
            "Used to put the chart in a lesson, as {{ chart: short-name }}: lowercase letters, "
            "numbers and hyphens, for example flow-by-year."
        )
        datasets = Dataset.objects.filter(course=workspace.draft).order_by("title")
        self.fields["dataset"].queryset = datasets  # type: ignore[attr-defined]
        if preview:
            for name in ("title", "summary"):
                self.fields[name].required = False
            # Not saved, so any short name (or none yet) will do.
            self.fields["slug"] = forms.CharField(required=False, max_length=SLUG_LENGTH)
        if not self.is_bound and self.instance.pk and not given_initial:
            self.initial["dataset"] = self.instance.dataset.slug
            self._initial_from_spec(self.instance.spec)
        self.chosen_dataset = self._chosen_dataset(datasets)
        self.columns = column_list(self.chosen_dataset.columns) if self.chosen_dataset else []
        self._set_column_choices()
        self.filter_rows = self._add_filter_rows()

    # Setting up

    def _initial_from_spec(self, spec: dict[str, Any]) -> None:
        y = spec.get("y")
        self.initial.update(
            {
                "chart_type": spec.get("type"),
                "x": spec.get("x"),
                "y": y if isinstance(y, list) else [y],
                "colour": spec.get("colour") or "",
                "x_title": spec.get("x_title") or "",
                "y_title": spec.get("y_title") or "",
                "y_min": number_text(spec["y_min"]) if "y_min" in spec else "",
                "y_max": number_text(spec["y_max"]) if "y_max" in spec else "",
                "sort": spec.get("sort") or "none",
                "barmode": spec.get("barmode") or "group",
            }
        )
        row = 0
        for test in spec.get("filters") or []:
            if not isinstance(test, dict):
                continue
            for key in FILTER_TESTS:
                if key not in test:
                    continue
                row += 1
                value = test[key]
                text = join_values(value) if isinstance(value, list) else number_text(value)
                self.initial.update(
                    {
                        f"filter_{row}_column": test.get("column"),
                        f"filter_{row}_test": key,
                        f"filter_{row}_value": text,
                    }
                )

    def _chosen_dataset(self, datasets: Any) -> Dataset | None:
        if self.is_bound:
            slug = self.data.get(self.add_prefix("dataset"))
        else:
            initial = self.initial.get("dataset")
            slug = initial.slug if isinstance(initial, Dataset) else initial
            if slug is None and self.instance.pk:
                slug = self.instance.dataset.slug
            if slug is None and len(datasets) == 1:  # the only choice: take it
                slug = datasets[0].slug
                self.initial["dataset"] = slug
        return datasets.filter(slug=slug).first() if is_slug(slug) else None

    def _set_column_choices(self) -> None:
        everything = [(c.name, column_label(c)) for c in self.columns]
        names = {c.name for c in self.columns}
        for name in ("x", "colour"):
            column_field = self.fields[name]
            assert isinstance(column_field, ColumnField)
            column_field.choices = [("", "None" if name == "colour" else "Choose a column")]
            column_field.choices += everything
            column_field.known = names
        y_field = self.fields["y"]
        assert isinstance(y_field, ColumnsField)
        y_field.choices = [(c.name, column_label(c)) for c in self.columns if c.is_numeric]
        y_field.known = names

    def _add_filter_rows(self) -> list[int]:
        def given(name: str) -> Any:
            return self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)

        # A row is in use once it has a column or a value (its test always has one).
        used = [
            i
            for i in range(1, MAX_FILTER_ROWS + 1)
            if given(f"filter_{i}_column") or given(f"filter_{i}_value")
        ]
        # One empty row more than those used, so that authors without JavaScript can add one.
        count = min(MAX_FILTER_ROWS, max([MIN_FILTER_ROWS, *(i + 1 for i in used)]))
        rows = list(range(1, count + 1))
        column_choices = [("", "No filter")] + [(c.name, column_label(c)) for c in self.columns]
        for i in rows:
            column = ColumnField(label="Column", required=False)
            column.choices = column_choices
            column.known = {c.name for c in self.columns}
            self.fields[f"filter_{i}_column"] = column
            self.fields[f"filter_{i}_test"] = forms.ChoiceField(
                label="Test", choices=list(FILTER_TESTS.items()), required=False
            )
            self.fields[f"filter_{i}_value"] = forms.CharField(
                label="Value", required=False, max_length=1000
            )
        return rows

    def filter_fields(
        self,
    ) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (i, self[f"filter_{i}_column"], self[f"filter_{i}_test"], self[f"filter_{i}_value"])
            for i in self.filter_rows
        ]

    @property
    def kept_keys(self) -> list[str]:
        return [key for key in KEPT_KEYS if self.instance.pk and key in self.instance.spec]

    # Checking

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or ""
        if self.preview or not slug:
            return slug
        taken = Chart.objects.filter(course=self.workspace.draft, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"This course already has a chart called {slug}")
        if self.original_slug and slug != self.original_slug:
            uses = uses_of(chart=self.instance)
            if uses:
                raise forms.ValidationError(
                    "Lessons or exercises use this chart by its short name "
                    f"{self.original_slug}: change them first, or keep the short name"
                )
        return slug

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        dataset = cleaned.get("dataset")
        if not isinstance(dataset, Dataset) or self.has_error("dataset"):
            return cleaned
        by_name = {c.name: c for c in self.columns}
        filters, filter_rows = self._clean_filters(by_name)
        y_min, y_max = (
            None if (value := cleaned.get(key)) is None else plain(value)
            for key in ("y_min", "y_max")
        )
        if y_min is not None and y_max is not None and y_min >= y_max:
            self.add_error("y_max", "The highest value must be more than the lowest value")
        if self.errors:
            return cleaned
        spec = self._spec(cleaned, filters, y_min, y_max)
        data = chart_file(
            title=(cleaned.get("title") or "").strip() or "Untitled chart",
            dataset=dataset.slug,
            spec=spec,
            summary=(cleaned.get("summary") or "").strip() or "No summary yet.",
            source_note=(cleaned.get("source_note") or "").strip(),
        )
        for problem in chart_problems(data=data, dataset=dataset):
            name, message = _field_for(problem.message, filter_rows)
            self.add_error(name, message)
        if not self.errors:
            self.spec = spec
        return cleaned

    def _clean_filters(self, by_name: dict[str, Column]) -> tuple[list[dict[str, Any]], list[int]]:
        """The filters as the chart file holds them, and for each the form row it starts on.
        Rows on one column with different tests are merged, as authors write them by hand."""
        filters: list[dict[str, Any]] = []
        rows: list[int] = []
        for i in self.filter_rows:
            column = self.cleaned_data.get(f"filter_{i}_column") or ""
            test = self.cleaned_data.get(f"filter_{i}_test") or ""
            value = (self.cleaned_data.get(f"filter_{i}_value") or "").strip()
            if self.has_error(f"filter_{i}_column") or not (column or value):
                continue
            if not column:
                self.add_error(f"filter_{i}_column", f"Choose the column filter {i} tests")
                continue
            if not test:
                self.add_error(f"filter_{i}_test", f"Choose how filter {i} tests {column}")
                continue
            if not value:
                self.add_error(
                    f"filter_{i}_value", f"Enter the value filter {i} compares {column} with"
                )
                continue
            typed: Any
            if test == "in":
                typed = [_typed(part, by_name.get(column)) for part in split_values(value)]
                typed = [v for v in typed if v != ""]
            else:
                typed = _typed(value, by_name.get(column))
            merged = next((f for f in filters if f["column"] == column and test not in f), None)
            if merged is not None:
                merged[test] = typed
            else:
                filters.append({"column": column, test: typed})
                rows.append(i)
        return filters, rows

    def _spec(
        self,
        cleaned: dict[str, Any],
        filters: list[dict[str, Any]],
        y_min: float | None,
        y_max: float | None,
    ) -> dict[str, Any]:
        before = self.instance.spec if self.instance.pk else {}
        ys: list[str] = list(cleaned.get("y") or [])
        old_y = before.get("y")
        if isinstance(old_y, list) and set(old_y) == set(ys):
            ys = list(old_y)  # the checkboxes come in the dataset's order: keep the author's
        else:
            order = [c.name for c in self.columns]
            ys.sort(key=lambda name: order.index(name) if name in order else len(order))
        spec: dict[str, Any] = {
            "type": cleaned["chart_type"],
            "x": cleaned["x"],
            "y": ys[0] if len(ys) == 1 else ys,
        }
        if cleaned.get("colour"):
            spec["colour"] = cleaned["colour"]
        if filters:
            spec["filters"] = filters
        for key in ("x_title", "y_title"):
            if (cleaned.get(key) or "").strip():
                spec[key] = cleaned[key].strip()
        if y_min is not None:
            spec["y_min"] = y_min
        if y_max is not None:
            spec["y_max"] = y_max
        sort = cleaned.get("sort") or "none"
        if sort != "none" or "sort" in before:
            spec["sort"] = sort
        barmode = cleaned.get("barmode") or "group"
        if cleaned["chart_type"] in ("bar", "barh") and (barmode != "group" or "barmode" in before):
            spec["barmode"] = barmode
        for key in KEPT_KEYS:
            if key in before:
                spec[key] = before[key]
        # Keys in the order the chart's file had them, so that saving it unchanged changes
        # nothing in the file (nor in the differences between versions).
        order = [key for key in before if key in spec] + [key for key in spec if key not in before]
        return chart_content.plain({key: spec[key] for key in order})  # type: ignore[no-any-return]

    def chart(self) -> Chart:
        """The chart as the valid form describes it (not saved)."""
        chart = self.instance
        chart.course = self.workspace.draft
        chart.spec = self.spec
        if self.preview:
            chart.title = chart.title or "Untitled chart"
            chart.summary = chart.summary or "No summary yet."
            # The learners' chart links to its data by short name: any will do unsaved.
            chart.slug = chart.slug if md.SLUG_RE.match(chart.slug or "") else "preview"
        return chart

    def save_new(self, *, actor: User) -> Chart | None:
        """Create the chart; None (with a form error) if its short name was taken meanwhile."""
        try:
            return create_chart(workspace=self.workspace, chart=self.chart(), actor=actor)
        except IntegrityError:
            self.instance.pk = None
            self.add_error("slug", "This course already has a chart with this short name")
            return None


FIELD_PREFIX = re.compile(r"^(?P<key>x|y|colour|y_min|y_max|sort|barmode|type|title|summary)\b:?")
FILTER_PREFIX = re.compile(r"^filter (?P<index>\d+)\b:?")
KEY_FIELDS = {"type": "chart_type"}


def _field_for(message: str, filter_rows: list[int]) -> tuple[str | None, str]:
    """The form field a chart problem is about, and the message to show there."""

    def sentence(text: str) -> str:
        text = text.strip()
        return text[:1].upper() + text[1:]

    if message.startswith("use either several y columns"):
        return "colour", sentence(message)
    if message.startswith("the filters leave no rows"):
        return None, "The filters leave no rows to draw: loosen or remove a filter"
    if re.match(r"^draws \d+ series", message):
        return "colour", sentence(f"the chart {message}")
    if match := FILTER_PREFIX.match(message):
        index = int(match["index"])
        row = filter_rows[index - 1] if 0 < index <= len(filter_rows) else None
        rest = message[match.end() :].strip()
        if row is None:
            return None, sentence(message)
        if "no column" in rest or "needs a column" in rest:
            part = "column"
        elif "min and max" in rest or "must use" in rest:
            part = "test"
        else:
            part = "value"
        return f"filter_{row}_{part}", sentence(f"filter {row}: {rest}")
    if match := FIELD_PREFIX.match(message):
        key = match["key"]
        rest = message[match.end() :].strip() if message[match.end() - 1] == ":" else message
        return KEY_FIELDS.get(key, key), sentence(rest)
    return None, sentence(message)


def form_initial_from(form: ChartForm) -> dict[str, Any]:
    """What a bound form holds, as initial values: to show the next step of the form (the
    columns of the dataset just chosen) without checking what is not filled in yet."""
    return {name: form[name].data for name in form.fields}
