"""Reads for running cohorts: the list of cohorts, a cohort's learners and invitations, and
the invitations waiting for a signed-in learner's answer."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower

from accounts import roles
from cohorts import access
from cohorts.filters import SEARCH_LENGTH, DashboardFilterForm, filter_members
from cohorts.models import Cohort, Membership
from cohorts.reports import CourseShape
from courses.selectors import Person


@dataclass(frozen=True)
class CohortList:
    active: list[Cohort]
    archived: list[Cohort]


def cohorts_for(*, user: Person) -> CohortList:
    """The cohorts the user may see, in one query, each annotated with ``facilitated``:
    whether the user may see its learners (otherwise only its report), and, only when it is,
    exact ``joined`` and ``invited`` (not joined yet) counts. Report viewers see figures only
    in the report, where small groups are suppressed, so for them both counts are None."""
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
    for cohort in cohorts:
        if not cohort.facilitated:  # type: ignore[attr-defined]
            cohort.joined = cohort.invited = None  # type: ignore[assignment]
    return CohortList(
        active=[cohort for cohort in cohorts if not cohort.archived],
        archived=[cohort for cohort in cohorts if cohort.archived],
    )


def members_of(*, cohort: Cohort, search: str = "") -> QuerySet[Membership]:
    """The cohort's members, joined or not, by email address; ``search`` matches as the
    dashboard's filter does: each word, part of the address or the name."""
    members = Membership.objects.filter(cohort=cohort).select_related("learner")
    if search:
        # Only the search applies here, so the form needs no groups and no modules.
        form = DashboardFilterForm(
            {"q": search[:SEARCH_LENGTH]},
            groups=[],
            shape=CourseShape(modules=(), lessons=0, exercises=0),
        )
        members = filter_members(members=members, form=form)
    return members.order_by("email")


def member_counts(*, cohort: Cohort) -> dict[str, int]:
    return Membership.objects.filter(cohort=cohort).aggregate(
        total=Count("pk"),
        joined=Count("pk", filter=Q(learner__isnull=False)),
        invited=Count("pk", filter=Q(learner__isnull=True)),
        unsent=Count("pk", filter=Q(learner__isnull=True, invitation_sent_at__isnull=True)),
    )


# --- Invitations waiting for the learner's answer ---------------------------------------------
@dataclass(frozen=True)
class PendingInvitation:
    membership_id: int
    cohort: str
    course: str
    facilitators: str  # their names, "A, B and C"; empty when the cohort has none


def pending_memberships_for(*, user: Person) -> QuerySet[Membership]:
    """Invitations the user may accept or decline: pending memberships of current cohorts
    whose address is one of the user's verified addresses, in cohorts the user is not in yet."""
    return _invitations_to(user).filter(cohort__archived=False)


def _invitations_to(user: Person) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    addresses = (
        EmailAddress.objects.filter(user=user.pk, verified=True)
        .annotate(lower_email=Lower("email"))
        .values("lower_email")
    )
    # Memberships keep their addresses in lower case (Membership.save, the services).
    return Membership.objects.filter(email__in=addresses, learner__isnull=True).exclude(
        cohort__in=Membership.objects.filter(learner=user.pk).values("cohort")
    )


def pending_invitations_for(*, user: Person) -> list[PendingInvitation]:
    """What the learner's notice of invitations shows. It is on every visit to the home page,
    and nearly always empty: then it costs one query, on memberships alone."""
    if not _invitations_to(user).exists():
        return []
    memberships = (
        pending_memberships_for(user=user)
        .select_related("cohort__course")
        .prefetch_related("cohort__facilitators")
        .order_by("invited_at", "pk")
    )
    return [
        PendingInvitation(
            membership_id=membership.pk,
            cohort=membership.cohort.name,
            course=membership.cohort.course.title,
            # Facilitators by name only: a staff email address is not for every invitee.
            facilitators=_names(
                sorted(
                    name
                    for person in membership.cohort.facilitators.all()
                    if (name := person.get_full_name().strip())
                )
            ),
        )
        for membership in memberships
    ]


def _names(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
