"""backup_database and restore_database: a backup taken, the data changed and deleted, the
backup restored: every row of every model is back as it was."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from cohorts.models import Cohort, Membership
from courses.models import Course, Lesson
from exercises.models import Submission
from progress.models import Certificate, CourseProgress, ExerciseProgress
from progress.services import issue_certificate
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every row of every installed model (many-to-many tables too), ordered by primary key."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    """The sample course and the demo cohort: learners, graded answers, progress, certificates."""
    call_command("load_demo", stdout=io.StringIO())
    assert Cohort.objects.exists() and Membership.objects.count() > 10
    assert Submission.objects.count() > 100
    assert ExerciseProgress.objects.exists()
    finished = CourseProgress.objects.exclude(completed_at=None).select_related("learner", "course")
    assert finished.exists(), "the demo cohort has learners who finished"
    for progress in finished:
        issue_certificate(learner=progress.learner, course=progress.course, name="A Leader")
    assert Certificate.objects.exists()


def test_a_restore_brings_back_every_row_as_it_was(demo_data: None, tmp_path: Path) -> None:
    backup = tmp_path / "masterclass.backup"
    call_command("backup_database", str(backup), stdout=io.StringIO())
    assert backup.stat().st_mode & 0o077 == 0, "a backup holds personal data: owner only"
    before = every_row()
    largest_user_id = max(row["id"] for row in before["accounts.User"])

    # Change, add and delete: the kinds of loss a restore has to undo.
    User.objects.update(first_name="Changed")
    Lesson.objects.filter(pk=Lesson.objects.order_by("pk")[0].pk).update(title="Changed")
    Submission.objects.filter(pk__in=Submission.objects.values("pk")[:50]).delete()
    Certificate.objects.all().delete()
    Cohort.objects.all().delete()
    UserFactory(email="newcomer@example.gov.uk")
    assert every_row() != before

    call_command("restore_database", str(backup), "--yes", stdout=io.StringIO())
    connection.close()
    after = every_row()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the restore"
    assert after == before
    # Sequences came back too: a new row does not collide with a restored one.
    assert UserFactory(email="after.restore@example.gov.uk").pk > largest_user_id
    assert Course.objects.get(slug="data-masterclass").published


def test_a_restore_needs_yes(demo_data: None, tmp_path: Path) -> None:
    backup = tmp_path / "masterclass.backup"
    call_command("backup_database", str(backup), stdout=io.StringIO())
    Cohort.objects.all().delete()
    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("restore_database", str(backup))
    assert not Cohort.objects.exists()  # nothing was restored


def test_a_missing_backup_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no backup file at"):
        call_command("restore_database", str(tmp_path / "nowhere.backup"), "--yes")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage, not a backup\n" * 100,
        b"PGDMP but then nothing that pg_restore can read" * 10,
        b"SQLite format 3\x00" + b"\x00" * 200,
    ],
    ids=["empty", "text", "bad-pg-dump", "bad-sqlite"],
)
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    content: bytes, tmp_path: Path
) -> None:
    UserFactory(email="kept@example.gov.uk")
    before = every_row()
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(content)
    with pytest.raises(CommandError, match="not a|is a .* backup, but this database is"):
        call_command("restore_database", str(garbage), "--yes")
    assert every_row() == before


def test_a_sqlite_database_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()
    message = (
        "not a backup of this service's" if connection.vendor == "sqlite" else "is a SQLite backup"
    )
    with pytest.raises(CommandError, match=message):
        call_command("restore_database", str(other), "--yes")


def test_a_backup_to_a_folder_that_does_not_exist_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no folder"):
        call_command("backup_database", str(tmp_path / "missing" / "x.backup"))
    assert not (tmp_path / "missing").exists()


def test_the_database_password_never_reaches_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backups import database

    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(command: list[str], *, env: dict[str, str], **kwargs: Any) -> Any:
        calls.append((command, env))
        Path(command[-1].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(database.subprocess, "run", run)
    monkeypatch.setattr(database, "engine_of", lambda **kwargs: "postgresql")
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-Password")
    monkeypatch.setitem(connection.settings_dict, "USER", "masterclass")
    database.backup_database(path=tmp_path / "x.backup")
    [(command, env)] = calls
    assert command[:3] == ["pg_dump", "--format=custom", "--no-owner"]
    assert not any("s3cret" in part for part in command)
    assert env["PGPASSWORD"] == "s3cret-Password"
    assert env["PGUSER"] == "masterclass"
    assert (tmp_path / "x.backup").read_bytes() == b"PGDMP"
