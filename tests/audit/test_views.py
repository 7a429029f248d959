"""The audit log page and its CSV download, for admins only."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
URL = "/audit/"
EXPORT = "/audit/export.csv"


def at(event: AuditEvent, when: datetime.datetime) -> AuditEvent:
    # created_at is set on insert (auto_now_add); an update puts it where the test needs it.
    AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


@pytest.fixture
def admin_client(client: Client, site_admin: Any) -> Client:
    client.force_login(site_admin)
    AuditEvent.objects.all().delete()  # the persona's own role grants
    return client


def csv_of(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


# --- Who may see it ---------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["learner", "author"])
def test_anyone_but_an_admin_is_told_there_is_no_such_page(client, request, persona) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_signed_out_people_are_sent_to_sign_in(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admins_see_the_link_in_the_navigation(admin_client) -> None:
    assert f'href="{URL}"' in admin_client.get("/").content.decode()


def test_learners_do_not_see_the_link(client, learner) -> None:
    client.force_login(learner)
    assert f'href="{URL}"' not in client.get("/").content.decode()


# --- The page ---------------------------------------------------------------------------------
def test_events_newest_first_in_words_with_uk_time_and_ip(admin_client, site_admin, learner):
    at(record(actor=learner, action="account.signed_in", target=learner.email,
              details={"method": "password"}), datetime.datetime(2026, 7, 1, 8, 30, tzinfo=datetime.UTC))  # fmt: skip
    at(record(actor=None, action="role.granted", target=learner.email,
              details={"role": "Facilitator", "cohort": 1, "cohort_name": "Spring"}),
       datetime.datetime(2026, 7, 2, 9, 0, tzinfo=datetime.UTC))  # fmt: skip
    AuditEvent.objects.filter(action="account.signed_in").update(ip_address="192.0.2.1")
    html = admin_client.get(URL).content.decode()
    assert "<title>Audit log – Data Masterclass</title>" in html
    granted = html.index("Gave someone a role: Facilitator of cohort “Spring”")
    signed_in = html.index("Signed in: with a password")
    assert granted < signed_in  # newest first
    assert "2 Jul 2026 10:00:00" in html  # British Summer Time
    assert "1 Jul 2026 09:30:00" in html
    assert "The system" in html and "192.0.2.1" in html and "Not recorded" in html


def test_older_action_names_are_described_too(admin_client, learner) -> None:
    record(actor=learner, action="viewed_learner_answers", target="someone@example.gov.uk")
    record(actor=learner, action="authoring.publish", target="course:x", details={"version": 3})
    html = admin_client.get(URL).content.decode()
    assert "Viewed a learner&#x27;s answers in a cohort" in html
    assert "Published a course version: version 3" in html


def test_pages_of_fifty(admin_client, learner) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_email=learner.email, action="account.signed_in", target=f"t{n}")
        for n in range(120)
    )
    first = admin_client.get(URL).content.decode()
    assert "Showing 1 to 50 of 120 events." in first
    assert 'aria-label="Pages of audit events"' in first
    last = admin_client.get(URL, {"page": "3"}).content.decode()
    assert "Showing 101 to 120 of 120 events." in last
    assert admin_client.get(URL, {"page": "nonsense"}).status_code == 200


def test_filters_by_group_person_target_and_dates(admin_client, learner, other_learner) -> None:
    def event(action: str, actor: Any, target: str, day: int) -> None:
        at(record(actor=actor, action=action, target=target),
           datetime.datetime(2026, 3, day, 12, tzinfo=LONDON))  # fmt: skip

    event("account.signed_in", learner, "a", 1)
    event("mfa.added", learner, "b", 2)
    event("role.granted", other_learner, "c-target", 3)
    event("authoring.dataset-upload", other_learner, "course:x", 4)
    event("exported_cohort_progress", other_learner, "Cohort 9", 5)

    def targets(**query: str) -> list[str]:
        response = admin_client.get(URL, query)
        assert response.status_code == 200
        return [row.target for row in response.context["rows"]]

    assert targets(group="sign-in") == ["a"]
    assert targets(group="authoring") == ["course:x"]
    assert targets(group="personal-data") == ["Cohort 9"]
    assert targets(actor="OTHER.learner") == ["Cohort 9", "course:x", "c-target"]
    assert targets(target="target") == ["c-target"]
    dates = {"date_from_day": "2", "date_from_month": "3", "date_from_year": "2026",
             "date_to_day": "4", "date_to_month": "3", "date_to_year": "2026"}  # fmt: skip
    assert targets(**dates) == ["course:x", "c-target", "b"]


def test_a_day_is_a_uk_day(admin_client, learner) -> None:
    # 23:30 on 1 July in London is 22:30 UTC: it belongs to 1 July.
    at(record(actor=learner, action="account.signed_in", target="late"),
       datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC))  # fmt: skip
    query = {"date_from_day": "1", "date_from_month": "7", "date_from_year": "2026",
             "date_to_day": "1", "date_to_month": "7", "date_to_year": "2026"}  # fmt: skip
    assert [row.target for row in admin_client.get(URL, query).context["rows"]] == ["late"]
    query.update(date_from_day="2", date_to_day="2")
    assert admin_client.get(URL, query).context["rows"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"},
         "From date must be a real date"),
        ({"date_to_day": "3", "date_to_month": "", "date_to_year": "2026"},
         "To date must include a month"),
        ({"date_from_day": "5", "date_from_month": "3", "date_from_year": "2026",
          "date_to_day": "4", "date_to_month": "3", "date_to_year": "2026"},
         "To date must be the same as or after the from date"),
        ({"date_to_day": "31", "date_to_month": "12", "date_to_year": "9999"}, None),
        ({"group": "everything"}, "Select what happened from the list"),
    ],
)  # fmt: skip
def test_bad_filters_get_the_error_summary(admin_client, learner, query, message) -> None:
    record(actor=learner, action="account.signed_in", target="x")
    response = admin_client.get(URL, query)
    html = response.content.decode()
    if message is None:  # the last day there is: valid, and no overflow
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert "<title>Error: Audit log" in html
    assert response.context["rows"] == []
    export = admin_client.get(EXPORT, query)
    assert export.status_code == 400 and message in export.content.decode()
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_the_page_costs_the_same_queries_however_many_events(admin_client, learner) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(URL).status_code == 200
        return len(captured)

    record(actor=learner, action="account.signed_in", target="one")
    few = queries()
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_email=learner.email, action="mfa.added", target=f"t{n}",
                   details={"type": "totp"})
        for n in range(200)
    )  # fmt: skip
    assert queries() == few
    assert few <= 6


# --- The CSV download -------------------------------------------------------------------------
def test_the_download_has_the_filtered_events_and_is_itself_recorded(
    admin_client, site_admin, learner
) -> None:
    at(record(actor=learner, action="account.signed_in", target=learner.email,
              details={"method": "password"}), datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC))  # fmt: skip
    record(actor=learner, action="mfa.added", target=learner.email, details={"type": "totp"})
    response = admin_client.get(EXPORT, {"group": "sign-in"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = csv_of(response)
    assert rows[0] == ["When (UK time)", "Who", "What", "Action", "About", "IP address", "Details"]
    assert rows[1:] == [[
        "2026-01-05 09:00:00", learner.email, "Signed in: with a password", "account.signed_in",
        learner.email, "", '{"method": "password"}',
    ]]  # fmt: skip
    exported = AuditEvent.objects.get(action="audit.exported")
    assert (exported.actor, exported.details) == (site_admin, {"filters": {"group": "sign-in"}})


def test_the_download_is_safe_to_open_in_a_spreadsheet(admin_client) -> None:
    record(actor=None, action="account.sign_in_failed", target='=HYPERLINK("http://x","y")')
    record(actor=None, action="account.sign_in_failed", target="+1-2")
    record(actor=None, action="account.sign_in_failed", target="@SUM(A1)")
    record(actor=None, action="account.sign_in_failed", target="-5")
    rows = csv_of(admin_client.get(EXPORT, {"group": "sign-in"}))
    targets = [row[4] for row in rows[1:]]
    assert sorted(targets) == sorted(['\'=HYPERLINK("http://x","y")', "'+1-2", "'@SUM(A1)", "'-5"])


def test_the_download_costs_the_same_queries_however_many_events(admin_client, learner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(EXPORT)
            csv_of(response)
        return len(captured)

    few = queries()
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_email=learner.email, action="account.signed_in", target=f"t{n}")
        for n in range(2500)
    )
    assert queries() <= few + 1  # the iterator fetches in chunks of 2,000
    # The header, the events, and the downloads themselves (each is recorded first).
    assert len(csv_of(admin_client.get(EXPORT))) == 1 + 2500 + 3
