"""Every action the audit log records, with what it means in plain English.

Names are ``area.what_happened`` (``account.signed_in``, ``mfa.added``, ``role.granted``).
Older events keep the names they were written with (``viewed_learner_answers``,
``exported_cohort_progress``...): they are listed here too, so the viewer describes and filters
them like the rest. The authoring workspace writes ``authoring.<verb>``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    # Actions of this group that are not listed below (new authoring verbs, say) start with one
    # of these.
    prefixes: tuple[str, ...] = ()


GROUPS = {
    group.key: group
    for group in (
        Group("sign-in", "Signing in and out"),
        Group("account", "Account changes (password, email addresses)"),
        Group("mfa", "Two-factor authentication"),
        Group("roles", "Roles and permissions"),
        Group("personal-data", "Personal data viewed or exported"),
        Group("cohorts", "Cohort invitations and membership"),
        Group("authoring", "Course authoring", prefixes=("authoring.",)),
        Group("audit", "The audit log"),
    )
}


@dataclass(frozen=True)
class Action:
    description: str
    group: str


ACTIONS: dict[str, Action] = {
    # Signing in and out
    "account.signed_in": Action("Signed in", "sign-in"),
    "account.signed_out": Action("Signed out", "sign-in"),
    "account.sign_in_failed": Action(
        "Failed to sign in (wrong email address or password)", "sign-in"
    ),
    "account.sign_in_code_rejected": Action("Entered a wrong sign-in code", "sign-in"),
    "mfa.code_rejected": Action("Entered a wrong two-factor authentication code", "sign-in"),
    # Account changes
    "account.signed_up": Action("Created an account", "account"),
    "account.password_set": Action("Set a password", "account"),
    "account.password_changed": Action("Changed their password", "account"),
    "account.password_reset": Action("Reset their password", "account"),
    "account.email_added": Action("Added an email address", "account"),
    "account.email_changed": Action("Changed their main email address", "account"),
    "account.email_confirmed": Action("Confirmed an email address", "account"),
    "account.email_removed": Action("Removed an email address", "account"),
    # Two-factor authentication
    "mfa.added": Action("Set up a two-factor authentication method", "mfa"),
    "mfa.removed": Action("Removed a two-factor authentication method", "mfa"),
    "mfa.reset": Action("Made new recovery codes", "mfa"),
    # Roles
    "role.granted": Action("Gave someone a role", "roles"),
    "role.revoked": Action("Took a role away from someone", "roles"),
    # Personal data
    "viewed_learner_answers": Action("Viewed a learner's answers in a cohort", "personal-data"),
    "marking.viewed_answer": Action("Opened a learner's written answer to mark", "personal-data"),
    "exported_cohort_progress": Action("Downloaded a cohort's progress (CSV)", "personal-data"),
    "exported_cohort_questions": Action(
        "Downloaded a cohort's answers by question (CSV)", "personal-data"
    ),
    "account.data_exported": Action("Downloaded a copy of their personal data", "personal-data"),
    # Cohorts
    "joined_cohort": Action("Joined a cohort", "cohorts"),
    "declined_cohort_invitation": Action("Declined an invitation to a cohort", "cohorts"),
    "removed_cohort_member": Action("Removed a learner from a cohort", "cohorts"),
    # Authoring (authoring.services.record)
    "authoring.create": Action("Created a course, or something in a draft", "authoring"),
    "authoring.edit": Action("Changed a draft course", "authoring"),
    "authoring.delete": Action("Deleted something from a draft course", "authoring"),
    "authoring.move": Action("Moved something in a draft course", "authoring"),
    "authoring.publish": Action("Published a course version", "authoring"),
    "authoring.restore": Action("Restored an earlier version into the draft", "authoring"),
    "authoring.import": Action("Imported a course from a zip file", "authoring"),
    "authoring.import-folder": Action("Imported a course from a folder", "authoring"),
    "authoring.export": Action("Downloaded a course as a zip file", "authoring"),
    "authoring.role": Action("Changed who works on a course", "authoring"),
    "authoring.comment": Action("Commented on a draft course", "authoring"),
    "authoring.resolve-comment": Action("Resolved a comment on a draft course", "authoring"),
    "authoring.dataset-upload": Action("Uploaded a dataset", "authoring"),
    "authoring.dataset-delete": Action("Deleted a dataset", "authoring"),
    # The log itself
    "audit.exported": Action("Downloaded the audit log (CSV)", "audit"),
}


def description(action: str) -> str:
    """The action in words; an unknown one (written by newer code) as its name."""
    known = ACTIONS.get(action)
    return known.description if known else action


def actions_in(group: str) -> list[str]:
    return [name for name, known in ACTIONS.items() if known.group == group]
