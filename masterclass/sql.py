"""Statements that run on nearly every request or answer, in SQL written once for both
databases.

On PostgreSQL they run as prepared statements with values bound by the server, so each
connection plans each statement once: for these joins, planning costs several times more than
running, and building the same query through the ORM costs more again. Django's own cursors bind
values on the client, so every query through them is planned anew. Set
``DATABASE_PREPARED_STATEMENTS=false`` behind a pooler that cannot keep prepared statements; they
then run unprepared, with the same results.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection


@contextmanager
def _prepared_cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A server-binding cursor on Django's connection (so in its transaction), whose errors
    Django sees as its own: the same exception classes, and a broken connection is dropped."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def execute(sql: str, params: Mapping[str, Any]) -> int:
    """Run a statement that writes; return how many rows it wrote."""
    if connection.vendor == "postgresql":
        with _prepared_cursor() as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch_all(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run a query; return its rows as tuples."""
    if connection.vendor == "postgresql":
        with _prepared_cursor() as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
