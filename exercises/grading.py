"""Marking an answer: one pure function per kind of exercise.

``grade`` takes the exercise's kind and spec and the learner's cleaned answer, and returns the
score (0 to 1), whether it is right, feedback for the learner and details for staff. Data for
the data-driven kinds comes through ``DataSource``, so this module touches no database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from exercises.content import compute

# Certainty-based marking (Gardner-Medwin, as in Moodle): marks for right and wrong answers at
# each level of certainty. 50% is low certainty, 70% medium, 90% and 99% high.
CBM_MARKS = {50: (1, 0), 70: (2, -2), 90: (3, -6), 99: (3, -6)}
ESTIMATE_ALPHA = 0.1  # a 90% range


class DataSource(Protocol):
    def rows(self, dataset: str) -> list[dict[str, Any]]: ...
    def sql_tables(self, datasets: list[str]) -> list[Any]: ...


@dataclass
class GradeResult:
    score: float
    correct: bool
    feedback: list[str]
    result: dict[str, Any] = field(default_factory=dict)
    counted: bool = True


def grade(
    kind: str,
    spec: dict[str, Any],
    answer: dict[str, Any],
    *,
    data: DataSource,
    variant: str = "",
    confidence: int | None = None,
    certainty_based: bool = False,
    version_key: str = "",
) -> GradeResult:
    if kind == "chart_reading":
        grader = _single if spec.get("answer_type") == "choice" else _numeric
    else:
        grader = GRADERS[kind]
    outcome = grader(spec, answer, data=data, variant=variant, version_key=version_key)
    if certainty_based and confidence in CBM_MARKS and outcome.counted:
        right, wrong = CBM_MARKS[confidence]
        mark = outcome.score * right + (1 - outcome.score) * wrong
        outcome.result["cbm_mark"] = round(mark, 2)
        sign = "+" if mark > 0 else ""
        verdict = "right" if outcome.correct else "wrong"
        outcome.feedback.append(
            f"Certainty-based mark: {sign}{mark:g} (you were {confidence}% sure and {verdict}; "
            "confident wrong answers cost more than unsure ones)."
        )
    return outcome


def _single(spec: dict[str, Any], answer: dict[str, Any], **_: Any) -> GradeResult:
    option = spec["options"][answer["choice"]]
    return GradeResult(
        score=1.0 if option["correct"] else 0.0,
        correct=option["correct"],
        feedback=[option["feedback"]],
        result={"choice": answer["choice"]},
    )


def _multiple(spec: dict[str, Any], answer: dict[str, Any], **_: Any) -> GradeResult:
    options = spec["options"]
    chosen = set(answer["choices"])
    right = {i for i, o in enumerate(options) if o["correct"]}
    hits, false_alarms = len(chosen & right), len(chosen - right)
    score = max(0.0, (hits - false_alarms) / len(right))
    feedback = [f"“{options[i]['text']}” {options[i]['feedback']}" for i in sorted(chosen)]
    missed = len(right - chosen)
    if missed:
        feedback.append(f"You missed {missed} of the {len(right)} right answers.")
    return GradeResult(
        score=round(score, 4),
        correct=chosen == right,
        feedback=feedback,
        result={"choices": sorted(chosen), "hits": hits, "false_alarms": false_alarms},
    )


def within(value: float, target: float, tolerance: dict[str, float]) -> bool:
    gap = abs(value - target)
    absolute = tolerance.get("absolute")
    relative = tolerance.get("relative")
    if absolute is not None and gap <= absolute + 1e-12:
        return True
    return relative is not None and gap <= relative * abs(target) + 1e-12


def _numeric_against(spec: dict[str, Any], value: float, target: float) -> GradeResult:
    unit = f" {spec['unit']}" if spec.get("unit") else ""
    if within(value, target, spec["tolerance"]):
        return GradeResult(1.0, True, [f"Right: {target:,.10g}{unit}."], {"expected": target})
    for mistake in spec.get("mistakes", []):
        if abs(value - mistake["value"]) <= mistake["tolerance"] + 1e-12:
            return GradeResult(0.0, False, [mistake["feedback"]], {"expected": target})
    direction = "higher" if value > target else "lower"
    return GradeResult(
        0.0, False, [f"Not quite: your answer is {direction} than the right one."],
        {"expected": target},
    )  # fmt: skip


def _numeric(spec: dict[str, Any], answer: dict[str, Any], **_: Any) -> GradeResult:
    return _numeric_against(spec, answer["value"], spec["answer"])


def variant_answer(spec: dict[str, Any], variant: str, data: DataSource) -> float:
    column = spec["variants"]["column"]
    value = next(v for v in spec["variants"]["values"] if str(v) == variant)
    return compute(spec["compute"], data.rows(spec["dataset"]),
                   extra_filters=[{"column": column, "equals": value}])  # fmt: skip


def _parametrised(spec: dict[str, Any], answer: dict[str, Any], *, data: DataSource,
                  variant: str, **_: Any) -> GradeResult:  # fmt: skip
    outcome = _numeric_against(spec, answer["value"], variant_answer(spec, variant, data))
    outcome.result["variant"] = variant
    return outcome


def _ordering(spec: dict[str, Any], answer: dict[str, Any], **_: Any) -> GradeResult:
    order = answer["order"]  # indexes into spec["items"], in the learner's order
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :]]
    concordant = sum(1 for a, b in pairs if a < b)
    correct = order == sorted(order)
    feedback = (
        ["Right: that is the correct order."]
        if correct
        else [f"{concordant} of {len(pairs)} pairs are in the right order."]
    )
    if spec.get("feedback"):
        feedback.append(spec["feedback"])
    return GradeResult(round(concordant / len(pairs), 4), correct, feedback, {"order": order})


def interval_score(low: float, high: float, truth: float, alpha: float = ESTIMATE_ALPHA) -> float:
    """Gneiting and Raftery's interval score: the width, plus a penalty of 2/alpha times how
    far the truth falls outside. Lower is better; it rewards honest, narrow ranges."""
    penalty = (2 / alpha) * (
        (low - truth) if truth < low else (truth - high) if truth > high else 0
    )
    return (high - low) + penalty


def _estimate(spec: dict[str, Any], answer: dict[str, Any], **_: Any) -> GradeResult:
    low, high, truth = answer["low"], answer["high"], spec["answer"]
    contains = low <= truth <= high
    unit = f" {spec['unit']}" if spec.get("unit") else ""
    score = interval_score(low, high, truth)
    where = "inside" if contains else ("above" if truth > high else "below")
    feedback = [f"The answer is {truth:,.10g}{unit}, which is {where} your range."]
    if contains and high - low > 2 * abs(truth):
        feedback.append("It is in your range, but the range is too wide to be much use: narrow it.")
    elif contains:
        feedback.append("Well judged. A narrower range that still contains it would score better.")
    else:
        feedback.append(
            "Ranges people are 90% sure of miss far more often than 1 time in 10: "
            "most of us are overconfident. Try a wider range next time."
        )
    # Scaled so that a range exactly as wide as the answer itself, containing it, scores 0.5.
    scale = abs(truth) or 1.0
    scaled = 1.0 / (1.0 + score / scale) if contains else 0.0
    # Right when the range holds the answer and is no wider than twice the answer itself:
    # a range from nothing to everything is not an estimate.
    return GradeResult(
        score=scaled,
        correct=contains and scaled >= 1 / 3,
        feedback=feedback,
        result={"low": low, "high": high, "answer": truth, "contains": contains,
                "interval_score": score},
    )  # fmt: skip


def _sql(spec: dict[str, Any], answer: dict[str, Any], *, data: DataSource, version_key: str,
         **_: Any) -> GradeResult:  # fmt: skip
    import exercises.sql_sandbox as sql_sandbox

    tables = data.sql_tables(spec["datasets"])
    expected = sql_sandbox.run_query(tables, spec["reference"], version_key=version_key)
    try:
        actual = sql_sandbox.run_query(tables, answer["query"], version_key=version_key)
    except sql_sandbox.SqlRejected as error:
        # The learner's SQL did not run: a message, not a used attempt.
        return GradeResult(0.0, False, [str(error)], {"error": str(error)}, counted=False)
    correct = sql_sandbox.results_match(expected, actual, order_matters=spec["order_matters"])
    feedback = ["Right: your query returns the same rows as ours."] if correct else []
    if not correct:
        if len(actual.columns) != len(expected.columns):
            feedback.append(
                f"Your query returns {len(actual.columns)} columns; the question needs "
                f"{len(expected.columns)}."
            )
        elif len(actual.rows) != len(expected.rows):
            feedback.append(
                f"Your query returns {len(actual.rows)} rows; the question needs "
                f"{len(expected.rows)}."
            )
        elif spec["order_matters"] and sorted(map(repr, actual.rows)) == sorted(
            map(repr, expected.rows)
        ):
            feedback.append("You have the right rows, but not in the order the question asks for.")
        else:
            feedback.append("Your query runs, but some of the values differ from the right answer.")
    preview = [[_json_safe(cell) for cell in row] for row in actual.rows[:20]]
    return GradeResult(1.0 if correct else 0.0, correct, feedback,
                       {"columns": actual.columns, "rows": preview,
                        "row_count": len(actual.rows), "truncated": actual.truncated})  # fmt: skip


GRADERS: dict[str, Callable[..., GradeResult]] = {
    "single_choice": _single,
    "multiple_choice": _multiple,
    "spot_the_flaw": _multiple,
    "numeric": _numeric,
    "parametrised_numeric": _parametrised,
    "ordering": _ordering,
    "estimate": _estimate,
    "sql": _sql,
}


def _json_safe(cell: Any) -> Any:
    """A query result cell as JSON can store it."""
    if isinstance(cell, bytes):
        return cell.hex()
    if isinstance(cell, float) and not math.isfinite(cell):
        return str(cell)
    return cell


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))
