"""Reading a CSV file of learners to invite, and saying exactly what is wrong with it.

The whole file is checked before anything is saved: ``parse_invitees`` returns either rows
that are all valid or a list of problems, each with the line of the file it is on (the header
is line 1), so that the person uploading can fix the file and try again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
EMAIL_LENGTH = 254  # Membership.email
GROUP_LENGTH = 100  # Membership.group
NAME_LENGTH = 150  # User.first_name, User.last_name

REQUIRED_COLUMNS = ("email",)
OPTIONAL_COLUMNS = ("first_name", "last_name", "group")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DELIMITERS = (",", ";", "\t")

SAVE_AS_CSV = "In Excel, choose File, Save a copy, and the format ‘CSV UTF-8 (comma delimited)’."
# The first bytes of files that people upload by mistake.
_SIGNATURES = (
    (b"PK\x03\x04", "The file is a spreadsheet or a zip file, not a CSV file. " + SAVE_AS_CSV),
    (b"\xd0\xcf\x11\xe0", "The file is an Excel workbook, not a CSV file. " + SAVE_AS_CSV),
    (b"\xff\xfe", "The file must be UTF-8 CSV, not UTF-16. " + SAVE_AS_CSV),
    (b"\xfe\xff", "The file must be UTF-8 CSV, not UTF-16. " + SAVE_AS_CSV),
    (b"\x89PNG", "The file is an image, not a CSV file"),
    (b"\xff\xd8\xff", "The file is an image, not a CSV file"),
    (b"GIF8", "The file is an image, not a CSV file"),
    (b"%PDF", "The file is a PDF, not a CSV file"),
)


@dataclass(frozen=True)
class Invitee:
    line: int
    email: str
    first_name: str = ""
    last_name: str = ""
    group: str = ""


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file. ``line`` is None when it is about the whole file."""

    message: str
    line: int | None = None
    value: str = ""


@dataclass
class ParsedFile:
    invitees: list[Invitee] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems and bool(self.invitees)


def parse_invitees(*, data: bytes) -> ParsedFile:
    """Check a whole uploaded file. Either every row is valid (``invitees``) or ``problems``
    lists everything wrong, and ``invitees`` is empty so that nothing can be half-imported."""
    problems = _check_file(data)
    if problems:
        return ParsedFile(problems=problems)
    text = data.decode("utf-8-sig")
    records, beyond, problems = _read_records(text)
    if problems:
        return ParsedFile(problems=problems)
    if not records:
        return ParsedFile(problems=[Problem("The file is empty")])
    header_line, header = records[0]
    columns, problems = _read_header(header)
    if problems:
        return ParsedFile(problems=problems)
    rows = records[1:]
    if not rows:
        return ParsedFile(
            problems=[Problem("The file has a header but no learners: add one row per learner")]
        )
    if len(rows) + beyond > MAX_ROWS:
        return ParsedFile(
            problems=[
                Problem(
                    f"The file has {len(rows) + beyond:,} learners. The most one file can have is "
                    f"{MAX_ROWS:,}: split it into smaller files"
                )
            ]
        )
    invitees: list[Invitee] = []
    problems = []
    first_line_of: dict[str, int] = {}
    for line, values in rows:
        invitee, row_problems = _read_row(line, values, columns)
        problems += row_problems
        if invitee is None:
            continue
        if invitee.email in first_line_of:
            problems.append(
                Problem(
                    f"This address is also on line {first_line_of[invitee.email]}",
                    line,
                    invitee.email,
                )
            )
            continue
        first_line_of[invitee.email] = line
        invitees.append(invitee)
    if problems:
        return ParsedFile(problems=problems)
    return ParsedFile(invitees=invitees)


def _check_file(data: bytes) -> list[Problem]:
    if not data.strip():
        return [Problem("The file is empty")]
    if len(data) > MAX_BYTES:
        return [Problem(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")]
    for signature, message in _SIGNATURES:
        if data.startswith(signature):
            return [Problem(message)]
    if b"\x00" in data:
        return [Problem("The file is not a CSV file. " + SAVE_AS_CSV)]
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [Problem("The file must be UTF-8 CSV. " + SAVE_AS_CSV)]
    return []


def _delimiter(text: str) -> str:
    """Commas, or semicolons or tabs if the header uses those (as some spreadsheets do)."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_records(text: str) -> tuple[list[tuple[int, list[str]]], int, list[Problem]]:
    """Every non-blank record with the line it starts on, stopping after ``MAX_ROWS`` + 1
    records; the second value counts the non-blank records after those."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[tuple[int, list[str]]] = []
    beyond = 0
    line = 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                if len(records) <= MAX_ROWS:
                    records.append((line, values))
                else:
                    beyond += 1  # too many rows: counting them is enough to say how many
            line = reader.line_num + 1
    except csv.Error as error:
        return [], 0, [Problem(f"The file could not be read as CSV ({error})", line)]
    return records, beyond, []


def _normalise_heading(heading: str) -> str:
    return re.sub(r"[\s\-]+", "_", heading.strip().lower())


def _read_header(header: list[str]) -> tuple[list[str], list[Problem]]:
    columns = [_normalise_heading(heading) for heading in header]
    problems: list[Problem] = []
    unknown = [header[i].strip() for i, name in enumerate(columns) if name and name not in COLUMNS]
    if unknown:
        names = ", ".join(f"‘{name}’" for name in unknown)
        problems.append(
            Problem(
                f"Unknown {'column' if len(unknown) == 1 else 'columns'} {names}. "
                "The columns can be email, first_name, last_name and group",
                1,
                ", ".join(unknown),
            )
        )
    for position, name in enumerate(columns, start=1):
        if not name:
            problems.append(Problem(f"Column {position} has no heading", 1))
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    for name in repeated:
        problems.append(Problem(f"The column ‘{name}’ appears more than once", 1, name))
    if "email" not in columns:
        problems.append(
            Problem(
                "The first line must name the columns, and one of them must be ‘email’",
                1,
                ",".join(value.strip() for value in header),
            )
        )
    return columns, problems


def _read_row(
    line: int, values: list[str], columns: list[str]
) -> tuple[Invitee | None, list[Problem]]:
    if len(values) > len(columns) and any(value.strip() for value in values[len(columns) :]):
        return None, [
            Problem(
                f"This line has {len(values)} values but there are {len(columns)} columns",
                line,
                _shorten(",".join(values)),
            )
        ]
    cells = dict(zip(columns, (value.strip() for value in values), strict=False))
    email = cells.get("email", "").lower()
    problems: list[Problem] = []
    if not email:
        problems.append(Problem("Enter an email address", line, _shorten(",".join(values))))
    elif len(email) > EMAIL_LENGTH:
        problems.append(Problem("The email address is too long", line, _shorten(email)))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                Problem(
                    "Enter an email address in the correct format, like name@example.gov.uk",
                    line,
                    _shorten(email),
                )
            )
    for name, limit in (("first_name", NAME_LENGTH), ("last_name", NAME_LENGTH)):
        if len(cells.get(name, "")) > limit:
            problems.append(
                Problem(
                    f"The {name} must be {limit} characters or fewer", line, _shorten(cells[name])
                )
            )
    if len(cells.get("group", "")) > GROUP_LENGTH:
        problems.append(
            Problem(
                f"The group must be {GROUP_LENGTH} characters or fewer",
                line,
                _shorten(cells["group"]),
            )
        )
    if problems:
        return None, problems
    invitee = Invitee(
        line=line,
        email=email,
        first_name=cells.get("first_name", ""),
        last_name=cells.get("last_name", ""),
        group=cells.get("group", ""),
    )
    return invitee, []


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
