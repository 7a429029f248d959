"""Course folders as zip files: reading an uploaded zip safely, and writing one for download.

An uploaded zip is untrusted. ``read_zip`` checks it completely, in memory, before anything is
saved: the number of entries (from the end record, before the directory is parsed), each
name (no ``..``, absolute paths, backslashes or drive letters), no links or special files, only
the file types a course folder has, and the size of what comes out, counted while
decompressing rather than taken from the headers, so that a zip bomb stops at the limit
instead of filling memory. Then the course itself is checked by the same reader that
``import_course`` uses (``authoring.bundles.read_files``).
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from authoring.bundles import Files
from courses.content.datasets import MAX_BYTES as MAX_DATASET_BYTES

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 25 * MEGABYTE  # the zip as uploaded
    entries: int = 1000  # files and folders in it
    file_bytes: int = MAX_DATASET_BYTES  # one file, uncompressed
    total_bytes: int = 60 * MEGABYTE  # every file, uncompressed
    # Text and CSV compress by 3 to 20 times; zip bombs by hundreds. Only checked once a file
    # has given more than ``ratio_floor`` bytes, as tiny files can compress oddly well.
    ratio: int = 100
    ratio_floor: int = MEGABYTE


LIMITS = Limits()
CHUNK = 64 * 1024

# Where each kind of file lives in a course folder (docs/authoring.md).
LAYOUT = (
    re.compile(r"^course\.md$"),
    re.compile(r"^glossary\.yaml$"),
    re.compile(r"^datasets/[^/]+\.(csv|yaml)$"),
    re.compile(r"^charts/[^/]+\.yaml$"),
    re.compile(r"^exercises/[^/]+\.yaml$"),
    re.compile(r"^modules/[^/]+/module\.yaml$"),
    re.compile(r"^modules/[^/]+/[^/]+\.md$"),
)
SUFFIXES = (".md", ".yaml", ".csv")
# What archivers add by themselves (macOS Finder, Windows Explorer): skipped, not refused.
NOISE = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")
DRIVE = re.compile(r"^[A-Za-z]:")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FORMAT_HELP = (
    "a course folder: course.md, glossary.yaml, datasets/, charts/, exercises/ and modules/ "
    "(see the guide to the folder format)"
)


class ZipRefused(Exception):
    """The upload cannot be used; ``messages`` say why, in words for its author."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass
class CourseZip:
    """The files of the course folder in a zip, with paths relative to the folder.
    ``folder`` is the name of its single top folder, or "" when the files were at the top."""

    folder: str
    files: Files


def read_zip(upload: IO[bytes], *, limits: Limits = LIMITS) -> CourseZip:
    """Check an uploaded zip and return the course files in it, or raise ZipRefused.

    Reads everything into memory, within ``limits``: nothing is written to disk.
    """
    size = _size(upload)
    if size > limits.upload_bytes:
        raise ZipRefused(
            [f"The file is larger than {limits.upload_bytes // MEGABYTE} MB: a course zip is "
             "usually much smaller. Remove anything that is not part of the course."]
        )  # fmt: skip
    upload.seek(0)
    if upload.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise _not_a_zip()
    count = _entry_count(upload, limits)
    if count is None:
        raise _not_a_zip()
    if count > limits.entries:
        raise _too_many(limits)
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _not_a_zip() from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.entries:
            raise _too_many(limits)
        wanted = _check_entries(entries)
        folder, paths = _layout(wanted)
        return CourseZip(folder=folder, files=_extract(archive, paths, limits))


def _size(upload: IO[bytes]) -> int:
    upload.seek(0, io.SEEK_END)
    return upload.tell()


def _not_a_zip() -> ZipRefused:
    return ZipRefused(
        ["The file is not a zip file. Upload a .zip of the course folder, such as one exported "
         "from this service."]
    )  # fmt: skip


def _too_many(limits: Limits) -> ZipRefused:
    return ZipRefused(
        [f"The zip has more than {limits.entries:,} files and folders: a course has far fewer. "
         "Check that you zipped the course folder and nothing else."]
    )  # fmt: skip


# The fixed part of a central directory entry; its name, extra field and comment follow.
CENTRAL_ENTRY_BYTES = 46
CENTRAL_SIGNATURE = b"PK\x01\x02"


def _entry_count(upload: IO[bytes], limits: Limits = LIMITS) -> int | None:
    """The number of entries in the zip, read from its end record before ``zipfile`` parses
    (and holds in memory) the whole central directory; None if there is no end record.

    The end record's count is not trusted alone: a zip can declare one entry and hold
    hundreds of thousands, which ``zipfile`` would read one by one. So the directory's declared
    size is checked against what ``limits.entries`` entries can take (with names of up to
    1 KB), and the entries' signatures in it are counted. Zip64 archives (more than 65,535
    entries, or over 4 GB) count as too many."""
    end = _size(upload)
    tail_size = min(end, 22 + 65_535)  # the end record, and a comment of at most 64 KB
    upload.seek(end - tail_size)
    tail = upload.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    _, _, _, _, total, directory_size, _, _ = struct.unpack("<4s4H2LH", tail[at : at + 22])
    too_many = 2**31
    if total == 0xFFFF or directory_size == 0xFFFFFFFF:
        return too_many
    if directory_size > limits.entries * (CENTRAL_ENTRY_BYTES + 1024):
        return too_many
    # The directory ends where the end record starts (whatever its declared offset says: a
    # zip with something in front of it has offsets that are off by that much).
    record_at = end - tail_size + at
    if directory_size > record_at:
        return None
    upload.seek(record_at - directory_size)
    found = upload.read(directory_size).count(CENTRAL_SIGNATURE)
    return max(int(total), found)


def _check_entries(entries: Iterable[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The entries that are files of the course; ZipRefused listing every entry that is not
    safe or not allowed."""
    problems: list[str] = []
    files: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    for entry in entries:
        name = entry.filename
        shown = CONTROL.sub("?", name)[:200]
        if reason := _unsafe_name(name):
            problems.append(f"{shown}: {reason}. The zip cannot be used.")
            continue
        mode = entry.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if entry.create_system == 3 and kind == stat.S_IFLNK:
            problems.append(f"{shown}: is a link to another file. Zip the files themselves.")
            continue
        if entry.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            problems.append(f"{shown}: is not an ordinary file or folder.")
            continue
        if entry.flag_bits & 0x1:
            problems.append(f"{shown}: is encrypted. Zip the course without a password.")
            continue
        if entry.is_dir() or NOISE.search(name):
            continue
        if not name.lower().endswith(SUFFIXES):
            problems.append(
                f"{shown}: is not a file a course has. A course folder has only Markdown (.md), "
                "YAML (.yaml) and CSV (.csv) files."
            )
            continue
        if name in seen:
            problems.append(f"{shown}: is in the zip twice.")
            continue
        seen.add(name)
        files.append(entry)
    if problems:
        raise ZipRefused(problems)
    return files


def _unsafe_name(name: str) -> str | None:
    if "\\" in name:
        return "has a backslash in its name (a Windows path)"
    if CONTROL.search(name):
        return "has control characters in its name"
    if name.startswith("/"):
        return "has an absolute path"
    if DRIVE.match(name):
        return "starts with a drive letter"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "points outside the folder (..)"
    if any(part in ("", ".") for part in parts):
        return "has an empty or '.' part in its path"
    return None


def _layout(entries: list[zipfile.ZipInfo]) -> tuple[str, dict[str, zipfile.ZipInfo]]:
    """The single top folder ("" for none) and the entries by path inside it. Refuses a zip
    with no course.md at the top or in a single top folder, and files a course folder does not
    have."""
    names = {entry.filename: entry for entry in entries}
    folder = ""
    if "course.md" not in names:
        tops = {name.split("/", 1)[0] for name in names}
        if len(tops) == 1 and all("/" in name for name in names):
            folder = tops.pop()
    prefix = f"{folder}/" if folder else ""
    paths = {name.removeprefix(prefix): entry for name, entry in names.items()}
    if "course.md" not in paths:
        raise ZipRefused(
            ["The zip does not have a course.md at the top or inside a single folder. Zip the "
             f"course folder itself: it should contain {FORMAT_HELP}."]
        )  # fmt: skip
    misplaced = sorted(
        f"{prefix}{path}: is not where a course folder has its files; a course folder has "
        f"{FORMAT_HELP}."
        for path in paths
        if not any(pattern.match(path) for pattern in LAYOUT)
    )
    if misplaced:
        raise ZipRefused(misplaced)
    return folder, paths


def _extract(archive: zipfile.ZipFile, paths: dict[str, zipfile.ZipInfo], limits: Limits) -> Files:
    """Each file's text. Sizes are counted as the data is decompressed: the headers' sizes
    are not trusted."""
    files: Files = {}
    problems: list[str] = []
    total = 0
    for path, entry in sorted(paths.items()):
        chunks: list[bytes] = []
        size = 0
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > limits.file_bytes:
                        raise ZipRefused(
                            [f"{entry.filename}: is larger than "
                             f"{limits.file_bytes // MEGABYTE} MB once unzipped."]
                        )  # fmt: skip
                    if total > limits.total_bytes:
                        raise ZipRefused(
                            [f"The files in the zip come to more than "
                             f"{limits.total_bytes // MEGABYTE} MB once unzipped: a course is "
                             "much smaller."]
                        )  # fmt: skip
                    if size > limits.ratio_floor and size > limits.ratio * max(
                        entry.compress_size, 1
                    ):
                        raise ZipRefused(
                            [f"{entry.filename}: unzips to more than {limits.ratio} times its "
                             "compressed size, which course files never do. The zip cannot be "
                             "used."]
                        )  # fmt: skip
                    chunks.append(chunk)
        except ZipRefused:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            problems.append(f"{entry.filename}: cannot be unzipped ({_reason(error)}).")
            continue
        try:
            # utf-8-sig: Excel's "CSV UTF-8" (and some editors) start files with a byte-order
            # mark, invisible to authors; the dataset upload reads them the same way.
            text = b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problems.append(
                f"{entry.filename}: is not UTF-8 text (byte {error.start}): save it as UTF-8."
            )
            continue
        # As the course reader sees text files: universal newlines.
        files[path] = text.replace("\r\n", "\n").replace("\r", "\n")
    if problems:
        raise ZipRefused(problems)
    return files


def _reason(error: Exception) -> str:
    if isinstance(error, NotImplementedError):
        return "it uses a kind of compression this service does not read"
    return "the zip file is damaged"


def write_zip(files: Files, *, folder: str) -> bytes:
    """The files as a zip of ``<folder>/<path>``, as import_course and ``read_zip`` read.
    The same files always make the same bytes (fixed timestamps, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(f"{folder}/{path}", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(entry, files[path].encode("utf-8"))
    return buffer.getvalue()
