import pytest
from django.test import RequestFactory

from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db


def test_records_who_did_what_and_from_where(site_admin) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    event = record(
        actor=site_admin, action="exported_cohort_progress", target="Cohort 3",
        details={"rows": 12}, request=request,
    )  # fmt: skip
    assert (event.actor, event.actor_email, event.ip_address) == (
        site_admin,
        site_admin.email,
        "192.0.2.7",
    )
    assert event.details == {"rows": 12}


def test_the_record_outlives_the_actors_account(site_admin) -> None:
    record(actor=site_admin, action="viewed_learner_answers", target="x" * 400)
    email = site_admin.email
    site_admin.delete()
    event = AuditEvent.objects.get(action="viewed_learner_answers")
    assert (event.actor, event.actor_email) == (None, email)
    assert len(event.target) == 300
