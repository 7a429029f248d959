"""Reading a course folder (the format in docs/authoring.md) into checked, plain values.

``read_course`` checks everything and raises ContentInvalid listing every problem, with file
and line, before anything is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from courses.content import charts as chart_content
from courses.content import markdown as md
from courses.content.datasets import Column, columns_from_metadata, parse_csv
from courses.content.problems import ContentInvalid, Problem

NUMBERED = re.compile(r"^(?P<position>\d+)-(?P<slug>.+)$")
# The longest value each database column takes (see courses.models).
MAX_LENGTHS = {
    "slug": 100, "title": 200, "term": 200, "source_organisation": 300, "licence": 300,
    "data_date": 100, "source_url": 500, "source_note": 500,
}  # fmt: skip
COURSE_KEYS = {"title", "summary", "audience", "outcomes", "estimated_minutes", "published"}
MODULE_KEYS = {"title", "summary"}
LESSON_KEYS = {"title", "estimated_minutes", "objectives"}
DATASET_KEYS = {
    "title", "description", "source_organisation", "source_url", "licence", "data_date", "columns",
}  # fmt: skip
MAX_LESSON_MINUTES = 180
MAX_LESSON_CHARACTERS = 100_000
TEXT_KEYS = {
    "title", "summary", "audience", "description", "source_organisation", "source_url", "licence",
}  # fmt: skip
MAX_POSITION = 1_000_000
MAX_YAML_DEPTH = 20
RESERVED_MODULE_SLUGS = {"glossary", "datasets", "charts", "exercises"}


@dataclass
class LessonFile:
    slug: str
    title: str
    body: str
    estimated_minutes: int
    objectives: list[str]
    position: int


@dataclass
class ModuleFolder:
    slug: str
    title: str
    summary: str
    position: int
    lessons: list[LessonFile] = field(default_factory=list)


@dataclass
class DatasetFile:
    slug: str
    title: str
    description: str
    source_organisation: str
    source_url: str
    licence: str
    data_date: str
    columns: list[Column]
    csv_text: str
    row_count: int


@dataclass
class ChartFile:
    slug: str
    title: str
    dataset: str
    spec: dict[str, Any]
    summary: str
    source_note: str


@dataclass
class TermEntry:
    slug: str
    term: str
    definition: str


@dataclass
class CourseBundle:
    slug: str
    title: str
    summary: str
    audience: str
    outcomes: list[str]
    estimated_minutes: int
    introduction: str
    published: bool
    modules: list[ModuleFolder]
    datasets: list[DatasetFile]
    charts: list[ChartFile]
    terms: list[TermEntry]
    exercises: list[Any] = field(default_factory=list)  # exercises.content.ExerciseFile


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            self.problem(path, None, f"is not UTF-8 text (byte {error.start}): save it as UTF-8")
        except OSError as error:
            self.problem(path, None, f"cannot be read: {error.strerror}")
        return None

    def load_yaml(
        self, text: str, path: Path, *, first_line: int = 1
    ) -> tuple[Any, dict[str, int]]:
        """Parse YAML; return the data and the line of each top-level key."""
        try:
            # Aliases (&a … *a) are refused: a few lines of them can stand for billions of
            # values once anything walks the data, and course files never need them.
            # So is deep nesting: the parser recurses once per level.
            depth = 0
            for event in yaml.parse(text):
                mark = event.start_mark
                line = mark.line + first_line if mark is not None else first_line
                if isinstance(event, yaml.AliasEvent):
                    self.problem(path, line, "uses a YAML alias (*name): write the value out")
                    return None, {}
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_YAML_DEPTH:
                        self.problem(path, line, "nests lists or sections too deeply")
                        return None, {}
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
            data = yaml.safe_load(text)
            node = yaml.compose(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + first_line if mark is not None else first_line
            reason = getattr(error, "problem", None) or str(error)
            self.problem(path, line, f"is not valid YAML: {reason}")
            return None, {}
        lines: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key, _ in node.value:
                lines[str(key.value)] = key.start_mark.line + first_line
        return data, lines

    def front_matter(self, path: Path) -> tuple[dict[str, Any], dict[str, int], str, int] | None:
        text = self.read_text(path)
        if text is None:
            return None
        lines = text.splitlines(keepends=True)
        if not lines or lines[0].strip() != "---":
            self.problem(
                path, 1, "must start with front matter: a line of ---, the settings, then ---"
            )
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            self.problem(path, 1, "the front matter is never closed with a line of ---")
            return None
        data, key_lines = self.load_yaml("".join(lines[1:end]), path, first_line=2)
        if data is None and not key_lines:
            if not any(p.path == self.rel(path) for p in self.problems):
                self.problem(path, 2, "the front matter is empty")
            return None
        if not isinstance(data, dict):
            self.problem(path, 2, "the front matter must be settings written as name: value")
            return None
        return data, key_lines, "".join(lines[end + 1 :]), end + 2

    def check_lengths(self, data: dict[str, Any], lines: dict[str, int], path: Path) -> bool:
        ok = True
        for key, limit in MAX_LENGTHS.items():
            value = data.get(key)
            if isinstance(value, str) and len(value.strip()) > limit:
                self.problem(path, lines.get(key), f"{key} is longer than {limit} characters")
                ok = False
        return ok

    def file_slug(self, path: Path, noun: str) -> str | None:
        """The slug a file's name gives, or None (with a problem reported) if it is not one."""
        slug = path.stem
        if not self.check_slug(slug, path):
            return None
        if not md.SLUG_RE.match(slug):
            self.problem(
                path, None, f"the file name is the {noun}'s slug: lowercase words joined by hyphens"
            )
            return None
        return slug

    def yaml_files(
        self, folder: Path, noun: str
    ) -> Iterator[tuple[Path, str, Any, dict[str, int]]]:
        """Each ``<slug>.yaml`` in folder, parsed: (path, slug, data, line of each key). Files
        with a bad name, unreadable text, bad YAML or nothing in them are reported, once."""
        for path in sorted(folder.glob("*.yaml")):
            slug = self.file_slug(path, noun)
            if slug is None:
                continue
            text = self.read_text(path)
            if text is None:
                continue
            data, lines = self.load_yaml(text, path)
            if data is None:
                if not any(p.path == self.rel(path) for p in self.problems):
                    self.problem(path, 1, f"the {noun} file is empty")
                continue
            yield path, slug, data, lines

    def check_slug(self, slug: str, path: Path) -> bool:
        if len(slug) > MAX_LENGTHS["slug"]:
            self.problem(path, None, f"the name is longer than {MAX_LENGTHS['slug']} characters")
            return False
        return True

    def check_keys(self, data: dict[str, Any], lines: dict[str, int], allowed: set[str],
                   required: tuple[str, ...], path: Path) -> bool:  # fmt: skip
        ok = self.check_lengths(data, lines, path)
        for key in data:
            if key not in allowed:
                self.problem(
                    path,
                    lines.get(str(key)),
                    f"unknown setting {key!r}; allowed: {', '.join(sorted(allowed))}",
                )
        for key in TEXT_KEYS & set(data):
            if data[key] is not None and not isinstance(data[key], str):
                self.problem(path, lines.get(key), f"{key} must be text")
                ok = False
        for key in required:
            value = data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.problem(path, lines.get(key) or 1, f"{key} is required")
                ok = False
        return ok

    def text_list(
        self, data: dict[str, Any], key: str, lines: dict[str, int], path: Path
    ) -> list[str]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(path, lines.get(key), f"{key} must be a list of sentences")
            return []
        return [v.strip() for v in value]

    def minutes(self, data: dict[str, Any], key: str, lines: dict[str, int], path: Path,
                *, default: int, low: int, high: int) -> int:  # fmt: skip
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(path, lines.get(key), f"{key} must be a whole number from {low} to {high}")
            return default
        return value

    def numbered(self, path: Path) -> tuple[int, str] | None:
        match = NUMBERED.match(path.stem if path.is_file() else path.name)
        if match and not self.check_slug(match["slug"], path):
            return None
        if match and int(match["position"]) > MAX_POSITION:
            self.problem(path, None, f"the number in the name must be at most {MAX_POSITION:,}")
            return None
        if not match or not md.SLUG_RE.match(match["slug"]):
            self.problem(
                path,
                None,
                "the name must be a number, a hyphen and a slug, such as 01-reading-charts",
            )
            return None
        return int(match["position"]), match["slug"]


def read_course(root: Path) -> CourseBundle:
    """Read and check a whole course folder. Raises ContentInvalid with every problem found."""
    root = root.resolve()
    reader = _Reader(root)
    if not root.is_dir():
        raise ContentInvalid([Problem(str(root), None, "is not a folder")])
    reader.check_slug(root.name, root)
    if not md.SLUG_RE.match(root.name):
        reader.problem(
            root, None, "the folder name is the course's slug: lowercase words joined by hyphens"
        )

    course = _read_course_file(reader, root / "course.md")
    terms = _read_glossary(reader, root / "glossary.yaml")
    datasets, rows = _read_datasets(reader, root / "datasets")
    charts = _read_charts(reader, root / "charts", datasets, rows)
    exercises = _read_exercises(reader, root / "exercises", _slugs(root / "charts"), datasets, rows)
    # References are checked against the files present: a chart or dataset with problems of
    # its own is reported once, not again by every lesson that uses it.
    modules = _read_modules(reader, root / "modules", _slugs(root / "charts"),
                            _slugs(root / "datasets"), {t.slug for t in terms},
                            _slugs(root / "exercises"))  # fmt: skip
    if course is not None:
        known = {
            "chart": _slugs(root / "charts"),
            "dataset": _slugs(root / "datasets"),
            "term": {t.slug for t in terms},
            "exercise": _slugs(root / "exercises"),
        }
        _check_references(reader, root / "course.md", course[0].pop("_references"), known)
    if reader.problems or course is None:
        raise ContentInvalid(reader.problems)
    meta, introduction = course
    lesson_minutes = sum(lesson.estimated_minutes for m in modules for lesson in m.lessons)
    return CourseBundle(
        slug=root.name,
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        audience=str(meta.get("audience") or "").strip(),
        outcomes=meta["outcomes"],
        estimated_minutes=meta.get("estimated_minutes") or lesson_minutes,
        introduction=introduction,
        published=bool(meta.get("published", False)),
        modules=modules,
        datasets=datasets,
        charts=charts,
        terms=terms,
        exercises=exercises,
    )


def _slugs(folder: Path) -> set[str]:
    return {path.stem for path in folder.glob("*.yaml")} if folder.is_dir() else set()


def _read_course_file(reader: _Reader, path: Path) -> tuple[dict[str, Any], str] | None:
    if not path.is_file():
        reader.problem(path, None, "is missing: every course folder needs a course.md")
        return None
    parsed = reader.front_matter(path)
    if parsed is None:
        return None
    data, lines, body, first_line = parsed
    reader.check_keys(data, lines, COURSE_KEYS, ("title", "summary"), path)
    data["outcomes"] = reader.text_list(data, "outcomes", lines, path)
    if "estimated_minutes" in data:
        data["estimated_minutes"] = reader.minutes(data, "estimated_minutes", lines, path,
                                                   default=0, low=1, high=10_000)  # fmt: skip
    if not isinstance(data.get("published", False), bool):
        reader.problem(path, lines.get("published"), "published must be true or false")
    references, problems = md.problems_in(body, path=reader.rel(path), first_line=first_line)
    reader.problems += problems
    data["_references"] = references
    return data, body.strip()


def _read_glossary(reader: _Reader, path: Path) -> list[TermEntry]:
    if not path.exists():
        return []
    text = reader.read_text(path)
    if text is None:
        return []
    data, _ = reader.load_yaml(text, path)
    if data is None:
        return []
    if not isinstance(data, list):
        reader.problem(path, 1, "must be a list of terms, each with term and definition")
        return []
    document = yaml.compose(text)
    item_lines = [n.start_mark.line + 1 for n in document.value] if document else []
    terms: dict[str, TermEntry] = {}
    for entry, line in zip(data, item_lines, strict=True):
        if not isinstance(entry, dict) or not entry.get("term") or not entry.get("definition"):
            reader.problem(path, line, "each entry needs a term and a definition")
            continue
        slug = str(
            entry.get("slug") or re.sub(r"[^a-z0-9]+", "-", str(entry["term"]).lower()).strip("-")
        )
        if len(slug) > MAX_LENGTHS["slug"] or len(str(entry["term"])) > MAX_LENGTHS["term"]:
            reader.problem(path, line, "the term or its slug is too long")
        elif not md.SLUG_RE.match(slug):
            reader.problem(path, line, f"slug {slug!r} must be lowercase words joined by hyphens")
        elif slug in terms:
            reader.problem(path, line, f"the term {slug!r} is defined twice")
        else:
            terms[slug] = TermEntry(
                slug, str(entry["term"]).strip(), str(entry["definition"]).strip()
            )
    return list(terms.values())


def _read_datasets(
    reader: _Reader, folder: Path
) -> tuple[list[DatasetFile], dict[str, list[dict[str, Any]]]]:
    datasets: list[DatasetFile] = []
    rows_by_slug: dict[str, list[dict[str, Any]]] = {}
    if not folder.is_dir():
        return datasets, rows_by_slug
    for csv_path in sorted(folder.glob("*.csv")):
        if not (folder / f"{csv_path.stem}.yaml").exists():
            reader.problem(csv_path, None, f"has no metadata: add {csv_path.stem}.yaml next to it")
    for meta_path in sorted(folder.glob("*.yaml")):
        slug = reader.file_slug(meta_path, "dataset")
        if slug is None:
            continue
        csv_path = folder / f"{slug}.csv"
        if not csv_path.exists():
            reader.problem(meta_path, None, f"describes {slug}.csv, which is missing")
            continue
        text = reader.read_text(meta_path)
        data, lines = reader.load_yaml(text, meta_path) if text is not None else (None, {})
        if not isinstance(data, dict):
            if text is not None and data is not None:
                reader.problem(meta_path, 1, "must be settings written as name: value")
            continue
        required = tuple(sorted(DATASET_KEYS))
        if not reader.check_keys(data, lines, DATASET_KEYS, required, meta_path):
            continue
        if not str(data["source_url"]).startswith(("https://", "http://")):
            reader.problem(meta_path, lines.get("source_url"), "source_url must be a web address")
        columns, problems = columns_from_metadata(data["columns"], path=reader.rel(meta_path),
                                                  line=lines.get("columns"))  # fmt: skip
        reader.problems += problems
        csv_text = reader.read_text(csv_path)
        if problems or csv_text is None:
            continue
        rows, problems = parse_csv(csv_text, columns, path=reader.rel(csv_path))
        reader.problems += problems
        if problems:
            continue
        rows_by_slug[slug] = rows
        datasets.append(
            DatasetFile(
                slug=slug,
                title=str(data["title"]).strip(),
                description=str(data["description"]).strip(),
                source_organisation=str(data["source_organisation"]).strip(),
                source_url=str(data["source_url"]).strip(),
                licence=str(data["licence"]).strip(),
                data_date=str(data["data_date"]).strip(),
                columns=columns,
                csv_text=csv_text,
                row_count=len(rows),
            )
        )
    return datasets, rows_by_slug


def _read_exercises(reader: _Reader, folder: Path, charts: set[str], datasets: list[DatasetFile],
                    rows: dict[str, list[dict[str, Any]]]) -> list[Any]:  # fmt: skip
    from exercises.content import check_exercise

    if not folder.is_dir():
        return []
    columns = {d.slug: d.columns for d in datasets}
    exercises = []
    for path, slug, data, lines in reader.yaml_files(folder, "exercise"):
        used = (data.get("datasets") or [data.get("dataset")]) if isinstance(data, dict) else []
        if isinstance(used, list) and any(_broken_dataset(folder, d, columns) for d in used):
            continue  # a dataset it uses has problems of its own, reported there
        exercise, problems = check_exercise(
            data, slug=slug, path=reader.rel(path), lines=lines, charts=charts,
            datasets=columns, rows=rows,
        )  # fmt: skip
        reader.problems += problems
        if exercise is not None:
            exercises.append(exercise)
    return exercises


def _broken_dataset(folder: Path, name: Any, valid: Mapping[str, Any]) -> bool:
    """Whether ``name`` is a dataset whose files exist but did not pass their checks."""
    return (
        isinstance(name, str)
        and name not in valid
        and (folder.parent / "datasets" / f"{name}.yaml").exists()
    )


def _line_for(message: str, lines: dict[str, int]) -> int | None:
    first = message.split()[0].rstrip(":")
    if first in ("filter", "annotation"):
        return lines.get(first + "s")
    if message.startswith("unknown key"):
        quoted = message.split("'")
        return lines.get(quoted[1]) if len(quoted) > 2 else None
    return lines.get(first)


def _read_charts(reader: _Reader, folder: Path, datasets: list[DatasetFile],
                 rows: dict[str, list[dict[str, Any]]]) -> list[ChartFile]:  # fmt: skip
    charts: list[ChartFile] = []
    if not folder.is_dir():
        return charts
    by_slug = {d.slug: d for d in datasets}
    for path, slug, data, lines in reader.yaml_files(folder, "chart"):
        dataset_slug = data.get("dataset") if isinstance(data, dict) else None
        dataset = by_slug.get(str(dataset_slug))
        if _broken_dataset(folder, dataset_slug, by_slug):
            continue  # the dataset has problems of its own, reported there
        if isinstance(data, dict) and dataset_slug and dataset is None:
            reader.problem(
                path,
                lines.get("dataset"),
                f"uses the dataset {dataset_slug!r}, which does not exist",
            )
            continue
        columns = dataset.columns if dataset else []
        if isinstance(data, dict) and not reader.check_lengths(data, lines, path):
            continue
        problems = chart_content.validate_spec(data, columns, path=reader.rel(path))
        problems = [
            Problem(p.path, p.line or _line_for(p.message, lines), p.message) for p in problems
        ]
        if not problems and dataset is not None:
            problems = chart_content.check_series(
                data, rows[dataset.slug], dataset.columns, path=reader.rel(path)
            )
        reader.problems += problems
        if problems:
            continue
        spec = {
            k: chart_content.plain(v)
            for k, v in data.items()
            if k not in ("title", "dataset", "summary", "source_note")
        }
        charts.append(
            ChartFile(
                slug,
                str(data["title"]).strip(),
                dataset.slug if dataset else "",
                spec,
                str(data["summary"]).strip(),
                str(data.get("source_note") or "").strip(),
            )  # fmt: skip
        )
    return charts


def _read_modules(
    reader: _Reader,
    folder: Path,
    charts: set[str],
    datasets: set[str],
    terms: set[str],
    exercises: set[str],
) -> list[ModuleFolder]:  # fmt: skip
    if not folder.is_dir():
        reader.problem(folder, None, "is missing: a course needs at least one module")
        return []
    modules: list[ModuleFolder] = []
    known = {"chart": charts, "dataset": datasets, "term": terms, "exercise": exercises}
    for module_path in sorted(p for p in folder.iterdir() if p.is_dir()):
        numbered = reader.numbered(module_path)
        if numbered is None:
            continue
        position, slug = numbered
        if slug in RESERVED_MODULE_SLUGS:
            reader.problem(
                module_path,
                None,
                f"{slug!r} is reserved for the course's own pages: choose another name",
            )
        meta_path = module_path / "module.yaml"
        meta: dict[str, Any] = {}
        if not meta_path.exists():
            reader.problem(meta_path, None, "is missing: give the module a title")
        else:
            text = reader.read_text(meta_path)
            data, lines = reader.load_yaml(text, meta_path) if text is not None else (None, {})
            if isinstance(data, dict):
                reader.check_keys(data, lines, MODULE_KEYS, ("title",), meta_path)
                meta = data
            elif text is not None:
                reader.problem(meta_path, 1, "must be settings written as name: value")
        module = ModuleFolder(slug, str(meta.get("title") or "").strip(),
                              str(meta.get("summary") or "").strip(), position)  # fmt: skip
        for lesson_path in sorted(module_path.glob("*.md")):
            lesson = _read_lesson(reader, lesson_path, known)
            if lesson is not None:
                module.lessons.append(lesson)
        _check_unique(
            reader,
            module_path,
            [(lesson.position, lesson.slug) for lesson in module.lessons],
            "lesson",
        )
        if not module.lessons and not any(
            p.path.startswith(reader.rel(module_path)) for p in reader.problems
        ):
            reader.problem(
                module_path, None, "has no lessons: add a file such as 01-introduction.md"
            )
        modules.append(module)
    _check_unique(reader, folder, [(m.position, m.slug) for m in modules], "module")
    if not modules and not reader.problems:
        reader.problem(folder, None, "has no modules: add a folder such as 01-introduction")
    return sorted(modules, key=lambda m: m.position)


def _check_unique(reader: _Reader, folder: Path, items: list[tuple[int, str]], noun: str) -> None:
    for index, (position, slug) in enumerate(items):
        for other_position, other_slug in items[:index]:
            if position == other_position:
                reader.problem(
                    folder, None, f"two {noun}s are numbered {position}: {other_slug} and {slug}"
                )
            if slug == other_slug:
                reader.problem(folder, None, f"two {noun}s have the slug {slug}")


def _check_references(reader: _Reader, path: Path, references: list[md.Reference],
                      known: dict[str, set[str]]) -> None:  # fmt: skip
    for ref in references:
        if ref.kind in known and ref.slug not in known[ref.kind]:
            noun = {"term": "glossary term"}.get(ref.kind, ref.kind)
            reader.problem(
                path, ref.line, f"refers to the {noun} {ref.slug!r}, which does not exist"
            )


def _read_lesson(reader: _Reader, path: Path, known: dict[str, set[str]]) -> LessonFile | None:
    numbered = reader.numbered(path)
    parsed = reader.front_matter(path)
    if numbered is None or parsed is None:
        return None
    data, lines, body, first_line = parsed
    ok = reader.check_keys(data, lines, LESSON_KEYS, ("title",), path)
    minutes = reader.minutes(
        data, "estimated_minutes", lines, path, default=5, low=1, high=MAX_LESSON_MINUTES
    )
    objectives = reader.text_list(data, "objectives", lines, path)
    if not body.strip():
        reader.problem(path, first_line, "the lesson has no text after its front matter")
        ok = False
    elif len(body) > MAX_LESSON_CHARACTERS:
        reader.problem(
            path,
            first_line,
            f"the lesson is longer than {MAX_LESSON_CHARACTERS:,} characters: split it",
        )
        ok = False
    references, problems = md.problems_in(body, path=reader.rel(path), first_line=first_line)
    reader.problems += problems
    _check_references(reader, path, references, known)
    if not ok or problems:
        return None
    position, slug = numbered
    return LessonFile(
        slug, str(data["title"]).strip(), body.strip() + "\n", minutes, objectives, position
    )
