"""The links between a cohort's pages for its facilitators, shown as tabs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from cohorts.models import Cohort

DASHBOARD, ITEMS, REPORT, LEARNERS = "dashboard", "items", "report", "learners"
TABS = (
    (DASHBOARD, "Progress"),
    (ITEMS, "Question analysis"),
    (REPORT, "Board report"),
    (LEARNERS, "Manage learners"),
)


@dataclass(frozen=True)
class Tab:
    text: str
    url: str
    current: bool  # the page being shown: marked with aria-current="page"


def cohort_tabs(*, cohort: Cohort, current: str) -> list[Tab]:
    return [
        Tab(
            text=text,
            url=reverse(f"cohorts:{name}", kwargs={"cohort": cohort.pk}),
            current=name == current,
        )
        for name, text in TABS
    ]
