"""Settings come from the environment and refuse unsafe production values."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

STRONG_KEY = "k3J9v2Qx7Lm4Np8Rs6Tu1Wy5Za0Bc2De4Fg6Hi8Jk0Lm2No4Pq6Rs8Tu0Vw2Xy4"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"DJANGO_ENV", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "masterclass.example.gov.uk",
    "DATABASE_URL": "postgres://masterclass@db.example.gov.uk:5432/masterclass",
    "REDIS_URL": "redis://redis.example.gov.uk:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.gov.uk:587",
    "SITE_URL": "https://masterclass.example.gov.uk",
}


def test_check_deploy_is_clean_in_production() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "SECRET_KEY is required"),
        ("short", "SECRET_KEY is too weak"),
        ("django-insecure-" + "x1y2z3" * 10, "SECRET_KEY is too weak"),
        ("a" * 60, "SECRET_KEY is too weak"),
    ],
)
def test_production_refuses_a_missing_or_weak_secret_key(key: str, message: str) -> None:
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_debug() -> None:
    result = run_manage("check", **{**PRODUCTION, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG must not be on" in result.stderr


@pytest.mark.parametrize(
    "missing", ["DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ALLOWED_HOSTS", "SITE_URL"]
)
def test_production_requires_its_services_to_be_named(missing: str) -> None:
    result = run_manage("check", **{**PRODUCTION, missing: ""})
    assert result.returncode != 0
    assert f"{missing} is required" in result.stderr


def test_unknown_environment_name_is_refused() -> None:
    result = run_manage("check", DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be production, development or test" in result.stderr


def test_production_cookies_and_transport_security() -> None:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
        "for k in ['SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
        "'DEBUG']}))"
    )
    result = run_manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }


def test_local_secret_key_is_generated_once_and_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {"DJANGO_ENV": "development", "MASTERCLASS_VAR_DIR": str(tmp_path)}
    first = run_manage("shell", "-c", code, **env)
    second = run_manage("shell", "-c", code, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
