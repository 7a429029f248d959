"""Check and publish: the draft's changes in words, its problems with links to fix them, and
publishing (authoring.views.versions.publish, authoring.presenters)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from authoring import presenters, services
from authoring.models import Version, Workspace
from cohorts.models import Cohort, ModuleSchedule
from courses.content.problems import Problem
from courses.models import Course, Lesson, LessonCompletion, Module
from exercises.models import Exercise, Submission
from tests.authoring.conftest import client_for
from tests.authoring.test_zips import mini_files
from tests.cohorts.factories import CohortFactory

pytestmark = pytest.mark.django_db


def url(workspace: Workspace) -> str:
    return reverse("authoring:publish", kwargs={"course": workspace.slug})


def seen(workspace: Workspace) -> str:
    """The draft's stamp as the publish page carries it."""
    return str(Course.all_objects.get(pk=workspace.draft_id).content_version)


def post_publish(client: Client, workspace: Workspace, *, follow: bool = False, **data: Any) -> Any:
    """Publish as the page's form does: with the stamp of the draft as it is now."""
    return client.post(url(workspace), {"seen": seen(workspace), **data}, follow=follow)


def edit_url(name: str, **kwargs: str) -> str:
    return reverse(f"authoring:{name}", kwargs={"course": "mini-course", **kwargs})


def retitle_first_lesson(workspace: Workspace, title: str = "A better welcome") -> None:
    lesson = workspace.draft.modules.get(slug="first-steps").lessons.get(slug="welcome")
    lesson.title = title
    lesson.save()


def break_the_folder(workspace: Workspace) -> None:
    """Problems the folder check finds (file and line): an empty lesson, a dataset without
    its licence, a glossary term without a definition."""
    draft = workspace.draft
    lesson = draft.modules.get(slug="first-steps").lessons.get(slug="data")
    lesson.body = "   "
    lesson.save()
    draft.datasets.filter(slug="nile-sample").update(licence="")
    draft.glossary_terms.filter(slug="median").update(definition="")


def break_a_chart_and_a_module(workspace: Workspace) -> None:
    draft = workspace.draft
    draft.charts.filter(slug="nile-bars").update(summary="")
    Module.objects.create(course=draft, slug="empty", title="Nothing yet", position=3)


class TestCheckPage:
    def test_lists_the_changes_in_words_and_offers_to_publish(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        retitle_first_lesson(workspace)
        response = editor_client.get(url(workspace))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Lesson ‘A better welcome’ changed" in page
        assert "the draft has 1 change:" in page
        assert "The draft passes every check" in page
        assert "Publish version 2" in page
        assert (
            f"{reverse('authoring:version', kwargs={'course': 'mini-course', 'number': 1})}?with=draft"
            in page
        )

    def test_says_when_there_is_nothing_to_publish(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        response = editor_client.get(url(workspace))
        assert response.status_code == 200
        assert "There is nothing to publish" in response.content.decode()
        assert "Publish version" not in response.content.decode()

    def test_lists_folder_problems_with_lines_and_links_to_fix_them(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        break_the_folder(workspace)
        response = editor_client.get(url(workspace))
        assert response.status_code == 200
        page = response.content.decode()
        assert "5 problems must be fixed before the course can be published" in page
        assert "Publish version" not in page
        rows = {
            "the lesson has no text": edit_url("lesson_edit", module="first-steps", lesson="data"),
            "licence is required": edit_url("dataset_edit", dataset="nile-sample"),
            "each entry needs a term and a definition": edit_url("glossary"),
        }
        for message, link in rows.items():
            assert message in page
            assert f'href="{link}"' in page
        assert "modules/01-first-steps/02-data.md" in page
        assert "the problem in datasets/nile-sample.yaml, line 5" in page

    def test_lists_exercise_problems_with_a_link_to_fix_them(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        exercise = Exercise.objects.get(course=workspace.draft, slug="flaws")
        exercise.source = {**exercise.source, "explanation": ""}
        exercise.explanation = ""
        exercise.save()
        page = editor_client.get(url(workspace)).content.decode()
        assert "1 problem must be fixed" in page
        assert "explanation" in page
        assert f'href="{edit_url("exercise_edit", exercise="flaws")}"' in page

    def test_lists_problems_only_the_editorial_checks_find(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        lesson = workspace.draft.modules.get(slug="next-steps").lessons.get(slug="questions")
        lesson.body += "\n![A chart](chart.png)\n"
        lesson.save()
        page = editor_client.get(url(workspace)).content.decode()
        assert "1 problem must be fixed" in page
        assert "has an image: images are not shown to learners" in page
        link = edit_url("lesson_edit", module="next-steps", lesson="questions")
        assert f'href="{link}"' in page

    def test_lists_chart_and_module_problems_with_links_to_fix_them(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        break_a_chart_and_a_module(workspace)
        page = editor_client.get(url(workspace)).content.decode()
        rows = {
            "summary is required": edit_url("chart_edit", chart="nile-bars"),
            "has no lessons": edit_url("module_edit", module="empty"),
        }
        for message, link in rows.items():
            assert message in page
            assert f'href="{link}"' in page
        assert "Publish version" not in page

    def test_reviewers_see_problems_without_links_to_edit(
        self, workspace: Workspace, reviewer_client: Client
    ) -> None:
        break_a_chart_and_a_module(workspace)
        page = reviewer_client.get(url(workspace)).content.decode()
        assert "summary is required" in page
        assert edit_url("chart_edit", chart="nile-bars") not in page

    def test_a_new_course_without_modules_links_to_its_overview(
        self, new_workspace: Workspace, author_client: Client
    ) -> None:
        response = author_client.get(url(new_workspace))
        page = response.content.decode()
        assert "Nothing has been published yet" in page
        assert "a course needs at least one module" in page
        assert f'href="{reverse("authoring:overview", kwargs={"course": "new-course"})}"' in page

    def test_reviewers_see_the_checks_but_cannot_publish(
        self, workspace: Workspace, reviewer_client: Client
    ) -> None:
        retitle_first_lesson(workspace)
        response = reviewer_client.get(url(workspace))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Lesson ‘A better welcome’ changed" in page
        assert "Publish version" not in page
        assert "editors and owners publish it" in page

    def test_outsiders_get_404(self, workspace: Workspace, outsider_client: Client) -> None:
        assert outsider_client.get(url(workspace)).status_code == 404
        assert outsider_client.post(url(workspace)).status_code == 404


class TestPublishing:
    def test_publishes_a_version_that_learners_see(
        self, workspace: Workspace, editor_client: Client, editor: Any, learner: Any
    ) -> None:
        retitle_first_lesson(workspace, "Welcome, published")
        response = post_publish(editor_client, workspace, note="A warmer welcome")
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "authoring:history", kwargs={"course": "mini-course"}
        )
        version = Version.objects.get(workspace=workspace, number=2)
        assert (version.note, version.published_by) == ("A warmer welcome", editor)
        event = AuditEvent.objects.get(action="authoring.publish")
        assert event.details == {"version": 2, "note": "A warmer welcome"}
        history = editor_client.get(response["Location"]).content.decode()
        assert "Version 2 is published: learners now see it." in history
        lesson_url = reverse(
            "courses:lesson",
            kwargs={"course": "mini-course", "module": "first-steps", "lesson": "welcome"},
        )
        assert "Welcome, published" in client_for(learner).get(lesson_url).content.decode()

    def test_publishing_without_a_note(self, workspace: Workspace, editor_client: Client) -> None:
        retitle_first_lesson(workspace)
        assert post_publish(editor_client, workspace).status_code == 302
        assert Version.objects.get(workspace=workspace, number=2).note == ""

    def test_refuses_a_note_that_is_too_long(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        retitle_first_lesson(workspace)
        response = post_publish(editor_client, workspace, note="x" * 301)
        assert response.status_code == 400
        assert "govuk-error-summary" in response.content.decode()
        assert Version.objects.filter(workspace=workspace).count() == 1

    def test_refuses_a_draft_with_problems_and_changes_nothing(
        self, workspace: Workspace, editor_client: Client, learner: Any
    ) -> None:
        retitle_first_lesson(workspace, "Should not go live")
        break_a_chart_and_a_module(workspace)
        response = post_publish(editor_client, workspace, note="Try")
        assert response.status_code == 400
        page = response.content.decode()
        assert "The draft was not published: it has 2 problems to fix first" in page
        assert "summary is required" in page
        assert Version.objects.filter(workspace=workspace).count() == 1
        assert "Should not go live" not in str(
            list(Course.objects.get(slug="mini-course").modules.values_list("lessons__title"))
        )
        assert not AuditEvent.objects.filter(action="authoring.publish").exists()

    def test_says_when_there_was_nothing_to_publish(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        response = post_publish(editor_client, workspace, follow=True)
        assert "There was nothing to publish" in response.content.decode()
        assert Version.objects.filter(workspace=workspace).count() == 1

    def test_a_new_course_goes_live_on_its_first_publish(
        self, author: Any, author_client: Client, learner: Any
    ) -> None:
        files = mini_files()
        fresh = services.import_new_course(actor=author, slug="fresh", files=files)
        assert fresh.live is None
        response = post_publish(author_client, fresh, note="First")
        assert response.status_code == 302
        fresh.refresh_from_db()
        assert fresh.live is not None and fresh.live.slug == "fresh"
        course_page = client_for(learner).get(reverse("courses:course", kwargs={"course": "fresh"}))
        assert course_page.status_code == 200
        assert "Mini course" in course_page.content.decode()

    def test_reviewers_cannot_publish(self, workspace: Workspace, reviewer_client: Client) -> None:
        retitle_first_lesson(workspace)
        assert reviewer_client.post(url(workspace), {"note": "x"}).status_code == 403
        assert Version.objects.filter(workspace=workspace).count() == 1


class TestFixUrl:
    @pytest.mark.parametrize(
        ("path", "name", "kwargs"),
        [
            ("course.md", "details", {}),
            ("glossary.yaml", "glossary", {}),
            ("modules/01-first-steps/module.yaml", "module_edit", {"module": "first-steps"}),
            ("modules/01-first-steps", "module_edit", {"module": "first-steps"}),
            ("modules/01-first-steps/02-data.md", "lesson_edit",
             {"module": "first-steps", "lesson": "data"}),
            ("datasets/nile-sample.csv", "dataset_edit", {"dataset": "nile-sample"}),
            ("datasets/nile-sample.yaml", "dataset_edit", {"dataset": "nile-sample"}),
            ("charts/nile-line.yaml", "chart_edit", {"chart": "nile-line"}),
            ("exercises/flaws.yaml", "exercise_edit", {"exercise": "flaws"}),
            # Not (or no longer) in the draft: the list it would be in.
            ("modules/01-first-steps/09-gone.md", "module_edit", {"module": "first-steps"}),
            ("modules/07-gone/01-x.md", "overview", {}),
            ("datasets/gone.csv", "datasets", {}),
            ("charts/gone.yaml", "charts", {}),
            ("exercises/gone.yaml", "exercises", {}),
            ("mini-course", "overview", {}),
        ],
    )  # fmt: skip
    def test_links_each_file_to_where_it_is_edited(
        self, workspace: Workspace, path: str, name: str, kwargs: dict[str, str]
    ) -> None:
        assert presenters.fix_url(workspace, path) == edit_url(name, **kwargs)

    def test_many_problems_cost_a_few_queries(self, workspace: Workspace) -> None:
        problems = [
            Problem(
                f"modules/01-first-steps/0{n % 2 + 1}-{'welcome' if n % 2 == 0 else 'data'}.md",
                n,
                "x",
            )
            for n in range(40)
        ] + [Problem("charts/nile-line.yaml", None, "x")] * 20
        with CaptureQueriesContext(connection) as queries:
            rows = presenters.problem_rows(workspace, problems)
        assert len(rows) == 60
        assert len(queries) == 2  # the lessons, the charts


# --- Learners' records that publishing would delete ----------------------------------------


def live_of(workspace: Workspace) -> Course:
    assert workspace.live is not None
    return workspace.live


def read_a_lesson_in_next_steps(workspace: Workspace, learner: Any) -> LessonCompletion:
    lesson = Lesson.objects.get(module__course=live_of(workspace), slug="questions")
    return LessonCompletion.objects.create(learner=learner, lesson=lesson)


def schedule_next_steps(workspace: Workspace) -> ModuleSchedule:
    module = live_of(workspace).modules.get(slug="next-steps")
    cohort: Cohort = CohortFactory(course=live_of(workspace))  # type: ignore[assignment]
    return ModuleSchedule.objects.create(cohort=cohort, module=module)


def rename_next_steps(workspace: Workspace) -> None:
    module = workspace.draft.modules.get(slug="next-steps")
    module.slug = "later-steps"
    module.save()


def answer_total_flow(workspace: Workspace, learner: Any, times: int = 1) -> Exercise:
    exercise = Exercise.objects.get(course=live_of(workspace), slug="total-flow")
    for attempt in range(1, times + 1):
        Submission.objects.create(
            exercise=exercise,
            learner=learner,
            answer={"value": attempt},
            attempt=attempt,
            exercise_version=exercise.version,
        )
    return exercise


def delete_total_flow(workspace: Workspace) -> None:
    Exercise.objects.filter(course=workspace.draft, slug="total-flow").delete()


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


class TestPublishImpact:
    def test_nothing_is_lost_when_only_words_change(self, workspace: Workspace) -> None:
        retitle_first_lesson(workspace)
        assert services.publish_impact(workspace=workspace) == []

    def test_nothing_is_lost_before_the_first_publish(self, new_workspace: Workspace) -> None:
        assert services.publish_impact(workspace=new_workspace) == []

    def test_a_renamed_module_loses_its_reads_and_cohort_dates(
        self, workspace: Workspace, learner: Any, editor: Any
    ) -> None:
        read_a_lesson_in_next_steps(workspace, learner)
        read_a_lesson_in_next_steps(workspace, editor)
        schedule_next_steps(workspace)
        rename_next_steps(workspace)
        [loss] = services.publish_impact(workspace=workspace)
        assert loss == services.Loss(
            kind="module",
            slug="next-steps",
            title="Next steps",
            reads=2,
            learners=2,
            dates=1,
            renamed_to="later-steps",
        )
        assert loss.records == 3

    def test_a_lesson_removed_from_a_kept_module(self, workspace: Workspace, learner: Any) -> None:
        read_a_lesson_in_next_steps(workspace, learner)
        workspace.draft.modules.get(slug="next-steps").lessons.filter(slug="questions").update(
            slug="more-questions"
        )
        [loss] = services.publish_impact(workspace=workspace)
        assert (loss.kind, loss.slug, loss.module, loss.reads, loss.dates) == (
            "lesson",
            "questions",
            "Next steps",
            1,
            0,
        )
        assert loss.renamed_to == "more-questions"

    def test_a_deleted_exercise_loses_its_answers(
        self, workspace: Workspace, learner: Any, editor: Any
    ) -> None:
        answer_total_flow(workspace, learner, times=2)
        answer_total_flow(workspace, editor)
        delete_total_flow(workspace)
        [loss] = services.publish_impact(workspace=workspace)
        assert (loss.kind, loss.slug, loss.answers, loss.learners, loss.renamed_to) == (
            "exercise",
            "total-flow",
            3,
            2,
            "",
        )

    def test_a_removed_item_without_records_is_listed_but_loses_nothing(
        self, workspace: Workspace
    ) -> None:
        delete_total_flow(workspace)
        [loss] = services.publish_impact(workspace=workspace)
        assert loss.slug == "total-flow" and loss.records == 0


class TestPublishRefusesToDeleteRecordsUnasked:
    def test_a_renamed_module_with_a_read_needs_accepting(
        self, workspace: Workspace, learner: Any, author: Any
    ) -> None:
        completion = read_a_lesson_in_next_steps(workspace, learner)
        rename_next_steps(workspace)
        with pytest.raises(services.LossesNotAccepted) as refused:
            services.publish(workspace=workspace, actor=author)
        assert [loss.slug for loss in refused.value.losses] == ["next-steps"]
        assert Version.objects.filter(workspace=workspace).count() == 1
        assert LessonCompletion.objects.filter(pk=completion.pk).exists()
        assert live_of(workspace).modules.filter(slug="next-steps").exists()

        version = services.publish(workspace=workspace, actor=author, accept_losses=True)
        assert version.number == 2
        assert not LessonCompletion.objects.filter(pk=completion.pk).exists()
        assert set(live_of(workspace).modules.values_list("slug", flat=True)) == {
            "first-steps",
            "later-steps",
        }
        event = AuditEvent.objects.get(action="authoring.publish")
        assert event.details["removed"] == [
            {"kind": "module", "slug": "next-steps", "reads": 1, "answers": 0, "dates": 0}
        ]

    def test_a_deleted_exercise_with_answers_needs_accepting(
        self, workspace: Workspace, learner: Any, author: Any
    ) -> None:
        exercise = answer_total_flow(workspace, learner, times=2)
        delete_total_flow(workspace)
        with pytest.raises(services.LossesNotAccepted):
            services.publish(workspace=workspace, actor=author)
        assert Submission.objects.filter(exercise=exercise).count() == 2
        assert Exercise.objects.filter(pk=exercise.pk).exists()

        services.publish(workspace=workspace, actor=author, accept_losses=True)
        assert not Exercise.objects.filter(pk=exercise.pk).exists()
        assert not Submission.objects.filter(learner=learner).exists()

    def test_cohort_dates_alone_need_accepting(self, workspace: Workspace, author: Any) -> None:
        schedule = schedule_next_steps(workspace)
        rename_next_steps(workspace)
        with pytest.raises(services.LossesNotAccepted):
            services.publish(workspace=workspace, actor=author)
        assert ModuleSchedule.objects.filter(pk=schedule.pk).exists()

    def test_removing_what_no_learner_used_needs_nothing(
        self, workspace: Workspace, author: Any
    ) -> None:
        rename_next_steps(workspace)
        delete_total_flow(workspace)
        assert services.publish(workspace=workspace, actor=author).number == 2

    def test_refuses_a_draft_changed_since_it_was_seen(
        self, workspace: Workspace, author: Any
    ) -> None:
        seen_version = int(seen(workspace))
        retitle_first_lesson(workspace)
        with pytest.raises(services.DraftChanged):
            services.publish(workspace=workspace, actor=author, draft_version=seen_version)
        assert Version.objects.filter(workspace=workspace).count() == 1
        version = services.publish(
            workspace=workspace, actor=author, draft_version=int(seen(workspace))
        )
        assert version.number == 2


class TestPublishPageAndLosses:
    def test_says_in_words_what_learners_lose(
        self, workspace: Workspace, editor_client: Client, learner: Any
    ) -> None:
        read_a_lesson_in_next_steps(workspace, learner)
        schedule_next_steps(workspace)
        rename_next_steps(workspace)
        response = editor_client.get(url(workspace))
        assert response.status_code == 200
        page = page_text(response)
        assert (
            "Module ‘Next steps’ is removed: 1 cohort's dates for it and 1 record of learners "
            "having read its lessons are deleted." in page
        )
        assert "The draft has one with the same title called ‘later-steps’" in page
        assert "renamed items count as new: learners start them afresh" in page
        assert "I understand that these learners' records will be deleted" in page

    def test_no_checkbox_when_no_records_are_lost(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        delete_total_flow(workspace)
        page = page_text(editor_client.get(url(workspace)))
        assert "is removed: no learner has a record of it yet." in page
        assert "I understand that these learners' records will be deleted" not in page

    def test_refuses_without_the_tick_then_publishes_with_it(
        self, workspace: Workspace, editor_client: Client, learner: Any
    ) -> None:
        completion = read_a_lesson_in_next_steps(workspace, learner)
        rename_next_steps(workspace)
        response = post_publish(editor_client, workspace, note="Renamed")
        assert response.status_code == 400
        page = page_text(response)
        assert "govuk-error-summary" in page
        assert "Tick the box to confirm that you understand" in page
        assert 'href="#id_accept_losses"' in page
        assert Version.objects.filter(workspace=workspace).count() == 1
        assert LessonCompletion.objects.filter(pk=completion.pk).exists()

        response = post_publish(editor_client, workspace, note="Renamed", accept_losses="on")
        assert response.status_code == 302
        assert Version.objects.filter(workspace=workspace).count() == 2
        assert not LessonCompletion.objects.filter(pk=completion.pk).exists()

    def test_a_deleted_exercise_with_answers_is_refused_without_the_tick(
        self, workspace: Workspace, editor_client: Client, learner: Any
    ) -> None:
        exercise = answer_total_flow(workspace, learner, times=2)
        delete_total_flow(workspace)
        page = page_text(editor_client.get(url(workspace)))
        assert (
            f"Exercise ‘{exercise.title}’ is removed: 2 answers from 1 learner are deleted." in page
        )
        assert post_publish(editor_client, workspace).status_code == 400
        assert Submission.objects.filter(exercise=exercise).count() == 2
        assert post_publish(editor_client, workspace, accept_losses="on").status_code == 302
        assert not Submission.objects.filter(learner=learner).exists()


class TestPublishOnlyWhatWasSeen:
    def test_the_form_carries_the_drafts_stamp(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        retitle_first_lesson(workspace)
        page = editor_client.get(url(workspace)).content.decode()
        assert f'name="seen" value="{seen(workspace)}"' in page

    def test_refuses_when_the_draft_changed_since_the_page_was_opened(
        self, workspace: Workspace, editor_client: Client, learner: Any
    ) -> None:
        retitle_first_lesson(workspace, "Seen by the publisher")
        stamp = seen(workspace)
        retitle_first_lesson(workspace, "Changed by someone else")
        response = editor_client.post(url(workspace), {"seen": stamp, "note": "Mine"})
        assert response.status_code == 400
        page = page_text(response)
        assert "The draft changed since you opened this page: check the changes again" in page
        assert Version.objects.filter(workspace=workspace).count() == 1
        assert "Changed by someone else" not in str(
            list(live_of(workspace).modules.values_list("lessons__title"))
        )
        # The page now carries the new stamp: publishing again after checking works.
        assert f'name="seen" value="{seen(workspace)}"' in page
        assert post_publish(editor_client, workspace).status_code == 302

    def test_refuses_a_post_without_a_stamp(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        retitle_first_lesson(workspace)
        response = editor_client.post(url(workspace), {"note": "x"})
        assert response.status_code == 400
        assert "The draft changed since you opened this page" in page_text(response)
        assert Version.objects.filter(workspace=workspace).count() == 1

    def test_refuses_when_the_draft_changes_between_the_check_and_the_publish(
        self, workspace: Workspace, editor_client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The view's check passes; the service, under its lock, still refuses."""
        retitle_first_lesson(workspace)
        stamp = seen(workspace)
        real = services.unpublished_changes

        def change_it_meanwhile(ws: Workspace) -> list[str]:
            retitle_first_lesson(workspace, "Meanwhile")
            return real(ws)

        monkeypatch.setattr(services, "unpublished_changes", change_it_meanwhile)
        response = editor_client.post(url(workspace), {"seen": stamp})
        assert response.status_code == 400
        assert "The draft changed since you opened this page" in page_text(response)
        assert Version.objects.filter(workspace=workspace).count() == 1


def test_the_publish_page_names_exercises_no_lesson_embeds(
    workspace: Any, editor_client: Any
) -> None:
    from django.urls import reverse

    page = editor_client.get(reverse("authoring:publish", kwargs={"course": workspace.slug}))
    assert "Worth checking" in page.content.decode()
    # The mini course's lessons embed "flaws" and "wet-years" only.
    assert page.context["unembedded"] == [
        "Flow in 1871", "Noise or signal?", "Order the years by flow", "The lowest year",
        "Total flow", "Your year's flow",
    ]  # fmt: skip
