from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.database import BackupFailed, backup_database


class Command(BaseCommand):
    help = (
        "Back up the whole database to a file: pg_dump's custom format for PostgreSQL, a "
        "SQLite file for SQLite. Safe while the service runs."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to write")
        parser.add_argument("--database", default="default", help="which database (default)")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        try:
            backup_database(path=path, database=str(options["database"]))
        except BackupFailed as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up the database to {path}")
