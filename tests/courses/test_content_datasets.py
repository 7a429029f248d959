import datetime

import pytest

from courses.content import datasets
from courses.content.datasets import Column, format_value, parse_csv

COLUMNS = [
    Column("year", "integer"),
    Column("value", "number", unit="people"),
    Column("day", "date", optional=True),
    Column("name", "text"),
]


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_csv(text, COLUMNS, path="d.csv")[1]]


def test_parses_typed_values() -> None:
    rows, found = parse_csv(
        "year,value,day,name\n2020,1.5,2020-01-31,UK\n2021,2,,FR\n", COLUMNS, path="d.csv"
    )
    assert found == []
    assert rows == [
        {"year": 2020, "value": 1.5, "day": datetime.date(2020, 1, 31), "name": "UK"},
        {"year": 2021, "value": 2.0, "day": None, "name": "FR"},
    ]


def test_header_must_match_the_metadata() -> None:
    assert problems("year,val,day,name\n2020,1,,UK\n") == [
        "d.csv:1: the header row is year, val, day, name but the metadata lists year, value, day, name"
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("twenty,1,,UK", "d.csv:3: column year: 'twenty' is not a whole number"),
        ("2020,lots,,UK", "d.csv:3: column value: 'lots' is not a number"),
        ("2020,nan,,UK", "d.csv:3: column value: 'nan' is not a finite number"),
        (
            "2020,1,31/01/2020,UK",
            "d.csv:3: column day: '31/01/2020' is not a date in the form YYYY-MM-DD",
        ),
        (
            "2020,,,UK",
            "d.csv:3: column value: is blank (mark the column optional: true if blanks are expected)",
        ),
        ("2020,1,UK", "d.csv:3: has 3 cells, but there are 4 columns"),
    ],
)
def test_each_bad_cell_is_reported_with_its_line(row: str, message: str) -> None:
    assert problems(f"year,value,day,name\n2019,1,,UK\n{row}\n") == [message]


def test_reports_every_bad_row_not_just_the_first() -> None:
    found = problems("year,value,day,name\nx,1,,A\ny,1,,B\n")
    assert [p.split(":")[1] for p in found] == ["2", "3"]


def test_empty_and_header_only_files_are_refused() -> None:
    assert problems("") == ["d.csv:1: the file is empty: it needs a header row"]
    assert problems("year,value,day,name\n") == ["d.csv:2: the file has a header but no data rows"]


def test_too_many_rows_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(datasets, "MAX_ROWS", 2)
    assert problems("year,value,day,name\n1,1,,a\n2,2,,b\n3,3,,c\n") == [
        "d.csv:4: more than 2 rows"
    ]


def test_broken_quoting_is_reported() -> None:
    found = problems('year,value,day,name\n2020,1,,"UK\n')
    assert found and "cannot be read as CSV" in found[0]


def test_metadata_columns_are_checked() -> None:
    columns, found = datasets.columns_from_metadata(
        [{"name": "a b", "type": "text"}, {"name": "x", "type": "colour"}, {"type": "text"}],
        path="d.yaml",
        line=4,
    )
    assert [str(p) for p in found] == [
        "d.yaml:4: column name 'a b' must be letters, digits and underscores",
        "d.yaml:4: column 'x' has type 'colour'; use one of text, integer, number, date",
        "d.yaml:4: column 3 needs a name and a type",
    ]


def test_values_are_formatted_for_reading() -> None:
    assert format_value(1952, Column("year", "integer")) == "1952"
    assert format_value(8425333, Column("population", "integer", unit="people")) == "8,425,333"
    assert format_value(779.4453, Column("gdp", "number", unit="$")) == "779.4453"
    assert format_value(12345.5, Column("gdp", "number", unit="$")) == "12,345.5"
    assert format_value(None) == ""
