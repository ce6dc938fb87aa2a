"""Settings shared by every environment. Everything that differs comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .database import check_routing, databases_from_env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "django_celery_beat",
    "csp",
    "lms",
    "courses",
    "quizzes",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before SessionMiddleware: its 503 also covers a session saved after the view.
    "lms.middleware.DatabaseFailoverMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a log-in refused for a lockout into the lockout page (core.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = databases_from_env(env, BASE_DIR)

# Database routing: writes and ordinary reads go to the leader; reads declared replica-safe
# (core.routing.replica_ok) may use a healthy standby. See lms/db_routers.py, docs/database.md.
DATABASE_ROUTERS = ["lms.db_routers.PrimaryReplicaRouter"]
# Replica-safe reads fall back to the leader when the standby is further behind than this.
DB_REPLICA_MAX_LAG_SECONDS = env.float("DB_REPLICA_MAX_LAG_SECONDS", default=5.0)
# The standby's health is probed at most this often per process.
DB_REPLICA_HEALTH_TTL_SECONDS = env.float("DB_REPLICA_HEALTH_TTL_SECONDS", default=3.0)
# After a write the client reads from the leader for this long (a signed cookie): read-your-writes.
DB_PIN_TO_LEADER_SECONDS = env.int("DB_PIN_TO_LEADER_SECONDS", default=15)
# Only these apps' models are ever read from the standby (never accounts or sessions).
DB_REPLICA_APP_LABELS = env.list("DB_REPLICA_APP_LABELS", default=["courses", "quizzes"])
# Retry-After of the 503 answered while the database is unavailable (during a failover).
DB_UNAVAILABLE_RETRY_AFTER_SECONDS = env.int("DB_UNAVAILABLE_RETRY_AFTER_SECONDS", default=2)
check_routing(
    max_lag=DB_REPLICA_MAX_LAG_SECONDS, health_ttl=DB_REPLICA_HEALTH_TTL_SECONDS, pin=DB_PIN_TO_LEADER_SECONDS
)
# End of database routing.

# Content-Security-Policy (django-csp), in every environment so that the tests see it: scripts,
# styles, images and fonts only from our own origin, no inline script or style, never framed.
# The API docs page relaxes it for itself (lms/urls.py). docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django tells every validator when a password was changed (the change and reset
    # pages, the admin, `changepassword`); this one revokes the user's API tokens and lifts the
    # account's log-in lockout (core/passwords.py).
    {"NAME": "core.passwords.OnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog"
LOGOUT_REDIRECT_URL = "catalog"

# Authentication hardening (docs/security.md). django-axes counts failed log-ins on every door that
# calls authenticate() (/accounts/login/, /admin/login/, POST /api/v1/auth/token/) in PostgreSQL,
# so every worker sees the same counts, and the admin lists them (Axes > Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    # Django's, reading the session's user through the cache (core/auth.py).
    "core.auth.ModelBackend",
]
# How long a signed-in user's cached copy may live; any save of the user drops it at once.
USER_CACHE_SECONDS = env.int("USER_CACHE_SECONDS", default=300)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False  # log the lockout's parameters (masked), not every request attribute
# Locked out after this many failures of one account (any address) or from one address (any account).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures older than this stop counting, so a lockout ends by itself (an admin can end it sooner).
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = "core.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
# The client address: the same rule as the API throttles (NUM_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For. The client address is
# the entry that many hops from the end; 0 (no proxy) ignores the header, so a forged one changes
# nothing. Used by the API throttles, the log-in lockout and the password-reset throttle.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more, not {NUM_PROXIES}.")

# API tokens (django-rest-knox): only a hash is stored; each token expires after this many hours
# and is revoked when its owner's password changes.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 7)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,  # no write on each authenticated request (the answer-save hot path)
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKEN_LIMIT_PER_USER", default=20),
}

# Mail (password resets): EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587;
# without it, mail is printed on the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CertPrep <no-reply@localhost>")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60 * 3)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Cache: shared by every process when CACHE_URL (or REDIS_URL, database 1) names a Redis server:
# throttles, log-in lockouts, sessions and signed-in users must agree across gunicorn workers.
# core.cache.RedisCache is Django's with one client per pool and a one-round-trip incr. Without Redis
# (`make run`: one process) a process-local memory cache.
CACHE_URL = env.str("CACHE_URL", default="")
if not CACHE_URL and env.str("REDIS_URL", default=""):
    CACHE_URL = env.str("REDIS_URL").rsplit("/", 1)[0] + "/1"
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": CACHE_URL,
            # Apps (or benchmark runs) sharing one Redis database keep their keys apart with it.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions live in the database and are read from the cache (lms/sessions.py).
SESSION_ENGINE = "lms.sessions"

# API: throttle rates per anonymous client (IP), per signed-in user, and for the token endpoint
# (scope `auth`, per IP: slows password guessing). DRF's rate syntax: N/second|minute|hour|day.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="60/minute")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="600/minute")
API_THROTTLE_AUTH = env.str("API_THROTTLE_AUTH", default="10/minute")
# Password-reset requests, per client address and per e-mail address asked for.
PASSWORD_RESET_THROTTLE_ADDRESS = env.str("PASSWORD_RESET_THROTTLE_ADDRESS", default="10/hour")
PASSWORD_RESET_THROTTLE_EMAIL = env.str("PASSWORD_RESET_THROTTLE_EMAIL", default="3/hour")
# End of API.

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumber",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Read per request (core.api.throttling), so changed settings apply without a restart.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonThrottle",
        "core.api.throttling.UserThrottle",
        "core.api.throttling.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": API_THROTTLE_ANON,
        "user": API_THROTTLE_USER,
        "auth": API_THROTTLE_AUTH,
        "password_reset_address": PASSWORD_RESET_THROTTLE_ADDRESS,
        "password_reset_email": PASSWORD_RESET_THROTTLE_EMAIL,
    },
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Certification LMS API",
    "DESCRIPTION": (
        "Catalog, courses, exams, attempts and progress for REST clients. Authenticate with "
        "`Authorization: Token <token>` (POST /api/v1/auth/token/) or the browser session. Errors "
        'are JSON: {"code", "message", "errors"}; see docs/api.md for the codes.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PathStatusEnum": "courses.models.PathStatus",
        "PublicationStatusEnum": "courses.models.PublicationStatus",
        "SourceKindEnum": "courses.models.SourceKind",
        "ExamKindEnum": "quizzes.models.ExamKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.errors.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button (nested controls a screen reader
    # cannot reach): off, docs/accessibility.md.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes: failed log-ins and lockouts are warnings; its per-login chatter stays out.
    "loggers": {"axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")}},
}

# Exams: saves are accepted until the deadline plus this grace: requests in flight, and a save
# retried across a database failover (about 20 s), still count.
EXAM_GRACE_SECONDS = env.int("EXAM_GRACE_SECONDS", default=30)
# Caps on what one student may start (quizzes/services/quotas.py): practice sets made in any 24
# hours, attempts open at once; and how often one user may post the practice-set page
# (django-ratelimit syntax N/s|m|h|d, counted in the shared cache).
PRACTICE_SETS_PER_DAY = env.int("PRACTICE_SETS_PER_DAY", default=50)
OPEN_ATTEMPTS_PER_STUDENT = env.int("OPEN_ATTEMPTS_PER_STUDENT", default=5)
PRACTICE_PAGE_RATE = env.str("PRACTICE_PAGE_RATE", default="20/m")
# How often one user may post a problem report on an item (same syntax; each attempt also takes
# at most quizzes.models.reports.REPORTS_PER_ATTEMPT reports).
REPORT_RATE = env.str("REPORT_RATE", default="10/m")
# Question imports (docs/importing.md): a file above IMPORT_INLINE_MAX_BYTES or with more than
# IMPORT_INLINE_MAX_ITEMS questions is imported by a Celery task with a progress page; a file above
# IMPORT_MAX_BYTES is refused (the command's --max-bytes overrides it).
IMPORT_INLINE_MAX_BYTES = env.int("IMPORT_INLINE_MAX_BYTES", default=2 * 1024 * 1024)
IMPORT_INLINE_MAX_ITEMS = env.int("IMPORT_INLINE_MAX_ITEMS", default=2000)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Submitted attempts still ungraded after this long are queued again by the sweeper.
GRADING_REQUEUE_AFTER_SECONDS = env.int("GRADING_REQUEUE_AFTER_SECONDS", default=120)
# Retries of a grading task (full-jitter backoff 1, 2, 4 ... 30 s): 10 outlast a ~20 s failover with
# 99.9% probability (5 retries: 0.1%); see docs/database.md.
GRADING_MAX_TRIES = env.int("GRADING_MAX_TRIES", default=10)
# A grading task grades its attempt and up to this many minus one other submitted attempts at once.
GRADING_BATCH_SIZE = env.int("GRADING_BATCH_SIZE", default=200)
# Item analysis (quizzes/item_stats.py): an item with at least this many responses is dubious when
# its discrimination is negative or its difficulty p lies outside [HARD_BELOW, EASY_ABOVE].
ITEM_STATS_MIN_RESPONSES = env.int("ITEM_STATS_MIN_RESPONSES", default=30)
ITEM_STATS_EASY_ABOVE = env.float("ITEM_STATS_EASY_ABOVE", default=0.95)
ITEM_STATS_HARD_BELOW = env.float("ITEM_STATS_HARD_BELOW", default=0.2)
# xAPI: activity ids are IRIs under this base; with an LRS endpoint, each graded attempt's
# statements are pushed to it (HTTP Basic auth when a username is set). docs/learning.md.
XAPI_ACTIVITY_BASE = env.str("XAPI_ACTIVITY_BASE", default="http://127.0.0.1:8000").rstrip("/")
XAPI_LRS_ENDPOINT = env.str("XAPI_LRS_ENDPOINT", default="").rstrip("/")
XAPI_LRS_USERNAME = env.str("XAPI_LRS_USERNAME", default="")
XAPI_LRS_PASSWORD = env.str("XAPI_LRS_PASSWORD", default="")
XAPI_LRS_TIMEOUT_SECONDS = env.float("XAPI_LRS_TIMEOUT_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE = {
    "sweep-overdue-attempts": {
        "task": "quizzes.sweep_overdue_attempts",
        "schedule": env.float("SWEEP_OVERDUE_EVERY_SECONDS", default=60.0),
    },
    "requeue-ungraded-attempts": {
        "task": "quizzes.requeue_ungraded_attempts",
        "schedule": env.float("REQUEUE_UNGRADED_EVERY_SECONDS", default=60.0),
    },
    "queue-missed-reviews": {
        "task": "quizzes.queue_missed_reviews",
        "schedule": env.float("REVIEW_QUEUE_EVERY_SECONDS", default=60.0),
    },
    "compute-item-statistics": {
        "task": "quizzes.compute_item_statistics",
        "schedule": env.float("ITEM_STATS_EVERY_SECONDS", default=3600.0),
    },
}
