"""Progress figures are counted from lesson completions and answers (progress.services), so the
admin shows them read-only; certificates can be looked up by learner or number."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from progress.models import Certificate, CourseProgress, ExerciseProgress


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CourseProgress)
class CourseProgressAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course", "lessons_read", "exercises_answered",
                    "exercises_correct", "last_active_at", "completed_at"]  # fmt: skip
    list_filter = ["course", ("completed_at", admin.EmptyFieldListFilter)]
    search_fields = ["learner__email", "learner__first_name", "learner__last_name"]
    list_select_related = ["learner", "course"]


@admin.register(ExerciseProgress)
class ExerciseProgressAdmin(ReadOnlyAdmin):
    list_display = ["learner", "exercise", "attempts", "best_score", "correct", "last_answered_at"]
    list_filter = ["course", "correct"]
    search_fields = ["learner__email", "exercise__slug"]
    list_select_related = ["learner", "exercise"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "learner_name", "course_title", "completed_at", "issued_at"]
    list_filter = ["course"]
    search_fields = ["code", "learner_name", "learner__email"]
    list_select_related = ["course"]
