import smtplib
from typing import Any

from celery import Task, shared_task

from accounts import email_queue


class EmailTask(Task):
    """Celery logs a task's arguments when a worker receives it, and again on each retry. A
    queued email's body may hold a sign-in code, so the logs show only its subject."""

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        message = args[0] if args else (kwargs or {}).get("message", {})
        subject = message.get("subject", "") if isinstance(message, dict) else ""
        options["argsrepr"] = f"[<email {subject!r}>]"
        options["kwargsrepr"] = "{}"
        return super().apply_async(args, kwargs, **options)


# Routed to the email queue (CELERY_TASK_ROUTES). A mail server that is down or refuses for a
# while is tried again with growing waits (about 1 s, 2 s, 4 s … up to 10 minutes, 8 times).
@shared_task(
    base=EmailTask,
    ignore_result=True,
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    # The server refused every recipient: asking again will not change its mind.
    dont_autoretry_for=(smtplib.SMTPRecipientsRefused,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_email_message(message: dict[str, Any]) -> None:
    email_queue.send_email(payload=message)


# A beat job (CELERY_BEAT_SCHEDULE), daily. Safe to run twice: an account already anonymised is
# no longer due, and each is checked again under its lock.
@shared_task(ignore_result=True)
def anonymise_inactive_accounts() -> None:
    from accounts import data_rights

    data_rights.anonymise_inactive_accounts()
