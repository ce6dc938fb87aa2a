"""Sessions: written to the database, read from the cache, and still read when the cache is down."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with a connection error.
CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


@pytest.fixture
def signed_in() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("reader", password=None))
    return client


def test_a_signed_in_request_reads_its_session_without_sql(signed_in):
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get("/api/v1/progress/")

    assert response.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_a_session_is_kept_in_the_database_too(signed_in):
    key = signed_in.session.session_key

    assert Session.objects.filter(session_key=key).exists()


def test_a_session_still_loads_when_the_cache_is_down(signed_in):
    with override_settings(CACHES=CACHE_DOWN):
        response = signed_in.get("/api/v1/progress/")

    assert response.status_code == 200  # signed in: anonymous callers get 401
