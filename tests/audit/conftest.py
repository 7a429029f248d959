from tests.exercises.conftest import course, exercise_named  # noqa: F401  (shared fixtures)
