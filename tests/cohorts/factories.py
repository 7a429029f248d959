"""Cohorts and their members for tests.

``CohortFactory(facilitators=[user], report_viewers=[user])`` adds people to the cohort
(facilitators with the authenticator app their role requires);
``MembershipFactory(cohort=cohort, learner=user)`` is a joined learner (email taken from the
account), ``MembershipFactory(cohort=cohort)`` a pending invitation.
"""

import datetime
from collections.abc import Iterable
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, ModuleSchedule
from tests.accounts.factories import give_totp
from tests.courses.factories import CourseFactory


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cohort {n}")
    course = factory.SubFactory(CourseFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))

    @factory.post_generation
    def facilitators(self, create: bool, extracted: Iterable[User] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.facilitators.add(*extracted)
            for facilitator in extracted:
                give_totp(facilitator)  # as the role requires (accounts.mfa)

    @factory.post_generation
    def report_viewers(self, create: bool, extracted: Iterable[User] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.report_viewers.add(*extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    learner = None
    email = factory.LazyAttributeSequence(
        lambda o, n: o.learner.email if o.learner else f"invited{n}@example.gov.uk"
    )
    joined_at = factory.LazyAttribute(lambda o: timezone.now() if o.learner else None)


class ModuleScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModuleSchedule

    cohort = factory.SubFactory(CohortFactory)
    module = factory.LazyAttribute(lambda o: o.cohort.course.modules.order_by("position").first())
    release_date = None
    due_date = None
