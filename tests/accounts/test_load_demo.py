import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import User
from courses.models import Course, Lesson

pytestmark = pytest.mark.django_db


def test_loads_one_verified_account_per_role_and_is_idempotent(client) -> None:
    call_command("load_demo")
    call_command("load_demo")
    demo_people = User.objects.filter(email__endswith="@example.gov.uk")
    assert demo_people.count() == len(DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        response = client.post(
            "/accounts/login/", {"login": account.email, "password": account.password}
        )
        assert response.status_code == 302, account.role
        client.logout()
    assert User.objects.get(email="admin@example.gov.uk").is_staff
    assert not User.objects.get(email="learner@example.gov.uk").is_staff
    course = Course.objects.get(slug="data-masterclass")
    assert course.published
    assert course.modules.count() >= 6
    assert Lesson.objects.filter(module__course=course).count() >= 18


def test_refuses_to_create_demo_accounts_in_production(settings) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="Refusing to load demo data"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "email, staff_page",
    [
        ("admin@example.gov.uk", "/cohorts/"),
        ("author@example.gov.uk", "/author/"),
        ("facilitator@example.gov.uk", "/cohorts/"),
    ],
)
def test_demo_staff_sign_in_with_the_code_demo_code_shows(client, email, staff_page) -> None:
    call_command("load_demo")
    call_command("load_demo")  # still one authenticator app each
    account = next(a for a in DEMO_ACCOUNTS if a.email == email)
    user = User.objects.get(email=email)
    assert Authenticator.objects.filter(user=user).count() == 1
    response = client.post("/accounts/login/", {"login": email, "password": account.password})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    out = io.StringIO()
    call_command("demo_code", email, stdout=out)
    response = client.post("/accounts/2fa/authenticate/", {"code": out.getvalue().strip()})
    assert response.status_code == 302, response.content.decode()[:800]
    assert client.get(staff_page).status_code == 200


def test_demo_code_is_for_demo_staff_accounts_only(settings) -> None:
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "learner@example.gov.uk")
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="Refusing"):
        call_command("demo_code", "admin@example.gov.uk")
