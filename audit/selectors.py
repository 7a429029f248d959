"""Reading the audit log."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.actions import GROUPS, actions_in
from audit.models import AuditEvent


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the site's time zone (Europe/London)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events(
    *,
    group: str = "",
    actor: str = "",
    target: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching the filters, newest first. ``group`` is a key of ``actions.GROUPS``;
    the dates are days in the site's time zone, both included."""
    events = AuditEvent.objects.all()
    if group in GROUPS:
        wanted = Q(action__in=actions_in(group))
        for prefix in GROUPS[group].prefixes:
            wanted |= Q(action__startswith=prefix)
        events = events.filter(wanted)
    if actor:
        events = events.filter(actor_email__icontains=actor)
    if target:
        events = events.filter(target__icontains=target)
    if date_from:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to and date_to < datetime.date.max:
        events = events.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-pk")
