"""Small-group suppression: primary rules, complementary suppression, and the report table."""

from __future__ import annotations

import random

import pytest

from cohorts.disclosure import (
    GroupTable,
    Line,
    complementary,
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


def assert_safe(t: GroupTable, hidden: set[tuple[str, str]]) -> None:
    """No figure can be worked out by subtraction, every small count is hidden, and every
    small group is hidden whole."""
    for line in lines_of(t):
        if line.total is not None and t.values[line.total] == 0:
            continue  # every part of a zero total is zero: nothing to protect
        assert sum(cell in hidden for cell in line.cells) != 1, line
    for (row, column), value in t.values.items():
        if column in ("learners", *COUNTS) and 0 < int(value or 0) < THRESHOLD:
            assert (row, column) in hidden, (row, column)
    for row in (*t.rows, t.total_row):
        if int(t.values[(row, "learners")] or 0) < THRESHOLD:
            for column in ("learners", *COUNTS, *AVERAGES):
                assert (row, column) in hidden


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

    def test_one_group_alone_is_shown_when_large_enough(self) -> None:
        t = table({"": (5, 0, 6)})
        assert suppress_group_table(table=t, threshold=THRESHOLD) == set()

    @pytest.mark.parametrize("seed", range(40))
    def test_random_tables_never_reveal_a_hidden_cell_by_subtraction(self, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
        groups = {
            f"Group {n}": tuple(rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 13, 30]) for _ in COUNTS)
            for n in range(rng.randint(1, 7))
        }
        t = table(groups)  # type: ignore[arg-type]
        assert_safe(t, suppress_group_table(table=t, threshold=THRESHOLD))
