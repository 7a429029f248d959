"""History: the list of versions, each version's differences (authoring.history), comparing
with the draft, and restoring a version to the draft."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from authoring import bundles, history, services
from authoring.models import Version, Workspace
from courses.models import Course

pytestmark = pytest.mark.django_db

LESSON = "modules/01-first-steps/01-welcome.md"
CSV = "datasets/nile-sample.csv"


def version_url(workspace: Workspace, number: int, suffix: str = "") -> str:
    return (
        reverse("authoring:version", kwargs={"course": workspace.slug, "number": number}) + suffix
    )


def restore_url(workspace: Workspace, number: int) -> str:
    return reverse("authoring:restore", kwargs={"course": workspace.slug, "number": number})


def history_url(workspace: Workspace) -> str:
    return reverse("authoring:history", kwargs={"course": workspace.slug})


def publish_changed_lesson(workspace: Workspace, actor: Any, note: str = "Retitled") -> Version:
    lesson = workspace.draft.modules.get(slug="first-steps").lessons.get(slug="welcome")
    lesson.title = "Welcome, again"
    lesson.body = lesson.body.replace("## Next", "## What comes next")
    lesson.save()
    return services.publish(workspace=workspace, actor=actor, note=note)


class TestCompare:
    def test_names_each_change_in_words(self) -> None:
        old = {
            "course.md": "---\ntitle: C\n---\nHello\n",
            "modules/01-a/module.yaml": "title: Module A\n",
            "modules/01-a/01-gone.md": "---\ntitle: Gone lesson\n---\nBye\n",
            "charts/c.yaml": "title: A chart\n",
        }
        new = {
            "course.md": "---\ntitle: C\n---\nHello there\n",
            "modules/01-a/module.yaml": "title: Module A\n",
            "modules/01-a/02-new.md": "---\ntitle: New lesson\n---\nHi\n",
            "charts/c.yaml": "title: A chart\n",
            "exercises/e.yaml": "title: An exercise\n",
        }
        sentences = [change.sentence for change in history.compare(old, new)]
        assert sentences == [
            "Course details changed",
            "Lesson ‘Gone lesson’ removed",
            "Lesson ‘New lesson’ added",
            "Exercise ‘An exercise’ added",
        ]

    def test_a_renumbered_file_is_a_move(self) -> None:
        text = "---\ntitle: Same\n---\nBody\n"
        changes = history.compare({"modules/01-a/01-x.md": text}, {"modules/01-a/02-x.md": text})
        assert [c.sentence for c in changes] == [
            "Lesson ‘Same’ moved (from modules/01-a/01-x.md to modules/01-a/02-x.md)"
        ]

    def test_lists_changed_lines_with_their_numbers(self) -> None:
        old = {"course.md": "one\ntwo\nthree\nfour\nfive\n"}
        new = {"course.md": "one\ntwo\nTHREE\nfour\nfive\nsix\n"}
        (change,) = history.compare(old, new)
        shown = [(line.kind, line.text, line.old, line.new) for line in change.lines]
        assert ("removed", "three", 3, None) in shown
        assert ("added", "THREE", None, 3) in shown
        assert ("added", "six", None, 6) in shown
        assert ("same", "two", 2, 2) in shown
        assert ("same", "one", 1, 1) not in shown  # only one line of context
        assert (change.added, change.removed) == (2, 1)

    def test_shows_at_most_so_many_lines_of_a_big_change(self) -> None:
        old = {"course.md": "\n".join(f"old {n}" for n in range(500))}
        new = {"course.md": "\n".join(f"new {n}" for n in range(500))}
        (change,) = history.compare(old, new)
        assert len(change.lines) == history.MAX_SHOWN_LINES
        assert change.hidden_lines == 1000 - history.MAX_SHOWN_LINES

    def test_summarises_a_dataset_instead_of_listing_it(self) -> None:
        old = "year,volume\n" + "".join(f"{1800 + n},{n}\n" for n in range(100))
        rows = [f"{1800 + n},{n}\n" for n in range(100)]
        rows[10] = "1810,999\n"  # changed
        del rows[50]  # removed
        rows.append("1900,1\n")
        rows.append("1901,2\n")  # two added
        (change,) = history.compare({CSV: old}, {CSV: "year,volume\n" + "".join(rows)})
        assert change.label == "Data of dataset ‘nile-sample’"
        assert change.summary == "2 rows added; 1 row removed; 1 row changed"
        assert change.lines == []

    def test_names_columns_added_and_removed(self) -> None:
        (change,) = history.compare({CSV: "a,b\n1,2\n"}, {CSV: "a,c\n1,2\n"})
        assert change.summary == "Columns removed: b; columns added: c"

    def test_compares_big_datasets_as_counts(self) -> None:
        size = history.MAX_ALIGNED_ROWS + 10
        old = "n\n" + "".join(f"{n}\n" for n in range(size))
        new = "n\n" + "".join(f"{n}\n" for n in reversed(range(size + 3)))
        (change,) = history.compare({CSV: old}, {CSV: new})
        assert (change.added, change.removed) == (3, 0)

    def test_a_new_dataset_is_counted_in_rows(self) -> None:
        (change,) = history.compare({}, {CSV: "a\n1\n2\n"})
        assert change.summary == "2 rows added"

    def test_a_broken_file_is_still_named(self) -> None:
        (change,) = history.compare({}, {"charts/c.yaml": "title: [unclosed\n"})
        assert change.sentence == "Chart ‘c’ added"

    def test_a_file_nested_too_deeply_to_parse_is_still_named(self) -> None:
        deep = "title: " + "[" * 5000 + "\n"
        (change,) = history.compare({}, {"charts/c.yaml": deep})
        assert change.sentence == "Chart ‘c’ added"
        lesson = "---\ntitle: " + "{a: " * 3000 + "\n---\nText\n"
        assert history.label(LESSON, lesson) == "Lesson ‘welcome’"

    def test_a_title_that_is_not_text_is_not_shown(self) -> None:
        assert history.label("charts/c.yaml", "title: [[[1]]]\n") == "Chart ‘c’"


class TestHistoryPage:
    def test_lists_versions_with_who_when_and_why(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        publish_changed_lesson(workspace, editor, note="Friendlier welcome")
        response = editor_client.get(history_url(workspace))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Version 2" in page and "Version 1" in page
        assert "Friendlier welcome" in page
        assert "editor@example.gov.uk" in page
        assert "The same as version 2, which learners see" in page
        assert version_url(workspace, 2) in page

    def test_shows_unpublished_changes(self, workspace: Workspace, reviewer_client: Client) -> None:
        workspace.draft.glossary_terms.filter(slug="mean").update(definition="Changed")
        page = reviewer_client.get(history_url(workspace)).content.decode()
        assert "1 unpublished change since version 1" in page
        assert reverse("authoring:import_draft", kwargs={"course": "mini-course"}) not in page

    def test_a_course_never_published(
        self, new_workspace: Workspace, author_client: Client
    ) -> None:
        page = author_client.get(history_url(new_workspace)).content.decode()
        assert "Not published yet" in page
        assert "Nothing has been published yet" in page

    def test_queries_do_not_grow_with_versions(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert editor_client.get(history_url(workspace)).status_code == 200
            return len(queries)

        count()  # the draft's digests are cached from here on
        few = count()
        files = bundles.files_in(services.latest_version(workspace))  # type: ignore[arg-type]
        for number in range(2, 12):
            Version.objects.create(
                workspace=workspace, number=number, files=bundles.store(files), published_by=editor
            )
        assert count() == few
        assert few <= 20

    def test_pages_through_many_versions(self, workspace: Workspace, editor_client: Client) -> None:
        digests = Version.objects.get(workspace=workspace, number=1).files
        for number in range(2, 31):
            Version.objects.create(workspace=workspace, number=number, files=digests)
        page = editor_client.get(history_url(workspace)).content.decode()
        assert "Version 30" in page and "Version 6<" in page and "Version 5<" not in page
        second = editor_client.get(history_url(workspace) + "?page=2").content.decode()
        assert "Version 5<" in second

    def test_outsiders_get_404(self, workspace: Workspace, outsider_client: Client) -> None:
        assert outsider_client.get(history_url(workspace)).status_code == 404


class TestVersionPage:
    def test_shows_what_changed_since_the_version_before(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        publish_changed_lesson(workspace, editor)
        response = editor_client.get(version_url(workspace, 2))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Changes since version 1" in page
        assert "Lesson ‘Welcome, again’" in page
        assert '<del class="app-code app-diff-line">## Next</del>' in page
        assert '<ins class="app-code app-diff-line">## What comes next</ins>' in page
        assert "govuk-table" in page
        assert (
            reverse("authoring:export_version", kwargs={"course": "mini-course", "number": 2})
            in page
        )
        assert restore_url(workspace, 2) in page

    def test_summarises_dataset_changes(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        dataset = workspace.draft.datasets.get(slug="nile-sample")
        dataset.csv_text = dataset.csv_text.replace("1872,1160,wet", "1872,1170,wet")
        dataset.save()
        services.publish(workspace=workspace, actor=editor)
        page = editor_client.get(version_url(workspace, 2)).content.decode()
        assert "Data of dataset ‘nile-sample’" in page
        assert "1 row changed" in page
        assert "1871,1120" not in page  # the data itself is not dumped

    def test_compares_with_the_draft(self, workspace: Workspace, reviewer_client: Client) -> None:
        workspace.draft.glossary_terms.filter(slug="mean").update(definition="Average value.")
        page = reviewer_client.get(version_url(workspace, 1, "?with=draft")).content.decode()
        assert "Changes in the draft since version 1" in page
        assert "Glossary" in page
        assert "Average value." in page
        assert restore_url(workspace, 1) not in page  # reviewers cannot restore

    def test_the_first_version_lists_its_files(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        page = editor_client.get(version_url(workspace, 1)).content.decode()
        assert "Files in the first version" in page
        assert "Lesson ‘Welcome’" in page

    def test_a_version_with_a_deeply_nested_file_is_shown(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        files = bundles.files_of(workspace.draft)
        files["charts/nile-line.yaml"] = "title: " + "[" * 5000 + "\n"
        Version.objects.create(workspace=workspace, number=2, files=bundles.store(files))
        response = editor_client.get(version_url(workspace, 2))
        assert response.status_code == 200
        assert "Chart ‘nile-line’ <strong" in response.content.decode()
        assert editor_client.get(version_url(workspace, 2, "?with=draft")).status_code == 200

    def test_an_unknown_version_is_not_found(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        assert editor_client.get(version_url(workspace, 7)).status_code == 404
        assert editor_client.get(version_url(workspace, 10**12)).status_code == 404
        assert editor_client.get(restore_url(workspace, 10**12)).status_code == 404

    def test_outsiders_get_404(self, workspace: Workspace, outsider_client: Client) -> None:
        assert outsider_client.get(version_url(workspace, 1)).status_code == 404


class TestRestore:
    def test_asks_to_confirm(self, workspace: Workspace, editor_client: Client) -> None:
        workspace.draft.glossary_terms.filter(slug="mean").update(definition="Changed")
        response = editor_client.get(restore_url(workspace, 1))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Restore version 1 to the draft?" in page
        assert "Learners see no change" in page
        assert "1 unpublished change" in page

    def test_makes_the_draft_the_version_and_leaves_the_live_course(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        publish_changed_lesson(workspace, editor)
        page = editor_client.get(restore_url(workspace, 1)).content.decode()
        seen = page.split('name="seen" value="')[1].split('"')[0]
        response = editor_client.post(restore_url(workspace, 1), {"seen": seen})
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "authoring:publish", kwargs={"course": "mini-course"}
        )
        workspace.refresh_from_db()
        version_1 = Version.objects.get(workspace=workspace, number=1)
        assert bundles.files_of(workspace.draft) == bundles.files_in(version_1)
        live = Course.objects.get(slug="mini-course")
        assert live.modules.get(slug="first-steps").lessons.get(slug="welcome").title == (
            "Welcome, again"
        )
        event = AuditEvent.objects.get(action="authoring.restore")
        assert (event.actor, event.details) == (editor, {"version": 1})
        message = editor_client.get(response["Location"]).content.decode()
        assert "The draft is now version 1. Learners still see version 2 until you publish." in (
            message
        )

    def test_refuses_when_the_draft_changed_after_the_page_was_opened(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        publish_changed_lesson(workspace, editor)
        page = editor_client.get(restore_url(workspace, 1)).content.decode()
        seen = page.split('name="seen" value="')[1].split('"')[0]
        lesson = workspace.draft.modules.get(slug="first-steps").lessons.get(slug="welcome")
        services.save_draft_object(
            workspace=workspace, instance=lesson, loaded_at=None, actor=editor, what="x"
        )
        before = bundles.files_of(workspace.draft)
        response = editor_client.post(restore_url(workspace, 1), {"seen": seen})
        assert response.status_code == 400
        assert "The draft changed after you opened this page" in response.content.decode()
        assert bundles.files_of(workspace.draft) == before
        assert not AuditEvent.objects.filter(action="authoring.restore").exists()

    def test_a_version_that_no_longer_passes_the_checks_is_not_restored(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        files = bundles.files_in(Version.objects.get(workspace=workspace, number=1))
        files["course.md"] = "no front matter\n"
        Version.objects.create(workspace=workspace, number=2, files=bundles.store(files))
        before = bundles.files_of(workspace.draft)
        seen = str(workspace.draft.content_version)
        response = editor_client.post(restore_url(workspace, 2), {"seen": seen})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Version 2 cannot be restored" in page
        assert "must start with front matter" in page
        assert bundles.files_of(workspace.draft) == before

    def test_reviewers_cannot_restore(self, workspace: Workspace, reviewer_client: Client) -> None:
        workspace.draft.glossary_terms.filter(slug="mean").update(definition="Changed")
        before = bundles.files_of(workspace.draft)
        assert reviewer_client.get(restore_url(workspace, 1)).status_code == 403
        seen = str(workspace.draft.content_version)
        assert reviewer_client.post(restore_url(workspace, 1), {"seen": seen}).status_code == 403
        assert bundles.files_of(workspace.draft) == before

    def test_outsiders_get_404(self, workspace: Workspace, outsider_client: Client) -> None:
        assert outsider_client.get(restore_url(workspace, 1)).status_code == 404
        assert outsider_client.post(restore_url(workspace, 1), {"seen": "1"}).status_code == 404
