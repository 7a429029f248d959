"""Nobody reaches a cohort they have no part in: every cohort URL, GET and POST, gives 404.
Only the invited person answers an invitation: anyone else gets 404.

The URLs are read from the resolver, so a new cohort page is covered as soon as it is routed,
and a cohorts URL that takes no cohort id must be one of those checked here.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.urls import URLPattern, get_resolver, reverse

from cohorts.models import Membership
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def cohort_url_names() -> list[str]:
    """Every URL name in the cohorts namespace whose path takes a cohort id."""
    _, namespace_resolver = get_resolver().namespace_dict["cohorts"]
    names = []
    for pattern in namespace_resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        if "cohort" in pattern.pattern.converters and pattern.name:
            names.append(pattern.name)
    return names


COHORT_URLS = cohort_url_names()
# Report viewers may see these of their cohorts; for everything else they are outsiders.
REPORT_URLS = {"report", "export_report"}
# The invited person's answer to an invitation, by membership id.
INVITATION_URLS = ["join", "decline"]
# Checked elsewhere: the list (tests/cohorts/test_manage_views.py), creating a cohort (admins
# only, same file) and unsubscribing (a signed token, tests/cohorts/test_notifications.py).
OTHER_URLS = {"list", "create", "unsubscribe"}


def test_the_cohort_urls_are_all_found() -> None:
    assert {"dashboard", "edit", "learners", "upload", "remove_learner", "report"} <= set(
        COHORT_URLS
    )
    assert "list" not in COHORT_URLS and "unsubscribe" not in COHORT_URLS
    _, namespace_resolver = get_resolver().namespace_dict["cohorts"]
    names = {pattern.name for pattern in namespace_resolver.url_patterns}
    assert names - set(COHORT_URLS) == OTHER_URLS | set(INVITATION_URLS), (
        "A cohorts URL without a cohort id: check its access in this file"
    )


@pytest.fixture
def cohort(course, learner):  # type: ignore[no-untyped-def]
    cohort = CohortFactory(course=course, facilitators=[UserFactory()])
    MembershipFactory(cohort=cohort, learner=learner)
    MembershipFactory(cohort=cohort, email="pending@partner.example.org")
    return cohort


@pytest.fixture
def other_cohort(db):  # type: ignore[no-untyped-def]
    """Another course's cohort, with a facilitator and a report viewer of its own."""
    other = CohortFactory(
        course=CourseFactory(), facilitators=[UserFactory()], report_viewers=[UserFactory()]
    )
    MembershipFactory(cohort=other, learner=UserFactory())
    return other


def pattern_named(name: str) -> Any:
    _, namespace_resolver = get_resolver().namespace_dict["cohorts"]
    return next(p for p in namespace_resolver.url_patterns if p.name == name)


def url_for(name: str, cohort: Any, objects_of: Any) -> str:
    """The URL ``name`` for ``cohort``, naming the other objects (a member, an exercise) of the
    cohort ``objects_of``."""
    pattern = pattern_named(name)
    kwargs: dict[str, Any] = {"cohort": cohort.pk}
    for key in pattern.pattern.converters:
        if key == "membership":
            kwargs[key] = Membership.objects.filter(cohort=objects_of).order_by("pk").first().pk
        elif key == "exercise":
            kwargs[key] = objects_of.course.exercises.order_by("pk").first().slug
        elif key != "cohort":
            pytest.fail(f"Teach this test how to fill in <{key}> in cohorts:{name}")
    return reverse(f"cohorts:{name}", kwargs=kwargs)


def check_not_found(client: Any, urls: list[str]) -> None:
    """GET and POST each URL; fail listing every URL that did not give 404."""
    wrong, unwritten = [], []
    for url in urls:
        try:
            got = client.get(url).status_code
            posted = client.post(url, {"email": "x@example.gov.uk", "action": "resend"}).status_code
        except NotImplementedError:
            unwritten.append(url)
            continue
        if got != 404:
            wrong.append(f"GET {url} gave {got}")
        # 405: the view takes no POST at all, whoever asks, which reveals nothing.
        if posted not in (404, 405):
            wrong.append(f"POST {url} gave {posted}")
    assert not wrong, "\n".join(wrong)
    if unwritten:
        pytest.xfail(f"Not written yet: {unwritten}")


@pytest.mark.parametrize(
    "persona", ["other_facilitator", "other_report_viewer", "learner_in_the_cohort"]
)
def test_outsiders_get_404_on_every_cohort_url(
    client, cohort, other_cohort, learner, persona: str
) -> None:
    user = {
        "other_facilitator": other_cohort.facilitators.get(),
        "other_report_viewer": other_cohort.report_viewers.get(),
        "learner_in_the_cohort": learner,
    }[persona]
    client.force_login(user)
    check_not_found(client, [url_for(name, cohort, objects_of=cohort) for name in COHORT_URLS])


def test_report_viewers_see_nothing_but_the_report(client, cohort) -> None:
    viewer = UserFactory()
    cohort.report_viewers.add(viewer)
    client.force_login(viewer)
    urls = [url_for(name, cohort, objects_of=cohort) for name in COHORT_URLS]
    check_not_found(client, [url for url, name in zip(urls, COHORT_URLS, strict=True)
                             if name not in REPORT_URLS])  # fmt: skip


def test_a_facilitator_cannot_reach_another_cohorts_objects_through_their_own(
    client, cohort, other_cohort
) -> None:
    """Their own cohort's id with another cohort's member or exercise in the URL."""
    names = [n for n in COHORT_URLS if set(pattern_named(n).pattern.converters) - {"cohort"}]
    assert names
    client.force_login(other_cohort.facilitators.get())
    check_not_found(client, [url_for(name, other_cohort, objects_of=cohort) for name in names])


# --- Invitations --------------------------------------------------------------------------------
INVITED = "invited@partner.example.org"


@pytest.fixture
def invitation(cohort):  # type: ignore[no-untyped-def]
    """A pending invitation to an address that belongs to an account (verified)."""
    UserFactory(email=INVITED)
    return MembershipFactory(cohort=cohort, email=INVITED)


def someone_unverified() -> Any:
    """An account holding the invited address, not verified: merely typing it proves nothing."""
    user = UserFactory(verified_email=False)
    EmailAddress.objects.create(user=user, email=INVITED.upper(), verified=False, primary=False)
    return user


@pytest.mark.parametrize("name", INVITATION_URLS)
@pytest.mark.parametrize(
    "persona",
    ["facilitator_of_the_cohort", "admin", "learner_in_the_cohort", "other_facilitator",
     "unverified_holder_of_the_address"],
)  # fmt: skip
def test_only_the_invited_person_answers_an_invitation(
    client, cohort, other_cohort, learner, site_admin, invitation, name: str, persona: str
) -> None:
    user = {
        "facilitator_of_the_cohort": lambda: cohort.facilitators.get(),
        "admin": lambda: site_admin,
        "learner_in_the_cohort": lambda: learner,
        "other_facilitator": lambda: other_cohort.facilitators.get(),
        "unverified_holder_of_the_address": someone_unverified,
    }[persona]()
    client.force_login(user)
    url = reverse(f"cohorts:{name}", kwargs={"membership": invitation.pk})
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405  # POST only, whoever asks
    invitation.refresh_from_db()  # still there, still pending
    assert invitation.learner is None


@pytest.mark.parametrize("name", INVITATION_URLS)
def test_a_joined_or_unknown_membership_is_not_found(client, cohort, learner, name: str) -> None:
    joined = Membership.objects.get(cohort=cohort, learner=learner)
    client.force_login(learner)
    for membership in (joined.pk, 987654):
        url = reverse(f"cohorts:{name}", kwargs={"membership": membership})
        assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=joined.pk, learner=learner).exists()


@pytest.mark.parametrize("name", INVITATION_URLS)
def test_signed_out_people_are_asked_to_sign_in(client, invitation, name: str) -> None:
    response = client.post(reverse(f"cohorts:{name}", kwargs={"membership": invitation.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
