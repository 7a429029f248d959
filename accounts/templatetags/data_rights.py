"""How long unused accounts are kept, in words, for the privacy notice and "Your data"."""

from django import template
from django.conf import settings

register = template.Library()


def retention_period(days: int) -> str:
    """730 → "2 years", 365 → "1 year", 90 → "90 days"; "" when accounts are kept for good."""
    if days <= 0:
        return ""
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


@register.simple_tag
def account_retention_period() -> str:
    return retention_period(settings.ACCOUNT_RETENTION_DAYS)
