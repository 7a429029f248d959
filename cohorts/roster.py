"""Reads for running cohorts: the list of cohorts, and a cohort's learners and invitations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Value

from accounts import roles
from cohorts import access
from cohorts.models import Cohort, Membership
from courses.selectors import Person


@dataclass(frozen=True)
class CohortList:
    active: list[Cohort]
    archived: list[Cohort]


def cohorts_for(*, user: Person) -> CohortList:
    """The cohorts the user may see, in one query, each annotated with ``joined`` and
    ``invited`` (not joined yet) counts and ``facilitated``: whether the user may see its
    learners (otherwise only its report)."""
    visible = access.reportable_cohorts(user=user).values("pk")
    facilitated = (
        Value(True, output_field=BooleanField())
        if roles.is_admin(user)
        else Exists(Cohort.facilitators.through.objects.filter(cohort=OuterRef("pk"), user=user.pk))
    )
    cohorts = list(
        Cohort.objects.filter(pk__in=visible)
        .select_related("course")
        .annotate(
            joined=Count("memberships", filter=Q(memberships__learner__isnull=False)),
            invited=Count("memberships", filter=Q(memberships__learner__isnull=True)),
            facilitated=facilitated,
        )
        .order_by("-start_date", "name")
    )
    return CohortList(
        active=[cohort for cohort in cohorts if not cohort.archived],
        archived=[cohort for cohort in cohorts if cohort.archived],
    )


def members_of(*, cohort: Cohort, search: str = "") -> QuerySet[Membership]:
    """The cohort's members, joined or not, by email address; ``search`` matches part of the
    address or the name."""
    members = Membership.objects.filter(cohort=cohort).select_related("learner")
    if search:
        members = members.filter(
            Q(email__icontains=search)
            | Q(learner__first_name__icontains=search)
            | Q(learner__last_name__icontains=search)
            | Q(group__icontains=search)
        )
    return members.order_by("email")


def member_counts(*, cohort: Cohort) -> dict[str, int]:
    return Membership.objects.filter(cohort=cohort).aggregate(
        total=Count("pk"),
        joined=Count("pk", filter=Q(learner__isnull=False)),
        invited=Count("pk", filter=Q(learner__isnull=True)),
    )
