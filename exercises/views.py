from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.context_processors import sees_authoring
from accounts.models import User
from authoring import access
from courses import selectors as course_selectors
from courses.responses import not_open_yet
from exercises import presenters, selectors, services
from exercises.forms import AnswerForm
from exercises.models import Submission
from masterclass import ratelimits


@login_required
@require_http_methods(["GET", "POST"])
def exercise(request: HttpRequest, course: str, exercise: str) -> HttpResponse:
    found_course = course_selectors.course_for(user=request.user, slug=course)
    found = selectors.exercise_for(course=found_course, slug=exercise)
    if found.lesson_id and (
        opens_on := course_selectors.lesson_opens_on(
            user=request.user, course=found_course, lesson_id=found.lesson_id
        )
    ):
        return not_open_yet(request, lesson=None, course=found_course, opens_on=opens_on)
    learner = cast(User, request.user)
    form = AnswerForm(request.POST or None, exercise=found, order_seed=learner.pk)
    limited = False
    if request.method == "POST" and form.is_valid():
        try:
            ratelimits.check(request, action="submit_answer")
            submission = services.submit_answer(
                learner=learner, exercise=found, answer=form.answer(), confidence=form.confidence
            )
        except ratelimits.RateLimited:
            limited = True
            form.add_error(None, ratelimits.TOO_MANY_ANSWERS)  # the answer stays in the form
        except services.AttemptsUsedUp:
            form.add_error(None, "You have used all your attempts at this exercise")
        except services.AlreadyCorrect:
            form.add_error(None, "You have already answered this exercise correctly")
        else:
            url = reverse("exercises:exercise", kwargs={"course": course, "exercise": exercise})
            return redirect(f"{url}#attempt-{submission.pk}")
    context = presenters.exercise_page(exercise=found, course=found_course, learner=learner)
    context["form"] = form
    # Learners (no authoring role, as remembered in the session) are spared the role queries.
    context["can_regrade"] = sees_authoring(request) and access.can_regrade(
        user=learner, course=found_course
    )
    status = 429 if limited else 400 if form.errors else 200
    return render(request, "exercises/exercise.html", context, status=status)


@login_required
@require_safe
def attempt_result(request: HttpRequest, course: str, exercise: str, attempt: int) -> JsonResponse:
    """For the page's script: the attempt's state and its result, ready to show."""
    found_course = course_selectors.course_for(user=request.user, slug=course)
    submission = get_object_or_404(
        Submission.objects.select_related("exercise__course"),
        pk=attempt,
        exercise__course=found_course,
        exercise__slug=exercise,
        learner=request.user.pk,  # a learner's answers are theirs alone
    )
    context = presenters.result_context(submission)
    return JsonResponse(
        {
            "state": submission.state,
            "final": context["final"],
            "html": presenters.render_result(submission),
        }
    )


@login_required
@require_POST
def regrade(request: HttpRequest, course: str, exercise: str) -> HttpResponse:
    found_course = course_selectors.course_for(user=request.user, slug=course)
    if not access.can_regrade(user=request.user, course=found_course):
        raise Http404
    found = selectors.exercise_for(course=found_course, slug=exercise)
    count = services.regrade(exercise=found)
    messages.success(request, f"{count} answers to “{found.title}” will be marked again.")
    return redirect("exercises:exercise", course=course, exercise=exercise)
