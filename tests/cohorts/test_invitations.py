"""Reading a CSV file of learners: every kind of bad file gets a clear report."""

import io
import zipfile

from cohorts.invitations import MAX_ROWS, parse_invitees


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_invitees(data=text.encode())


def messages(parsed) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    return [(problem.line, problem.message) for problem in parsed.problems]


class TestValidFiles:
    def test_reads_every_column_whatever_the_case_of_the_headings(self) -> None:
        parsed = parse(
            "Email,First_Name,LAST_NAME,Group\r\n"
            " Ada.Lovelace@Example.gov.uk ,Ada,Lovelace,HM Treasury\r\n"
            "grace@example.gov.uk,,,\r\n"
        )
        assert parsed.is_valid and not parsed.problems
        ada, grace = parsed.invitees
        assert (ada.line, ada.email, ada.first_name, ada.last_name, ada.group) == (
            2, "ada.lovelace@example.gov.uk", "Ada", "Lovelace", "HM Treasury",
        )  # fmt: skip
        assert (grace.line, grace.email, grace.group) == (3, "grace@example.gov.uk", "")

    def test_email_alone_is_enough(self) -> None:
        parsed = parse("email\nada@example.gov.uk\n")
        assert [invitee.email for invitee in parsed.invitees] == ["ada@example.gov.uk"]

    def test_accepts_a_byte_order_mark_as_excel_writes_it(self) -> None:
        parsed = parse_invitees(data="email,group\nada@example.gov.uk,DfE\n".encode("utf-8-sig"))
        assert parsed.is_valid

    def test_accepts_semicolons_and_tabs(self) -> None:
        assert parse("email;group\nada@example.gov.uk;DfE\n").invitees[0].group == "DfE"
        assert parse("email\tgroup\nada@example.gov.uk\tDfE\n").invitees[0].group == "DfE"

    def test_quoted_values_may_hold_commas_and_non_ascii_text(self) -> None:
        parsed = parse('email,group\nzoe@example.gov.uk,"Culture, Media and Sport – Zoë"\n')
        assert parsed.invitees[0].group == "Culture, Media and Sport – Zoë"

    def test_blank_lines_are_skipped_but_line_numbers_still_count_them(self) -> None:
        parsed = parse("email\n\nada@example.gov.uk\n,\nnot-an-email\n")
        assert parsed.invitees == []
        assert messages(parsed)[0][0] == 5

    def test_ten_thousand_rows_are_allowed(self) -> None:
        rows = "".join(f"person{n}@example.gov.uk,Dept {n % 7}\n" for n in range(MAX_ROWS))
        parsed = parse("email,group\n" + rows)
        assert parsed.is_valid
        assert len(parsed.invitees) == MAX_ROWS
        assert parsed.invitees[-1].line == MAX_ROWS + 1


class TestWrongColumns:
    def test_unknown_columns_are_named(self) -> None:
        parsed = parse("email,phone,Department\nada@example.gov.uk,0123,DfE\n")
        assert not parsed.invitees
        [(line, message)] = messages(parsed)
        assert line == 1
        assert "Unknown columns ‘phone’, ‘Department’" in message
        assert "email, first_name, last_name and group" in message

    def test_a_missing_email_column_is_reported(self) -> None:
        parsed = parse("name,group\nAda,DfE\n")
        assert any("must be ‘email’" in message for _, message in messages(parsed))

    def test_a_file_without_a_header_is_reported(self) -> None:
        parsed = parse("ada@example.gov.uk,Ada\n")
        assert any("one of them must be ‘email’" in message for _, message in messages(parsed))

    def test_repeated_and_unnamed_columns_are_reported(self) -> None:
        parsed = parse("email,group,Group,\nada@example.gov.uk,a,b,\n")
        found = " ".join(message for _, message in messages(parsed))
        assert "‘group’ appears more than once" in found
        assert "Column 4 has no heading" in found

    def test_a_row_with_more_values_than_columns_is_reported(self) -> None:
        parsed = parse("email\nada@example.gov.uk,Treasury\n")
        assert messages(parsed) == [(2, "This line has 2 values but there are 1 columns")]


class TestBadRows:
    def test_every_bad_email_is_listed_with_its_line(self) -> None:
        parsed = parse(
            "email,group\n"
            "ada@example.gov.uk,DfE\n"
            "not an email,DfE\n"
            ",DfE\n"
            "grace@example\n"
            "bob@@example.gov.uk,\n"
        )
        assert parsed.invitees == []  # nothing is half-imported
        assert [(p.line, p.value) for p in parsed.problems] == [
            (3, "not an email"), (4, ",DfE"), (5, "grace@example"), (6, "bob@@example.gov.uk"),
        ]  # fmt: skip
        assert parsed.problems[0].message.startswith("Enter an email address in the correct format")
        assert parsed.problems[1].message == "Enter an email address"

    def test_duplicates_name_both_lines_whatever_the_case(self) -> None:
        parsed = parse("email\nada@example.gov.uk\ngrace@example.gov.uk\nADA@Example.gov.uk\n")
        assert messages(parsed) == [(4, "This address is also on line 2")]
        assert parsed.problems[0].value == "ada@example.gov.uk"

    def test_over_long_values_are_reported(self) -> None:
        parsed = parse(f"email,group,first_name\nada@example.gov.uk,{'x' * 101},{'y' * 151}\n")
        found = [message for _, message in messages(parsed)]
        assert "The group must be 100 characters or fewer" in found
        assert "The first_name must be 150 characters or fewer" in found
        too_long = "a" * 250 + "@example.gov.uk"
        assert messages(parse(f"email\n{too_long}\n")) == [(2, "The email address is too long")]

    def test_a_broken_quote_is_reported_with_its_line(self) -> None:
        parsed = parse('email,group\nada@example.gov.uk,"DfE\n')
        [(line, message)] = messages(parsed)
        assert line == 2 and "could not be read as CSV" in message


class TestBadFiles:
    def test_more_than_ten_thousand_rows_are_refused(self) -> None:
        rows = "".join(f"person{n}@example.gov.uk\n" for n in range(MAX_ROWS + 1))
        parsed = parse("email\n" + rows)
        assert parsed.invitees == []
        assert messages(parsed) == [
            (None, "The file has 10,001 learners. The most one file can have is 10,000: "
                   "split it into smaller files"),
        ]  # fmt: skip

    def test_an_empty_file_is_refused(self) -> None:
        assert messages(parse("")) == [(None, "The file is empty")]
        assert messages(parse("\n\n  \n")) == [(None, "The file is empty")]

    def test_a_header_alone_is_refused(self) -> None:
        assert messages(parse("email,group\n")) == [
            (None, "The file has a header but no learners: add one row per learner")
        ]

    def test_a_png_is_refused(self) -> None:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
        assert messages(parse_invitees(data=png)) == [
            (None, "The file is an image, not a CSV file")
        ]

    def test_an_excel_workbook_is_refused_with_advice(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as workbook:
            workbook.writestr("xl/workbook.xml", "<workbook/>")
        [(line, message)] = messages(parse_invitees(data=buffer.getvalue()))
        assert line is None
        assert "not a CSV file" in message and "CSV UTF-8" in message

    def test_other_binary_files_are_refused(self) -> None:
        [(_, message)] = messages(parse_invitees(data=b"email\n\x00\x01\x02binary"))
        assert message.startswith("The file is not a CSV file")

    def test_a_file_that_is_not_utf8_is_refused(self) -> None:
        latin1 = "email,group\nzoe@example.gov.uk,Zoë’s team\n".encode("cp1252")
        [(_, message)] = messages(parse_invitees(data=latin1))
        assert message.startswith("The file must be UTF-8 CSV")
        utf16 = "email\nzoe@example.gov.uk\n".encode("utf-16")
        [(_, message)] = messages(parse_invitees(data=utf16))
        assert message.startswith("The file must be UTF-8 CSV")

    def test_a_file_over_two_megabytes_is_refused(self) -> None:
        big = ("email\n" + ("a" * 64 + "@example.gov.uk\n") * 40_000).encode()
        [(_, message)] = messages(parse_invitees(data=big))
        assert message == "The file must be smaller than 2 MB"
