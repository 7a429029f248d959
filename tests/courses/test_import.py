"""import_course / export_course: all or nothing, every problem with file and line, in place."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courses import services
from courses.content.folder import read_course
from courses.content.problems import ContentInvalid
from courses.exporting import export_course
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson, LessonCompletion, Module

pytestmark = pytest.mark.django_db


def problems_in(path: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        read_course(path)
    return [str(p) for p in caught.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_imports_the_whole_course(mini_course) -> None:
    assert mini_course.slug == "mini-course"
    assert mini_course.published
    assert mini_course.estimated_minutes == 16  # the lessons' minutes, when not given
    assert list(Module.objects.values_list("slug", "position")) == [
        ("first-steps", 1),
        ("next-steps", 2),
    ]
    assert Lesson.objects.count() == 3
    dataset = Dataset.objects.get()
    assert dataset.row_count == 5
    assert dataset.columns[2] == {
        "name": "note",
        "type": "text",
        "description": "A note",
        "optional": True,
    }
    assert Chart.objects.get(slug="nile-bars").spec["filters"] == [
        {"column": "year", "min": 1872, "max": 1874}
    ]
    assert set(GlossaryTerm.objects.values_list("slug", flat=True)) == {"median", "mean"}


def test_malformed_front_matter_is_reported_with_its_line(mini_course_path: Path) -> None:
    lesson = mini_course_path / "modules/01-first-steps/01-welcome.md"
    edit(lesson, "estimated_minutes: 5", "estimated_minutes: [5")
    assert (
        problems_in(mini_course_path)
        == [
            "mini-course/modules/01-first-steps/01-welcome.md:4: is not valid YAML: "
            "expected ',' or ']', but got ':'"
        ]
        or "01-welcome.md:" in problems_in(mini_course_path)[0]
    )


def test_missing_front_matter_is_reported(mini_course_path: Path) -> None:
    lesson = mini_course_path / "modules/01-first-steps/02-data.md"
    lesson.write_text("Just text, no front matter.\n")
    assert problems_in(mini_course_path) == [
        "mini-course/modules/01-first-steps/02-data.md:1: must start with front matter: "
        "a line of ---, the settings, then ---"
    ]


def test_unknown_chart_dataset_and_term_references_name_the_line(mini_course_path: Path) -> None:
    lesson = mini_course_path / "modules/01-first-steps/01-welcome.md"
    edit(lesson, "{{ chart: nile-line }}", "{{ chart: nile-lines }}\n\n{{ dataset: nile-full }}")
    edit(lesson, "[[median]]", "[[modal]]")
    assert problems_in(mini_course_path) == [
        "mini-course/modules/01-first-steps/01-welcome.md:9: refers to the glossary term 'modal', "
        "which does not exist",
        "mini-course/modules/01-first-steps/01-welcome.md:11: refers to the chart 'nile-lines', "
        "which does not exist",
        "mini-course/modules/01-first-steps/01-welcome.md:13: refers to the dataset 'nile-full', "
        "which does not exist",
    ]


def test_csv_that_does_not_match_its_metadata_is_refused(mini_course_path: Path) -> None:
    edit(mini_course_path / "datasets/nile-sample.csv", "1873,963,", "1873,nine hundred,")
    # Reported once, where it is wrong; not again by the charts and lessons that use it.
    assert problems_in(mini_course_path) == [
        "mini-course/datasets/nile-sample.csv:4: column volume: 'nine hundred' is not a whole number"
    ]


def test_csv_with_missing_columns_is_refused(mini_course_path: Path) -> None:
    edit(mini_course_path / "datasets/nile-sample.csv", "year,volume,note", "year,volume")
    assert problems_in(mini_course_path) == [
        (
            "mini-course/datasets/nile-sample.csv:1: the header row is year, volume "
            "but the metadata lists year, volume, note"
        )
    ]


def test_chart_without_summary_is_refused(mini_course_path: Path) -> None:
    edit(
        mini_course_path / "charts/nile-line.yaml",
        "summary: The flow varied between 963 and 1,210 with no trend over the five years.\n",
        "",
    )
    assert problems_in(mini_course_path) == [
        "mini-course/charts/nile-line.yaml: summary is required (what the chart shows and its main takeaway)"
    ]


def test_chart_with_unknown_column_names_its_line(mini_course_path: Path) -> None:
    edit(mini_course_path / "charts/nile-bars.yaml", "y: volume", "y: flow")
    assert problems_in(mini_course_path) == [
        "mini-course/charts/nile-bars.yaml:5: y: the dataset has no column 'flow'"
    ]


def test_many_problems_are_reported_together(mini_course_path: Path) -> None:
    (mini_course_path / "course.md").write_text("---\ntitle: x\n---\n")
    (mini_course_path / "glossary.yaml").write_text(
        "- term: Median\n- term: Median\n  definition: d\n"
    )
    (mini_course_path / "modules/02-next-steps/module.yaml").write_text("summary: no title\n")
    found = problems_in(mini_course_path)
    assert "mini-course/course.md:1: summary is required" in found
    assert "mini-course/glossary.yaml:1: each entry needs a term and a definition" in found
    assert "mini-course/modules/02-next-steps/module.yaml:1: title is required" in found


def test_nothing_is_saved_when_anything_is_wrong(mini_course_path: Path, capsys) -> None:
    edit(mini_course_path / "charts/nile-bars.yaml", "y: volume", "y: flow")
    with pytest.raises(CommandError, match="1 problem found .* nothing was saved"):
        call_command("import_course", str(mini_course_path))
    assert "nile-bars.yaml:5: y: the dataset has no column 'flow'" in capsys.readouterr().err
    assert not Course.objects.exists()
    assert not Dataset.objects.exists()


def test_a_failed_reimport_leaves_the_existing_course_untouched(
    mini_course, mini_course_path: Path
) -> None:
    edit(mini_course_path / "course.md", "title: Mini course", "title: Renamed")
    edit(mini_course_path / "charts/nile-bars.yaml", "y: volume", "y: flow")
    with pytest.raises(ContentInvalid):
        services.import_course(path=mini_course_path)
    assert Course.objects.get().title == "Mini course"


def test_reimport_updates_in_place_and_keeps_learner_records(
    mini_course, mini_course_path, learner
) -> None:
    lesson = Lesson.objects.get(slug="welcome")
    LessonCompletion.objects.create(learner=learner, lesson=lesson)
    edit(
        mini_course_path / "modules/01-first-steps/01-welcome.md", "title: Welcome", "title: Hello"
    )
    (mini_course_path / "modules/02-next-steps/01-questions.md").unlink()
    (mini_course_path / "modules/02-next-steps").rename(mini_course_path / "modules/03-next-steps")
    (mini_course_path / "modules/03-next-steps/01-more.md").write_text(
        "---\ntitle: More\n---\nText.\n"
    )
    course = services.import_course(path=mini_course_path)
    assert course.pk == mini_course.pk
    lesson.refresh_from_db()
    assert lesson.title == "Hello"
    assert LessonCompletion.objects.filter(learner=learner, lesson=lesson).exists()
    assert list(Lesson.objects.filter(module__course=course).values_list("slug", flat=True)) == [
        "welcome",
        "data",
        "more",
    ]
    assert Module.objects.get(slug="next-steps").position == 3


def test_reimporting_the_same_folder_changes_nothing(mini_course) -> None:
    before = Lesson.objects.order_by("pk").values_list("pk", "updated_at")
    before = list(before)
    services.import_course(path=Path(__file__).parent / "fixtures" / "mini-course")
    assert list(Lesson.objects.order_by("pk").values_list("pk", "updated_at")) == before


def snapshot(course: Course) -> dict:
    return {
        "course": Course.objects.filter(pk=course.pk)
        .values(
            "slug",
            "title",
            "summary",
            "audience",
            "outcomes",
            "estimated_minutes",
            "introduction",
            "published",
        )
        .get(),
        "modules": list(course.modules.values("slug", "title", "summary", "position")),
        "lessons": list(
            Lesson.objects.filter(module__course=course).values(
                "module__slug",
                "slug",
                "title",
                "body",
                "estimated_minutes",
                "objectives",
                "position",
            )
        ),
        "terms": list(course.glossary_terms.values("slug", "term", "definition")),
        "datasets": list(
            course.datasets.values(
                "slug",
                "title",
                "description",
                "source_organisation",
                "source_url",
                "licence",
                "data_date",
                "columns",
                "csv_text",
                "row_count",
            )
        ),
        "charts": list(
            course.charts.values("slug", "title", "dataset__slug", "spec", "summary", "source_note")
        ),
        "exercises": list(
            course.exercises.values(
                "slug",
                "title",
                "kind",
                "prompt",
                "spec",
                "hints",
                "explanation",
                "chart__slug",
                "max_attempts",
                "reveal_answer",
                "ask_confidence",
                "certainty_based_marking",
                "fingerprint",
            )
        ),
    }


def test_export_then_import_gives_back_the_same_course(mini_course, tmp_path: Path) -> None:
    before = snapshot(mini_course)
    folder = export_course(course=mini_course, destination=tmp_path)
    assert folder == tmp_path / "mini-course"
    mini_course.delete()
    again = services.import_course(path=folder)
    assert snapshot(again) == before


def test_export_command_writes_the_folder(mini_course, tmp_path: Path) -> None:
    call_command("export_course", "mini-course", str(tmp_path))
    assert (tmp_path / "mini-course" / "modules" / "01-first-steps" / "01-welcome.md").exists()
    with pytest.raises(CommandError, match="no course with the slug 'nope'"):
        call_command("export_course", "nope", str(tmp_path))


def test_check_mode_saves_nothing(capsys) -> None:
    call_command(
        "import_course", str(Path(__file__).parent / "fixtures" / "mini-course"), "--check"
    )
    assert "is valid: 2 modules, 3 lessons" in capsys.readouterr().out
    assert not Course.objects.exists()


def test_values_longer_than_the_database_takes_are_refused(mini_course_path: Path) -> None:
    long_name = "a-" * 60 + "chart"
    (mini_course_path / "charts/nile-bars.yaml").rename(
        mini_course_path / f"charts/{long_name}.yaml"
    )
    edit(mini_course_path / "modules/01-first-steps/02-data.md", "nile-bars", long_name)
    edit(
        mini_course_path / "datasets/nile-sample.yaml",
        "licence: Public domain",
        "licence: " + "x" * 301,
    )
    found = problems_in(mini_course_path)
    assert f"mini-course/charts/{long_name}.yaml: the name is longer than 100 characters" in found
    assert "mini-course/datasets/nile-sample.yaml:5: licence is longer than 300 characters" in found


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "compute: {column: volume, aggregate: sum}",
            "compute: {column: [volume], aggregate: sum}",
        ),
        ("compute: {column: volume, aggregate: sum}", "answer: .nan"),
        (
            "compute: {column: volume, aggregate: sum}",
            "compute: {column: volume, aggregate: sum, filters: [{column: year, in: 5}]}",
        ),
    ],
)
def test_exercise_values_of_the_wrong_type_are_reported_not_crashed_on(
    mini_course_path: Path, old: str, new: str
) -> None:
    edit(mini_course_path / "exercises/total-flow.yaml", old, new)
    found = problems_in(mini_course_path)
    assert len(found) >= 1
    assert all(p.startswith("mini-course/exercises/total-flow.yaml") for p in found)


def test_a_chart_file_that_is_not_yaml_is_reported_once(mini_course_path: Path) -> None:
    (mini_course_path / "charts/nile-line.yaml").write_text("title: [unclosed\n")
    found = [p for p in problems_in(mini_course_path) if "charts/nile-line.yaml" in p]
    assert found == [
        "mini-course/charts/nile-line.yaml:2: is not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_yaml_aliases_are_refused_before_they_can_expand(mini_course_path: Path) -> None:
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(9)
    )
    (mini_course_path / "charts/nile-line.yaml").write_text(laughs)
    found = [p for p in problems_in(mini_course_path) if "charts/nile-line.yaml" in p]
    assert found == [
        "mini-course/charts/nile-line.yaml:2: uses a YAML alias (*name): write the value out"
    ]


def test_deeply_nested_yaml_is_refused_not_crashed_on(mini_course_path: Path) -> None:
    (mini_course_path / "glossary.yaml").write_text(
        "- term: x\n  definition: " + "[" * 3000 + "]" * 3000 + "\n"
    )
    found = [p for p in problems_in(mini_course_path) if "glossary.yaml" in p]
    assert found == ["mini-course/glossary.yaml:2: nests lists or sections too deeply"]
