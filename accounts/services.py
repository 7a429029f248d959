from django.utils import timezone

from accounts.models import Invitation


def invite(*, email: str, invited_by=None) -> Invitation:  # type: ignore[no-untyped-def]
    invitation, _ = Invitation.objects.get_or_create(
        email=email.strip().lower(), defaults={"invited_by": invited_by}
    )
    return invitation


def accept_invitation(*, email: str) -> None:
    Invitation.objects.pending().filter(email=email.strip().lower()).update(
        accepted_at=timezone.now()
    )
