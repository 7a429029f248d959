import pytest
from django.utils import timezone

from exercises import services
from exercises.models import Exercise, State, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(learner, exercise_named):  # type: ignore[no-untyped-def]
    return services.submit_answer(
        learner=learner, exercise=exercise_named("what-is-noise"), answer={"text": "One low year is noise."},
        confidence=None,
    )  # fmt: skip


@pytest.mark.parametrize("persona", ["learner", "author"])
def test_only_tutors_reach_the_marking_pages(client, request, persona, written) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in ["/marking/", "/marking/errors/", f"/marking/{written.pk}/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/marking/{written.pk}/regrade").status_code == 403


def test_a_tutor_marks_a_written_answer_and_the_learner_sees_it(
    client, site_admin, learner, written
) -> None:
    client.force_login(site_admin)
    assert (
        "What is noise" in client.get("/marking/").content.decode()
        or "Noise or signal?" in client.get("/marking/").content.decode()
    )
    page = client.get(f"/marking/{written.pk}/").content.decode()
    assert "One low year is noise." in page
    response = client.post(
        f"/marking/{written.pk}/",
        {"points_0": "2", "points_1": "0", "comment": "Good; mention 1872 too."},
    )
    assert response.status_code == 302
    written.refresh_from_db()
    assert (written.state, written.score, written.correct) == (State.GRADED, round(2 / 3, 4), True)
    assert written.tutor == site_admin
    client.force_login(learner)
    html = client.get("/courses/mini-course/exercises/what-is-noise/").content.decode()
    assert "Good; mention 1872 too." in html


def test_marking_needs_every_criterion_and_a_comment(client, site_admin, written) -> None:
    client.force_login(site_admin)
    response = client.post(f"/marking/{written.pk}/", {"points_0": "2"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the points for" in html and "Write a comment for the learner" in html
    assert Submission.objects.get(pk=written.pk).state == State.AWAITING_TUTOR


def test_second_tutor_is_told_it_is_already_marked(site_admin, written) -> None:
    services.mark_written_answer(submission=written, tutor=site_admin, points=[1, 1], comment="ok")
    with pytest.raises(services.AlreadyMarked):
        services.mark_written_answer(
            submission=written, tutor=site_admin, points=[2, 1], comment="again"
        )


def test_errors_list_and_mark_again(
    client, site_admin, learner, exercise_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        failed = services.submit_answer(
            learner=learner,
            exercise=exercise_named("flow-1871"),
            answer={"value": 1},
            confidence=None,
        )
    services.mark_failed(
        submission_id=failed.pk, error="OperationalError('server closed the connection')"
    )
    client.force_login(site_admin)
    assert "server closed the connection" in client.get("/marking/errors/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/marking/{failed.pk}/regrade").status_code == 302
    assert len(callbacks) == 1
    assert Submission.objects.get(pk=failed.pk).state == State.PENDING


# --- Drafts: an author trying an exercise before publishing (ADR 15) -------------------------


@pytest.fixture
def draft_of(course, author):  # type: ignore[no-untyped-def]
    from authoring import services as authoring_services

    draft = authoring_services.workspace_for_course(course=course, actor=author).draft
    return lambda slug: Exercise.objects.select_related("course").get(course=draft, slug=slug)


def test_tutors_never_see_written_answers_to_a_draft(
    client, site_admin, author, written, draft_of
) -> None:
    trial = services.submit_answer(
        learner=author, exercise=draft_of("what-is-noise"), answer={"text": "A trial answer."},
        confidence=None,
    )  # fmt: skip
    assert trial.state == State.AWAITING_TUTOR
    client.force_login(site_admin)
    queue = client.get("/marking/")
    assert [s.pk for s in queue.context["submissions"]] == [written.pk]
    assert f"/marking/{trial.pk}/" not in queue.content.decode()
    assert client.get(f"/marking/{trial.pk}/").status_code == 404
    marked = client.post(
        f"/marking/{trial.pk}/", {"points_0": "2", "points_1": "1", "comment": "ok"}
    )
    assert marked.status_code == 404
    assert Submission.objects.get(pk=trial.pk).state == State.AWAITING_TUTOR
    assert client.get(f"/marking/{written.pk}/").status_code == 200


def test_trials_do_not_push_learners_answers_off_the_queue(
    client, site_admin, author, written, draft_of
) -> None:
    exercise = draft_of("what-is-noise")
    for _ in range(201):  # the queue shows 200 at most, oldest first
        services.submit_answer(
            learner=author, exercise=exercise, answer={"text": "Trying."}, confidence=None
        )
    Submission.objects.filter(pk=written.pk).update(submitted_at=timezone.now())  # the newest
    client.force_login(site_admin)
    assert [s.pk for s in client.get("/marking/").context["submissions"]] == [written.pk]


def test_answers_to_a_draft_that_could_not_be_marked_are_not_listed_for_tutors(
    client, site_admin, author, draft_of, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        failed = services.submit_answer(
            learner=author, exercise=draft_of("flow-1871"), answer={"value": 1}, confidence=None
        )
    services.mark_failed(submission_id=failed.pk, error="worker lost in a trial")
    client.force_login(site_admin)
    errors = client.get("/marking/errors/")
    assert failed.pk not in [s.pk for s in errors.context["submissions"]]
    assert "worker lost in a trial" not in errors.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/marking/{failed.pk}/regrade").status_code == 404
    assert not callbacks
    assert Submission.objects.get(pk=failed.pk).state == State.ERROR
