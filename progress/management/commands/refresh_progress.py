from django.core.management.base import BaseCommand
from django.db import transaction

from courses.models import Course
from progress.services import refresh_course_progress, refresh_exercise_progress


class Command(BaseCommand):
    help = "Recount every learner's progress on every course from their reading and answers."

    def handle(self, *args: object, **options: object) -> None:
        for course in Course.objects.only("pk", "slug"):
            with transaction.atomic():
                refresh_exercise_progress(course_id=course.pk)
                refresh_course_progress(course_id=course.pk)
            self.stdout.write(f"Recounted progress on {course.slug}")
