"""Charts: a declarative spec over a dataset, turned into a Plotly figure and a data table."""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from courses.content.datasets import Column, Row, Value, format_value
from courses.content.problems import Problem

CHART_TYPES = ("line", "bar", "barh", "scatter")
SPEC_KEYS = {
    "title", "dataset", "type", "x", "y", "colour", "filters", "x_title", "y_title",
    "y_min", "y_max", "barmode", "sort", "annotations", "summary", "source_note",
}  # fmt: skip
REQUIRED_KEYS = ("title", "dataset", "type", "x", "y", "summary")
FILTER_TESTS = ("in", "equals", "min", "max")
# Okabe and Ito's palette, which readers with the common colour-vision deficiencies can tell
# apart (yellow left out: too pale on white). Lines also differ by dash and markers by shape,
# so series never rely on colour alone.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star")
MAX_SERIES = len(PALETTE)
MAX_POINTS = 5_000


@dataclass(frozen=True)
class Series:
    name: str
    xs: list[Value]
    ys: list[Value]


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list[str]]

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))


def validate_spec(raw: Any, columns: list[Column], *, path: str) -> list[Problem]:
    """Every problem with a chart spec, given the columns of its dataset."""
    if not isinstance(raw, dict):
        return [
            Problem(path, 1, "a chart must be a set of keys such as title, dataset, type, x, y")
        ]
    problems = [
        Problem(path, None, f"unknown key {key!r}; allowed keys are {', '.join(sorted(SPEC_KEYS))}")
        for key in raw
        if key not in SPEC_KEYS
    ]
    shape: list[Problem] = []
    for key in ("title", "summary", "source_note", "x_title", "y_title", "dataset", "colour"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], str):
            shape.append(Problem(path, None, f"{key} must be text"))
    for key in ("filters", "annotations"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], list):
            shape.append(Problem(path, None, f"{key} must be a list"))
    y = raw.get("y")
    if y is not None and not (
        isinstance(y, str) or (isinstance(y, list) and y and all(isinstance(v, str) for v in y))
    ):
        shape.append(Problem(path, None, "y must be a column name or a list of column names"))
    if shape:
        return problems + shape
    for key in REQUIRED_KEYS:
        if not raw.get(key) or (isinstance(raw.get(key), str) and not raw[key].strip()):
            hint = " (what the chart shows and its main takeaway)" if key == "summary" else ""
            problems.append(Problem(path, None, f"{key} is required{hint}"))
    if problems and any("is required" in p.message for p in problems):
        return problems
    by_name = {c.name: c for c in columns}
    if raw["type"] not in CHART_TYPES:
        problems.append(
            Problem(path, None, f"type {raw['type']!r} is not one of {', '.join(CHART_TYPES)}")
        )

    def check_column(key: str, name: Any, numeric: bool = False) -> None:
        if not isinstance(name, str) or name not in by_name:
            problems.append(Problem(path, None, f"{key}: the dataset has no column {name!r}"))
        elif numeric and not by_name[name].is_numeric:
            problems.append(Problem(path, None, f"{key}: column {name!r} is not numeric"))

    check_column("x", raw["x"])
    ys = raw["y"] if isinstance(raw["y"], list) else [raw["y"]]
    for y in ys:
        check_column("y", y, numeric=True)
    if len(ys) > 1 and raw.get("colour"):
        problems.append(
            Problem(path, None, "use either several y columns or a colour column, not both")
        )
    if raw.get("colour"):
        check_column("colour", raw["colour"])
    for index, test in enumerate(raw.get("filters") or [], start=1):
        if not isinstance(test, dict) or "column" not in test:
            problems.append(Problem(path, None, f"filter {index} needs a column"))
            continue
        check_column(f"filter {index}", test["column"])
        tests = {t for t in test if t != "column"}
        if not tests or tests - set(FILTER_TESTS):
            problems.append(
                Problem(
                    path, None, f"filter {index} must use one or more of: {', '.join(FILTER_TESTS)}"
                )
            )
        if "in" in test and not isinstance(test["in"], list):
            problems.append(Problem(path, None, f"filter {index}: 'in' must be a list"))
            continue
        column = by_name.get(test["column"]) if isinstance(test["column"], str) else None
        if column is not None:
            values = [
                *(test.get("in") or []),
                *(test[t] for t in ("equals", "min", "max") if t in test),
            ]
            for value in values:
                if (message := _value_problem(column, value)) is not None:
                    problems.append(Problem(path, None, f"filter {index}: {message}"))
                    break
            if ("min" in test or "max" in test) and column.type == "text":
                problems.append(
                    Problem(
                        path, None, f"filter {index}: min and max need a numeric or date column"
                    )
                )
    for key in ("y_min", "y_max"):
        if key in raw and not _finite(raw[key]):
            problems.append(Problem(path, None, f"{key} must be a number"))
    if raw.get("sort", "none") not in ("none", "ascending", "descending"):
        problems.append(Problem(path, None, "sort must be ascending or descending"))
    if raw.get("barmode", "group") not in ("group", "stack"):
        problems.append(Problem(path, None, "barmode must be group or stack"))
    for index, note in enumerate(raw.get("annotations") or [], start=1):
        if (
            not isinstance(note, dict)
            or not {"x", "y", "text"} <= set(note)
            or not isinstance(note["text"], str)
            or not _finite(note["y"])
            or not isinstance(note["x"], str | int | float | datetime.date)
            or isinstance(note["x"], bool)
        ):
            problems.append(
                Problem(path, None, f"annotation {index} needs x, a numeric y and text")
            )
    return problems


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _value_problem(column: Column, value: Any) -> str | None:
    """Why a filter value cannot be compared with a column, or None if it can."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
        return f"{value!r} is not a single value"
    if column.is_numeric and not _finite(value):
        return f"{value!r} is not a number, and {column.name} holds numbers"
    if column.type == "date":
        try:
            datetime.date.fromisoformat(str(value))
        except ValueError:
            return f"{value!r} is not a date in the form YYYY-MM-DD"
    if column.type == "text" and not isinstance(value, str | int | float):
        return f"{value!r} is not text"
    return None


def plain(value: Any) -> Any:
    """YAML values as JSON can store them: dates become YYYY-MM-DD text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _comparable(value: Any, sample: Value) -> Any:
    if isinstance(sample, datetime.date) and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if isinstance(sample, str) and not isinstance(value, str):
        return str(value)  # a text column compared with a YAML number: compare as text
    return value


def apply_filters(rows: list[Row], filters: list[dict[str, Any]]) -> list[Row]:
    kept = rows
    for test in filters:
        name = test["column"]
        sample = next((r[name] for r in kept if r[name] is not None), None)
        if "in" in test:
            allowed = {_comparable(v, sample) for v in test["in"]}
            kept = [r for r in kept if r[name] in allowed]
        if "equals" in test:
            wanted = _comparable(test["equals"], sample)
            kept = [r for r in kept if r[name] == wanted]
        if "min" in test:
            low = _comparable(test["min"], sample)
            kept = [r for r in kept if r[name] is not None and r[name] >= low]  # type: ignore[operator]
        if "max" in test:
            high = _comparable(test["max"], sample)
            kept = [r for r in kept if r[name] is not None and r[name] <= high]  # type: ignore[operator]
    return kept


def build_series(spec: dict[str, Any], rows: list[Row]) -> list[Series]:
    rows = apply_filters(rows, spec.get("filters") or [])
    x = spec["x"]
    ys = spec["y"] if isinstance(spec["y"], list) else [spec["y"]]
    if spec.get("sort", "none") != "none":
        present = [r for r in rows if r[ys[0]] is not None]
        rows = sorted(present, key=lambda r: float(r[ys[0]]), reverse=spec["sort"] == "descending")  # type: ignore[arg-type]
    if len(ys) > 1:  # one series per column, named by the column
        return [Series(y, [r[x] for r in rows], [r[y] for r in rows]) for y in ys]
    y = ys[0]
    colour = spec.get("colour")
    if not colour:
        return [Series(y, [r[x] for r in rows], [r[y] for r in rows])]
    groups: dict[str, list[Row]] = {}
    for row in rows:
        name = "(blank)" if row[colour] is None else str(row[colour])
        groups.setdefault(name, []).append(row)
    order = spec_order(spec, colour, list(groups))
    return [
        Series(name, [r[x] for r in groups[name]], [r[y] for r in groups[name]]) for name in order
    ]


def spec_order(spec: dict[str, Any], colour: str, names: list[str]) -> list[str]:
    """Series in the order the author listed them in an 'in' filter, else as they come."""
    for test in spec.get("filters") or []:
        if test.get("column") == colour and "in" in test:
            listed = [str(v) for v in test["in"]]
            return [n for n in listed if n in names] + [n for n in names if n not in listed]
    return names


def check_series(
    spec: dict[str, Any], rows: list[Row], columns: list[Column], *, path: str
) -> list[Problem]:
    series = build_series(spec, rows)
    points = sum(len(s.xs) for s in series)
    if not points:
        return [Problem(path, None, "the filters leave no rows to draw")]
    problems = []
    try:  # whatever else could go wrong in drawing it shows here, not on a learner's page
        build_figure(spec, rows, columns)
        build_table(spec, rows, columns, title="check")
    except Exception as error:
        return [Problem(path, None, f"the chart cannot be drawn: {error}")]
    if len(series) > MAX_SERIES:
        problems.append(
            Problem(
                path, None, f"draws {len(series)} series; at most {MAX_SERIES} can be told apart"
            )
        )
    if points > MAX_POINTS:
        problems.append(
            Problem(path, None, f"draws {points} points; filter it to at most {MAX_POINTS}")
        )
    return problems


def _plain(value: Value) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def build_figure(spec: dict[str, Any], rows: list[Row], columns: list[Column]) -> dict[str, Any]:
    """The Plotly figure (data and layout) as plain JSON-ready values."""
    by_name = {c.name: c for c in columns}
    kind = spec["type"]
    multi_y = isinstance(spec["y"], list) and len(spec["y"]) > 1
    figure = go.Figure()
    all_series = build_series(spec, rows)
    for index, series in enumerate(all_series):
        colour = PALETTE[index % len(PALETTE)]
        xs = [_plain(v) for v in series.xs]
        ys = [_plain(v) for v in series.ys]
        label = (by_name[series.name].description or series.name) if multi_y else series.name
        if kind in ("bar", "barh"):
            figure.add_trace(
                go.Bar(
                    name=label,
                    x=ys if kind == "barh" else xs,
                    y=xs if kind == "barh" else ys,
                    orientation="h" if kind == "barh" else "v",
                    marker={
                        "color": colour,
                        "pattern": {"shape": ["", "/", ".", "x", "-", "|", "+"][index % 7]},
                    },
                )
            )
        else:
            figure.add_trace(
                go.Scatter(
                    name=label,
                    x=xs,
                    y=ys,
                    mode="markers" if kind == "scatter" else "lines+markers",
                    line={"color": colour, "width": 3, "dash": DASHES[index % len(DASHES)]},
                    marker={
                        "color": colour,
                        "size": 9 if kind == "scatter" else 6,
                        "symbol": SYMBOLS[index % len(SYMBOLS)],
                    },
                    connectgaps=False,
                )
            )
    x_title = spec.get("x_title") or by_name[spec["x"]].label
    y_first = spec["y"][0] if isinstance(spec["y"], list) else spec["y"]
    y_title = spec.get("y_title") or by_name[y_first].label
    if kind == "barh":
        x_title, y_title = y_title, x_title
    value_axis = "xaxis" if kind == "barh" else "yaxis"
    axis_range = None
    if "y_min" in spec or "y_max" in spec:
        # Plotly ignores a range with one end missing: fill it in from the data.
        values = [v for s in all_series for v in s.ys if isinstance(v, int | float)]
        low, high = (min(values), max(values)) if values else (0, 1)
        pad = (high - low) * 0.05 or abs(high) * 0.05 or 1
        axis_range = [spec.get("y_min", low - pad), spec.get("y_max", high + pad)]
    layout: dict[str, Any] = {
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
                 "size": 15, "color": "#0b0c0c"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 20, "t": 40, "b": 60},
        "showlegend": len(figure.data) > 1,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#e0e0e0", "linecolor": "#505a5f",
                  "automargin": True},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e0e0e0", "linecolor": "#505a5f",
                  "automargin": True},
        "barmode": spec.get("barmode", "group"),
        "hovermode": "closest",
        "annotations": [
            {"x": _plain(note["x"]), "y": note["y"], "text": str(note["text"]), "showarrow": True,
             "arrowhead": 2, "ax": 0, "ay": -40, "font": {"size": 14},
             "bgcolor": "rgba(255,255,255,0.85)"}
            for note in spec.get("annotations") or []
        ],
    }  # fmt: skip
    if kind == "barh":
        layout["yaxis"]["autorange"] = "reversed"
        layout["margin"]["l"] = 120
    if axis_range is not None:
        layout[value_axis]["range"] = axis_range
    figure.update_layout(layout)
    result: dict[str, Any] = json.loads(figure.to_json())
    result["layout"].pop("template", None)  # Plotly's default theme: large and unused
    return result


def build_table(
    spec: dict[str, Any], rows: list[Row], columns: list[Column], *, title: str
) -> Table:
    """The chart's data as a table a screen reader can use: one row per x value, one column
    per series (or the raw points, for scatter charts)."""
    by_name = {c.name: c for c in columns}
    x_column = by_name[spec["x"]]
    series = build_series(spec, rows)
    y_first = spec["y"][0] if isinstance(spec["y"], list) else spec["y"]
    y_column = by_name[y_first]
    if spec["type"] == "scatter":
        label = [spec["colour"]] if spec.get("colour") else []
        headers = [*(by_name[c].label for c in label), x_column.label, y_column.label]
        numeric = [False] * len(label) + [x_column.is_numeric, True]
        table_rows = [
            [*([s.name] if label else []), format_value(x, x_column), format_value(y, y_column)]
            for s in series
            for x, y in zip(s.xs, s.ys, strict=True)
        ]
        return Table(f"Data for the chart: {title}", headers, numeric, table_rows)
    xs: list[Value] = []
    for s in series:
        for x in s.xs:
            if x not in xs:
                xs.append(x)
    if spec["type"] != "barh" and x_column.type in {"integer", "number", "date"}:
        xs.sort(key=lambda v: (v is None, v))  # type: ignore[arg-type,return-value]
    lookup = [dict(zip(s.xs, s.ys, strict=True)) for s in series]
    multi_y = isinstance(spec["y"], list) and len(spec["y"]) > 1
    headers = [x_column.label] + [
        by_name[s.name].label if multi_y else (s.name if len(series) > 1 else y_column.label)
        for s in series
    ]
    table_rows = [
        [format_value(x, x_column)]
        + [format_value(values.get(x), by_name[s.name] if multi_y else y_column)
           for s, values in zip(series, lookup, strict=True)]
        for x in xs
    ]  # fmt: skip
    numeric = [x_column.is_numeric] + [True] * len(series)
    caption = f"Data for the chart: {title}"
    if len(series) > 1 and not multi_y:
        caption += f" ({y_column.label})"
    return Table(caption, headers, numeric, table_rows)
