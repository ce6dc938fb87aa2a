"""The session's user is read from the cache, and any change to the user reaches the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with a connection error.
CACHE_DOWN = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}
SIGNED_IN_ONLY = "/api/v1/progress/"  # 200 signed in, 401 otherwise


@pytest.fixture
def user() -> User:
    return User.objects.create_user("reader", password="first-Passw0rd!")


@pytest.fixture
def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.get(SIGNED_IN_ONLY)  # the first request caches the user
    return client


def user_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "auth_user"' in q["sql"]]


def test_a_signed_in_request_reads_its_user_without_sql(signed_in):
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(SIGNED_IN_ONLY)

    assert response.status_code == 200
    assert user_queries(queries) == []


def test_a_new_password_signs_out_the_other_sessions_at_once(signed_in, user):
    user.set_password("second-Passw0rd!")
    user.save()

    assert signed_in.get(SIGNED_IN_ONLY).status_code == 401


def test_a_deactivated_account_is_signed_out_at_once(signed_in, user):
    user.is_active = False
    user.save()

    assert signed_in.get(SIGNED_IN_ONLY).status_code == 401


def test_a_deleted_account_is_signed_out_at_once(signed_in, user):
    user.delete()

    assert signed_in.get(SIGNED_IN_ONLY).status_code == 401


def test_a_change_is_dropped_again_when_it_commits(signed_in, user, django_capture_on_commit_callbacks):
    cached_before = cache.get(f"auth:user:{user.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
        # another request read the row before the change committed, and cached it
        cache.set(f"auth:user:{user.pk}", cached_before)

    assert signed_in.get(SIGNED_IN_ONLY).status_code == 401


def test_the_user_is_read_from_the_database_while_the_cache_is_down(signed_in):
    with override_settings(CACHES=CACHE_DOWN), CaptureQueriesContext(connection) as queries:
        response = signed_in.get(SIGNED_IN_ONLY)

    assert response.status_code == 200
    assert len(user_queries(queries)) == 1
