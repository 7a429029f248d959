from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import current_code


class Command(BaseCommand):
    help = "Show the current two-factor code of a demo staff account (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a demo account: admin@, author@ or facilitator@…")

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Refusing with DJANGO_ENV=production: there are no demo accounts.")
        try:
            self.stdout.write(current_code(email=str(options["email"])))
        except LookupError as unknown:
            raise CommandError(str(unknown)) from None
