import pytest
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
