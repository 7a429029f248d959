"""CSV downloads: streamed, the same figures as the screen, safe to open in a spreadsheet,
and recorded in the audit log when they hold personal data."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from audit.models import AuditEvent
from cohorts import exports, presenters
from cohorts.models import Membership
from cohorts.selectors import members_with_progress
from tests.accounts.factories import UserFactory
from tests.cohorts import test_dashboard_views as shared
from tests.cohorts.factories import MembershipFactory
from tests.cohorts.test_dashboard_views import (
    answer,
    grid_rows,
    html_of,
    join,
    read_all_of_module,
    url,
)

# The personas and the cohort of the dashboard tests.
cohort = shared.cohort
facilitator = shared.facilitator
other_facilitator = shared.other_facilitator
report_viewer = shared.report_viewer

pytestmark = pytest.mark.django_db


def download(client, address: str) -> tuple[Any, list[list[str]]]:  # type: ignore[no-untyped-def]
    response = client.get(address)
    assert response.status_code == 200, response.status_code
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text)))


class TestNeutralise:
    @pytest.mark.parametrize(
        "value",
        ['=HYPERLINK("http://evil.example","Click")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)",
         "\tTabbed", "\rReturned"],
    )  # fmt: skip
    def test_formula_starts_get_an_apostrophe(self, value: str) -> None:
        assert exports.neutralise(value) == "'" + value

    @pytest.mark.parametrize("value", ["Alex", "", "50%", "a=b", " =1", 0, -1, 2.5, None])
    def test_everything_else_is_left_alone(self, value: Any) -> None:
        assert exports.neutralise(value) == value

    def test_negative_numbers_stay_numbers_in_the_csv(self) -> None:
        text = "".join(exports.csv_lines([[-1, "-1", 2.5]]))
        assert text == "\ufeff-1,'-1,2.5\r\n"


def test_the_progress_download_has_the_same_figures_as_the_screen(
    client, cohort, course, facilitator, learner, other_learner, exercise_named
) -> None:
    other_learner.answers_private = True
    other_learner.save()
    join(cohort, learner, group="HM Treasury")
    join(cohort, other_learner)
    MembershipFactory(cohort=cohort, email="pending@example.gov.uk")
    read_all_of_module(learner, course, 1)
    read_all_of_module(other_learner, course, 2)
    for user in (learner, other_learner):
        answer(user, exercise_named("flaws"), {"choices": [0, 2]})
        answer(user, exercise_named("wet-years"), {"query": "SELECT 1"})
    client.force_login(facilitator)
    screen = grid_rows(html_of(client, url(cohort, "dashboard")))

    response, rows = download(client, url(cohort, "export_grid"))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["Name", "Email", "Group", "Status", "Last active",
                          "Course completion %", "Course mastery %"]  # fmt: skip
    assert header[7:] == ["First steps: completion %", "First steps: mastery %",
                          "Next steps: completion %", "Next steps: mastery %"]  # fmt: skip
    assert len(body) == len(screen) == 3
    for row in body:
        shown = screen[row[0]]
        assert row[3] == shown[0]  # status
        on_screen = [cell.removesuffix("%").replace("–", "") for cell in shown[2:]]
        assert row[5:] == on_screen, row[0]
    alex = next(row for row in body if row[0] == "Alex Learner")
    assert alex[1:3] == ["learner@example.gov.uk", "HM Treasury"]
    assert alex[4] == timezone.localdate().isoformat()
    private = next(row for row in body if row[1] == other_learner.email)
    assert private[6] == private[8] == private[10] == "Private"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cohort-{cohort.pk}-progress-{timezone.localdate().isoformat()}.csv"'
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_progress_download_follows_the_dashboard_filters(
    client, cohort, facilitator, learner, other_learner
) -> None:
    join(cohort, learner, group="Home Office")
    join(cohort, other_learner, group="DfE")
    client.force_login(facilitator)
    _, rows = download(client, url(cohort, "export_grid") + "?group=DfE")
    assert [row[1] for row in rows[1:]] == [other_learner.email]
    html = html_of(client, url(cohort, "dashboard") + "?group=DfE&page=1")
    assert f'{url(cohort, "export_grid")}?group=DfE"' in html.replace("&amp;", "&")


def test_the_progress_download_of_one_module_has_the_columns_of_the_screen(
    client, cohort, course, facilitator, learner, other_learner, exercise_named
) -> None:
    """With the module filter, the screen shows the course and that module only: so does the
    download, figure for figure, "Private" included."""
    other_learner.answers_private = True
    other_learner.save()
    join(cohort, learner)
    join(cohort, other_learner)
    read_all_of_module(learner, course, 2)
    answer(learner, exercise_named("flaws"), {"choices": [0, 2]})
    answer(other_learner, exercise_named("wet-years"), {"query": "SELECT 1"})
    second = course.modules.get(position=2)
    client.force_login(facilitator)
    query = f"?module={second.pk}"
    screen = grid_rows(html_of(client, url(cohort, "dashboard") + query))

    _, rows = download(client, url(cohort, "export_grid") + query)
    header, body = rows[0], rows[1:]
    assert header[5:] == ["Course completion %", "Course mastery %",
                          "Next steps: completion %", "Next steps: mastery %"]  # fmt: skip
    assert len(body) == len(screen) == 2
    for row in body:
        on_screen = [cell.removesuffix("%").replace("–", "") for cell in screen[row[0]][2:]]
        assert row[5:] == on_screen, row[0]
    alex = next(row for row in body if row[0] == "Alex Learner")
    assert alex[7:] == ["67", "50"]  # module 2: 2 of 3 items done, 1 of 2 questions right


def test_a_download_of_personal_data_is_recorded(client, cohort, facilitator, learner) -> None:
    join(cohort, learner)
    client.force_login(facilitator)
    download(client, url(cohort, "export_grid") + "?status=on_track")
    event = AuditEvent.objects.get(action="exported_cohort_progress")
    assert event.actor == facilitator
    assert event.details == {"cohort": cohort.pk, "filters": {"status": "on_track"}}
    assert event.ip_address == "127.0.0.1"


def test_names_and_groups_cannot_smuggle_formulas_into_a_spreadsheet(
    client, cohort, facilitator
) -> None:
    hostile = [
        ('=HYPERLINK("http://evil.example","Click")', "Smith", "+cmd"),
        ("@SUM(1+1)", "Jones", "-1+1"),
        ("\tTab", "Brown", "\rReturn"),
    ]
    for first, last, group in hostile:
        join(cohort, UserFactory(first_name=first, last_name=last), group=group)
    client.force_login(facilitator)
    _, rows = download(client, url(cohort, "export_grid"))
    cells = [cell for row in rows[1:] for cell in row[:3]]
    for cell in cells:
        assert not cell.startswith(exports.FORMULA_STARTS), cell
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","Click") Smith' in names
    assert "'@SUM(1+1) Jones" in names
    groups = {row[2] for row in rows[1:]}
    assert groups == {"'+cmd", "'-1+1", "'\rReturn"}
    _, report = download(client, url(cohort, "export_report"))
    assert not any(cell.startswith(exports.FORMULA_STARTS) for row in report for cell in row)


def test_the_download_reads_learners_a_chunk_at_a_time(
    cohort, course, learner, django_assert_max_num_queries
) -> None:
    """Chunks of 2: the same rows as one chunk, at two queries per chunk."""
    for n in range(5):
        user = UserFactory(last_name=f"Learner {n}")
        join(cohort, user)
        read_all_of_module(user, course, 1 + n % 2)
    members = members_with_progress(cohort=cohort)
    whole = list(presenters.grid_export_rows(cohort=cohort, members=members))
    with django_assert_max_num_queries(2 + 1 + 3 * 2 + 1):
        chunked = list(presenters.grid_export_rows(cohort=cohort, members=members, chunk_size=2))
    assert chunked == whole
    assert len(whole) == 6


def test_the_questions_download_has_the_same_figures_as_the_page(
    client, cohort, facilitator, exercise_named
) -> None:
    """Six learners answer "lowest-year", two right: 2/6 = 33%. Wilson interval: p = 1/3,
    z² = 3.8415, denominator 1 + 3.8415/6 = 1.6403; centre (0.3333 + 3.8415/12) / 1.6403
    = 0.3984; half-width 1.96 × √(0.2222/6 + 3.8415/144) / 1.6403 = 0.3016: 10% to 70%."""
    for choice in (0, 0, 0, 0, 1, 1):
        user = UserFactory()
        join(cohort, user)
        answer(user, exercise_named("lowest-year"), {"choice": choice})
    client.force_login(facilitator)
    response, rows = download(client, url(cohort, "export_items"))
    header = rows[0]
    assert header == presenters.ITEM_HEADER
    lowest = dict(
        zip(header, next(row for row in rows if row[1] == "The lowest year"), strict=True)
    )
    assert lowest["Answered"] == "6" and lowest["Right"] == "2"
    assert lowest["Facility %"] == "33"
    assert (lowest["Facility 95% low %"], lowest["Facility 95% high %"]) == ("10", "70")
    assert lowest["Most common wrong answer"] == "1872" and lowest["Times given"] == "4"
    assert lowest["Caution"] == "Based on 6 learners: treat with caution"
    html = html_of(client, url(cohort, "items"))
    assert "33%" in html and "10% to 70%" in html
    assert len(rows) == 1 + 8
    assert AuditEvent.objects.filter(action="exported_cohort_questions").count() == 1
    assert f"cohort-{cohort.pk}-questions-" in response["Content-Disposition"]


def test_the_questions_download_withholds_what_too_few_answered(
    client, cohort, facilitator, exercise_named
) -> None:
    """One learner, who keeps their answers private, answered "flow-1871" with 42: the row
    says so, and gives no figure and no wrong answer."""
    private = UserFactory(answers_private=True)
    join(cohort, private)
    answer(private, exercise_named("flow-1871"), {"value": 42})
    client.force_login(facilitator)
    _, rows = download(client, url(cohort, "export_items"))
    flow = dict(zip(rows[0], next(row for row in rows if row[1] == "Flow in 1871"), strict=True))
    assert flow["Answered"] == "fewer than 5"
    assert flow["Caution"] == "Fewer than 5 learners have answered: figures are shown from 5"
    for column in ("Right", "Facility %", "Facility 95% low %", "Facility 95% high %",
                   "Discrimination", "Average attempts", "Most common wrong answer",
                   "Times given"):  # fmt: skip
        assert flow[column] == "", column
    assert not any("42" in cell for row in rows for cell in row)


def test_the_report_download_hides_what_the_page_hides(client, cohort, report_viewer) -> None:
    for group, size in (("HM Treasury", 6), ("Cabinet Office", 2)):
        for _ in range(size):
            join(cohort, UserFactory(), group=group)
    client.force_login(report_viewer)
    _, rows = download(client, url(cohort, "export_report"))
    assert rows[0] == ["Group", "Learners", "On track", "Behind", "Inactive",
                       "Average completion", "Average mastery"]  # fmt: skip
    by_group = {row[0]: row[1:] for row in rows[1:4]}
    assert by_group["Cabinet Office"] == ["fewer than 5", *["hidden"] * 5]
    assert by_group["HM Treasury"][0] == "hidden"  # or 2 = 8 − 6
    assert by_group["All learners"][0] == "8"
    assert not Membership.objects.filter(email__in=[c for row in rows for c in row]).exists()
