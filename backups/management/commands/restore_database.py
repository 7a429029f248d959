from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from backups.database import BackupFailed, check_backup, engine_of, restore_database


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by backup_database. Stop the web "
        "processes, workers and beat first. Needs --yes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to restore")
        parser.add_argument("--database", default="default", help="which database (default)")
        parser.add_argument(
            "--yes", action="store_true", help="really replace the data in the database"
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        database = str(options["database"])
        name = connections[database].settings_dict["NAME"]
        try:
            # Check the file first, so that a wrong path is reported even without --yes.
            check_backup(path=path, engine=engine_of(database=database))
            if not options["yes"]:
                raise CommandError(
                    f"Restoring replaces every row in the database {name} with the backup's. "
                    "Stop the web processes, workers and beat, then run again with --yes."
                )
            restore_database(path=path, database=database)
        except BackupFailed as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored the database {name} from {path}")
