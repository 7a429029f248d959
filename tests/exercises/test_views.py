import pytest
from django.test import Client

from exercises import services
from exercises.models import State, Submission

pytestmark = pytest.mark.django_db

FLOW = "/courses/mini-course/exercises/flow-1871/"


@pytest.fixture
def reader(client: Client, learner, course):  # type: ignore[no-untyped-def]
    client.force_login(learner)
    return client


def test_exercise_page_shows_the_question_hints_and_form(reader) -> None:
    html = reader.get("/courses/mini-course/exercises/lowest-year/").content.decode()
    assert "<title>The lowest year – Mini course – Data Masterclass</title>" in html
    assert "Which year had the lowest flow?" in html
    assert 'data-chart-figure="chart-nile-bars-q-figure"' in html  # the chart to read
    assert "Look for the shortest bar." in html
    assert 'class="govuk-radios__input"' in html
    assert "How sure are you?" in html
    assert "You have 2 attempts left." in html
    assert "Explanation" not in html


def test_a_bad_answer_re_renders_with_the_error_summary(reader) -> None:
    response = reader.post(FLOW, {"value": "lots"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_value"' in html
    assert "<title>Error: Flow in 1871" in html
    assert not Submission.objects.exists()


def test_an_answer_is_saved_and_the_page_says_it_is_being_marked(
    reader, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = reader.post(FLOW, {"value": "1,120"})
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{FLOW}#attempt-{submission.pk}"
    assert submission.answer == {"value": 1120.0}
    html = reader.get(FLOW).content.decode()
    assert "Marking your answer…" in html
    assert (
        f'data-attempt-status="/courses/mini-course/exercises/flow-1871/attempts/{submission.pk}/result"'
        in html
    )


def test_the_result_appears_once_graded(reader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        reader.post(FLOW, {"value": "112"})
    submission = Submission.objects.get()
    url = f"{FLOW}attempts/{submission.pk}/result"
    assert reader.get(url).json()["final"] is False
    services.grade_submission(submission_id=submission.pk)
    reply = reader.get(url).json()
    assert reply["final"] is True and reply["state"] == "graded"
    assert "Check the number of digits." in reply["html"]
    assert "Not right" in reply["html"]


def test_explanation_and_answer_shown_when_attempts_run_out(
    reader, learner, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=False):
            reader.post(FLOW, {"value": "1"})
        services.grade_submission(submission_id=Submission.objects.latest("submitted_at").pk)
    html = reader.get(FLOW).content.decode()
    assert "Explanation" in html
    assert "The table shows 1,120 for 1871." in html
    assert "<strong>1,120 100 million cubic metres</strong>" in html
    assert "Submit your answer" not in html
    response = reader.post(FLOW, {"value": "1120"})
    assert "You have used all your attempts at this exercise" in response.content.decode()


def test_other_learners_cannot_see_my_result(
    client, learner, other_learner, course, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(FLOW, {"value": "1120"})
    submission = Submission.objects.get()
    client.force_login(other_learner)
    assert client.get(f"{FLOW}attempts/{submission.pk}/result").status_code == 404
    assert "1,120" not in client.get(FLOW).content.decode().split("Your answers")[-1][:0]


def test_exercises_of_unpublished_courses_are_404(client, learner, draft_course) -> None:
    client.force_login(learner)
    assert client.get("/courses/draft-course/exercises/flow-1871/").status_code == 404
    assert (
        client.post("/courses/draft-course/exercises/flow-1871/", {"value": "1"}).status_code == 404
    )
    assert not Submission.objects.exists()


def test_unknown_exercise_is_404(reader) -> None:
    assert reader.get("/courses/mini-course/exercises/nope/").status_code == 404


def test_only_authors_and_admins_can_regrade(client, learner, author, course) -> None:
    client.force_login(learner)
    assert client.post(f"{FLOW}regrade").status_code == 404
    client.force_login(author)
    assert "Mark every answer again" in client.get(FLOW).content.decode()
    response = client.post(f"{FLOW}regrade")
    assert response.status_code == 302


def test_in_the_authoring_area_only_the_courses_editors_can_regrade(client, course) -> None:
    """An author with a role on another course, or a reviewer of this one, may not have its
    answers marked again: nothing is queued, and the button is not shown."""
    from authoring import services as authoring_services
    from authoring.models import CourseRole, Role
    from tests.accounts.factories import UserFactory

    workspace = authoring_services.workspace_for_course(course=course)
    other = authoring_services.create_course(
        actor=UserFactory(author=True, mfa=True), slug="other", title="Other", summary="Other."
    )
    people = {
        "other_author": (UserFactory(author=True, mfa=True), other, Role.OWNER),
        "reviewer": (UserFactory(author=True, mfa=True), workspace, Role.REVIEWER),
        "editor": (UserFactory(author=True, mfa=True), workspace, Role.EDITOR),
    }
    for user, where, role in people.values():
        CourseRole.objects.create(workspace=where, user=user, role=role)
    submission = services.submit_answer(
        learner=UserFactory(), exercise=course.exercises.get(slug="flow-1871"),
        answer={"value": 900.0}, confidence=None,
    )  # fmt: skip
    services.grade_submission(submission_id=submission.pk)
    for name in ("other_author", "reviewer"):
        client.force_login(people[name][0])
        assert "Mark every answer again" not in client.get(FLOW).content.decode(), name
        assert client.post(f"{FLOW}regrade").status_code == 404, name
        assert Submission.objects.get(pk=submission.pk).state == State.GRADED, name
    client.force_login(people["editor"][0])
    assert "Mark every answer again" in client.get(FLOW).content.decode()
    assert client.post(f"{FLOW}regrade").status_code == 302
    assert Submission.objects.get(pk=submission.pk).state == State.PENDING


def test_ordering_page_and_answer(reader, django_capture_on_commit_callbacks):
    url = "/courses/mini-course/exercises/order-years/"
    html = reader.get(url).content.decode()
    assert 'class="govuk-select' in html
    with django_capture_on_commit_callbacks(execute=False):
        response = reader.post(url, {"item_0": "1", "item_1": "2", "item_2": "3", "item_3": "4"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    services.grade_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.correct


def test_lesson_embeds_a_link_to_the_exercise(reader) -> None:
    html = reader.get("/courses/mini-course/next-steps/questions/").content.decode()
    assert 'href="/courses/mini-course/exercises/flaws/"' in html
    assert "Exercise: Spot the flaw" in html


def test_free_text_shows_waiting_for_a_tutor(reader) -> None:
    reader.post("/courses/mini-course/exercises/what-is-noise/", {"text": "It is noise."})
    assert Submission.objects.get().state == State.AWAITING_TUTOR
    html = reader.get("/courses/mini-course/exercises/what-is-noise/").content.decode()
    assert "Waiting for a tutor" in html


def test_old_answers_to_removed_options_still_show(
    reader, learner, exercise_named, django_capture_on_commit_callbacks
):
    exercise = exercise_named("lowest-year")
    with django_capture_on_commit_callbacks(execute=False):
        services.submit_answer(
            learner=learner, exercise=exercise, answer={"choice": 2}, confidence=50
        )
    exercise.spec = {**exercise.spec, "options": exercise.spec["options"][:2]}
    exercise.save()
    response = reader.get("/courses/mini-course/exercises/lowest-year/")
    assert response.status_code == 200
    assert "(an option since removed)" in response.content.decode()
