"""The database backend's health check: no round trip for a healthy connection, a closed one caught."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other() -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the default database, closed afterwards."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def backend_pid(wrapper: BaseDatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def last_query_of(pid: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return None if row is None else row[0]


def test_a_healthy_idle_connection_is_usable_without_a_query(other):
    pid = backend_pid(other)
    with other.cursor() as cursor:
        cursor.execute("SELECT 'the last statement sent' AS marker")

    assert other.is_usable()

    assert last_query_of(pid) == "SELECT 'the last statement sent' AS marker"


def test_a_connection_the_server_ended_is_not_usable(other):
    pid = backend_pid(other)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: last_query_of(pid) is None, timeout=5, every=0.05, what="the server to end it")

    assert not other.is_usable()


def test_a_closed_connection_is_not_usable(other):
    other.connection.close()

    assert not other.is_usable()
