"""Every address of the site, asked for by every kind of person (ADR 17).

``RULES`` says, for each URL name, who may GET it and who may POST to it, in a few named
rules. The walk builds one world (course X with cohorts A and B, course Y with its own
cohort and author), fills every address with A's and X's objects, and asks for each as each
persona: people the rule allows must get the page; everyone else gets 403 or 404 (signed-out
visitors: sent to sign in, or 404), and a refused POST must change nothing. A new view without
a rule, or a rule for a view that has gone, fails the walk.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import data_export
from accounts.models import User
from accounts.roles import TUTORS_GROUP
from audit.models import AuditEvent
from authoring import bundles
from authoring import services as authoring_services
from authoring.models import Comment, CourseRole, Role, Workspace
from cohorts import notifications
from cohorts.models import Cohort, Membership
from courses import services as course_services
from courses.models import Course, LessonCompletion
from exercises import services as exercise_services
from exercises.models import Exercise, Submission
from progress.models import Certificate
from tests.accounts.factories import UserFactory
from tests.authoring.test_url_permissions import REVIEWER_CAN_GET, arguments
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.conftest import MINI_COURSE
from tests.security.site import patterns, url_for

pytestmark = pytest.mark.django_db

# --- The rules ------------------------------------------------------------
# Each is a relation a persona may have to course X, cohort A or their objects.
ANYONE = "anyone"
SIGNED_IN = "signed in"
OWN = "own object"  # learner A's attempt
INVITED = "the invited person"  # a pending invitation to cohort A
FACILITATOR = "facilitator of the cohort"
REPORTER = "reporter of the cohort"  # facilitators see the report too
RUNS_COHORTS = "facilitator or reporter of some cohort"
TUTOR = "tutor"
ADMIN = "admin"
AUTHOR = "author"  # may start courses
WORKS_ON_COURSES = "author, or a role on some course"
REVIEWER = "course reviewer+"
EDITOR = "course editor+"
OWNER = "course owner"
# allauth's own pages serve signed-in and signed-out flows alike, and decide for themselves
# where to send each; the walk asks only that none of them fails.
ALLAUTH = "allauth: signed in or signed out flows"


@dataclass(frozen=True)
class Access:
    """Who may GET and who may POST; None: the address does not take that method."""

    get: str | None
    post: str | None = None


def page(rule: str) -> Access:
    return Access(get=rule)


def form(rule: str, post: str | None = None) -> Access:
    return Access(get=rule, post=post or rule)


def action(rule: str) -> Access:
    return Access(get=None, post=rule)


def _authoring_rules() -> dict[str, Access]:
    """The authoring area, per course: its own walk (tests/authoring/test_url_permissions.py)
    checks each role in depth; this one puts it in the site-wide table."""
    post_only = {
        "module_move", "lesson_move", "preview", "chart_preview", "remove_person",
        "resolve_comment",
    }  # fmt: skip
    get_only = {
        "overview", "glossary", "datasets", "charts", "exercises", "history", "version",
        "export_version", "export_draft", "activity",
    }  # fmt: skip
    reviewer_posts = {"preview", "comments"}
    owner_posts = {"people", "remove_person"}
    rules: dict[str, Access] = {
        "authoring:home": form(WORKS_ON_COURSES, post=ADMIN),
        "authoring:create": form(AUTHOR),
        "authoring:import_new": form(AUTHOR),
    }
    from tests.authoring.test_url_permissions import authoring_patterns

    for pattern in authoring_patterns():
        name = str(pattern.name)
        if f"authoring:{name}" in rules:
            continue
        get = REVIEWER if name in REVIEWER_CAN_GET else EDITOR
        post = OWNER if name in owner_posts else REVIEWER if name in reviewer_posts else EDITOR
        if name in post_only:
            rules[f"authoring:{name}"] = action(post)
        elif name in get_only:
            rules[f"authoring:{name}"] = page(get)
        else:
            rules[f"authoring:{name}"] = form(get, post=post)
    return rules


ALLAUTH_NAMES = [
    "account_login", "account_logout", "account_inactive", "account_signup",
    "account_reauthenticate", "account_email", "account_email_verification_sent",
    "account_change_password", "account_set_password", "account_reset_password",
    "account_confirm_login_code", "account_reset_password_from_key_done",
    "account_reset_password_from_key", "account_reset_password_done",
    "account_request_login_code", "mfa_index", "mfa_authenticate", "mfa_reauthenticate",
    "mfa_activate_totp", "mfa_deactivate_totp", "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes", "mfa_download_recovery_codes", "mfa_list_webauthn",
    "mfa_add_webauthn", "mfa_reauthenticate_webauthn", "mfa_remove_webauthn",
    "mfa_edit_webauthn", "socialaccount_login_cancelled", "socialaccount_login_error",
    "socialaccount_signup", "socialaccount_connections", "openid_connect_login",
    "openid_connect_callback",
    # allauth's unnamed redirects from its old addresses
    "/accounts/social/login/cancelled/", "/accounts/social/login/error/",
    "/accounts/social/signup/", "/accounts/social/connections/",
]  # fmt: skip

RULES: dict[str, Access] = {
    # Public pages.
    "home": page(ANYONE),
    "accessibility": page(ANYONE),
    "privacy": page(ANYONE),
    "healthz": page(ANYONE),
    # Published courses are open to everyone signed in: cohorts add dates and oversight,
    # not access.
    "courses:catalogue": page(SIGNED_IN),
    "courses:course": page(SIGNED_IN),
    "courses:glossary": page(SIGNED_IN),
    "courses:dataset": page(SIGNED_IN),
    "courses:dataset_csv": page(SIGNED_IN),
    "courses:chart_csv": page(SIGNED_IN),
    "courses:lesson": page(SIGNED_IN),
    "courses:mark_read": action(SIGNED_IN),
    "exercises:exercise": form(SIGNED_IN),
    "exercises:attempt_result": page(OWN),
    "exercises:regrade": action(EDITOR),
    # A learner's own progress: the address names a course, never a learner.
    "progress:overview": page(SIGNED_IN),
    "progress:settings": form(SIGNED_IN),
    "progress:course": page(SIGNED_IN),
    "progress:my_certificate": form(SIGNED_IN),
    # Public by token: the code or the signed token in the address is the secret.
    "progress:certificate": page(ANYONE),
    "cohorts:unsubscribe": form(ANYONE),
    # Tutors mark written answers on every published course.
    "marking:queue": page(TUTOR),
    "marking:errors": page(TUTOR),
    "marking:mark": form(TUTOR),
    "marking:regrade": action(TUTOR),
    # Cohorts: admins run them, facilitators see their own, report viewers the report.
    "cohorts:list": page(RUNS_COHORTS),
    "cohorts:create": form(ADMIN),
    "cohorts:edit": form(ADMIN),
    "cohorts:learners": form(FACILITATOR),
    "cohorts:upload": form(FACILITATOR),
    "cohorts:remove_learner": form(FACILITATOR),
    "cohorts:dashboard": page(FACILITATOR),
    "cohorts:learner": page(FACILITATOR),
    "cohorts:items": page(FACILITATOR),
    "cohorts:item": page(FACILITATOR),
    "cohorts:export_grid": page(FACILITATOR),
    "cohorts:export_items": page(FACILITATOR),
    "cohorts:report": page(REPORTER),
    "cohorts:export_report": page(REPORTER),
    "cohorts:join": action(INVITED),
    "cohorts:decline": action(INVITED),
    # The person's own account: the address names no one, so it is always their own.
    "accounts:your_data": page(SIGNED_IN),
    "accounts:download_json": page(SIGNED_IN),
    "accounts:download_csv": page(SIGNED_IN),
    "accounts:delete": form(SIGNED_IN),
    "accounts:deleted": page(ANYONE),
    # Staff.
    "system_status": form(ADMIN),
    "audit:log": page(ADMIN),
    "audit:export": page(ADMIN),
    **_authoring_rules(),
    **{name: form(ALLAUTH) for name in ALLAUTH_NAMES},
}


# --- The personas ---------------------------------------------------------
EVERYONE = {ANYONE, ALLAUTH}
SIGNED = EVERYONE | {SIGNED_IN}
COURSE_ROLES = {REVIEWER, EDITOR, OWNER}

PERSONAS: dict[str, set[str]] = {
    "visitor": EVERYONE,
    "learner_a": SIGNED | {OWN},  # in cohort A on course X; the attempt and certificate are theirs
    "learner_b": SIGNED,  # in cohort B, same course
    "learner_y": SIGNED,  # in a cohort on course Y
    "invitee": SIGNED | {INVITED},  # invited to cohort A, not yet answered
    "facilitator_a": SIGNED | {FACILITATOR, REPORTER, RUNS_COHORTS},
    "facilitator_b": SIGNED | {RUNS_COHORTS},  # of cohort B, looking at A
    "reporter_a": SIGNED | {REPORTER, RUNS_COHORTS},
    "tutor": SIGNED | {TUTOR},
    "owner_x": SIGNED | {AUTHOR, WORKS_ON_COURSES} | COURSE_ROLES,
    "editor_x": SIGNED | {AUTHOR, WORKS_ON_COURSES, REVIEWER, EDITOR},
    "reviewer_x": SIGNED | {WORKS_ON_COURSES, REVIEWER},  # a course role, not in Authors
    "author_y": SIGNED | {AUTHOR, WORKS_ON_COURSES},  # owns course Y only
    "admin": SIGNED
    | {FACILITATOR, REPORTER, RUNS_COHORTS, TUTOR, ADMIN, AUTHOR, WORKS_ON_COURSES}
    | COURSE_ROLES,
}


# --- The world ------------------------------------------------------------
@dataclass
class World:
    users: dict[str, Any]
    values: dict[str, Any]  # URL parts, pointing at A's and X's objects
    by_name: dict[str, dict[str, Any]]  # parts that differ for one address
    elsewhere: dict[str, Any]  # objects of cohort B and course Y


def build_world() -> World:
    # Signed in with force_login: no password to hash (hashing is most of the world's cost).
    learner = {"password": "!"}
    staff = {"mfa": True, **learner}
    users: dict[str, Any] = {
        "learner_a": UserFactory(**learner),
        "learner_b": UserFactory(**learner),
        "learner_y": UserFactory(**learner),
        "invitee": UserFactory(**learner),
        "facilitator_a": UserFactory(**staff),
        "facilitator_b": UserFactory(**staff),
        "reporter_a": UserFactory(**learner),  # sees aggregates only: needs no second factor
        "tutor": UserFactory(**staff),
        "owner_x": UserFactory(author=True, **staff),
        "editor_x": UserFactory(author=True, **staff),
        "reviewer_x": UserFactory(**staff),
        "author_y": UserFactory(author=True, **staff),
        "admin": UserFactory(is_staff=True, is_superuser=True, **staff),
    }
    users["tutor"].groups.add(Group.objects.get_or_create(name=TUTORS_GROUP)[0])

    course_x = course_services.import_course(path=MINI_COURSE)
    course_y = course_services.save_course(
        bundle=bundles.read_files(bundles.files_of(course_x), slug="other-course")
    )
    workspace_x = authoring_services.workspace_for_course(course=course_x)
    workspace_y = authoring_services.workspace_for_course(course=course_y)
    for persona, role in (("owner_x", Role.OWNER), ("editor_x", Role.EDITOR),
                          ("reviewer_x", Role.REVIEWER)):  # fmt: skip
        CourseRole.objects.create(workspace=workspace_x, user=users[persona], role=role)
    role_y = CourseRole.objects.create(
        workspace=workspace_y, user=users["author_y"], role=Role.OWNER
    )
    comment_y = Comment.objects.create(workspace=workspace_y, author=users["author_y"], text="Y")

    cohort_a = CohortFactory(
        name="Cohort A", course=course_x,
        facilitators=[users["facilitator_a"]], report_viewers=[users["reporter_a"]],
    )  # fmt: skip
    cohort_b = CohortFactory(
        name="Cohort B", course=course_x, facilitators=[users["facilitator_b"]]
    )
    cohort_y = CohortFactory(name="Cohort Y", course=course_y)
    member_a = MembershipFactory(cohort=cohort_a, learner=users["learner_a"])
    member_b = MembershipFactory(cohort=cohort_b, learner=users["learner_b"])
    MembershipFactory(cohort=cohort_y, learner=users["learner_y"])
    invitation = MembershipFactory(cohort=cohort_a, email=users["invitee"].email)

    exercise = Exercise.objects.get(course=course_x, slug="flow-1871")
    attempt = exercise_services.submit_answer(
        learner=users["learner_a"], exercise=exercise, answer={"value": 900.0}, confidence=None
    )
    exercise_services.mark_failed(submission_id=attempt.pk, error="The grader stopped")
    written = exercise_services.submit_answer(
        learner=users["learner_a"],
        exercise=Exercise.objects.get(course=course_x, slug="what-is-noise"),
        answer={"text": "One low year is noise."},
        confidence=None,
    )
    certificate = Certificate.objects.create(
        learner=users["learner_a"], course=course_x, learner_name="Alex Learner",
        course_title=course_x.title, completed_at=timezone.now(),
    )  # fmt: skip

    values = arguments(workspace_x, users["owner_x"])
    values.update(
        exercise=exercise.slug,
        attempt=attempt.pk,
        submission=written.pk,
        cohort=cohort_a.pk,
        membership=member_a.pk,
        code=certificate.code,
        token=notifications.unsubscribe_token(user=users["learner_a"]),
        table=next(iter(data_export.TABLES_BY_SLUG)),
    )
    by_name = {
        # Marking again is for answers the machine marks; marking by hand, for written ones.
        "marking:regrade": {"submission": attempt.pk},
        "cohorts:join": {"membership": invitation.pk},
        "cohorts:decline": {"membership": invitation.pk},
    }
    elsewhere = {"membership": member_b.pk, "role": role_y.pk, "comment": comment_y.pk}
    return World(users=users, values=values, by_name=by_name, elsewhere=elsewhere)


def fingerprint() -> tuple[Any, ...]:
    """What a refused POST must leave as it was."""
    return (
        AuditEvent.objects.count(),
        tuple(
            Membership.objects.aggregate(
                n=Count("pk"), joined=Count("pk", filter=Q(joined_at__isnull=False))
            ).values()
        ),
        tuple(Submission.objects.values_list("pk", "state").order_by("pk")),
        Submission.objects.aggregate(runs=Sum("grading_runs"))["runs"],
        tuple(CourseRole.objects.values_list("pk", "role").order_by("pk")),
        tuple(Comment.objects.values_list("pk", "resolved_at").order_by("pk")),
        tuple(Cohort.objects.values_list("pk", "name", "archived").order_by("pk")),
        tuple(Course.all_objects.values_list("pk", "content_version").order_by("pk")),
        Workspace.objects.count(),
        LessonCompletion.objects.count(),
        Certificate.objects.count(),
        tuple(User.objects.filter(progress_emails=False).values_list("pk", flat=True)),
    )


# --- The walk -------------------------------------------------------------
def _to_sign_in(response: HttpResponse) -> bool:
    """Sent to sign in, or (staff without a second factor) to set one up first."""
    return response.status_code == 302 and response["Location"].startswith(
        (reverse("account_login"), reverse("mfa_index"))
    )


def verdict(*, persona: str, rule: str | None, response: HttpResponse) -> str | None:
    """What is wrong with the answer, if anything."""
    status = response.status_code
    if status >= 500:
        return f"failed with {status}"
    if rule == ALLAUTH:
        return None
    if rule is None:
        refused = status in (403, 404, 405) or _to_sign_in(response)
        return None if refused else f"took a method it has no rule for ({status})"
    if rule in PERSONAS[persona]:
        if status in (403, 404, 405) or _to_sign_in(response):
            return f"refused ({status}) though the rule is '{rule}'"
        return None
    if persona == "visitor":
        return None if _to_sign_in(response) or status == 404 else f"answered {status}"
    return None if status in (403, 404) else f"answered {status}, where only '{rule}' may"


@contextmanager
def undone() -> Iterator[None]:
    """Whatever the request changes is rolled back, so every persona walks the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def address(route: str, name: str) -> str:
    """The URL name, or for the few addresses without one, the address itself."""
    return "/" + route if name == "None" else name


def walk(client: Client, persona: str, world: World) -> list[str]:
    problems = []
    as_built = fingerprint()  # every request is undone, so each starts from this
    for route, name, entry in patterns():
        name = address(route, name)
        access = RULES.get(name)
        if access is None:
            continue  # test_every_address_has_a_rule says so
        url = url_for(route, name, entry, {**world.values, **world.by_name.get(name, {})})
        requests: list[tuple[str, str | None, Callable[..., HttpResponse]]] = [
            ("GET", access.get, client.get),
            ("POST", access.post, client.post),
        ]
        for method, rule, send in requests:
            allowed = rule is not None and rule in PERSONAS[persona]
            if method == "POST" and allowed and access.get is not None and rule != ALLAUTH:
                # A form's own page answered the GET; empty data posted to it would test the
                # form, not the access rule.
                continue
            cookies = copy.deepcopy(client.cookies)
            with undone():
                response = send(url, {})
                if method == "POST" and not allowed and fingerprint() != as_built:
                    problems.append(f"{method} {name} ({url}): refused, yet changed data")
            client.cookies = cookies  # signing out is undone too
            if problem := verdict(persona=persona, rule=rule, response=response):
                problems.append(f"{method} {name} ({url}): {problem}")
    return problems


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for every persona: each request is undone, so it stays as built."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def test_every_address_has_a_rule() -> None:
    names = {address(route, name) for route, name, _ in patterns()}
    missing = sorted(names - set(RULES))
    gone = sorted(set(RULES) - names)
    assert not missing, "\n".join(f"add a rule for {name}" for name in missing)
    assert not gone, "\n".join(f"RULES has {name}, which is no longer an address" for name in gone)


# Someone allowed at an address, naming there an object that belongs to another cohort or
# course: the object is looked up within the one the address names, so it is not found.
CROSSED = [
    ("facilitator_a", "cohorts:learner", "membership"),
    ("facilitator_a", "cohorts:remove_learner", "membership"),
    ("admin", "cohorts:learner", "membership"),
    ("admin", "cohorts:remove_learner", "membership"),
    ("owner_x", "authoring:remove_person", "role"),
    ("owner_x", "authoring:resolve_comment", "comment"),
    ("admin", "authoring:remove_person", "role"),
]


def test_another_cohorts_or_courses_object_under_ones_own_address_is_404(world: World) -> None:
    found = {address(route, name): (route, entry) for route, name, entry in patterns()}
    problems = []
    for persona, name, part in CROSSED:
        client = Client(raise_request_exception=False)
        client.force_login(world.users[persona])
        route, entry = found[name]
        url = url_for(route, name, entry, {**world.values, part: world.elsewhere[part]})
        for send in (client.get, client.post):
            with undone():
                before = fingerprint()
                response = send(url, {})
                changed = fingerprint() != before
            if response.status_code not in (404, 405) or changed:
                problems.append(f"{persona} {name} {url}: {response.status_code}")
    assert not problems, problems


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_persona_reaches_only_what_its_rules_allow(persona: str, world: World) -> None:
    client = Client(raise_request_exception=False)
    if persona != "visitor":
        client.force_login(world.users[persona])
    problems = walk(client, persona, world)
    assert not problems, f"{persona}:\n" + "\n".join(problems)
