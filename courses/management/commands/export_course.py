from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.exporting import export_course
from courses.models import Course


class Command(BaseCommand):
    help = "Write a course out as a folder (PATH/<slug>/) in the format import_course reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("path", type=Path, help="the folder to write the course folder into")

    def handle(self, *args: object, slug: str, path: Path, **options: object) -> None:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"There is no course with the slug {slug!r}.")
        folder = export_course(course=course, destination=path)
        self.stdout.write(self.style.SUCCESS(f"Exported {slug} to {folder}"))
