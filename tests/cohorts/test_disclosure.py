"""Small-group suppression: primary rules, complementary suppression, and the report table.

Whether a hidden count can be worked out is checked independently of the code under test:
by linear programming, the smallest and largest value the cell can take in any table of
counts (never negative) that agrees with every figure shown and with the totals.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

import pytest

from cohorts.disclosure import (
    GroupTable,
    Line,
    complementary,
    determined_counts,
    small_counts,
    small_groups,
    suppress_group_table,
)

THRESHOLD = 5
COUNTS = ("on_track", "behind", "inactive")
AVERAGES = ("completion",)


def table(groups: dict[str, tuple[int, int, int]], completion: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
    """A report table from {group: (on track, behind, inactive)}; learners and the total row
    are added up, as the report does."""
    values: dict[tuple[str, str], float | int | None] = {}
    totals = [0, 0, 0]
    for group, counts in groups.items():
        values[(group, "learners")] = sum(counts)
        for index, (column, value) in enumerate(zip(COUNTS, counts, strict=True)):
            values[(group, column)] = value
            totals[index] += value
        values[(group, "completion")] = (completion or {}).get(group, 50)
    values[("total", "learners")] = sum(totals)
    for column, value in zip(COUNTS, totals, strict=True):
        values[("total", column)] = value
    values[("total", "completion")] = 50
    return GroupTable(
        rows=tuple(groups), total_row="total", size_column="learners", count_columns=COUNTS,
        average_columns=AVERAGES, values=values,
    )  # fmt: skip


def lines_of(t: GroupTable) -> list[Line]:
    rows = [*t.rows, t.total_row]
    lines = [Line(tuple((r, c) for c in t.count_columns), (r, t.size_column)) for r in rows]
    for column in (t.size_column, *t.count_columns, *t.average_columns):
        lines.append(Line(tuple((r, column) for r in t.rows), (t.total_row, column)))
    return lines


# --- An exact linear programme (simplex with fractions, Bland's rule) -----------------------
def minimise(a: Sequence[Sequence[int]], b: Sequence[int], c: Sequence[int]) -> Fraction | None:
    """The least c·x subject to A·x = b and x ≥ 0 (None when unbounded below). The system
    must be feasible: here the true table is a solution."""
    m, n = len(a), len(c)
    tableau = []
    for i in range(m):
        sign = -1 if b[i] < 0 else 1
        tableau.append(
            [Fraction(sign * v) for v in a[i]]
            + [Fraction(int(i == k)) for k in range(m)]  # an artificial variable per row
            + [Fraction(sign * b[i])]
        )
    basis = [n + i for i in range(m)]

    def pivot(r: int, col: int) -> None:
        tableau[r] = [v / tableau[r][col] for v in tableau[r]]
        for i, row in enumerate(tableau):
            if i != r and row[col]:
                tableau[i] = [v - row[col] * w for v, w in zip(row, tableau[r], strict=True)]
        basis[r] = col

    def run(cost: list[Fraction], columns: range) -> bool:
        while True:
            entering = next(
                (
                    j
                    for j in columns
                    if j not in basis
                    and cost[j] - sum(cost[basis[i]] * row[j] for i, row in enumerate(tableau)) < 0
                ),
                None,
            )
            if entering is None:
                return True
            ratios = [
                (row[-1] / row[entering], basis[i], i)
                for i, row in enumerate(tableau)
                if row[entering] > 0
            ]
            if not ratios:
                return False
            pivot(min(ratios)[2], entering)

    run([Fraction(0)] * n + [Fraction(1)] * m, range(n + m))
    i = 0
    while i < len(tableau):  # drive the artificial variables out; drop redundant rows
        if basis[i] >= n:
            col = next((j for j in range(n) if tableau[i][j]), None)
            if col is None:
                del tableau[i], basis[i]
                continue
            pivot(i, col)
        i += 1
    cost = [Fraction(v) for v in c] + [Fraction(0)] * m
    if not run(cost, range(n)):
        return None
    x = {j: tableau[i][-1] for i, j in enumerate(basis)}
    return sum((Fraction(c[j]) * x.get(j, Fraction(0)) for j in range(n)), Fraction(0))


def count_ranges(
    t: GroupTable, hidden: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[Fraction, Fraction | None]]:
    """For each hidden count (sizes and totals included), the least and greatest value it
    could have given everything shown (None: no upper bound)."""
    columns = (t.size_column, *t.count_columns)
    unknown = sorted(cell for cell in hidden if cell[1] in columns)
    index = {cell: k for k, cell in enumerate(unknown)}
    a: list[list[int]] = []
    b: list[int] = []
    for line in lines_of(t):
        if line.total is None or line.total[1] not in columns:
            continue
        row = [0] * len(unknown)
        rhs = 0
        for cell, sign in [*((part, 1) for part in line.parts), (line.total, -1)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * int(t.values[cell] or 0)
        if any(row):
            a.append(row)
            b.append(rhs)
    ranges = {}
    for cell, k in index.items():
        unit = [int(j == k) for j in range(len(unknown))]
        low = minimise(a, b, unit)
        high = minimise(a, b, [-v for v in unit])
        assert low is not None
        ranges[cell] = (low, None if high is None else -high)
    return ranges


def known_zero(t: GroupTable, hidden: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Counts in a line whose total is shown as 0: known to be 0 whatever is hidden."""
    return {
        part
        for line in lines_of(t)
        if line.total is not None and line.total not in hidden and t.values[line.total] == 0
        for part in line.parts
    }


def assert_safe(t: GroupTable, hidden: set[tuple[str, str]]) -> None:
    """No hidden count can be worked out from what is shown (unless a total of 0 shows it to
    be 0), no average by subtraction, every small count is hidden, and every small group is
    hidden whole."""
    zero = known_zero(t, hidden)
    for cell, (low, high) in count_ranges(t, hidden).items():
        if cell not in zero:
            assert high is None or low < high, (cell, low, high)
    for line in lines_of(t):
        if line.total is not None and line.total[1] in AVERAGES:
            assert sum(cell in hidden for cell in line.cells) != 1, line
    for (row, column), value in t.values.items():
        if column in ("learners", *COUNTS) and 0 < int(value or 0) < THRESHOLD:
            assert (row, column) in hidden, (row, column)
    for row in (*t.rows, t.total_row):
        if int(t.values[(row, "learners")] or 0) < THRESHOLD:
            for column in ("learners", *COUNTS, *AVERAGES):
                assert (row, column) in hidden


class TestTheCheckItself:
    def test_a_cell_alone_in_its_column_is_worked_out(self) -> None:
        """Treasury 20/3/7 and Home Office 15/6/9 with only Treasury's 3 and 7 hidden: the
        row gives their sum (10) but the columns give each (3 = 9 − 6, 7 = 16 − 9)."""
        t = table({"Treasury": (20, 3, 7), "Home Office": (15, 6, 9)})
        hidden = {("Treasury", "behind"), ("Treasury", "inactive")}
        assert count_ranges(t, hidden) == {
            ("Treasury", "behind"): (3, 3), ("Treasury", "inactive"): (7, 7),
        }  # fmt: skip
        assert determined_counts(table=t, hidden=hidden) == hidden

    def test_four_cells_in_a_rectangle_are_not(self) -> None:
        t = table({"Treasury": (20, 3, 7), "Home Office": (15, 6, 9)})
        hidden = {(g, c) for g in ("Treasury", "Home Office") for c in ("behind", "inactive")}
        assert count_ranges(t, hidden)[("Treasury", "behind")] == (0, 9)
        assert determined_counts(table=t, hidden=hidden) == set()

    def test_a_zero_that_cannot_go_below_zero_pins_its_partner(self) -> None:
        """Nobody is behind anywhere (total 0): a hidden 0 there is known, so the On track
        hidden with it in the same row is known too: 6 − 0 − 0."""
        t = table({"A": (12, 0, 12), "B": (6, 0, 0), "C": (22, 0, 1)})
        hidden = {
            ("B", "on_track"), ("B", "behind"), ("A", "on_track"), ("A", "inactive"),
            ("C", "on_track"), ("C", "inactive"),
        }  # fmt: skip
        assert count_ranges(t, hidden)[("B", "on_track")] == (6, 6)
        assert determined_counts(table=t, hidden=hidden) == {("B", "on_track"), ("B", "behind")}


class TestPrimaryRules:
    def test_small_groups_are_those_under_the_threshold(self) -> None:
        assert small_groups(sizes={"a": 4, "b": 5, "c": 0, "d": 12}, threshold=5) == {"a", "c"}

    def test_small_counts_are_one_to_threshold_minus_one_and_zero_is_shown(self) -> None:
        counts = {("a", "x"): 0, ("a", "y"): 1, ("a", "z"): 4, ("b", "x"): 5, ("b", "y"): 40}
        assert small_counts(counts=counts, threshold=5) == {("a", "y"), ("a", "z")}


class TestComplementary:
    def test_a_line_with_one_hidden_cell_hides_its_smallest_other_part(self) -> None:
        line = Line(parts=(("r", "a"), ("r", "b"), ("r", "c")), total=("r", "t"))
        rank = {("r", "a"): 3, ("r", "b"): 9, ("r", "c"): 7, ("r", "t"): 19}
        assert complementary(hidden={("r", "a")}, lines=[line], rank=rank) == {
            ("r", "a"), ("r", "c"),
        }  # fmt: skip

    def test_lines_with_none_or_two_hidden_are_left_alone(self) -> None:
        line = Line(parts=(("r", "a"), ("r", "b"), ("r", "c")), total=("r", "t"))
        rank = {("r", "a"): 3, ("r", "b"): 2, ("r", "c"): 7}
        assert complementary(hidden=set(), lines=[line], rank=rank) == set()
        two = {("r", "a"), ("r", "b")}
        assert complementary(hidden=two, lines=[line], rank=rank) == two

    def test_zeros_are_hidden_only_when_nothing_else_is_left(self) -> None:
        line = Line(parts=(("r", "a"), ("r", "b"), ("r", "c")), total=("r", "t"))
        rank = {("r", "a"): 2, ("r", "b"): 0, ("r", "c"): 30}
        assert complementary(hidden={("r", "a")}, lines=[line], rank=rank) == {
            ("r", "a"), ("r", "c"),
        }  # fmt: skip
        only_zero = {("r", "a"): 2, ("r", "b"): 0}
        short = Line(parts=(("r", "a"), ("r", "b")), total=("r", "t"))
        assert complementary(hidden={("r", "a")}, lines=[short], rank=only_zero) == {
            ("r", "a"), ("r", "b"),
        }  # fmt: skip

    def test_a_hidden_total_hides_a_part(self) -> None:
        line = Line(parts=(("r", "a"), ("r", "b")), total=("r", "t"))
        result = complementary(
            hidden={("r", "t")}, lines=[line], rank={("r", "a"): 8, ("r", "b"): 6}
        )
        assert result == {("r", "t"), ("r", "b")}

    def test_a_cell_known_to_be_zero_is_neither_counted_nor_chosen(self) -> None:
        """Column b adds up to 0, so (r, b) is known to be 0: hiding it with (r, a) would
        leave (r, a) = t − 0. The complement is (r, c); then (s, b) is not needed."""
        lines = [
            Line(parts=(("r", "a"), ("r", "b"), ("r", "c")), total=("r", "t")),
            Line(parts=(("r", "b"), ("s", "b")), total=("T", "b")),
        ]
        rank = {("r", "a"): 2, ("r", "b"): 0, ("r", "c"): 9, ("s", "b"): 0, ("T", "b"): 0}
        assert complementary(hidden={("r", "a")}, lines=lines, rank=rank) == {
            ("r", "a"), ("r", "c"),
        }  # fmt: skip
        assert complementary(hidden={("r", "a"), ("r", "b")}, lines=lines, rank=rank) == {
            ("r", "a"), ("r", "b"), ("r", "c"),
        }  # fmt: skip

    def test_the_total_before_a_zero_part(self) -> None:
        """A zero hidden with a count leaves their sum equal to that count: the total (not
        zero) is hidden rather than the zero."""
        line = Line(parts=(("r", "a"), ("r", "b")), total=("r", "t"))
        rank = {("r", "a"): 6, ("r", "b"): 0, ("r", "t"): 6}
        assert complementary(hidden={("r", "a")}, lines=[line], rank=rank) == {
            ("r", "a"), ("r", "t"),
        }  # fmt: skip

    def test_a_line_adding_up_to_zero_needs_no_complement(self) -> None:
        line = Line(parts=(("r", "a"), ("r", "b")), total=("r", "t"))
        rank = {("r", "a"): 0, ("r", "b"): 0, ("r", "t"): 0}
        assert complementary(hidden={("r", "a")}, lines=[line], rank=rank) == {("r", "a")}

    def test_the_total_is_hidden_when_no_part_is_left(self) -> None:
        line = Line(parts=(("r", "a"),), total=("r", "t"))
        assert complementary(hidden={("r", "a")}, lines=[line], rank={}) == {
            ("r", "a"), ("r", "t"),
        }  # fmt: skip

    def test_it_repeats_until_no_line_has_one_hidden_cell(self) -> None:
        """Hiding (x, a) leaves column a with one hidden cell; hiding (y, a) for it leaves
        row y with one; hiding (y, b) leaves column b with one; and so on."""
        grid = {("x", "a"): 1, ("x", "b"): 9, ("y", "a"): 6, ("y", "b"): 7}
        lines = [
            Line(parts=(("x", "a"), ("x", "b")), total=("x", "t")),
            Line(parts=(("y", "a"), ("y", "b")), total=("y", "t")),
            Line(parts=(("x", "a"), ("y", "a")), total=("t", "a")),
            Line(parts=(("x", "b"), ("y", "b")), total=("t", "b")),
        ]
        result = complementary(hidden={("x", "a")}, lines=lines, rank=grid)
        assert result == set(grid)


class TestReportTable:
    def test_nothing_is_hidden_when_every_group_and_count_is_large_enough(self) -> None:
        t = table({"Treasury": (10, 5, 0), "Home Office": (6, 0, 7)})
        assert suppress_group_table(table=t, threshold=THRESHOLD) == set()

    def test_a_small_group_is_hidden_whole_with_a_complement_in_each_column(self) -> None:
        """Cabinet Office has 3 learners: its whole row is hidden. Each column then has one
        hidden cell, so the smallest other group's non-zero cell goes too: Home Office
        (learners 8 < 12, on track 8 < 12, completion: its 8 learners < 12). Nobody is behind
        or inactive: with totals of 0, every part is known to be 0, so nothing more is
        hidden in those columns."""
        t = table({"Treasury": (12, 0, 0), "Home Office": (8, 0, 0), "Cabinet Office": (3, 0, 0)})
        hidden = suppress_group_table(table=t, threshold=THRESHOLD)
        assert {("Cabinet Office", c) for c in ("learners", *COUNTS, "completion")} <= hidden
        assert ("Home Office", "learners") in hidden
        assert ("Home Office", "on_track") in hidden
        assert ("Home Office", "completion") in hidden
        assert ("Treasury", "learners") not in hidden
        assert ("total", "learners") not in hidden
        assert ("Treasury", "behind") not in hidden and ("Home Office", "inactive") not in hidden
        assert_safe(t, hidden)

    def test_a_small_count_in_a_large_group_is_hidden_with_complements(self) -> None:
        """Treasury: 20 on track, 3 behind, 7 inactive. The 3 is hidden; its row then hides
        the next smallest part (7 inactive); the behind column hides the smallest other
        group's (Home Office, 6); the inactive column too (Home Office, 9); and then Home
        Office's row has two hidden cells, so the cascade stops."""
        t = table({"Treasury": (20, 3, 7), "Home Office": (15, 6, 9)})
        hidden = suppress_group_table(table=t, threshold=THRESHOLD)
        assert hidden == {
            ("Treasury", "behind"), ("Treasury", "inactive"),
            ("Home Office", "behind"), ("Home Office", "inactive"),
        }  # fmt: skip
        assert_safe(t, hidden)

    def test_the_whole_report_is_hidden_when_the_cohort_is_too_small(self) -> None:
        t = table({"Treasury": (2, 1, 0), "Home Office": (1, 0, 0)})
        hidden = suppress_group_table(table=t, threshold=THRESHOLD)
        assert ("total", "learners") in hidden and ("total", "completion") in hidden
        assert_safe(t, hidden)

    def test_a_count_is_not_hidden_with_a_zero_that_its_column_shows_to_be_zero(self) -> None:
        """Inactive: 12, 0 and 1 (hidden). Nobody is behind in any group, so every Behind
        cell is known to be 0: B's On track (6) cannot be hidden with B's Behind, or it
        would be 6 − 0 − 0. B has no other count that is not zero, so its size goes."""
        t = table({"A": (12, 0, 12), "B": (6, 0, 0), "C": (22, 0, 1)})
        hidden = suppress_group_table(table=t, threshold=THRESHOLD)
        assert ("C", "inactive") in hidden and ("B", "on_track") in hidden
        assert ("B", "behind") not in hidden
        assert ("B", "learners") in hidden
        assert_safe(t, hidden)

    def test_one_group_alone_is_shown_when_large_enough(self) -> None:
        t = table({"": (5, 0, 6)})
        assert suppress_group_table(table=t, threshold=THRESHOLD) == set()

    @pytest.mark.parametrize("seed", range(100))
    def test_random_tables_never_reveal_a_hidden_count(self, seed: int) -> None:
        """Random groups, with a whole column of zeros now and then (nobody behind, say)."""
        rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
        empty = {column for column in COUNTS if rng.random() < 0.4}
        groups = {
            f"Group {n}": tuple(
                0 if column in empty else rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 13, 30])
                for column in COUNTS
            )
            for n in range(rng.randint(1, 7))
        }
        t = table(groups)  # type: ignore[arg-type]
        assert_safe(t, suppress_group_table(table=t, threshold=THRESHOLD))
