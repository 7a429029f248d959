"""Each security-relevant event is recorded when it really happens: through allauth's pages,
Django's admin, and the models' own managers."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.roles import AUTHORS_GROUP, TUTORS_GROUP
from audit.models import AuditEvent
from tests.accounts.factories import give_totp, totp_code
from tests.cohorts.factories import CohortFactory

pytestmark = pytest.mark.django_db

IP = "198.51.100.23"


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR=IP)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def only(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, (action, [(e.action, e.target) for e in AuditEvent.objects.all()])
    return found[0]


def sign_in(client: Client, user: User, password: str) -> Any:
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    if response.status_code == 302 and "/accounts/2fa/authenticate" in response["Location"]:
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
    return response


# --- Signing in and out -----------------------------------------------------------------------
def test_signing_in_with_a_password_is_recorded_with_the_method(client, learner, password) -> None:
    assert sign_in(client, learner, password).status_code == 302
    event = only("account.signed_in")
    assert (event.actor, event.target, event.ip_address) == (learner, learner.email, IP)
    assert event.details == {"method": "password"}


def test_signing_in_with_a_second_factor_records_both(client, site_admin, password) -> None:
    sign_in(client, site_admin, password)
    assert client.session["_auth_user_id"] == str(site_admin.pk)
    assert only("account.signed_in").details == {"method": "password", "mfa": "totp"}


def test_signing_in_by_emailed_code_is_recorded_as_code(client, learner) -> None:
    client.post("/accounts/login/code/", {"email": learner.email})
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert only("account.signed_in").details == {"method": "code"}


def test_a_wrong_sign_in_code_is_recorded(client, learner) -> None:
    client.post("/accounts/login/code/", {"email": learner.email})
    client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
    event = only("account.sign_in_code_rejected")
    assert (event.actor, event.target) == (None, learner.email)


def test_signing_out_is_recorded(client, learner, password) -> None:
    sign_in(client, learner, password)
    client.post("/accounts/logout/")
    event = only("account.signed_out")
    assert (event.actor, event.ip_address) == (learner, IP)


def test_a_failed_sign_in_records_the_address_tried_never_the_password(client, learner) -> None:
    client.post("/accounts/login/", {"login": learner.email, "password": "guess-number-1"})
    client.post("/accounts/login/", {"login": "nobody@example.gov.uk", "password": "guess-2"})
    failed = events("account.sign_in_failed")
    assert [(e.actor, e.target, e.ip_address) for e in failed] == [
        (None, learner.email, IP),
        (None, "nobody@example.gov.uk", IP),
    ]
    stored = str(list(AuditEvent.objects.values()))
    assert "guess" not in stored
    assert not events("account.signed_in")


def test_a_wrong_two_factor_code_is_recorded(client, site_admin, password) -> None:
    client.post("/accounts/login/", {"login": site_admin.email, "password": password})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    event = only("mfa.code_rejected")
    assert (event.target, event.details) == (site_admin.email, {"type": "totp"})


# --- Account changes --------------------------------------------------------------------------
def test_changing_the_password_is_recorded(client, learner, password) -> None:
    sign_in(client, learner, password)
    new = "a-brand-new-long-passphrase"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    event = only("account.password_changed")
    assert (event.actor, event.target, event.ip_address) == (learner, learner.email, IP)


def test_resetting_the_password_is_recorded(client, learner) -> None:
    client.post("/accounts/password/reset/", {"email": learner.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    form_url = client.get(path)["Location"]  # allauth swaps the key for a session
    new = "a-brand-new-long-passphrase"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    event = only("account.password_reset")
    assert (event.actor, event.target) == (learner, learner.email)


def test_adding_and_confirming_an_email_address_is_recorded(client, learner, password) -> None:
    sign_in(client, learner, password)
    client.post("/accounts/email/", {"action_add": "", "email": "second@example.gov.uk"})
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    client.post("/accounts/confirm-email/", {"code": code})
    assert only("account.email_added").target == "second@example.gov.uk"
    confirmed = only("account.email_confirmed")
    assert (confirmed.actor, confirmed.target) == (learner, "second@example.gov.uk")


def test_making_another_address_the_main_one_and_removing_the_old_is_recorded(
    client, learner, password
) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=learner, email="second@example.gov.uk", verified=True)
    sign_in(client, learner, password)
    client.post("/accounts/email/", {"action_primary": "", "email": "second@example.gov.uk"})
    client.post("/accounts/email/", {"action_remove": "", "email": learner.email})
    changed = only("account.email_changed")
    assert (changed.actor, changed.target) == (learner, "second@example.gov.uk")
    assert changed.details == {"from": learner.email}
    assert only("account.email_removed").target == learner.email


def test_the_address_recorded_is_the_connection_not_a_forwarded_for_header(
    learner, password
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.66")
    sign_in(client, learner, password)
    assert only("account.signed_in").ip_address == "203.0.113.9"


# --- Two-factor authentication ----------------------------------------------------------------
def test_setting_up_an_authenticator_app_is_recorded_with_its_type(
    client, learner, password, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, learner, password)
    client.post("/accounts/reauthenticate/", {"password": password})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=learner, type="totp").exists()
    added = events("mfa.added")
    assert {e.details["type"] for e in added} >= {"totp"}
    assert all((e.actor, e.target, e.ip_address) == (learner, learner.email, IP) for e in added)


def test_removing_an_authenticator_app_is_recorded(
    client, learner, password, django_capture_on_commit_callbacks
) -> None:
    give_totp(learner)  # a learner may turn it off again; staff may not
    sign_in(client, learner, password)
    client.post("/accounts/reauthenticate/", {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=learner, type="totp").exists()
    event = only("mfa.removed")
    assert (event.actor, event.details, event.ip_address) == (learner, {"type": "totp"}, IP)


def test_new_recovery_codes_are_recorded_as_a_reset(
    client, site_admin, password, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, site_admin, password)
    client.post("/accounts/reauthenticate/", {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/recovery-codes/generate/")
    event = only("mfa.reset")
    assert (event.actor, event.details) == (site_admin, {"type": "recovery_codes"})


# --- Roles ------------------------------------------------------------------------------------
def role_events() -> list[tuple[str, str | None, str, dict[str, Any]]]:
    return [
        (e.action, e.actor_email or None, e.target, e.details)
        for e in AuditEvent.objects.filter(action__startswith="role.").order_by("pk")
    ]


def test_joining_and_leaving_groups_is_recorded_from_either_side(learner) -> None:
    authors = Group.objects.create(name=AUTHORS_GROUP)
    tutors = Group.objects.create(name=TUTORS_GROUP)
    learner.groups.add(authors)
    tutors.user_set.add(learner)
    learner.groups.remove(authors)
    learner.groups.clear()
    assert role_events() == [
        ("role.granted", None, learner.email, {"role": "Authors"}),
        ("role.granted", None, learner.email, {"role": "Tutors"}),
        ("role.revoked", None, learner.email, {"role": "Authors"}),
        ("role.revoked", None, learner.email, {"role": "Tutors"}),
    ]


def test_adding_a_group_that_is_already_held_records_nothing(learner) -> None:
    tutors = Group.objects.create(name=TUTORS_GROUP)
    learner.groups.add(tutors)
    learner.groups.add(tutors)
    learner.groups.set([tutors])
    assert len(role_events()) == 1


def test_admin_flags_are_recorded_when_they_change_only(learner) -> None:
    learner.is_staff = True
    learner.save()
    learner.first_name = "Alexandra"
    learner.save()
    learner.save(update_fields=["last_login"])
    learner.is_staff = False
    learner.is_superuser = True
    learner.save()
    assert role_events() == [
        ("role.granted", None, learner.email, {"role": "Admin"}),
        ("role.revoked", None, learner.email, {"role": "Admin"}),
        ("role.granted", None, learner.email, {"role": "Superuser"}),
    ]


def test_creating_a_superuser_is_recorded() -> None:
    User.objects.create_superuser("boss@example.gov.uk", "a-long-enough-passphrase")
    assert [(action, details["role"]) for action, _, _, details in role_events()] == [
        ("role.granted", "Admin"),
        ("role.granted", "Superuser"),
    ]


def test_a_change_in_the_django_admin_is_put_down_to_the_admin(
    client, site_admin, learner, password
) -> None:
    tutors = Group.objects.create(name=TUTORS_GROUP)
    sign_in(client, site_admin, password)
    AuditEvent.objects.all().delete()
    response = client.post(
        f"/admin/accounts/user/{learner.pk}/change/",
        {
            "email": learner.email, "first_name": learner.first_name,
            "last_name": learner.last_name, "is_active": "on", "is_staff": "on",
            "groups": [tutors.pk], "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert role_events() == [
        ("role.granted", site_admin.email, learner.email, {"role": "Admin"}),
        ("role.granted", site_admin.email, learner.email, {"role": "Tutors"}),
    ]
    assert {e.ip_address for e in AuditEvent.objects.filter(action__startswith="role.")} == {IP}


def test_cohort_facilitators_and_report_viewers_are_recorded(learner, other_learner) -> None:
    cohort = CohortFactory(name="Spring leaders")
    cohort.facilitators.add(learner)
    other_learner.reported_cohorts.add(cohort)
    cohort.facilitators.remove(learner)
    cohort.report_viewers.clear()
    about = {"cohort": cohort.pk, "cohort_name": "Spring leaders"}
    assert role_events() == [
        ("role.granted", None, learner.email, {"role": "Facilitator", **about}),
        ("role.granted", None, other_learner.email, {"role": "Report viewer", **about}),
        ("role.revoked", None, learner.email, {"role": "Facilitator", **about}),
        ("role.revoked", None, other_learner.email, {"role": "Report viewer", **about}),
    ]


def test_course_roles_are_recorded_once_by_authoring_not_here(author, learner) -> None:
    from authoring import services

    workspace = services.create_course(
        actor=author, slug="new-course", title="New course", summary="About"
    )
    AuditEvent.objects.all().delete()
    services.set_role(workspace=workspace, actor=author, user=learner, role="reviewer")
    assert [e.action for e in AuditEvent.objects.all()] == ["authoring.role"]


# --- Personal data ----------------------------------------------------------------------------
def test_a_tutor_opening_an_answer_to_mark_is_recorded(client, site_admin, learner, course):
    from exercises import services
    from exercises.models import Exercise

    written = services.submit_answer(
        learner=learner, exercise=Exercise.objects.get(course=course, slug="what-is-noise"),
        answer={"text": "One low year is noise."}, confidence=None,
    )  # fmt: skip
    client.force_login(site_admin)
    assert client.get(f"/marking/{written.pk}/").status_code == 200
    event = only("marking.viewed_answer")
    assert (event.actor, event.target, event.ip_address) == (site_admin, learner.email, IP)
    assert event.details["submission"] == written.pk
    client.post(f"/marking/{written.pk}/", {"points_0": "2"})  # a refused mark: no new view
    assert len(events("marking.viewed_answer")) == 1
