"""`next=` never sends anyone off the site (issue 7: open redirects refused)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cohorts.models import Membership
from courses import services as course_services
from tests.accounts.factories import PASSWORD
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db

HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example/",
    "https://evil.example@testserver/",
    "/%2F%2Fevil.example/",
]


def lands_on_the_site(location: str) -> bool:
    """A path on this site: "/%2F%2Fevil.example/" is one (browsers do not decode %2F)."""
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_with_a_hostile_next_stays_on_the_site(learner: Any, target: str) -> None:
    client = Client()
    response = client.post(
        reverse("account_login") + "?" + "next=" + target.replace("&", "%26"),
        {"login": learner.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert lands_on_the_site(response["Location"]), response["Location"]


def test_signing_in_with_a_next_on_the_site_goes_there(learner: Any) -> None:
    response = Client().post(
        reverse("account_login") + "?next=/progress/",
        {"login": learner.email, "password": PASSWORD},
    )
    assert response["Location"] == "/progress/"


@pytest.mark.parametrize("target", HOSTILE)
def test_answering_an_invitation_with_a_hostile_next_stays_on_the_site(
    learner: Any, target: str
) -> None:
    course = course_services.import_course(path=MINI_COURSE)
    invitation = MembershipFactory(cohort=CohortFactory(course=course), email=learner.email)
    client = Client()
    client.force_login(learner)
    response = client.post(
        reverse("cohorts:decline", kwargs={"membership": invitation.pk}), {"next": target}
    )
    assert response.status_code == 302
    assert lands_on_the_site(response["Location"]), response["Location"]
    assert not Membership.objects.filter(pk=invitation.pk).exists()  # declined
