"""Input for the authoring area: each form checks what its author typed, with messages
that say how to put it right."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models

from courses.content import markdown as md
from courses.models import SLUG_LENGTH

SLUG_HELP = (
    "Used in web addresses: lowercase letters, numbers and hyphens, for example "
    "reading-charts. Changing it on a published lesson or module starts it afresh for learners."
)


def check_slug(value: str) -> str:
    value = value.strip()
    if not md.SLUG_RE.match(value):
        raise forms.ValidationError(
            "Enter a short name of lowercase letters, numbers and hyphens, like reading-charts"
        )
    if len(value) > SLUG_LENGTH:
        raise forms.ValidationError(f"Short names are at most {SLUG_LENGTH} characters")
    return value


class SlugField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Short name")
        kwargs.setdefault("help_text", SLUG_HELP)
        kwargs.setdefault("max_length", SLUG_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return check_slug(super().clean(value))


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().clean(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class Loaded:
    """Carries when the author opened the thing being edited (a hidden ``loaded`` field), so
    that a save on top of someone else's later save is refused instead of overwriting it."""

    data: Any
    is_bound: bool
    fields: dict[str, forms.Field]

    def _mark_loaded(self, instance: models.Model | None) -> None:
        stamp = getattr(instance, "updated_at", None) if instance and instance.pk else None
        if stamp is not None and not self.is_bound:
            self.fields["loaded"].initial = stamp.isoformat()

    def loaded_at(self) -> datetime.datetime | None:
        text = (self.data.get("loaded") if self.is_bound else None) or ""
        try:
            return datetime.datetime.fromisoformat(text) if text else None
        except ValueError:
            return None


class DraftForm(Loaded, forms.Form):
    """A form over part of the draft that is not one model (pass ``instance``)."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: models.Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mark_loaded(instance)


class DraftModelForm(Loaded, forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm over part of the draft, with the concurrent-edit check."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mark_loaded(self.instance)
