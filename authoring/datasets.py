"""Datasets in the authoring workspace: checking an uploaded CSV file, and the services that
create, change, replace and delete a draft's datasets.

An upload is checked completely before anything is saved: its size, its encoding, its
delimiter, its header row, the shape of every row and a type for every column (inferred, with
mixed columns reported by row and column). What is stored must then pass the same checks that
``read_course`` applies to a course folder (``courses.content.datasets``): those are run on the
result, so the two can never disagree about what a valid dataset is.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import User
from authoring import references, services
from authoring.checks import editorial_problems
from authoring.models import Workspace
from courses import services as course_services
from courses.content import charts as chart_content
from courses.content.datasets import (
    COLUMN_TYPES,
    MAX_ROWS,
    NAME,
    Column,
    Row,
    column_list,
    columns_from_metadata,
    parse_csv,
    parse_value,
)
from courses.content.folder import CourseBundle, DatasetFile
from courses.models import Chart, Course, Dataset
from courses.rendering import dataset_rows

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Room for the form's other fields around the file; a request body larger than the file limit
# plus this is refused before any of it is read.
MAX_FORM_BYTES = 1024 * 1024
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + MAX_FORM_BYTES
MAX_COLUMNS = 100
MAX_COLUMN_NAME = 60
MAX_DESCRIPTION = 300  # of a column: the edit form's limit
MAX_MESSAGES = 20
PREVIEW_ROWS = 10
TYPE_LABELS = {
    "text": "Text",
    "integer": "Whole number",
    "number": "Number (decimals allowed)",
    "date": "Date (YYYY-MM-DD)",
}
SAVE_AS_CSV = (
    "In Excel, choose File, Save a copy (or Save as), and pick “CSV UTF-8 (Comma delimited)”; "
    "in Google Sheets, choose File, Download, “Comma-separated values”"
)
TOO_BIG = (
    f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Upload a smaller file: "
    "remove the columns and rows the course does not need"
)
assert set(TYPE_LABELS) == set(COLUMN_TYPES)


class CsvRejected(Exception):
    """The file cannot be a dataset; ``messages`` say why, each naming the row and column."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages[: MAX_MESSAGES + 1]
        super().__init__("; ".join(self.messages))


class SlugTaken(Exception):
    pass


class DatasetInUse(Exception):
    def __init__(self, usages: list[Usage]) -> None:
        self.usages = usages
        super().__init__(f"used by {len(usages)} things")


class DependantsBroken(Exception):
    """The change would break charts or exercises that use the dataset."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


# --- Checking an upload ---------------------------------------------------------------------


class UploadSizeLimit(FileUploadHandler):
    """Drops an uploaded file as soon as it passes ``limit`` bytes, so that an oversized file
    is never kept whole (in memory or on disk); the form's other fields are still read. The
    view asks ``too_big(field)`` to tell a file that was too big from one never sent."""

    def __init__(self, request: HttpRequest, limit: int = MAX_UPLOAD_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.oversized: set[str] = set()

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def too_big(self, field_name: str) -> bool:
        return field_name in self.oversized


def read_upload(upload: UploadedFile) -> str:
    """The text of an uploaded CSV file, or CsvRejected saying why it cannot be read."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise CsvRejected([TOO_BIG])
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise CsvRejected([TOO_BIG])
    if not data.strip():
        raise CsvRejected(["The file is empty: it needs a row of column headings, then the data"])
    if data.startswith(b"PK\x03\x04"):
        raise CsvRejected(
            [f"The file is a spreadsheet workbook (such as .xlsx), not a CSV file. {SAVE_AS_CSV}"]
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRejected(
            [f"The file is saved as “Unicode text” (UTF-16), not as CSV UTF-8. {SAVE_AS_CSV}"]
        )
    if b"\x00" in data[:8192]:
        raise CsvRejected(
            [f"The file is not a CSV file: it holds binary data, not text. {SAVE_AS_CSV}"]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise CsvRejected(
            [
                f"The file is not saved as UTF-8 text (the first character that is not is in "
                f"row {row}). {SAVE_AS_CSV}"
            ]
        ) from None


def column_name(label: str, position: int) -> str:
    """A valid column name (letters, digits and underscores) for a heading such as
    “Life expectancy (years)”: life_expectancy_years."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_").lower()
    name = name[:MAX_COLUMN_NAME].rstrip("_")
    if not name:
        return f"column_{position}"
    if not NAME.match(name):
        name = f"column_{name}"[:MAX_COLUMN_NAME].rstrip("_")
    return name


_PROBES = {kind: Column(name="probe", type=kind) for kind in ("integer", "number", "date")}
# A type stops being tried on a column once this many of its cells did not fit, and fewer fit:
# the column is text, and testing the rest of its cells would only cost time.
_GIVE_UP = 1000


def _parses(cell: str, kind: str) -> bool:
    try:
        parse_value(cell, _PROBES[kind])
    except ValueError:
        return False
    return True


@dataclass
class _Tally:
    """What the cells of one column could be, and the first cells that rule out each type."""

    filled: int = 0
    blanks: int = 0
    trying: list[str] = field(default_factory=lambda: list(_PROBES))
    fits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_PROBES, 0))
    misfit_count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_PROBES, 0))
    misfits: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: {kind: [] for kind in _PROBES}
    )

    def add(self, cell: str, row: int) -> None:
        if cell == "":
            self.blanks += 1
            return
        self.filled += 1
        # Whole numbers, numbers and dates all start with a digit, a sign or a point: other
        # cells need no parsing (raising ValueError for each would make big files slow).
        digit_like = cell[0] in "+-." or cell[0].isdigit()
        for kind in self.trying:
            if digit_like and _parses(cell, kind):
                self.fits[kind] += 1
                continue
            self.misfit_count[kind] += 1
            if len(self.misfits[kind]) < 3:
                self.misfits[kind].append((row, cell))
            if self.misfit_count[kind] >= _GIVE_UP and self.misfit_count[kind] > self.fits[kind]:
                self.trying = [k for k in self.trying if k != kind]

    def inferred(self) -> str:
        for kind in _PROBES:
            if self.filled and self.fits[kind] == self.filled:
                return kind
        return "text"

    def mostly(self) -> str | None:
        """The type that at least half the filled cells have, when some do not."""
        for kind in ("number", "date"):
            if kind in self.trying and self.filled / 2 <= self.fits[kind] < self.filled:
                return kind
        return None


@dataclass(frozen=True)
class CheckedCsv:
    """An uploaded CSV file that can be a dataset: its columns (with inferred types and the
    headings kept as descriptions), its text with the headings replaced by the column names,
    and how many rows it has."""

    columns: list[Column]
    csv_text: str
    row_count: int


def check_csv(
    text: str, *, mixed_as_text: bool = False, text_columns: Collection[str] = ()
) -> CheckedCsv:
    """Check CSV text completely; CsvRejected lists what is wrong, by row and column.
    Columns named in ``text_columns`` (already text in the dataset being replaced) may mix
    numbers and text without that being a problem.

    Reading stops at the first row past MAX_ROWS, so a file of a million rows is refused
    without being parsed any further."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvRejected(
            ["The file is empty: it needs a row of headings, then the data"]
        ) from None
    except csv.Error as error:
        raise CsvRejected([f"The first row cannot be read as CSV ({error})"]) from None
    end = text.find("\n")
    _check_delimiter(text[:end] if end >= 0 else text)
    labels = [label.strip() for label in header]
    _check_header(labels)
    names = [column_name(label, position) for position, label in enumerate(labels, start=1)]
    _check_names(labels, names)

    tallies = [_Tally() for _ in labels]
    problems: list[str] = []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    row_count = 0
    try:
        for cells in reader:
            row = reader.line_num
            if not cells or cells == [""]:
                writer.writerow([])
                continue
            row_count += 1
            if row_count > MAX_ROWS:
                raise CsvRejected(
                    [
                        f"The file has more than {MAX_ROWS:,} rows of data. Upload a smaller "
                        "file: keep only the rows the course needs, or summarise the data"
                    ]
                )
            if len(cells) != len(labels):
                problems.append(
                    f"Row {row} has {len(cells)} cells, but the heading row has "
                    f"{len(labels)} columns: check for a missing or extra comma, or a cell "
                    "with a comma in it that is not in quotes"
                )
            else:
                for tally, cell in zip(tallies, cells, strict=True):
                    tally.add(cell.strip(), row)
            writer.writerow(cells)
            if len(problems) >= MAX_MESSAGES:
                problems.append("There are more problems: fix these, then upload the file again")
                break
    except csv.Error as error:
        problems.append(f"Row {reader.line_num} cannot be read as CSV ({error})")
    if problems:
        raise CsvRejected(problems)
    if row_count == 0:
        raise CsvRejected(["The file has a row of headings but no data under it"])

    columns = []
    for label, name, tally in zip(labels, names, tallies, strict=True):
        kind = tally.inferred()
        mostly = tally.mostly()
        if kind == "text" and mostly and not mixed_as_text and name not in text_columns:
            problems.append(_mixed_message(label, mostly, tally.misfits[mostly]))
        columns.append(
            Column(
                name=name,
                type=kind,
                description=label[:MAX_DESCRIPTION] if label != name else "",
                optional=tally.blanks > 0,
            )
        )
    if problems:
        raise CsvRejected(problems)
    csv_text = out.getvalue()
    rows = verify(csv_text, columns)
    return CheckedCsv(columns=columns, csv_text=csv_text, row_count=len(rows))


def _check_delimiter(first_line: str) -> None:
    """Refuse a file whose first line is separated by something other than commas."""
    commas = first_line.count(",")
    for mark, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        if first_line.count(mark) > commas:
            raise CsvRejected(
                [
                    f"The file is separated by {name}, not commas. Save it again as a CSV "
                    f"file with commas. {SAVE_AS_CSV}"
                ]
            )


def _check_header(labels: list[str]) -> None:
    if len(labels) > MAX_COLUMNS:
        raise CsvRejected(
            [f"The file has {len(labels)} columns; a dataset can have at most {MAX_COLUMNS}"]
        )
    if all(_looks_like_data(label) for label in labels):
        shown = ", ".join(labels[:4])
        raise CsvRejected(
            [
                f"The first row must be the column headings, but it looks like data ({shown}). "
                "Add a row of headings at the top, such as: year,region,population"
            ]
        )
    blanks = [position for position, label in enumerate(labels, start=1) if not label]
    if blanks:
        raise CsvRejected(
            [
                f"Column {position} has no heading in the first row. Give it a heading, or "
                "delete the column if it is empty"
                for position in blanks
            ]
        )


def _looks_like_data(label: str) -> bool:
    if label == "":
        return False
    for kind in ("number", "date"):
        try:
            parse_value(label, _PROBES[kind])
        except ValueError:
            continue
        return True
    return False


def _check_names(labels: list[str], names: list[str]) -> None:
    first: dict[str, int] = {}
    problems = []
    for position, name in enumerate(names, start=1):
        if name in first:
            earlier = first[name]
            same = labels[earlier - 1].lower() == labels[position - 1].lower()
            problems.append(
                f"Columns {earlier} and {position} both have the heading "
                f"“{labels[position - 1]}”: give each column a different heading"
                if same
                else f"Columns {earlier} (“{labels[earlier - 1]}”) and {position} "
                f"(“{labels[position - 1]}”) would both be called {name}: give them headings "
                "that differ in their letters or numbers"
            )
        else:
            first[name] = position
    if problems:
        raise CsvRejected(problems)


def _mixed_message(label: str, kind: str, misfits: list[tuple[int, str]]) -> str:
    noun = {"number": "numbers", "date": "dates in the form YYYY-MM-DD"}[kind]
    row, value = misfits[0]
    more = (
        f" (also row{'s' if len(misfits) > 2 else ''} {', '.join(str(r) for r, _ in misfits[1:])})"
        if len(misfits) > 1
        else ""
    )
    hint = _number_hint(value) if kind == "number" else ""
    return (
        f"Column “{label}” holds {noun}, but row {row} has “{value}”{more}.{hint} Leave the "
        "cell empty where a value is missing, or, if the column is meant to hold text, tick "
        "“Read columns that mix numbers and text as text” and upload the file again"
    )


def _number_hint(value: str) -> str:
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", value):
        return " Numbers must not have thousands separators: write 1234, not 1,234."
    if value.endswith("%"):
        return " Leave out the % sign, and say in the column's unit that it is a percentage."
    if value[:1] in "£$€":
        return " Leave out the currency sign, and give the currency as the column's unit."
    return ""


def verify(csv_text: str, columns: list[Column]) -> list[Row]:
    """Check the text and columns with the course folder's own rules (as ``read_course``
    does); returns the typed rows, or CsvRejected."""
    _, problems = columns_from_metadata(
        [column.as_dict() for column in columns], path="columns", line=None
    )
    rows, row_problems = parse_csv(csv_text, columns, path="data")
    problems += row_problems
    if problems:
        raise CsvRejected(
            [
                (f"Row {p.line}: " if p.line and p.path == "data" else "") + p.message
                for p in problems
            ]
        )
    return rows


def cell_problems(csv_text: str, columns: list[Column]) -> dict[int, list[str]]:
    """For each column (by position) that its cells do not fit, what is wrong with the first
    few, naming the row: used when an author changes a column's type or makes it required."""
    reader = csv.reader(io.StringIO(csv_text, newline=""), strict=True)
    next(reader, None)
    found: dict[int, list[str]] = {}
    total = 0
    for cells in reader:
        if not cells or cells == [""] or len(cells) != len(columns):
            continue
        for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
            messages = found.setdefault(index, [])
            if len(messages) >= 3:
                continue
            message = _cell_problem(cell.strip(), column)
            if message:
                messages.append(f"Row {reader.line_num}, column {column.name}: {message}")
                total += 1
        if total >= MAX_MESSAGES:
            break
    return {index: messages for index, messages in found.items() if messages}


def _cell_problem(cell: str, column: Column) -> str | None:
    if cell == "" and not column.optional:
        return f"the cell is empty. Tick “{column.name} can have empty cells”, or fill in the cell"
    try:
        parse_value(cell, column)
    except ValueError as error:
        hint = _number_hint(cell) if column.is_numeric else ""
        return f"{error}.{hint} Change the cell, or choose another type for the column"
    return None


def preview_rows(csv_text: str, limit: int = PREVIEW_ROWS) -> list[list[str]]:
    """The first rows of data, as the cells are written in the file."""
    reader = csv.reader(io.StringIO(csv_text, newline=""))
    next(reader, None)
    rows: list[list[str]] = []
    for cells in reader:
        if len(rows) >= limit:
            break
        if cells:
            rows.append(cells)
    return rows


# --- What uses a dataset, and whether it is ready -----------------------------------------


@dataclass(frozen=True)
class Usage:
    kind: str  # chart, exercise, lesson or course
    title: str
    url: str


def usages_in(*, workspace: Workspace) -> dict[str, list[Usage]]:
    """Everything in the draft that uses each dataset, by the dataset's slug: the charts drawn
    from it, the exercises that compute from or query it, and the lessons (and the course's
    introduction) that embed it. Three queries, however many datasets there are."""
    from exercises.models import Exercise

    draft = workspace.draft
    found: dict[str, list[Usage]] = {}

    def add(slug: str, usage: Usage) -> None:
        found.setdefault(slug, [])
        if usage not in found[slug]:
            found[slug].append(usage)

    slug = workspace.slug
    charts = Chart.objects.filter(course=draft).values_list("slug", "title", "dataset__slug")
    for chart_slug, title, dataset_slug in charts:
        url = reverse("authoring:chart_edit", kwargs={"course": slug, "chart": chart_slug})
        add(dataset_slug, Usage("chart", title, url))
    for exercise in Exercise.objects.filter(course=draft).only("slug", "title", "source"):
        url = reverse("authoring:exercise_edit", kwargs={"course": slug, "exercise": exercise.slug})
        for name in exercise_datasets(exercise.source):
            add(name, Usage("exercise", exercise.title, url))
    for name, lessons in references.lesson_embeds(draft=draft, kind="dataset").items():
        for lesson in lessons:
            url = reverse(
                "authoring:lesson_edit",
                kwargs={"course": slug, "module": lesson.module.slug, "lesson": lesson.slug},
            )
            add(name, Usage("lesson", lesson.title, url))
    for name in references.embedded(draft.introduction, "dataset"):
        add(name, Usage("course", "The course introduction", reverse(
            "authoring:details", kwargs={"course": slug})))  # fmt: skip
    return found


def exercise_datasets(source: Any) -> list[str]:
    if not isinstance(source, dict):
        return []
    names = source.get("datasets") or [source.get("dataset")]
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def readiness_problems(dataset: Dataset) -> list[str]:
    """What stops the dataset being used in a published course (the publish check's own
    editorial rules): columns without a description, no source or no licence."""
    columns = column_list(dataset.columns)
    item = DatasetFile(
        slug=dataset.slug, title=dataset.title, description=dataset.description,
        source_organisation=dataset.source_organisation, source_url=dataset.source_url,
        licence=dataset.licence, data_date=dataset.data_date, columns=columns,
        csv_text="", row_count=dataset.row_count,
    )  # fmt: skip
    bundle = CourseBundle(
        slug="check", title="", summary="", audience="", outcomes=[], estimated_minutes=0,
        introduction="", published=False, modules=[], datasets=[item], charts=[], terms=[],
    )  # fmt: skip
    path = f"datasets/{dataset.slug}.yaml"
    return [p.message for p in editorial_problems(bundle) if p.path == path]


# --- Charts and exercises that must keep working -------------------------------------------


def dependant_problems(*, dataset: Dataset, columns: list[Column], rows: list[Row]) -> list[str]:
    """What would break in the charts and exercises that use ``dataset`` if it had these
    columns and rows. Problems they already have are not this change's doing: left out."""
    new = _dependant_problems(dataset=dataset, columns=columns, rows=rows)
    if not new:
        return []
    old = set(
        _dependant_problems(
            dataset=dataset, columns=column_list(dataset.columns), rows=dataset_rows(dataset)
        )
    )
    return [message for message in new if message not in old]


def _dependant_problems(*, dataset: Dataset, columns: list[Column], rows: list[Row]) -> list[str]:
    from exercises.content import check_exercise
    from exercises.models import Exercise

    messages: list[str] = []
    for chart in Chart.objects.filter(dataset=dataset).order_by("slug"):
        spec = {
            **chart.spec,
            "title": chart.title,
            "dataset": dataset.slug,
            "summary": chart.summary or "-",
        }
        problems = chart_content.validate_spec(spec, columns, path="")
        if not problems:
            problems = chart_content.check_series(spec, rows, columns, path="")
        messages += [f"The chart “{chart.title}”: {p.message}" for p in problems]

    draft = dataset.course
    users = [
        exercise
        for exercise in Exercise.objects.filter(course=draft).order_by("slug")
        if dataset.slug in exercise_datasets(exercise.source)
    ]
    if not users:
        return messages
    others = {
        other.slug: other
        for other in Dataset.objects.filter(course=draft).exclude(pk=dataset.pk)
        if any(other.slug in exercise_datasets(e.source) for e in users)
    }
    all_columns = {slug: column_list(other.columns) for slug, other in others.items()}
    all_rows = {slug: dataset_rows(other) for slug, other in others.items()}
    all_columns[dataset.slug] = columns
    all_rows[dataset.slug] = rows
    chart_slugs = set(Chart.objects.filter(course=draft).values_list("slug", flat=True))
    for exercise in users:
        _, problems = check_exercise(
            exercise.source, slug=exercise.slug, path="", lines={}, charts=chart_slugs,
            datasets=all_columns, rows=all_rows,
        )  # fmt: skip
        messages += [f"The exercise “{exercise.title}”: {p.message}" for p in problems]
    return messages


# --- Services ------------------------------------------------------------------------------

METADATA = ("title", "description", "source_organisation", "source_url", "licence", "data_date")


@transaction.atomic
def create_dataset(
    *, workspace: Workspace, actor: User, slug: str, checked: CheckedCsv, **metadata: str
) -> Dataset:
    """Add a checked CSV file to the draft as a new dataset. SlugTaken if the draft already
    has a dataset of that name."""
    draft = Course.all_objects.select_for_update().get(pk=workspace.draft_id)
    if Dataset.objects.filter(course=draft, slug=slug).exists():
        raise SlugTaken(slug)
    dataset = Dataset(
        course=draft,
        slug=slug,
        columns=[column.as_dict() for column in checked.columns],
        csv_text=checked.csv_text,
        row_count=checked.row_count,
        **{key: metadata[key] for key in METADATA},
    )
    try:
        with transaction.atomic():
            dataset.save()
    except IntegrityError:
        raise SlugTaken(slug) from None
    course_services.bump_content_version(course=draft)
    services.record(
        workspace=workspace,
        actor=actor,
        action="dataset-upload",
        what=f"dataset:{dataset.pk}",
        dataset=slug,
        rows=checked.row_count,
        columns=len(checked.columns),
    )
    return dataset


def merge_columns(*, old: Iterable[Column], new: list[Column]) -> list[Column]:
    """Columns for replacement data: a column the dataset already had keeps its description,
    unit and (when every new value still fits it) its type; new columns are as inferred."""
    before = {column.name: column for column in old}
    merged = []
    for column in new:
        previous = before.get(column.name)
        if previous is None:
            merged.append(column)
            continue
        kind = previous.type if _fits(inferred=column.type, wanted=previous.type) else column.type
        merged.append(
            Column(
                name=column.name,
                type=kind,
                description=previous.description or column.description,
                unit=previous.unit,
                optional=previous.optional or column.optional,
            )
        )
    return merged


def _fits(*, inferred: str, wanted: str) -> bool:
    """Whether values whose narrowest type is ``inferred`` all fit the type ``wanted``."""
    return wanted in (inferred, "text") or (wanted, inferred) == ("number", "integer")


def replacement(*, dataset: Dataset, checked: CheckedCsv) -> tuple[list[Column], list[Row]]:
    """The columns and typed rows the dataset would have with the checked file as its data;
    DependantsBroken if charts or exercises that use it would stop working."""
    columns = merge_columns(old=column_list(dataset.columns), new=checked.columns)
    rows = verify(checked.csv_text, columns)
    broken = dependant_problems(dataset=dataset, columns=columns, rows=rows)
    if broken:
        raise DependantsBroken(broken)
    return columns, rows


@transaction.atomic
def delete_dataset(*, workspace: Workspace, dataset: Dataset, actor: User) -> None:
    """Remove a dataset from the draft; DatasetInUse (and nothing deleted) while any chart,
    exercise or lesson uses it."""
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    usages = usages_in(workspace=workspace).get(locked.slug, [])
    if usages:
        raise DatasetInUse(usages)
    try:
        with transaction.atomic():
            locked.delete()
    except RestrictedError:  # a chart drawn from it was saved meanwhile
        raise DatasetInUse(usages_in(workspace=workspace).get(locked.slug, [])) from None
    course_services.bump_content_version(course=workspace.draft)
    services.record(
        workspace=workspace,
        actor=actor,
        action="dataset-delete",
        what=f"dataset:{dataset.pk}",
        dataset=locked.slug,
    )
