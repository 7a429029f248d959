"""A sandbox for running learners' SQL SELECT queries against a small dataset.

Every attempt runs on its own fresh in-memory SQLite database:

1. The dataset tables are built once (CREATE TABLE + INSERT), the database is serialized to
   bytes, and the bytes are kept in a small module-level LRU cache keyed by the caller's
   ``version_key`` (plus a fingerprint of the tables' shape and content, so a key that is not
   bumped when the data changes cannot serve stale tables).
2. For each attempt a new ``sqlite3.connect(":memory:")`` connection gets a private copy of those
   bytes via ``deserialize()``, so nothing a query does can leak into the next attempt.
3. Before the learner's SQL is seen, the connection is locked down: ``PRAGMA query_only=ON``,
   tight ``setlimit`` values (no attached databases, bounded string/SQL length, expression
   depth, columns, compound SELECTs, function arguments, program size), an authorizer that only
   allows reading the dataset tables and calling an allow-list of harmless functions, and a
   progress handler that enforces a wall-clock time limit.
4. The SQL text itself is checked first: length, invisible/unusual characters, exactly one
   statement, and a statement that starts with SELECT, WITH or VALUES.
5. Rows are fetched in small batches up to a row cap; a total size budget stops huge results.

A read-only URI connection alone would not be a sandbox (ATTACH and VACUUM INTO can create
files); the authorizer and the limits are what make this safe. Every failure becomes
:class:`SqlRejected` whose text is a short, plain-English message for the learner.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import math
import numbers
import re
import sqlite3
import threading
import time
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["QueryResult", "SqlRejected", "Table", "results_match", "run_query"]

# --- Tunables ----------------------------------------------------------------------------------

MAX_QUERY_CHARS = 10_000
"""Longest query text accepted (characters)."""

MAX_VALUE_LENGTH = 100_000
"""SQLITE_LIMIT_LENGTH: the largest string or blob a query may produce (bytes).

Far more than a learner needs, and small on purpose: instr() and replace() compare strings in
time proportional to the product of their lengths inside a single virtual-machine instruction,
where the progress handler cannot stop them. At 1,000,000 bytes one call can take seconds;
at 100,000 it takes well under a tenth of a second."""

MAX_TRIM_WORK = 2_000_000
"""trim(X, Y), ltrim(X, Y) and rtrim(X, Y) take time proportional to len(X) * len(Y)."""

MAX_RESULT_CHARS = 5_000_000
"""Budget for the total size of text and blob values in one result."""

CACHE_SIZE = 32
"""How many serialized datasets the LRU keeps per process."""

PROGRESS_INTERVAL = 1_000
"""SQLite virtual-machine instructions between two checks of the clock."""

FETCH_BATCH = 20
"""Rows fetched per fetchmany() call."""

REL_TOL = 1e-9
ABS_TOL = 1e-12
"""Tolerances used by results_match for numbers (the absolute one only matters near zero)."""

_MIN_COLUMN_LIMIT = 100

_BASE_LIMITS: dict[int, int] = {
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_LENGTH,
    # Bytes, not characters: four UTF-8 bytes per character is the worst case, so any query
    # that passes the character check is accepted and SQLite still has a hard bound.
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 4 * MAX_QUERY_CHARS,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 50,
    sqlite3.SQLITE_LIMIT_VDBE_OP: 100_000,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 32,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 100,  # LIKE/GLOB take len(text) * len(pattern)
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 0,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 1,
    sqlite3.SQLITE_LIMIT_WORKER_THREADS: 0,
}

ALLOWED_FUNCTIONS: frozenset[str] = frozenset(
    {
        # aggregates
        "avg", "count", "group_concat", "max", "min", "string_agg", "sum", "total",
        # window functions
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
        "lag", "lead", "first_value", "last_value", "nth_value",
        # numbers
        "abs", "round", "sign", "ceil", "ceiling", "floor", "trunc", "sqrt", "exp", "ln",
        "log", "log2", "log10", "pow", "power", "mod", "pi",
        # text
        "char", "concat", "concat_ws", "format", "glob", "hex", "instr", "length", "like",
        "lower", "ltrim", "octet_length", "printf", "quote", "replace", "rtrim", "soundex",
        "substr", "substring", "trim", "unicode", "upper",
        # NULL handling, types and conditionals
        "coalesce", "ifnull", "iif", "nullif", "typeof", "likely", "unlikely", "likelihood",
        # dates and times (dates are stored as ISO text)
        "date", "time", "datetime", "julianday", "strftime", "unixepoch", "timediff",
        "current_date", "current_time", "current_timestamp",
    }
)  # fmt: skip
"""Functions a query may call. Everything else is refused, notably load_extension, random,
randomblob, zeroblob, fts3_tokenizer, sqlite_* introspection and any readfile/writefile."""

_COLUMN_TYPES = {"text": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "TEXT"}
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_START_WORDS = frozenset({"SELECT", "WITH", "VALUES"})
_ONLY_SELECT = "Only SELECT queries can be run here."
_ONE_STATEMENT = (
    "Only one statement can be run at a time. Remove the semicolon (;) and everything after it."
)


# --- Public types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[tuple[str, str]]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


class SqlRejected(Exception):
    """The query cannot run. ``str(exc)`` is a short, learner-facing message in plain English."""


# --- Building and caching the dataset ----------------------------------------------------------

_cache: OrderedDict[tuple[str, tuple[Any, ...]], bytes] = OrderedDict()
_cache_lock = threading.Lock()


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _validate(tables: Sequence[Table]) -> None:
    seen: set[str] = set()
    for table in tables:
        if not isinstance(table.name, str) or not _TABLE_NAME.match(table.name):
            raise ValueError(
                f"Table name {table.name!r} must use only letters, digits and underscores."
            )
        if table.name.lower().startswith("sqlite_"):
            raise ValueError(f"Table name {table.name!r} is reserved by SQLite.")
        if table.name.lower() in seen:
            raise ValueError(f"Table name {table.name!r} is used twice.")
        seen.add(table.name.lower())
        if not table.columns:
            raise ValueError(f"Table {table.name!r} has no columns.")
        column_names: set[str] = set()
        for column, kind in table.columns:
            if not isinstance(column, str) or not column or "\x00" in column:
                raise ValueError(f"Table {table.name!r} has an invalid column name {column!r}.")
            if column.lower() in column_names:
                raise ValueError(f"Table {table.name!r} has column {column!r} twice.")
            column_names.add(column.lower())
            if kind not in _COLUMN_TYPES:
                raise ValueError(
                    f"Column {table.name}.{column} has type {kind!r}; "
                    f"expected one of {sorted(_COLUMN_TYPES)}."
                )


def _storage_value(value: Any, table: str, column: str) -> Any:
    if value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise ValueError(f"Column {table}.{column} has a value of unsupported type {type(value)!r}.")


def _build_image(tables: Sequence[Table]) -> bytes:
    """Create the dataset in a scratch in-memory database and return it serialized."""
    _validate(tables)
    if not tables:
        return b""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        for table in tables:
            names = [column for column, _ in table.columns]
            definition = ", ".join(
                f"{_quote_identifier(column)} {_COLUMN_TYPES[kind]}"
                for column, kind in table.columns
            )
            conn.execute(f"CREATE TABLE {_quote_identifier(table.name)} ({definition})")
            placeholders = ", ".join("?" for _ in names)
            # The name is validated and quoted; the values are bound as parameters.
            insert = f"INSERT INTO {_quote_identifier(table.name)} VALUES ({placeholders})"  # noqa: S608
            rows = []
            for number, row in enumerate(table.rows, start=1):
                if len(row) != len(names):
                    raise ValueError(
                        f"Row {number} of table {table.name!r} has {len(row)} values; "
                        f"expected {len(names)}."
                    )
                rows.append(
                    tuple(
                        _storage_value(value, table.name, column)
                        for value, column in zip(row, names, strict=True)
                    )
                )
            conn.executemany(insert, rows)
        conn.execute("COMMIT")
        return conn.serialize()
    finally:
        conn.close()


def _rows_hash(rows: Sequence[Any]) -> int | None:
    try:
        return hash(tuple(tuple(row) for row in rows))
    except TypeError:  # an unhashable value; _build_image will reject it anyway
        return None


def _fingerprint(tables: Sequence[Table]) -> tuple[Any, ...]:
    """Shape and content of the tables, so a reused version_key cannot serve stale data."""
    return tuple(
        (
            table.name,
            tuple(tuple(column) for column in table.columns),
            len(table.rows),
            _rows_hash(table.rows),
        )
        for table in tables
    )


def _database_image(tables: Sequence[Table], version_key: str) -> bytes:
    key = (version_key, _fingerprint(tables))
    with _cache_lock:
        image = _cache.get(key)
        if image is not None:
            _cache.move_to_end(key)
            return image
    image = _build_image(tables)  # outside the lock: building may take a moment
    with _cache_lock:
        _cache[key] = image
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return image


def _clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# --- Checking the SQL text ---------------------------------------------------------------------


@dataclass
class _Statement:
    raw: str  # exactly what will be sent to SQLite
    code: str  # the same text with string literals and comments blanked out


def _scan(sql: str) -> list[_Statement]:
    """Split ``sql`` at top-level semicolons, the way SQLite's tokenizer would.

    Returns only statements with content (not just whitespace and comments).
    """
    statements: list[_Statement] = []
    code: list[str] = []
    start = 0
    significant = False
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            j = i + 1
            while True:
                j = sql.find(close, j)
                if j == -1 or close == "]" or j + 1 >= n or sql[j + 1] != close:
                    break
                j += 2  # a doubled quote is an escaped quote
            end = n if j == -1 else j + 1
            # String literals are blanked; quoted identifiers are code.
            code.append(" " * (end - i) if ch == "'" else sql[i:end])
            significant = True
            i = end
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            end = n if j == -1 else j
            code.append(" " * (end - i))
            i = end
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            end = n if j == -1 else j + 2
            code.append(" " * (end - i))
            i = end
        elif ch == ";":
            if significant:
                statements.append(_Statement(sql[start:i], "".join(code)))
            code, start, significant = [], i + 1, False
            i += 1
        else:
            if not ch.isspace():
                significant = True
            code.append(ch)
            i += 1
    if significant:
        statements.append(_Statement(sql[start:], "".join(code)))
    return statements


_UNUSUAL_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"})


def _unusual_character(sql: str) -> str | None:
    """Describe the first invisible or control character in ``sql``, if there is one."""
    for index, ch in enumerate(sql):
        if ch in "\t\n\r\f " or (ch.isascii() and ch.isprintable()):
            continue
        if ch.isascii() or unicodedata.category(ch) in _UNUSUAL_CATEGORIES:
            line = sql.count("\n", 0, index) + 1
            column = index - (sql.rfind("\n", 0, index) + 1) + 1
            unnamed = "a control character" if ch.isascii() else "an invalid character"
            name = unicodedata.name(ch, unnamed).lower()
            return (
                f"The query contains an invisible or unusual character ({name}, "
                f"U+{ord(ch):04X}) on line {line}, position {column}. This often happens when "
                "text is copied from a document or web page: delete it and type that part again."
            )
    return None


def _hints(code: str) -> str:
    """Tips for look-alike characters outside string literals (``code`` has them blanked)."""
    tips = []
    if any(ch in code for ch in "\u2018\u2019\u201c\u201d"):
        tips.append(
            "The query contains curly quotes (\u2018 \u2019 \u201c \u201d). SQL needs straight "
            "quotes: ' around text and \" around names."
        )
    wide = next((ch for ch in code if "\uff01" <= ch <= "\uff5e"), None)
    if wide:
        tips.append(
            f"The query contains full-width characters such as '{wide}'. "
            "Switch to ordinary (half-width) input and type them again."
        )
    return "".join(" " + tip for tip in tips)


def _check_text(sql: str, table_names: Sequence[str]) -> _Statement:
    if not isinstance(sql, str):
        raise SqlRejected("The query must be text.")
    if len(sql) > MAX_QUERY_CHARS:
        raise SqlRejected(
            f"The query is too long ({len(sql):,} characters). "
            f"The limit is {MAX_QUERY_CHARS:,} characters."
        )
    problem = _unusual_character(sql)
    if problem:
        raise SqlRejected(problem)
    statements = _scan(sql)
    if not statements:
        example = f" For example: SELECT * FROM {table_names[0]}" if table_names else ""  # noqa: S608
        raise SqlRejected("The query is empty. Write a SELECT query." + example)
    statement = statements[0]
    match = re.match(r"\s*(\w+)", statement.code)
    word = match.group(1).upper() if match else ""
    if word not in _START_WORDS:
        raise SqlRejected(_first_word_message(word) + _hints(statement.code))
    if len(statements) > 1:
        raise SqlRejected(_ONE_STATEMENT)
    return statement


def _first_word_message(word: str) -> str:
    if word in {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"}:
        return f"{_ONLY_SELECT} {word} would change the data, which is not allowed."
    if word in {"REINDEX", "VACUUM", "ANALYZE"}:
        return f"{_ONLY_SELECT} {word} is not allowed."
    if word == "PRAGMA":
        return f"{_ONLY_SELECT} PRAGMA statements are not allowed."
    if word in {"ATTACH", "DETACH"}:
        return f"{_ONLY_SELECT} Attaching other databases is not allowed."
    if word in {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
        return f"{_ONLY_SELECT} Transactions are not needed: just write the SELECT query."
    if word == "EXPLAIN":
        return f"{_ONLY_SELECT} EXPLAIN is not available."
    if word and not word.isascii():
        return (
            f"{_ONLY_SELECT} The first word, '{word}', contains characters that only look like "
            "ordinary letters: type it again."
        )
    return f"{_ONLY_SELECT} Start the query with SELECT (or WITH)."


# --- The locked-down connection ----------------------------------------------------------------

_WRITE_ACTIONS = frozenset(
    getattr(sqlite3, name)
    for name in dir(sqlite3)
    if name.startswith(("SQLITE_CREATE_", "SQLITE_DROP_"))
    or name
    in {
        "SQLITE_INSERT",
        "SQLITE_UPDATE",
        "SQLITE_DELETE",
        "SQLITE_ALTER_TABLE",
        "SQLITE_REINDEX",
        "SQLITE_ANALYZE",
    }
)


_internal_names: frozenset[str] | None = None


def _is_internal_name(name: str) -> bool:
    """True for SQLite's own tables and the virtual table modules compiled into this SQLite."""
    global _internal_names
    if _internal_names is None:
        conn = sqlite3.connect(":memory:")
        try:
            modules = {str(row[0]).lower() for row in conn.execute("PRAGMA module_list")}
        finally:
            conn.close()
        _internal_names = frozenset(modules)
    return name.startswith(("sqlite_", "pragma_")) or name in _internal_names


_DIGITS = frozenset("0123456789")
_FLAGS = frozenset("-+ #!0,")
_PRINTF_TAKES_ARGUMENT = frozenset("dsgzqQwcouxXfeEGipr")
_PRINTF_TAKES_NOTHING = frozenset("n%")
_INT64_MAX = 2**63 - 1


def _int32(value: int) -> int:
    """C's ``(int)`` cast of a 64-bit integer."""
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def _int64_candidates(value: Any) -> set[int]:
    """What sqlite3_value_int64() may make of ``value`` (more than one guess for text)."""
    if value is None:
        return {0}
    if isinstance(value, int):
        return {int(value)}
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    guesses: set[int] = set()
    if isinstance(value, str):
        match = re.match(r"\s*([+-]?\d+)", value)
        guesses.add(int(match.group(1)) if match else 0)
        try:
            value = float(value.strip())
        except ValueError:
            return guesses
    if isinstance(value, float):
        if math.isnan(value):
            guesses.add(0)
        else:
            guesses.add(int(max(-_INT64_MAX - 1, min(_INT64_MAX, value))))
    return {max(-_INT64_MAX - 1, min(_INT64_MAX, guess)) for guess in guesses} or {0}


def _printf_repeats_too_much(fmt: Any, args: Sequence[Any]) -> bool:
    """True if printf(fmt, *args) has a %c conversion with a precision over MAX_VALUE_LENGTH.

    "%.*c" repeats a character <precision> times. SQLite 3.40 keeps looping to the end even
    after it has given up on the too-long result (which is NULL), and a precision of two
    billion keeps one virtual-machine instruction busy for seconds. The parsing of flags, width
    and precision, and which conversions use an argument, mirror sqlite3_str_vappendf().
    """
    if isinstance(fmt, bytes):
        fmt = fmt.decode("utf-8", "replace")
    if not isinstance(fmt, str):
        return False
    used = 0

    def int_arg() -> set[int]:
        nonlocal used
        if used >= len(args):
            return {0}
        used += 1
        return _int64_candidates(args[used - 1])

    def at(index: int) -> str:
        return fmt[index] if index < len(fmt) else ""

    i = 0
    while i < len(fmt):
        if fmt[i] != "%":
            i += 1
            continue
        i += 1
        c = at(i)
        if not c:
            break
        precisions = {-1}
        while True:
            done = False
            if c in _FLAGS:
                pass
            elif c == "l":
                i += 1
                c = at(i)
                if c == "l":
                    i += 1
                    c = at(i)
                done = True
            elif c in _DIGITS:  # a width; "0" was taken as a flag above
                i += 1
                while at(i) in _DIGITS:
                    i += 1
                c = at(i)
                if c not in (".", "l"):
                    done = True
                else:
                    i -= 1
            elif c == "*":
                int_arg()  # the width
                c = at(i + 1)
                if c not in (".", "l"):
                    i += 1
                    c = at(i)
                    done = True
            elif c == ".":
                i += 1
                c = at(i)
                if c == "*":
                    precisions = {_int32(value) for value in int_arg()}
                    precisions = {
                        -p if -2147483647 <= p < 0 else (-1 if p < 0 else p) for p in precisions
                    }
                    i += 1
                    c = at(i)
                else:
                    px = 0
                    while c in _DIGITS:
                        px = (px * 10 + int(c)) & 0xFFFFFFFF
                        i += 1
                        c = at(i)
                    precisions = {px & 0x7FFFFFFF}
                if c == "l":
                    i -= 1
                else:
                    done = True
            else:
                done = True
            if done:
                break
            i += 1
            c = at(i)
            if not c:
                break
        if c == "c" and max(precisions) > MAX_VALUE_LENGTH:
            return True
        if c in _PRINTF_TAKES_ARGUMENT:
            used += 1
        elif c not in _PRINTF_TAKES_NOTHING:
            return False  # SQLite stops formatting at an unknown conversion
        i += 1
    return False


def _text_length(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else 32


class _FunctionRefused(Exception):
    """Raised inside a guarded function; the learner-facing reason is kept on the _Guard."""


class _Guard:
    """Authorizer, progress handler and guarded functions for one sandbox connection.

    Remembers why it stopped a query, so the error can be explained to the learner.
    """

    def __init__(self, tables: Sequence[Table], time_limit_ms: int) -> None:
        self.table_names = [table.name for table in tables]
        self.readable = frozenset(name.lower() for name in self.table_names)
        self.time_limit_ms = time_limit_ms
        self.deadline = math.inf
        self.timed_out = False
        self.denied: str | None = None
        self.refused: str | None = None
        self._scratch: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None

    def start_clock(self) -> None:
        self.deadline = time.monotonic() + self.time_limit_ms / 1000

    def progress(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1  # non-zero aborts the running statement with SQLITE_INTERRUPT
        return 0

    def authorize(
        self,
        action: int,
        arg1: str | None,
        arg2: str | None,
        db_name: str | None,
        trigger: str | None,
    ) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            name = (arg1 or "").lower()
            if name in self.readable and db_name in (None, "main"):
                return sqlite3.SQLITE_OK
            # SELECT count(*) FROM x reads no column: SQLite reports the FROM item's name with an
            # empty column name. That is how a CTE shows up, so allow it unless the name is one
            # of SQLite's own tables or virtual tables.
            if arg2 == "" and db_name is None and not _is_internal_name(name):
                return sqlite3.SQLITE_OK
            return self._deny(self._read_message(arg1))
        if action == sqlite3.SQLITE_FUNCTION:
            if arg2 is not None and arg2.lower() in ALLOWED_FUNCTIONS:
                return sqlite3.SQLITE_OK
            return self._deny(f"The function {arg2}() is not available here.")
        if action in _WRITE_ACTIONS:
            if (arg1 or "").lower() in {"sqlite_master", "sqlite_schema"} and trigger is None:
                # What SQLite reports when a query uses a built-in virtual table (dbstat,
                # pragma_table_info(), json_each() ...).
                return self._deny(
                    "The query uses a table that is not part of this dataset. "
                    f"The tables are: {_name_list(self.table_names)}."
                )
            return self._deny(f"{_ONLY_SELECT} This query would change the data.")
        if action == sqlite3.SQLITE_PRAGMA:
            return self._deny(f"{_ONLY_SELECT} PRAGMA statements are not allowed.")
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return self._deny(f"{_ONLY_SELECT} Attaching other databases is not allowed.")
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            return self._deny(
                f"{_ONLY_SELECT} Transactions are not needed: just write the SELECT query."
            )
        return self._deny(f"{_ONLY_SELECT} This query uses a feature that is not allowed.")

    def _read_message(self, table: str | None) -> str:
        available = _name_list(self.table_names)
        if table and table.lower().startswith("sqlite_"):
            return f"SQLite's internal tables cannot be read here. The tables are: {available}."
        return f"The table '{table}' cannot be read here. The tables are: {available}."

    def _deny(self, message: str) -> int:
        if self.denied is None:
            self.denied = message
        return sqlite3.SQLITE_DENY

    # Guarded versions of built-in functions that can be slow inside a single instruction.
    # They check their arguments, then call SQLite's own function on a private scratch
    # connection that holds no data, so results are exactly SQLite's.

    def _builtin(self, name: str, args: Sequence[Any]) -> Any:
        if self._scratch is None:
            scratch = sqlite3.connect(":memory:", isolation_level=None)
            scratch.text_factory = _decode_text
            scratch.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_LENGTH)
            self._scratch = scratch
        placeholders = ", ".join("?" for _ in args)
        try:
            row = self._scratch.execute(f"SELECT {name}({placeholders})", tuple(args)).fetchone()
        except sqlite3.Error as exc:
            if self.refused is None:
                self.refused = _sqlite_message(str(exc))
            raise _FunctionRefused(name) from None
        return row[0]

    def printf(self, *args: Any) -> Any:
        if args and _printf_repeats_too_much(args[0], args[1:]):
            return None  # what SQLite itself returns, only sooner
        return self._builtin("printf", args)

    def format(self, *args: Any) -> Any:
        if args and _printf_repeats_too_much(args[0], args[1:]):
            return None
        return self._builtin("format", args)

    def trimmer(self, name: str) -> Callable[[Any, Any], Any]:
        def trim(text: Any, characters: Any) -> Any:
            if _text_length(text) * _text_length(characters) > MAX_TRIM_WORK:
                if self.refused is None:
                    self.refused = (
                        f"The list of characters given to {name}() is too long for such a long "
                        "text. Use a shorter list of characters to remove."
                    )
                raise _FunctionRefused(name)
            return self._builtin(name, (text, characters))

        return trim

    def install_functions(self, conn: sqlite3.Connection) -> None:
        conn.create_function("printf", -1, self.printf, deterministic=True)
        if sqlite3.sqlite_version_info >= (3, 38, 0):  # format() is printf() under a new name
            conn.create_function("format", -1, self.format, deterministic=True)
        for name in ("trim", "ltrim", "rtrim"):  # the one-argument forms stay built in
            conn.create_function(name, 2, self.trimmer(name), deterministic=True)


def _decode_text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


@contextmanager
def _sandbox(
    image: bytes, tables: Sequence[Table], time_limit_ms: int
) -> Iterator[tuple[sqlite3.Connection, _Guard]]:
    """A new connection holding a private copy of ``image``, locked down for learner SQL.

    The connection (and the guard's scratch connection) is closed on the way out.
    """
    conn = sqlite3.connect(":memory:", isolation_level=None)
    guard = _Guard(tables, time_limit_ms)
    try:
        if image:
            conn.deserialize(image)
        conn.text_factory = _decode_text
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA trusted_schema=OFF")
        # Parse the schema now, before the limits below could get in its way.
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
        widest = max((len(table.columns) for table in tables), default=0)
        for limit, value in _BASE_LIMITS.items():
            conn.setlimit(limit, value)
        conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, max(_MIN_COLUMN_LIMIT, widest))
        guard.install_functions(conn)
        conn.set_authorizer(guard.authorize)
        conn.set_progress_handler(guard.progress, PROGRESS_INTERVAL)
        yield conn, guard
    finally:
        conn.close()
        guard.close()


# --- Explaining errors -------------------------------------------------------------------------


def _name_list(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "(none)"


def _suggest(name: str, candidates: Sequence[str]) -> str:
    lowered = {candidate.lower(): candidate for candidate in candidates}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f" Did you mean '{lowered[close[0]]}'?" if close else ""


def _columns_text(tables: Sequence[Table]) -> str:
    if len(tables) == 1:
        return ", ".join(column for column, _ in tables[0].columns)
    return "; ".join(
        f"{table.name} ({', '.join(column for column, _ in table.columns)})" for table in tables
    )


def _explain(exc: Exception, guard: _Guard, tables: Sequence[Table], code: str) -> str:
    message = str(exc).strip()
    if len(message) > 300:
        message = message[:300] + "..."
    if guard.denied is not None:
        return guard.denied
    if guard.refused is not None:
        return guard.refused
    if guard.timed_out and "interrupt" in message:
        return (
            f"The query took too long: it was stopped after {guard.time_limit_ms:,} ms. "
            "Check for a join without a join condition, or a recursive query that never stops."
        )
    hints = _hints(code)
    table_names = [table.name for table in tables]
    if match := re.match(r"no such table: (?:main\.)?(.+)", message):
        name = match.group(1)
        return (
            f"There is no table called '{name}'. The tables are: {_name_list(table_names)}."
            + _suggest(name, table_names)
            + hints
        )
    if match := re.match(r"no such column: (.+)", message):
        name = match.group(1)
        columns = [column for table in tables for column, _ in table.columns]
        return (
            f"There is no column called '{name}'. The columns are: {_columns_text(tables)}."
            + _suggest(name.rsplit(".", 1)[-1], columns)
            + hints
        )
    if match := re.match(r"ambiguous column name: (.+)", message):
        name = match.group(1)
        return (
            f"More than one table has a column called '{name}'. Put the table name in front, "
            f"for example {table_names[0] if table_names else 'table'}.{name}."
        )
    if match := re.match(r"no such function: (.+)", message):
        name = match.group(1)
        return f"There is no function called {name}()." + _suggest(name, sorted(ALLOWED_FUNCTIONS))
    if "one statement at a time" in message:
        return _ONE_STATEMENT
    if (
        message.startswith("Incorrect number of bindings")
        or "binding parameter" in message
        or message.startswith("variable number")
        or message == "too many SQL variables"
    ):
        return "Query parameters such as ? or :name cannot be used here: write the value itself."
    if message == "incomplete input":
        return (
            "The query seems to end too early (SQLite said: incomplete input). Check that "
            "nothing is missing at the end, such as a closing bracket or quote." + hints
        )
    if "interrupt" in message:
        return "The query was stopped before it finished."
    return _sqlite_message(message, hints)


def _sqlite_message(message: str, hints: str = "") -> str:
    """Plain English for SQLite's generic errors; otherwise SQLite's own words."""
    if "too big" in message:
        return (
            "The query produced a value that is too large "
            f"(the limit is {MAX_VALUE_LENGTH:,} characters)."
        )
    if message.startswith("too many") or "too large" in message or "too complex" in message:
        return f"The query is too complex to run here. SQLite said: {message}"
    if "user-defined function raised exception" in message:
        return "One of the functions in the query could not handle the values it was given."
    return f"SQLite said: {message}" + hints


# --- Running a query ---------------------------------------------------------------------------


def _value_size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else 8


def run_query(
    tables: list[Table],
    sql: str,
    *,
    version_key: str,
    time_limit_ms: int = 500,
    row_cap: int = 1000,
) -> QueryResult:
    """Run one learner SELECT query against a fresh copy of ``tables``.

    Raises :class:`SqlRejected` with a learner-facing message when the query cannot run.
    Raises ``ValueError`` for bad arguments or an invalid dataset (an author's mistake).
    """
    if time_limit_ms <= 0:
        raise ValueError("time_limit_ms must be positive")
    if row_cap <= 0:
        raise ValueError("row_cap must be positive")
    statement = _check_text(sql, [table.name for table in tables])
    image = _database_image(tables, version_key)
    with _sandbox(image, tables, time_limit_ms) as (conn, guard):
        try:
            guard.start_clock()
            cursor = conn.execute(statement.raw)
            if cursor.description is None:
                raise SqlRejected(_ONLY_SELECT)
            columns = [str(description[0]) for description in cursor.description]
            rows: list[tuple[Any, ...]] = []
            size = 0
            while len(rows) < row_cap:
                batch = cursor.fetchmany(min(FETCH_BATCH, row_cap - len(rows)))
                if not batch:
                    break
                size += sum(_value_size(value) for row in batch for value in row)
                if size > MAX_RESULT_CHARS:
                    raise SqlRejected(
                        "The result is too large to show. Select fewer columns or fewer rows."
                    )
                rows.extend(tuple(row) for row in batch)
            truncated = len(rows) >= row_cap and cursor.fetchone() is not None
            return QueryResult(columns=columns, rows=rows, truncated=truncated)
        except (sqlite3.Error, sqlite3.Warning) as exc:
            raise SqlRejected(_explain(exc, guard, tables, statement.code)) from None
        except MemoryError:
            raise SqlRejected(
                "The query needed too much memory. Select fewer columns or fewer rows."
            ) from None


# --- Comparing results -------------------------------------------------------------------------

_NUMBER = object()  # placeholder for numeric cells in a row's "shape"
_NAN = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, Decimal))


def _cells_equal(a: Any, b: Any) -> bool:
    a_number, b_number = _is_number(a), _is_number(b)
    if a_number and b_number:
        if isinstance(a, int) and isinstance(b, int):
            return bool(a == b)
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if a_number or b_number:
        return False
    return bool(a == b)


def _rows_equal(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(_cells_equal(x, y) for x, y in zip(a, b, strict=True))


def _shape(row: Sequence[Any]) -> tuple[Any, ...]:
    """The row with every number replaced by a placeholder: rows can only match within a shape."""
    shape: list[Any] = []
    for value in row:
        if _is_number(value):
            shape.append(_NAN if math.isnan(float(value)) else _NUMBER)
        else:
            try:
                hash(value)
            except TypeError:
                value = repr(value)
            shape.append(value)
    return tuple(shape)


def _numbers(row: Sequence[Any]) -> tuple[float, ...]:
    return tuple(
        float(value) for value in row if _is_number(value) and not math.isnan(float(value))
    )


def _match_numeric(expected: list[Sequence[Any]], actual: list[Sequence[Any]]) -> bool:
    """Multiset match of rows that have the same shape and differ only in their numbers."""
    expected = sorted(expected, key=_numbers)
    actual = sorted(actual, key=_numbers)
    if all(_rows_equal(e, a) for e, a in zip(expected, actual, strict=True)):
        return True
    if not _numbers(expected[0]):
        return False
    # Near-equal numbers can sort in a different order: match each expected row with an unused
    # actual row whose first number is within tolerance.
    keys = [_numbers(row)[0] for row in actual]
    used = [False] * len(actual)
    for row in expected:
        value = _numbers(row)[0]
        if math.isinf(value):
            low, high = value, value
        else:
            margin = 2 * max(REL_TOL * abs(value), ABS_TOL)
            low, high = value - margin, value + margin
        for index in range(bisect.bisect_left(keys, low), bisect.bisect_right(keys, high)):
            if not used[index] and _rows_equal(row, actual[index]):
                used[index] = True
                break
        else:
            return False
    return True


def results_match(expected: QueryResult, actual: QueryResult, *, order_matters: bool) -> bool:
    """Compare result sets: same number of columns and the same rows (as a multiset when order
    does not matter); column names are ignored; numbers compare with a small relative tolerance
    (1e-9) and int/float equal values match (3 == 3.0).

    A result cut by the row cap only matches another result that was cut too.
    """
    if len(expected.columns) != len(actual.columns):
        return False
    if len(expected.rows) != len(actual.rows) or expected.truncated != actual.truncated:
        return False
    if order_matters:
        return all(_rows_equal(e, a) for e, a in zip(expected.rows, actual.rows, strict=True))
    groups: dict[tuple[Any, ...], tuple[list[Sequence[Any]], list[Sequence[Any]]]] = defaultdict(
        lambda: ([], [])
    )
    for row in expected.rows:
        groups[_shape(row)][0].append(row)
    for row in actual.rows:
        groups[_shape(row)][1].append(row)
    for expected_rows, actual_rows in groups.values():
        if len(expected_rows) != len(actual_rows):
            return False
        if not _match_numeric(expected_rows, actual_rows):
            return False
    return True
