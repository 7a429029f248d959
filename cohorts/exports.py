"""CSV downloads, streamed row by row so that a cohort of any size costs little memory.

Spreadsheet programs run a cell that starts with =, +, -, @, a tab or a carriage return as a
formula, so any text cell starting with one of those gets a leading apostrophe (OWASP's advice
on CSV injection). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose ``write`` hands back what it is given (Django's pattern for
    streaming large CSV files)."""

    def write(self, value: str) -> str:
        return value


def neutralise(value: Any) -> Any:
    """A cell as it is safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # a byte-order mark, so that Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def filename(*, cohort_id: int, what: str, today: datetime.date | None = None) -> str:
    day = (today or timezone.localdate()).isoformat()
    return f"cohort-{cohort_id}-{what}-{day}.csv"


def csv_response(*, rows: Iterable[Iterable[Any]], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
