from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import load_demo_accounts


class Command(BaseCommand):
    help = "Load the demo accounts (and, as they arrive, the sample course and cohort). Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "Refusing to load demo data with DJANGO_ENV=production: the demo accounts "
                "have published passwords."
            )
        for account, created in load_demo_accounts():
            verb = "Created" if created else "Updated"
            self.stdout.write(
                f"{verb} demo {account.role}: {account.email} / password {account.password}"
            )
