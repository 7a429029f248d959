import pytest

from exercises.forms import AnswerForm, parse_number
from exercises.models import Exercise


def exercise(kind: str, **spec) -> Exercise:  # type: ignore[no-untyped-def]
    return Exercise(kind=kind, spec=spec, slug="x", title="X", prompt="?", explanation="!")


@pytest.mark.parametrize(
    ("text", "value"),
    [("72.5", 72.5), ("1,250", 1250), (" 3 ", 3), ("-4", -4), ("12%", 12), ("79 years", 79), ("１２", 12),
     ("\u22122", -2), ("٣", 3)],
)  # fmt: skip
def test_numbers_as_people_type_them(text: str, value: float) -> None:
    assert parse_number(text, label="your answer") == value


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1,2,3", "1e999", "NaN", "inf", "12..5", "1" * 40, "+", "1\u200b2", "\u202e12"],
)
def test_non_numbers_are_refused_clearly(text: str) -> None:
    form = AnswerForm(
        {"value": text}, exercise=exercise("numeric", answer=1, tolerance={"absolute": 0})
    )
    assert not form.is_valid()
    assert form.errors["value"][0].startswith(("Enter your answer", "Ensure this value"))


def test_estimate_needs_low_below_high() -> None:
    form = AnswerForm({"low": "10", "high": "5"}, exercise=exercise("estimate", answer=7))
    assert not form.is_valid()
    assert form.errors["high"] == ["The highest value must be at least the lowest value"]


def test_ordering_needs_distinct_positions() -> None:
    ex = exercise("ordering", items=["a", "b", "c"])
    form = AnswerForm({"item_0": "1", "item_1": "1", "item_2": "3"}, exercise=ex)
    assert not form.is_valid()
    assert form.non_field_errors() == ["Give each item a different position"]
    good = AnswerForm({"item_0": "2", "item_1": "1", "item_2": "3"}, exercise=ex)
    assert good.is_valid()
    assert good.answer() == {"order": [1, 0, 2]}


def test_choice_must_be_one_of_the_options() -> None:
    ex = exercise("single_choice", options=[{"text": "a"}, {"text": "b"}])
    assert not AnswerForm({"choice": "7"}, exercise=ex).is_valid()
    assert not AnswerForm({}, exercise=ex).is_valid()
    assert AnswerForm({"choice": "1"}, exercise=ex).is_valid()


def test_huge_sql_is_refused() -> None:
    ex = exercise("sql", reference="select 1")
    form = AnswerForm({"query": "select " + "1," * 5000 + "1"}, exercise=ex)
    assert not form.is_valid()
    assert "under 5,000 characters" in form.errors["query"][0]


def test_free_text_word_limit() -> None:
    ex = exercise("free_text", rubric=[{"criterion": "x", "points": 1}], max_words=10)
    form = AnswerForm({"text": "word " * 11}, exercise=ex)
    assert not form.is_valid()
    assert form.errors["text"] == ["Use 10 words or fewer (you used 11)"]


def test_confidence_is_asked_when_the_exercise_wants_it() -> None:
    ex = exercise("numeric", answer=1, tolerance={"absolute": 0})
    ex.ask_confidence = True
    form = AnswerForm({"value": "1"}, exercise=ex)
    assert not form.is_valid()
    assert form.errors["confidence"] == ["Select how sure you are"]
    form = AnswerForm({"value": "1", "confidence": "90"}, exercise=ex)
    assert form.is_valid() and form.confidence == 90
