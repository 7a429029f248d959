from celery import shared_task

from cohorts import notifications


# Beat jobs (CELERY_BEAT_SCHEDULE). Each email is claimed once in the database, so a second
# run or a redelivered task sends nothing twice.
@shared_task(ignore_result=True)
def send_weekly_progress_emails() -> None:
    notifications.send_weekly_progress_emails()


@shared_task(ignore_result=True)
def send_facilitator_digests() -> None:
    notifications.send_facilitator_digests()


@shared_task(ignore_result=True)
def send_due_date_reminders() -> None:
    notifications.send_due_date_reminders()


# Invitations from an uploaded file of learners, a chunk of memberships per task.
@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitations(membership_ids: list[int]) -> None:
    from cohorts import services

    # The mail server being unreachable (OSError) fails before any message of the chunk is
    # sent, so a retry sends nothing twice.
    services.send_invitation_emails(membership_ids=membership_ids)
