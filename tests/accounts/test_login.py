import re

import pytest
from django.core import mail

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_sign_in_with_password_goes_home(client, learner, password) -> None:
    response = log_in(client, learner.email, password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_email_is_the_identifier_whatever_its_case(client, learner, password) -> None:
    assert log_in(client, learner.email.upper(), password).status_code == 302


def test_wrong_password_shows_the_error_summary(client, learner) -> None:
    response = log_in(client, learner.email, "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: Sign in – Data Masterclass</title>" in html
    assert "_auth_user_id" not in client.session


def test_unverified_address_must_be_verified_before_signing_in(client, password) -> None:
    user = UserFactory(verified_email=False)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = log_in(client, user.email, password)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1  # a verification code


def test_failed_sign_ins_are_rate_limited_per_account(client, learner, password) -> None:
    for _ in range(5):
        log_in(client, learner.email, "wrong-password")
    response = log_in(client, learner.email, password)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_by_emailed_code(client, learner) -> None:
    response = client.post("/accounts/login/code/", {"email": learner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_a_wrong_code_is_refused(client, learner) -> None:
    client.post("/accounts/login/code/", {"email": learner.email})
    response = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client, learner) -> None:
    response = client.post("/accounts/password/reset/", {"email": learner.email})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_sign_out_needs_a_post(client, learner) -> None:
    client.force_login(learner)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_django_admin_signs_in_through_allauth(client) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
