from courses.content.charts import PALETTE, build_figure, build_table, check_series, validate_spec
from courses.content.datasets import Column

COLUMNS = [
    Column("country", "text"),
    Column("year", "integer"),
    Column("life", "number", unit="years", description="Life expectancy"),
    Column("gdp", "number", unit="$", description="GDP per person"),
]
ROWS = [
    {"country": c, "year": y, "life": life, "gdp": gdp}
    for c, y, life, gdp in [
        ("UK", 2000, 78.0, 100.0), ("UK", 2005, 79.0, 110.0),
        ("FR", 2000, 79.0, 90.0), ("FR", 2005, 80.5, 95.0),
        ("JP", 2000, 81.0, 120.0), ("JP", 2005, 82.0, 125.0),
    ]
]  # fmt: skip
SPEC = {
    "title": "Life expectancy",
    "dataset": "d",
    "type": "line",
    "x": "year",
    "y": "life",
    "colour": "country",
    "filters": [{"column": "country", "in": ["JP", "UK"]}],
    "summary": "Japan lives longest.",
}


def messages(spec: dict) -> list[str]:
    return [p.message for p in validate_spec(spec, COLUMNS, path="c.yaml")]


def test_a_good_spec_has_no_problems() -> None:
    assert messages(SPEC) == []


def test_a_chart_without_a_summary_is_refused() -> None:
    assert messages({**SPEC, "summary": "  "}) == [
        "summary is required (what the chart shows and its main takeaway)"
    ]


def test_unknown_columns_types_and_keys_are_refused() -> None:
    found = messages(
        {**SPEC, "type": "pie", "x": "month", "colour": "region", "colour_scheme": "x"}
    )
    assert "unknown key 'colour_scheme'; allowed keys are " in found[0]
    assert "type 'pie' is not one of line, bar, barh, scatter" in found
    assert "x: the dataset has no column 'month'" in found
    assert "colour: the dataset has no column 'region'" in found


def test_values_must_be_numeric_and_filters_well_formed() -> None:
    found = messages({**SPEC, "y": "country", "filters": [{"column": "year", "near": 2000}]})
    assert "y: column 'country' is not numeric" in found
    assert "filter 1 must use one or more of: in, equals, min, max" in found


def test_series_follow_the_filter_order_and_palette() -> None:
    figure = build_figure(SPEC, ROWS, COLUMNS)
    assert [trace["name"] for trace in figure["data"]] == ["JP", "UK"]
    assert [trace["line"]["color"] for trace in figure["data"]] == list(PALETTE[:2])
    assert figure["data"][1]["line"]["dash"] != figure["data"][0]["line"]["dash"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "Life expectancy (years)"


def test_one_sided_axis_range_is_completed_from_the_data() -> None:
    figure = build_figure({**SPEC, "y_min": 0}, ROWS, COLUMNS)
    low, high = figure["layout"]["yaxis"]["range"]
    assert low == 0
    assert high > 82


def test_table_has_a_row_per_x_and_a_column_per_series() -> None:
    table = build_table(SPEC, ROWS, COLUMNS, title="Life expectancy")
    assert table.caption == "Data for the chart: Life expectancy (Life expectancy (years))"
    assert table.headers == ["year", "JP", "UK"]
    assert table.rows == [["2000", "81", "78"], ["2005", "82", "79"]]


def test_several_y_columns_make_one_series_each() -> None:
    spec = {
        **SPEC,
        "y": ["life", "gdp"],
        "colour": None,
        "filters": [{"column": "country", "equals": "UK"}],
    }
    figure = build_figure(spec, ROWS, COLUMNS)
    assert [t["name"] for t in figure["data"]] == ["Life expectancy", "GDP per person"]
    table = build_table(spec, ROWS, COLUMNS, title="UK")
    assert table.headers == ["year", "Life expectancy (years)", "GDP per person ($)"]


def test_horizontal_bars_sorted_by_value() -> None:
    spec = {**SPEC, "type": "barh", "x": "country", "y": "life", "colour": None, "sort": "descending",
            "filters": [{"column": "year", "equals": 2005}]}  # fmt: skip
    figure = build_figure(spec, ROWS, COLUMNS)
    assert figure["data"][0]["y"] == ["JP", "FR", "UK"]
    assert figure["data"][0]["orientation"] == "h"


def test_filters_that_leave_nothing_are_reported() -> None:
    spec = {**SPEC, "filters": [{"column": "year", "min": 3000}]}
    assert [p.message for p in check_series(spec, ROWS, COLUMNS, path="c.yaml")] == [
        "the filters leave no rows to draw"
    ]
