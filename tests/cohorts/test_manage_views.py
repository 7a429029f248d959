"""Running cohorts through the pages: the list, creating and changing, learners, uploads."""

import datetime
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Invitation
from audit.models import AuditEvent
from cohorts import tasks
from cohorts.models import Cohort, Membership, ModuleSchedule
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db

OUTSIDER = "perm.sec@partner.example.org"


@pytest.fixture
def facilitator(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="facilitator@example.gov.uk", first_name="Fran")


@pytest.fixture
def report_viewer(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="board.member@example.gov.uk")


@pytest.fixture
def cohort(course, facilitator, report_viewer):  # type: ignore[no-untyped-def]
    return CohortFactory(
        name="Board 1", course=course, facilitators=[facilitator], report_viewers=[report_viewer]
    )


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def title(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def upload(data: bytes, name: str = "learners.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


# --- The list of cohorts ----------------------------------------------------------------------
class TestCohortList:
    def test_admins_see_every_cohort_current_first_and_can_create_one(
        self, client, site_admin, cohort, course
    ) -> None:
        old = CohortFactory(name="Old board", course=course, archived=True)
        MembershipFactory(cohort=cohort, learner=UserFactory())
        MembershipFactory.create_batch(2, cohort=cohort)
        client.force_login(site_admin)
        response = client.get("/cohorts/")
        html = text(response)
        assert response.status_code == 200 and title(response) == "Cohorts – Data Masterclass"
        assert 'href="/cohorts/new/"' in html and "Create a cohort" in html
        current, archived = html.split(">Archived cohorts</caption>")
        assert f'href="/cohorts/{cohort.pk}/">Board 1</a>' in current
        assert f'href="/cohorts/{old.pk}/">Old board</a>' in archived
        assert re.search(
            r'numeric">1</td> <td class="govuk-table__cell govuk-table__cell--numeric">2<', current
        )
        assert f'href="/cohorts/{cohort.pk}/edit/"' in html
        for caption in ("Current cohorts", "Archived cohorts"):  # keyboard users can scroll
            assert f'tabindex="0" role="region" aria-label="{caption}"' in html

    def test_facilitators_see_their_cohorts_only(self, client, facilitator, cohort) -> None:
        CohortFactory(name="Someone else's")
        client.force_login(facilitator)
        html = text(client.get("/cohorts/"))
        assert "Board 1" in html and "Someone else" not in html
        assert f'href="/cohorts/{cohort.pk}/learners/"' in html
        assert "Create a cohort" not in html and "/edit/" not in html

    def test_report_viewers_are_sent_to_the_report(self, client, report_viewer, cohort) -> None:
        client.force_login(report_viewer)
        html = text(client.get("/cohorts/"))
        assert f'href="/cohorts/{cohort.pk}/report/">Board 1</a>' in html
        assert "/learners/" not in html and f'href="/cohorts/{cohort.pk}/"' not in html

    def test_report_viewers_see_no_exact_counts(
        self, client, report_viewer, facilitator, cohort, course
    ) -> None:
        """They see figures only in the report, where small groups are suppressed."""
        for _ in range(3):
            MembershipFactory(cohort=cohort, learner=UserFactory())
        MembershipFactory.create_batch(2, cohort=cohort)
        theirs = CohortFactory(course=course, facilitators=[report_viewer])
        MembershipFactory.create_batch(4, cohort=theirs)
        client.force_login(report_viewer)
        response = client.get("/cohorts/")
        row = {cohort.name: "", theirs.name: ""}
        for name in row:
            html = text(response)
            row[name] = html[html.index(f">{name}</a>") :].split("</tr>")[0]
        numbers = r'numeric">(\d+)</td>'
        assert re.findall(numbers, row[cohort.name]) == []  # only reported on
        assert row[cohort.name].count("Shown only in the report") == 2
        assert re.findall(numbers, row[theirs.name]) == ["0", "4"]  # they facilitate it
        listed = {c.name: c for c in response.context["cohorts"].active}
        assert (listed[cohort.name].joined, listed[cohort.name].invited) == (None, None)

    def test_someone_with_no_cohort_role_gets_404(self, client, learner, cohort) -> None:
        MembershipFactory(cohort=cohort, learner=learner)
        client.force_login(learner)
        assert client.get("/cohorts/").status_code == 404

    def test_signed_out_people_are_asked_to_sign_in(self, client) -> None:
        response = client.get("/cohorts/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_queries_do_not_grow_with_the_number_of_cohorts(
        self, client, site_admin, facilitator, course, django_assert_max_num_queries
    ) -> None:
        def cohorts_page(user) -> int:  # type: ignore[no-untyped-def]
            client.force_login(user)
            with django_assert_max_num_queries(20) as captured:
                assert client.get("/cohorts/").status_code == 200
            return len(captured)

        CohortFactory(course=course, facilitators=[facilitator])
        few = cohorts_page(site_admin), cohorts_page(facilitator)
        for _ in range(15):
            cohort = CohortFactory(course=CourseFactory(), facilitators=[facilitator])
            MembershipFactory.create_batch(2, cohort=cohort)
            MembershipFactory(cohort=cohort, learner=UserFactory())
        assert (cohorts_page(site_admin), cohorts_page(facilitator)) == few


# --- Creating and changing a cohort -----------------------------------------------------------
class TestCreateCohort:
    def valid(self, chosen, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {
            "name": "Permanent secretaries, spring 2027",
            "course": str(chosen.pk),
            "start_date_day": "1",
            "start_date_month": "3",
            "start_date_year": "2027",
            "facilitators": "Facilitator@example.gov.uk\n\n",
            "report_viewers": "",
            **changes,
        }

    def test_only_admins_may_create(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        assert client.get("/cohorts/new/").status_code == 404
        assert client.post("/cohorts/new/", {}).status_code == 404

    def test_the_form_uses_the_govuk_date_input(self, client, site_admin, course) -> None:
        CourseFactory(title="Draft course", published=False)
        client.force_login(site_admin)
        html = text(client.get("/cohorts/new/"))
        assert 'class="govuk-date-input" id="id_start_date"' in html
        for part in ("day", "month", "year"):
            assert f'name="start_date_{part}"' in html
        assert "For example, 27 3 2026" in html
        assert course.title in html and "Draft course" not in html  # published courses only

    def test_creates_a_cohort_and_goes_on_to_its_module_dates(
        self, client, site_admin, facilitator, course
    ) -> None:
        client.force_login(site_admin)
        response = client.post("/cohorts/new/", self.valid(course))
        cohort = Cohort.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/cohorts/{cohort.pk}/edit/"
        assert cohort.start_date == datetime.date(2027, 3, 1) and cohort.created_by == site_admin
        assert list(cohort.facilitators.all()) == [facilitator]
        html = text(client.get(response["Location"]))
        assert "Cohort created. Now set when each module" in html
        for module in course.modules.all():
            assert module.title in html

    @pytest.mark.parametrize(
        ("changes", "message", "href"),
        [
            ({"name": ""}, "Enter a name for the cohort", "#id_name"),
            ({"course": ""}, "Choose a course", "#id_course"),
            ({"course": "999999"}, "Choose one of the published courses", "#id_course"),
            ({"course": "abc"}, "Choose one of the published courses", "#id_course"),
            ({"start_date_day": "", "start_date_month": "", "start_date_year": ""},
             "Enter the start date", "#id_start_date_0"),
            ({"start_date_month": ""}, "Start date must include a month", "#id_start_date_0"),
            ({"start_date_day": "", "start_date_year": ""},
             "Start date must include a day and a year", "#id_start_date_0"),
            ({"start_date_day": "31", "start_date_month": "2"}, "Start date must be a real date",
             "#id_start_date_0"),
            ({"start_date_day": "x"}, "Start date must be a real date", "#id_start_date_0"),
            ({"start_date_year": "27"}, "Start date must include a year with 4 numbers",
             "#id_start_date_0"),
            ({"start_date_year": "9" * 5000}, "Start date must be a real date", "#id_start_date_0"),
            ({"facilitators": "nobody@example.gov.uk\nfacilitator@example.gov.uk"},
             "There is no account for nobody@example.gov.uk", "#id_facilitators"),
            ({"report_viewers": "not an address"}, "Enter email addresses in the correct format",
             "#id_report_viewers"),
        ],
    )  # fmt: skip
    def test_bad_input_is_explained_and_nothing_is_created(
        self, client, site_admin, facilitator, course, changes, message, href
    ) -> None:
        client.force_login(site_admin)
        response = client.post("/cohorts/new/", self.valid(course, **changes))
        html = text(response)
        assert response.status_code == 400
        assert title(response).startswith("Error: Create a cohort")
        assert f'<a href="{href}">{message}' in html  # in the error summary
        assert "govuk-error-message" in html
        assert not Cohort.objects.exists()

    def test_a_bad_date_keeps_what_was_typed_and_marks_the_boxes(
        self, client, site_admin, course
    ) -> None:
        client.force_login(site_admin)
        html = text(client.post("/cohorts/new/", self.valid(course, start_date_day="31",
                                                            start_date_month="2")))  # fmt: skip
        assert 'name="start_date_day" type="text" inputmode="numeric" value="31"' in html
        assert "govuk-input--width-2 govuk-input--error" in html

    def test_an_inactive_account_cannot_facilitate(self, client, site_admin, course) -> None:
        UserFactory(email="gone@example.gov.uk", is_active=False)
        client.force_login(site_admin)
        response = client.post(
            "/cohorts/new/", self.valid(course, facilitators="gone@example.gov.uk")
        )
        assert "There is no account for gone@example.gov.uk" in text(response)


class TestEditCohort:
    def form(self, cohort, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
        data = {
            "name": cohort.name,
            "course": str(cohort.course_id),
            "start_date_day": str(cohort.start_date.day),
            "start_date_month": str(cohort.start_date.month),
            "start_date_year": str(cohort.start_date.year),
            "facilitators": "\n".join(u.email for u in cohort.facilitators.all()),
            "report_viewers": "",
        }
        for module in cohort.course.modules.all():
            for kind in ("release", "due"):
                for part in ("day", "month", "year"):
                    data[f"{kind}_{module.pk}_{part}"] = ""
        return {**data, **changes}

    def test_only_admins_may_change_a_cohort(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        assert client.get(f"/cohorts/{cohort.pk}/edit/").status_code == 404

    def test_shows_the_current_details_and_schedule(self, client, site_admin, cohort) -> None:
        module = cohort.course.modules.order_by("position").first()
        ModuleSchedule.objects.create(
            cohort=cohort, module=module, release_date=datetime.date(2027, 1, 4)
        )
        client.force_login(site_admin)
        html = text(client.get(f"/cohorts/{cohort.pk}/edit/"))
        assert f'value="{cohort.name}"' in html
        assert "facilitator@example.gov.uk</textarea>" in html
        assert (
            f'name="release_{module.pk}_year" type="text" inputmode="numeric" value="2027"' in html
        )
        assert "Archive this cohort" in html

    def test_saves_module_dates(self, client, site_admin, cohort) -> None:
        first, second = cohort.course.modules.order_by("position")
        client.force_login(site_admin)
        data = self.form(cohort, **{
            f"release_{first.pk}_day": "4", f"release_{first.pk}_month": "1",
            f"release_{first.pk}_year": "2027",
            f"due_{first.pk}_day": "18", f"due_{first.pk}_month": "1", f"due_{first.pk}_year": "2027",
            f"due_{second.pk}_day": "1", f"due_{second.pk}_month": "2", f"due_{second.pk}_year": "2027",
            "archived": "on",
        })  # fmt: skip
        response = client.post(f"/cohorts/{cohort.pk}/edit/", data)
        assert response.status_code == 302 and response["Location"] == "/cohorts/"
        assert list(
            ModuleSchedule.objects.order_by("module__position").values_list(
                "module", "release_date", "due_date"
            )
        ) == [
            (first.pk, datetime.date(2027, 1, 4), datetime.date(2027, 1, 18)),
            (second.pk, None, datetime.date(2027, 2, 1)),
        ]
        assert Cohort.objects.get(pk=cohort.pk).archived

    def test_a_due_date_before_the_opening_date_is_refused(
        self, client, site_admin, cohort
    ) -> None:
        module = cohort.course.modules.order_by("position").first()
        client.force_login(site_admin)
        data = self.form(cohort, **{
            f"release_{module.pk}_day": "4", f"release_{module.pk}_month": "2",
            f"release_{module.pk}_year": "2027",
            f"due_{module.pk}_day": "1", f"due_{module.pk}_month": "2", f"due_{module.pk}_year": "2027",
            f"due_{module.pk + 1000}_day": "ignored",
        })  # fmt: skip
        response = client.post(f"/cohorts/{cohort.pk}/edit/", data)
        assert response.status_code == 400
        assert (
            f'<a href="#id_due_{module.pk}_0">The due date of ‘{module.title}’ must be the same as '
            "or after its opening date</a>"
        ) in text(response)
        assert not ModuleSchedule.objects.exists()

    def test_a_half_typed_module_date_is_refused(self, client, site_admin, cohort) -> None:
        module = cohort.course.modules.order_by("position").first()
        client.force_login(site_admin)
        response = client.post(
            f"/cohorts/{cohort.pk}/edit/", self.form(cohort, **{f"due_{module.pk}_day": "3"})
        )
        assert f"The due date of ‘{module.title}’ must include a month and a year" in text(response)

    def test_the_course_cannot_change_under_learners(self, client, site_admin, cohort) -> None:
        MembershipFactory(cohort=cohort)
        other = CourseFactory()
        client.force_login(site_admin)
        response = client.post(
            f"/cohorts/{cohort.pk}/edit/", self.form(cohort, course=str(other.pk))
        )
        assert response.status_code == 400
        assert "You cannot change the course of a cohort that has learners" in text(response)
        assert Cohort.objects.get(pk=cohort.pk).course_id == cohort.course_id

    def test_the_course_of_an_empty_cohort_can_change(self, client, site_admin, cohort) -> None:
        other = CourseFactory()
        client.force_login(site_admin)
        response = client.post(
            f"/cohorts/{cohort.pk}/edit/", self.form(cohort, course=str(other.pk))
        )
        assert response["Location"] == f"/cohorts/{cohort.pk}/edit/"
        assert Cohort.objects.get(pk=cohort.pk).course == other

    def test_an_unpublished_course_stays_selectable_for_its_cohort(
        self, client, site_admin, cohort
    ) -> None:
        type(cohort.course).objects.filter(pk=cohort.course_id).update(published=False)
        client.force_login(site_admin)
        response = client.post(f"/cohorts/{cohort.pk}/edit/", self.form(cohort, name="Renamed"))
        assert response.status_code == 302
        assert Cohort.objects.get(pk=cohort.pk).name == "Renamed"


# --- Learners ---------------------------------------------------------------------------------
class TestLearners:
    def test_lists_joined_and_invited_learners(self, client, facilitator, cohort, learner) -> None:
        MembershipFactory(cohort=cohort, learner=learner, group="HM Treasury")
        MembershipFactory(cohort=cohort, email=OUTSIDER)
        client.force_login(facilitator)
        response = client.get(f"/cohorts/{cohort.pk}/learners/")
        html = text(response)
        assert response.status_code == 200
        assert "2 in the cohort: 1 joined, 1 invited and not joined yet" in html
        assert "Alex Learner" in html and "HM Treasury" in html
        assert f"{OUTSIDER}</th>" in html and "Invitation not sent yet" in html
        assert html.count("the invitation to") == 1  # resend only for pending invitations
        assert 'tabindex="0" role="region" aria-label="Learners in Board 1"' in html

    def test_shows_which_invitations_were_sent(self, client, facilitator, cohort) -> None:
        sent = timezone.make_aware(datetime.datetime(2027, 3, 4, 10))
        MembershipFactory(cohort=cohort, email=OUTSIDER, invitation_sent_at=sent)
        MembershipFactory(cohort=cohort, email="waiting@partner.example.org")
        client.force_login(facilitator)
        html = text(client.get(f"/cohorts/{cohort.pk}/learners/"))
        assert "Invitation sent 4 Mar 2027" in html
        assert html.count("Invitation not sent yet") == 1
        assert "Send unsent invitations (1)" in html

    def test_no_send_button_when_everything_was_sent(self, client, facilitator, cohort) -> None:
        MembershipFactory(cohort=cohort, email=OUTSIDER, invitation_sent_at=timezone.now())
        client.force_login(facilitator)
        assert "Send unsent invitations" not in text(client.get(f"/cohorts/{cohort.pk}/learners/"))

    def test_sends_the_unsent_invitations(self, client, facilitator, cohort) -> None:
        unsent = MembershipFactory(cohort=cohort, email=OUTSIDER)
        client.force_login(facilitator)
        with mock.patch.object(tasks.send_invitations, "delay") as delay:
            response = client.post(f"/cohorts/{cohort.pk}/learners/", {"action": "send_unsent"})
        assert response["Location"] == f"/cohorts/{cohort.pk}/learners/"
        delay.assert_called_once_with([unsent.pk])
        assert "Sending 1 invitation." in text(client.get(response["Location"]))

    def test_says_when_the_unsent_invitations_cannot_be_sent(
        self, client, facilitator, cohort
    ) -> None:
        MembershipFactory(cohort=cohort, email=OUTSIDER)
        client.force_login(facilitator)
        with mock.patch.object(tasks.send_invitations, "delay", side_effect=OSError("down")):
            response = client.post(
                f"/cohorts/{cohort.pk}/learners/", {"action": "send_unsent"}, follow=True
            )
        assert "could not be sent just now" in text(response)

    @pytest.mark.django_db(transaction=True)  # the email goes when the invitation commits
    def test_invites_one_learner_by_email(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        response = client.post(
            f"/cohorts/{cohort.pk}/learners/",
            {"action": "invite", "email": "Perm.Sec@Partner.example.org", "group": "DfE"},
        )
        assert response.status_code == 302
        membership = Membership.objects.get(cohort=cohort)
        assert (membership.email, membership.group, membership.invited_by) == (
            OUTSIDER, "DfE", facilitator,
        )  # fmt: skip
        assert [m.to for m in mail.outbox] == [[OUTSIDER]]
        html = text(client.get(response["Location"]))
        assert f"Invitation sent to {OUTSIDER}" in html
        assert f"Invitation sent {timezone.localdate():%-d %b %Y}" in html

    def test_an_existing_account_is_invited_not_joined(
        self, client, facilitator, cohort, learner, django_capture_on_commit_callbacks
    ) -> None:
        client.force_login(facilitator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/cohorts/{cohort.pk}/learners/", {"email": learner.email})
        assert response.status_code == 302
        membership = Membership.objects.get()
        assert membership.learner is None and membership.joined_at is None
        assert mail.outbox[0].subject == "You are invited to join Board 1 on Data Masterclass"
        html = text(client.get(response["Location"]))
        assert "1 in the cohort: 0 joined, 1 invited" in html and "Alex Learner" not in html

    @pytest.mark.django_db(transaction=True)
    def test_says_when_the_invitation_email_could_not_be_sent(
        self, client, facilitator, cohort
    ) -> None:
        client.force_login(facilitator)
        with mock.patch("cohorts.services.get_connection", side_effect=OSError("refused")):
            response = client.post(
                f"/cohorts/{cohort.pk}/learners/", {"email": OUTSIDER}, follow=True
            )
        html = text(response)
        assert f"{OUTSIDER} is invited, but the invitation email could not be sent" in html
        assert "Invitation not sent yet" in html and "Send unsent invitations (1)" in html

    def test_inviting_someone_twice_says_so(self, client, facilitator, cohort) -> None:
        MembershipFactory(cohort=cohort, email=OUTSIDER)
        client.force_login(facilitator)
        response = client.post(f"/cohorts/{cohort.pk}/learners/", {"email": OUTSIDER.upper()})
        assert f"{OUTSIDER} is already in this cohort" in text(client.get(response["Location"]))
        assert Membership.objects.count() == 1

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({}, "Enter an email address"),
            ({"email": "not-an-email"}, "Enter an email address in the correct format"),
            ({"email": OUTSIDER, "group": "x" * 101}, "The group must be 100 characters or fewer"),
        ],
    )
    def test_bad_input_is_explained(self, client, facilitator, cohort, data, message) -> None:
        client.force_login(facilitator)
        response = client.post(f"/cohorts/{cohort.pk}/learners/", data)
        assert response.status_code == 400
        assert title(response).startswith("Error: ")
        assert message in text(response)
        assert not Membership.objects.exists()

    def test_an_archived_cohort_takes_no_invitations(self, client, facilitator, cohort) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(archived=True)
        client.force_login(facilitator)
        assert "This cohort is archived" in text(client.get(f"/cohorts/{cohort.pk}/learners/"))
        response = client.post(f"/cohorts/{cohort.pk}/learners/", {"email": OUTSIDER})
        assert response.status_code == 400 and "un-archive it" in text(response)
        assert not Membership.objects.exists()

    def test_resends_an_invitation(
        self, client, facilitator, cohort, django_capture_on_commit_callbacks
    ) -> None:
        membership = MembershipFactory(cohort=cohort, email=OUTSIDER)
        client.force_login(facilitator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/cohorts/{cohort.pk}/learners/",
                {"action": "resend", "membership": str(membership.pk)},
            )
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [[OUTSIDER]]
        assert Invitation.objects.filter(email=OUTSIDER, accepted_at=None).exists()

    @pytest.mark.parametrize(
        "membership",
        ["", "abc", "-1", "0", "999999", "²", "١", "1.5", "9" * 19, "9" * 5000, "other"],
    )
    def test_resending_needs_a_membership_of_this_cohort(
        self, client, facilitator, cohort, membership
    ) -> None:
        if membership == "other":
            membership = str(MembershipFactory().pk)  # in another cohort
        client.force_login(facilitator)
        response = client.post(
            f"/cohorts/{cohort.pk}/learners/", {"action": "resend", "membership": membership}
        )
        assert response.status_code == 404
        assert mail.outbox == []

    def test_pages_of_fifty_in_a_constant_number_of_queries(
        self, client, facilitator, cohort, django_assert_max_num_queries
    ) -> None:
        def members_page(query: str = "") -> tuple[str, int]:
            with django_assert_max_num_queries(12) as captured:
                response = client.get(f"/cohorts/{cohort.pk}/learners/{query}")
            assert response.status_code == 200
            return text(response), len(captured)

        for n in range(60):
            MembershipFactory(cohort=cohort, email=f"person{n:03}@example.gov.uk")
        client.force_login(facilitator)
        html, few = members_page()
        assert html.count('<th scope="row"') == 50 and "person049" in html
        assert "1 to 50 of 60" in html and 'href="?page=2" rel="next"' in html
        Membership.objects.bulk_create(
            [
                Membership(cohort=cohort, email=f"more{n:04}@example.gov.uk", learner=UserFactory())
                for n in range(40)
            ]
        )
        html, many = members_page("?page=3")
        assert many == few
        assert html.count('<th scope="row"') == 50
        for junk in ("?page=abc", "?page=-1", "?page=99999", "?page=1e9"):
            assert members_page(junk)[0].count('<th scope="row"') in (50, 0)

    def test_searches_as_the_dashboard_filter_does(
        self, client, facilitator, cohort, learner
    ) -> None:
        """Each word matches part of the address or the name; groups are not searched (they
        are shown only in aggregate elsewhere)."""
        MembershipFactory(cohort=cohort, learner=learner, group="HM Treasury")
        MembershipFactory(cohort=cohort, email=OUTSIDER, group="DfE")
        client.force_login(facilitator)
        for query, expected in (("Alex", learner.email), ("partner", OUTSIDER),
                                ("alex learner", learner.email), ("LEARNER alex", learner.email),
                                ("perm partner", OUTSIDER)):  # fmt: skip
            html = text(client.get(f"/cohorts/{cohort.pk}/learners/", {"q": query}))
            assert expected in html
            assert ({learner.email, OUTSIDER} - {expected}).pop() not in html
        for query in ("treasury", "alex partner"):
            html = text(client.get(f"/cohorts/{cohort.pk}/learners/", {"q": query}))
            assert learner.email not in html and OUTSIDER not in html
        html = text(client.get(f"/cohorts/{cohort.pk}/learners/", {"q": "nobody"}))
        assert "No one in the cohort matches “nobody”" in html
        for junk in ("\x00", "%", "_", "x" * 5000, "<script>"):
            response = client.get(f"/cohorts/{cohort.pk}/learners/", {"q": junk})
            assert response.status_code == 200
            assert "<script>" not in response.content.decode()


class TestDjangoAdmin:
    def test_cohorts_and_members_are_listed(self, client, site_admin, cohort, learner) -> None:
        membership = MembershipFactory(cohort=cohort, learner=learner)
        client.force_login(site_admin)
        for url in (
            "/admin/cohorts/cohort/",
            f"/admin/cohorts/cohort/{cohort.pk}/change/",
            "/admin/cohorts/membership/",
            "/admin/cohorts/membership/?learner__isempty=1",
            f"/admin/cohorts/membership/{membership.pk}/change/",
        ):
            assert client.get(url).status_code == 200, url
        assert client.get("/admin/cohorts/membership/add/").status_code == 403


class TestRemoveLearner:
    def test_asks_for_confirmation_then_removes(self, client, facilitator, cohort, learner) -> None:
        membership = MembershipFactory(cohort=cohort, learner=learner)
        url = f"/cohorts/{cohort.pk}/learners/{membership.pk}/remove/"
        client.force_login(facilitator)
        html = text(client.get(url))
        assert (
            f"Remove {learner.email} from the cohort?" in html and "Remove from the cohort" in html
        )
        assert Membership.objects.exists()
        response = client.post(url)
        assert response["Location"] == f"/cohorts/{cohort.pk}/learners/"
        assert not Membership.objects.exists()
        event = AuditEvent.objects.get(action="removed_cohort_member")
        assert (event.actor, event.target) == (facilitator, learner.email)
        assert "has been removed from Board 1" in text(client.get(response["Location"]))

    def test_a_membership_of_another_cohort_is_not_found(self, client, facilitator, cohort) -> None:
        elsewhere = MembershipFactory()
        client.force_login(facilitator)
        url = f"/cohorts/{cohort.pk}/learners/{elsewhere.pk}/remove/"
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        assert Membership.objects.filter(pk=elsewhere.pk).exists()


# --- Uploading a file of learners -------------------------------------------------------------
class TestUpload:
    def post(self, client, cohort, data: bytes, name: str = "learners.csv"):  # type: ignore[no-untyped-def]
        return client.post(f"/cohorts/{cohort.pk}/learners/upload/", {"file": upload(data, name)})

    def test_the_page_explains_the_file(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        html = text(client.get(f"/cohorts/{cohort.pk}/learners/upload/"))
        assert 'enctype="multipart/form-data"' in html and 'class="govuk-file-upload"' in html
        assert "first_name" in html and "10,000 learners" in html and "commas" in html

    def test_invites_everyone_in_a_valid_file(
        self, client, facilitator, cohort, learner, django_capture_on_commit_callbacks
    ) -> None:
        MembershipFactory(cohort=cohort, email="already@partner.example.org")
        client.force_login(facilitator)
        data = (
            "email,first_name,last_name,group\n"
            f"{OUTSIDER},Perm,Sec,DfE\n"
            "Already@partner.example.org,,,\n"
            f"{learner.email},Alex,Learner,HMT\n"
        ).encode()
        with (
            mock.patch.object(tasks.send_invitations, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = self.post(client, cohort, data)
        assert response["Location"] == f"/cohorts/{cohort.pk}/learners/"
        assert Membership.objects.filter(cohort=cohort).count() == 3
        assert Membership.objects.get(email=learner.email).learner is None  # until they accept
        assert Membership.objects.get(email=OUTSIDER).group == "DfE"
        delay.assert_called_once()
        html = text(client.get(response["Location"]))
        assert (
            "2 learners invited, 1 already in the cohort and left as they were: "
            "already@partner.example.org."
        ) in html

    @pytest.mark.django_db(transaction=True)  # the emails are queued when the upload commits
    def test_says_when_the_emails_could_not_be_queued(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        with mock.patch.object(tasks.send_invitations, "delay", side_effect=OSError("no broker")):
            response = client.post(
                f"/cohorts/{cohort.pk}/learners/upload/",
                {"file": upload(f"email\n{OUTSIDER}\n".encode())},
                follow=True,
            )
        html = text(response)
        assert "1 learner invited." in html
        assert "the invitations will be sent when you press Send unsent invitations" in html
        assert "Send unsent invitations (1)" in html
        assert Membership.objects.get(cohort=cohort).invitation_sent_at is None

    def test_a_file_with_problems_is_reported_line_by_line_and_nothing_is_saved(
        self, client, facilitator, cohort
    ) -> None:
        client.force_login(facilitator)
        data = (f"email,group\n{OUTSIDER},DfE\nnot an email,DfE\n{OUTSIDER.upper()},MoJ\n").encode()
        response = self.post(client, cohort, data)
        html = text(response)
        assert response.status_code == 400
        assert title(response).startswith("Error: Invite learners from a file")
        assert (
            '<a href="#id_file">The file has 2 problems, listed below. Nothing has been imported'
            in html
        )
        rows = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td> '
                          r'<td class="govuk-table__cell"><code>(.*?)</code></td> '
                          r'<td class="govuk-table__cell">(.*?)</td>', html)  # fmt: skip
        assert rows == [
            (
                "3",
                "not an email",
                "Enter an email address in the correct format, like name@example.gov.uk",
            ),
            ("4", OUTSIDER, "This address is also on line 2"),
        ]
        assert not Membership.objects.exists() and not Invitation.objects.exists()
        assert 'tabindex="0" role="region" aria-label="Problems in the file"' in html

    def test_shows_the_first_hundred_problems(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        data = ("email\n" + "nonsense\n" * 250).encode()
        html = text(self.post(client, cohort, data))
        assert "The file has 250 problems" in html
        assert html.count("<code>nonsense</code>") == 100
        assert "And 150 more problems not shown" in html

    @pytest.mark.parametrize(
        ("data", "name", "message"),
        [
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "photo.png", "The file is an image, not a CSV file"),
            (b"PK\x03\x04\x14\x00\x06\x00", "learners.xlsx", "The file is a spreadsheet or a zip file"),
            ("email\nzoë@example.gov.uk\n".encode("cp1252"), "learners.csv", "The file must be UTF-8 CSV"),
            (b"email,phone\na@example.gov.uk,1\n", "learners.csv", "Unknown column ‘phone’"),
            (b"email\n", "learners.csv", "The file has a header but no learners"),
            (b"   \n", "learners.csv", "The file is empty"),
            (b"", "learners.csv", "The file is empty"),
        ],
    )  # fmt: skip
    def test_bad_files_get_a_clear_message(
        self, client, facilitator, cohort, data, name, message
    ) -> None:
        client.force_login(facilitator)
        response = self.post(client, cohort, data, name)
        assert response.status_code == 400
        assert message in text(response)
        assert not Membership.objects.exists()

    def test_no_file_chosen(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        response = client.post(f"/cohorts/{cohort.pk}/learners/upload/", {})
        assert response.status_code == 400
        assert '<a href="#id_file">Select a CSV file</a>' in text(response)

    def test_more_than_ten_thousand_rows_are_refused(self, client, facilitator, cohort) -> None:
        client.force_login(facilitator)
        data = ("email\n" + "".join(f"p{n}@example.gov.uk\n" for n in range(10_001))).encode()
        html = text(self.post(client, cohort, data))
        assert "The file has 10,001 learners. The most one file can have is 10,000" in html
        assert not Membership.objects.exists()

    def test_a_file_over_two_megabytes_is_refused_before_it_is_read(
        self, client, facilitator, cohort
    ) -> None:
        client.force_login(facilitator)
        data = b"email\n" + b"x" * (2 * 1024 * 1024 + 1)
        with mock.patch("cohorts.invitations.parse_invitees") as parse:
            html = text(self.post(client, cohort, data))
        assert "The file must be smaller than 2 MB" in html
        parse.assert_not_called()

    def test_ten_thousand_learners_import_quickly_in_bounded_queries(
        self, client, facilitator, cohort, django_assert_max_num_queries,
        django_capture_on_commit_callbacks,
    ) -> None:  # fmt: skip
        client.force_login(facilitator)
        data = (
            "email,first_name,last_name,group\n"
            + "".join(
                f"person{n}@partner.example.org,First,Last,Dept {n % 9}\n" for n in range(10_000)
            )
        ).encode()
        started = time.monotonic()
        with (
            mock.patch.object(tasks.send_invitations, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
            django_assert_max_num_queries(160),
        ):
            response = self.post(client, cohort, data)
        assert time.monotonic() - started < 30  # about 2 s here; generous for slow machines
        assert response.status_code == 302
        assert Membership.objects.filter(cohort=cohort).count() == 10_000
        assert delay.call_count == 100 and mail.outbox == []
