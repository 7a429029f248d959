"""Numbers as authors type them and as course files store them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def plain(value: float) -> int | float:
    """Whole numbers as integers, so that a file reads 5 rather than 5.0."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def number_text(value: Any) -> str:
    """A number as a form shows it: 5 rather than 5.0, and 0.00005 rather than 5e-05 (which
    the number fields would not take back)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    tidy = plain(value)
    if isinstance(tidy, int):
        return str(tidy)
    if abs(value) >= 1e15 or value != value or value in (float("inf"), float("-inf")):
        return repr(value)  # beyond what anyone types; shown as Python writes it
    return format(Decimal(repr(value)), "f")
