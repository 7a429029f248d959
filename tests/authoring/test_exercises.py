"""Editing the draft's exercises (authoring.views.exercises, authoring.exercise_editing) and
trying them as a learner (exercises.services on a draft course)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from audit.models import AuditEvent
from authoring import bundles
from authoring.models import Workspace
from exercises import services as exercise_services
from exercises.models import Exercise, Kind, State, Submission
from progress.models import CourseProgress, ExerciseProgress

pytestmark = pytest.mark.django_db

BASE = "/author/mini-course/exercises/"
KINDS = [kind.value for kind in Kind]
# The exercises list: the session, the user, the workspace and role, the draft's exercises and
# the lessons that embed them, with a little room for the layout; never one more per exercise.
LIST_QUERIES = 8


# --- Helpers --------------------------------------------------------------------------------


def posted(form: forms.BaseForm, **changes: Any) -> dict[str, Any]:
    """What the browser would send for this form as shown, with some fields changed."""
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        elif value is None:
            data[field.html_name] = ""
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = str(value)
    for name, value in changes.items():
        if value is False or value is None:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


def form_on(client: Client, url: str) -> forms.BaseForm:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.context["form"]


def draft_exercise(workspace: Workspace, slug: str) -> Exercise:
    return Exercise.objects.select_related("course").get(course=workspace.draft, slug=slug)


def edit_url(slug: str) -> str:
    return f"{BASE}{slug}/"


def errors_of(response: Any) -> str:
    return response.content.decode()


def assert_refused(response: Any, *messages: str) -> None:
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert "There is a problem" in html
    for message in messages:
        assert message in html, (
            message,
            [str(e) for e in response.context["form"].errors.values()],
        )


def publishable(workspace: Workspace) -> None:
    """The draft still reads as a valid course folder: what import and publish accept."""
    bundles.read_files(bundles.files_of(workspace.draft), slug=workspace.slug)


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_each_exercise_its_kind_and_the_lessons_that_embed_it(
    editor_client: Client, workspace: Workspace
) -> None:
    response = editor_client.get(BASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Flow in 1871" in html
    assert "Numeric answer" in html
    assert "Query the data" in html
    assert "/courses/mini-course_draft/exercises/flow-1871/" in html  # try it as a learner
    rows = {row["exercise"].slug: row["lessons"] for row in response.context["exercises"]}
    assert rows.keys() == set(
        Exercise.objects.filter(course=workspace.draft).values_list("slug", flat=True)
    )
    embedded = [slug for slug, lessons in rows.items() if lessons]
    assert embedded, "the mini course embeds exercises in its lessons"
    lesson = rows[embedded[0]][0]
    assert lesson.title in html
    assert f"/author/mini-course/modules/{lesson.module.slug}/{lesson.slug}/" in html


def test_reviewers_see_the_list_without_edit_links(
    reviewer_client: Client, workspace: Workspace
) -> None:
    html = reviewer_client.get(BASE).content.decode()
    assert "Flow in 1871" in html
    assert "Add an exercise" not in html
    assert edit_url("flow-1871") not in html


# --- Creating each kind ---------------------------------------------------------------------


def test_creating_starts_by_choosing_the_kind(editor_client: Client, workspace: Workspace) -> None:
    response = editor_client.get(f"{BASE}new/")
    assert response.status_code == 200
    html = response.content.decode()
    for kind in Kind:
        assert f'value="{kind.value}"' in html
        assert kind.label in html


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_created_from_its_template_then_edited(
    editor_client: Client, workspace: Workspace, editor: Any, kind: str
) -> None:
    form = form_on(editor_client, f"{BASE}new/?kind={kind}")
    slug = f"new-{kind.replace('_', '-')}"
    assert form["slug"].value() == slug
    response = editor_client.post(f"{BASE}new/", posted(form))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == edit_url(slug)
    created = draft_exercise(workspace, slug)
    assert (created.kind, created.version) == (kind, 1)
    assert created.source["kind"] == kind
    assert created.fingerprint
    assert AuditEvent.objects.filter(
        action="authoring.create", details__what=f"exercise:{created.pk}", actor=editor
    ).exists()
    publishable(workspace)  # what the form wrote is a valid exercise file

    form = form_on(editor_client, edit_url(slug))
    response = editor_client.post(
        edit_url(slug),
        posted(form, title="A clearer title", prompt=EDITED_PROMPTS.get(kind, "Better?")),
    )
    assert response.status_code == 302, response.context["form"].errors
    edited = draft_exercise(workspace, slug)
    assert edited.title == "A clearer title"
    assert edited.source["title"] == "A clearer title"
    assert edited.version == 2  # what learners see changed
    publishable(workspace)


EDITED_PROMPTS = {"parametrised_numeric": "And for {value}?"}


def test_saving_an_exercise_unchanged_keeps_its_version(
    editor_client: Client, workspace: Workspace
) -> None:
    for exercise in Exercise.objects.filter(course=workspace.draft):
        form = form_on(editor_client, edit_url(exercise.slug))
        response = editor_client.post(edit_url(exercise.slug), posted(form))
        assert response.status_code == 302, (exercise.slug, response.context["form"].errors)
        saved = draft_exercise(workspace, exercise.slug)
        assert saved.version == 1, exercise.slug
        assert saved.fingerprint == exercise.fingerprint, exercise.slug
        assert saved.spec == exercise.spec, exercise.slug
    publishable(workspace)


def test_a_new_course_can_have_the_kinds_that_need_no_data(
    author_client: Client, new_workspace: Workspace
) -> None:
    base = "/author/new-course/exercises/new/"
    html = author_client.get(base).content.decode()
    assert "make a chart first" in html
    form = form_on(author_client, f"{base}?kind=numeric")
    assert author_client.post(base, posted(form)).status_code == 302
    assert Exercise.objects.get(course=new_workspace.draft).kind == "numeric"


def test_a_kind_that_needs_a_chart_is_refused_without_one(
    author_client: Client, new_workspace: Workspace
) -> None:
    response = author_client.get("/author/new-course/exercises/new/?kind=chart_reading")
    assert response.status_code == 400
    assert "make a chart first" in response.content.decode()
    response = author_client.post(
        "/author/new-course/exercises/new/", {"kind": "sql", "title": "x", "slug": "x"}
    )
    assert response.status_code == 400
    assert not Exercise.objects.filter(course=new_workspace.draft).exists()


def test_an_unknown_kind_is_refused(editor_client: Client, workspace: Workspace) -> None:
    before = Exercise.objects.count()
    for response in (
        editor_client.get(f"{BASE}new/?kind=essay"),
        editor_client.post(f"{BASE}new/", {"kind": "essay", "title": "x", "slug": "x"}),
        editor_client.post(f"{BASE}new/", {"title": "x", "slug": "x"}),
    ):
        assert response.status_code == 400
        assert "Choose the kind of exercise" in response.content.decode()
    assert Exercise.objects.count() == before


def test_a_short_name_already_used_is_refused(editor_client: Client, workspace: Workspace) -> None:
    form = form_on(editor_client, f"{BASE}new/?kind=numeric")
    before = Exercise.objects.count()
    response = editor_client.post(f"{BASE}new/", posted(form, slug="flow-1871"))
    assert_refused(response, "already has an exercise with this short name")
    response = editor_client.post(f"{BASE}new/", posted(form, slug="Not A Slug"))
    assert_refused(response, "Enter a short name of lowercase letters")
    assert Exercise.objects.count() == before


# --- Editing each kind's answer key ---------------------------------------------------------


def test_changing_a_numeric_answer_key_starts_a_new_version(
    editor_client: Client, workspace: Workspace
) -> None:
    form = form_on(editor_client, edit_url("flow-1871"))
    assert form["answer"].value() == "1120"
    response = editor_client.post(
        edit_url("flow-1871"),
        posted(form, answer="1,130", tolerance="2", tolerance_type="absolute", unit="m3",
               mistake_1_value="113", mistake_1_feedback="Off by a factor of ten."),
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    saved = draft_exercise(workspace, "flow-1871")
    assert saved.spec["answer"] == 1130
    assert saved.spec["tolerance"] == {"absolute": 2.0}
    assert saved.spec["unit"] == "m3"
    assert [m["value"] for m in saved.spec["mistakes"]] == [112, 113]
    assert saved.version == 2
    assert saved.source["answer"] == 1130
    # The live course is untouched until publishing.
    assert Exercise.objects.get(course=workspace.live, slug="flow-1871").spec["answer"] == 1120


def test_choice_options_are_edited_as_fields(editor_client: Client, workspace: Workspace) -> None:
    form = form_on(editor_client, edit_url("lowest-year"))
    assert form["option_1_text"].value() == "1873"
    assert form["option_1_correct"].value() is True
    response = editor_client.post(
        edit_url("lowest-year"),
        posted(form, option_3_text="1875", option_3_feedback="No: 1875 was 1,160."),
    )
    assert response.status_code == 302, response.context["form"].errors
    options = draft_exercise(workspace, "lowest-year").spec["options"]
    assert [o["text"] for o in options] == ["1872", "1873", "1874", "1875"]
    assert [o["correct"] for o in options] == [False, True, False, False]


def test_chart_reading_can_take_a_number_instead_of_options(
    editor_client: Client, workspace: Workspace
) -> None:
    form = form_on(editor_client, edit_url("lowest-year"))
    response = editor_client.post(
        edit_url("lowest-year"),
        posted(form, answer_type="numeric", answer="963", tolerance="5", prompt="How low?"),
    )
    assert response.status_code == 302, response.context["form"].errors
    saved = draft_exercise(workspace, "lowest-year")
    assert saved.spec["answer_type"] == "numeric"
    assert saved.spec["answer"] == 963
    assert "options" not in saved.source
    publishable(workspace)


def test_ordering_items_are_one_per_line(editor_client: Client, workspace: Workspace) -> None:
    form = form_on(editor_client, edit_url("order-years"))
    response = editor_client.post(
        edit_url("order-years"), posted(form, items="1873\n1871\n1872\n1875\n1874")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert draft_exercise(workspace, "order-years").spec["items"][-2:] == ["1875", "1874"]


def test_the_sql_reference_query_is_edited_and_run(
    editor_client: Client, workspace: Workspace
) -> None:
    form = form_on(editor_client, edit_url("wet-years"))
    response = editor_client.post(
        edit_url("wet-years"),
        posted(form, reference="SELECT year, volume FROM nile_sample WHERE volume > 1100",
               order_matters=True),
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    saved = draft_exercise(workspace, "wet-years")
    assert saved.spec["reference"].startswith("SELECT year, volume")
    assert saved.spec["order_matters"] is True
    assert saved.version == 2


def test_a_rubric_is_edited_as_rows(editor_client: Client, workspace: Workspace) -> None:
    form = form_on(editor_client, edit_url("what-is-noise"))
    response = editor_client.post(
        edit_url("what-is-noise"),
        posted(form, rubric_2_criterion="Uses the word noise", rubric_2_points="1"),
    )
    assert response.status_code == 302, response.context["form"].errors
    rubric = draft_exercise(workspace, "what-is-noise").spec["rubric"]
    assert rubric[-1] == {"criterion": "Uses the word noise", "points": 1}


def test_parametrised_details_are_yaml_with_a_worked_example(
    editor_client: Client, workspace: Workspace
) -> None:
    response = editor_client.get(edit_url("flow-by-year"))
    html = response.content.decode()
    assert "A correct example on this course's data" in html
    assert "variants:" in response.context["example"]
    form = response.context["form"]
    details = form["details"].value().replace("aggregate: value", "aggregate: max")
    response = editor_client.post(edit_url("flow-by-year"), posted(form, details=details))
    assert response.status_code == 302, response.context["form"].errors
    assert draft_exercise(workspace, "flow-by-year").spec["compute"]["aggregate"] == "max"


def test_the_worked_examples_are_valid(editor_client: Client, workspace: Workspace) -> None:
    for kind in ("parametrised_numeric", "estimate"):
        form = form_on(editor_client, f"{BASE}new/?kind={kind}")
        example = editor_client.get(f"{BASE}new/?kind={kind}").context["example"]
        response = editor_client.post(
            f"{BASE}new/", posted(form, details=example, slug=f"example-{kind[:4]}")
        )
        assert response.status_code == 302, response.context["form"].errors


def test_changing_the_kind_keeps_the_common_settings(
    editor_client: Client, workspace: Workspace
) -> None:
    form = form_on(editor_client, edit_url("flow-1871") + "?kind=estimate")
    assert form["title"].value() == "Flow in 1871"
    assert "answer:" in form["details"].value()
    response = editor_client.post(edit_url("flow-1871"), posted(form))
    assert response.status_code == 302, response.context["form"].errors
    saved = draft_exercise(workspace, "flow-1871")
    assert (saved.kind, saved.version, saved.title) == ("estimate", 2, "Flow in 1871")
    publishable(workspace)


# --- Answer keys that are refused -----------------------------------------------------------


def refused_edit(client: Client, workspace: Workspace, slug: str, *messages: str,
                 **changes: Any) -> None:  # fmt: skip
    before = draft_exercise(workspace, slug)
    events = AuditEvent.objects.count()
    form = form_on(client, edit_url(slug))
    response = client.post(edit_url(slug), posted(form, **changes))
    assert_refused(response, *messages)
    after = draft_exercise(workspace, slug)
    assert (after.source, after.spec, after.version, after.updated_at) == (
        before.source, before.spec, before.version, before.updated_at
    )  # fmt: skip
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("slug", "changes", "message"),
    [
        # Choices
        ("lowest-year", {"option_0_correct": True}, "Mark exactly one option as right (you marked 2)"),
        ("lowest-year", {"option_1_correct": False}, "Mark exactly one option as right (you marked 0)"),
        ("flaws", {"option_0_correct": False, "option_2_correct": False},
         "Mark at least one option as right"),
        ("flaws", {"option_1_feedback": ""}, "Enter feedback on option 2"),
        ("flaws", {"option_1_text": "", "option_2_text": ""}, "Give at least two options"),
        ("flaws", {"option_1_text": ""}, "Enter the text of option 2"),
        # Numbers
        ("flow-1871", {"tolerance": "-1"}, "Tolerance cannot be negative"),
        ("flow-1871", {"tolerance": "2000"}, "The tolerance is as large as the answer itself"),
        ("flow-1871", {"tolerance_type": "relative", "tolerance": "1.5"},
         "A fraction of the answer must be less than 1"),
        ("flow-1871", {"answer": "lots"}, "Enter the right answer as a number"),
        ("flow-1871", {"answer": ""}, "Enter the right answer"),
        ("flow-1871", {"answer": "10000000000000000"}, "smaller than a thousand trillion"),
        ("flow-1871", {"mistake_0_value": "1121"},
         "Wrong answer 1 is within the tolerance of the right answer"),
        ("flow-1871", {"mistake_0_feedback": ""}, "Enter feedback for wrong answer 1"),
        ("lowest-year", {"answer_type": "numeric", "answer": ""}, "Enter the right answer"),
        # Ordering and rubrics
        ("order-years", {"items": "1873\n1871"}, "Items must list at least three things"),
        ("order-years", {"items": "1873\n1871\n1873"}, "Items must all be different"),
        ("what-is-noise", {"rubric_0_points": "30"}, "Give from 1 to 20 points"),
        ("what-is-noise", {"rubric_0_points": ""}, "Enter the points for criterion 1"),
        ("what-is-noise", {"max_words": "5"}, "Allow from 10 to 2,000 words"),
        # Common settings
        ("flow-1871", {"explanation": ""}, "Enter the explanation"),
        ("flow-1871", {"title": ""}, "Enter a title"),
        ("flow-1871", {"max_attempts": "50"}, "Allow at most 20 attempts"),
        ("flow-1871", {"certainty_based_marking": True, "ask_confidence": False},
         "Certainty_based_marking needs ask_confidence"),
        ("lowest-year", {"chart": "no-such-chart"}, "Choose one of the course"),
        ("flow-1871", {"prompt": "::: key-idea\nNever closed."}, "Prompt: this callout is never"),
        ("flow-1871", {"prompt": "Read it off\n\n{{ chart: no-such-chart }}"},
         "line 3: the chart &#x27;no-such-chart&#x27; does not exist in this course"),
        ("flow-1871", {"explanation": "See [[no-such-term]]."},
         "line 1: the term &#x27;no-such-term&#x27; does not exist"),
        ("flow-1871", {"explanation": "{{ exercise: wet-years }}"},
         "an exercise cannot embed another exercise"),
    ],
)  # fmt: skip
def test_an_inconsistent_answer_key_is_refused_and_nothing_is_saved(
    editor_client: Client, workspace: Workspace, slug: str, changes: dict[str, Any], message: str
) -> None:
    refused_edit(editor_client, workspace, slug, message, **changes)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("SELECT nope FROM nile_sample", "The reference query does not run in the sandbox"),
        ("SELECT year FROM no_such_table", "The reference query does not run in the sandbox"),
        ("DELETE FROM nile_sample", "The reference query does not run in the sandbox"),
        ("SELECT year FROM nile_sample WHERE volume > 100000", "returns no rows"),
    ],
)
def test_a_sql_reference_query_must_run_in_the_sandbox_and_return_rows(
    editor_client: Client, workspace: Workspace, reference: str, message: str
) -> None:
    refused_edit(editor_client, workspace, "wet-years", message, reference=reference)


def test_sql_needs_a_dataset(editor_client: Client, workspace: Workspace) -> None:
    refused_edit(
        editor_client, workspace, "wet-years", "Choose at least one dataset", datasets=None
    )


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ("dataset: nile-sample\nvariants: [1871\n", "this is not valid YAML"),
        ("- just a list\n", "Details, line 1: write the settings as name: value"),
        ("dataset: nile-sample\nvariants: {column: nope, values: [1871, 1872]}\n"
         "compute: {column: volume, aggregate: value}\n",
         "Details, line 2: Variants needs a column of the dataset"),
        ("dataset: nile-sample\nvariants: {column: year, values: [1871, 1872]}\n"
         "compute: {column: note, aggregate: mean}\n",
         "Details, line 3: Compute: column &#x27;note&#x27; must be a numeric column"),
        ("dataset: nile-sample\nvariants: {column: year, values: [1871, 1999]}\n"
         "compute: {column: volume, aggregate: value}\n",
         "Details, line 2: Variant 1999: no rows match"),
        ("dataset: nope\n", "Details, line 1: Uses the dataset"),
        ("dataset: nile-sample\ntitle: Sneaky\n", "Details, line 2: &#x27;title&#x27; is not a setting"),
        ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
         "Details, line 2: write each value out in full"),
    ],
)  # fmt: skip
def test_parametrised_details_errors_name_the_line(
    editor_client: Client, workspace: Workspace, details: str, message: str
) -> None:
    refused_edit(editor_client, workspace, "flow-by-year", message, details=details)


def test_a_parametrised_prompt_must_say_where_the_value_goes(
    editor_client: Client, workspace: Workspace
) -> None:
    refused_edit(
        editor_client, workspace, "flow-by-year", "The prompt must say {value}",
        prompt="What was the flow?",
    )  # fmt: skip


def test_an_estimate_computed_from_no_rows_is_refused(
    editor_client: Client, workspace: Workspace
) -> None:
    refused_edit(
        editor_client, workspace, "total-flow", "Details, line 2: Compute: no rows match",
        details="dataset: nile-sample\ncompute: {column: volume, aggregate: mean, "
        "filters: [{column: year, equals: 1999}]}\n",
    )  # fmt: skip


def test_the_error_summary_links_to_the_field(editor_client: Client, workspace: Workspace) -> None:
    form = form_on(editor_client, edit_url("wet-years"))
    response = editor_client.post(edit_url("wet-years"), posted(form, reference="SELECT 1 WHERE 0"))
    html = response.content.decode()
    assert 'href="#id_reference"' in html
    assert "<title>Error: Edit Years above 1,150" in html


# --- Concurrent edits -----------------------------------------------------------------------


def test_a_second_author_saving_over_the_first_is_told_and_nothing_is_lost(
    editor_client: Client, author_client: Client, workspace: Workspace
) -> None:
    mine = form_on(editor_client, edit_url("flow-1871"))
    theirs = form_on(author_client, edit_url("flow-1871"))
    first = author_client.post(edit_url("flow-1871"), posted(theirs, answer="1125"))
    assert first.status_code == 302
    second = editor_client.post(edit_url("flow-1871"), posted(mine, answer="1130"))
    assert_refused(second, "saved this exercise on")
    assert second.context["form"]["answer"].value() == "1130"  # the text is kept
    saved = draft_exercise(workspace, "flow-1871")
    assert (saved.spec["answer"], saved.version) == (1125, 2)


# --- Deleting -------------------------------------------------------------------------------


def test_an_exercise_that_lessons_embed_cannot_be_deleted(
    editor_client: Client, workspace: Workspace
) -> None:
    from authoring.exercise_editing import embedding_lessons

    slug, lessons = next(iter(embedding_lessons(draft=workspace.draft).items()))
    page = editor_client.get(f"{BASE}{slug}/delete/")
    assert page.status_code == 200
    assert lessons[0].title in page.content.decode()
    assert "Delete the exercise" not in page.content.decode()
    response = editor_client.post(f"{BASE}{slug}/delete/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Remove the exercise from these lessons before deleting it" in html
    assert lessons[0].title in html
    assert Exercise.objects.filter(course=workspace.draft, slug=slug).exists()


def test_an_exercise_no_lesson_embeds_is_deleted_after_confirming(
    editor_client: Client, workspace: Workspace, editor: Any
) -> None:
    form = form_on(editor_client, f"{BASE}new/?kind=ordering")
    editor_client.post(f"{BASE}new/", posted(form, slug="spare"))
    page = editor_client.get(f"{BASE}spare/delete/")
    assert "Delete the exercise" in page.content.decode()
    assert Exercise.objects.filter(course=workspace.draft, slug="spare").exists()
    response = editor_client.post(f"{BASE}spare/delete/")
    assert response.status_code == 302
    assert not Exercise.objects.filter(course=workspace.draft, slug="spare").exists()
    assert AuditEvent.objects.filter(
        action="authoring.delete", details__slug="spare", actor=editor
    ).exists()
    publishable(workspace)


# --- Who may do what ------------------------------------------------------------------------

URLS = [BASE, f"{BASE}new/", f"{BASE}new/?kind=numeric", edit_url("flow-1871"),
        f"{BASE}flow-1871/delete/"]  # fmt: skip
CHANGES = [f"{BASE}new/", edit_url("flow-1871"), f"{BASE}flow-1871/delete/"]


@pytest.mark.parametrize("url", URLS)
def test_people_without_a_role_get_404(
    outsider_client: Client, workspace: Workspace, url: str
) -> None:
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url.split("?")[0], {"kind": "numeric"}).status_code in (404, 405)


@pytest.mark.parametrize("url", CHANGES)
def test_reviewers_cannot_open_or_send_the_forms(
    reviewer_client: Client, workspace: Workspace, url: str
) -> None:
    assert reviewer_client.get(url).status_code == 403
    assert reviewer_client.post(url, {"kind": "numeric"}).status_code == 403
    assert Exercise.objects.filter(course=workspace.draft, slug="flow-1871").exists()


def test_signed_out_people_are_sent_to_sign_in(client: Client, workspace: Workspace) -> None:
    response = client.get(BASE)
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign" in response["Location"]


def test_an_exercise_of_another_course_is_not_found(
    author_client: Client, workspace: Workspace, new_workspace: Workspace
) -> None:
    assert author_client.get("/author/new-course/exercises/flow-1871/").status_code == 404


# --- Trying it as a learner -----------------------------------------------------------------

DRAFT_EXERCISE = "/courses/mini-course_draft/exercises/"


@pytest.fixture
def eager_grading(monkeypatch: pytest.MonkeyPatch) -> None:
    from masterclass.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_the_edit_page_links_to_the_draft_exercise(
    editor_client: Client, workspace: Workspace
) -> None:
    html = editor_client.get(edit_url("flow-1871")).content.decode()
    assert f'href="{DRAFT_EXERCISE}flow-1871/"' in html
    assert "Try it as a learner" in html


def test_the_draft_exercise_is_only_for_people_on_the_course(
    editor_client: Client, reviewer_client: Client, outsider_client: Client, workspace: Workspace
) -> None:
    page = editor_client.get(f"{DRAFT_EXERCISE}lowest-year/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are trying the draft of this exercise" in html
    assert "You can try as often as you like." in html  # though it allows 2 attempts
    assert reviewer_client.get(f"{DRAFT_EXERCISE}lowest-year/").status_code == 200
    assert outsider_client.get(f"{DRAFT_EXERCISE}lowest-year/").status_code == 404


def test_answers_on_a_draft_are_graded_but_record_no_progress_and_use_no_attempts(
    editor_client: Client, workspace: Workspace, editor: Any, eager_grading: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    exercise = draft_exercise(workspace, "lowest-year")
    assert exercise.max_attempts == 2
    url = f"{DRAFT_EXERCISE}lowest-year/"
    answers = [{"choice": "0", "confidence": "50"}] * 3 + [{"choice": "1", "confidence": "90"}] * 2
    for answer in answers:  # three wrong, then right, then right again
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(url, answer)
        assert response.status_code == 302, response.content.decode()[:3000]
    submissions = list(Submission.objects.filter(learner=editor).order_by("attempt"))
    assert [s.state for s in submissions] == [State.GRADED] * 5  # through the real grader
    assert [s.correct for s in submissions] == [False, False, False, True, True]
    assert [s.attempt for s in submissions] == [1, 2, 3, 4, 5]
    assert all(s.exercise_version == exercise.version for s in submissions)
    assert not ExerciseProgress.objects.filter(learner=editor).exists()
    assert not CourseProgress.objects.filter(learner=editor).exists()
    html = editor_client.get(url).content.decode()
    assert "Submit your answer" in html  # still open, even once answered right
    assert "Explanation" in html


def test_the_live_course_still_counts_attempts_and_progress(
    editor: Any, workspace: Workspace, eager_grading: None, django_capture_on_commit_callbacks: Any
) -> None:
    live = Exercise.objects.select_related("course").get(course=workspace.live, slug="lowest-year")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            exercise_services.submit_answer(
                learner=editor, exercise=live, answer={"choice": 0}, confidence=50
            )
    with pytest.raises(exercise_services.AttemptsUsedUp):
        exercise_services.submit_answer(
            learner=editor, exercise=live, answer={"choice": 0}, confidence=50
        )
    assert ExerciseProgress.objects.get(learner=editor, exercise=live).attempts == 2
    assert CourseProgress.objects.filter(learner=editor, course=workspace.live).exists()


def test_a_draft_answer_that_cannot_be_marked_records_no_progress(
    editor: Any, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    exercise = draft_exercise(workspace, "flow-1871")
    with django_capture_on_commit_callbacks(execute=False):
        submission = exercise_services.submit_answer(
            learner=editor, exercise=exercise, answer={"value": 1}, confidence=None
        )
    exercise_services.mark_failed(submission_id=submission.pk, error="worker lost")
    assert Submission.objects.get(pk=submission.pk).state == State.ERROR
    assert not ExerciseProgress.objects.filter(learner=editor).exists()


def test_a_written_answer_on_a_draft_stays_with_its_author_and_never_reaches_tutors(
    editor: Any, editor_client: Client, workspace: Workspace, site_admin: Any, client: Client,
    learner: Any,
) -> None:  # fmt: skip
    url = f"{DRAFT_EXERCISE}what-is-noise/"
    html = editor_client.get(url).content.decode()
    assert "Written answers to a draft are not sent to tutors" in html
    response = editor_client.post(url, {"text": "One year is noise."})
    assert response.status_code == 302, response.content.decode()[:3000]
    trial = Submission.objects.select_related("exercise__course").get(learner=editor)
    html = editor_client.get(url).content.decode()
    assert "Not marked: trial" in html and "Waiting for a tutor" not in html
    result = editor_client.get(f"{url}attempts/{trial.pk}/result").json()
    assert "Not marked: trial" in result["html"] and result["final"]
    live = Exercise.objects.get(course=workspace.live, slug="what-is-noise")
    answer = exercise_services.submit_answer(
        learner=learner, exercise=live, answer={"text": "Noise."}, confidence=None
    )
    client.force_login(site_admin)
    queue = client.get("/marking/").content.decode()
    assert f"/marking/{answer.pk}/" in queue  # a learner's answer to the live course
    assert f"/marking/{trial.pk}/" not in queue
    assert client.get(f"/marking/{trial.pk}/").status_code == 404
    response = client.post(f"/marking/{trial.pk}/", {"points_0": "2", "points_1": "1",
                                                      "comment": "Good."})  # fmt: skip
    assert response.status_code == 404
    trial.refresh_from_db()
    assert (trial.state, trial.tutor, trial.tutor_comment) == (State.AWAITING_TUTOR, None, "")
    assert not ExerciseProgress.objects.filter(learner=editor).exists()
    assert not CourseProgress.objects.filter(learner=editor).exists()


def test_an_edit_bumps_the_version_that_new_answers_record(
    editor_client: Client, editor: Any, workspace: Workspace,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    form = form_on(editor_client, edit_url("flow-1871"))
    editor_client.post(edit_url("flow-1871"), posted(form, answer="1121"))
    with django_capture_on_commit_callbacks(execute=False):
        editor_client.post(f"{DRAFT_EXERCISE}flow-1871/", {"value": "1121"})
    assert Submission.objects.get(learner=editor).exercise_version == 2


def test_an_empty_form_says_what_each_field_needs_in_page_order(
    editor_client: Client, workspace: Workspace
) -> None:
    response = editor_client.post(f"{BASE}new/", {"kind": "numeric"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" not in html
    expected = ["Enter a title", "Enter a short name", "Enter the question",
                "Enter the right answer", "Enter the explanation"]  # fmt: skip
    positions = [html.index(f">{message}") for message in expected]
    assert positions == sorted(positions)
    assert not Exercise.objects.filter(course=workspace.draft, title="").exists()


def test_an_estimate_answer_too_large_to_type_is_refused(
    editor_client: Client, workspace: Workspace
) -> None:
    refused_edit(
        editor_client, workspace, "total-flow", "Details, line 1: the answer is too large",
        details="answer: 100000000000000000000\nunit: m3\n",
    )  # fmt: skip


def test_deeply_nested_details_are_refused_without_loading_them(
    editor_client: Client, workspace: Workspace
) -> None:
    deep = "[" * 1000 + "]" * 1000
    refused_edit(
        editor_client, workspace, "total-flow", "Details, line 1: nested too deeply",
        details=f"answer: {deep}\nunit: m3\n",
    )  # fmt: skip
    nested = "".join(f"{'  ' * level}level{level}:\n" for level in range(25)) + "  " * 25 + "x\n"
    refused_edit(
        editor_client, workspace, "flow-by-year", "Details, line 21: nested too deeply",
        details=nested,
    )  # fmt: skip


def test_a_recursion_error_while_loading_the_details_is_a_form_error(
    editor_client: Client, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from authoring import exercise_editing

    def too_deep(text: str) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(exercise_editing.yaml, "safe_load", too_deep)
    refused_edit(
        editor_client, workspace, "total-flow", "Details: the settings are nested too deeply",
        details="answer: 5\nunit: m3\n",
    )  # fmt: skip


def test_a_null_character_written_in_the_details_is_refused(
    editor_client: Client, workspace: Workspace
) -> None:
    refused_edit(
        editor_client, workspace, "total-flow", "Details, line 2: remove the null character",
        details='answer: 5\nunit: "m\\0"\n',
    )  # fmt: skip


# --- What saving says about versions --------------------------------------------------------


def test_saving_a_changed_question_says_learners_get_it_when_the_course_is_published(
    editor_client: Client, workspace: Workspace
) -> None:
    Exercise.objects.filter(course=workspace.live, slug="flow-1871").update(version=4)
    assert (
        "Version 4, the published one" in editor_client.get(edit_url("flow-1871")).content.decode()
    )
    form = form_on(editor_client, edit_url("flow-1871"))
    response = editor_client.post(edit_url("flow-1871"), posted(form, answer="1121"), follow=True)
    html = response.content.decode()
    assert (
        "Saved in the draft. Learners get the new question when the course is published. "
        "Until then they answer version 4." in html
    )
    assert "answers from now on are marked against it" not in html
    assert draft_exercise(workspace, "flow-1871").version == 2  # the draft's own counter
    assert Exercise.objects.get(course=workspace.live, slug="flow-1871").version == 4


def test_saving_an_unpublished_exercise_names_no_live_version(
    editor_client: Client, workspace: Workspace
) -> None:
    copy = draft_exercise(workspace, "flow-1871")
    copy.pk, copy.slug = None, "flow-copy"
    copy.save()
    assert "Not published yet" in editor_client.get(edit_url("flow-copy")).content.decode()
    form = form_on(editor_client, edit_url("flow-copy"))
    response = editor_client.post(edit_url("flow-copy"), posted(form, answer="1121"), follow=True)
    html = response.content.decode()
    assert "Learners get the new question when the course is published." in html
    assert "Until then" not in html


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_takes_no_more_queries_for_more_exercises(
    author_client: Client, new_workspace: Workspace, count: int,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for number in range(count):
        Exercise.objects.create(
            course=new_workspace.draft, slug=f"question-{number}", title=f"Question {number}",
            kind=Kind.NUMERIC, prompt="How many?", spec={"answer": number},
            explanation="Count them.",
        )  # fmt: skip
    with django_assert_max_num_queries(LIST_QUERIES):
        response = author_client.get("/author/new-course/exercises/")
    assert response.status_code == 200
    assert len(response.context["exercises"]) == count
    assert "/courses/new-course_draft/exercises/question-0/" in response.content.decode()


def test_small_and_whole_numbers_come_back_to_the_form_as_typed() -> None:
    from authoring.numbers import number_text

    assert [number_text(v) for v in (5.0, 0.00005, 1e-07, 72.5, 3, None)] == [
        "5", "0.00005", "0.0000001", "72.5", "3", "",
    ]  # fmt: skip
