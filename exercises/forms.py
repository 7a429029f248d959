"""The answer form for each kind of exercise: learners' input checked, with clear messages."""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

from django import forms

from exercises.content import CONFIDENCE_LEVELS
from exercises.models import Exercise, Kind

MAX_NUMBER = 1e15
MAX_SQL = 5000
NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_number(text: str, *, label: str) -> float:
    """A number as people type it: spaces, thousands commas, a trailing % or unit are fine."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("\u2212", "-")
    cleaned = re.sub(r"[%a-zA-Z£$€]+$", "", cleaned)
    if not cleaned or not NUMBER.match(cleaned) or cleaned in {"+", "-", "."}:
        raise forms.ValidationError(f"Enter {label} as a number, like 72.5 or 1,250")
    value = float(cleaned.replace(",", ""))
    if abs(value) > MAX_NUMBER:
        raise forms.ValidationError(f"Enter {label} as a number smaller than a thousand trillion")
    return value


class NumberField(forms.CharField):
    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, max_length=40, **kwargs)
        self.error_messages["required"] = f"Enter {label.lower()}"
        self.widget.attrs.update(
            {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
        )

    def clean(self, value: Any) -> float:  # type: ignore[override]
        text = super().clean(value)
        return parse_number(text, label=str(self.label).lower())


class AnswerForm(forms.Form):
    """Built for one exercise; ``answer()`` gives the JSON stored on the submission."""

    def __init__(self, *args: Any, exercise: Exercise, order_seed: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        spec = exercise.spec
        kind = exercise.kind
        choice = kind == Kind.SINGLE_CHOICE or (
            kind == Kind.CHART_READING and spec.get("answer_type") == "choice"
        )
        numeric = kind in (Kind.NUMERIC, Kind.PARAMETRISED_NUMERIC) or (
            kind == Kind.CHART_READING and spec.get("answer_type") == "numeric"
        )
        unit = f" ({spec['unit']})" if spec.get("unit") else ""
        if choice:
            self.fields["choice"] = forms.TypedChoiceField(
                label="Your answer", coerce=int, widget=forms.RadioSelect,
                choices=[(i, o["text"]) for i, o in enumerate(spec["options"])],
                error_messages={"required": "Select an answer"},
            )  # fmt: skip
        elif kind in (Kind.MULTIPLE_CHOICE, Kind.SPOT_THE_FLAW):
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label="Select all that apply", coerce=int, widget=forms.CheckboxSelectMultiple,
                choices=[(i, o["text"]) for i, o in enumerate(spec["options"])],
                error_messages={"required": "Select at least one answer"},
            )  # fmt: skip
        elif numeric:
            self.fields["value"] = NumberField(label=f"Your answer{unit}")
        elif kind == Kind.ESTIMATE:
            self.fields["low"] = NumberField(label=f"Lowest value{unit}")
            self.fields["high"] = NumberField(label=f"Highest value{unit}")
        elif kind == Kind.ORDERING:
            items = list(enumerate(spec["items"]))
            # Shuffled the same way on every visit by this learner (not security-sensitive).
            random.Random(order_seed).shuffle(items)  # noqa: S311
            self.shown_order = [index for index, _ in items]
            positions = [(str(n), str(n)) for n in range(1, len(items) + 1)]
            for index, text in items:
                self.fields[f"item_{index}"] = forms.ChoiceField(
                    label=text, choices=[("", "Choose a position"), *positions],
                    error_messages={"required": f"Choose a position for “{text}”"},
                )  # fmt: skip
        elif kind == Kind.SQL:
            self.fields["query"] = forms.CharField(
                label="Your SQL query", max_length=MAX_SQL, strip=True,
                widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false",
                                             "autocapitalize": "off",
                                             "class": "app-code-input"}),
                error_messages={"required": "Enter a SELECT query",
                                "max_length": f"Keep the query under {MAX_SQL:,} characters"},
            )  # fmt: skip
        elif kind == Kind.FREE_TEXT:
            self.fields["text"] = forms.CharField(
                label="Your answer", max_length=20_000, strip=True,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=f"Up to {spec['max_words']} words.",
                error_messages={"required": "Write your answer"},
            )  # fmt: skip
        if exercise.ask_confidence:
            self.fields["confidence"] = forms.TypedChoiceField(
                label="How sure are you?", coerce=int, widget=forms.RadioSelect,
                choices=[(level, f"{level}% sure") for level in CONFIDENCE_LEVELS],
                error_messages={"required": "Select how sure you are"},
                help_text="Confident wrong answers cost more than unsure ones."
                if exercise.certainty_based_marking else "",
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.exercise.kind == Kind.ESTIMATE
            and "low" in data
            and "high" in data
            and data["low"] > data["high"]
        ):
            self.add_error("high", "The highest value must be at least the lowest value")
        if self.exercise.kind == Kind.ORDERING and not self.errors:
            chosen = [data[f"item_{i}"] for i in range(len(self.exercise.spec["items"]))]
            if len(set(chosen)) != len(chosen):
                self.add_error(None, "Give each item a different position")
        if self.exercise.kind == Kind.FREE_TEXT and "text" in data:
            words = len(data["text"].split())
            if words > self.exercise.spec["max_words"]:
                self.add_error(
                    "text",
                    f"Use {self.exercise.spec['max_words']} words or fewer (you used {words})",
                )
        return data

    def answer(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = self.exercise.kind
        if "choice" in data:
            return {"choice": data["choice"]}
        if "choices" in data:
            return {"choices": sorted(set(data["choices"]))}
        if "value" in data:
            return {"value": data["value"]}
        if kind == Kind.ESTIMATE:
            return {"low": data["low"], "high": data["high"]}
        if kind == Kind.ORDERING:
            count = len(self.exercise.spec["items"])
            by_position = sorted(range(count), key=lambda i: int(data[f"item_{i}"]))
            return {"order": by_position}
        if kind == Kind.SQL:
            return {"query": data["query"]}
        return {"text": data["text"]}

    @property
    def confidence(self) -> int | None:
        return self.cleaned_data.get("confidence")
