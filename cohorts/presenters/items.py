"""The question analysis: a row per question, grouped by module, and its CSV download."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from cohorts import analysis, reports
from cohorts.models import Cohort
from cohorts.presenters.formatting import percent, show_percent
from cohorts.presenters.tabs import ITEMS, cohort_tabs
from cohorts.reports import OWN_WORDS, WrongAnswer
from exercises.models import Exercise, Kind, Submission
from exercises.presenters import answer_text, question_html


def wrong_answer_text(*, exercise: Exercise, answer: dict[str, Any]) -> str:
    """A wrong answer as learners see their own: option texts, the number, the order."""
    return answer_text(Submission(exercise=exercise, answer=answer))


@dataclass(frozen=True)
class ItemRow:
    """One question's figures among the learners with a marked answer to it. With fewer
    than ``shown_from`` such learners, the figures and wrong answers are withheld: they would
    describe one or two people, who may keep their answers private."""

    exercise: Exercise
    answered: int  # learners with at least one marked answer
    statistics: analysis.ItemStatistics | None  # None when nobody answered, or withheld
    wrong_answers: tuple[tuple[str, int], ...]  # (answer as text, times given)
    own_words: tuple[int, int] | None  # (wrong answers, different ones) for SQL and writing
    url: str
    caution_below: int
    shown_from: int

    @property
    def withheld(self) -> bool:
        return self.answered > 0 and not analysis.enough_to_show(
            answered=self.answered, min_learners=self.shown_from
        )

    @property
    def withheld_text(self) -> str:
        return (
            f"Fewer than {self.shown_from} learners have answered: figures are shown from "
            f"{self.shown_from}"
        )

    @property
    def answered_text(self) -> str:
        return f"fewer than {self.shown_from}" if self.withheld else f"{self.answered:,}"

    @property
    def correct(self) -> int | None:
        return None if self.statistics is None else self.statistics.correct

    @property
    def caution(self) -> bool:
        return not self.withheld and 0 < self.answered < self.caution_below

    @property
    def caution_text(self) -> str:
        noun = "learner" if self.answered == 1 else "learners"
        return f"Based on {self.answered} {noun}: treat with caution"

    @property
    def facility(self) -> int | None:
        if self.statistics is None or self.statistics.facility is None:
            return None
        return round(100 * self.statistics.facility)

    @property
    def facility_text(self) -> str:
        return show_percent(self.facility)

    @property
    def interval(self) -> tuple[int, int] | None:
        if self.statistics is None or self.statistics.interval is None:
            return None
        low, high = self.statistics.interval
        return round(100 * low), round(100 * high)

    @property
    def interval_text(self) -> str:
        return "–" if self.interval is None else f"{self.interval[0]}% to {self.interval[1]}%"

    @property
    def discrimination(self) -> float | None:
        if self.statistics is None or self.statistics.discrimination is None:
            return None
        return round(self.statistics.discrimination, 2)

    @property
    def discrimination_text(self) -> str:
        return "–" if self.discrimination is None else f"{self.discrimination:.2f}"

    @property
    def discrimination_label(self) -> str:
        if self.statistics is None:
            return ""
        return analysis.discrimination_label(self.statistics.discrimination)

    @property
    def mean_attempts(self) -> float | None:
        if self.statistics is None or self.statistics.mean_attempts is None:
            return None
        return round(self.statistics.mean_attempts, 1)

    @property
    def mean_attempts_text(self) -> str:
        return "–" if self.mean_attempts is None else f"{self.mean_attempts:g}"

    @property
    def wrong_answer_summary(self) -> str:
        """The most common wrong answer, or how many different ones for answers in words."""
        if self.own_words is not None:
            times, different = self.own_words
            if not times:
                return ""
            return f"{different} different {'answer' if different == 1 else 'answers'}"
        if not self.wrong_answers:
            return ""
        text, times = self.wrong_answers[0]
        return f"{text} ({times})"


@dataclass(frozen=True)
class ItemGroup:
    title: str
    rows: list[ItemRow] = field(default_factory=list)


def item_row(
    *,
    cohort: Cohort,
    exercise: Exercise,
    statistics: Mapping[int, analysis.ItemStatistics],
    wrong: Mapping[int, list[WrongAnswer]],
    own_words: Mapping[int, tuple[int, int]],
) -> ItemRow:
    found = statistics.get(exercise.pk)
    answered = found.answered if found is not None else 0
    shown_from = settings.REPORT_MIN_GROUP_SIZE
    shown = analysis.enough_to_show(answered=answered, min_learners=shown_from)
    return ItemRow(
        exercise=exercise,
        answered=answered,
        statistics=found if shown else None,
        wrong_answers=tuple(
            (wrong_answer_text(exercise=exercise, answer=w.answer), w.times)
            for w in (wrong.get(exercise.pk, []) if shown else [])
        ),
        own_words=(
            (own_words.get(exercise.pk, (0, 0)) if shown else (0, 0))
            if exercise.kind in OWN_WORDS
            else None
        ),
        url=reverse("cohorts:item", kwargs={"cohort": cohort.pk, "exercise": exercise.slug}),
        caution_below=settings.ITEM_ANALYSIS_MIN_LEARNERS,
        shown_from=shown_from,
    )


def hardest_first(row: ItemRow) -> tuple[bool, float, str]:
    """Lowest facility first; questions without figures (nobody answered, or too few) last,
    so that their place in the order says nothing about them either."""
    facility = row.statistics.facility if row.statistics else None
    return (facility is None, facility if facility is not None else 0.0, row.exercise.title)


def item_groups(*, rows: Iterable[ItemRow]) -> list[ItemGroup]:
    """The rows by module, in course order, each module's hardest questions first.
    Exercises that no lesson embeds come last."""
    groups: dict[int | None, ItemGroup] = {}
    positions: dict[int | None, int] = {}
    for row in rows:
        lesson = row.exercise.lesson
        module = lesson.module if lesson is not None else None
        key = module.pk if module is not None else None
        if key not in groups:
            groups[key] = ItemGroup(
                title=module.title if module is not None else "Questions outside the lessons"
            )
            positions[key] = module.position if module is not None else 10**9
        groups[key].rows.append(row)
    ordered = sorted(groups, key=lambda key: positions[key])
    for key in ordered:
        groups[key].rows.sort(key=hardest_first)
    return [groups[key] for key in ordered]


ITEM_HEADER = [
    "Module", "Question", "Kind", "Answered", "Right", "Facility %", "Facility 95% low %",
    "Facility 95% high %", "Discrimination", "Discrimination reading", "Average attempts",
    "Most common wrong answer", "Times given", "Caution",
]  # fmt: skip


def item_csv_row(*, group: ItemGroup, row: ItemRow) -> list[Any]:
    def blank(value: Any) -> Any:
        return "" if value is None else value

    interval = row.interval or (None, None)
    wrong: str = ""
    times: int | None = None
    if row.withheld:
        pass
    elif row.own_words is not None:
        wrong, times = row.wrong_answer_summary, row.own_words[0]
    elif row.wrong_answers:
        wrong, times = row.wrong_answers[0]
    answered: int | str = row.answered_text if row.withheld else row.answered
    right: int | str = "" if row.withheld else row.correct or 0
    note = row.withheld_text if row.withheld else row.caution_text if row.caution else ""
    return [
        group.title, row.exercise.title, row.exercise.get_kind_display(), answered, right,
        blank(row.facility), blank(interval[0]), blank(interval[1]), blank(row.discrimination),
        row.discrimination_label, blank(row.mean_attempts), wrong, blank(times), note,
    ]  # fmt: skip


EACH_LEARNERS_VALUE = "…"  # in a question asked about each learner's own value


def items_page(*, cohort: Cohort) -> dict[str, Any]:
    statistics = reports.item_statistics(cohort=cohort)
    wrong = reports.common_wrong_answers(cohort=cohort, top=1)
    own_words = reports.different_wrong_answers(cohort=cohort)
    rows = [
        item_row(cohort=cohort, exercise=e, statistics=statistics, wrong=wrong,
                 own_words=own_words)
        for e in reports.item_exercises(course=cohort.course)
    ]  # fmt: skip
    return {
        "cohort": cohort,
        "course": cohort.course,
        "groups": item_groups(rows=rows),
        "threshold": settings.ITEM_ANALYSIS_MIN_LEARNERS,
        "shown_from": settings.REPORT_MIN_GROUP_SIZE,
        "tabs": cohort_tabs(cohort=cohort, current=ITEMS),
    }


def item_page(*, cohort: Cohort, exercise: Exercise) -> dict[str, Any]:
    statistics = reports.item_statistics(cohort=cohort)
    wrong = reports.common_wrong_answers(cohort=cohort, top=5, exercise=exercise)
    own_words = reports.different_wrong_answers(cohort=cohort, exercise=exercise)
    row = item_row(
        cohort=cohort, exercise=exercise, statistics=statistics, wrong=wrong, own_words=own_words
    )
    wrong_total = reports.wrong_answer_total(cohort=cohort, exercise=exercise)
    if row.withheld:
        wrong_total = 0
    return {
        "cohort": cohort,
        "course": cohort.course,
        "exercise": exercise,
        "row": row,
        "wrong_total": wrong_total,
        "wrong_answers": [
            {"text": text, "times": times, "share": percent(times, wrong_total)}
            for text, times in row.wrong_answers
        ],
        "question": question_html(
            exercise=exercise,
            course=cohort.course,
            # Each learner gets their own value: the page says so, instead of a placeholder.
            variant=EACH_LEARNERS_VALUE if exercise.kind == Kind.PARAMETRISED_NUMERIC else "",
        ),
        "has_charts": bool(exercise.chart_id),
        "own_values": exercise.kind == Kind.PARAMETRISED_NUMERIC,
        "threshold": settings.ITEM_ANALYSIS_MIN_LEARNERS,
    }


def item_export_rows(*, cohort: Cohort) -> Iterator[list[Any]]:
    yield ITEM_HEADER
    for group in items_page(cohort=cohort)["groups"]:
        for row in group.rows:
            yield item_csv_row(group=group, row=row)
