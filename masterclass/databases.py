"""Helpers for code that starts other processes on the same database (tests, benchmarks)."""

from typing import Any


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for a connection's settings, e.g. the test database once created."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"
