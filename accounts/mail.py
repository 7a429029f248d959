import logging
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

logger = logging.getLogger(__name__)


class LocalFileEmailBackend(EmailBackend):
    """Writes each message to a file under var/mail and says where on the console."""

    def write_message(self, message) -> None:  # type: ignore[no-untyped-def]
        super().write_message(message)
        recipients = ", ".join(message.recipients())
        path = Path(self._get_filename())  # type: ignore[attr-defined]
        logger.warning("Email to %s (%s) written to %s", recipients, message.subject, path)
