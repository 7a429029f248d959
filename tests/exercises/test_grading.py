"""Marking each kind of exercise, as pure functions."""

import pytest

from exercises.grading import grade, interval_score

OPTIONS = [
    {"text": "Truncated axis", "correct": True, "feedback": "Yes: it starts at 77."},
    {"text": "Cherry-picked years", "correct": True, "feedback": "Yes: only 2003 to 2007."},
    {"text": "Wrong source", "correct": False, "feedback": "No: the source is fine."},
    {"text": "Too many colours", "correct": False, "feedback": "No: two series."},
]


class NoData:
    def rows(self, dataset):  # type: ignore[no-untyped-def]
        return [
            {"country": "UK", "year": 2007, "life": 79.4},
            {"country": "France", "year": 2007, "life": 80.7},
            {"country": "UK", "year": 2002, "life": 78.5},
        ]

    def sql_tables(self, datasets):  # type: ignore[no-untyped-def]
        raise AssertionError("not needed")


def run(kind, spec, answer, **kwargs):  # type: ignore[no-untyped-def]
    return grade(kind, spec, answer, data=NoData(), **kwargs)


def test_single_choice_gives_the_option_feedback() -> None:
    spec = {"options": OPTIONS[1:3]}
    right = run("single_choice", spec, {"choice": 0})
    wrong = run("single_choice", spec, {"choice": 1})
    assert (right.score, right.correct, right.feedback) == (1.0, True, ["Yes: only 2003 to 2007."])
    assert (wrong.score, wrong.correct) == (0.0, False)


@pytest.mark.parametrize(
    ("choices", "score", "correct"),
    [
        ([0, 1], 1.0, True),
        ([0], 0.5, False),
        ([0, 2], 0.0, False),
        ([0, 1, 2], 0.5, False),
        ([2, 3], 0.0, False),
    ],
)
def test_multiple_choice_partial_credit(choices, score, correct) -> None:  # type: ignore[no-untyped-def]
    result = run("spot_the_flaw", {"options": OPTIONS}, {"choices": choices})
    assert (result.score, result.correct) == (score, correct)


def test_numeric_tolerance_and_common_mistakes() -> None:
    spec = {"answer": 79.4, "tolerance": {"absolute": 0.5}, "unit": "years",
            "mistakes": [{"value": 7.94, "tolerance": 0.01, "feedback": "Check the decimal point."}]}  # fmt: skip
    assert run("numeric", spec, {"value": 79.0}).correct
    assert run("numeric", spec, {"value": 79.9}).correct
    assert not run("numeric", spec, {"value": 80.0}).correct
    assert run("numeric", spec, {"value": 7.94}).feedback == ["Check the decimal point."]
    assert run("numeric", spec, {"value": 70}).feedback == [
        "Not quite: your answer is lower than the right one."
    ]


def test_relative_tolerance() -> None:
    spec = {"answer": 1000.0, "tolerance": {"relative": 0.05}, "mistakes": []}
    assert run("numeric", spec, {"value": 1049}).correct
    assert not run("numeric", spec, {"value": 1051}).correct


def test_parametrised_answers_come_from_the_data() -> None:
    spec = {
        "dataset": "d", "variants": {"column": "country", "values": ["UK", "France"]},
        "compute": {"column": "life", "aggregate": "value", "filters": [{"column": "year", "equals": 2007}]},
        "tolerance": {"absolute": 0.05}, "mistakes": [],
    }  # fmt: skip
    assert run("parametrised_numeric", spec, {"value": 79.4}, variant="UK").correct
    assert not run("parametrised_numeric", spec, {"value": 79.4}, variant="France").correct
    assert (
        run("parametrised_numeric", spec, {"value": 80.7}, variant="France").result["expected"]
        == 80.7
    )


def test_ordering_scores_pairs_in_order() -> None:
    spec = {"items": ["a", "b", "c", "d"], "feedback": "Smallest first."}
    assert run("ordering", spec, {"order": [0, 1, 2, 3]}).correct
    swapped = run("ordering", spec, {"order": [1, 0, 2, 3]})
    assert (swapped.score, swapped.correct) == (round(5 / 6, 4), False)
    assert swapped.feedback == ["5 of 6 pairs are in the right order.", "Smallest first."]


def test_interval_score_rewards_narrow_honest_ranges() -> None:
    assert interval_score(9, 11, 10) == 2
    assert interval_score(11, 12, 10) == 1 + 20 * 1  # 2/alpha = 20 per unit missed
    assert interval_score(0, 100, 10) > interval_score(9, 11, 10)


def test_estimate_contains_or_not() -> None:
    spec = {"answer": 100.0, "unit": "people"}
    inside = run("estimate", spec, {"low": 80, "high": 120})
    outside = run("estimate", spec, {"low": 10, "high": 50})
    assert inside.correct and 0 < inside.score <= 1
    assert inside.result["contains"] is True
    assert (outside.correct, outside.score) == (False, 0.0)
    assert "above your range" in outside.feedback[0]
    narrower = run("estimate", spec, {"low": 95, "high": 105})
    assert narrower.score > inside.score


@pytest.mark.parametrize(("confidence", "correct", "mark"), [(50, True, 1), (70, True, 2), (90, True, 3),
                                                             (50, False, 0), (70, False, -2), (99, False, -6)])  # fmt: skip
def test_certainty_based_marking(confidence, correct, mark) -> None:  # type: ignore[no-untyped-def]
    spec = {"options": OPTIONS[1:3]}
    result = run("single_choice", spec, {"choice": 0 if correct else 1}, confidence=confidence,
                 certainty_based=True)  # fmt: skip
    assert result.result["cbm_mark"] == mark
    assert "Certainty-based mark" in result.feedback[-1]


def test_confidence_without_cbm_changes_nothing() -> None:
    result = run("single_choice", {"options": OPTIONS[1:3]}, {"choice": 1}, confidence=99)
    assert "cbm_mark" not in result.result


def test_a_range_from_nothing_to_everything_is_not_right() -> None:
    result = run("estimate", {"answer": 100.0, "unit": ""}, {"low": -1e15, "high": 1e15})
    assert result.result["contains"] is True
    assert result.correct is False
    assert "too wide" in result.feedback[1]
