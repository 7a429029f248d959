"""The chart of cohort completion over time."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from cohorts.presenters.formatting import date_text, short_date
from courses.content.datasets import Column
from courses.data_charts import DataChart, data_chart

WEEK = Column(name="week", type="text", description="Week ending")
READ = Column(name="read", type="number", description="Average share of lessons read", unit="%")


def completion_chart(*, points: Sequence[tuple[datetime.date, float]]) -> DataChart | None:
    if not points:
        return None
    last_day, last = points[-1]
    summary = (
        f"By {date_text(last_day)}, the cohort's learners had read {last:g}% of the course's "
        "lessons on average"
    )
    if len(points) > 1:
        before = points[-2][1]
        summary += (
            f", up from {before:g}% a week earlier"
            if last > before
            else ", the same as a week earlier"
            if last == before
            else f", down from {before:g}% a week earlier"
        )
    summary += "."
    return data_chart(
        dom_id="cohort-completion",
        title="Cohort completion over time",
        summary=summary,
        spec={
            "type": "line",
            "x": "week",
            "y": "read",
            "y_min": 0,
            "y_max": 100,
            "x_title": "Week ending",
            "y_title": "Lessons read, on average (%)",
        },  # fmt: skip
        columns=[WEEK, READ],
        rows=[{"week": short_date(day), "read": value} for day, value in points],
    )
