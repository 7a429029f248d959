"""Cohorts: groups of leaders taking a course together, run by facilitators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from courses.models import TITLE_LENGTH, Course, Module


class Cohort(models.Model):
    name = models.CharField(max_length=TITLE_LENGTH)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    start_date = models.DateField()
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_cohorts"
    )
    # People who may see only the cohort's aggregate report, with small groups suppressed.
    report_viewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reported_cohorts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohorts:dashboard", kwargs={"cohort": self.pk})


class ModuleSchedule(models.Model):
    """When a module opens to a cohort and when it should be finished. Either may be blank:
    no release date means open from the start; no due date means no deadline."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="schedule")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    release_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["module__position"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "module"], name="one_schedule_per_module"),
            models.CheckConstraint(
                condition=models.Q(release_date__isnull=True)
                | models.Q(due_date__isnull=True)
                | models.Q(due_date__gte=models.F("release_date")),
                name="due_after_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.module}"


class Membership(models.Model):
    """A learner invited to a cohort. ``learner`` is set once the person behind the invited
    address joins: by accepting the invitation while signed in, or by verifying the address of
    the account they create from it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    email = models.EmailField()
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cohort_memberships",
    )
    # A grouping shown in aggregate reports, such as the learner's department.
    group = models.CharField(max_length=100, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    # When the invitation email went out; claimed before sending and cleared if sending fails,
    # so that an invitation is neither lost nor sent twice.
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                "cohort", Lower("email"), name="one_membership_per_email_in_cohort"
            ),
            # A person invited at two of their addresses joins once.
            models.UniqueConstraint(
                fields=["cohort", "learner"],
                condition=models.Q(learner__isnull=False),
                name="one_membership_per_learner_in_cohort",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "cohort"], name="membership_learner_idx"),
            # Invitations waiting for an address (the notice on a learner's home page).
            models.Index(fields=["email"], name="membership_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} in {self.cohort}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Notification(models.Model):
    """An email a scheduled job has sent, so that running the job again sends nothing twice.
    ``key`` names the occasion: the week of a weekly email, or the module and due date."""

    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "cohort", "key"], name="notification_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.key})"
