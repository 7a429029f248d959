"""Account emails (sign-in codes, verification) through the email queue: a real worker sends
them, a broker that is down means they are sent in the request instead, and a mail server
that is down is tried again until it answers."""

from __future__ import annotations

import copy
import email
import json
import logging
import re
import socketserver
import threading
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives

from accounts import email_queue
from masterclass.processes import free_port
from tests.conftest import Worker, empty_embedded_broker, wait_until

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # Django's file backend ends each message with it
HTML_LOGIN_CODE = '<p class="govuk-body">Your sign-in code is <strong>{{ code }}</strong></p>\n'


def a_message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Data Masterclass: Sign-in code",
        body="Your code is ABC123",
        from_email="Data Masterclass <masterclass@example.gov.uk>",
        to=["Ada Lovelace <ada@example.gov.uk>"],
        reply_to=["help@example.gov.uk"],
        headers={"List-Unsubscribe": "<https://masterclass.example.gov.uk/u/1/>"},
    )
    message.attach_alternative("<p>Your code is <strong>ABC123</strong></p>", "text/html")
    return message


def parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        for part in message.walk()
        if not part.is_multipart()
    }


def emails_written(mail_dir: Path) -> list[Message]:
    return [
        email.message_from_bytes(raw)
        for path in sorted(mail_dir.iterdir())
        for raw in path.read_bytes().split(SEPARATOR)
        if raw.strip()
    ]


def code_in(message: Message) -> str:
    found = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", parts(message)["text/plain"], re.MULTILINE)
    assert found, parts(message)
    return found.group(1)


@pytest.fixture
def html_login_code(settings: Any, tmp_path: Path) -> None:
    """An HTML version of the sign-in code email, so the message has an html part."""
    folder = tmp_path / "templates" / "account" / "email"
    folder.mkdir(parents=True)
    (folder / "login_code_message.html").write_text(HTML_LOGIN_CODE)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


# --- The message as it travels ---------------------------------------------
def test_a_message_survives_the_trip_through_json() -> None:
    original = a_message()
    payload = json.loads(json.dumps(email_queue.message_to_payload(message=original)))
    rebuilt = email_queue.message_from_payload(payload=payload)
    for field in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to"):
        assert getattr(rebuilt, field) == getattr(original, field), field
    assert rebuilt.extra_headers == original.extra_headers
    assert rebuilt.alternatives == original.alternatives
    sent, expected = rebuilt.message(), original.message()
    assert sent["List-Unsubscribe"] == expected["List-Unsubscribe"]
    assert parts(sent) == parts(expected)


def test_an_html_only_message_stays_html() -> None:
    original = EmailMessage("Hello", "<p>Hello</p>", "a@example.gov.uk", ["b@example.gov.uk"])
    original.content_subtype = "html"
    rebuilt = email_queue.message_from_payload(
        payload=email_queue.message_to_payload(message=original)
    )
    assert parts(rebuilt.message()) == {"text/html": "<p>Hello</p>"}


def test_a_message_with_an_attachment_is_refused() -> None:
    message = a_message()
    message.attach("report.csv", "a,b\n", "text/csv")
    with pytest.raises(ValueError, match="attachments"):
        email_queue.message_to_payload(message=message)


# --- Through a real worker ---------------------------------------------------
@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "worker-mail"
    folder.mkdir()
    return folder


@pytest.fixture
def file_worker(tmp_path: Path, mail_dir: Path, transactional_db: None) -> Iterator[Worker]:
    """A real worker whose email goes to files in ``mail_dir``."""
    empty_embedded_broker()
    worker = Worker(tmp_path, EMAIL_URL="", EMAIL_FILE_PATH=str(mail_dir)).start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_sign_in_code_arrives_through_the_worker(
    client: Any, learner: Any, settings: Any, file_worker: Worker, mail_dir: Path,
    html_login_code: None,
) -> None:  # fmt: skip
    settings.SEND_EMAIL_IN_BACKGROUND = True
    response = client.post("/accounts/login/code/", {"email": learner.email})
    assert response.status_code == 302
    assert mail.outbox == []  # not sent by the request
    [message] = wait_until(lambda: emails_written(mail_dir), timeout=30)
    assert message["To"] == learner.email
    assert message["Subject"].startswith("Data Masterclass: ")
    code = code_in(message)
    assert f"<strong>{code}</strong>" in parts(message)["text/html"]
    assert "accounts.tasks.send_email_message" in file_worker.log

    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_headers_and_html_part_arrive_intact(file_worker: Worker, mail_dir: Path) -> None:
    assert email_queue.send_in_background(message=a_message()) is True
    [message] = wait_until(lambda: emails_written(mail_dir), timeout=30)
    assert message["List-Unsubscribe"] == "<https://masterclass.example.gov.uk/u/1/>"
    assert message["Reply-To"] == "help@example.gov.uk"
    assert message["From"] == "Data Masterclass <masterclass@example.gov.uk>"
    assert message["To"] == "Ada Lovelace <ada@example.gov.uk>"
    assert parts(message) == {
        "text/plain": "Your code is ABC123",
        "text/html": "<p>Your code is <strong>ABC123</strong></p>",
    }


# --- Faults -----------------------------------------------------------------
@pytest.mark.django_db
def test_with_the_broker_down_the_code_is_sent_in_the_request(
    client: Any, learner: Any, settings: Any, broker_down: None, caplog: Any,
    html_login_code: None,
) -> None:  # fmt: skip
    settings.SEND_EMAIL_IN_BACKGROUND = True
    with caplog.at_level(logging.WARNING, logger="accounts.email_queue"):
        response = client.post("/accounts/login/code/", {"email": learner.email})
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == [learner.email]
    assert "sending it from this process instead" in caplog.text
    assert sent.body not in caplog.text  # the code itself is never logged
    message = sent.message()
    code = code_in(message)
    assert f"<strong>{code}</strong>" in parts(message)["text/html"]
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert client.session["_auth_user_id"] == str(learner.pk)


@pytest.mark.django_db
def test_with_the_setting_off_the_request_sends_it(client: Any, learner: Any) -> None:
    client.post("/accounts/login/code/", {"email": learner.email})
    assert len(mail.outbox) == 1


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every command is accepted."""

    server: _SMTPServer

    def handle(self) -> None:
        self.wfile.write(b"220 localhost ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command == b"DATA":
                self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.received.append(email.message_from_bytes(data))
                self.wfile.write(b"250 OK\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class _SMTPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    received: list[Message]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_is_tried_again_until_it_answers(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there yet
    empty_embedded_broker()
    worker = Worker(tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{port}", LOG_FORMAT="json").start()
    server = None
    try:
        assert email_queue.send_in_background(message=a_message()) is True
        # The task's own log line (masterclass.task) says it will be tried again.
        wait_until(lambda: "send_email_message" in worker.log and " RETRY " in worker.log)

        server = _SMTPServer(("127.0.0.1", port), _SMTPHandler)
        server.received = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        [message] = wait_until(lambda: server.received, timeout=60)
    finally:
        worker.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
    assert message["List-Unsubscribe"] == "<https://masterclass.example.gov.uk/u/1/>"
    assert "text/html" in parts(message)
    # Whatever the worker logs (its task lines, a retry, Celery's own at any level it shows),
    # never the code in the body.
    assert " RETRY " in worker.log
    assert "ABC123" not in worker.log


def test_a_queued_email_is_described_in_celerys_logs_by_its_subject_only(monkeypatch) -> None:
    from celery.app.task import Task

    from accounts.tasks import send_email_message

    sent: dict[str, Any] = {}
    monkeypatch.setattr(
        Task, "apply_async", lambda self, args=None, kwargs=None, **o: sent.update(o)
    )
    send_email_message.apply_async(args=[{"subject": "Sign-in code", "body": "ABC123"}])
    assert sent["argsrepr"] == "[<email 'Sign-in code'>]"
    assert sent["kwargsrepr"] == "{}"
