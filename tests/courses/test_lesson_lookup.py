"""The lesson page's lookup is hand-written SQL (masterclass.sql): it must give the same lesson,
module and course as the ORM, field for field, on either database."""

import pytest
from django.db.models import Model
from django.http import Http404

from courses import selectors
from courses.models import Course, Lesson, Module

pytestmark = pytest.mark.django_db


def _loaded(instance: Model) -> dict[str, object]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname in instance.__dict__
    }


def test_the_lesson_module_and_course_match_the_orm(
    mini_course, learner, django_assert_num_queries
) -> None:
    for expected in Lesson.objects.select_related("module__course"):
        with django_assert_num_queries(1):
            found = selectors.lesson_for(
                user=learner,
                course=expected.module.course.slug,
                module=expected.module.slug,
                lesson=expected.slug,
            )
        assert found.get_deferred_fields() == {"body"}
        assert found.module.get_deferred_fields() == {"summary"}
        assert found.module.course.get_deferred_fields() == {
            "introduction",
            "summary",
            "audience",
            "outcomes",
        }
        assert found == expected and found.module == expected.module
        assert found.module.course == expected.module.course
        for mine, theirs in (
            (found, expected),
            (found.module, expected.module),
            (found.module.course, expected.module.course),
        ):
            loaded = _loaded(mine)
            assert loaded == {name: getattr(theirs, name) for name in loaded}
        assert "body" not in found.__dict__  # left out, and loaded when asked for
        assert found.body == expected.body
        assert found._state.adding is False and found._state.db == "default"


def test_timestamps_are_aware_and_json_is_decoded(mini_course, learner) -> None:
    lesson = Lesson.objects.select_related("module__course").first()
    assert lesson is not None
    found = selectors.lesson_for(
        user=learner,
        course=lesson.module.course.slug,
        module=lesson.module.slug,
        lesson=lesson.slug,
    )
    assert found.updated_at.tzinfo is not None
    assert found.module.course.updated_at.tzinfo is not None
    assert isinstance(found.objectives, list)
    assert isinstance(found.module.course.published, bool)


@pytest.mark.parametrize(
    "slugs",
    [("no-such-course", "x", "y"), ("mini-course", "no-such-module", "y"), ("mini-course", "", "")],
)
def test_an_unknown_lesson_is_404(mini_course, learner, slugs) -> None:
    course, module, lesson = slugs
    with pytest.raises(Http404):
        selectors.lesson_for(user=learner, course=course, module=module, lesson=lesson)


def test_an_unpublished_course_is_404_to_learners_only(draft_course, learner, author) -> None:
    lesson = Lesson.objects.filter(module__course=draft_course).select_related("module").first()
    assert lesson is not None
    slugs = {"course": draft_course.slug, "module": lesson.module.slug, "lesson": lesson.slug}
    with pytest.raises(Http404):
        selectors.lesson_for(user=learner, **slugs)
    assert selectors.lesson_for(user=author, **slugs) == lesson


def test_models_and_modules_are_the_real_classes(mini_course, learner) -> None:
    lesson = Lesson.objects.select_related("module__course").first()
    assert lesson is not None
    found = selectors.lesson_for(
        user=learner, course=lesson.module.course.slug, module=lesson.module.slug,
        lesson=lesson.slug,
    )  # fmt: skip
    assert type(found) is Lesson and type(found.module) is Module
    assert type(found.module.course) is Course


def test_leaving_out_a_field_that_does_not_exist_is_an_error() -> None:
    from masterclass import sql

    with pytest.raises(ValueError, match="bodyy"):
        sql.Selection.of(Lesson, "l", leave_out={"bodyy"})


def test_the_lesson_says_whether_this_user_has_read_it(mini_course, learner, other_learner) -> None:
    from courses.models import LessonCompletion

    lesson = Lesson.objects.select_related("module__course").first()
    assert lesson is not None
    LessonCompletion.objects.create(learner=learner, lesson=lesson)
    slugs = {
        "course": lesson.module.course.slug,
        "module": lesson.module.slug,
        "lesson": lesson.slug,
    }
    assert selectors.lesson_for(user=learner, **slugs).is_read is True
    assert selectors.lesson_for(user=other_learner, **slugs).is_read is False
