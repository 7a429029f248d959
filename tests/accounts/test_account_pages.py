"""Every allauth page a person can reach renders in the site layout with GOV.UK markup."""

import pytest

pytestmark = pytest.mark.django_db

SIGNED_OUT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/login/code/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
]
SIGNED_IN_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
]


def assert_site_layout(html: str) -> None:
    assert "govuk-service-navigation" in html
    assert 'id="main-content"' in html
    assert "– Data Masterclass</title>" in html
    assert '<h1 class="govuk-heading-l">' in html.replace("\n", "")


@pytest.mark.parametrize("url", SIGNED_OUT_PAGES)
def test_signed_out_account_pages(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert_site_layout(response.content.decode())


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_account_pages(client, learner, url: str) -> None:
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 200
    assert_site_layout(response.content.decode())
