"""Exercise files (content/<course>/exercises/<slug>.yaml): checked on import, before saving.

Pure functions over plain values, like courses.content: the importer calls ``check_exercise``
for each file with what it knows of the course's charts and datasets.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from courses.content import markdown as md
from courses.content.datasets import Column, Row
from courses.content.problems import Problem

KINDS = (
    "single_choice", "multiple_choice", "numeric", "parametrised_numeric", "chart_reading",
    "spot_the_flaw", "ordering", "estimate", "sql", "free_text",
)  # fmt: skip
COMMON_KEYS = {
    "title", "kind", "prompt", "hints", "explanation", "max_attempts", "reveal_answer",
    "ask_confidence", "certainty_based_marking",
}  # fmt: skip
KIND_KEYS = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "numeric": {"answer", "tolerance", "unit", "mistakes"},
    "parametrised_numeric": {"dataset", "variants", "compute", "tolerance", "unit", "mistakes"},
    "chart_reading": {"chart", "options", "answer", "tolerance", "unit", "mistakes"},
    "spot_the_flaw": {"chart", "options"},
    "ordering": {"items", "feedback"},
    "estimate": {"answer", "dataset", "compute", "unit"},
    "sql": {"dataset", "datasets", "reference", "order_matters"},
    "free_text": {"rubric", "max_words"},
}
AGGREGATES = ("value", "mean", "sum", "min", "max", "count")
CONFIDENCE_LEVELS = (50, 70, 90, 99)


@dataclass
class ExerciseFile:
    slug: str
    title: str
    kind: str
    prompt: str
    explanation: str
    hints: list[str]
    spec: dict[str, Any]
    chart: str
    max_attempts: int
    reveal_answer: bool
    ask_confidence: bool
    certainty_based_marking: bool
    fingerprint: str = field(default="")
    source: dict[str, Any] = field(default_factory=dict)


def fingerprint(data: dict[str, Any]) -> str:
    """Changes whenever anything a learner sees or is marked against changes."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _json_safe(value: Any) -> bool:
    """Whether a YAML value can be stored as JSON: no dates, no NaN or infinity."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool)


def sql_table_name(dataset_slug: str) -> str:
    return dataset_slug.replace("-", "_")


def check_exercise(
    raw: Any,
    *,
    slug: str,
    path: str,
    lines: dict[str, int],
    charts: set[str],
    datasets: dict[str, list[Column]],
    rows: dict[str, list[Row]],
) -> tuple[ExerciseFile | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(key: str | None, message: str) -> None:
        problems.append(Problem(path, lines.get(key) if key else None, message))

    if not isinstance(raw, dict):
        return None, [Problem(path, 1, "an exercise must be settings written as name: value")]
    kind = raw.get("kind")
    if kind not in KINDS:
        problem("kind", f"kind must be one of {', '.join(KINDS)}")
        return None, problems
    allowed = COMMON_KEYS | KIND_KEYS[kind]
    for key in raw:
        if key not in allowed:
            problem(
                str(key),
                f"unknown setting {key!r} for a {kind} exercise; "
                f"allowed: {', '.join(sorted(allowed))}",
            )
    for key in ("title", "prompt", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            hint = (
                " (the worked answer, shown when the learner is done)"
                if key == "explanation"
                else ""
            )
            problem(key if key in raw else None, f"{key} is required{hint}")
    if isinstance(raw.get("title"), str) and len(raw["title"]) > 200:
        problem("title", "title is longer than 200 characters")
    for key in ("prompt", "explanation"):
        if isinstance(raw.get(key), str):
            for _, message in md.scan(raw[key]).problems:
                problem(key, f"{key}: {message}")
    hints = raw.get("hints") or []
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        problem("hints", "hints must be a list of sentences")
        hints = []
    max_attempts = raw.get("max_attempts", 3)
    if (
        not isinstance(max_attempts, int)
        or isinstance(max_attempts, bool)
        or not 0 <= max_attempts <= 20
    ):
        problem("max_attempts", "max_attempts must be a whole number from 0 (unlimited) to 20")
        max_attempts = 3
    flags = {}
    for key, default in (
        ("reveal_answer", True),
        ("ask_confidence", False),
        ("certainty_based_marking", False),
    ):
        value = raw.get(key, default)
        if not isinstance(value, bool):
            problem(key, f"{key} must be true or false")
            value = default
        flags[key] = value
    if flags["certainty_based_marking"] and not flags["ask_confidence"]:
        problem("certainty_based_marking", "certainty_based_marking needs ask_confidence: true")

    spec: dict[str, Any] = {}
    chart = ""
    checker = _CHECKERS[kind]
    chart_needed = kind in ("chart_reading", "spot_the_flaw")
    if chart_needed:
        chart = str(raw["chart"]) if isinstance(raw.get("chart"), str) else ""
        if not chart:
            problem(None, f"a {kind} exercise needs a chart")
        elif chart not in charts:
            problem("chart", f"uses the chart {chart!r}, which does not exist")
    if not _json_safe(raw):
        problem(
            None,
            "a value is a date, NaN or infinity, or a key is not text: "
            "write dates as text and numbers as plain numbers",
        )
        return None, problems
    try:
        spec = checker(raw, problem, datasets, rows)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        # A value of an unexpected type deep in the settings: say so rather than crash.
        problem(None, f"a setting has a value of the wrong type ({error})")
    if problems:
        return None, problems
    data = {k: raw.get(k) for k in sorted(allowed)}
    return (
        ExerciseFile(
            slug=slug,
            title=raw["title"].strip(),
            kind=kind,
            prompt=raw["prompt"].strip(),
            explanation=raw["explanation"].strip(),
            hints=[h.strip() for h in hints],
            spec=spec,
            chart=chart,
            max_attempts=max_attempts,
            fingerprint=fingerprint(data),
            source={k: v for k, v in raw.items()},
            **flags,
        ),
        [],
    )


Report = Any  # the problem(key, message) callback


def _options(raw: dict[str, Any], problem: Report, *, single: bool) -> list[dict[str, Any]]:
    options = raw.get("options")
    if not isinstance(options, list) or len(options) < 2:
        problem("options" if "options" in raw else None, "options must list at least two choices")
        return []
    clean = []
    for index, option in enumerate(options, start=1):
        if (
            not isinstance(option, dict)
            or not isinstance(option.get("text"), str)
            or not option["text"].strip()
        ):
            problem("options", f"option {index} needs text")
            continue
        if not isinstance(option.get("correct", False), bool):
            problem("options", f"option {index}: correct must be true or false")
        if not isinstance(option.get("feedback"), str) or not option["feedback"].strip():
            problem("options", f"option {index} needs feedback: why it is right or wrong")
        clean.append(
            {"text": option["text"].strip(), "correct": option.get("correct") is True,
             "feedback": str(option.get("feedback") or "").strip()}
        )  # fmt: skip
    right = sum(o["correct"] for o in clean)
    if single and right != 1:
        problem("options", f"exactly one option must be correct, not {right}")
    if not single and right < 1:
        problem("options", "at least one option must be correct")
    return clean


def _tolerance(raw: dict[str, Any], problem: Report) -> dict[str, float]:
    tolerance = raw.get("tolerance", {"absolute": 0})
    if (
        not isinstance(tolerance, dict)
        or not tolerance
        or set(tolerance) - {"absolute", "relative"}
        or not all(_number(v) and v >= 0 for v in tolerance.values())
    ):
        problem(
            "tolerance", "tolerance must be {absolute: number} or {relative: number}, not negative"
        )
        return {"absolute": 0.0}
    if tolerance.get("relative", 0) >= 1:
        problem("tolerance", "a relative tolerance is a fraction: 0.05 means 5%")
    return {k: float(v) for k, v in tolerance.items()}


def _mistakes(raw: dict[str, Any], problem: Report) -> list[dict[str, Any]]:
    mistakes = raw.get("mistakes") or []
    if not isinstance(mistakes, list):
        problem("mistakes", "mistakes must be a list of {value, tolerance, feedback}")
        return []
    clean = []
    for index, mistake in enumerate(mistakes, start=1):
        if (
            not isinstance(mistake, dict)
            or not _number(mistake.get("value"))
            or not isinstance(mistake.get("feedback"), str)
            or not (_number(mistake.get("tolerance", 0)) and mistake.get("tolerance", 0) >= 0)
        ):
            problem(
                "mistakes",
                f"mistake {index} needs a numeric value, feedback and (optionally) a tolerance",
            )
            continue
        clean.append({"value": float(mistake["value"]),
                      "tolerance": float(mistake.get("tolerance", 0)),
                      "feedback": mistake["feedback"].strip()})  # fmt: skip
    return clean


def _unit(raw: dict[str, Any], problem: Report) -> str:
    unit = raw.get("unit", "")
    if not isinstance(unit, str) or len(unit) > 60:
        problem("unit", "unit must be a short piece of text")
        return ""
    return unit.strip()


def _check_choice(raw: dict[str, Any], problem: Report, *_: Any) -> dict[str, Any]:
    return {"options": _options(raw, problem, single=True)}


def _check_multiple(raw: dict[str, Any], problem: Report, *_: Any) -> dict[str, Any]:
    return {"options": _options(raw, problem, single=False)}


def _check_numeric(raw: dict[str, Any], problem: Report, *_: Any) -> dict[str, Any]:
    if not _number(raw.get("answer")):
        problem("answer" if "answer" in raw else None, "answer must be a number")
        return {}
    return {"answer": float(raw["answer"]), "tolerance": _tolerance(raw, problem),
            "unit": _unit(raw, problem), "mistakes": _mistakes(raw, problem)}  # fmt: skip


def _check_chart_reading(raw: dict[str, Any], problem: Report, *args: Any) -> dict[str, Any]:
    if "options" in raw and "answer" in raw:
        problem("answer", "give either options or an answer, not both")
        return {}
    if "options" in raw:
        return {"answer_type": "choice", **_check_choice(raw, problem)}
    return {"answer_type": "numeric", **_check_numeric(raw, problem)}


def _compute_spec(raw: Any, columns: list[Column], problem: Report, key: str) -> dict[str, Any]:
    by_name = {c.name: c for c in columns}
    if not isinstance(raw, dict) or raw.get("aggregate", "value") not in AGGREGATES:
        problem(key, f"{key} needs a column and an aggregate ({', '.join(AGGREGATES)})")
        return {}
    column = raw.get("column")
    if column not in by_name or (
        raw.get("aggregate", "value") != "count" and not by_name[column].is_numeric
    ):
        problem(key, f"{key}: column {column!r} must be a numeric column of the dataset")
        return {}
    filters = raw.get("filters") or []
    if not isinstance(filters, list):
        problem(key, f"{key}: filters must be a list")
        return {}
    for index, test in enumerate(filters, start=1):
        if (
            not isinstance(test, dict)
            or test.get("column") not in by_name
            or not set(test) - {"column"} <= {"in", "equals", "min", "max"}
            or len(test) < 2
        ):
            problem(key, f"{key}: filter {index} must name a column and use in, equals, min or max")
            return {}
    return {"column": column, "aggregate": raw.get("aggregate", "value"), "filters": filters}


def compute(
    spec: dict[str, Any], rows: list[Row], *, extra_filters: list[dict[str, Any]] | None = None
) -> float:
    """The answer computed from the data. Raises ValueError when it is not defined."""
    from courses.content.charts import apply_filters

    kept = apply_filters(rows, [*spec["filters"], *(extra_filters or [])])
    values = [r[spec["column"]] for r in kept if r[spec["column"]] is not None]
    aggregate = spec["aggregate"]
    if aggregate == "count":
        return float(len(kept))
    if not values:
        raise ValueError("no rows match")
    if aggregate == "value":
        if len(values) != 1:
            raise ValueError(f"{len(values)} rows match; 'value' needs exactly one")
        return float(values[0])  # type: ignore[arg-type]
    numbers = [float(v) for v in values]  # type: ignore[arg-type]
    return {"mean": sum(numbers) / len(numbers), "sum": sum(numbers), "min": min(numbers),
            "max": max(numbers)}[aggregate]  # fmt: skip


def _dataset(raw: dict[str, Any], problem: Report, datasets: dict[str, list[Column]]) -> str:
    name = raw.get("dataset")
    if not isinstance(name, str) or name not in datasets:
        problem(
            "dataset" if "dataset" in raw else None,
            f"uses the dataset {name!r}, which does not exist",
        )
        return ""
    return name


def _check_parametrised(raw: dict[str, Any], problem: Report, datasets: dict[str, list[Column]],
                        rows: dict[str, list[Row]]) -> dict[str, Any]:  # fmt: skip
    name = _dataset(raw, problem, datasets)
    if not name:
        return {}
    variants = raw.get("variants")
    columns = {c.name for c in datasets[name]}
    if (
        not isinstance(variants, dict)
        or variants.get("column") not in columns
        or not isinstance(variants.get("values"), list)
        or len(variants["values"]) < 2
    ):
        problem(
            "variants", "variants needs a column of the dataset and a list of at least two values"
        )
        return {}
    if "{value}" not in str(raw.get("prompt", "")):
        problem("prompt", "the prompt must say {value} where the learner's variant goes")
    spec = _compute_spec(raw.get("compute"), datasets[name], problem, "compute")
    if not spec:
        return {}
    for value in variants["values"]:
        try:
            compute(
                spec, rows[name], extra_filters=[{"column": variants["column"], "equals": value}]
            )
        except ValueError as error:
            problem("variants", f"variant {value!r}: {error}")
    return {"dataset": name,
            "variants": {"column": variants["column"], "values": variants["values"]},
            "compute": spec, "tolerance": _tolerance(raw, problem), "unit": _unit(raw, problem),
            "mistakes": _mistakes(raw, problem)}  # fmt: skip


def _check_ordering(raw: dict[str, Any], problem: Report, *_: Any) -> dict[str, Any]:
    items = raw.get("items")
    if (
        not isinstance(items, list)
        or len(items) < 3
        or not all(isinstance(i, str) and i.strip() for i in items)
    ):
        problem(
            "items" if "items" in raw else None,
            "items must list at least three things, in the right order",
        )
        return {}
    if len(set(items)) != len(items):
        problem("items", "items must all be different")
    feedback = raw.get("feedback", "")
    if not isinstance(feedback, str):
        problem("feedback", "feedback must be text")
        feedback = ""
    return {"items": [i.strip() for i in items], "feedback": feedback.strip()}


def _check_estimate(raw: dict[str, Any], problem: Report, datasets: dict[str, list[Column]],
                    rows: dict[str, list[Row]]) -> dict[str, Any]:  # fmt: skip
    unit = _unit(raw, problem)
    if "compute" in raw:
        name = _dataset(raw, problem, datasets)
        spec = _compute_spec(raw["compute"], datasets[name], problem, "compute") if name else {}
        if not spec:
            return {}
        try:
            answer = compute(spec, rows[name])
        except ValueError as error:
            problem("compute", f"compute: {error}")
            return {}
        return {"answer": answer, "unit": unit, "dataset": name, "compute": spec}
    if not _number(raw.get("answer")):
        problem(
            "answer" if "answer" in raw else None,
            "an estimate needs an answer (or a dataset and compute)",
        )
        return {}
    return {"answer": float(raw["answer"]), "unit": unit}


def _check_sql(raw: dict[str, Any], problem: Report, datasets: dict[str, list[Column]],
               rows: dict[str, list[Row]]) -> dict[str, Any]:  # fmt: skip
    names = raw.get("datasets") or ([raw["dataset"]] if "dataset" in raw else [])
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) and n in datasets for n in names)
    ):
        problem(
            "dataset" if "dataset" in raw else "datasets",
            f"uses datasets {names!r}, which do not all exist",
        )
        return {}
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        problem(
            "reference" if "reference" in raw else None,
            "reference (the author's SELECT) is required",
        )
        return {}
    order_matters = raw.get("order_matters", False)
    if not isinstance(order_matters, bool):
        problem("order_matters", "order_matters must be true or false")
    import exercises.sql_sandbox as sql_sandbox

    try:
        result = sql_sandbox.run_query(
            sql_tables(names, datasets, rows), reference, version_key="check:" + ",".join(names)
        )
    except sql_sandbox.SqlRejected as error:
        problem("reference", f"the reference query does not run in the sandbox: {error}")
        return {}
    if not result.rows:
        problem("reference", "the reference query returns no rows")
    return {
        "datasets": names,
        "reference": reference.strip(),
        "order_matters": order_matters is True,
    }


def sql_tables(
    names: list[str], datasets: Mapping[str, list[Column]], rows: Mapping[str, list[Row]]
) -> list[Any]:
    """The sandbox tables for datasets: one table each, named by sql_table_name."""
    import exercises.sql_sandbox as sql_sandbox

    return [
        sql_sandbox.Table(
            name=sql_table_name(name),
            columns=[(c.name, c.type) for c in datasets[name]],
            rows=[tuple(r[c.name] for c in datasets[name]) for r in rows[name]],
        )
        for name in names
    ]


def _check_free_text(raw: dict[str, Any], problem: Report, *_: Any) -> dict[str, Any]:
    rubric = raw.get("rubric")
    if not isinstance(rubric, list) or not rubric:
        problem(
            "rubric" if "rubric" in raw else None,
            "rubric must list the criteria a tutor marks against",
        )
        return {}
    clean = []
    for index, item in enumerate(rubric, start=1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("criterion"), str)
            or not (
                isinstance(item.get("points"), int)
                and not isinstance(item["points"], bool)
                and 0 < item["points"] <= 20
            )
        ):
            problem(
                "rubric", f"rubric item {index} needs a criterion and whole points from 1 to 20"
            )
            continue
        clean.append({"criterion": item["criterion"].strip(), "points": item["points"]})
    max_words = raw.get("max_words", 300)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or not 10 <= max_words <= 2000:
        problem("max_words", "max_words must be a whole number from 10 to 2000")
        max_words = 300
    return {"rubric": clean, "max_words": max_words}


_CHECKERS = {
    "single_choice": _check_choice,
    "multiple_choice": _check_multiple,
    "spot_the_flaw": _check_multiple,
    "numeric": _check_numeric,
    "chart_reading": _check_chart_reading,
    "parametrised_numeric": _check_parametrised,
    "ordering": _check_ordering,
    "estimate": _check_estimate,
    "sql": _check_sql,
    "free_text": _check_free_text,
}
