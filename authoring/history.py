"""What changed between two states of a course folder, in words an author reads: which
lessons, datasets, charts… were added, changed, moved or removed, and for each changed file
the lines removed and added. Datasets are summarised (rows added, removed, changed), never
listed in full."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from authoring.bundles import Files

# Lines of a diff shown for one file; the rest is summarised.
MAX_SHOWN_LINES = 200
# Rows of a CSV compared line by line; beyond that, as a multiset (added and removed only).
MAX_ALIGNED_ROWS = 5000
UNCHANGED_CONTEXT = 1

LESSON = re.compile(r"^modules/(?P<module>[^/]+)/(?P<lesson>[^/]+)\.md$")
MODULE = re.compile(r"^modules/(?P<module>[^/]+)/module\.yaml$")
IN_FOLDER = re.compile(r"^(?P<kind>datasets|charts|exercises)/(?P<slug>[^/]+)\.(?P<ext>\w+)$")
NOUNS = {"charts": "Chart", "exercises": "Exercise", "datasets": "Dataset"}


@dataclass
class DiffLine:
    kind: str  # "removed", "added", "same" or "gap"
    text: str
    old: int | None = None  # line number before
    new: int | None = None  # line number after


@dataclass
class FileChange:
    path: str
    status: str  # "added", "removed", "changed", "moved"
    label: str  # "Lesson ‘Welcome’"
    old_path: str = ""  # for a move
    lines: list[DiffLine] = field(default_factory=list)
    hidden_lines: int = 0  # changed lines not shown (over MAX_SHOWN_LINES)
    added: int = 0  # lines (or rows) added
    removed: int = 0
    changed_rows: int = 0  # CSV only
    summary: str = ""  # CSV only: the change in words

    @property
    def sentence(self) -> str:
        """The change in words, such as "Lesson ‘Welcome’ changed"."""
        if self.status == "moved":
            return f"{self.label} moved (from {self.old_path} to {self.path})"
        return f"{self.label} {self.status}"

    @property
    def tag_colour(self) -> str:
        return {"added": "green", "removed": "red", "moved": "purple"}.get(self.status, "blue")


def compare(old: Files, new: Files) -> list[FileChange]:
    """Every file that differs between ``old`` and ``new`` (folder paths to text), in the
    order of the folder. A file whose text moved to another path (a lesson renumbered) is one
    move, not a removal and an addition."""
    removed = {path: old[path] for path in old.keys() - new.keys()}
    added = {path: new[path] for path in new.keys() - old.keys()}
    changes: list[FileChange] = []
    by_text: dict[str, list[str]] = {}
    for path in sorted(removed):
        by_text.setdefault(removed[path], []).append(path)
    for path in sorted(added):
        sources = by_text.get(added[path])
        if sources:
            source = sources.pop(0)
            del removed[source]
            changes.append(
                FileChange(path=path, status="moved", label=label(path, added[path]),
                           old_path=source)
            )  # fmt: skip
        else:
            changes.append(_whole(path, added[path], "added"))
    for path in removed:
        changes.append(_whole(path, removed[path], "removed"))
    for path in sorted(old.keys() & new.keys()):
        if old[path] != new[path]:
            changes.append(_changed(path, old[path], new[path]))
    return sorted(changes, key=lambda change: _order(change.path))


def _order(path: str) -> tuple[int, str]:
    first = path.split("/", 1)[0]
    rank = ["course.md", "modules", "glossary.yaml", "datasets", "charts", "exercises"]
    return (rank.index(first) if first in rank else len(rank), path)


def _whole(path: str, text: str, status: str) -> FileChange:
    change = FileChange(path=path, status=status, label=label(path, text))
    count = len(_rows(text)) - 1 if path.endswith(".csv") else len(text.splitlines())
    if status == "added":
        change.added = max(count, 0)
    else:
        change.removed = max(count, 0)
    if path.endswith(".csv"):
        noun = "row" if count == 1 else "rows"
        change.summary = f"{count:,} {noun} {status}"
    return change


def _changed(path: str, before: str, after: str) -> FileChange:
    change = FileChange(path=path, status="changed", label=label(path, after))
    if path.endswith(".csv"):
        _compare_rows(change, before, after)
    else:
        _compare_lines(change, before.splitlines(), after.splitlines())
    return change


def _compare_lines(change: FileChange, before: list[str], after: list[str]) -> None:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    shown: list[DiffLine] = []
    hidden = 0
    for group in matcher.get_grouped_opcodes(UNCHANGED_CONTEXT):
        if shown:
            shown.append(DiffLine("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines = [DiffLine("same", before[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
            else:
                change.removed += i2 - i1
                change.added += j2 - j1
                lines = [DiffLine("removed", before[i], old=i + 1) for i in range(i1, i2)]
                lines += [DiffLine("added", after[j], new=j + 1) for j in range(j1, j2)]
            room = MAX_SHOWN_LINES - len(shown)
            shown += lines[: max(room, 0)]
            hidden += sum(1 for line in lines[max(room, 0) :] if line.kind != "same")
    change.lines = shown
    change.hidden_lines = hidden


def _rows(text: str) -> list[tuple[str, ...]]:
    return [tuple(row) for row in csv.reader(io.StringIO(text))]


def _compare_rows(change: FileChange, before: str, after: str) -> None:
    old, new = _rows(before), _rows(after)
    old_header, new_header = (old[0] if old else ()), (new[0] if new else ())
    old, new = old[1:], new[1:]
    # The common start and end are cheap to skip, and usually almost all of a dataset.
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    if len(old_middle) <= MAX_ALIGNED_ROWS and len(new_middle) <= MAX_ALIGNED_ROWS:
        matcher = difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace":
                paired = min(i2 - i1, j2 - j1)
                change.changed_rows += paired
                change.removed += i2 - i1 - paired
                change.added += j2 - j1 - paired
            elif tag == "delete":
                change.removed += i2 - i1
            elif tag == "insert":
                change.added += j2 - j1
    else:
        counts_old, counts_new = Counter(old_middle), Counter(new_middle)
        change.removed = sum((counts_old - counts_new).values())
        change.added = sum((counts_new - counts_old).values())
    parts = []
    if old_header != new_header:
        gone = [c for c in old_header if c not in new_header]
        came = [c for c in new_header if c not in old_header]
        if gone:
            parts.append("columns removed: " + ", ".join(gone))
        if came:
            parts.append("columns added: " + ", ".join(came))
        if not gone and not came:
            parts.append("columns renamed or reordered")
    for count, what in (
        (change.added, "added"),
        (change.removed, "removed"),
        (change.changed_rows, "changed"),
    ):
        if count:
            parts.append(f"{count:,} {'row' if count == 1 else 'rows'} {what}")
    change.summary = "; ".join(parts) or "only the layout of the file changed"
    change.summary = change.summary[0].upper() + change.summary[1:]


def label(path: str, text: str) -> str:
    """What a file of the folder is, for an author: "Lesson ‘Welcome’", "Course details"."""
    if path == "course.md":
        return "Course details"
    if path == "glossary.yaml":
        return "Glossary"
    if match := LESSON.match(path):
        return f"Lesson ‘{_title(text, front_matter=True) or _slug(match['lesson'])}’"
    if match := MODULE.match(path):
        return f"Module ‘{_title(text) or _slug(match['module'])}’"
    if match := IN_FOLDER.match(path):
        noun = NOUNS[match["kind"]]
        if match["ext"] == "csv":
            return f"Data of dataset ‘{match['slug']}’"
        return f"{noun} ‘{_title(text) or match['slug']}’"
    return f"File {path}"


def _slug(numbered: str) -> str:
    return re.sub(r"^\d+-", "", numbered)


def _title(text: str, *, front_matter: bool = False) -> str:
    """The title in a YAML file or a Markdown file's front matter; "" if there is none or the
    file cannot be read (it may be the broken version)."""
    if front_matter:
        parts = text.split("---", 2)
        if len(parts) < 3 or parts[0].strip():
            return ""
        text = parts[1]
    try:
        data: Any = yaml.safe_load(text)
        title = data.get("title") if isinstance(data, dict) else None
        # A title that is not text may be nested as deeply as the parser allowed.
        return str(title).strip()[:200] if title and isinstance(title, str | int | float) else ""
    except (yaml.YAMLError, RecursionError):
        # Nesting a thousand levels deep makes the parser recurse until Python stops it:
        # such a file is not comparable, and has no title to show.
        return ""
