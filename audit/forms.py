"""The audit log's filters, read from the query string."""

from __future__ import annotations

from typing import Any

from django import forms

from audit.actions import GROUPS
from cohorts.forms import DateField, GovukForm

SEARCH_LENGTH = 254
DATE_HINT = "For example, 27 3 2026"


class AuditFilterForm(GovukForm):
    group = forms.ChoiceField(
        label="What happened", required=False,
        choices=[("", "Anything"), *((key, group.label) for key, group in GROUPS.items())],
        error_messages={"invalid_choice": "Select what happened from the list"},
    )  # fmt: skip
    actor = forms.CharField(
        label="Who did it (email address contains)", required=False, max_length=SEARCH_LENGTH,
        strip=True, error_messages={"max_length": f"Enter {SEARCH_LENGTH} characters or fewer"},
    )  # fmt: skip
    target = forms.CharField(
        label="What or whom it was about (contains)", required=False, max_length=SEARCH_LENGTH,
        strip=True, error_messages={"max_length": f"Enter {SEARCH_LENGTH} characters or fewer"},
    )  # fmt: skip
    date_from = DateField(name="From date", label="From", required=False, help_text=DATE_HINT)
    date_to = DateField(name="To date", label="To", required=False, help_text=DATE_HINT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return data

    def filters(self) -> dict[str, Any]:
        """The cleaned filters, for ``selectors.audit_events``; none when the form is invalid
        (its errors are shown instead)."""
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data[name] for name in self.fields}

    @property
    def active(self) -> bool:
        return any(self.filters().values())
