"""Item analysis: how hard each question was for a cohort, and how well it told stronger
learners from weaker ones. Pure functions over plain numbers, so the maths is tested by hand.

A learner has answered an item once at least one of their answers to it has been marked
(``cohorts.reports.marked_answers``): an answer still waiting for a tutor is neither right
nor wrong yet. Figures on fewer learners than REPORT_MIN_GROUP_SIZE are not shown at all
(``enough_to_show``): they would describe one or two people.

- Facility: the share of the learners who answered an item that got it right, with a 95%
  Wilson score interval (it behaves well for small groups and for shares near 0 or 1).
- Discrimination: the corrected item-total correlation, the Pearson (point-biserial)
  correlation between being right on this item and the number right on the OTHER items, over
  the learners who answered this item. Leaving the item out of the total stops it correlating
  with itself. Undefined (None) when either side does not vary.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the standard normal quantile for a two-sided 95% interval


@dataclass(frozen=True)
class Answer:
    """One learner's record on one exercise they have had marked (a row of
    progress.ExerciseProgress)."""

    learner_id: int
    exercise_id: int
    correct: bool
    attempts: int


@dataclass(frozen=True)
class ItemStatistics:
    answered: int
    correct: int
    facility: float | None  # 0..1
    interval: tuple[float, float] | None  # 95% Wilson interval for the facility
    discrimination: float | None  # -1..1
    mean_attempts: float | None


def enough_to_show(*, answered: int, min_learners: int) -> bool:
    """Whether an item's figures (facility, right answers, wrong answers) may be shown: only
    when at least ``min_learners`` learners answered it. With fewer, a figure such as "0 of 1
    right" tells a facilitator how one person did, even one who keeps their answers private."""
    return answered >= max(min_learners, 1)


def wilson_interval(*, successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion ``successes / n`` (None when n is 0)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def correlation(*, n: int, sx: int, sy: int, sxx: int, syy: int, sxy: int) -> float | None:
    """Pearson's correlation from the sums of x, y, x², y² and xy over n pairs. With whole
    numbers the sums are exact, so a variance of zero is detected exactly (None)."""
    if n < 2:
        return None
    covariance = n * sxy - sx * sy
    variance_x = n * sxx - sx * sx
    variance_y = n * syy - sy * sy
    if variance_x <= 0 or variance_y <= 0:
        return None
    return covariance / math.sqrt(variance_x * variance_y)


def pearson(xs: list[int], ys: list[int]) -> float | None:
    """Pearson's correlation of two lists of whole numbers (None when undefined)."""
    return correlation(
        n=len(xs),
        sx=sum(xs),
        sy=sum(ys),
        sxx=sum(x * x for x in xs),
        syy=sum(y * y for y in ys),
        sxy=sum(x * y for x, y in zip(xs, ys, strict=True)),
    )


@dataclass
class _Sums:
    n: int = 0
    correct: int = 0
    attempts: int = 0
    sy: int = 0
    syy: int = 0
    sxy: int = 0


def item_statistics(answers: Iterable[Answer]) -> dict[int, ItemStatistics]:
    """Figures for every exercise that somebody answered, keyed by exercise id. Two passes
    over the answers, so the cost grows with the number of answers and nothing else."""
    rows = list(answers)
    right_by_learner: dict[int, int] = defaultdict(int)
    for row in rows:
        if row.correct:
            right_by_learner[row.learner_id] += 1
    sums: dict[int, _Sums] = defaultdict(_Sums)
    for row in rows:
        x = int(row.correct)
        rest = right_by_learner[row.learner_id] - x  # right on the other items
        item = sums[row.exercise_id]
        item.n += 1
        item.correct += x
        item.attempts += row.attempts
        item.sy += rest
        item.syy += rest * rest
        item.sxy += x * rest
    return {
        exercise_id: ItemStatistics(
            answered=item.n,
            correct=item.correct,
            facility=item.correct / item.n,
            interval=wilson_interval(successes=item.correct, n=item.n),
            # x is 0 or 1, so the sum of x² is the sum of x.
            discrimination=correlation(
                n=item.n,
                sx=item.correct,
                sy=item.sy,
                sxx=item.correct,
                syy=item.syy,
                sxy=item.sxy,
            ),  # fmt: skip
            mean_attempts=item.attempts / item.n,
        )
        for exercise_id, item in sums.items()
    }


def discrimination_label(value: float | None) -> str:
    """A plain-English reading of a discrimination index, on the usual rule of thumb."""
    if value is None:
        return "Cannot tell"
    if value < 0:
        return "Negative: check the question"
    if value < 0.2:
        return "Weak"
    if value < 0.3:
        return "Fair"
    return "Good"
