"""Settings shared by every environment. Everything that differs comes from the environment."""

from __future__ import annotations

from pathlib import Path

import environ

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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "django_celery_beat",
    "lms",
    "courses",
    "quizzes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before SessionMiddleware: its 503 also covers a session saved after the view.
    "lms.middleware.DatabaseFailoverMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog"
LOGOUT_REDIRECT_URL = "catalog"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Cache: shared by every process when CACHE_URL (or REDIS_URL, database 1) names a Redis server:
# throttles, log-in lockouts and sessions must count across gunicorn workers. Without Redis
# (`make run`: one process) a process-local memory cache.
CACHE_URL = env.str("CACHE_URL", default="")
if not CACHE_URL and env.str("REDIS_URL", default=""):
    CACHE_URL = env.str("REDIS_URL").rsplit("/", 1)[0] + "/1"
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# API: throttle rates per anonymous client (IP), per signed-in user, and for the token endpoint
# (scope `auth`, per IP: slows password guessing). DRF's rate syntax: N/second|minute|hour|day.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="60/minute")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="600/minute")
API_THROTTLE_AUTH = env.str("API_THROTTLE_AUTH", default="10/minute")
# End of API.

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
    },
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
}

# Exams: saves are accepted until the deadline plus this grace: requests in flight, and a save
# retried across a database failover (about 20 s), still count.
EXAM_GRACE_SECONDS = env.int("EXAM_GRACE_SECONDS", default=30)
# Submitted attempts still ungraded after this long are queued again by the sweeper.
GRADING_REQUEUE_AFTER_SECONDS = env.int("GRADING_REQUEUE_AFTER_SECONDS", default=120)
# Retries of a grading task (full-jitter backoff 1, 2, 4 ... 30 s): 10 outlast a ~20 s failover with
# 99.9% probability (5 retries: 0.1%); see docs/database.md.
GRADING_MAX_TRIES = env.int("GRADING_MAX_TRIES", default=10)
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
}
