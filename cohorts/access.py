"""Who may see which cohort: the one place that decides it.

- Admins (staff) see and manage every cohort.
- Facilitators see the cohorts they facilitate, with learners' names and figures.
- Report viewers see only the aggregate report of their cohorts, small groups suppressed.
Anyone else gets 404 for a cohort's URLs, so that its existence is not revealed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import roles
from cohorts.models import Cohort
from courses.selectors import Person


def can_create_cohorts(user: Person) -> bool:
    return roles.is_admin(user)


def facilitated_cohorts(*, user: Person) -> QuerySet[Cohort]:
    """Cohorts whose learners' individual figures the user may see."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if roles.is_admin(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(facilitators=user)


def reportable_cohorts(*, user: Person) -> QuerySet[Cohort]:
    """Cohorts whose aggregate report the user may see."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if roles.is_admin(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(Q(facilitators=user) | Q(report_viewers=user)).distinct()


def cohort_for_facilitator(*, user: Person, cohort_id: int) -> Cohort:
    found = facilitated_cohorts(user=user).select_related("course").filter(pk=cohort_id).first()
    if found is None:
        raise Http404("No such cohort")
    return found


def cohort_for_report(*, user: Person, cohort_id: int) -> Cohort:
    found = reportable_cohorts(user=user).select_related("course").filter(pk=cohort_id).first()
    if found is None:
        raise Http404("No such cohort")
    return found


def cohort_for_admin(*, user: Person, cohort_id: int) -> Cohort:
    """Changing a cohort (its details, schedule, facilitators) is for admins."""
    if not roles.is_admin(user):
        raise Http404("No such cohort")
    found = Cohort.objects.select_related("course").filter(pk=cohort_id).first()
    if found is None:
        raise Http404("No such cohort")
    return found
