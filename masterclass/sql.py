"""Statements that run on nearly every request or answer, in SQL written once for both
databases.

On PostgreSQL they run as prepared statements with values bound by the server, so each
connection plans each statement once: for these joins, planning costs several times more than
running, and building the same query through the ORM costs more again
(docs/adr/0014-hot-paths-in-prepared-sql.md).
Django's own cursors bind values on the client, so every query through them is planned anew.
Set ``DATABASE_PREPARED_STATEMENTS=false`` behind a pooler that cannot keep prepared
statements; they then run unprepared, with the same results.

They go through Django's execute wrappers and query log like any other query, so query counts
(tests, the request log, the benchmark) include them on both databases.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Field, Model


def tables(**models: type[Model]) -> dict[str, str]:
    """Table names to format into a statement: ``tables(sub=Submission)`` → ``{sub}``."""
    return {name: model._meta.db_table for name, model in models.items()}


@dataclass(frozen=True)
class Selection:
    """A model's columns in a hand-written SELECT, and how to turn them back into an instance
    as the ORM would: the same converters, then ``Model.from_db``. Fields left out are
    deferred, and loaded on first use, as with the ORM's ``defer()``."""

    model: type[Model]
    alias: str
    fields: tuple[Field, ...]  # type: ignore[type-arg]

    @classmethod
    def of(cls, model: type[Model], alias: str, *, leave_out: Collection[str] = ()) -> Selection:
        unknown = set(leave_out) - {f.name for f in model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)} to leave out")
        fields = tuple(f for f in model._meta.concrete_fields if f.name not in leave_out)
        return cls(model, alias, fields)

    @functools.cached_property
    def columns(self) -> str:
        """The SELECT list, worked out once: it is used on every lesson page."""
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(str(field.column))}" for field in self.fields)

    @functools.cached_property
    def _converters(self) -> list[tuple[Any, list[Callable[..., Any]]]]:
        found = []
        for field in self.fields:
            column = field.get_col(self.alias)
            converters = connection.ops.get_db_converters(column)
            found.append((column, converters + column.get_db_converters(connection)))
        return found

    def instance(self, values: Sequence[Any]) -> Model:
        converted = []
        for (column, converters), value in zip(self._converters, values, strict=True):
            for converter in converters:
                value = converter(value, column, connection)
            converted.append(value)
        return self.model.from_db(
            connection.alias, [field.attname for field in self.fields], converted
        )


def for_update(*aliases: str, no_key: bool = False) -> str:
    """``FOR [NO KEY] UPDATE OF`` these tables' rows where the database locks rows; SQLite
    locks the whole database for a write transaction instead, so there it is nothing."""
    if connection.vendor == "sqlite":
        return ""
    return f"FOR {'NO KEY ' if no_key else ''}UPDATE OF {', '.join(aliases)}"


def execute(sql: str, params: Mapping[str, Any]) -> int:
    """Run a statement that writes; return how many rows it wrote."""
    return _run(sql, params, lambda cursor: cursor.rowcount)


def fetch_all(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run a query; return its rows as tuples."""
    return _run(sql, params, lambda cursor: cursor.fetchall())


def _run(sql: str, params: Mapping[str, Any], result: Any) -> Any:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return result(cursor)
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    # A server-binding cursor on Django's connection (so in its transaction), whose errors
    # Django sees as its own: the same exception classes, and a broken connection is dropped.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as raw:

        def run(sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
            raw.execute(sql, params, prepare=True)
            return result(raw)

        # Nested as Django nests them: the first wrapper installed is the outermost.
        executor = functools.reduce(
            lambda inner, wrapper: functools.partial(wrapper, inner),
            reversed(connection.execute_wrappers),
            run,
        )
        started = time.monotonic()
        try:
            return executor(sql, params, False, {"connection": connection, "cursor": raw})
        finally:
            if connection.queries_logged:
                connection.queries_log.append(
                    {
                        "sql": f"{sql} -- {dict(params)!r}",
                        "time": f"{time.monotonic() - started:.3f}",
                    }
                )
