"""The scheduled email jobs run by a real Celery worker process: each job sent twice sends
each email once. The worker writes its mail to a folder of this test's own, so the test
counts what it really sent, not only the database's record of it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.result import AsyncResult
from django.utils import timezone

from cohorts import tasks
from cohorts.models import Cohort, Membership, ModuleSchedule, Notification
from cohorts.notifications import Kind
from courses.services import mark_lesson_read
from tests.accounts.factories import UserFactory
from tests.conftest import Worker, empty_embedded_broker, wait_until
from tests.exercises.conftest import MINI_COURSE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # Django's file backend ends each message with it


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    mail_dir: Path,
) -> Iterator[Worker]:
    """The suite's worker, with its email going to files in ``mail_dir``."""
    empty_embedded_broker()
    worker = Worker(
        tmp_path_factory.mktemp("celery"), EMAIL_URL="", EMAIL_FILE_PATH=str(mail_dir)
    ).start()
    try:
        yield worker
    finally:
        worker.stop()


def emails_written(mail_dir: Path) -> list[bytes]:
    return [
        message
        for path in sorted(mail_dir.iterdir())
        for message in path.read_bytes().split(SEPARATOR)
        if message.strip()
    ]


def run(task: Any, worker: Worker) -> None:
    """Send a beat task to the worker and wait until the worker has finished it."""
    result: AsyncResult = task.apply_async()
    wait_until(lambda: f" {result.id} SUCCESS " in worker.log, timeout=60)


@pytest.fixture
def cohort(transactional_db: None) -> Cohort:
    from courses import services as course_services

    course = course_services.import_course(path=MINI_COURSE)
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        name="Board 1", course=course, start_date=today - datetime.timedelta(days=30)
    )
    cohort.facilitators.add(UserFactory(email="facilitator@example.gov.uk"))
    first, second = course.modules.order_by("position")
    ModuleSchedule.objects.create(
        cohort=cohort, module=first, due_date=today - datetime.timedelta(days=1)
    )
    ModuleSchedule.objects.create(
        cohort=cohort, module=second, due_date=today + datetime.timedelta(days=2)
    )
    for email in ("behind@example.gov.uk", "keen@example.gov.uk"):
        learner = UserFactory(email=email)
        Membership.objects.create(
            cohort=cohort, email=email, learner=learner, joined_at=timezone.now()
        )
        for lesson in first.lessons.all()[: 1 if email.startswith("behind") else 2]:
            mark_lesson_read(learner=learner, lesson=lesson)
    return cohort


def test_each_job_run_twice_sends_each_email_once(celery_worker, mail_dir, cohort) -> None:
    run(tasks.send_weekly_progress_emails, celery_worker)
    run(tasks.send_facilitator_digests, celery_worker)
    run(tasks.send_due_date_reminders, celery_worker)
    sent = {
        (kind, recipient)
        for kind, recipient in Notification.objects.values_list("kind", "recipient__email")
    }
    assert sent == {
        (Kind.WEEKLY_PROGRESS, "behind@example.gov.uk"),
        (Kind.FACILITATOR_DIGEST, "facilitator@example.gov.uk"),
        # Neither has started the second module, due in 2 days.
        (Kind.DUE_REMINDER, "behind@example.gov.uk"),
        (Kind.DUE_REMINDER, "keen@example.gov.uk"),
    }
    written = emails_written(mail_dir)
    assert len(written) == 4
    assert sum(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in m for m in written) == 3

    for task in (
        tasks.send_weekly_progress_emails,
        tasks.send_facilitator_digests,
        tasks.send_due_date_reminders,
    ):
        run(task, celery_worker)

    assert Notification.objects.count() == 4
    assert len(emails_written(mail_dir)) == 4
