"""A demo cohort with realistic activity, so that the dashboards show something on `make run`.

Twenty leaders from four departments take the sample course together. Some are ahead, most on
track, some behind, two have gone quiet, and two have not accepted their invitation yet. Their
answers go through the real graders, so the item analysis and the wrong answers are real too.
Never in production: ``load_demo`` refuses to run there.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, ModuleSchedule
from courses.models import Course, Lesson, LessonCompletion, Module
from exercises import grading
from exercises.content import CONFIDENCE_LEVELS
from exercises.models import Exercise, Kind, State, Submission
from exercises.selectors import CourseData, variant_for
from exercises.services import grade_submission
from progress.services import refresh_course_progress, refresh_exercise_progress

DEMO_COHORT = "Permanent secretaries, winter 2026"
DEMO_DOMAIN = "demo.example.gov.uk"
WEEKS_SINCE_START = 5


@dataclass(frozen=True)
class Leader:
    first_name: str
    last_name: str
    group: str
    modules_done: float  # how far through the course, in modules (0 to 7)
    skill: float  # chance of a right first answer
    last_active_days: int
    answers_private: bool = False

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@{DEMO_DOMAIN}".lower().replace("'", "")


TREASURY, HOME_OFFICE, HEALTH, CABINET = (
    "HM Treasury",
    "Home Office",
    "Department of Health and Social Care",
    "Cabinet Office",
)
LEADERS = (
    # Ahead: finished the course.
    Leader("Priya", "Shah", TREASURY, 7, 0.85, 2),
    Leader("Tom", "Okafor", HOME_OFFICE, 7, 0.75, 3),
    # On track: the four modules due so far, or a little more.
    Leader("Helen", "Marsh", TREASURY, 4.5, 0.7, 1),
    Leader("Daniel", "Reyes", TREASURY, 4, 0.6, 4),
    Leader("Aisha", "Bello", HOME_OFFICE, 4, 0.8, 2, answers_private=True),
    Leader("Gareth", "Lloyd", HEALTH, 4, 0.55, 5),
    Leader("Mei", "Chen", TREASURY, 5, 0.65, 1),
    Leader("Fiona", "Campbell", HOME_OFFICE, 4, 0.5, 6),
    Leader("Rob", "Hughes", TREASURY, 4.2, 0.6, 3),
    Leader("Sarah", "O'Neill", HEALTH, 4, 0.7, 2),
    Leader("James", "Whitfield", HOME_OFFICE, 4, 0.45, 4),
    Leader("Nadia", "Karim", TREASURY, 4, 0.75, 6),
    # Behind: still active, but short of what is due.
    Leader("Martin", "Doyle", HOME_OFFICE, 2, 0.5, 5),
    Leader("Claire", "Ashworth", HEALTH, 1.5, 0.6, 3),
    Leader("Ben", "Adeyemi", TREASURY, 2.5, 0.4, 8),
    Leader("Lucy", "Grant", CABINET, 3, 0.55, 2),
    # Inactive: started, then went quiet.
    Leader("Owen", "Price", HOME_OFFICE, 1, 0.5, 24),
    Leader("Rachel", "Stone", CABINET, 0.5, 0.6, 30),
)
NOT_JOINED = (
    (f"anil.mehta@{DEMO_DOMAIN}", HEALTH),
    (f"kate.morgan@{DEMO_DOMAIN}", CABINET),
)


def load_demo_cohort(*, course: Course, facilitator: User, learner: User) -> Cohort | None:
    """Create the demo cohort; returns None when it is already there (nothing changed).

    Its dates are relative to the day it was made (it started five weeks ago), so a demo
    cohort made on an earlier day is made again: otherwise, as days pass, every leader would
    drift behind."""
    start = timezone.localdate() - datetime.timedelta(weeks=WEEKS_SINCE_START)
    existing = Cohort.objects.filter(name=DEMO_COHORT, course=course).first()
    if existing is not None and existing.start_date == start:
        return None
    if existing is not None:
        existing.delete()
    rng = random.Random(2026)  # noqa: S311 (demo data, the same every time)
    with transaction.atomic():
        cohort = _cohort(course=course, facilitator=facilitator)
        Membership.objects.create(
            cohort=cohort,
            email=learner.email,
            learner=learner,
            group=TREASURY,
            joined_at=timezone.now() - datetime.timedelta(weeks=WEEKS_SINCE_START),
        )
        for email, group in NOT_JOINED:
            Membership.objects.create(
                cohort=cohort,
                email=email,
                group=group,
                invitation_sent_at=timezone.now() - datetime.timedelta(weeks=WEEKS_SINCE_START),
            )
        modules = list(course.modules.order_by("position").prefetch_related("lessons"))
        exercises = _exercises_by_lesson(course)
        data = CourseData(course.pk)
        for leader in LEADERS:
            user = _leader_account(leader)
            Membership.objects.create(
                cohort=cohort,
                email=user.email,
                learner=user,
                group=leader.group,
                joined_at=timezone.now() - datetime.timedelta(weeks=WEEKS_SINCE_START, days=-1),
            )
            _activity(user, leader, modules, exercises, data, rng)
        refresh_exercise_progress(course_id=course.pk)
        refresh_course_progress(course_id=course.pk)
    return cohort


def _cohort(*, course: Course, facilitator: User) -> Cohort:
    start = timezone.localdate() - datetime.timedelta(weeks=WEEKS_SINCE_START)
    cohort = Cohort.objects.create(name=DEMO_COHORT, course=course, start_date=start)
    cohort.facilitators.add(facilitator)
    for index, module in enumerate(course.modules.order_by("position")):
        # One module a week; each due a week after it opens.
        release = start + datetime.timedelta(weeks=index)
        ModuleSchedule.objects.create(
            cohort=cohort,
            module=module,
            release_date=release,
            due_date=release + datetime.timedelta(days=7),
        )
    return cohort


def _leader_account(leader: Leader) -> User:
    user, _ = User.objects.update_or_create(
        email=leader.email,
        defaults={
            "first_name": leader.first_name,
            "last_name": leader.last_name,
            "answers_private": leader.answers_private,
        },
    )
    user.set_unusable_password()  # demo people never sign in
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    # Start clean, so that a re-created cohort does not inherit old activity.
    LessonCompletion.objects.filter(learner=user).delete()
    Submission.objects.filter(learner=user).delete()
    return user


def _exercises_by_lesson(course: Course) -> dict[int, list[Exercise]]:
    found: dict[int, list[Exercise]] = {}
    for exercise in Exercise.objects.filter(course=course, lesson__isnull=False).order_by("slug"):
        assert exercise.lesson_id is not None
        found.setdefault(exercise.lesson_id, []).append(exercise)
    return found


def _activity(
    user: User,
    leader: Leader,
    modules: list[Module],
    exercises: dict[int, list[Exercise]],
    data: CourseData,
    rng: random.Random,
) -> None:
    """Read lessons and answer their exercises in order, as far as this leader has got, with
    the dates spread from the cohort's start to their last activity."""
    lessons: list[Lesson] = []
    for index, module in enumerate(modules):
        module_lessons = list(module.lessons.all())
        share = min(max(leader.modules_done - index, 0), 1)
        lessons += module_lessons[: round(len(module_lessons) * share)]
    if not lessons:
        return
    now = timezone.now()
    first = now - datetime.timedelta(weeks=WEEKS_SINCE_START, days=-1)
    last = now - datetime.timedelta(days=leader.last_active_days, hours=rng.randint(1, 8))
    step = (last - first) / max(len(lessons), 1)
    for position, lesson in enumerate(lessons):
        when = first + step * (position + 1)
        completion = LessonCompletion.objects.create(learner=user, lesson=lesson)
        LessonCompletion.objects.filter(pk=completion.pk).update(completed_at=when)
        for exercise in exercises.get(lesson.pk, []):
            _answer(user, leader, exercise, data, rng, when)


def _answer(
    user: User,
    leader: Leader,
    exercise: Exercise,
    data: CourseData,
    rng: random.Random,
    when: datetime.datetime,
) -> None:
    limit = exercise.max_attempts or 3
    for attempt in range(1, limit + 1):
        right = rng.random() < leader.skill + 0.15 * (attempt - 1)
        confidence = None
        if exercise.ask_confidence:
            # Most leaders are a little over-confident, as most people are.
            levels = CONFIDENCE_LEVELS[2:] if rng.random() < 0.6 else CONFIDENCE_LEVELS[:2]
            confidence = rng.choice(levels)
        variant = variant_for(learner_id=user.pk, exercise=exercise)
        submission = Submission.objects.create(
            exercise=exercise,
            learner=user,
            answer=demo_answer(exercise, right=right, variant=variant, data=data, rng=rng),
            confidence=confidence,
            attempt=attempt,
            variant=variant,
            state=State.AWAITING_TUTOR if exercise.kind == Kind.FREE_TEXT else State.PENDING,
            exercise_version=exercise.version,
        )
        at = when + datetime.timedelta(minutes=2 * attempt)
        if exercise.kind == Kind.FREE_TEXT:
            Submission.objects.filter(pk=submission.pk).update(submitted_at=at)
            return
        grade_submission(submission_id=submission.pk)
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=at, sent_at=at, started_at=at, graded_at=at
        )
        submission.refresh_from_db(fields=["correct"])
        if submission.correct or rng.random() < 0.4:  # some leaders move on after a miss
            return


def demo_answer(
    exercise: Exercise, *, right: bool, variant: str, data: CourseData, rng: random.Random
) -> dict[str, Any]:
    """A plausible answer to an exercise: the right one, or a typical wrong one."""
    spec = exercise.spec
    kind = exercise.kind
    options = spec.get("options") or []
    if options and kind in (Kind.SINGLE_CHOICE, Kind.CHART_READING):
        right_ones = [i for i, o in enumerate(options) if o["correct"]]
        wrong_ones = [i for i, o in enumerate(options) if not o["correct"]] or right_ones
        # Wrong answers cluster on the most tempting option, as real ones do.
        return {"choice": right_ones[0] if right else rng.choice(wrong_ones[:1] * 3 + wrong_ones)}
    if options:  # multiple choice, spot the flaw
        right_set = {i for i, o in enumerate(options) if o["correct"]}
        if right:
            return {"choices": sorted(right_set)}
        chosen = set(right_set)
        chosen.symmetric_difference_update({rng.randrange(len(options))})
        return {"choices": sorted(chosen or {0})}
    if kind == Kind.ORDERING:
        order = list(range(len(spec["items"])))
        if not right:
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        return {"order": order}
    if kind in (Kind.NUMERIC, Kind.CHART_READING):
        target = float(spec["answer"])
        return {"value": target if right else round(target * rng.choice([0.1, 0.5, 1.5, 10]), 2)}
    if kind == Kind.PARAMETRISED_NUMERIC:
        target = grading.variant_answer(spec, variant, data)
        return {"value": target if right else round(target * 1.5, 2)}
    if kind == Kind.ESTIMATE:
        truth = float(spec["answer"])
        width = abs(truth) * (0.3 if right else 0.1) or 1.0
        centre = truth if right else truth + abs(truth) * rng.choice([-0.6, 0.6]) + 1
        return {"low": round(centre - width, 2), "high": round(centre + width, 2)}
    if kind == Kind.SQL:
        return {"query": spec["reference"] if right else "SELECT 1"}
    return {
        "text": "One year on its own is not a trend: I would ask for the years either side "
        "and for the margin of error before drawing a conclusion."
    }
