from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import load_demo_accounts
from authoring.demo import load_demo_authoring
from authoring.services import published_in_the_browser
from cohorts.demo import DEMO_COHORT, load_demo_cohort
from courses import services
from courses.content.problems import ContentInvalid
from courses.models import Course

SAMPLE_COURSE = settings.BASE_DIR / "content" / "data-masterclass"


class Command(BaseCommand):
    help = "Load the demo accounts and the sample course. Safe to run again: it updates in place."

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "Refusing to load demo data with DJANGO_ENV=production: the demo accounts "
                "have published passwords."
            )
        accounts = load_demo_accounts()
        for account, _, created in accounts:
            verb = "Created" if created else "Updated"
            code = " (then the code from: manage.py demo_code <email>)" * account.second_factor
            self.stdout.write(
                f"{verb} demo {account.role}: {account.email} / password {account.password}{code}"
            )
        existing = Course.objects.filter(slug=SAMPLE_COURSE.name).first()
        if existing is not None and published_in_the_browser(course=existing):
            # Authors have published it from the authoring area: their work stays.
            course = existing
            self.stdout.write(
                f"Kept the sample course {course.slug} as published in the authoring area "
                "(not loaded again from its folder)"
            )
        else:
            try:
                course = services.import_course(path=SAMPLE_COURSE)
            except ContentInvalid as invalid:
                raise CommandError(f"The sample course has problems:\n{invalid}") from None
            self.stdout.write(f"Loaded the sample course {course.slug}: {course.title}")
        people = {account.role: user for account, user, _ in accounts}
        load_demo_authoring(course=course, owner=people["author"])
        cohort = load_demo_cohort(
            course=course, facilitator=people["facilitator"], learner=people["learner"]
        )
        if cohort is None:
            self.stdout.write(f"The demo cohort is already there: {DEMO_COHORT}")
        else:
            self.stdout.write(
                f"Created the demo cohort {cohort.name}, facilitated by "
                f"{people['facilitator'].email}, with {cohort.memberships.count()} learners"
            )
