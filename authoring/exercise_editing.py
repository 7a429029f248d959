"""Editing the draft's exercises in forms: a starting point for each kind, the form that
turns what an author typed into the exercise file (``Exercise.source``), the same checks as
``import_course`` (``exercises.content.check_exercise``) plus a few more on the answer key,
and saving with the check for concurrent edits.

The file is the truth: the form writes the settings that export writes back and publishing
reads, so an exercise made here is exactly one that could have been imported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django import forms
from django.db import IntegrityError, transaction

from accounts.models import User
from authoring import references, services
from authoring.forms import DraftForm, LinesField, SlugField
from authoring.models import Workspace
from authoring.numbers import number_text, plain
from courses import rendering
from courses.content import markdown as md
from courses.content.datasets import Column, Row, column_list
from courses.models import TITLE_LENGTH, Chart, Course, Dataset, GlossaryTerm, Lesson
from courses.services import bump_content_version
from exercises.content import KIND_KEYS, ExerciseFile, check_exercise, sql_table_name
from exercises.forms import MAX_NUMBER, parse_number
from exercises.grading import within
from exercises.models import Exercise, Kind

CHOICE_KINDS = {Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.SPOT_THE_FLAW, Kind.CHART_READING}
NUMERIC_KINDS = {Kind.NUMERIC, Kind.CHART_READING}
CHART_KINDS = {Kind.CHART_READING, Kind.SPOT_THE_FLAW}
# Kinds whose answer key is written as YAML in one "details" box, with a worked example.
DETAILS_KINDS = {Kind.PARAMETRISED_NUMERIC, Kind.ESTIMATE}
MAX_ROWS = 12
# How deep lists and mappings may nest in the details box: the kinds' settings need 3 or 4.
MAX_DETAILS_DEPTH = 20

KIND_HINTS = {
    Kind.SINGLE_CHOICE: "Learners choose one option; exactly one is right.",
    Kind.MULTIPLE_CHOICE: "Learners tick every option that applies; partial credit.",
    Kind.NUMERIC: "Learners type a number, right within a tolerance you set.",
    Kind.PARAMETRISED_NUMERIC: (
        "Each learner gets their own value (a country, a year…) and computes the answer "
        "from a dataset. Needs a dataset."
    ),
    Kind.CHART_READING: "Learners read a value off a chart, or choose an option. Needs a chart.",
    Kind.SPOT_THE_FLAW: "Learners tick what is wrong with a misleading chart. Needs a chart.",
    Kind.ORDERING: "Learners put three or more items in order.",
    Kind.ESTIMATE: "Learners give a range they are 90% sure contains the answer.",
    Kind.SQL: "Learners write a SELECT query on a dataset. Needs a dataset.",
    Kind.FREE_TEXT: "Learners write a short answer that a tutor marks against your rubric.",
}


class NotAvailable(Exception):
    """The kind needs something the draft does not have yet (a chart, a dataset)."""


# --- What the draft has ---------------------------------------------------------------------


class _LazyRows(dict[str, list[Row]]):
    """Dataset rows, parsed only for the datasets an exercise uses."""

    def __init__(self, datasets: dict[str, Dataset]) -> None:
        super().__init__()
        self._datasets = datasets

    def __missing__(self, slug: str) -> list[Row]:
        rows = rendering.dataset_rows(self._datasets[slug])
        self[slug] = rows
        return rows


@dataclass
class DraftContent:
    """The charts and datasets of a draft, as ``check_exercise`` needs them."""

    charts: dict[str, Chart]
    datasets: dict[str, Dataset]
    columns: dict[str, list[Column]]
    rows: _LazyRows

    @classmethod
    def of(cls, course: Course) -> DraftContent:
        # The CSV text is read only for the datasets an exercise computes from (_LazyRows).
        datasets = {
            d.slug: d
            for d in Dataset.objects.filter(course=course).defer("csv_text").order_by("slug")
        }
        charts = {c.slug: c for c in Chart.objects.filter(course=course).order_by("slug")}
        return cls(
            charts=charts,
            datasets=datasets,
            columns={slug: column_list(d.columns) for slug, d in datasets.items()},
            rows=_LazyRows(datasets),
        )


# --- A valid start for each kind ------------------------------------------------------------


def _choices(*, right: int) -> list[dict[str, Any]]:
    options = [
        {"text": "A right answer", "correct": True,
         "feedback": "Yes: say here why this is right."},
        {"text": "Another right answer", "correct": True,
         "feedback": "Yes: say here why this is right too."},
        {"text": "A wrong answer", "correct": False,
         "feedback": "No: say here why this is wrong, and what to look at instead."},
    ]  # fmt: skip
    return options[:1] + options[2:] if right == 1 else options


def _variants_template(content_: DraftContent) -> dict[str, Any] | None:
    """A parametrised exercise on the first dataset that allows one: a numeric column to
    average, and another column with a few values to give each learner their own."""
    for slug, columns in content_.columns.items():
        # A measure (a "number" column) rather than a count or a year, where there is one;
        # else the last whole-number column (years and ids tend to come first).
        numeric = next((c for c in columns if c.type == "number"), None) or next(
            (c for c in reversed(columns) if c.is_numeric), None
        )
        if numeric is None:
            continue
        rows = content_.rows[slug]
        # Each learner's value: preferably a name (a country), else a whole number (a year).
        candidates = [c for c in columns if c.type == "text"] + [
            c for c in columns if c.type == "integer"
        ]
        for column in candidates:
            if column.name == numeric.name:
                continue
            # The first few values that have a number to compute from (each learner's variant).
            values: dict[Any, None] = {}
            for row in rows:
                value = row.get(column.name)
                if value is not None and row.get(numeric.name) is not None:
                    values[value] = None
                    if len(values) == 5:
                        break
            if len(values) >= 2:
                return {
                    "dataset": slug,
                    "variants": {"column": column.name, "values": list(values)},
                    "compute": {"column": numeric.name, "aggregate": "mean",
                                "filters": []},
                    "tolerance": {"relative": 0.01},
                    "prompt": f"What is the average {numeric.name} where {column.name} is "
                              "{value}?",
                }  # fmt: skip
    return None


def starting_source(kind: str, *, draft: Course, content_: DraftContent) -> dict[str, Any]:
    """A complete, valid exercise file of this kind that the author then changes. Raises
    NotAvailable when the kind needs a chart or dataset that the draft does not have."""
    label = Kind(kind).label
    source: dict[str, Any] = {
        "title": f"New exercise: {label.lower()}",
        "kind": kind,
        "prompt": "Write the question here.",
    }
    if kind in CHART_KINDS:
        if not content_.charts:
            raise NotAvailable("This kind of exercise is about a chart: make a chart first.")
        source["chart"] = next(iter(content_.charts))
    if kind in (Kind.SINGLE_CHOICE, Kind.CHART_READING):
        source["options"] = _choices(right=1)
    elif kind in (Kind.MULTIPLE_CHOICE, Kind.SPOT_THE_FLAW):
        source["options"] = _choices(right=2)
    elif kind == Kind.NUMERIC:
        source.update(answer=100, tolerance={"absolute": 0}, unit="")
    elif kind == Kind.PARAMETRISED_NUMERIC:
        found = _variants_template(content_)
        if found is None:
            raise NotAvailable(
                "This kind of exercise computes each learner's answer from a dataset with a "
                "numeric column and another column to vary: upload one first."
            )
        source.update(found)
    elif kind == Kind.ORDERING:
        source.update(items=["The first", "The second", "The third"], feedback="")
    elif kind == Kind.ESTIMATE:
        source.update(answer=100, unit="")
    elif kind == Kind.SQL:
        if not content_.datasets:
            raise NotAvailable("Learners query a dataset in this kind of exercise: upload one.")
        first = next(iter(content_.datasets))
        source.update(dataset=first, reference=f"SELECT * FROM {sql_table_name(first)}")  # noqa: S608 (runs in the sandbox)
    elif kind == Kind.FREE_TEXT:
        source.update(
            rubric=[{"criterion": "Makes the main point clearly", "points": 2}], max_words=200
        )
    source["explanation"] = "Write the worked answer here: learners see it once they are done."
    return source


def available_kinds(*, draft: Course, content_: DraftContent) -> list[dict[str, Any]]:
    """Each kind with its hint, and why it cannot be made yet (if it cannot)."""
    kinds = []
    for kind in Kind:
        try:
            starting_source(kind, draft=draft, content_=content_)
        except NotAvailable as reason:
            missing = str(reason)
        else:
            missing = ""
        kinds.append({"value": kind.value, "label": kind.label, "hint": KIND_HINTS[kind],
                      "missing": missing})  # fmt: skip
    return kinds


def free_slug(*, draft: Course, base: str) -> str:
    taken = set(Exercise.objects.filter(course=draft).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- Where exercises are used ---------------------------------------------------------------


def embedding_lessons(*, draft: Course) -> dict[str, list[Lesson]]:
    """{exercise slug: the lessons whose text embeds it}, in course order."""
    return references.lesson_embeds(draft=draft, kind="exercise")


# --- The form -------------------------------------------------------------------------------


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


class NumberInput(forms.CharField):
    """A number as people type it (1,250 or 72.5); blank allowed unless required."""

    def __init__(self, *, minimum: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.minimum = minimum
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false",
                                  "class": "govuk-input--width-10"})  # fmt: skip

    def prepare_value(self, value: Any) -> Any:
        return number_text(value) if isinstance(value, int | float) else value

    def clean(self, value: Any) -> float | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        number = parse_number(text, label=str(self.label).lower())
        if self.minimum is not None and number < self.minimum:
            raise forms.ValidationError(f"{self.label} cannot be negative")
        return number


class ExerciseForm(DraftForm):
    """One exercise of one kind. The common settings are fields; what a kind adds is fields
    too (options, answer and tolerance, items, query, rubric), except for the data-driven
    kinds, whose settings are a YAML "details" box."""

    kind = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(
        label="Title", max_length=TITLE_LENGTH,
        error_messages={"required": "Enter a title"},
    )  # fmt: skip
    prompt = forms.CharField(
        label="Question", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown. What the learner is asked.",
        error_messages={"required": "Enter the question"},
    )  # fmt: skip
    explanation = forms.CharField(
        label="Explanation (the worked answer)", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown. Shown when the learner is done: why the answer is what it is.",
        error_messages={"required": "Enter the explanation: the worked answer"},
    )  # fmt: skip
    hints = LinesField(
        label="Hints (optional)", required=False,
        help_text="One per line. Learners open them one at a time.",
    )  # fmt: skip
    max_attempts = forms.IntegerField(
        label="Attempts allowed", min_value=0, max_value=20, initial=3,
        help_text="0 means unlimited.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the number of attempts allowed (0 for unlimited)",
                        "invalid": "Enter the attempts allowed as a whole number",
                        "min_value": "Attempts allowed must be 0 (unlimited) or more",
                        "max_value": "Allow at most 20 attempts (or 0 for unlimited)"},
    )  # fmt: skip
    reveal_answer = forms.BooleanField(
        label="Show the answer once the learner is done", required=False, initial=True
    )
    ask_confidence = forms.BooleanField(
        label="Ask “How sure are you?” (50, 70, 90 or 99%)", required=False
    )
    certainty_based_marking = forms.BooleanField(
        label="Certainty-based marking: confident wrong answers cost more", required=False,
        help_text="Needs “How sure are you?”.",
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        kind: str,
        draft: Course,
        content_: DraftContent,
        creating: bool,
        original: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind_value = kind
        self.draft = draft
        self.content = content_
        self.creating = creating
        self.original = original or {}
        self.source: dict[str, Any] = {}
        self.checked: ExerciseFile | None = None
        self.fields["kind"].initial = kind
        if creating:
            self.fields["slug"] = SlugField(
                help_text="Used to embed the exercise in a lesson: {{ exercise: short-name }}. "
                "Lowercase letters, numbers and hyphens. It cannot be changed later.",
                error_messages={"required": "Enter a short name"},
            )
        self._add_kind_fields()
        # The order of the page, so that the error summary lists problems in that order too.
        head = ["loaded", "kind", "title", "slug", "chart", "prompt"]
        tail = ["explanation", "hints", "max_attempts", "reveal_answer", "ask_confidence",
                "certainty_based_marking"]  # fmt: skip
        middle = [name for name in self.fields if name not in head and name not in tail]
        self.order_fields([*head, *middle, *tail])

    # The fields each kind adds.

    def _rows(self, prefix: str, existing: int, *, spare: int, least: int) -> int:
        if self.is_bound:
            try:
                count = int(self.data.get(f"{prefix}_rows", ""))
            except ValueError:
                count = least
        else:
            count = max(existing + spare, least)
        count = min(max(count, 1), MAX_ROWS)
        self.fields[f"{prefix}_rows"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=count
        )
        return count

    def _add_kind_fields(self) -> None:
        kind = self.kind_value
        initial = self.initial
        if kind in CHART_KINDS:
            self.fields["chart"] = forms.ChoiceField(
                label="Chart", choices=[("", "Choose a chart")]
                + [(slug, chart.title) for slug, chart in self.content.charts.items()],
                error_messages={"required": "Choose the chart the question is about",
                                "invalid_choice": "Choose one of the course's charts"},
            )  # fmt: skip
        if kind == Kind.CHART_READING:
            self.fields["answer_type"] = forms.ChoiceField(
                label="How learners answer", widget=forms.RadioSelect, initial="choice",
                choices=[("choice", "They choose one of the options below"),
                         ("numeric", "They type a number (fill in the answer below)")],
                error_messages={"required": "Choose how learners answer"},
            )  # fmt: skip
        if kind in CHOICE_KINDS:
            self.option_rows = self._rows(
                "option", len(initial.get("_options", [])), spare=2, least=4
            )
            for i in range(self.option_rows):
                self.fields[f"option_{i}_text"] = forms.CharField(
                    label=f"Text of option {i + 1}", required=False, max_length=500
                )
                self.fields[f"option_{i}_correct"] = forms.BooleanField(
                    label=f"Option {i + 1} is right", required=False
                )
                self.fields[f"option_{i}_feedback"] = forms.CharField(
                    label=f"Feedback on option {i + 1}", required=False, max_length=2000,
                    help_text="Why it is right or wrong.",
                )  # fmt: skip
        if kind in NUMERIC_KINDS:
            required = kind == Kind.NUMERIC
            self.fields["answer"] = NumberInput(
                label="The right answer", required=required,
                error_messages={"required": "Enter the right answer"},
            )  # fmt: skip
            self.fields["tolerance_type"] = forms.ChoiceField(
                label="Tolerance", widget=forms.RadioSelect, initial="absolute", required=False,
                choices=[("absolute", "Plus or minus an amount"),
                         ("relative", "Plus or minus a fraction of the answer (0.05 is 5%)")],
            )  # fmt: skip
            self.fields["tolerance"] = NumberInput(
                label="Tolerance", required=False, minimum=0,
                help_text="How far from the answer still counts as right. Blank means exactly.",
            )  # fmt: skip
            self.fields["unit"] = forms.CharField(label="Unit (optional)", required=False,
                                                  max_length=60)  # fmt: skip
            self.mistake_rows = self._rows(
                "mistake", len(initial.get("_mistakes", [])), spare=1, least=2
            )
            for i in range(self.mistake_rows):
                self.fields[f"mistake_{i}_value"] = NumberInput(
                    label=f"Common wrong answer {i + 1}", required=False
                )
                self.fields[f"mistake_{i}_tolerance"] = NumberInput(
                    label=f"Tolerance for wrong answer {i + 1}", required=False, minimum=0
                )
                self.fields[f"mistake_{i}_feedback"] = forms.CharField(
                    label=f"Feedback for wrong answer {i + 1}", required=False, max_length=2000
                )
        if kind == Kind.ORDERING:
            self.fields["items"] = LinesField(
                label="Items, in the right order", help_text="One per line, at least three. "
                "Learners see them shuffled.",
                error_messages={"required": "List at least three items, in the right order"},
            )  # fmt: skip
            self.fields["order_feedback"] = forms.CharField(
                label="Feedback (optional)", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Shown with every answer, right or wrong.",
            )  # fmt: skip
        if kind == Kind.SQL:
            self.fields["datasets"] = forms.MultipleChoiceField(
                label="Datasets the learner queries", widget=forms.CheckboxSelectMultiple,
                choices=[(slug, f"{d.title} (table {sql_table_name(slug)})")
                         for slug, d in self.content.datasets.items()],
                error_messages={"required": "Choose at least one dataset",
                                "invalid_choice": "Choose the course's datasets"},
            )  # fmt: skip
            self.fields["reference"] = forms.CharField(
                label="Reference query (the right answer)", max_length=5000,
                widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false",
                                             "class": "app-code-input"}),
                help_text="A SELECT. A learner is right when their query returns the same rows.",
                error_messages={"required": "Enter the reference query"},
            )  # fmt: skip
            self.fields["order_matters"] = forms.BooleanField(
                label="The order of the rows matters", required=False
            )
        if kind == Kind.FREE_TEXT:
            self.rubric_rows = self._rows(
                "rubric", len(initial.get("_rubric", [])), spare=2, least=3
            )
            for i in range(self.rubric_rows):
                self.fields[f"rubric_{i}_criterion"] = forms.CharField(
                    label=f"Criterion {i + 1}", required=False, max_length=500
                )
                self.fields[f"rubric_{i}_points"] = forms.IntegerField(
                    label=f"Points for criterion {i + 1}", required=False, min_value=1,
                    max_value=20, widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                    error_messages={"min_value": "Give from 1 to 20 points",
                                    "max_value": "Give from 1 to 20 points",
                                    "invalid": "Enter the points as a whole number"},
                )  # fmt: skip
            self.fields["max_words"] = forms.IntegerField(
                label="Most words allowed", min_value=10, max_value=2000, initial=300,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
                error_messages={"required": "Enter the most words allowed",
                                "min_value": "Allow from 10 to 2,000 words",
                                "max_value": "Allow from 10 to 2,000 words",
                                "invalid": "Enter the words allowed as a whole number"},
            )  # fmt: skip
        if kind in DETAILS_KINDS:
            self.fields["details"] = forms.CharField(
                label="Details of the answer key (YAML)", max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false",
                                             "class": "app-code-input"}),
                help_text=f"The settings of a “{Kind(kind).label.lower()}” exercise, one per "
                "line as name: value (see the example).",
                error_messages={"required": "Enter the details of the answer key"},
            )  # fmt: skip

    # Groups of fields, for the template.

    def option_groups(self) -> list[dict[str, forms.BoundField]]:
        return self._groups("option", ("text", "correct", "feedback"))

    def mistake_groups(self) -> list[dict[str, forms.BoundField]]:
        return self._groups("mistake", ("value", "tolerance", "feedback"))

    def rubric_groups(self) -> list[dict[str, forms.BoundField]]:
        return self._groups("rubric", ("criterion", "points"))

    def _groups(self, prefix: str, parts: tuple[str, ...]) -> list[dict[str, forms.BoundField]]:
        """The rows of fields named <prefix>_<row>_<part>, each as {part: bound field}."""
        return [
            {part: self[f"{prefix}_{i}_{part}"] for part in parts}
            for i in range(getattr(self, f"{prefix}_rows", 0))
        ]

    def rows_fields(self) -> Iterable[forms.BoundField]:
        return [self[name] for name in self.fields if name.endswith("_rows")]

    # From what was typed to the exercise file.

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != self.kind_value:
            raise forms.ValidationError("The kind of exercise changed: start again")
        if self.errors:
            return data
        raw = self._source(data)
        if self.errors:
            return data
        self.source = raw
        self.checked = self._check(raw)
        return data

    def _source(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = self.kind_value
        original = self.original
        raw: dict[str, Any] = {"title": data["title"].strip(), "kind": kind}
        if "chart" in self.fields:
            raw["chart"] = data["chart"]
        if kind in DETAILS_KINDS:
            raw.update(self._details(data["details"]))
        raw["prompt"] = data["prompt"].strip()
        answer_type = data.get("answer_type")
        if kind in CHOICE_KINDS and (kind != Kind.CHART_READING or answer_type == "choice"):
            raw["options"] = self._options(data)
        if kind in NUMERIC_KINDS and (kind != Kind.CHART_READING or answer_type == "numeric"):
            raw.update(self._numeric(data))
        if kind == Kind.ORDERING:
            raw["items"] = data["items"]
            if data["order_feedback"].strip() or "feedback" in original:
                raw["feedback"] = data["order_feedback"].strip()
        if kind == Kind.SQL:
            names = data["datasets"]
            if len(names) == 1 and "datasets" not in original:
                raw["dataset"] = names[0]
            else:
                raw["datasets"] = names
            raw["reference"] = data["reference"].strip()
            if data["order_matters"] or "order_matters" in original:
                raw["order_matters"] = data["order_matters"]
        if kind == Kind.FREE_TEXT:
            raw["rubric"] = self._rubric(data)
            raw["max_words"] = data["max_words"]
        if data["hints"] or "hints" in original:
            raw["hints"] = data["hints"]
        raw["explanation"] = data["explanation"].strip()
        for key, default in (
            ("max_attempts", 3),
            ("reveal_answer", True),
            ("ask_confidence", False),
            ("certainty_based_marking", False),
        ):
            if data[key] != default or key in original:
                raw[key] = data[key]  # fmt: skip
        return raw

    def _options(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        options = []
        for i in range(self.option_rows):
            text = data[f"option_{i}_text"].strip()
            feedback = data[f"option_{i}_feedback"].strip()
            correct = data[f"option_{i}_correct"]
            if not text:
                if feedback or correct:
                    self.add_error(f"option_{i}_text", f"Enter the text of option {i + 1}")
                continue
            if not feedback:
                self.add_error(
                    f"option_{i}_feedback",
                    f"Enter feedback on option {i + 1}: why it is right or wrong",
                )
            options.append({"text": text, "correct": correct, "feedback": feedback})
        right = sum(o["correct"] for o in options)
        single = self.kind_value in (Kind.SINGLE_CHOICE, Kind.CHART_READING)
        if len(options) < 2:
            self.add_error("option_0_text", "Give at least two options")
        elif single and right != 1:
            self.add_error(
                "option_0_correct",
                f"Mark exactly one option as right (you marked {right})",
            )
        elif not single and right < 1:
            self.add_error("option_0_correct", "Mark at least one option as right")
        return options

    def _numeric(self, data: dict[str, Any]) -> dict[str, Any]:
        answer = data.get("answer")
        if answer is None:
            self.add_error("answer", "Enter the right answer")
            return {}
        amount = data.get("tolerance") or 0.0
        kind = data.get("tolerance_type") or "absolute"
        if kind == "relative" and amount >= 1:
            self.add_error(
                "tolerance", "A fraction of the answer must be less than 1: 0.05 means 5%"
            )
        if kind == "absolute" and answer != 0 and amount >= abs(answer):
            self.add_error(
                "tolerance",
                "The tolerance is as large as the answer itself: almost any answer would be "
                "marked right",
            )
        if kind == "relative" and answer == 0 and amount:
            self.add_error(
                "tolerance",
                "A fraction of an answer of 0 is 0: use plus or minus an amount instead",
            )
        tolerance = {kind: plain(amount)}
        mistakes = []
        for i in range(self.mistake_rows):
            value = data[f"mistake_{i}_value"]
            feedback = data[f"mistake_{i}_feedback"].strip()
            spread = data[f"mistake_{i}_tolerance"]
            if value is None:
                if feedback or spread is not None:
                    self.add_error(f"mistake_{i}_value", f"Enter wrong answer {i + 1}")
                continue
            if not feedback:
                self.add_error(
                    f"mistake_{i}_feedback",
                    f"Enter feedback for wrong answer {i + 1}: what the learner probably did",
                )
            if within(value, answer, tolerance):
                self.add_error(
                    f"mistake_{i}_value",
                    f"Wrong answer {i + 1} is within the tolerance of the right answer: it "
                    "would be marked right",
                )
            mistake: dict[str, Any] = {"value": plain(value)}
            if spread:
                mistake["tolerance"] = plain(spread)
            mistake["feedback"] = feedback
            mistakes.append(mistake)
        numeric: dict[str, Any] = {"answer": plain(answer), "tolerance": tolerance}
        if data.get("unit", "").strip() or "unit" in self.original:
            numeric["unit"] = data["unit"].strip()
        if mistakes or "mistakes" in self.original:
            numeric["mistakes"] = mistakes
        return numeric

    def _rubric(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        rubric = []
        for i in range(self.rubric_rows):
            criterion = data[f"rubric_{i}_criterion"].strip()
            points = data[f"rubric_{i}_points"]
            if not criterion:
                if points is not None:
                    self.add_error(f"rubric_{i}_criterion", f"Enter criterion {i + 1}")
                continue
            if points is None:
                self.add_error(f"rubric_{i}_points", f"Enter the points for criterion {i + 1}")
                continue
            rubric.append({"criterion": criterion, "points": points})
        if not rubric and not self.errors:
            self.add_error("rubric_0_criterion", "Enter a criterion that a tutor marks against")
        return rubric

    def _details(self, text: str) -> dict[str, Any]:
        """The YAML details box: a mapping of this kind's settings; problems name the line."""
        self.details_lines: dict[str, int] = {}
        try:
            refusal = _unsafe_yaml(text)
            if refusal:
                self.add_error("details", refusal)
                return {}
            parsed = yaml.safe_load(text)
            node = yaml.compose(text)
        except RecursionError:  # cannot happen within MAX_DETAILS_DEPTH; never a 500
            self.add_error("details", "Details: the settings are nested too deeply")
            return {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            reason = getattr(error, "problem", None) or str(error)
            self.add_error("details", f"Details, {where}this is not valid YAML ({reason})")
            return {}
        if not isinstance(parsed, dict):
            self.add_error(
                "details", "Details, line 1: write the settings as name: value, one per line"
            )
            return {}
        if isinstance(node, yaml.MappingNode):
            self.details_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        allowed = KIND_KEYS[self.kind_value]
        for key in parsed:
            if key not in allowed:
                line = self.details_lines.get(str(key), 1)
                self.add_error(
                    "details",
                    f"Details, line {line}: {key!r} is not a setting of this kind of exercise "
                    f"(allowed here: {', '.join(sorted(allowed))}; the others have their own "
                    "fields)",
                )
        return {str(k): v for k, v in parsed.items() if k in allowed}

    def _check(self, raw: dict[str, Any]) -> ExerciseFile | None:
        """The importer's checks; each problem goes to the field it is about."""
        keys = list(raw)
        lines = {key: number for number, key in enumerate(keys, start=1)}
        checked, problems = check_exercise(
            raw, slug=self.cleaned_data.get("slug") or "exercise", path="", lines=lines,
            charts=set(self.content.charts), datasets=self.content.columns,
            rows=self.content.rows,
        )  # fmt: skip
        for problem in problems:
            key = keys[problem.line - 1] if problem.line else None
            self.add_error(*self._where(key, problem.message))
        self._check_references(raw)
        if checked is not None and self.kind_value == Kind.ESTIMATE:
            self._check_estimate(checked)
        return checked if not self.errors else None

    def _where(self, key: str | None, message: str) -> tuple[str | None, str]:
        message = message[:1].upper() + message[1:]
        if self.kind_value in DETAILS_KINDS and key in KIND_KEYS[self.kind_value]:
            return "details", f"Details, line {self.details_lines.get(key, 1)}: {message}"
        field = {
            "title": "title", "prompt": "prompt", "explanation": "explanation",
            "hints": "hints", "max_attempts": "max_attempts",
            "reveal_answer": "reveal_answer", "ask_confidence": "ask_confidence",
            "certainty_based_marking": "certainty_based_marking", "chart": "chart",
            "options": "option_0_text", "answer": "answer", "tolerance": "tolerance",
            "unit": "unit", "mistakes": "mistake_0_value", "items": "items",
            "feedback": "order_feedback", "dataset": "datasets", "datasets": "datasets",
            "reference": "reference", "order_matters": "order_matters",
            "rubric": "rubric_0_criterion", "max_words": "max_words",
        }.get(key or "")  # fmt: skip
        return (field if field in self.fields else None), message

    def _check_references(self, raw: dict[str, Any]) -> None:
        """Charts, datasets and glossary terms that the question or explanation embeds must
        exist in the draft (the importer checks this for lessons only)."""
        known: dict[str, Iterable[str]] = {
            "chart": self.content.charts,
            "dataset": self.content.datasets,
            "term": GlossaryTerm.objects.filter(course=self.draft).values_list("slug", flat=True),
        }
        for key in ("prompt", "explanation"):
            if not isinstance(raw.get(key), str):
                continue
            for reference in md.scan(raw[key]).references:
                where = f"line {reference.line}"
                if reference.kind == "exercise":
                    self.add_error(key, f"{where}: an exercise cannot embed another exercise")
                elif reference.slug not in set(known[reference.kind]):
                    self.add_error(
                        key,
                        f"{where}: the {reference.kind} {reference.slug!r} does not exist in "
                        "this course",
                    )

    def _check_estimate(self, checked: ExerciseFile) -> None:
        answer = checked.spec.get("answer")
        if not isinstance(answer, int | float) or not math.isfinite(answer):
            return
        if abs(answer) > MAX_NUMBER:
            line = self.details_lines.get("answer") or self.details_lines.get("compute", 1)
            self.add_error(
                "details",
                f"Details, line {line}: the answer is too large for learners to type "
                "(at most a thousand trillion)",
            )


def initial_from_source(source: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """The form's initial values for an exercise file (the kind's own settings are read only
    when the file is of that kind)."""
    initial: dict[str, Any] = {
        "kind": kind,
        "title": source.get("title", ""),
        "prompt": source.get("prompt", ""),
        "explanation": source.get("explanation", ""),
        "hints": source.get("hints") or [],
        "max_attempts": source.get("max_attempts", 3),
        "reveal_answer": source.get("reveal_answer", True),
        "ask_confidence": source.get("ask_confidence", False),
        "certainty_based_marking": source.get("certainty_based_marking", False),
    }
    if source.get("kind") != kind:
        return initial
    if "chart" in source:
        initial["chart"] = source["chart"]
    options = source.get("options") or []
    initial["_options"] = options
    initial["answer_type"] = "numeric" if "answer" in source else "choice"
    for i, option in enumerate(options):
        if isinstance(option, dict):
            initial[f"option_{i}_text"] = option.get("text", "")
            initial[f"option_{i}_correct"] = option.get("correct") is True
            initial[f"option_{i}_feedback"] = option.get("feedback", "")
    if kind in NUMERIC_KINDS:
        initial["answer"] = source.get("answer")
        tolerance = source.get("tolerance") or {"absolute": 0}
        if isinstance(tolerance, dict) and tolerance:
            tolerance_type = "relative" if "relative" in tolerance else "absolute"
            initial["tolerance_type"] = tolerance_type
            initial["tolerance"] = tolerance.get(tolerance_type)
        initial["unit"] = source.get("unit", "")
        mistakes = source.get("mistakes") or []
        initial["_mistakes"] = mistakes
        for i, mistake in enumerate(mistakes):
            if isinstance(mistake, dict):
                initial[f"mistake_{i}_value"] = mistake.get("value")
                initial[f"mistake_{i}_tolerance"] = mistake.get("tolerance")
                initial[f"mistake_{i}_feedback"] = mistake.get("feedback", "")
    if kind == Kind.ORDERING:
        initial["items"] = source.get("items") or []
        initial["order_feedback"] = source.get("feedback", "")
    if kind == Kind.SQL:
        initial["datasets"] = source.get("datasets") or [source.get("dataset")]
        initial["reference"] = source.get("reference", "")
        initial["order_matters"] = source.get("order_matters", False)
    if kind == Kind.FREE_TEXT:
        rubric = source.get("rubric") or []
        initial["_rubric"] = rubric
        for i, item in enumerate(rubric):
            if isinstance(item, dict):
                initial[f"rubric_{i}_criterion"] = item.get("criterion", "")
                initial[f"rubric_{i}_points"] = item.get("points")
        initial["max_words"] = source.get("max_words", 300)
    if kind in DETAILS_KINDS:
        initial["details"] = details_text(source, kind=kind)
    return initial


def details_text(source: dict[str, Any], *, kind: str) -> str:
    details = {k: v for k, v in source.items() if k in KIND_KEYS[kind]}
    return _yaml(details) if details else ""


def _unsafe_yaml(text: str) -> str:
    """Why the details box must not be loaded, or "" when it is safe to.

    Loading is recursive, so YAML nested a thousand levels deep would blow Python's stack; and
    aliases can make a few lines expand to billions of values (a "billion laughs") that the
    checks would then walk. The event stream shows both without building anything, and
    any null character, which the database cannot store."""
    depth = 0
    for event in yaml.parse(text):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.AliasEvent):
            return (
                f"Details, line {line}: write each value out in full "
                "(aliases, written *name, are not allowed)"
            )
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DETAILS_DEPTH:
                return (
                    f"Details, line {line}: nested too deeply (at most {MAX_DETAILS_DEPTH} "
                    "levels of lists and settings within settings)"
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and "\x00" in event.value:
            # Written "\0" in quotes: PostgreSQL cannot store it in the exercise's JSON.
            return f"Details, line {line}: remove the null character (\\0)"
    return ""


# --- Saving ---------------------------------------------------------------------------------


class SlugInUse(Exception):
    pass


def fill(exercise: Exercise, *, checked: ExerciseFile, charts: dict[str, Chart]) -> None:
    """Set the exercise's fields from its checked file, as the importer does
    (``exercises.services.save_exercises``): a new fingerprint (the question or its key
    changed) means a new version, which every answer from now on records."""
    exercise.title = checked.title
    exercise.kind = checked.kind
    exercise.prompt = checked.prompt
    exercise.spec = checked.spec
    exercise.hints = checked.hints
    exercise.explanation = checked.explanation
    exercise.chart = charts.get(checked.chart) if checked.chart else None
    exercise.max_attempts = checked.max_attempts
    exercise.reveal_answer = checked.reveal_answer
    exercise.ask_confidence = checked.ask_confidence
    exercise.certainty_based_marking = checked.certainty_based_marking
    exercise.source = checked.source
    if exercise.pk is not None and exercise.fingerprint != checked.fingerprint:
        exercise.version += 1
    exercise.fingerprint = checked.fingerprint


@transaction.atomic
def create_exercise(
    *, workspace: Workspace, slug: str, checked: ExerciseFile, charts: dict[str, Chart],
    actor: User,
) -> Exercise:  # fmt: skip
    """A new exercise in the draft. Raises SlugInUse if the draft has one of that name."""
    draft = workspace.draft
    if Exercise.objects.filter(course=draft, slug=slug).exists():
        raise SlugInUse(slug)
    exercise = Exercise(course=draft, slug=slug)
    fill(exercise, checked=checked, charts=charts)
    try:
        with transaction.atomic():
            exercise.save()
    except IntegrityError as error:  # created by someone else a moment ago
        raise SlugInUse(slug) from error
    bump_content_version(course=draft)
    services.record(
        workspace=workspace, actor=actor, action="create", what=f"exercise:{exercise.pk}",
        slug=slug, kind=exercise.kind,
    )  # fmt: skip
    return exercise


class StillEmbedded(Exception):
    def __init__(self, lessons: list[Lesson]) -> None:
        self.lessons = lessons
        super().__init__(", ".join(str(lesson) for lesson in lessons))


@transaction.atomic
def delete_exercise(*, workspace: Workspace, exercise: Exercise, actor: User) -> None:
    """Remove an exercise from the draft, unless a lesson still embeds it (StillEmbedded,
    listing them): the lesson would then have a broken embed."""
    lessons = embedding_lessons(draft=workspace.draft).get(exercise.slug, [])
    if lessons:
        raise StillEmbedded(lessons)
    what, slug = f"exercise:{exercise.pk}", exercise.slug
    exercise.delete()
    bump_content_version(course=workspace.draft)
    services.record(workspace=workspace, actor=actor, action="delete", what=what, slug=slug)


def worked_example(kind: str, *, draft: Course, content_: DraftContent) -> str:
    """For the kinds with a YAML details box: a correct example on this course's own data."""
    if kind not in DETAILS_KINDS:
        return ""
    try:
        text = details_text(starting_source(kind, draft=draft, content_=content_), kind=kind)
    except NotAvailable:
        return ""
    if kind == Kind.ESTIMATE:
        for slug, columns in content_.columns.items():
            numeric = next((c for c in columns if c.is_numeric), None)
            if numeric is not None:
                text += (
                    "# Or, instead of answer, the answer computed from a dataset:\n"
                    f"# dataset: {slug}\n"
                    f"# compute: {{column: {numeric.name}, aggregate: sum}}\n"
                )
                break
    return text


def combined_initial(
    source: dict[str, Any], *, kind: str, draft: Course, content_: DraftContent
) -> dict[str, Any]:
    """The form for ``source`` as an exercise of ``kind``: when the kind changes, its own
    settings start from the kind's template and the common ones are kept."""
    if source.get("kind") == kind:
        return initial_from_source(source, kind=kind)
    start = starting_source(kind, draft=draft, content_=content_)
    initial = initial_from_source(start, kind=kind)
    kept = initial_from_source(source, kind=str(source.get("kind", "")))
    for key in (
        "title",
        "explanation",
        "hints",
        "max_attempts",
        "reveal_answer",
        "ask_confidence",
        "certainty_based_marking",
    ):
        initial[key] = kept[key]  # fmt: skip
    if kind != Kind.PARAMETRISED_NUMERIC:  # its prompt must say {value}
        initial["prompt"] = kept["prompt"]
    return initial
