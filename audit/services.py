"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User
from audit.models import AuditEvent


def record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    user = actor if isinstance(actor, User) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_email=user.email if user else "",
        action=action,
        target=target[:300],
        details=details or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
