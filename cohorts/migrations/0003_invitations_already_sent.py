from django.db import migrations
from django.db.models import F


def mark_existing_invitations_sent(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Before invitation_sent_at existed, every invitation was emailed when it was made: record
    # that, so the learners pages do not offer to send them all again.
    Membership = apps.get_model("cohorts", "Membership")
    Membership.objects.filter(invitation_sent_at__isnull=True).update(
        invitation_sent_at=F("invited_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0002_membership_invitation_sent_at"),
    ]

    operations = [
        migrations.RunPython(mark_existing_invitations_sent, migrations.RunPython.noop),
    ]
