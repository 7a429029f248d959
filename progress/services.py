"""Keeping each learner's progress up to date.

The figures are recounted from the records that are the truth (lesson completions and
submissions), in one SQL statement each, whenever a learner reads a lesson or an answer is
submitted or marked. Recounting rather than adding one makes a repeated call harmless and
heals any drift, for instance after a course's content changed (docs/adr/0010).
"""

from __future__ import annotations

from accounts.models import User
from courses.models import Course, Lesson, LessonCompletion, Module
from exercises.models import Exercise, State, Submission
from masterclass import sql
from progress.models import Certificate, CourseProgress, ExerciseProgress


def _tables() -> dict[str, str]:
    return sql.tables(
        ep=ExerciseProgress,
        cp=CourseProgress,
        sub=Submission,
        ex=Exercise,
        lc=LessonCompletion,
        lesson=Lesson,
        module=Module,
    )


def refresh_exercise_progress(
    *, learner_id: int | None = None, exercise_id: int | None = None, course_id: int | None = None
) -> None:
    """Recount learners' attempts at exercises: attempts (those that count against the limit,
    and any that was marked right, even one that did not count because marking failed at
    first), best marked score, and whether any marked attempt was right. Usually for one
    learner and one exercise; with neither, for a whole course (``refresh_progress``)."""
    where = " AND ".join(
        condition
        for condition, value in (
            ("s.learner_id = %(learner)s", learner_id),
            ("s.exercise_id = %(exercise)s", exercise_id),
            ("e.course_id = %(course)s", course_id),
        )
        if value is not None
    )
    statement = """
        INSERT INTO {ep} (learner_id, exercise_id, course_id, attempts, best_score, correct,
                          first_answered_at, last_answered_at)
        SELECT s.learner_id, s.exercise_id, e.course_id,
               SUM(CASE WHEN s.state <> %(error)s
                         AND (s.counted OR (s.state = %(graded)s AND s.correct))
                        THEN 1 ELSE 0 END),
               MAX(CASE WHEN s.state = %(graded)s THEN s.score END),
               MAX(CASE WHEN s.state = %(graded)s AND s.correct THEN 1 ELSE 0 END) = 1,
               MIN(s.submitted_at), MAX(s.submitted_at)
        FROM {sub} s JOIN {ex} e ON e.id = s.exercise_id
        WHERE {where}
        GROUP BY s.learner_id, s.exercise_id, e.course_id
        ON CONFLICT (learner_id, exercise_id) DO UPDATE SET
            attempts = excluded.attempts, best_score = excluded.best_score,
            correct = excluded.correct, first_answered_at = excluded.first_answered_at,
            last_answered_at = excluded.last_answered_at
    """.format(**_tables(), where=where or "1 = 1")  # noqa: S608 (table names and fixed text)
    params = {
        "learner": learner_id,
        "exercise": exercise_id,
        "course": course_id,
        "error": State.ERROR,
        "graded": State.GRADED,
    }
    sql.execute(statement, params)


COURSE_SQL = """
        INSERT INTO {cp} (learner_id, course_id, lessons_read, exercises_answered,
                          exercises_correct, lessons_total, exercises_total, started_at,
                          last_active_at, completed_at)
        SELECT a.learner_id, %(course)s, SUM(a.lessons), SUM(a.answered), SUM(a.correct),
               t.lessons_total, t.exercises_total, MIN(a.first_at), MAX(a.last_at),
               CASE WHEN SUM(a.lessons) >= t.lessons_total
                     AND SUM(a.answered) >= t.exercises_total
                     AND t.lessons_total + t.exercises_total > 0
                    THEN MAX(a.last_at) END
        FROM (
            SELECT lc.learner_id, 1 AS lessons, 0 AS answered, 0 AS correct,
                   lc.completed_at AS first_at, lc.completed_at AS last_at
            FROM {lc} lc JOIN {lesson} l ON l.id = lc.lesson_id
                 JOIN {module} m ON m.id = l.module_id
            WHERE m.course_id = %(course)s {only_lc}
            UNION ALL
            SELECT ep.learner_id, 0, 1, CASE WHEN ep.correct THEN 1 ELSE 0 END,
                   ep.first_answered_at, ep.last_answered_at
            FROM {ep} ep
            WHERE ep.course_id = %(course)s AND ep.attempts > 0 {only_ep}
        ) a CROSS JOIN (
            SELECT (SELECT COUNT(*) FROM {lesson} l JOIN {module} m ON m.id = l.module_id
                    WHERE m.course_id = %(course)s) AS lessons_total,
                   (SELECT COUNT(*) FROM {ex} e WHERE e.course_id = %(course)s)
                    AS exercises_total
        ) t
        GROUP BY a.learner_id, t.lessons_total, t.exercises_total
        ON CONFLICT (learner_id, course_id) DO UPDATE SET
            lessons_read = excluded.lessons_read,
            exercises_answered = excluded.exercises_answered,
            exercises_correct = excluded.exercises_correct,
            lessons_total = excluded.lessons_total,
            exercises_total = excluded.exercises_total,
            started_at = excluded.started_at,
            last_active_at = excluded.last_active_at,
            completed_at = COALESCE({cp}.completed_at, excluded.completed_at)
"""


def refresh_course_progress(*, course_id: int, learner_id: int | None = None) -> None:
    """Recount a learner's totals on a course (or every learner's, after its content changed).

    A course is complete when every lesson is read and every exercise answered; it stays
    complete (its certificate stands) even if lessons are added later.
    """
    only_learner = "AND {alias}.learner_id = %(learner)s" if learner_id is not None else ""
    statement = COURSE_SQL.format(  # noqa: S608 (table names and fixed text; values are parameters)
        **_tables(),
        only_lc=only_learner.format(alias="lc"),
        only_ep=only_learner.format(alias="ep"),
    )
    counted = sql.execute(statement, {"course": course_id, "learner": learner_id})
    if learner_id is not None and counted:
        return
    # Learners with nothing left to count (their only answer failed to be marked, or what they
    # did was removed from the course) have no figures on it any more.
    active = LessonCompletion.objects.filter(lesson__module__course=course_id).values("learner")
    answered = ExerciseProgress.objects.filter(course=course_id, attempts__gt=0).values("learner")
    stale = CourseProgress.objects.filter(course=course_id)
    if learner_id is not None:
        stale = stale.filter(learner=learner_id)
    stale.exclude(learner__in=active).exclude(learner__in=answered).delete()


LOCK_LEARNER_SQL = "SELECT u.id FROM {user} u WHERE u.id = %(learner)s {lock}"


def lock_learner(learner_id: int) -> None:
    """Recounts of one learner's progress take turns. Without this, two transactions (two
    gradings on two workers, or reading a lesson while an answer is marked) could each count
    without seeing the other's uncommitted change, and the last to write would leave a figure
    one short. The lock is the learner's row, which submitting an answer also locks. It is a
    "no key" lock: rows that merely refer to the learner can still be added meanwhile."""
    sql.fetch_all(
        LOCK_LEARNER_SQL.format(**sql.tables(user=User), lock=sql.for_update("u", no_key=True)),
        {"learner": learner_id},
    )


def record_answer(
    *, learner_id: int, exercise_id: int, course_id: int, learner_locked: bool = False
) -> None:
    """An answer was submitted or marked: recount the exercise, then the course. Call inside
    the transaction that changed the answer; ``learner_locked`` when that transaction already
    holds the learner's row (``SELECT … FOR UPDATE``)."""
    if not learner_locked:
        lock_learner(learner_id)
    refresh_exercise_progress(learner_id=learner_id, exercise_id=exercise_id)
    refresh_course_progress(course_id=course_id, learner_id=learner_id)


def record_reading(*, learner_id: int, course_id: int) -> None:
    """A lesson was marked read: recount the course. Call inside that transaction."""
    lock_learner(learner_id)
    refresh_course_progress(course_id=course_id, learner_id=learner_id)


class NameNeeded(Exception):
    """A certificate needs a name to print, and none was given nor is on the account."""


def issue_certificate(
    *, learner: User, course: Course, name: str | None = None
) -> Certificate | None:
    """The learner's certificate for a course they have completed; None if it is not complete.
    Issued once: later calls return the same certificate, whatever name they pass.

    It prints ``name``, else the account's full name, and never the email address (anyone
    with the link sees the certificate): raises NameNeeded if a new one would have no name."""
    if course.is_draft:  # an author's preview earns nothing
        return None
    progress = CourseProgress.objects.filter(learner=learner, course=course).first()
    if progress is None or progress.completed_at is None:
        return None
    printed = " ".join((name or "").split()) or learner.get_full_name().strip()
    if not printed:
        certificate = Certificate.objects.filter(learner=learner, course=course).first()
        if certificate is None:
            raise NameNeeded(learner.pk)
        return certificate
    certificate, _ = Certificate.objects.get_or_create(
        learner=learner,
        course=course,
        defaults={
            "learner_name": printed,
            "course_title": course.title,
            "completed_at": progress.completed_at,
        },
    )
    return certificate
