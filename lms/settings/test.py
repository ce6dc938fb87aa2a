"""The test suite: always the real PostgreSQL pair, Redis and a Celery worker (see `make test`)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "The tests run against the real PostgreSQL primary/standby pair: run them with `make test`, "
        "which starts it and sets DB_HOSTS, DB_PORTS and REDIS_URL (or `make services-up` and "
        "source the printed stack.env)."
    )

SECRET_KEY = "test-only-secret-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
