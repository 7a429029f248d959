"""Context for exercise pages: the question (cached per version) and the learner's attempts."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from courses import rendering
from courses.content import markdown as md
from courses.models import Course
from courses.selectors import Person
from exercises import grading, selectors
from exercises.models import Exercise, Kind, State, Submission
from masterclass import caching


def question_html(*, exercise: Exercise, course: Course, variant: str) -> str:
    """The prompt (Markdown, sanitised) and its chart, cached until either changes."""
    key = (
        f"exercise-q:{rendering.RENDER_VERSION}:{exercise.pk}:{exercise.version}:"
        f"{course.content_version}:{variant}"
    )
    html: str | None = caching.get(key)
    if html is None:
        resolver = rendering.CourseResolver(course)
        prompt = exercise.prompt.replace("{value}", variant) if variant else exercise.prompt
        html = md.render(prompt, resolver).html
        if exercise.chart is not None:
            html += resolver.chart_html(exercise.chart, dom_id=f"chart-{exercise.chart.slug}-q")
        caching.set(key, html, 60 * 60 * 24)
    return html


def explanation_html(*, exercise: Exercise, course: Course) -> str:
    return md.render(exercise.explanation, rendering.CourseResolver(course)).html


def right_answer(*, exercise: Exercise, variant: str) -> str:
    """The answer, in words, for when it is revealed."""
    spec = exercise.spec
    unit = f" {spec['unit']}" if spec.get("unit") else ""
    if "options" in spec:
        return "; ".join(o["text"] for o in spec["options"] if o["correct"])
    if exercise.kind == Kind.ORDERING:
        return " → ".join(spec["items"])
    if exercise.kind == Kind.PARAMETRISED_NUMERIC:
        value = grading.variant_answer(spec, variant, selectors.CourseData(exercise.course_id))
        return f"{value:,.10g}{unit}"
    if exercise.kind == Kind.SQL:
        return spec["reference"]
    if "answer" in spec:
        return f"{spec['answer']:,.10g}{unit}"
    return ""


def answer_text(submission: Submission) -> str:
    exercise, answer = submission.exercise, submission.answer
    spec = exercise.spec

    def option(index: int) -> str:
        options = spec.get("options") or []
        return options[index]["text"] if 0 <= index < len(options) else "(an option since removed)"

    if "choice" in answer:
        return option(answer["choice"])
    if "choices" in answer:
        return "; ".join(option(i) for i in answer["choices"])
    if "value" in answer:
        return f"{answer['value']:,.10g}"
    if "low" in answer:
        return f"from {answer['low']:,.10g} to {answer['high']:,.10g}"
    if "order" in answer:
        items = spec.get("items") or []
        return " → ".join(items[i] if 0 <= i < len(items) else "(removed)" for i in answer["order"])
    return str(answer.get("query") or answer.get("text") or "")


def result_context(submission: Submission) -> dict[str, Any]:
    return {
        "submission": submission,
        "answer_text": answer_text(submission),
        "final": submission.is_final or submission.state == State.AWAITING_TUTOR,
        "percent": round((submission.score or 0) * 100),
        "status_url": reverse(
            "exercises:attempt_result",
            kwargs={"course": submission.exercise.course.slug,
                    "exercise": submission.exercise.slug, "attempt": submission.pk},
        ),
    }  # fmt: skip


def render_result(submission: Submission) -> str:
    return render_to_string("exercises/_result.html", result_context(submission))


def exercise_page(*, exercise: Exercise, course: Course, learner: Person) -> dict[str, Any]:
    attempts = list(
        selectors.attempts_for(learner=learner, exercise=exercise).select_related(
            "exercise__course"
        )
    )
    used = sum(1 for a in attempts if a.counted and a.state != State.ERROR)
    solved = any(a.state == State.GRADED and a.correct for a in attempts)
    # A draft's exercise is an author trying it: as many tries as they like, even once right.
    trial = course.is_draft
    exhausted = not trial and bool(exercise.max_attempts) and used >= exercise.max_attempts
    waiting = [a for a in attempts if not a.is_final and a.state != State.AWAITING_TUTOR]
    finished = (solved or exhausted) and not waiting
    variant = selectors.variant_for(learner_id=learner.pk or 0, exercise=exercise)
    return {
        "course": course,
        "exercise": exercise,
        "question": question_html(exercise=exercise, course=course, variant=variant),
        "attempts": [result_context(a) for a in attempts],
        "attempts_used": used,
        "attempts_left": (exercise.max_attempts - used)
        if exercise.max_attempts and not trial else None,
        "solved": solved,
        "finished": finished,
        "can_answer": trial or (not solved and not exhausted),
        "trial": trial,
        "explanation": explanation_html(exercise=exercise, course=course) if finished else "",
        "answer": right_answer(exercise=exercise, variant=variant)
        if finished and exercise.reveal_answer and exercise.kind != Kind.FREE_TEXT else "",
        "has_charts": bool(exercise.chart_id),
    }  # fmt: skip
