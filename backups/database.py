"""Back up and restore the whole database: pg_dump/pg_restore for PostgreSQL, SQLite's online
backup API for SQLite. Used by the backup_database and restore_database commands."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

POSTGRES_MAGIC = b"PGDMP"  # pg_dump's custom format starts with it
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupFailed(Exception):
    """The backup or restore could not be done; the message says why, for the operator."""


def engine_of(*, database: str = "default") -> str:
    vendor = connections[database].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupFailed(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def backup_database(*, path: Path, database: str = "default") -> None:
    """Write a backup of the whole database to ``path`` (readable by its owner only).

    The backup is written to a temporary file next to ``path`` and renamed when complete, so a
    failed backup never leaves a truncated file that looks like a good one.
    """
    if not path.parent.is_dir():
        raise BackupFailed(f"There is no folder {path.parent} to write the backup into.")
    partial = path.with_name(f".{path.name}.partial")
    partial.touch(mode=0o600)
    try:
        if engine_of(database=database) == "postgresql":
            _run_postgres(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"],
                database=database,
            )
        else:
            _sqlite_copy(source=_sqlite_name(database), target=str(partial), database=database)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore_database(*, path: Path, database: str = "default") -> None:
    """Replace every table in the database with the backup's. Stop the web and workers first."""
    engine = engine_of(database=database)
    check_backup(path=path, engine=engine)
    connections[database].close()
    if engine == "postgresql":
        name = connections[database].settings_dict["NAME"]
        _run_postgres(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={name}",
                str(path),
            ],
            database=database,
        )
    else:
        _sqlite_copy(source=str(path), target=_sqlite_name(database), database=database)


def check_backup(*, path: Path, engine: str) -> None:
    """Refuse anything that is not a backup for this kind of database, before touching it."""
    if not path.is_file():
        raise BackupFailed(f"There is no backup file at {path}.")
    with path.open("rb") as backup:
        start = backup.read(len(SQLITE_MAGIC))
    if start.startswith(POSTGRES_MAGIC):
        kind = "postgresql"
    elif start == SQLITE_MAGIC:
        kind = "sqlite"
    else:
        raise BackupFailed(
            f"{path} is not a database backup: it is neither a pg_dump custom-format file "
            "nor a SQLite database."
        )
    if kind != engine:
        raise BackupFailed(
            f"{path} is a {_name(kind)} backup, but this database is {_name(engine)}."
        )
    if kind == "sqlite":
        _check_sqlite_backup(path)
    elif shutil.which("pg_restore"):
        listing = subprocess.run(
            ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            raise BackupFailed(f"{path} is not a readable backup: {listing.stderr.strip()}")


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as backup:
            found = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
            healthy = backup.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        backup.close()
    except sqlite3.DatabaseError as error:
        raise BackupFailed(f"{path} is not a readable backup: {error}") from None
    if not found:
        raise BackupFailed(f"{path} is a SQLite database, but not a backup of this service's.")
    if not healthy:
        raise BackupFailed(f"{path} is damaged (SQLite's quick_check failed).")


def _name(engine: str) -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[engine]


def _sqlite_name(database: str) -> str:
    return str(connections[database].settings_dict["NAME"])


def _sqlite_copy(*, source: str, target: str, database: str) -> None:
    # The online backup API copies a consistent snapshot page by page, even while others
    # write; copying the file itself could catch a half-written transaction or miss the WAL.
    timeout = float(connections[database].settings_dict.get("OPTIONS", {}).get("timeout", 20))
    source_db = sqlite3.connect(source, timeout=timeout)
    target_db = sqlite3.connect(target, timeout=timeout)
    try:
        source_db.backup(target_db)
    finally:
        target_db.close()
        source_db.close()


def _postgres_environment(settings: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for this database: the password never appears on a command line,
    where any user of the machine could read it in the process list."""
    options = settings.get("OPTIONS", {})
    variables = {
        "PGDATABASE": settings.get("NAME"),
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGCONNECT_TIMEOUT": options.get("connect_timeout"),
    }
    # Nothing inherited from the environment (PGHOST, PGSERVICE…) may point at another database.
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    return {**inherited, **{name: str(value) for name, value in variables.items() if value}}


def _run_postgres(command: list[str], *, database: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(
            f"{command[0]} is not installed: install PostgreSQL's client programs "
            "(for example apt-get install postgresql-client), the same major version as the server."
        )
    settings = connections[database].settings_dict
    result = subprocess.run(
        command, env=_postgres_environment(settings), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {result.stderr.strip()}")
