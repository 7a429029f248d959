"""Limits on sending answers and on downloads: hit with real requests, per person, with a
clear message; and the limits allauth keeps on two-factor codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from audit.models import AuditEvent
from authoring import services as authoring
from authoring.models import CourseRole, Role
from exercises.models import Submission
from masterclass import ratelimits
from tests.accounts.factories import UserFactory, totp_code
from tests.cohorts.factories import CohortFactory
from tests.exercises import conftest as exercise_fixtures
from tests.masterclass import test_cache_outage as outage

pytestmark = pytest.mark.django_db

# Shared fixtures: the small test course, and Redis down.
course = exercise_fixtures.course
dead_redis_cache = outage.dead_redis_cache
redis_down = outage.redis_down

FLOW = "/courses/mini-course/exercises/flow-1871/"
TOO_MANY_ANSWERS = "You have sent many answers in a short time. Wait a minute and try again."


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def limits(settings: Any) -> dict[str, str]:
    settings.RATE_LIMITS = {"submit_answer": "2/m/user", "export": "2/m/user"}
    return settings.RATE_LIMITS


# --- Answers ----------------------------------------------------------------------------------
def test_the_limits_in_use(settings: Any) -> None:
    assert settings.RATE_LIMITS == {
        "submit_answer": "30/m/user",
        "export": "10/m/user",
        "data_export": "30/h/user",
    }


def test_answers_over_the_limit_are_refused_with_the_answer_kept(
    limits, course, learner, django_capture_on_commit_callbacks
) -> None:
    reader = client_for(learner)
    with django_capture_on_commit_callbacks(execute=False):
        assert reader.post(FLOW, {"value": "112"}).status_code == 302
        assert reader.post(FLOW, {"value": "113"}).status_code == 302
        response = reader.post(FLOW, {"value": "1,114"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "There is a problem" in html and TOO_MANY_ANSWERS in html
    assert "<title>Error: Flow in 1871" in html
    assert 'value="1,114"' in html  # nothing lost
    assert Submission.objects.count() == 2


def test_the_default_limit_allows_thirty_answers_a_minute(
    course, learner, django_capture_on_commit_callbacks
) -> None:
    reader = client_for(learner)
    with django_capture_on_commit_callbacks(execute=False):
        # Only two are saved (the exercise allows two attempts); all thirty count.
        statuses = [reader.post(FLOW, {"value": str(100 + n)}).status_code for n in range(30)]
        refused = reader.post(FLOW, {"value": "200"})
    assert 429 not in statuses
    assert refused.status_code == 429 and TOO_MANY_ANSWERS in refused.content.decode()


def test_the_limit_is_per_learner(limits, course, learner, other_learner,
                                  django_capture_on_commit_callbacks) -> None:  # fmt: skip
    reader = client_for(learner)
    with django_capture_on_commit_callbacks(execute=False):
        for value in ("112", "113", "114"):
            reader.post(FLOW, {"value": value})
        assert client_for(other_learner).post(FLOW, {"value": "112"}).status_code == 302


def test_a_form_with_errors_is_not_counted(limits, course, learner,
                                           django_capture_on_commit_callbacks) -> None:  # fmt: skip
    reader = client_for(learner)
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(3):
            assert reader.post(FLOW, {"value": "lots"}).status_code == 400
        assert reader.post(FLOW, {"value": "112"}).status_code == 302


def test_answers_are_taken_while_the_cache_is_down(
    limits, course, learner, redis_down, django_capture_on_commit_callbacks
) -> None:
    reader = client_for(learner)
    with django_capture_on_commit_callbacks(execute=False):
        for value in ("112", "113"):
            assert reader.post(FLOW, {"value": value}).status_code == 302
    assert Submission.objects.count() == 2


# --- Downloads --------------------------------------------------------------------------------
@pytest.fixture
def facilitator(course: Any) -> Any:
    user = UserFactory(email="facilitator@example.gov.uk", mfa=True)
    CohortFactory(course=course, facilitators=[user])
    return user


def cohort_export(user: Any) -> str:
    cohort = user.facilitated_cohorts.get()
    return f"/cohorts/{cohort.pk}/export/progress.csv"


def assert_refused(response: Any) -> None:
    assert response.status_code == 429
    html = response.content.decode()
    assert ratelimits.TOO_MANY_EXPORTS in html
    assert '<h1 class="govuk-heading-l">You have done this too often</h1>' in html


def test_cohort_downloads_over_the_limit_get_a_clear_429(limits, facilitator) -> None:
    client = client_for(facilitator)
    url = cohort_export(facilitator)
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert_refused(client.get(url))
    assert_refused(client.get(url.replace("progress.csv", "questions.csv")))
    assert AuditEvent.objects.filter(action="exported_cohort_progress").count() == 2


def test_the_limit_is_per_person(limits, facilitator, course) -> None:
    other = UserFactory(email="other.facilitator@example.gov.uk", mfa=True)
    facilitator.facilitated_cohorts.get().facilitators.add(other)
    client = client_for(facilitator)
    for _ in range(3):
        client.get(cohort_export(facilitator))
    assert client_for(other).get(cohort_export(facilitator)).status_code == 200


def test_course_zips_share_the_download_limit(limits, course, author) -> None:
    workspace = authoring.workspace_for_course(course=course, actor=author)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.OWNER)
    client = client_for(author)
    url = f"/author/{workspace.slug}/export.zip"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert_refused(client.get(url))


def test_audit_log_downloads_are_limited_too(limits, site_admin) -> None:
    client = client_for(site_admin)
    assert [client.get("/audit/export.csv").status_code for _ in range(2)] == [200, 200]
    assert_refused(client.get("/audit/export.csv"))
    assert AuditEvent.objects.filter(action="audit.exported").count() == 2


def test_an_action_without_a_limit_is_a_configuration_error(learner) -> None:
    request = RequestFactory().post("/")
    request.user = learner
    with pytest.raises(ImproperlyConfigured):
        ratelimits.consume(request, action="no-such-action")


# --- Two-factor codes (allauth's own limit) ---------------------------------------------------
def test_wrong_two_factor_codes_are_limited_per_person(client, site_admin, password) -> None:
    client.post("/accounts/login/", {"login": site_admin.email, "password": password})
    for _ in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert "Incorrect code" in response.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(site_admin)})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
