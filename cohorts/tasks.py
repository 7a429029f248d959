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


class InvitationsNotSent(Exception):
    """Some emails of a chunk failed; they were unclaimed, so a retry sends only those."""


# Invitations from an uploaded file of learners, a chunk of memberships per task.
@shared_task(
    ignore_result=True,
    autoretry_for=(OSError, InvitationsNotSent),
    retry_backoff=True,
    max_retries=5,
)
def send_invitations(membership_ids: list[int]) -> None:
    from cohorts import services

    # Each email is claimed in the database before it is sent, so a retry or a redelivered
    # task sends only what has not gone yet, never an email twice.
    result = services.send_invitation_emails(membership_ids=membership_ids)
    if result.failed:
        raise InvitationsNotSent(f"{result.failed} of the invitations could not be sent")
