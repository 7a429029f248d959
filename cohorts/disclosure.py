"""Small-group suppression for tables shared beyond the facilitators (the board report).

Three rules, applied to a table whose rows are groups (plus a total row):

1. a group with fewer learners than the threshold has every figure hidden;
2. a count between 1 and threshold - 1 is hidden;
3. complementary (secondary) suppression: a line of cells that adds up to a total shown in the
   table (a row of counts and its row total, a column and the total row) must not have exactly
   one hidden cell, or that cell could be worked out by subtraction. While some line has
   exactly one, the smallest cell still shown in that line (other than zero, when it can) is
   hidden too, until none has. Averages count as such lines too, since the total row's
   average is the groups' averages weighted by their sizes.

The total row is hidden, like any group, when the whole cohort is below the threshold.
Pure functions: cells are (row, column) pairs and nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Cell = tuple[str, str]  # (row key, column key)


@dataclass(frozen=True)
class Line:
    """Cells whose values add up (or average, weighted) to ``total``."""

    parts: tuple[Cell, ...]
    total: Cell | None = None

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self.parts if self.total is None else (*self.parts, self.total)


def small_groups(*, sizes: Mapping[str, int], threshold: int) -> set[str]:
    """Rule 1: the groups with fewer than ``threshold`` members."""
    return {row for row, size in sizes.items() if size < threshold}


def small_counts(*, counts: Mapping[Cell, int], threshold: int) -> set[Cell]:
    """Rule 2: counts between 1 and threshold - 1 (zero is shown)."""
    return {cell for cell, value in counts.items() if 0 < value < threshold}


def complementary(
    *, hidden: Iterable[Cell], lines: Sequence[Line], rank: Mapping[Cell, float]
) -> set[Cell]:
    """Rule 3: ``hidden`` plus whatever else must be hidden so that no line has exactly one
    hidden cell. The next cell hidden in a line is its smallest part still shown (by
    ``rank``: the count itself, or the group's size for averages); the line's total only when
    no part is left. Zeros come last: counts are never negative, so hidden cells that add up
    to zero would all be known to be zero, and would hide nothing. For the same reason a line
    whose total is zero needs nothing more hidden."""
    result = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in result for cell in line.cells) != 1:
                continue
            if line.total is not None and rank.get(line.total, None) == 0:
                continue  # a total of zero: every part is zero, and hiding one protects nothing
            shown = sorted(
                (cell for cell in line.parts if cell not in result),
                key=lambda cell: (rank.get(cell, 0) == 0, rank.get(cell, 0), cell),
            )
            if shown:
                result.add(shown[0])
            elif line.total is not None and line.total not in result:
                result.add(line.total)
            else:
                continue
            changed = True
    return result


@dataclass(frozen=True)
class GroupTable:
    """A report table: for each row (groups and the total row) a size, counts that add up to
    the size, and averages (weighted by size) whose total-row value is the cohort's."""

    rows: tuple[str, ...]  # the groups, without the total row
    total_row: str
    size_column: str
    count_columns: tuple[str, ...]  # parts of the size: each member is in exactly one
    average_columns: tuple[str, ...]
    values: Mapping[Cell, float | int | None]


def suppress_group_table(*, table: GroupTable, threshold: int) -> set[Cell]:
    """Every cell of the table to hide, by the three rules."""
    all_rows = (*table.rows, table.total_row)
    columns = (table.size_column, *table.count_columns, *table.average_columns)
    sizes = {row: int(table.values.get((row, table.size_column)) or 0) for row in all_rows}
    hidden: set[Cell] = {
        (row, column)
        for row in small_groups(sizes=sizes, threshold=threshold)
        for column in columns
    }
    counts = {
        (row, column): int(table.values.get((row, column)) or 0)
        for row in all_rows
        for column in (table.size_column, *table.count_columns)
    }
    hidden |= small_counts(counts=counts, threshold=threshold)
    lines = [
        Line(
            parts=tuple((row, column) for column in table.count_columns),
            total=(row, table.size_column),
        )
        for row in all_rows
    ]
    lines += [
        Line(
            parts=tuple((row, column) for row in table.rows),
            total=(table.total_row, column),
        )
        for column in (table.size_column, *table.count_columns, *table.average_columns)
    ]
    rank: dict[Cell, float] = {cell: value for cell, value in counts.items()}
    for column in table.average_columns:
        rank.update({(row, column): sizes[row] for row in table.rows})
    return complementary(hidden=hidden, lines=lines, rank=rank)
