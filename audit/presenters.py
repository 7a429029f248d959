"""The audit log as people read it: each event in words, for the page and the CSV file."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from audit.actions import description
from audit.models import AuditEvent

SIGN_IN_METHODS = {
    "password": "with a password",
    "code": "with an emailed code",
    "socialaccount": "with single sign-on",
    "password_reset": "after resetting their password",
}
MFA_TYPES = {
    "totp": "authenticator app",
    "recovery_codes": "recovery codes",
    "webauthn": "security key",
}
SYSTEM = "The system"
NOT_RECORDED = "Not recorded"


def _specifics(event: AuditEvent) -> str:
    details: dict[str, Any] = event.details if isinstance(event.details, dict) else {}
    action = event.action
    if action == "account.signed_in":
        parts = [SIGN_IN_METHODS.get(str(details.get("method")), "")]
        if details.get("mfa"):
            parts.append(f"and {MFA_TYPES.get(str(details['mfa']), details['mfa'])}")
        return " ".join(part for part in parts if part)
    if action.startswith("mfa."):
        kind = details.get("type")
        return MFA_TYPES.get(str(kind), str(kind)) if kind else ""
    if action.startswith("role."):
        role = str(details.get("role", ""))
        cohort = details.get("cohort_name")
        return f"{role} of cohort “{cohort}”" if cohort else role
    if action == "account.email_changed" and details.get("from"):
        return f"from {details['from']}"
    if action == "authoring.role":
        person, course_role = details.get("user"), details.get("role")
        return f"{person} made {course_role}" if course_role else f"{person} removed"
    if action in {"authoring.publish", "authoring.restore", "authoring.export"}:
        version = details.get("version")
        if version == "draft":
            return "the draft"
        return f"version {version}" if version else ""
    return ""


def what(event: AuditEvent) -> str:
    """The event in words: "Signed in: with a password and authenticator app"."""
    specifics = _specifics(event)
    return f"{description(event.action)}: {specifics}" if specifics else description(event.action)


@dataclass(frozen=True)
class Row:
    when: datetime.datetime
    who: str
    what: str
    action: str
    target: str
    ip_address: str


def row(event: AuditEvent) -> Row:
    return Row(
        when=timezone.localtime(event.created_at),
        who=event.actor_email or SYSTEM,
        what=what(event),
        action=event.action,
        target=event.target,
        ip_address=event.ip_address or NOT_RECORDED,
    )


CSV_HEADER = ["When (UK time)", "Who", "What", "Action", "About", "IP address", "Details"]


def csv_rows(events: Iterable[AuditEvent]) -> Iterator[list[Any]]:
    yield CSV_HEADER
    for event in events:
        shown = row(event)
        yield [
            shown.when.strftime("%Y-%m-%d %H:%M:%S"),
            shown.who,
            shown.what,
            shown.action,
            shown.target,
            event.ip_address or "",
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else "",
        ]


def csv_filename(today: datetime.date | None = None) -> str:
    return f"audit-log-{(today or timezone.localdate()).isoformat()}.csv"
