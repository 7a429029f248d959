"""The SQL sandbox: correct answers for ordinary SELECTs, and a corpus of attacks it must refuse."""

# Building SQL from strings is the point of these tests: they are the hostile input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import pickle
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from exercises import sql_sandbox
from exercises.sql_sandbox import QueryResult, SqlRejected, Table, results_match, run_query

GAPMINDER = Table(
    name="gapminder",
    columns=[
        ("country", "text"),
        ("continent", "text"),
        ("year", "integer"),
        ("lifeExp", "number"),
        ("pop", "integer"),
        ("surveyed", "date"),
    ],
    rows=[
        ("Afghanistan", "Asia", 2002, 42.129, 25268405, dt.date(2002, 6, 1)),
        ("Afghanistan", "Asia", 2007, 43.828, 31889923, dt.date(2007, 6, 1)),
        ("Albania", "Europe", 2002, 75.651, 3508512, dt.date(2002, 3, 15)),
        ("Albania", "Europe", 2007, 76.423, 3600523, None),
        ("Algeria", "Africa", 2002, 70.994, 31287142, dt.date(2002, 9, 30)),
        ("Algeria", "Africa", 2007, 72.301, 33333216, dt.date(2007, 9, 30)),
        ("France", "Europe", 2002, 79.59, 59925035, dt.date(2002, 1, 10)),
        ("France", "Europe", 2007, 80.657, 61083916, dt.date(2007, 1, 10)),
    ],
)
CONTINENTS = Table(
    name="continents",
    columns=[("name", "text"), ("area_km2", "number")],
    rows=[("Asia", 44_579_000), ("Europe", 10_180_000), ("Africa", 30_370_000)],
)
TABLES = [GAPMINDER, CONTINENTS]
KEY = "test-gapminder-v1"


def run(sql: str, **kwargs: object) -> QueryResult:
    return run_query(TABLES, sql, version_key=KEY, **kwargs)  # type: ignore[arg-type]


def rejected(sql: str, **kwargs: object) -> str:
    """Run ``sql``, expect SqlRejected, and return its (checked) learner-facing message."""
    with pytest.raises(SqlRejected) as info:
        run(sql, **kwargs)
    message = str(info.value)
    assert message and len(message) < 600
    assert "Traceback" not in message
    assert "/work" not in message and ".py" not in message
    return message


def result(columns: list[str], rows: list[tuple], truncated: bool = False) -> QueryResult:
    return QueryResult(columns=columns, rows=rows, truncated=truncated)


def assert_dataset_intact() -> None:
    assert run("SELECT count(*), sum(pop) FROM gapminder").rows == [(8, 249896672)]
    assert run("SELECT count(*) FROM continents").rows == [(3,)]


# --- Ordinary queries ----------------------------------------------------------------------------


def test_select_star_returns_columns_and_typed_values() -> None:
    res = run("SELECT * FROM gapminder WHERE country = 'Albania' ORDER BY year")
    assert res.columns == ["country", "continent", "year", "lifeExp", "pop", "surveyed"]
    assert res.rows == [
        ("Albania", "Europe", 2002, 75.651, 3508512, "2002-03-15"),
        ("Albania", "Europe", 2007, 76.423, 3600523, None),
    ]
    assert res.truncated is False


def test_where_with_several_conditions() -> None:
    res = run(
        "SELECT country FROM gapminder "
        "WHERE year = 2007 AND (lifeExp > 75 OR continent = 'Asia') ORDER BY country"
    )
    assert res.rows == [("Afghanistan",), ("Albania",), ("France",)]


def test_group_by_with_aggregates_and_order_by() -> None:
    res = run(
        "SELECT continent, count(*) AS n, round(avg(lifeExp), 2) AS avg_life, max(pop), min(year) "
        "FROM gapminder GROUP BY continent HAVING n >= 2 ORDER BY avg_life DESC"
    )
    assert res.columns == ["continent", "n", "avg_life", "max(pop)", "min(year)"]
    assert res.rows == [
        ("Europe", 4, 78.08, 61083916, 2002),
        ("Africa", 2, 71.65, 33333216, 2002),
        ("Asia", 2, 42.98, 31889923, 2002),
    ]


def test_aggregate_functions() -> None:
    res = run(
        "SELECT count(*), count(surveyed), sum(pop), total(pop), min(lifeExp), max(lifeExp), "
        "group_concat(DISTINCT continent) FROM gapminder"
    )
    (row,) = res.rows
    assert row[:6] == (8, 7, 249896672, 249896672.0, 42.129, 80.657)
    assert sorted(row[6].split(",")) == ["Africa", "Asia", "Europe"]


def test_join_between_two_tables() -> None:
    res = run(
        "SELECT g.country, c.area_km2 FROM gapminder AS g "
        "JOIN continents AS c ON c.name = g.continent "
        "WHERE g.year = 2007 ORDER BY g.country"
    )
    assert res.rows == [
        ("Afghanistan", 44_579_000.0),
        ("Albania", 10_180_000.0),
        ("Algeria", 30_370_000.0),
        ("France", 10_180_000.0),
    ]


def test_left_join_subquery_and_case() -> None:
    res = run(
        "SELECT c.name, CASE WHEN t.n IS NULL THEN 0 ELSE t.n END FROM continents c "
        "LEFT JOIN (SELECT continent, count(*) AS n FROM gapminder WHERE pop > 30000000 "
        "GROUP BY continent) t ON t.continent = c.name ORDER BY c.name"
    )
    assert res.rows == [("Africa", 2), ("Asia", 1), ("Europe", 2)]


def test_terminating_recursive_cte() -> None:
    res = run(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) "
        "SELECT x, x * x FROM n"
    )
    assert res.rows == [(x, x * x) for x in range(1, 11)]


def test_cte_with_count_star() -> None:
    res = run("WITH europe AS (SELECT * FROM gapminder WHERE continent = 'Europe') "
              "SELECT count(*) FROM europe")  # fmt: skip
    assert res.rows == [(4,)]


def test_window_functions_and_dates() -> None:
    res = run(
        "SELECT country, rank() OVER (ORDER BY lifeExp DESC), strftime('%Y', surveyed) "
        "FROM gapminder WHERE year = 2002 ORDER BY 2"
    )
    assert res.rows == [
        ("France", 1, "2002"),
        ("Albania", 2, "2002"),
        ("Algeria", 3, "2002"),
        ("Afghanistan", 4, "2002"),
    ]


def test_values_and_expressions_without_tables() -> None:
    assert run("VALUES (1, 'a'), (2, 'b')").rows == [(1, "a"), (2, "b")]
    assert run("SELECT 7 / 2, 7 / 2.0, upper('x'), coalesce(NULL, 3)").rows == [(3, 3.5, "X", 3)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM gapminder;",
        "  select count(*) from gapminder ;  -- done\n",
        "/* how many? */ SELECT count(*) FROM gapminder; /* that's all */",
        "SELECT count(*) FROM gapminder -- no semicolon",
        "SELECT count(*) FROM gapminder /* SQLite ends an unterminated comment at the end",
    ],
)
def test_trailing_semicolons_and_comments_are_fine(sql: str) -> None:
    assert run(sql).rows == [(8,)]


def test_semicolons_inside_strings_and_identifiers_are_not_statement_breaks() -> None:
    res = run("SELECT 'a;b' AS \"x;y\", 'it''s; fine' FROM continents WHERE name = 'Asia'")
    assert res.columns == ["x;y", "'it''s; fine'"]
    assert res.rows == [("a;b", "it's; fine")]


def test_row_cap_truncates_with_exactly_row_cap_rows() -> None:
    res = run("SELECT a.country, b.country, c.country, d.country "
              "FROM gapminder a, gapminder b, gapminder c, gapminder d")  # fmt: skip
    assert res.truncated is True
    assert len(res.rows) == 1000

    small = run("SELECT * FROM gapminder", row_cap=5)
    assert small.truncated is True
    assert len(small.rows) == 5


def test_result_exactly_at_row_cap_is_not_truncated() -> None:
    res = run("SELECT * FROM gapminder", row_cap=8)
    assert len(res.rows) == 8
    assert res.truncated is False


def test_endless_recursive_cte_without_aggregate_hits_the_row_cap() -> None:
    res = run("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n")
    assert res.truncated is True
    assert res.rows == [(x,) for x in range(1, 1001)]


# --- Helpful messages ------------------------------------------------------------------------------


def test_no_such_column_lists_the_columns() -> None:
    message = rejected("SELECT lifexp FROM gapminder")
    assert "There is no column called 'lifexp'" in message
    assert "country, continent, year, lifeExp, pop, surveyed" in message
    assert "Did you mean 'lifeExp'?" in message


def test_no_such_table_lists_the_tables() -> None:
    message = rejected("SELECT * FROM gapminders")
    assert "There is no table called 'gapminders'" in message
    assert "gapminder, continents" in message


def test_syntax_error_shows_sqlite_message() -> None:
    message = rejected("SELECT country FORM gapminder")
    assert message == 'SQLite said: near "gapminder": syntax error'
    message = rejected("SELECT country, FROM gapminder")
    assert message == 'SQLite said: near "FROM": syntax error'


def test_other_helpful_messages() -> None:
    assert "no function called median()" in rejected("SELECT median(pop) FROM gapminder")
    assert "More than one table has a column called 'name'" in rejected(
        "SELECT name FROM continents a JOIN continents b ON a.name = b.name"
    )
    assert "end too early" in rejected("SELECT country FROM")
    assert "parameters" in rejected("SELECT * FROM gapminder WHERE year = ?")
    assert "parameters" in rejected("SELECT * FROM gapminder WHERE year = :year")
    assert "empty" in rejected("  -- nothing here\n ")
    assert "empty" in rejected("")


# --- results_match -------------------------------------------------------------------------------


def test_results_match_order_insensitive_vs_ordered() -> None:
    expected = result(["a"], [(1,), (2,), (3,)])
    shuffled = result(["a"], [(3,), (1,), (2,)])
    assert results_match(expected, shuffled, order_matters=False)
    assert not results_match(expected, shuffled, order_matters=True)
    assert results_match(expected, expected, order_matters=True)


def test_results_match_int_and_float() -> None:
    assert results_match(result(["n"], [(3,)]), result(["n"], [(3.0,)]), order_matters=True)
    assert results_match(result(["n"], [(3.0,)]), result(["n"], [(3,)]), order_matters=False)
    assert results_match(result(["x"], [(0.1 + 0.2,)]), result(["x"], [(0.3,)]), order_matters=True)
    assert not results_match(result(["x"], [(1.0,)]), result(["x"], [(1.001,)]), order_matters=True)
    assert not results_match(result(["n"], [(3,)]), result(["n"], [("3",)]), order_matters=True)
    big = 2**62
    assert not results_match(
        result(["n"], [(big,)]), result(["n"], [(big + 1,)]), order_matters=True
    )


def test_results_match_ignores_column_names_but_not_column_count() -> None:
    expected = result(["country", "n"], [("France", 2)])
    assert results_match(expected, result(["c", "count(*)"], [("France", 2)]), order_matters=True)
    assert not results_match(expected, result(["country"], [("France",)]), order_matters=False)
    assert not results_match(
        expected, result(["country", "n", "x"], [("France", 2, None)]), order_matters=False
    )


def test_results_match_different_row_counts_and_duplicates() -> None:
    expected = result(["a"], [(1,), (1,), (2,)])
    assert not results_match(expected, result(["a"], [(1,), (2,)]), order_matters=False)
    assert not results_match(expected, result(["a"], [(1,), (2,), (2,)]), order_matters=False)
    assert results_match(expected, result(["a"], [(2,), (1,), (1,)]), order_matters=False)
    assert results_match(result(["a"], []), result(["b"], []), order_matters=True)


def test_results_match_mixed_rows_nulls_and_tolerance() -> None:
    expected = result(["c", "v"], [("A", None), ("B", 1.0), ("B", 2.0), (None, 0.3)])
    actual = result(["c", "v"], [("B", 2.0000000000001), (None, 0.1 + 0.2), ("A", None), ("B", 1)])
    assert results_match(expected, actual, order_matters=False)
    assert not results_match(
        expected,
        result(["c", "v"], [("B", 2.0), (None, 0.3), ("A", 0), ("B", 1.0)]),
        order_matters=False,
    )


def test_results_match_near_equal_numbers_that_sort_differently() -> None:
    # Sorting puts these in a different order, but a tolerant pairing exists.
    expected = result(["x", "y"], [(1.0, 2), (1.0 + 1e-12, 1)])
    actual = result(["x", "y"], [(1.0, 1), (1.0 + 1e-12, 2)])
    assert results_match(expected, actual, order_matters=False)


def test_results_match_accepts_lists_from_json() -> None:
    expected = result(["a", "b"], [("x", 1)])
    actual = QueryResult(columns=["a", "b"], rows=[["x", 1.0]], truncated=False)  # type: ignore[list-item]
    assert results_match(expected, actual, order_matters=True)
    assert results_match(expected, actual, order_matters=False)


def test_results_match_truncated_only_matches_truncated() -> None:
    rows = [(i,) for i in range(3)]
    assert not results_match(result(["a"], rows), result(["a"], rows, True), order_matters=True)


def test_results_match_real_queries() -> None:
    reference = run("SELECT continent, count(*) FROM gapminder GROUP BY continent")
    attempt = run("SELECT continent AS c, count(country) AS n FROM gapminder "
                  "GROUP BY 1 ORDER BY 2 DESC")  # fmt: skip
    assert results_match(reference, attempt, order_matters=False)
    wrong = run("SELECT continent, count(*) FROM gapminder WHERE year = 2007 GROUP BY continent")
    assert not results_match(reference, wrong, order_matters=False)


# --- Attacks --------------------------------------------------------------------------------------

WRITES = [
    "INSERT INTO gapminder (country) VALUES ('Atlantis')",
    "UPDATE gapminder SET pop = 0",
    "DELETE FROM gapminder",
    "CREATE TABLE evil (x)",
    "CREATE TEMP TABLE evil AS SELECT * FROM gapminder",
    "CREATE VIEW v AS SELECT 1",
    "CREATE INDEX i ON gapminder (country)",
    "CREATE TRIGGER t AFTER INSERT ON gapminder BEGIN DELETE FROM gapminder; END",
    "DROP TABLE gapminder",
    "ALTER TABLE gapminder ADD COLUMN evil TEXT",
    "ALTER TABLE gapminder RENAME TO g2",
    "REPLACE INTO continents VALUES ('Asia', 0)",
    "REINDEX",
    "ANALYZE",
    "insert into gapminder select * from gapminder",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_rejected(sql: str) -> None:
    assert rejected(sql).startswith("Only SELECT queries can be run here.")
    assert_dataset_intact()


@pytest.mark.parametrize(
    "sql",
    [
        "WITH x AS (SELECT 1) DELETE FROM gapminder",
        "WITH x AS (SELECT 1) INSERT INTO gapminder (country) SELECT * FROM x",
        "WITH x AS (SELECT 1) UPDATE gapminder SET pop = 0",
        "WITH x AS (SELECT 1) REPLACE INTO continents VALUES ('Asia', 0)",
    ],
)
def test_writes_hidden_behind_with_are_stopped_by_the_authorizer(sql: str) -> None:
    assert rejected(sql).startswith("Only SELECT queries can be run here.")
    assert_dataset_intact()


def test_attach_is_rejected_and_creates_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    for sql in [
        f"ATTACH DATABASE '{target}' AS x",
        f"attach '{target}' as x",
        f"ATTACH 'file:{target}?mode=rwc' AS x",
        f"SELECT 1; ATTACH DATABASE '{target}' AS x",
        "DETACH DATABASE main",
    ]:
        rejected(sql)
        assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_attach_literal_tmp_path_creates_no_file() -> None:
    target = Path("/tmp/x.db")  # noqa: S108 - the classic attack string
    existed = target.exists()
    assert "Attaching other databases is not allowed" in rejected(
        "ATTACH DATABASE '/tmp/x.db' AS x"
    )
    assert target.exists() == existed


def test_vacuum_into_is_rejected_and_creates_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    assert rejected(f"VACUUM INTO '{target}'").startswith("Only SELECT queries")
    assert rejected("VACUUM").startswith("Only SELECT queries")
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA table_info(gapminder)",
        "PRAGMA query_only = OFF",
        "PRAGMA writable_schema = ON",
        "PRAGMA database_list",
        "PRAGMA compile_options",
        "pragma journal_mode = WAL",
        "PRAGMA main.user_version = 7",
    ],
)
def test_pragma_statements_are_rejected(sql: str) -> None:
    assert "PRAGMA statements are not allowed" in rejected(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM pragma_table_info('gapminder')",
        "SELECT * FROM pragma_database_list",
        "SELECT count(*) FROM pragma_compile_options",
        "SELECT * FROM dbstat",
        "SELECT * FROM json_each('[1, 2]')",
        "SELECT sql FROM sqlite_stmt",
    ],
)
def test_pragma_functions_and_virtual_tables_are_rejected(sql: str) -> None:
    assert "The tables are: gapminder, continents" in rejected(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT load_extension('x')",
        "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0', 'sqlite3_init')",
        "SELECT randomblob(1000000000)",
        "SELECT zeroblob(1000000000)",
        "SELECT zeroblob(10)",
        "SELECT random()",
        "SELECT country FROM gapminder ORDER BY random()",
        "SELECT sqlite_version()",
        "SELECT sqlite_compileoption_used('ENABLE_LOAD_EXTENSION')",
        "SELECT fts3_tokenizer('simple')",
        "SELECT changes()",
        "SELECT last_insert_rowid()",
    ],
)
def test_dangerous_or_nondeterministic_functions_are_rejected(sql: str) -> None:
    message = rejected(sql)
    assert "is not available here" in message


def test_readfile_style_functions_do_not_exist() -> None:
    assert "no function called readfile()" in rejected("SELECT readfile('/etc/passwd')")
    assert "no function called writefile()" in rejected("SELECT writefile('/tmp/x', 'y')")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM sqlite_master",
        "SELECT * FROM sqlite_schema",
        "SELECT sql FROM main.sqlite_schema",
        "SELECT name FROM sqlite_temp_master",
        "SELECT count(*) FROM sqlite_master",
        "SELECT 1 FROM sqlite_schema",
        "SELECT country FROM gapminder WHERE country IN (SELECT name FROM sqlite_master)",
        "WITH s AS (SELECT * FROM sqlite_schema) SELECT * FROM s",
    ],
)
def test_schema_tables_cannot_be_read(sql: str) -> None:
    message = rejected(sql)
    assert "cannot be read here" in message
    assert "The tables are: gapminder, continents" in message


@pytest.mark.parametrize(
    "sql",
    [
        "select 1; drop table gapminder",
        "SELECT * FROM gapminder; DELETE FROM gapminder;",
        "select 1; select 2",
        "select 1;\n/* comment */ select 2",
        "select ';'; pragma query_only = off",
    ],
)
def test_multiple_statements_are_rejected(sql: str) -> None:
    assert rejected(sql).startswith("Only one statement can be run at a time.")
    assert_dataset_intact()


@pytest.mark.parametrize(
    "sql",
    [
        "BEGIN",
        "BEGIN IMMEDIATE TRANSACTION",
        "COMMIT",
        "END TRANSACTION",
        "ROLLBACK",
        "SAVEPOINT sp",
        "RELEASE sp",
    ],
)
def test_transactions_are_rejected(sql: str) -> None:
    assert "Transactions are not needed" in rejected(sql)


def test_endless_recursive_cte_is_stopped_by_the_time_limit() -> None:
    started = time.monotonic()
    message = rejected(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
    )
    elapsed = time.monotonic() - started
    assert message.startswith("The query took too long")
    assert "500 ms" in message
    assert elapsed < 2.0


def test_time_limit_is_configurable() -> None:
    started = time.monotonic()
    message = rejected(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION SELECT x + 1 FROM n) SELECT max(x) FROM n",
        time_limit_ms=100,
    )
    assert "100 ms" in message
    assert time.monotonic() - started < 1.0


CROSS_JOIN = ", ".join(f"gapminder g{i}" for i in range(12))


def test_giant_cross_join_aggregate_hits_the_time_limit() -> None:
    started = time.monotonic()
    message = rejected(f"SELECT count(*) FROM {CROSS_JOIN}")
    assert message.startswith("The query took too long")
    assert time.monotonic() - started < 2.0


def test_giant_cross_join_with_sort_hits_the_time_limit() -> None:
    started = time.monotonic()
    message = rejected(f"SELECT g0.country FROM {CROSS_JOIN} ORDER BY g0.pop + g11.pop + g5.year")
    assert message.startswith("The query took too long")
    assert time.monotonic() - started < 2.0


def test_giant_cross_join_rows_hit_the_row_cap() -> None:
    started = time.monotonic()
    res = run(f"SELECT * FROM {CROSS_JOIN}")
    assert res.truncated is True
    assert len(res.rows) == 1000
    assert len(res.columns) == 72
    assert time.monotonic() - started < 2.0


def test_huge_query_string_is_rejected_before_running() -> None:
    message = rejected("SELECT " + "1 + " * 5000 + "1")
    assert message.startswith("The query is too long (20,008 characters)")
    message = rejected("SELECT 1 -- " + "x" * 1_000_000)
    assert "too long" in message


def test_query_at_the_length_limit_runs_but_deep_expressions_are_refused() -> None:
    padding = " " * (sql_sandbox.MAX_QUERY_CHARS - 30)
    assert run("SELECT 1" + padding).rows == [(1,)]
    message = rejected("SELECT " + "1 + " * 2000 + "1")
    assert "too complex" in message
    message = rejected("SELECT " + "(" * 1000 + "1" + ")" * 1000)
    assert "SQLite said" in message


def test_huge_values_are_refused() -> None:
    assert "too large" in rejected(
        "WITH RECURSIVE s(t) AS (SELECT 'x' UNION ALL SELECT t || t FROM s) SELECT count(*) FROM s"
    )
    assert "too large" in rejected("SELECT replace(printf('%.*c', 99999, 'x'), 'x', 'xx')")
    assert "too large" in rejected("SELECT hex(printf('%.*c', 60000, 'x'))")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT printf('%.*c', 2000000000, 'x')",
        "SELECT printf('%.2147483647c', 'x')",
        "SELECT format('%-5.*c', '2000000000', 'x')",
        "SELECT printf('%d %*.*c', 1, 5, 2000000000.0, 'x')",
        "SELECT printf('%.*c', pop * 100, 'x') FROM gapminder",
    ],
)
def test_printf_with_a_huge_repeat_count_is_null_and_quick(sql: str) -> None:
    # SQLite's own answer is NULL too, but only after seconds of work in a single instruction.
    started = time.monotonic()
    assert {row for row in run(sql).rows} == {(None,)}
    assert time.monotonic() - started < 0.5


def test_printf_and_trim_still_behave_like_sqlite() -> None:
    res = run(
        "SELECT printf('%s: %d people, %.1f%%', country, pop, lifeExp), format('%5.*c|', 3, 'x'), "
        "printf('%,d', pop), trim('xxAxx', 'x'), ltrim('  A'), rtrim(12300, '0'), printf() "
        "FROM gapminder WHERE country = 'France' AND year = 2007"
    )
    assert res.rows == [
        ("France: 61083916 people, 80.7%", "  xxx|", "61,083,916", "A", "A", "123", None)
    ]


def test_quadratic_string_functions_stay_quick() -> None:
    long_a = "printf('%.*c', 99990, 'a')"
    near_miss = "printf('%.*c', 49990, 'a') || 'b'"
    for sql in [
        f"SELECT instr({long_a}, {near_miss})",
        f"SELECT length(replace({long_a}, {near_miss}, 'x'))",
        f"SELECT {long_a} LIKE '%' || printf('%.*c', 90, 'a') || 'b'",
        f"SELECT {long_a} GLOB '*' || printf('%.*c', 90, 'a') || 'b'",
    ]:
        started = time.monotonic()
        run(sql)
        assert time.monotonic() - started < 0.5, sql
    assert "too complex" in rejected(f"SELECT {long_a} LIKE printf('%.*c', 200, '%')")
    started = time.monotonic()
    message = rejected(f"SELECT trim({long_a}, printf('%.*c', 5000, 'b'))")
    assert "too long" in message
    assert time.monotonic() - started < 0.5


def test_too_many_columns_or_compound_terms_are_refused() -> None:
    assert "too complex" in rejected("SELECT " + ", ".join(["1"] * 150))
    assert "too complex" in rejected(" UNION ALL ".join(["SELECT 1"] * 60))
    assert "too complex" in rejected("SELECT max(" + ", ".join(["1"] * 40) + ")")


def test_large_result_size_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_sandbox, "MAX_RESULT_CHARS", 10_000)
    assert "too large to show" in rejected("SELECT printf('%.*c', 5000, 'x') FROM gapminder")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ＳＥＬＥＣＴ * FROM gapminder", "full-width"),
        ("SELECT ｃｏｕｎｔｒｙ FROM gapminder", "full-width"),
        ("SELECT coun\u200btry FROM gapminder", "U+200B"),
        ("SELECT \u202ecountry FROM gapminder", "U+202E"),
        ("SELECT country FROM gapminder WHERE country = 'Fr\u202eance'", "U+202E"),
        ("SELECT\u00a0country FROM gapminder", "no-break space"),
        ("\ufeffSELECT 1", "U+FEFF"),
        ("SELECT 1\x00; DROP TABLE gapminder", "U+0000"),
        ("SELECT 1 \x1b[31m", "U+001B"),
        ("SELECT \ud800 FROM gapminder", "U+D800"),
        ("SELECT “country” FROM gapminder", "curly quotes"),
        ("SELECT country FROM gapminder WHERE country = ‘France’", "curly quotes"),
        ("s\u0435lect * from gapminder", "only look like ordinary letters"),  # Cyrillic e
        ("SELECT \u0441ountry FROM gapminder", "no column called"),  # Cyrillic es
        ("SELECT 'unterminated FROM gapminder", "SQLite said"),
        ('SELECT "country FROM gapminder', "SQLite said"),
        ("SELECT [country FROM gapminder", "SQLite said"),
        ("SELECT 🙂 FROM gapminder", "There is no column called '🙂'"),
    ],
)
def test_unicode_tricks_give_ordinary_clear_errors(sql: str, expected: str) -> None:
    message = rejected(sql)
    assert expected in message
    assert_dataset_intact()


def test_unicode_in_string_literals_is_fine() -> None:
    res = run("SELECT 'Côte d’Ivoire', 'São Tomé', '日本', length('🙂') FROM continents LIMIT 1")
    assert res.rows == [("Côte d’Ivoire", "São Tomé", "日本", 1)]


def test_invalid_utf8_text_is_replaced_not_crashing() -> None:
    assert run("SELECT CAST(x'ff41' AS TEXT)").rows == [("\ufffdA",)]


@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN SELECT 1",
        "EXPLAIN QUERY PLAN SELECT * FROM gapminder",
        "(SELECT 1)",
        "SELEC 1",
    ],
)
def test_other_statements_are_rejected(sql: str) -> None:
    assert rejected(sql).startswith("Only SELECT queries can be run here.")


def test_next_query_works_after_rejections_and_timeouts() -> None:
    rejected("DROP TABLE gapminder")
    rejected("SELECT count(*) FROM " + CROSS_JOIN, time_limit_ms=50)
    rejected("SELECT load_extension('x')")
    rejected("SELECT nope FROM gapminder")
    started = time.monotonic()
    assert run("SELECT count(*) FROM gapminder").rows == [(8,)]
    assert time.monotonic() - started < 0.5
    assert_dataset_intact()


# --- Defence in depth: the locked-down connection on its own ---------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{target}' AS x",
        "VACUUM INTO '{target}'",
        "PRAGMA query_only = OFF",
        "BEGIN",
        "SAVEPOINT a",
        "DELETE FROM gapminder",
        "CREATE TABLE t (x)",
        "SELECT * FROM sqlite_master",
        "SELECT load_extension('{target}')",
    ],
)
def test_connection_refuses_without_the_text_checks(sql: str, tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    image = sql_sandbox._database_image(TABLES, KEY)
    with sql_sandbox._sandbox(image, TABLES, 500) as (conn, guard):
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute(sql.format(target=target))
        assert guard.denied
    assert not target.exists()


def test_connection_limits_and_query_only() -> None:
    image = sql_sandbox._database_image(TABLES, KEY)
    with sql_sandbox._sandbox(image, TABLES, 500) as (conn, _):
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) == 0
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) == 100_000
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH) <= 40_000
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH) <= 200
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT) <= 50
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_FUNCTION_ARG) <= 32
        conn.set_authorizer(None)
        assert conn.execute("PRAGMA query_only").fetchone() == (1,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM gapminder")
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")


# --- Worker health -----------------------------------------------------------------------------------


def test_every_connection_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def tracking_connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", tracking_connect)
    sql_sandbox._clear_cache()
    run("SELECT * FROM gapminder")
    rejected("DROP TABLE gapminder")
    rejected("SELECT nope FROM gapminder")
    rejected("SELECT count(*) FROM " + CROSS_JOIN, time_limit_ms=20)
    run("SELECT * FROM " + CROSS_JOIN)
    assert len(opened) >= 5
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")


def test_cache_reuses_images_and_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    sql_sandbox._clear_cache()
    monkeypatch.setattr(sql_sandbox, "CACHE_SIZE", 3)
    builds = 0
    real_build = sql_sandbox._build_image

    def counting_build(tables):  # type: ignore[no-untyped-def]
        nonlocal builds
        builds += 1
        return real_build(tables)

    monkeypatch.setattr(sql_sandbox, "_build_image", counting_build)
    for _ in range(3):
        run("SELECT 1 FROM gapminder")
    assert builds == 1
    for i in range(5):
        run_query(TABLES, "SELECT 1", version_key=f"other-{i}")
    assert len(sql_sandbox._cache) == 3
    assert builds == 6


def test_same_version_key_with_different_tables_is_not_confused() -> None:
    key = f"shared-{uuid.uuid4()}"
    one = Table("t", [("x", "integer")], [(1,)])
    two = Table("t", [("x", "integer"), ("y", "text")], [(2, "b"), (3, "c")])
    assert run_query([one], "SELECT * FROM t", version_key=key).rows == [(1,)]
    assert run_query([two], "SELECT * FROM t", version_key=key).rows == [(2, "b"), (3, "c")]
    three = Table("t", [("x", "integer"), ("y", "text")], [(2, "b"), (3, "changed")])
    assert run_query([three], "SELECT y FROM t", version_key=key).rows == [("b",), ("changed",)]


def test_concurrent_queries_in_threads() -> None:
    def work(i: int) -> list[tuple]:
        return run(f"SELECT count(*) + {i} FROM gapminder").rows

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(32)))
    assert results == [[(8 + i,)] for i in range(32)]


def test_sql_rejected_survives_pickling() -> None:
    with pytest.raises(SqlRejected) as info:
        run("DROP TABLE gapminder")
    copy = pickle.loads(pickle.dumps(info.value))  # noqa: S301 - our own object
    assert str(copy) == str(info.value)


# --- Dataset validation (author errors, not learner errors) ----------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        Table("bad name", [("x", "text")], []),
        Table("x; DROP TABLE y", [("x", "text")], []),
        Table("sqlite_evil", [("x", "text")], []),
        Table("t", [("x", "blob")], []),
        Table("t", [("x", "text"), ("X", "text")], []),
        Table("t", [("x", "text")], [("a", "b")]),
        Table("t", [("x", "text")], [(object(),)]),
    ],
)
def test_invalid_datasets_raise_value_error(table: Table) -> None:
    with pytest.raises(ValueError):
        run_query([table], "SELECT 1", version_key=f"bad-{uuid.uuid4()}")


def test_quoted_column_names_and_datetime_values() -> None:
    table = Table(
        "odd",
        [('a "quoted" name', "text"), ("when", "date"), ("ok", "integer")],
        [("x", dt.datetime(2024, 1, 2, 3, 4, 5), True)],
    )
    res = run_query([table], 'SELECT "a ""quoted"" name", "when", ok FROM odd', version_key="odd")
    assert res.rows == [("x", "2024-01-02 03:04:05", 1)]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        run("SELECT 1", time_limit_ms=0)
    with pytest.raises(ValueError):
        run("SELECT 1", row_cap=0)
