"""The grading pipeline, in process: submit, claim, grade once, sweep, regrade."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises import services
from exercises.models import State, Submission

pytestmark = pytest.mark.django_db


def submit(learner, exercise, answer, confidence=None):  # type: ignore[no-untyped-def]
    return services.submit_answer(
        learner=learner, exercise=exercise, answer=answer, confidence=confidence
    )


def test_submission_is_saved_pending_and_sent_on_commit(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submit(learner, exercise_named("flow-1871"), {"value": 1120})
    assert submission.state == State.PENDING
    assert submission.attempt == 1
    assert submission.exercise_version == 1
    assert len(callbacks) == 1


def test_grading_stores_the_result_once(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, exercise_named("flow-1871"), {"value": 1121})
    assert services.grade_submission(submission_id=submission.pk) is True
    assert services.grade_submission(submission_id=submission.pk) is False  # duplicate delivery
    submission.refresh_from_db()
    assert (submission.state, submission.correct, submission.score) == (State.GRADED, True, 1.0)
    assert submission.grading_runs == 1
    assert submission.graded_version == 1
    assert submission.started_at and submission.graded_at


def test_a_grading_left_unfinished_is_graded_again(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, exercise_named("flow-1871"), {"value": 1120})
    Submission.objects.filter(pk=submission.pk).update(
        state=State.GRADING, started_at=timezone.now()
    )
    assert services.grade_submission(submission_id=submission.pk) is True
    submission.refresh_from_db()
    assert (submission.state, submission.grading_runs) == (State.GRADED, 1)


def test_attempts_are_limited_and_errors_do_not_count(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    exercise = exercise_named("lowest-year")  # two attempts
    with django_capture_on_commit_callbacks(execute=False):
        first = submit(learner, exercise, {"choice": 0}, confidence=50)
        services.mark_failed(submission_id=first.pk, error="worker lost")
        second = submit(learner, exercise, {"choice": 0}, confidence=50)
        third = submit(learner, exercise, {"choice": 2}, confidence=90)
        with pytest.raises(services.AttemptsUsedUp):
            submit(learner, exercise, {"choice": 1}, confidence=90)
    assert (second.attempt, third.attempt) == (1, 2)


def test_no_more_attempts_after_a_right_answer(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    exercise = exercise_named("flow-1871")
    with django_capture_on_commit_callbacks(execute=False):
        right = submit(learner, exercise, {"value": 1120})
    services.grade_submission(submission_id=right.pk)
    with pytest.raises(services.AlreadyCorrect):
        submit(learner, exercise, {"value": 1120})


def test_a_dead_broker_at_submit_time_loses_nothing(learner, exercise_named, monkeypatch, settings):
    from masterclass.celery import app

    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    submission = submit(learner, exercise_named("flow-1871"), {"value": 1120})
    submission.refresh_from_db()
    assert submission.state == State.PENDING
    assert submission.sent_at is None  # the sweeper will send it


def test_sweeper_resends_what_waited_too_long(
    learner, exercise_named, monkeypatch, settings, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        services, "send_for_grading", lambda submission_id: sent.append(submission_id) or True
    )
    with django_capture_on_commit_callbacks(execute=False):
        never_sent = submit(learner, exercise_named("flow-1871"), {"value": 1})
        stuck = submit(learner, exercise_named("order-years"), {"order": [0, 1, 2, 3]})
        fresh = submit(learner, exercise_named("total-flow"), {"low": 1, "high": 2})
    long_ago = timezone.now() - timedelta(minutes=5)
    Submission.objects.filter(pk=never_sent.pk).update(submitted_at=long_ago)
    Submission.objects.filter(pk=stuck.pk).update(
        state=State.GRADING, started_at=long_ago, sent_at=long_ago
    )
    Submission.objects.filter(pk=fresh.pk).update(sent_at=timezone.now())
    services.sweep_submissions()
    assert sorted(sent) == sorted([never_sent.pk, stuck.pk])
    stuck.refresh_from_db()
    assert stuck.state == State.PENDING


def test_sweeper_gives_up_after_too_many_sends(
    learner, exercise_named, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, exercise_named("flow-1871"), {"value": 1})
    Submission.objects.filter(pk=submission.pk).update(
        send_count=settings.GRADING_MAX_SENDS,
        sent_at=timezone.now() - timedelta(hours=1),
        submitted_at=timezone.now()
        - timedelta(seconds=settings.GRADING_GIVE_UP_AFTER_SECONDS + 60),
    )
    services.sweep_submissions()
    submission.refresh_from_db()
    assert (submission.state, submission.counted) == (State.ERROR, False)


def test_free_text_waits_for_a_tutor(learner, exercise_named, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submit(
            learner, exercise_named("what-is-noise"), {"text": "One year is noise."}
        )
    assert submission.state == State.AWAITING_TUTOR
    assert callbacks == []


def test_each_learner_keeps_their_own_variant(learner, other_learner, exercise_named) -> None:
    from exercises.selectors import variant_for

    exercise = exercise_named("flow-by-year")
    mine = variant_for(learner_id=learner.pk, exercise=exercise)
    assert mine == variant_for(learner_id=learner.pk, exercise=exercise)
    assert mine in {"1871", "1872", "1873", "1874", "1875"}
    seen = {variant_for(learner_id=n, exercise=exercise) for n in range(1, 50)}
    assert len(seen) > 1


def test_parametrised_exercise_grades_the_learners_variant(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    exercise = exercise_named("flow-by-year")
    volumes = {"1871": 1120, "1872": 1160, "1873": 963, "1874": 1210, "1875": 1160}
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(
            learner,
            exercise,
            {
                "value": volumes[
                    services.selectors.variant_for(learner_id=learner.pk, exercise=exercise)
                ]
            },
        )
    services.grade_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.correct


def test_regrade_after_fixing_the_answer_key(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    exercise = exercise_named("flow-1871")
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, exercise, {"value": 1000})
    services.grade_submission(submission_id=submission.pk)
    exercise.spec = {**exercise.spec, "answer": 1000.0}
    exercise.version += 1
    exercise.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.regrade(exercise=exercise) == 1
    assert len(callbacks) == 1
    services.grade_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.correct, submission.graded_version) == (True, 2)


def test_marking_again_leaves_tutors_marks_alone(learner, site_admin, exercise_named):
    exercise = exercise_named("what-is-noise")
    written = submit(learner, exercise, {"text": "Noise."})
    services.mark_written_answer(
        submission=written, tutor=site_admin, points=[2, 1], comment="Good."
    )
    assert services.regrade(exercise=exercise) == 0
    written.refresh_from_db()
    assert (written.state, written.tutor_comment) == (State.GRADED, "Good.")


def test_sql_results_that_json_cannot_hold_are_still_graded(
    learner, exercise_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        blob = submit(
            learner, exercise_named("wet-years"), {"query": "SELECT x'00' FROM nile_sample"}
        )
        huge = submit(learner, exercise_named("wet-years"), {"query": "SELECT 1e999"})
    for submission in (blob, huge):
        assert services.grade_submission(submission_id=submission.pk)
        submission.refresh_from_db()
        assert submission.state == State.GRADED


def test_a_backlog_is_sent_again_with_backoff_and_not_given_up(
    learner, exercise_named, monkeypatch, settings, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        services, "send_for_grading", lambda submission_id: sent.append(submission_id) or True
    )
    with django_capture_on_commit_callbacks(execute=False):
        waiting = submit(learner, exercise_named("order-years"), {"order": [0, 1, 3, 2]})
    now = timezone.now()
    # Sent many times, the last a minute ago: backing off, so not yet again, and not given up.
    Submission.objects.filter(pk=waiting.pk).update(
        send_count=settings.GRADING_MAX_SENDS,
        sent_at=now - timedelta(minutes=1),
        submitted_at=now - timedelta(minutes=10),
    )
    services.sweep_submissions()
    waiting.refresh_from_db()
    assert (waiting.state, sent) == (State.PENDING, [])
