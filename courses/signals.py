"""Cached lesson HTML depends on what lessons embed: any change to a chart, dataset or
glossary term (from the importer, Django admin or elsewhere) invalidates the course's lessons."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from courses.models import Chart, Dataset, GlossaryTerm, Lesson, Module
from courses.services import bump_content_version


@receiver([post_save, post_delete], sender=Lesson)
def invalidate_after_lesson_change(sender: type, instance: Lesson, **kwargs: Any) -> None:
    # Titles and order feed every lesson's previous and next links.
    bump_content_version(course=instance.module.course)


@receiver([post_save, post_delete], sender=Module)
@receiver([post_save, post_delete], sender=Chart)
@receiver([post_save, post_delete], sender=Dataset)
@receiver([post_save, post_delete], sender=GlossaryTerm)
def invalidate_course_lessons(
    sender: type, instance: Module | Chart | Dataset | GlossaryTerm, **kwargs: Any
) -> None:
    bump_content_version(course=instance.course)
