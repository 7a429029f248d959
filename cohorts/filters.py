"""The dashboard's filters (status, group, name or email, module shown), read from the query
string, and applied to the members in the database."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet

from cohorts.models import Membership
from cohorts.reports import CourseShape
from cohorts.selectors import Status

SEARCH_LENGTH = 100
NO_GROUP = "__none__"  # the filter's value for members with no group


class DashboardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False,
        error_messages={"invalid_choice": "Select a status from the list"},
    )  # fmt: skip
    group = forms.ChoiceField(
        label="Group", required=False,
        error_messages={"invalid_choice": "Select a group from the list"},
    )  # fmt: skip
    module = forms.TypedChoiceField(
        label="Module", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Select a module from the list"},
    )  # fmt: skip
    q = forms.CharField(
        label="Name or email address", required=False, max_length=SEARCH_LENGTH, strip=True,
        error_messages={"max_length": f"Enter {SEARCH_LENGTH} characters or fewer"},
    )  # fmt: skip

    def __init__(self, *args: Any, groups: list[str], shape: CourseShape, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_fields = cast(dict[str, forms.ChoiceField], self.fields)
        choice_fields["status"].choices = [("", "Any status"), *Status.LABELS.items()]
        no_group = [(NO_GROUP, "No group")] if "" in groups else []
        choice_fields["group"].choices = [
            ("", "Any group"),
            *((group, group) for group in groups if group),
            *no_group,
        ]
        choice_fields["module"].choices = [("", "All modules")] + [
            (str(module.id), module.title) for module in shape.modules
        ]

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list of learners."""
        if not self.is_valid():
            return False
        return any(self.cleaned_data.get(name) for name in ("status", "group", "q"))


def filter_members(*, members: QuerySet[Membership], form: DashboardFilterForm) -> QuerySet:
    """The members that match the form's filters (all of them when the form is invalid: its
    errors are shown instead)."""
    if not form.is_valid():
        return members
    data = form.cleaned_data
    if data["status"]:
        # status is an annotation (selectors.members_with_progress), unknown to the stubs.
        members = members.filter(status=data["status"])  # type: ignore[misc]
    if data["group"]:
        members = members.filter(group="" if data["group"] == NO_GROUP else data["group"])
    for word in data["q"].split()[:10]:
        members = members.filter(
            Q(email__icontains=word)
            | Q(learner__first_name__icontains=word)
            | Q(learner__last_name__icontains=word)
        )
    return members
