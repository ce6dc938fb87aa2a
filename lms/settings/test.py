"""The test suite's settings: PostgreSQL started by `make test-fast` (one server) or `make test`
(the Patroni pair, Redis and a Celery worker), both of which set DB_HOSTS and DB_PORTS.

Without DB_HOSTS the settings still load, so that the tests that never touch the database run
with nothing started; a test that needs it fails, saying how to run it (tests/conftest.py).
"""

from .base import *

# The suite never falls back to SQLite: without PostgreSQL there is no database at all.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    for alias in DATABASES:
        DATABASES[alias] = {"ENGINE": "django.db.backends.dummy"}

SECRET_KEY = "test-only-secret-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
