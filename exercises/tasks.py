from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from exercises import services

RETRYABLE = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20,
    time_limit=30,
    max_retries=5,
    ignore_result=True,
)
def grade_submission(self: Task, submission_id: int) -> None:
    try:
        services.grade_submission(submission_id=submission_id)
    except RETRYABLE as error:
        # The database blinked (the grading rolled back, so it is still pending): try again.
        if self.request.retries >= self.max_retries:
            services.mark_failed(submission_id=submission_id, error=repr(error))
            return
        raise self.retry(exc=error, countdown=min(2**self.request.retries, 30)) from error
    except SoftTimeLimitExceeded:
        services.mark_failed(submission_id=submission_id, error="Grading took too long.")
    except Exception as error:
        services.mark_failed(submission_id=submission_id, error=repr(error))
        raise


@shared_task(ignore_result=True)
def regrade_submissions(submission_ids: list[int]) -> None:
    for submission_id in submission_ids:
        services.grade_submission(submission_id=submission_id)


@shared_task(ignore_result=True)
def sweep_submissions() -> None:
    services.sweep_submissions()
