"""Datasets: CSV text described by typed column metadata."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import asdict, dataclass
from typing import Any

from courses.content.problems import Problem

COLUMN_TYPES = ("text", "integer", "number", "date")
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS_PER_FILE = 20
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Value = str | int | float | datetime.date | None
Row = dict[str, Value]


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""
    unit: str = ""
    optional: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", False)}

    @property
    def label(self) -> str:
        return (
            f"{self.description or self.name} ({self.unit})"
            if self.unit
            else (self.description or self.name)
        )

    @property
    def is_numeric(self) -> bool:
        return self.type in {"integer", "number"}


def columns_from_metadata(
    raw: Any, *, path: str, line: int | None
) -> tuple[list[Column], list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(raw, list) or not raw:
        return [], [
            Problem(path, line, "columns must be a list with one entry for each CSV column")
        ]
    columns: list[Column] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or "name" not in entry or "type" not in entry:
            problems.append(Problem(path, line, f"column {index} needs a name and a type"))
            continue
        unknown = set(entry) - {"name", "type", "description", "unit", "optional"}
        name = str(entry["name"])
        if unknown:
            problems.append(
                Problem(
                    path,
                    line,
                    f"column {name!r} has unknown keys: {', '.join(sorted(map(str, unknown)))}",
                )
            )
        if not NAME.match(name):
            problems.append(
                Problem(path, line, f"column name {name!r} must be letters, digits and underscores")
            )
        if name in seen:
            problems.append(Problem(path, line, f"column {name!r} is listed twice"))
        seen.add(name)
        if entry["type"] not in COLUMN_TYPES:
            problems.append(
                Problem(
                    path,
                    line,
                    f"column {name!r} has type {entry['type']!r}; "
                    f"use one of {', '.join(COLUMN_TYPES)}",
                )
            )
            continue
        columns.append(
            Column(
                name=name,
                type=entry["type"],
                description=str(entry.get("description") or ""),
                unit=str(entry.get("unit") or ""),
                optional=bool(entry.get("optional", False)),
            )
        )
    return columns, problems


def column_list(raw: list[dict[str, Any]]) -> list[Column]:
    """Columns from trusted, already validated metadata (as stored in the database)."""
    return [Column(**entry) for entry in raw]


def parse_value(text: str, column: Column) -> Value:
    """Parse one cell; raises ValueError with a readable message."""
    if text == "":
        if column.optional:
            return None
        raise ValueError("is blank (mark the column optional: true if blanks are expected)")
    if column.type == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if column.type == "number":
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if column.type == "date":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
    return text


def parse_csv(text: str, columns: list[Column], *, path: str) -> tuple[list[Row], list[Problem]]:
    """Check every cell against its column; return typed rows and every problem found."""
    problems: list[Problem] = []
    if len(text.encode("utf-8")) > MAX_BYTES:
        return [], [Problem(path, None, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(path, 1, "the file is empty: it needs a header row")]
    except csv.Error as error:
        return [], [Problem(path, 1, f"the header row cannot be read: {error}")]
    expected = [c.name for c in columns]
    if header != expected:
        return [], [
            Problem(
                path,
                1,
                f"the header row is {', '.join(header)} "
                f"but the metadata lists {', '.join(expected)}",
            )
        ]
    rows: list[Row] = []
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(Problem(path, line, f"more than {MAX_ROWS:,} rows"))
                break
            if len(cells) != len(columns):
                problems.append(
                    Problem(
                        path, line, f"has {len(cells)} cells, but there are {len(columns)} columns"
                    )
                )
                continue
            row: Row = {}
            for column, cell in zip(columns, cells, strict=True):
                try:
                    row[column.name] = parse_value(cell.strip(), column)
                except ValueError as error:
                    problems.append(Problem(path, line, f"column {column.name}: {error}"))
            rows.append(row)
            if len(problems) >= MAX_PROBLEMS_PER_FILE:
                problems.append(Problem(path, line, "too many problems: stopped checking here"))
                break
    except csv.Error as error:
        problems.append(Problem(path, reader.line_num or line, f"cannot be read as CSV: {error}"))
    if not rows and not problems:
        problems.append(Problem(path, 2, "the file has a header but no data rows"))
    return rows, problems


def format_value(value: Value, column: Column | None = None) -> str:
    """A cell for people to read. Quantities (columns with a unit) get thousands separators;
    identifiers and years (no unit) do not."""
    if value is None:
        return ""
    grouped = column is not None and bool(column.unit)
    if isinstance(value, float):
        text = f"{value:.10g}"
        if grouped and abs(value) >= 1000 and "e" not in text:
            whole, _, fraction = text.partition(".")
            text = f"{int(whole):,}" + (f".{fraction}" if fraction else "")
        return text
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    return str(value)
