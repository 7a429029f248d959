"""Cohorts in the Django admin: for looking things up. Cohorts are run from the service's
own pages, which send invitations and keep the rules; the admin only changes simple details."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from cohorts.models import Cohort, Membership, ModuleSchedule


class ModuleScheduleInline(admin.TabularInline):
    model = ModuleSchedule
    extra = 0
    fields = ["module", "release_date", "due_date"]
    readonly_fields = ["module"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "start_date", "joined", "invited", "archived"]
    list_filter = ["archived", "course"]
    search_fields = ["name"]
    fields = ["name", "course", "start_date", "archived", "facilitators", "report_viewers",
              "created_by", "created_at"]  # fmt: skip
    readonly_fields = ["course", "created_by", "created_at"]
    filter_horizontal = ["facilitators", "report_viewers"]
    inlines = [ModuleScheduleInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        return (
            super()
            .get_queryset(request)
            .select_related("course")
            .annotate(
                joined_count=Count("memberships", filter=Q(memberships__learner__isnull=False)),
                invited_count=Count("memberships", filter=Q(memberships__learner__isnull=True)),
            )
        )

    @admin.display(description="Joined", ordering="joined_count")
    def joined(self, cohort: Cohort) -> int:
        return cohort.joined_count  # type: ignore[attr-defined]

    @admin.display(description="Invited, not joined", ordering="invited_count")
    def invited(self, cohort: Cohort) -> int:
        return cohort.invited_count  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # create cohorts at /cohorts/new/, which checks the course and people


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["email", "cohort", "learner", "group", "invited_at", "joined_at"]
    list_filter = [("learner", admin.EmptyFieldListFilter), "cohort"]
    list_select_related = ["cohort", "learner"]
    search_fields = ["email", "learner__first_name", "learner__last_name", "group"]
    fields = ["cohort", "email", "learner", "group", "invited_by", "invited_at", "joined_at"]
    readonly_fields = ["cohort", "email", "learner", "invited_by", "invited_at", "joined_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invite from the cohort's learners page, which sends the email
