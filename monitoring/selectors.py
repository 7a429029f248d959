from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from monitoring.models import WorkerHeartbeat


def recent_heartbeats(*, within: timedelta = timedelta(days=1)) -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=timezone.now() - within)
