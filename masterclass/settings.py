"""Settings for Masterclass, read from the environment.

``DJANGO_ENV`` picks the profile: ``production`` (the default: the safe one),
``development`` (what ``make run`` uses) or ``test`` (what pytest uses). Every
other value comes from an environment variable (or a ``.env`` file at the
project root) with a safe default; a bad value stops start-up with
``ImproperlyConfigured`` rather than running half-configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from accounts.sso.config import form_action_origins, oidc_apps

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="production")
if DJANGO_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be production, development or test, not {DJANGO_ENV!r}."
    )
IS_PRODUCTION = DJANGO_ENV == "production"
IS_TEST = DJANGO_ENV == "test"

# Local state (SQLite database, embedded broker, outgoing mail, generated
# secret key) lives under var/, which git ignores.
VAR_DIR = Path(env.str("MASTERCLASS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")
# Each test run gets its own SQLite file and broker folder, so runs side by side don't collide;
# a worker started by the tests is told the run's id.
TEST_RUN = env.str("MASTERCLASS_TEST_RUN", default=str(os.getpid())) if IS_TEST else ""
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on when DJANGO_ENV=production.")


def _weak_secret_key(key: str) -> bool:
    # The same thresholds as Django's security.W009 deploy check.
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


def _local_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


if IS_PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_ENV=production.")
    if _weak_secret_key(SECRET_KEY):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak: use at least 50 random characters, for example "
            "the output of: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The site's address as people reach it: links in emails and on certificates start with it.
SITE_URL = env.str("SITE_URL", default="" if IS_PRODUCTION else "http://127.0.0.1:8000")
if IS_PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "SITE_URL is required when DJANGO_ENV=production, e.g. https://masterclass.example.gov.uk"
    )
SITE_URL = SITE_URL.rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # allauth's security-key list (/accounts/2fa/webauthn/) loads humanize.
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "accounts",
    "courses",
    "authoring",
    "exercises",
    "progress",
    "cohorts",
    "audit",
    "monitoring",
    "backups",
]

MIDDLEWARE = [
    # First, so that every answer (redirects, static files, errors) carries a request id and
    # is timed and counted.
    "monitoring.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Signed out after a spell without activity, and at the latest SESSION_COOKIE_AGE after
    # signing in.
    "accounts.middleware.IdleSessionMiddleware",
    # After allauth's: admins, authors, tutors and facilitators set up MFA before going on.
    "accounts.middleware.MFARequiredMiddleware",
    # Last, so that its process_exception is the first to see a view's exception.
    "masterclass.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "masterclass.urls"
WSGI_APPLICATION = "masterclass.wsgi.application"
ASGI_APPLICATION = "masterclass.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "bench" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
            "builtins": ["masterclass.templatetags.govuk"],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------
if IS_PRODUCTION and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is required when DJANGO_ENV=production, e.g. postgres://user@host/masterclass"
    )
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'masterclass.sqlite3'}")
}
_db = DATABASES["default"]
# Keep connections between requests (checked before reuse) rather than reconnecting each time.
_db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A real Celery worker runs in its own process, so tests need a database
    # file that both processes can open (an in-memory one is per process).
    _db["TEST"] = {"NAME": str(VAR_DIR / "tests" / f"test-{TEST_RUN}.sqlite3")}
    (VAR_DIR / "tests").mkdir(exist_ok=True)
    _db.setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Let the statements run for every answer (progress recounts) be prepared once per
    # connection: planning them costs more than running them. Only code that asks for it
    # prepares; Django's own queries never do. Turn off behind a pooler that cannot keep
    # prepared statements (PgBouncer before 1.21 in transaction mode).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        _db["OPTIONS"]["prepare_threshold"] = 5
    if env.bool("DATABASE_POOL", default=True):
        # psycopg's pool, per process. Celery's Django integration closes the connection around
        # every task; with the pool that hands it back instead of reconnecting (several ms on
        # PostgreSQL), which is what lets one worker grade hundreds of answers a second.
        _db["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 5,
        }
        _db["CONN_MAX_AGE"] = 0  # Django requires it with a pool
        _db["CONN_HEALTH_CHECKS"] = False  # a pooled connection is checked by the pool
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, Celery ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if IS_PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is required when DJANGO_ENV=production: the embedded broker is for local use."
    )
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="test" if IS_TEST else "masterclass")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Errors are not ignored here: rate limits on signing in fail closed while Redis is
            # down. What can be rebuilt (rendered lessons) goes through masterclass.caching,
            # which treats an outage as a miss. Sessions stay in the database.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        # Longer than any grading can take (hard limit 30 s) and well past the sweeper's
        # resend delay; an unacknowledged message comes back after this.
        "visibility_timeout": 3600,
        # A request that publishes while Redis is down gives up fast instead of hanging.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
    }
else:
    # No server needed: the database cache (shared by web and worker, so rate
    # limits hold across processes) and kombu's filesystem transport. The
    # transport deletes a message once a worker takes it, so work that must not
    # be lost is recorded in the database first (see docs/adr/0003).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "masterclass_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    BROKER_DIR = Path(
        env.str(
            "BROKER_DIR",
            default=str(
                VAR_DIR / "tests" / f"broker-{TEST_RUN}" if IS_TEST else VAR_DIR / "broker"
            ),
        )
    )
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = None

CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Each test run uses its own queues, so that neither a local `make run` worker nor another
# run on the same Redis ever takes its tasks.
_QUEUE_PREFIX = f"test-{TEST_RUN}-" if IS_TEST else ""
CELERY_TASK_DEFAULT_QUEUE = f"{_QUEUE_PREFIX}default"
GRADING_QUEUE = f"{_QUEUE_PREFIX}grading"
# Email has its own queue, so a slow mail server never holds up grading or the beat jobs.
EMAIL_QUEUE = f"{_QUEUE_PREFIX}email"
CELERY_TASK_ROUTES = {
    "exercises.tasks.grade_submission": {"queue": GRADING_QUEUE},
    "exercises.tasks.regrade_submissions": {"queue": GRADING_QUEUE},
    "accounts.tasks.send_email_message": {"queue": EMAIL_QUEUE},
    "cohorts.tasks.send_invitations": {"queue": EMAIL_QUEUE},
    "cohorts.tasks.send_weekly_progress_emails": {"queue": EMAIL_QUEUE},
    "cohorts.tasks.send_facilitator_digests": {"queue": EMAIL_QUEUE},
    "cohorts.tasks.send_due_date_reminders": {"queue": EMAIL_QUEUE},
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing: a few quick retries, then give up (the submission is saved; the sweeper sends it).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every worker records a heartbeat this often, from a thread of its own (monitoring.heartbeat).
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "sweep-submissions": {
        "task": "exercises.tasks.sweep_submissions",
        "schedule": env.int("SWEEP_SECONDS", default=15),
    },
    # Scheduled emails, daily at 08:00 in TIME_ZONE (Europe/London), which Celery uses for
    # crontab. Each is safe to run twice: an email is claimed in the database before it is
    # sent. The weekly emails are claimed once per ISO week, so the first run of the week
    # (Monday's) sends them, and a run that failed is made up the next day, not lost.
    "send-weekly-progress-emails": {
        "task": "cohorts.tasks.send_weekly_progress_emails",
        "schedule": crontab(minute=0, hour=8),
    },
    "send-facilitator-digests": {
        "task": "cohorts.tasks.send_facilitator_digests",
        "schedule": crontab(minute=0, hour=8),
    },
    "send-due-date-reminders": {
        "task": "cohorts.tasks.send_due_date_reminders",
        "schedule": crontab(minute=0, hour=8),
    },
    # Accounts unused for ACCOUNT_RETENTION_DAYS are anonymised, daily at night.
    "anonymise-inactive-accounts": {
        "task": "accounts.tasks.anonymise_inactive_accounts",
        "schedule": crontab(minute=30, hour=3),
    },
}
# Grading: a submission waiting this long to be sent, started or finished is sent again.
GRADING_RESEND_AFTER_SECONDS = env.int("GRADING_RESEND_AFTER_SECONDS", default=30)
GRADING_MAX_SENDS = env.int("GRADING_MAX_SENDS", default=10)
GRADING_GIVE_UP_AFTER_SECONDS = env.int("GRADING_GIVE_UP_AFTER_SECONDS", default=6 * 3600)

# Cohorts: a learner with no activity for this many days is "inactive"; aggregate reports
# hide any group smaller than the threshold; item analysis warns on fewer learners than this.
COHORT_INACTIVE_AFTER_DAYS = env.int("COHORT_INACTIVE_AFTER_DAYS", default=14)
REPORT_MIN_GROUP_SIZE = env.int("REPORT_MIN_GROUP_SIZE", default=5)
ITEM_ANALYSIS_MIN_LEARNERS = env.int("ITEM_ANALYSIS_MIN_LEARNERS", default=20)
# Due-date reminders go to members who have not finished a module due within this many days.
DUE_REMINDER_DAYS = env.int("DUE_REMINDER_DAYS", default=3)
# An account nobody has signed in to or used for this many days is anonymised
# (accounts.data_rights); 0 turns this off.
ACCOUNT_RETENTION_DAYS = env.int("ACCOUNT_RETENTION_DAYS", default=730)
if ACCOUNT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("ACCOUNT_RETENTION_DAYS must be 0 (off) or a number of days.")

# --- Authentication (django-allauth) -------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if IS_TEST:
    # The suite makes thousands of accounts, and PBKDF2's million rounds were half its time
    # (Django's own advice for tests). Every other environment keeps Django's defaults.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Data Masterclass: "
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so that a reader sees them in one place.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    # Also counts wrong two-factor codes (signing in, re-authenticating, setting up an
    # authenticator app): allauth.mfa keys them "mfa-auth-user-<id>", so 5 wrong codes per
    # person in 5 minutes, and 10 a minute from one address.
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
# allauth.mfa's own limit: signing in with a passkey alone (off here: MFA_PASSKEY_LOGIN_ENABLED).
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
# Our own limits (masterclass.ratelimits), per person, in the same notation.
RATE_LIMITS = {
    "submit_answer": "30/m/user",
    # Every download of a file: cohort CSVs, course zips, the audit log.
    "export": "10/m/user",
    # A person downloading their own data (each file counts): a heavy read, and many in a row
    # would more likely be someone else using the account.
    "data_export": "30/h/user",
}
# Who may create an account: an address with a pending invitation, or one
# whose domain matches a pattern here (fnmatch style: "*.gov.uk").
SIGNUP_ALLOWED_DOMAINS = env.list("SIGNUP_ALLOWED_DOMAINS", default=["gov.uk", "*.gov.uk"])
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False

# --- Single sign-on (OpenID Connect) ---------------------------------------
# OIDC_PROVIDERS=onelogin,entra and OIDC_<ID>_… for each (docs/sso.md). None: no SSO buttons.
OIDC_APPS = oidc_apps(os.environ)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "accounts.sso.provider.OIDCProvider",
        "APPS": OIDC_APPS,
    }
}
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.SocialAccountAdapter"
# An existing account is signed in, and linked, when the provider vouches for its address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# Refuses to remove the last second factor of someone whose role needs one (accounts.mfa).
MFA_ADAPTER = "accounts.mfa.MFAAdapter"

# --- Email ---------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Data Masterclass <masterclass@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif IS_PRODUCTION:
    raise ImproperlyConfigured(
        "EMAIL_URL is required when DJANGO_ENV=production, e.g. smtp+tls://user:password@host:587"
    )
else:
    EMAIL_BACKEND = "accounts.mail.LocalFileEmailBackend"
    # A test can point a worker process at its own folder, to count what the worker sent.
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# Sign-in codes and other account emails go through the email queue, so a slow mail server
# never holds up a request; if the broker is down they are sent in the request instead.
# Off outside production, so tests and `make run` see the message straight away.
SEND_EMAIL_IN_BACKGROUND = env.bool("SEND_EMAIL_IN_BACKGROUND", default=IS_PRODUCTION)

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # GOV.UK Frontend's JavaScript and images, straight from npm: /static/govuk/…
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    # plotly.js without eval, for charts under a strict CSP: /static/plotly/…
    ("plotly", BASE_DIR / "node_modules" / "plotly.js-strict-dist-min"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns when it is missing

# --- Security -------------------------------------------------------------
CSRF_FAILURE_VIEW = "masterclass.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends SESSION_IDLE_SECONDS after the last page viewed, and SESSION_COOKIE_AGE
# after signing in at the latest (accounts.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=60 * 60)
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload flag only matters once the domain is submitted to the browsers' list.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only accepted over HTTPS, for the exact host, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # NONCE: the one inline line GOV.UK Frontend needs on <body>.
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        # The single sign-on buttons post here, and we redirect to the provider.
        "form-action": [SELF, *form_action_origins(OIDC_APPS)],
    }
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# WebAuthn security keys and passkeys (allauth.mfa) need these for this origin.
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]
PERMISSIONS_POLICY["publickey-credentials-create"] = ["self"]

# --- Logging --------------------------------------------------------------
# One JSON object a line in production (for a log store), plain text elsewhere; either way every
# line carries the request id of the request, or of the request that sent the task, it belongs to.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "monitoring.logging.JsonFormatter"},
    },
    "filters": {
        "request_id": {
            "()": "monitoring.logging.RequestIdFilter",
            "missing": "-" if LOG_FORMAT == "plain" else None,
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per task is ours (masterclass.task); Celery's own "received" and "succeeded"
        # lines would double it. Its errors and retries still come through.
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
# Celery workers log through the LOGGING above instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Health check ---------------------------------------------------------
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=1.5)

# Serve static files straight from their source folders outside production
# (no collectstatic needed for make run or the live test server).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
