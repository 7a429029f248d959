"""Two-factor authentication is required of admins, authors, tutors and facilitators before
any page but their account's; learners and report viewers may do without (accounts.mfa).

The walks read the site's URL patterns themselves, so a new page is covered without being
listed here."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import mfa
from accounts.roles import AUTHORS_GROUP, TUTORS_GROUP
from authoring import services as authoring_services
from authoring.models import CourseRole, Role
from cohorts.models import Cohort
from courses import services as course_services
from tests.accounts.factories import PASSWORD, UserFactory, give_totp
from tests.cohorts.factories import CohortFactory
from tests.courses.conftest import MINI_COURSE
from tests.security.site import patterns, url_for

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/"
# Open to anyone signed in, second factor or not: where it is set up, and the plain pages.
OPEN = {"healthz", "privacy", "accessibility"}
ADMIN_PAGES = ["/admin/", "/admin/accounts/user/", "/admin/audit/auditevent/"]


def every_page() -> list[tuple[str, str]]:
    found = [(name, url_for(route, name, entry, {})) for route, name, entry in patterns()]
    return found + [(f"admin:{url}", url) for url in ADMIN_PAGES]


def guarded_pages() -> list[tuple[str, str]]:
    return [(name, url) for name, url in every_page() if not is_open(name, url)]


def is_open(name: str, url: str) -> bool:
    return url.startswith("/accounts/") or name in OPEN


def signed_in(user: Any, *, recently: bool = False) -> Client:
    """A client signed in as the user; ``recently``: with their password just given again, as
    allauth asks before changing a second factor."""
    client = Client()
    client.force_login(user)
    if recently:
        response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:500]
    return client


def sent_to_setup(response: Any) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == SETUP


def grant(kind: str, user: Any) -> None:
    if kind == "admin":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    elif kind == "author":
        user.groups.add(Group.objects.get_or_create(name=AUTHORS_GROUP)[0])
    elif kind == "tutor":
        user.groups.add(Group.objects.get_or_create(name=TUTORS_GROUP)[0])
    elif kind == "facilitator":
        CohortFactory().facilitators.add(user)
    elif kind == "course reviewer":
        course = course_services.import_course(path=MINI_COURSE)
        workspace = authoring_services.workspace_for_course(course=course)
        CourseRole.objects.create(workspace=workspace, user=user, role=Role.REVIEWER)


@pytest.mark.parametrize("kind", ["admin", "author", "tutor", "facilitator", "course reviewer"])
def test_every_page_sends_a_role_without_a_second_factor_to_set_one_up(kind: str) -> None:
    person = UserFactory()
    grant(kind, person)
    assert mfa.requires_mfa(person)
    client = signed_in(person)
    pages = guarded_pages()
    assert len(pages) > 80
    not_sent = []
    for name, url in pages:
        for method in (client.get, client.post):
            response = method(url)
            if not sent_to_setup(response):
                not_sent.append((method.__name__, name, url, response.status_code))
    assert not not_sent, f"a {kind} without a second factor reached: {not_sent}"


def test_the_setup_page_says_why(client: Client) -> None:
    person = UserFactory(is_staff=True)
    client.force_login(person)
    response = client.get("/cohorts/?page=2")
    assert response["Location"] == SETUP
    page = client.get(response["Location"]).content.decode()
    assert "Your role on Data Masterclass needs two-factor authentication" in page


@pytest.mark.parametrize("kind", ["admin", "facilitator"])
def test_account_pages_and_plain_pages_stay_open(kind: str) -> None:
    person = UserFactory()
    grant(kind, person)
    client = signed_in(person)
    for name, url in every_page():
        if is_open(name, url):
            assert not sent_to_setup(client.get(url)), (name, url)


def test_with_a_second_factor_nothing_is_in_the_way(site_admin: Any) -> None:
    client = signed_in(site_admin)
    sent = [url for _, url in guarded_pages() if sent_to_setup(client.get(url))]
    assert not sent


def test_learners_and_report_viewers_need_no_second_factor(learner: Any) -> None:
    viewer = UserFactory()
    cohort = CohortFactory(report_viewers=[viewer])
    assert not mfa.requires_mfa(learner) and not mfa.requires_mfa(viewer)
    for person in (learner, viewer):
        client = signed_in(person)
        sent = [url for _, url in guarded_pages() if sent_to_setup(client.get(url))]
        assert not sent, person
    report = signed_in(viewer).get(reverse("cohorts:report", args=[cohort.pk]))
    assert report.status_code == 200


def test_a_role_granted_during_a_session_applies_on_the_next_staff_page(learner: Any) -> None:
    client = signed_in(learner)
    cohort = CohortFactory()
    assert client.get(reverse("progress:overview")).status_code == 200
    cohort.facilitators.add(learner)
    assert sent_to_setup(client.get(reverse("cohorts:dashboard", args=[cohort.pk])))


def test_setting_up_an_authenticator_app_opens_the_staff_pages() -> None:
    person = UserFactory(is_staff=True)
    client = signed_in(person, recently=True)
    assert sent_to_setup(client.get(reverse("cohorts:list")))
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("cohorts:list")).status_code == 200


def test_a_wrong_code_is_refused_and_the_staff_pages_stay_closed() -> None:
    person = UserFactory(is_staff=True)
    client = signed_in(person, recently=True)
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not mfa.has_mfa(person)
    assert sent_to_setup(client.get(reverse("cohorts:list")))


def test_staff_cannot_turn_off_their_only_authenticator_app(site_admin: Any) -> None:
    client = signed_in(site_admin, recently=True)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "cannot remove your only authenticator" in response.content.decode()
    assert mfa.has_mfa(site_admin)


def test_learners_may_turn_theirs_off(learner: Any) -> None:
    give_totp(learner)
    client = signed_in(learner, recently=True)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not mfa.has_mfa(learner)


def security_key(user: Any) -> Authenticator:
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Key", "credential": {}}
    )


def test_staff_cannot_remove_their_only_security_key() -> None:
    person = UserFactory(is_staff=True)
    key = security_key(person)
    client = signed_in(person, recently=True)
    response = client.post(reverse("mfa_remove_webauthn", args=[key.pk]), follow=True)
    assert "cannot remove your only authenticator app or security key" in response.content.decode()
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_staff_may_remove_a_security_key_they_have_a_spare_for(site_admin: Any) -> None:
    key = security_key(site_admin)  # and an authenticator app, from the persona
    client = signed_in(site_admin, recently=True)
    response = client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()


def test_someone_elses_key_cannot_be_removed(site_admin: Any, learner: Any) -> None:
    key = security_key(learner)
    response = signed_in(site_admin, recently=True).post(
        reverse("mfa_remove_webauthn", args=[key.pk])
    )
    assert response.status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_recovery_codes_alone_do_not_count(client: Client) -> None:
    person = UserFactory(is_staff=True)
    Authenticator.objects.create(
        user=person, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x", "used_mask": 0}
    )
    client.force_login(person)
    assert sent_to_setup(client.get(reverse("cohorts:list")))


def test_staff_pages_cost_no_query_for_the_second_factor(
    site_admin: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(site_admin)
    client.get(reverse("cohorts:list"))
    with django_assert_max_num_queries(20) as queries:
        client.get(reverse("cohorts:list"))
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]


def test_facilitators_of_no_cohort_any_more_need_none(learner: Any) -> None:
    cohort = CohortFactory(facilitators=[learner])
    Cohort.facilitators.through.objects.filter(cohort=cohort).delete()
    assert not mfa.requires_mfa(learner)
