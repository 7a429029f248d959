"""Sending a rendered email through the email queue, so a slow mail server never holds up a
request. The message travels as a JSON-safe dict and is rebuilt by the worker."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives

logger = logging.getLogger(__name__)


def message_to_payload(*, message: EmailMessage) -> dict[str, Any]:
    """The parts of a message a worker needs to send it again, as JSON-safe values.

    Attachments are refused: account emails have none, and binary content is not JSON.
    """
    if message.attachments:
        raise ValueError("Emails with attachments cannot go through the email queue.")
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(address) for address in message.to],
        "cc": [str(address) for address in message.cc],
        "bcc": [str(address) for address in message.bcc],
        "reply_to": [str(address) for address in message.reply_to],
        "headers": {str(name): str(value) for name, value in message.extra_headers.items()},
        "alternatives": [[str(content), str(mimetype)] for content, mimetype in alternatives],
        "content_subtype": message.content_subtype,
    }


def message_from_payload(*, payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload.get("cc") or None,
        bcc=payload.get("bcc") or None,
        reply_to=payload.get("reply_to") or None,
        headers=payload.get("headers") or None,
    )
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    message.content_subtype = payload.get("content_subtype", "plain")
    return message


def send_email(*, payload: dict[str, Any]) -> None:
    """Send a queued message (from the worker). SMTP errors propagate, for the task to retry."""
    message_from_payload(payload=payload).send()


def send_in_background(*, message: EmailMessage) -> bool:
    """Queue the message for a worker to send. If the broker cannot take it, send it now in
    this process instead, so that no sign-in code is ever lost. Returns True when queued."""
    from accounts import tasks

    payload = message_to_payload(message=message)
    try:
        tasks.send_email_message.apply_async(args=[payload])
    except Exception as error:  # any broker failure: the message must still go
        logger.warning(
            "Could not queue the email %r (%r); sending it from this process instead.",
            message.subject,
            error,
        )
        message.send()
        return False
    return True
