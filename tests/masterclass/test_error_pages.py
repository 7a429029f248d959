import pytest
from django.test import Client, RequestFactory

from masterclass import views

pytestmark = pytest.mark.django_db


def test_unknown_url_gets_the_styled_404(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found – Data Masterclass</title>" in html
    assert 'class="govuk-heading-l">Page not found</h1>' in html
    assert "govuk-service-navigation" in html


def test_bad_csrf_token_gets_the_styled_page_and_creates_nothing(learner, password) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": learner.email, "password": password})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_disallowed_host_gets_the_styled_400(client) -> None:
    response = client.get("/", HTTP_HOST="attacker.example.com")
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.content.decode()


def test_permission_denied_gets_the_styled_403(client, learner) -> None:
    client.force_login(learner)
    response = client.get("/status/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


def test_server_error_page_renders_without_a_database(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "/static/build/main.css" in html
