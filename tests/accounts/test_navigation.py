import pytest

pytestmark = pytest.mark.django_db


def nav_html(client) -> str:  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    return html[html.index("govuk-service-navigation") : html.index("</header>")]


def test_signed_out_visitors_see_sign_in(client) -> None:
    nav = nav_html(client)
    assert "Sign in" in nav
    assert "Administration" not in nav
    assert "Sign out" not in nav


def test_learners_see_their_account_but_not_administration(client, learner) -> None:
    client.force_login(learner)
    nav = nav_html(client)
    assert "Your account" in nav
    assert "Sign out" in nav
    assert "Administration" not in nav
    assert "System status" not in nav


def test_admins_see_administration(client, site_admin) -> None:
    client.force_login(site_admin)
    nav = nav_html(client)
    assert "Administration" in nav
    assert "System status" in nav


def test_the_current_page_is_marked(client) -> None:
    html = client.get("/").content.decode()
    assert 'aria-current="page"' in html
