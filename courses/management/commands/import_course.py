from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from courses import services
from courses.content.folder import read_course
from courses.content.problems import ContentInvalid


class Command(BaseCommand):
    help = (
        "Check a course folder and save it (all or nothing). Re-importing updates the course "
        "in place and keeps learners' records. See docs/authoring.md for the format."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the course folder, named after its slug")
        parser.add_argument(
            "--check", action="store_true", help="only check the folder; save nothing"
        )

    def handle(self, *args: object, path: Path, check: bool, **options: object) -> None:
        try:
            bundle = read_course(path)
        except ContentInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(str(problem))
            count = len(invalid.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found in {path}; nothing was saved."
            ) from None
        lessons = sum(len(m.lessons) for m in bundle.modules)
        summary = (
            f"{len(bundle.modules)} modules, {lessons} lessons, {len(bundle.datasets)} datasets, "
            f"{len(bundle.charts)} charts, {len(bundle.terms)} glossary terms, "
            f"{len(bundle.exercises)} exercises"
        )
        if check:
            self.stdout.write(self.style.SUCCESS(f"{path} is valid: {summary}."))
            return
        from authoring.services import draft_only, record_folder_import

        if draft_only(slug=bundle.slug):
            raise CommandError(
                f"{bundle.slug} is being written in the authoring area and has not been "
                "published: import the folder there (as a zip), or give this folder another name."
            )
        with transaction.atomic():
            course = services.save_course(bundle=bundle)
            version = record_folder_import(course=course)
        kept = f" Kept as version {version.number} in its history." if version else ""
        self.stdout.write(self.style.SUCCESS(f"Imported {course.slug}: {summary}.{kept}"))
