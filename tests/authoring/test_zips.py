"""The course as a zip: reading uploads safely (authoring.zips), exporting, importing over a
draft and importing a new course."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from authoring import bundles, zips
from authoring.models import CourseRole, Role, Workspace
from courses.content.folder import read_course
from courses.models import Course
from courses.services import bump_content_version
from tests.accounts.factories import UserFactory
from tests.courses.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db


def mini_files() -> dict[str, str]:
    return {
        str(path.relative_to(MINI_COURSE)): path.read_text(encoding="utf-8")
        for path in sorted(MINI_COURSE.rglob("*"))
        if path.is_file()
    }


def make_zip(entries: Mapping[str, bytes | str], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            else:
                info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def course_zip(
    folder: str = "mini-course", extra: Mapping[str, bytes | str] | None = None
) -> bytes:
    prefix = f"{folder}/" if folder else ""
    entries: dict[str, bytes | str] = {prefix + k: v for k, v in mini_files().items()}
    entries.update(extra or {})
    return make_zip(entries)


def lying_zip(count: int) -> bytes:
    """A zip of ``count`` empty entries named "a" whose end record says it has one."""
    name = b"a"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, 1, 0) + name
    central = (
        struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
        )
        + name
    )
    directory = central * count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(local), 0)
    return local + directory + end


def never_parsed(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("zipfile parsed a directory that should have been refused first")


def read(data: bytes, **limits: int) -> zips.CourseZip:
    return zips.read_zip(io.BytesIO(data), limits=zips.Limits(**limits))


def refusal(data: bytes, **limits: int) -> str:
    with pytest.raises(zips.ZipRefused) as refused:
        read(data, **limits)
    return " ".join(refused.value.messages)


class TestReadZip:
    def test_reads_a_course_in_a_single_top_folder(self) -> None:
        found = read(course_zip())
        assert found.folder == "mini-course"
        assert found.files == mini_files()

    def test_reads_a_course_with_its_files_at_the_top(self) -> None:
        found = read(course_zip(folder=""))
        assert found.folder == ""
        assert found.files == mini_files()

    def test_skips_what_archivers_add_by_themselves(self) -> None:
        data = course_zip(
            extra={
                "__MACOSX/mini-course/._course.md": b"\x00\x05",
                "mini-course/.DS_Store": b"\x00",
            }
        )
        assert read(data).files == mini_files()

    def test_normalises_windows_line_endings(self) -> None:
        files = {"c/course.md": "---\r\ntitle: T\r\nsummary: S\r\n---\r\nHi\r\n"}
        assert read(make_zip(files)).files == {"course.md": "---\ntitle: T\nsummary: S\n---\nHi\n"}

    def test_refuses_a_file_that_is_not_a_zip(self) -> None:
        assert "not a zip file" in refusal(b"title,value\n1,2\n")

    def test_refuses_a_truncated_zip(self) -> None:
        assert "not a zip file" in refusal(course_zip()[:200])

    def test_refuses_a_zip_with_garbage_in_front(self) -> None:
        assert "not a zip file" in refusal(b"MZ" + course_zip())

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("../evil.md", "outside the folder"),
            ("mini-course/../../evil.md", "outside the folder"),
            ("/etc/cron.d/evil.md", "absolute path"),
            ("mini-course\\..\\evil.md", "backslash"),
            ("C:/evil.md", "drive letter"),
            ("mini-course/./course.md", "'.' part"),
            ("mini-course//course.md", "empty"),
        ],
    )
    def test_refuses_unsafe_paths(self, name: str, reason: str) -> None:
        message = refusal(course_zip(extra={name: "x"}))
        assert reason in message
        assert "cannot be used" in message

    def test_refuses_symlinks(self) -> None:
        data = make_zip(
            {"mini-course/course.md": "---\ntitle: T\n---\n", "mini-course/glossary.yaml": "/etc"},
            symlinks=("mini-course/glossary.yaml",),
        )
        assert "link to another file" in refusal(data)

    def test_refuses_too_many_entries_before_reading_them(self) -> None:
        entries = {f"mini-course/modules/01-a/{n:04d}-x.md": "" for n in range(30)}
        assert "more than 20 files" in refusal(course_zip(extra=entries), entries=20)

    def test_refuses_a_directory_that_lies_about_its_entry_count(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A reviewer's reproduction: 294,358 empty entries, and an end record that says 1.
        ``zipfile`` would parse every entry (and hold each in memory) before anything could
        count them."""
        data = lying_zip(294_358)
        assert len(data) < zips.LIMITS.upload_bytes
        monkeypatch.setattr(zips.zipfile, "ZipFile", never_parsed)
        assert "more than 1,000 files" in refusal(data, entries=1000)

    def test_counts_the_entries_in_a_directory_that_is_small_enough(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        data = lying_zip(100)  # 4.7 KB of directory: fits 20 entries with long names
        monkeypatch.setattr(zips.zipfile, "ZipFile", never_parsed)
        assert "more than 20 files" in refusal(data, entries=20)

    def test_refuses_a_directory_larger_than_the_file(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(zips.zipfile, "ZipFile", never_parsed)
        data = bytearray(lying_zip(3))
        struct.pack_into("<L", data, len(data) - 10, len(data) * 2)
        assert "not a zip file" in refusal(bytes(data))

    def test_refuses_files_of_unexpected_types(self) -> None:
        message = refusal(course_zip(extra={"mini-course/datasets/run.exe": b"MZ\x90"}))
        assert "run.exe: is not a file a course has" in message

    def test_refuses_files_in_places_a_course_folder_does_not_have(self) -> None:
        message = refusal(course_zip(extra={"mini-course/notes/todo.md": "x"}))
        assert "mini-course/notes/todo.md: is not where a course folder has its files" in message

    def test_refuses_a_zip_nested_one_folder_too_deep(self) -> None:
        entries = {f"outer/mini-course/{k}": v for k, v in mini_files().items()}
        assert "does not have a course.md" in refusal(make_zip(entries))

    def test_refuses_two_courses_side_by_side(self) -> None:
        entries = {f"{top}/{k}": v for top in ("a", "b") for k, v in mini_files().items()}
        assert "does not have a course.md" in refusal(make_zip(entries))

    def test_refuses_a_zip_without_a_course(self) -> None:
        assert "does not have a course.md" in refusal(make_zip({"x/glossary.yaml": "[]"}))

    def test_refuses_a_zip_bomb_without_unzipping_it_all(self) -> None:
        # 200 MB of zeros compress to about 200 KB: a ratio of about 1,000.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bomb/course.md", "---\ntitle: T\nsummary: S\n---\n")
            with archive.open("bomb/datasets/zeros.csv", "w") as stream:
                chunk = b"0" * (1024 * 1024)
                for _ in range(200):
                    stream.write(chunk)
        data = buffer.getvalue()
        assert len(data) < 1024 * 1024
        message = refusal(data)
        assert "zeros.csv: unzips to more than 100 times its compressed size" in message

    def test_refuses_files_that_together_are_over_the_limit(self) -> None:
        message = refusal(course_zip(), total_bytes=1000, ratio_floor=10**9)
        assert "The files in the zip come to more than 0 MB once unzipped" in message

    def test_does_not_trust_the_sizes_in_the_headers(self) -> None:
        name = "mini-course/datasets/nile-sample.csv"
        data = _with_size_claim(course_zip(), name, 1)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.getinfo(name).file_size == 1
        assert "nile-sample.csv: cannot be unzipped (the zip file is damaged)" in refusal(data)

    def test_refuses_one_file_over_the_limit(self) -> None:
        message = refusal(course_zip(), file_bytes=200, ratio_floor=10**9)
        assert "is larger than 0 MB once unzipped" in message

    def test_refuses_an_upload_over_the_limit(self) -> None:
        assert "larger than 0 MB" in refusal(course_zip(), upload_bytes=1000)

    def test_refuses_text_that_is_not_utf8(self) -> None:
        message = refusal(
            course_zip(extra={"mini-course/glossary.yaml": "- term: café".encode("latin-1")})
        )
        assert "glossary.yaml: is not UTF-8 text" in message

    def test_refuses_a_damaged_file(self) -> None:
        message = refusal(_with_bad_crc(course_zip(), "mini-course/course.md"))
        assert "course.md: cannot be unzipped (the zip file is damaged)" in message


def _with_bad_crc(data: bytes, name: str) -> bytes:
    """The zip with the CRC-32 of one file wrong in both its headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    crc = info.CRC.to_bytes(4, "little")
    wrong = ((info.CRC + 1) % 2**32).to_bytes(4, "little")
    assert data.count(crc) == 2
    return data.replace(crc, wrong)


def _with_size_claim(data: bytes, name: str, size: int) -> bytes:
    """The zip with one file's uncompressed size claimed as ``size`` in both its headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    patched = bytearray(data)
    claim = size.to_bytes(4, "little")
    patched[info.header_offset + 22 : info.header_offset + 26] = claim  # local header
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02"))
    while central >= 0:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + length].decode() == name:
            patched[central + 24 : central + 28] = claim
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


class TestWriteZip:
    def test_export_is_a_folder_that_import_course_reads(self, tmp_path: Path) -> None:
        data = zips.write_zip(mini_files(), folder="mini-course")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert all(name.startswith("mini-course/") for name in archive.namelist())
            archive.extractall(tmp_path)
        bundle = read_course(tmp_path / "mini-course")
        assert bundle.title == "Mini course"

    def test_the_same_files_make_the_same_bytes(self) -> None:
        assert zips.write_zip(mini_files(), folder="x") == zips.write_zip(mini_files(), folder="x")


def _upload(data: bytes, name: str = "mini-course.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


class TestExport:
    def test_draft_export_round_trips_through_import(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        url = reverse("authoring:export_draft", kwargs={"course": workspace.slug})
        response = editor_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert 'filename="mini-course-draft.zip"' in response["Content-Disposition"]
        exported = read(response.content)
        assert exported.folder == "mini-course"
        assert exported.files == bundles.files_of(workspace.draft)

        # import → export gives the same files
        before = bundles.files_of(workspace.draft)
        import_url = reverse("authoring:import_draft", kwargs={"course": workspace.slug})
        assert (
            editor_client.post(
                import_url, {"seen": seen(workspace), "file": _upload(response.content)}
            ).status_code
            == 302
        )
        again = editor_client.get(url)
        assert read(again.content).files == before

    def test_the_export_unzips_to_a_folder_that_import_course_reads(
        self, workspace: Workspace, editor_client: Client, tmp_path: Path
    ) -> None:
        url = reverse("authoring:export_draft", kwargs={"course": workspace.slug})
        with zipfile.ZipFile(io.BytesIO(editor_client.get(url).content)) as archive:
            archive.extractall(tmp_path)
        bundle = read_course(tmp_path / "mini-course")
        assert bundle.slug == "mini-course"
        assert [m.slug for m in bundle.modules] == ["first-steps", "next-steps"]

    def test_version_export_is_that_version(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        lesson = workspace.draft.modules.get(slug="first-steps").lessons.get(slug="welcome")
        lesson.title = "Changed in the draft"
        lesson.save()
        url = reverse("authoring:export_version", kwargs={"course": workspace.slug, "number": 1})
        response = editor_client.get(url)
        assert response.status_code == 200
        assert 'filename="mini-course-version-1.zip"' in response["Content-Disposition"]
        files = read(response.content).files
        assert workspace.live is not None
        assert files == bundles.files_of(workspace.live)
        assert "Changed in the draft" not in "".join(files.values())
        assert AuditEvent.objects.filter(action="authoring.export").count() == 1

    def test_reviewers_can_download(self, workspace: Workspace, reviewer_client: Client) -> None:
        url = reverse("authoring:export_draft", kwargs={"course": workspace.slug})
        assert reviewer_client.get(url).status_code == 200

    def test_an_unknown_version_is_not_found(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        url = reverse("authoring:export_version", kwargs={"course": workspace.slug, "number": 9})
        assert editor_client.get(url).status_code == 404


def seen(workspace: Workspace) -> str:
    """The draft's content version, as the import page's form carries it."""
    return str(Workspace.objects.get(pk=workspace.pk).draft.content_version)


class TestImportDraftWhileOthersEdit:
    def test_an_edit_made_after_the_page_was_opened_stops_the_import(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        url = reverse("authoring:import_draft", kwargs={"course": workspace.slug})
        opened = seen(workspace)
        lesson = workspace.draft.modules.first().lessons.first()  # type: ignore[union-attr]
        lesson.body = "A co-author's words."
        lesson.save()
        bump_content_version(course=workspace.draft)
        response = editor_client.post(
            url, {"seen": opened, "file": _upload(TestImportDraft().changed_zip())}
        )
        assert response.status_code == 400
        assert "nothing was imported" in response.content.decode()
        lesson.refresh_from_db()
        assert lesson.body == "A co-author's words."


class TestImportDraft:
    def url(self, workspace: Workspace) -> str:
        return reverse("authoring:import_draft", kwargs={"course": workspace.slug})

    def changed_zip(self) -> bytes:
        files = mini_files()
        files["course.md"] = files["course.md"].replace("title: Mini course", "title: Imported")
        return make_zip({f"whatever/{k}": v for k, v in files.items()})

    def test_shows_the_form(self, workspace: Workspace, editor_client: Client) -> None:
        response = editor_client.get(self.url(workspace))
        assert response.status_code == 200
        assert b'type="file"' in response.content
        assert b'enctype="multipart/form-data"' in response.content

    def test_replaces_the_draft_and_not_the_live_course(
        self, workspace: Workspace, editor_client: Client, editor: Any
    ) -> None:
        response = editor_client.post(
            self.url(workspace), {"seen": seen(workspace), "file": _upload(self.changed_zip())}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "authoring:publish", kwargs={"course": "mini-course"}
        )
        workspace.refresh_from_db()
        assert workspace.draft.title == "Imported"
        assert Course.objects.get(slug="mini-course").title == "Mini course"
        event = AuditEvent.objects.get(action="authoring.import")
        assert event.actor == editor
        assert event.details["file"] == "mini-course.zip"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"not a zip at all", "The file is not a zip file"),
            (make_zip({"../course.md": "x"}), "points outside the folder"),
            (make_zip({"/abs/course.md": "x"}), "has an absolute path"),
            (make_zip({"c/course.md": "x", "c/glossary.yaml": "x"}, symlinks=("c/glossary.yaml",)),
             "is a link to another file"),
            (make_zip({"a/b/course.md": "x"}), "does not have a course.md"),
        ],
    )  # fmt: skip
    def test_refuses_bad_zips_with_a_message_and_saves_nothing(
        self, workspace: Workspace, editor_client: Client, data: bytes, message: str
    ) -> None:
        before = bundles.files_of(workspace.draft)
        response = editor_client.post(
            self.url(workspace), {"seen": seen(workspace), "file": _upload(data)}
        )
        assert response.status_code == 400
        assert "govuk-error-summary" in response.content.decode()
        assert message in response.content.decode()
        assert bundles.files_of(workspace.draft) == before
        assert not AuditEvent.objects.filter(action="authoring.import").exists()

    def test_lists_the_course_problems_with_file_and_line(
        self, workspace: Workspace, editor_client: Client
    ) -> None:
        files = mini_files()
        files["course.md"] = files["course.md"].replace("summary: A small course for tests.\n", "")
        files["modules/01-first-steps/01-welcome.md"] += "\n{{ chart: no-such-chart }}\n"
        before = bundles.files_of(workspace.draft)
        response = editor_client.post(
            self.url(workspace),
            {
                "seen": seen(workspace),
                "file": _upload(make_zip({f"m/{k}": v for k, v in files.items()})),
            },
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "The course in the zip has 2 problems" in page
        assert "course.md, line 1: summary is required" in page
        assert "modules/01-first-steps/01-welcome.md, line" in page
        assert "no-such-chart" in page
        assert bundles.files_of(workspace.draft) == before

    def test_without_a_file(self, workspace: Workspace, editor_client: Client) -> None:
        response = editor_client.post(self.url(workspace), {"seen": seen(workspace)})
        assert response.status_code == 400
        assert "Choose a zip file of the course folder" in response.content.decode()

    def test_reviewers_cannot_import(self, workspace: Workspace, reviewer_client: Client) -> None:
        assert reviewer_client.get(self.url(workspace)).status_code == 403
        response = reviewer_client.post(
            self.url(workspace), {"seen": seen(workspace), "file": _upload(self.changed_zip())}
        )
        assert response.status_code == 403
        workspace.refresh_from_db()
        assert workspace.draft.title == "Mini course"


class TestUploadSize:
    """The zip's size is checked as it arrives: a body declared far too large is not read at
    all (413), and a file over the limit is dropped as it streams in."""

    def draft_url(self, workspace: Workspace) -> str:
        return reverse("authoring:import_draft", kwargs={"course": workspace.slug})

    @pytest.fixture
    def unread(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def read_zip(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("the zip was read")

        monkeypatch.setattr(zips, "read_zip", read_zip)

    def test_import_draft_refuses_a_huge_request_unread(
        self, workspace: Workspace, editor_client: Client, unread: None
    ) -> None:
        # The test client's body is small: reading past it would fail the test.
        response = editor_client.post(
            self.draft_url(workspace),
            {"file": _upload(course_zip())},
            CONTENT_LENGTH=str(10 * 1024**3),
        )
        assert response.status_code == 413
        page = response.content.decode()
        assert "govuk-error-summary" in page
        assert "The file is larger than 25 MB" in page
        assert not AuditEvent.objects.filter(action="authoring.import").exists()

    def test_import_new_refuses_a_huge_request_unread(
        self, author_client: Client, unread: None
    ) -> None:
        response = author_client.post(
            reverse("authoring:import_new"),
            {"file": _upload(course_zip(folder="huge"))},
            CONTENT_LENGTH=str(zips.LIMITS.upload_bytes + 1024**2),
        )
        assert response.status_code == 413
        assert "The file is larger than 25 MB" in response.content.decode()
        assert not Workspace.objects.exists()

    def test_a_file_over_the_limit_is_dropped_as_it_arrives(
        self, workspace: Workspace, editor_client: Client, monkeypatch: pytest.MonkeyPatch,
        unread: None,
    ) -> None:  # fmt: skip
        data = course_zip()
        monkeypatch.setattr(zips, "LIMITS", zips.Limits(upload_bytes=len(data) - 1))
        response = editor_client.post(
            self.draft_url(workspace), {"seen": seen(workspace), "file": _upload(data)}
        )
        assert response.status_code == 400
        assert "The file is larger than" in response.content.decode()
        assert not AuditEvent.objects.filter(action="authoring.import").exists()

    def test_the_csrf_check_still_applies(self, workspace: Workspace, editor: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        response = client.post(
            self.draft_url(workspace), {"seen": seen(workspace), "file": _upload(course_zip())}
        )
        assert response.status_code == 403
        assert not AuditEvent.objects.filter(action="authoring.import").exists()
        response = client.post(reverse("authoring:import_new"), {"file": _upload(course_zip())})
        assert response.status_code == 403

    def test_a_form_with_its_csrf_token_is_accepted(
        self, workspace: Workspace, editor: Any
    ) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        client.get(self.draft_url(workspace))
        token = client.cookies["csrftoken"].value
        response = client.post(
            self.draft_url(workspace),
            {"seen": seen(workspace), "file": _upload(course_zip()), "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302


class TestImportNew:
    url = "/author/import/"

    def test_is_the_import_new_address(self) -> None:
        assert reverse("authoring:import_new") == self.url

    def test_creates_a_course_owned_by_the_importer(
        self, author: Any, author_client: Client
    ) -> None:
        data = course_zip(folder="imported-course")
        response = author_client.post(self.url, {"file": _upload(data, "anything.zip")})
        assert response.status_code == 302
        found = Workspace.objects.get(slug="imported-course")
        assert response["Location"] == reverse("authoring:publish", kwargs={"course": found.slug})
        assert found.live is None
        assert found.draft.title == "Mini course"
        assert set(bundles.files_of(found.draft)) == set(mini_files())
        assert CourseRole.objects.get(workspace=found).role == Role.OWNER
        assert CourseRole.objects.get(workspace=found).user == author
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"authoring.create", "authoring.import"} <= actions

    def test_files_at_the_top_take_the_zip_file_name(self, author_client: Client) -> None:
        response = author_client.post(
            self.url, {"file": _upload(course_zip(folder=""), "from-the-file.zip")}
        )
        assert response.status_code == 302
        assert Workspace.objects.filter(slug="from-the-file").exists()

    def test_refuses_a_name_that_is_not_a_short_name(self, author_client: Client) -> None:
        response = author_client.post(
            self.url, {"file": _upload(course_zip(folder=""), "My Course (1).zip")}
        )
        assert response.status_code == 400
        assert "is not a short name" in response.content.decode()
        assert not Workspace.objects.exists()

    def test_refuses_a_slug_that_is_taken(
        self, workspace: Workspace, author_client: Client
    ) -> None:
        response = author_client.post(self.url, {"file": _upload(course_zip())})
        assert response.status_code == 400
        assert "A course called &#x27;mini-course&#x27; already exists" in response.content.decode()
        assert Workspace.objects.count() == 1

    def test_invalid_content_saves_nothing(self, author_client: Client) -> None:
        files = mini_files()
        files["datasets/nile-sample.csv"] += "not-a-year,abc,\n"
        data = make_zip({f"broken/{k}": v for k, v in files.items()})
        courses_before = Course.all_objects.count()
        response = author_client.post(self.url, {"file": _upload(data)})
        assert response.status_code == 400
        assert "datasets/nile-sample.csv" in response.content.decode()
        assert not Workspace.objects.filter(slug="broken").exists()
        assert Course.all_objects.count() == courses_before
        assert not AuditEvent.objects.filter(action__startswith="authoring.").exists()

    def test_refuses_a_bomb(self, author_client: Client) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bomb/course.md", b"0" * (30 * 1024 * 1024))
        response = author_client.post(self.url, {"file": _upload(buffer.getvalue())})
        assert response.status_code == 400
        assert "times its compressed size" in response.content.decode()
        assert not Workspace.objects.exists()

    def test_people_who_cannot_create_courses_are_refused(self, db: None) -> None:
        client = Client()
        client.force_login(UserFactory())  # type: ignore[arg-type]
        assert client.get(self.url).status_code == 403
        response = client.post(self.url, {"file": _upload(course_zip())})
        assert response.status_code == 403
        assert not Workspace.objects.exists()

    def test_shows_the_form(self, author_client: Client) -> None:
        response = author_client.get(self.url)
        assert response.status_code == 200
        assert b"Import a course from a zip" in response.content


class TestPermissions:
    @pytest.mark.parametrize(
        ("name", "kwargs"),
        [
            ("export_draft", {}),
            ("export_version", {"number": 1}),
            ("import_draft", {}),
        ],
    )
    def test_outsiders_get_404(
        self, workspace: Workspace, outsider_client: Client, name: str, kwargs: dict[str, Any]
    ) -> None:
        url = reverse(f"authoring:{name}", kwargs={"course": workspace.slug, **kwargs})
        assert outsider_client.get(url).status_code == 404
        assert outsider_client.post(url, {"file": _upload(course_zip())}).status_code in (404, 405)


def test_a_csv_saved_by_excel_with_a_byte_order_mark_imports(workspace: Any) -> None:
    import io
    import zipfile

    from authoring import bundles, zips

    files = bundles.files_of(workspace.draft)
    name = next(path for path in files if path.endswith(".csv"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            data = ("\ufeff" + text if path == name else text).encode("utf-8")
            archive.writestr(f"{workspace.slug}/{path}", data)
    read = zips.read_zip(io.BytesIO(buffer.getvalue()))
    bundles.read_files(read.files, slug=workspace.slug)  # no problem with the header
    assert read.files[name] == files[name]
