"""core.cache.RedisCache: Django's Redis cache with one client per pool and a one-round-trip incr."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from redis.connection import Connection

from core.cache import RedisCache

# caches["default"] is core.cache.RedisCache whenever REDIS_URL or CACHE_URL is set: make test.
pytestmark = pytest.mark.standby


@pytest.fixture
def cache() -> RedisCache:
    cache = caches["default"]
    assert isinstance(cache, RedisCache), "run with make test: these tests need Redis"
    return cache


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every command sent to Redis from now on."""
    sent: list[object] = []
    send = Connection.send_packed_command

    def counting(self: Connection, command: object, check_health: bool = True) -> None:
        sent.append(command)
        send(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_incr_adds_to_an_existing_count(cache):
    name = key()
    cache.set(name, 41, 60)

    assert cache.incr(name) == 42
    assert cache.incr(name, 8) == 50
    assert cache.get(name) == 50


def test_incr_of_a_missing_key_raises_value_error_and_creates_nothing(cache):
    name = key()

    with pytest.raises(ValueError, match="not found"):
        cache.incr(name)
    assert cache.get(name) is None


def test_incr_is_one_round_trip(cache, commands):
    name = key()
    cache.set(name, 1, 60)
    cache.incr(name)  # loads the script once
    commands.clear()

    cache.incr(name)

    assert len(commands) == 1


def test_every_call_reuses_one_client(cache):
    cache.get(key())
    client = cache._cache.get_client()

    cache.get(key())

    assert cache._cache.get_client() is client
