"""The course's audit trail in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit.models import AuditEvent

KINDS = {"course": "the course details", "module": "a module", "lesson": "a lesson",
         "term": "a glossary term", "dataset": "a dataset", "chart": "a chart",
         "exercise": "an exercise"}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    when: Any
    who: str
    what: str


def _kind(details: dict[str, Any]) -> str:
    what = str(details.get("what", ""))
    return KINDS.get(what.split(":", 1)[0], what or "the draft")


def describe(event: AuditEvent) -> Entry:
    details = event.details or {}
    action = event.action.removeprefix("authoring.")
    title = details.get("title")
    named = f" “{title}”" if title else ""
    sentences = {
        "create": f"created the course{named}",
        "edit": f"changed {_kind(details)}",
        "delete": f"deleted {_kind(details)}{named}",
        "move": f"moved {_kind(details)} {details.get('direction', '')}".rstrip(),
        "publish": f"published version {details.get('version')}",
        "restore": f"restored version {details.get('version')} into the draft",
        "role": (
            f"made {details.get('user')} {details.get('role')}"
            if details.get("role")
            else f"removed {details.get('user')} from the course"
        ),
        "comment": "added a comment",
        "resolve-comment": "resolved a comment",
        "import-folder": "imported a course folder",
    }
    return Entry(
        when=event.created_at,
        who=event.actor_email or "The system",
        what=sentences.get(action, action.replace("-", " ")),
    )
