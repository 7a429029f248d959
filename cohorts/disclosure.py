"""Small-group suppression for tables shared beyond the facilitators (the board report).

Four rules, applied to a table whose rows are groups (plus a total row):

1. a group with fewer learners than the threshold has every figure hidden;
2. a count between 1 and threshold - 1 is hidden;
3. complementary (secondary) suppression: a line of cells that adds up to a total shown in the
   table (a row of counts and its row total, a column and the total row) must not have exactly
   one hidden cell, or that cell could be worked out by subtraction. While some line has
   exactly one, another cell of that line is hidden too, until none has: its smallest part
   still shown that is not zero, else its total, and a zero part only as a last resort (a
   zero hidden with a count leaves the hidden sum equal to that count). Averages count as
   such lines too, since the total row's average is the groups' averages weighted by their
   sizes.

   A cell in a line whose total is shown and is zero is known to be zero however it is shown
   (counts are never negative): it hides nothing, so it neither counts as hidden nor is chosen
   to hide another cell.

4. a final check, for the counts: a hidden count that could still be worked out (from the
   totals, the other figures shown and counts never being negative: ``determined_counts``)
   gets one more cell of its row or column hidden, and rules 3 and 4 run again.

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


def known_cells(
    *, lines: Sequence[Line], rank: Mapping[Cell, float], hidden: set[Cell]
) -> set[Cell]:
    """The parts of every line whose total is shown and is zero: each is known to be zero,
    hidden or not, since counts are never negative."""
    known: set[Cell] = set()
    for line in lines:
        if line.total is not None and line.total not in hidden and rank.get(line.total) == 0:
            known.update(line.parts)
    return known


def _complement(
    *, line: Line, hidden: set[Cell], known: set[Cell], rank: Mapping[Cell, float]
) -> Cell | None:
    """The cell of ``line`` to hide with its one hidden cell: the smallest part shown that is
    not zero, else the total (if not zero), else a zero part, else the total."""
    parts = [cell for cell in line.parts if cell not in hidden and cell not in known]
    non_zero = sorted((c for c in parts if rank.get(c, 0) > 0), key=lambda c: (rank[c], c))
    if non_zero:
        return non_zero[0]
    total = line.total if line.total is not None and line.total not in hidden else None
    if total is not None and rank.get(total, 0) > 0:
        return total
    if parts:
        return sorted(parts)[0]
    return total


def complementary(
    *, hidden: Iterable[Cell], lines: Sequence[Line], rank: Mapping[Cell, float]
) -> set[Cell]:
    """Rule 3: ``hidden`` plus whatever else must be hidden so that no line has exactly one
    hidden cell whose value is not known anyway (``known_cells``). ``rank`` orders the
    candidates: the count itself, or the group's size for averages."""
    result = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            known = known_cells(lines=lines, rank=rank, hidden=result)
            if sum(cell in result and cell not in known for cell in line.cells) != 1:
                continue
            cell = _complement(line=line, hidden=result, known=known, rank=rank)
            if cell is not None:
                result.add(cell)
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


def _count_lines(table: GroupTable) -> list[Line]:
    all_rows = (*table.rows, table.total_row)
    lines = [
        Line(
            parts=tuple((row, column) for column in table.count_columns),
            total=(row, table.size_column),
        )
        for row in all_rows
    ]
    return lines + [
        Line(parts=tuple((row, column) for row in table.rows), total=(table.total_row, column))
        for column in (table.size_column, *table.count_columns)
    ]


def determined_counts(*, table: GroupTable, hidden: set[Cell]) -> set[Cell]:
    """The hidden counts (sizes included) whose value can be worked out from the cells shown,
    the fact that each row's counts add up to its size and each column's to the total row,
    and that no count is negative.

    Another table that agrees with everything shown differs from this one by changes that
    add up to nothing along every line. Those changes are cycles of hidden cells, alternately
    up and down, in the graph whose nodes are the table's rows and columns and whose edges
    are the hidden cells (a size or a total-row cell enters its lines with a minus sign, which
    turns "up" round on it). A cell at zero can only go up. So a hidden cell can be worked out
    exactly when no such cycle passes through it."""
    rows = (*table.rows, table.total_row)
    columns = (table.size_column, *table.count_columns)
    cells = [(row, column) for row in rows for column in columns if (row, column) in hidden]
    Node = tuple[str, str]
    arcs: dict[Node, list[tuple[Node, Cell]]] = {}
    for row, column in cells:
        row_node, column_node = ("row", row), ("column", column)
        sign = (-1 if row == table.total_row else 1) * (-1 if column == table.size_column else 1)
        up = (row_node, column_node) if sign > 0 else (column_node, row_node)
        directions = [up]
        if int(table.values.get((row, column)) or 0) > 0:
            directions.append((up[1], up[0]))
        for start, end in directions:
            arcs.setdefault(start, []).append((end, (row, column)))

    def reaches(start: Node, goal: Node, *, avoiding: Cell) -> bool:
        seen, todo = {start}, [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            for following, cell in arcs.get(node, []):
                if cell != avoiding and following not in seen:
                    seen.add(following)
                    todo.append(following)
        return False

    determined = set()
    for row, column in cells:
        movable = any(
            reaches(end, start, avoiding=(row, column))
            for start, targets in arcs.items()
            for end, cell in targets
            if cell == (row, column)
        )
        if not movable:
            determined.add((row, column))
    return determined


def suppress_group_table(*, table: GroupTable, threshold: int) -> set[Cell]:
    """Every cell of the table to hide, by the four rules."""
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
    count_lines = _count_lines(table)
    lines = count_lines + [
        Line(parts=tuple((row, column) for row in table.rows), total=(table.total_row, column))
        for column in table.average_columns
    ]
    rank: dict[Cell, float] = {cell: value for cell, value in counts.items()}
    for column in table.average_columns:
        rank.update({(row, column): sizes[row] for row in table.rows})
    hidden = complementary(hidden=hidden, lines=lines, rank=rank)
    while extra := _widen(table=table, lines=count_lines, hidden=hidden, rank=rank):
        hidden = complementary(hidden=hidden | {extra}, lines=lines, rank=rank)
    return hidden


def _widen(
    *, table: GroupTable, lines: Sequence[Line], hidden: set[Cell], rank: Mapping[Cell, float]
) -> Cell | None:
    """Rule 4: one more cell to hide, for the first hidden count that can still be worked out
    (other than one known to be zero anyway): the smallest cell still shown in its row or
    column, zeros last. None when there is no such count, or nothing left to hide."""
    known = known_cells(lines=lines, rank=rank, hidden=hidden)
    for cell in sorted(determined_counts(table=table, hidden=hidden) - known):
        shown = {
            other
            for line in lines
            if cell in line.cells
            for other in line.cells
            if other not in hidden and other not in known
        }
        if shown:
            return min(
                shown, key=lambda other: (rank.get(other, 0) == 0, rank.get(other, 0), other)
            )
    return None
