"""Figures and dates as the cohort pages write them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cohorts.selectors import Status

PRIVATE = "Private"
STATUS_TAGS = {
    Status.ON_TRACK: "govuk-tag--green",
    Status.BEHIND: "govuk-tag--yellow",
    Status.INACTIVE: "govuk-tag--red",
    Status.INVITED: "govuk-tag--grey",
}


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage (None when there is nothing to have a share of)."""
    if whole <= 0:
        return None
    return round(100 * part / whole)


def show_percent(value: int | float | None) -> str:
    return "–" if value is None else f"{value:g}%"


def date_text(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return f"{value.day} {value:%B %Y}"


def short_date(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"
