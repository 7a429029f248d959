"""Running a cohort in Chromium as an admin: create it with GOV.UK date inputs, set a module's
dates, invite a learner, upload a file with problems, remove a learner; and a learner with an
account accepting an invitation. Every page axe-clean, error states included, within the
Content Security Policy."""

from pathlib import Path

import pytest

from cohorts.models import Cohort, Membership, ModuleSchedule
from courses import services
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"


def test_an_admin_runs_a_cohort(page, axe, site_admin, sign_in, tmp_path) -> None:
    course = services.import_course(path=MINI_COURSE)
    UserFactory(email="fran@example.gov.uk", first_name="Fran")
    sign_in(site_admin)

    page.goto("/cohorts/")
    axe(page)
    page.get_by_role("button", name="Create a cohort").click()
    page.wait_for_url("**/cohorts/new/")
    page.get_by_label("Name").fill("Board 1")
    page.get_by_label("Course").select_option(label=course.title)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Facilitators (optional)").fill("fran@example.gov.uk\nnobody@example.gov.uk")
    page.get_by_role("button", name="Create the cohort").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: Create a cohort")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Start date must be a real date" in summary
    assert "There is no account for nobody@example.gov.uk" in summary
    axe(page)
    page.get_by_role("link", name="Start date must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "id_start_date_0"

    page.get_by_label("Day").fill("1")
    page.get_by_label("Facilitators (optional)").fill("fran@example.gov.uk")
    page.get_by_role("button", name="Create the cohort").click()
    page.wait_for_url("**/edit/")
    cohort = Cohort.objects.get()
    first = course.modules.order_by("position").first()
    opens = page.get_by_role("group", name=f"Opens on ({first.title})")
    opens.get_by_label("Day").fill("8")
    opens.get_by_label("Month").fill("3")
    opens.get_by_label("Year").fill("2027")
    due = page.get_by_role("group", name=f"Due by ({first.title})")
    due.get_by_label("Day").fill("1")
    due.get_by_label("Month").fill("3")
    due.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save the cohort").click()
    page.wait_for_load_state()
    assert "must be the same as or after its opening date" in page.locator("main").inner_text()
    axe(page)
    due.get_by_label("Day").fill("22")
    page.get_by_role("button", name="Save the cohort").click()
    page.wait_for_url("**/cohorts/")
    assert ModuleSchedule.objects.get(cohort=cohort).due_date.day == 22

    page.get_by_role("link", name="Learners in Board 1").click()
    page.wait_for_url("**/learners/")
    page.get_by_label("Email address", exact=True).fill("perm.sec@partner.example.org")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Invitation sent to perm.sec@partner.example.org" in main
    assert "Invitation sent " in page.locator("table").inner_text()
    axe(page)

    page.get_by_role("link", name="Invite many learners from a CSV file").click()
    bad = tmp_path / "learners.csv"
    bad.write_text("email,group\nnot an email,DfE\nada@partner.example.org,DfE\n")
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and invite").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "Line" in page.locator("#problems").inner_text()
    axe(page)
    good = tmp_path / "fixed.csv"
    good.write_text("email,group\nada@partner.example.org,DfE\n")
    page.get_by_label("Upload a file").set_input_files(str(good))
    page.get_by_role("button", name="Check and invite").click()
    page.wait_for_url("**/learners/")
    assert "1 learner invited." in page.locator("main").inner_text()

    page.get_by_role("link", name="Remove ada@partner.example.org").click()
    page.wait_for_url("**/remove/")
    axe(page)
    page.get_by_role("button", name="Remove from the cohort").click()
    page.wait_for_url("**/learners/")
    assert list(Membership.objects.values_list("email", flat=True)) == [
        "perm.sec@partner.example.org"
    ]


def test_a_learner_accepts_an_invitation(page, axe, learner, sign_in) -> None:
    course = services.import_course(path=MINI_COURSE)
    fran = UserFactory(first_name="Fran", last_name="Smith")
    cohort = CohortFactory(name="Board 1", course=course, facilitators=[fran])
    MembershipFactory(cohort=cohort, email=learner.email)
    other = CohortFactory(name="Board 2", course=course, facilitators=[fran])
    MembershipFactory(cohort=other, email=learner.email)
    sign_in(learner)

    page.goto("/")
    notice = page.get_by_role("region", name="Invitations")
    assert (
        f"You have been invited to join Board 1 (course {course.title}), facilitated by "
        "Fran Smith." in notice.inner_text()
    )
    axe(page)
    notice.get_by_role("button", name="Join Board 1").click()
    page.wait_for_url("/")
    assert "You have joined Board 1" in page.locator("main").inner_text()
    assert Membership.objects.get(cohort=cohort).learner == learner

    page.goto("/progress/")
    page.get_by_role("button", name="Decline the invitation to Board 2").click()
    page.wait_for_url("**/progress/")
    assert "You have declined the invitation to join Board 2" in page.locator("main").inner_text()
    assert page.get_by_role("region", name="Invitations").count() == 0
    axe(page)
    assert not Membership.objects.filter(cohort=other).exists()
