"""Certificates: issued once a course is complete, public to anyone given the link, printable."""

import re

import pytest
from django.test import Client

from progress import services
from progress.models import Certificate
from tests.accounts.factories import UserFactory
from tests.progress.helpers import complete, read

pytestmark = pytest.mark.django_db

GET_IT = "/progress/courses/mini-course/certificate/"
PROGRESS = "/progress/courses/mini-course/"


@pytest.fixture
def me(client: Client, learner):  # type: ignore[no-untyped-def]
    client.force_login(learner)
    return client


@pytest.fixture
def finished(learner, course):  # type: ignore[no-untyped-def]
    complete(learner, course)
    return learner


def test_a_complete_course_offers_the_certificate(me, finished, course) -> None:
    for url in [PROGRESS, "/courses/mini-course/"]:
        html = me.get(url).content.decode()
        assert "You have completed this course" in html
        assert f'action="{GET_IT}"' in html and "Get your certificate" in html
        assert 'name="csrfmiddlewaretoken"' in html


def test_an_unfinished_course_offers_no_certificate(me, learner, course) -> None:
    read(learner, course)
    for url in [PROGRESS, "/courses/mini-course/"]:
        assert "Get your certificate" not in me.get(url).content.decode()


def test_getting_the_certificate_issues_it_once_and_shows_it(me, finished, course) -> None:
    response = me.post(GET_IT)
    certificate = Certificate.objects.get(learner=finished, course=course)
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/{certificate.code}/"
    assert me.post(GET_IT)["Location"] == response["Location"]  # the same one again
    assert me.get(GET_IT)["Location"] == response["Location"]
    assert Certificate.objects.count() == 1
    html = me.get(PROGRESS).content.decode()
    assert "View your certificate" in html and f'href="/certificates/{certificate.code}/"' in html


def test_a_learner_who_has_not_finished_is_told_so(me, learner, course) -> None:
    read(learner, course, "welcome")
    response = me.post(GET_IT, follow=True)
    assert response.redirect_chain == [(PROGRESS, 302)]
    assert "when you have finished the course" in response.content.decode()
    assert not Certificate.objects.exists()
    assert me.get(GET_IT)["Location"] == PROGRESS


def test_getting_a_certificate_needs_the_csrf_token(learner, finished, course) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(GET_IT).status_code == 403
    assert not Certificate.objects.exists()


def test_the_certificate_page_is_public_and_verifiable(client, finished, course, settings):
    settings.SITE_URL = "https://masterclass.example.gov.uk"
    finished.first_name, finished.last_name = "Alex", "Learner"
    finished.save()
    client.force_login(finished)
    url = client.post(GET_IT)["Location"]
    code = url.split("/")[2]
    client.logout()

    response = client.get(url)  # signed out: anyone given the link

    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "Alex Learner" in html and "Mini course" in html
    assert f"Certificate number {code}" in html
    completed = Certificate.objects.get().completed_at
    assert f"on {completed.day} " in html and str(completed.year) in html
    assert f'href="https://masterclass.example.gov.uk/certificates/{code}/"' in html
    assert "This page is the verification" in html
    # Hidden until the script runs, on an element whose display no class overrides.
    assert re.search(
        r'<div class="app-print" data-module="app-print" hidden>\s*<button[^>]*>Print or save',
        html,
    )
    assert '<script type="module" src="/static/js/print.mjs">' in html
    assert "style=" not in html and "onclick" not in html


def test_other_learners_can_check_a_certificate_they_were_given(
    client, finished, other_learner, course
) -> None:
    client.force_login(finished)
    url = client.post(GET_IT)["Location"]
    client.force_login(other_learner)
    response = client.get(url)
    assert response.status_code == 200
    assert "Back to your progress" not in response.content.decode()
    # Their own request gives them no certificate: they have not finished.
    assert client.post(GET_IT)["Location"] == PROGRESS
    assert Certificate.objects.filter(learner=other_learner).count() == 0


def test_the_name_and_title_stay_as_issued(client, finished, course) -> None:
    client.force_login(finished)
    url = client.post(GET_IT)["Location"]
    course.title = "Renamed course"
    course.save()
    assert "Mini course" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "code", ["no-such-code", "x" * 500, "%00", "abc%00", "abc'--", "%E2%9C%93"]
)
def test_unknown_codes_give_404(client, course, code: str) -> None:
    assert client.get(f"/certificates/{code}/").status_code == 404


def test_certificates_cannot_be_changed_through_their_page(client, finished, course) -> None:
    client.force_login(finished)
    url = client.post(GET_IT)["Location"]
    assert client.post(url).status_code == 405


# --- The name on the certificate -------------------------------------------------------------
@pytest.fixture
def nameless(client: Client, course):  # type: ignore[no-untyped-def]
    """A learner whose account has no name, only an email address, who finished the course."""
    person = UserFactory(email="nameless@example.gov.uk", first_name="", last_name="")
    complete(person, course)
    client.force_login(person)
    return person


def test_a_learner_without_a_name_is_asked_for_the_name_to_print(client, nameless) -> None:
    response = client.post(GET_IT)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Name to print on your certificate" in html
    assert f'action="{GET_IT}"' in html and 'name="name"' in html
    assert not Certificate.objects.exists()
    # The same form, if they come back to the address.
    assert "Name to print on your certificate" in client.get(GET_IT).content.decode()


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Enter the name to print on your certificate"),
        ("   ", "Enter the name to print on your certificate"),
        ("x" * 151, "Name to print must be 150 characters or fewer"),
    ],
)
def test_the_name_to_print_is_required_and_not_too_long(client, nameless, name, error) -> None:
    response = client.post(GET_IT, {"name": name})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert error in html
    assert not Certificate.objects.exists()


def test_the_certificate_carries_the_name_given_never_the_email_address(
    client, nameless, course
) -> None:
    response = client.post(GET_IT, {"name": "  Sam   Okafor "})

    certificate = Certificate.objects.get(learner=nameless)
    assert response["Location"] == f"/certificates/{certificate.code}/"
    assert certificate.learner_name == "Sam Okafor"
    client.logout()
    html = client.get(response["Location"]).content.decode()
    assert "Sam Okafor" in html and "nameless@example.gov.uk" not in html
    # Issued once: a second request changes nothing.
    client.force_login(nameless)
    assert client.post(GET_IT, {"name": "Someone Else"})["Location"] == response["Location"]
    assert Certificate.objects.get().learner_name == "Sam Okafor"


def test_learners_with_a_name_are_not_asked_for_one(me, finished) -> None:
    response = me.post(GET_IT)
    assert response.status_code == 302
    assert Certificate.objects.get().learner_name == "Alex Learner"


def test_issuing_never_prints_the_email_address(course) -> None:
    person = UserFactory(email="nameless@example.gov.uk", first_name="", last_name="")
    complete(person, course)
    with pytest.raises(services.NameNeeded):
        services.issue_certificate(learner=person, course=course)
    assert not Certificate.objects.exists()

    certificate = services.issue_certificate(learner=person, course=course, name="Sam Okafor")
    assert certificate is not None and certificate.learner_name == "Sam Okafor"
    # Once issued, the certificate is returned as it is, with or without a name.
    assert services.issue_certificate(learner=person, course=course) == certificate
    assert services.issue_certificate(learner=person, course=course, name="New") == certificate
    assert Certificate.objects.get().learner_name == "Sam Okafor"


def test_issuing_keeps_the_day_the_course_was_completed(learner, course) -> None:
    complete(learner, course)
    certificate = services.issue_certificate(learner=learner, course=course)
    assert certificate is not None
    assert certificate.completed_at == learner.course_progress.get().completed_at
