"""Item analysis maths, checked against figures worked out by hand."""

from __future__ import annotations

import math

import pytest

from cohorts.analysis import (
    Answer,
    correlation,
    discrimination_label,
    enough_to_show,
    item_statistics,
    pearson,
    wilson_interval,
)

# Four learners and three items, every learner answering every item (1 = right):
#
#         A  B  C   right in all
#   L1    1  1  1   3
#   L2    1  0  1   2
#   L3    0  1  0   1
#   L4    0  0  0   0
MATRIX = {1: (1, 1, 1), 2: (1, 0, 1), 3: (0, 1, 0), 4: (0, 0, 0)}
A, B, C = 10, 20, 30


def answers(matrix=MATRIX, attempts=None):  # type: ignore[no-untyped-def]
    attempts = attempts or {}
    return [
        Answer(
            learner_id=learner,
            exercise_id=item,
            correct=bool(right),
            attempts=attempts.get((learner, item), 1),
        )  # fmt: skip
        for learner, row in matrix.items()
        for item, right in zip((A, B, C), row, strict=True)
    ]


class TestWilsonInterval:
    def test_two_of_four(self) -> None:
        """p = 0.5, n = 4, z² = 3.8415: denominator 1 + 3.8415/4 = 1.9604; centre
        (0.5 + 3.8415/8) / 1.9604 = 0.5; half-width 1.96 × √(0.25/4 + 3.8415/64) / 1.9604
        = 1.96 × 0.35004 / 1.9604 = 0.34997. So 0.1500 to 0.8500."""
        low, high = wilson_interval(successes=2, n=4)  # type: ignore[misc]
        assert low == pytest.approx(0.1500, abs=1e-4)
        assert high == pytest.approx(0.8500, abs=1e-4)

    def test_none_of_ten(self) -> None:
        """p = 0: centre = half-width = (3.8415/20) / (1 + 3.8415/10) = 0.19207 / 1.38415
        = 0.13877, so 0 to 0.2775 (the interval does not collapse to a point at 0)."""
        low, high = wilson_interval(successes=0, n=10)  # type: ignore[misc]
        assert low == pytest.approx(0.0, abs=1e-9)
        assert high == pytest.approx(0.2775, abs=1e-4)

    def test_all_of_ten_mirrors_none_of_ten(self) -> None:
        low, high = wilson_interval(successes=10, n=10)  # type: ignore[misc]
        assert (low, high) == pytest.approx((0.7225, 1.0), abs=1e-4)

    def test_undefined_without_answers(self) -> None:
        assert wilson_interval(successes=0, n=0) is None

    def test_narrows_as_the_group_grows(self) -> None:
        small = wilson_interval(successes=5, n=10)
        large = wilson_interval(successes=500, n=1000)
        assert small is not None and large is not None
        assert large[1] - large[0] < small[1] - small[0]


class TestCorrelation:
    def test_perfect_and_opposite(self) -> None:
        assert pearson([0, 1, 2], [1, 3, 5]) == pytest.approx(1.0)
        assert pearson([0, 1, 2], [5, 3, 1]) == pytest.approx(-1.0)

    def test_undefined_when_either_side_does_not_vary(self) -> None:
        assert pearson([1, 1, 1], [0, 1, 2]) is None
        assert pearson([0, 1, 2], [4, 4, 4]) is None
        assert pearson([1], [1]) is None
        assert correlation(n=0, sx=0, sy=0, sxx=0, syy=0, sxy=0) is None


class TestItemStatistics:
    def test_facility_discrimination_and_attempts_by_hand(self) -> None:
        """Item A: x = (1, 1, 0, 0); right on the other items y = (2, 1, 1, 0).
        Means 0.5 and 1; deviations (.5, .5, -.5, -.5) and (1, 0, 0, -1);
        Σdxdy = .5 + .5 = 1, Σdx² = 1, Σdy² = 2, so r = 1 / √2 = 0.7071.
        Item B: x = (1, 0, 1, 0); y = (2, 2, 0, 0); deviations (.5, -.5, .5, -.5) and
        (1, 1, -1, -1); Σdxdy = .5 - .5 - .5 + .5 = 0, so r = 0.
        Item C has A's pattern: 0.7071.
        Attempts at A: 1, 2, 3, 2: mean 2."""
        stats = item_statistics(answers(attempts={(1, A): 1, (2, A): 2, (3, A): 3, (4, A): 2}))
        assert stats[A].answered == 4 and stats[A].correct == 2
        assert stats[A].facility == 0.5
        assert stats[A].discrimination == pytest.approx(1 / math.sqrt(2))
        assert stats[B].discrimination == pytest.approx(0.0, abs=1e-12)
        assert stats[C].discrimination == pytest.approx(1 / math.sqrt(2))
        assert stats[A].mean_attempts == 2.0
        assert stats[B].mean_attempts == 1.0
        assert stats[A].interval == pytest.approx((0.15, 0.85), abs=1e-4)

    def test_only_learners_who_answered_an_item_count_for_it(self) -> None:
        """L5 answered only A, wrongly (0 right elsewhere). Item A over five learners:
        x = (1, 1, 0, 0, 0), y = (2, 1, 1, 0, 0); means 0.4 and 0.8.
        Σxy − n·x̄·ȳ = 3 − 5 × 0.4 × 0.8 = 1.4; Σx² − n·x̄² = 2 − 0.8 = 1.2;
        Σy² − n·ȳ² = 6 − 3.2 = 2.8; r = 1.4 / √(1.2 × 2.8) = 1.4 / 1.8330 = 0.7638.
        Items B and C are unchanged: L5 did not answer them."""
        rows = answers() + [Answer(learner_id=5, exercise_id=A, correct=False, attempts=3)]
        stats = item_statistics(rows)
        assert stats[A].answered == 5
        assert stats[A].facility == pytest.approx(0.4)
        assert stats[A].discrimination == pytest.approx(1.4 / math.sqrt(1.2 * 2.8))
        assert stats[A].discrimination == pytest.approx(0.7638, abs=1e-4)
        assert stats[B].answered == 4 and stats[B].discrimination == pytest.approx(0.0, abs=1e-12)

    def test_a_question_everyone_got_right_cannot_discriminate(self) -> None:
        rows = [Answer(learner, A, True, 1) for learner in (1, 2, 3)] + [
            Answer(1, B, True, 1), Answer(2, B, False, 1), Answer(3, B, False, 2),
        ]  # fmt: skip
        stats = item_statistics(rows)
        assert stats[A].facility == 1.0
        assert stats[A].discrimination is None
        # B: x = (1, 0, 0) against the A scores (1, 1, 1): no spread in y either.
        assert stats[B].discrimination is None

    def test_a_single_learner_gives_no_discrimination(self) -> None:
        stats = item_statistics([Answer(1, A, True, 1), Answer(1, B, False, 2)])
        assert stats[A].answered == 1
        assert stats[A].discrimination is None
        assert stats[B].mean_attempts == 2.0

    def test_items_nobody_answered_are_absent(self) -> None:
        assert item_statistics([]) == {}

    def test_agrees_with_a_direct_correlation(self) -> None:
        """The one-pass sums give the same r as correlating the two lists directly."""
        matrix = {n: tuple((n * k + k * k) % 3 == 0 for k in (1, 2, 3)) for n in range(1, 30)}
        stats = item_statistics(answers(matrix))
        totals = {n: sum(row) for n, row in matrix.items()}
        for index, item in enumerate((A, B, C)):
            xs = [int(row[index]) for row in matrix.values()]
            ys = [totals[n] - int(row[index]) for n, row in matrix.items()]
            direct = pearson(xs, ys)
            if direct is None:
                assert stats[item].discrimination is None
            else:
                assert stats[item].discrimination == pytest.approx(direct)


@pytest.mark.parametrize(
    ("value", "label"),
    [(None, "Cannot tell"), (-0.1, "Negative: check the question"), (0.1, "Weak"),
     (0.25, "Fair"), (0.3, "Good"), (0.8, "Good")],
)  # fmt: skip
def test_discrimination_labels(value: float | None, label: str) -> None:
    assert discrimination_label(value) == label


@pytest.mark.parametrize(
    ("answered", "shown"), [(0, False), (1, False), (4, False), (5, True), (40, True)]
)
def test_figures_are_shown_from_the_minimum_number_of_learners(answered: int, shown: bool) -> None:
    assert enough_to_show(answered=answered, min_learners=5) is shown
