"""What the progress pages say: percentages, calibration sentences, strongest topics."""

from progress import presenters
from progress.selectors import CalibrationPoint


def test_percentages_reach_100_only_when_everything_is_done() -> None:
    assert presenters.percent(0.999) == 99
    assert presenters.percent(1.0) == 100
    assert presenters.percent(0.29) == 29  # not 28, despite floating point
    assert presenters.percent(0.0) == 0


def test_calibration_summary_says_when_someone_is_over_confident() -> None:
    summary = presenters.calibration_summary([CalibrationPoint(90, 5, 3)])
    assert summary.startswith(
        "When you said you were 90% sure, you were right 60% of the time (3 of 5 answers)."
    )
    assert "over-confident" in summary


def test_calibration_summary_says_when_someone_is_under_confident() -> None:
    summary = presenters.calibration_summary(
        [CalibrationPoint(50, 4, 4), CalibrationPoint(70, 1, 1)]
    )
    assert (
        "When you said you were 50% sure, you were right 100% of the time (4 of 4 answers)"
        in summary
    )
    assert "(1 of 1 answer)" in summary
    assert "under-confident" in summary


def test_calibration_summary_says_when_someone_is_well_calibrated() -> None:
    summary = presenters.calibration_summary(
        [CalibrationPoint(70, 10, 7), CalibrationPoint(99, 2, 2)]
    )
    assert "well calibrated" in summary


def test_calibration_chart_has_the_learners_points_a_reference_and_a_table_with_counts() -> None:
    chart = presenters.calibration_chart([CalibrationPoint(50, 2, 1), CalibrationPoint(90, 4, 2)])
    traces = {trace["name"]: trace for trace in chart.figure["data"]}
    assert list(traces["Your answers"]["x"]) == [50, 90]
    assert list(traces["Your answers"]["y"]) == [50.0, 50.0]
    assert list(traces["Perfect calibration"]["x"]) == list(traces["Perfect calibration"]["y"])
    assert traces["Your answers"]["line"]["dash"] != traces["Perfect calibration"]["line"]["dash"]
    assert chart.table.headers == ["How sure you said you were", "Answers", "Right", "Share right"]
    assert chart.table.rows == [["50%", "2", "1", "50%"], ["90%", "4", "2", "50%"]]
    assert chart.table.caption == f"Data for the chart: {chart.title}"
    assert "over-confident" in chart.summary


def test_calibration_chart_is_hidden_until_there_are_enough_answers() -> None:
    few = presenters.calibration_section(points=[CalibrationPoint(90, 4, 2)])
    assert few["chart"] is None and few["more_needed"] == 1
    enough = presenters.calibration_section(points=[CalibrationPoint(90, 5, 2)])
    assert enough["chart"] is not None


def module(number: int, answered: int, right: int, total: int) -> dict:
    return {
        "number": number,
        "module": f"Module {number}",
        "exercises_answered": answered,
        "exercises_correct": right,
        "exercises_total": total,
        "mastery": presenters.percent(right / total) if total else None,
    }


def test_topics_rank_modules_with_answers_by_mastery() -> None:
    outline = [module(1, 2, 1, 4), module(2, 0, 0, 3), module(3, 3, 3, 3), module(4, 0, 0, 0)]
    topics = presenters.topics(outline=outline)
    assert topics["enough"] and not topics["even"]
    assert [item["number"] for item in topics["ranked"]] == [3, 1]
    assert topics["strongest"]["number"] == 3 and topics["weakest"]["number"] == 1


def test_topics_need_answers_in_two_modules() -> None:
    topics = presenters.topics(outline=[module(1, 2, 1, 4), module(2, 0, 0, 3)])
    assert not topics["enough"]
