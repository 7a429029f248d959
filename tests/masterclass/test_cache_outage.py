"""Redis down or restarting: lessons and questions are built without the cache instead of
failing, while the cache itself still raises, so that rate limits on signing in fail closed."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from courses.models import Lesson
from exercises.models import Exercise
from masterclass import caching
from masterclass.processes import free_port
from tests.courses.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db


def _production_cache(location: str) -> dict:  # type: ignore[type-arg]
    """The cache settings the project uses with REDIS_URL, pointed elsewhere."""
    from tests.masterclass.test_settings import run_manage

    result = run_manage(
        "shell", "-c",
        "import json; from django.conf import settings as s; print(json.dumps(s.CACHES))",
        DJANGO_ENV="development", REDIS_URL=location,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def dead_redis_cache() -> dict:  # type: ignore[type-arg]
    return _production_cache(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def redis_down(settings, dead_redis_cache):  # type: ignore[no-untyped-def]
    settings.CACHES = dead_redis_cache
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_the_cache_itself_still_fails_loudly(redis_down) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        cache.get("anything")
    assert caching.get("anything") is None  # rebuildable things: a miss


def test_lessons_and_questions_are_served_while_redis_is_down(client, learner, redis_down) -> None:
    from courses import services

    services.import_course(path=MINI_COURSE)
    lesson = Lesson.objects.select_related("module__course").first()
    exercise = Exercise.objects.first()
    assert lesson is not None and exercise is not None
    client.force_login(learner)
    response = client.get(lesson.get_absolute_url())
    assert response.status_code == 200
    assert response.context["user"] == learner
    assert client.get(exercise.get_absolute_url()).status_code == 200
    assert client.get(f"/courses/{lesson.module.course.slug}/").status_code == 200


def test_signing_in_while_redis_is_down_is_a_calm_503(client, learner, password, redis_down):
    response = client.post(
        "/accounts/login/", {"login": learner.email, "password": password}, follow=False
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "unavailable for a moment" in response.content.decode()
