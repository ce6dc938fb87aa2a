"""The database router: writes to the leader, declared reads to a healthy standby, read-your-writes."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client

from core.routing import leader_only, replica_ok
from courses.catalog_file import read_catalog
from courses.models import CertificationPath
from courses.services import load_catalog
from lms.db_routers import (
    UNKNOWN,
    PrimaryReplicaRouter,
    ReplicaHealth,
    ReplicaState,
    probe_replica,
    replica_health,
    request_routing,
)
from lms.middleware import DATA_AS_OF_HEADER, PIN_COOKIE
from quizzes.models import Answer

AS_OF = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
HEALTHY = ReplicaState(
    status="standby", usable=True, in_recovery=True, lag_seconds=0.0, lag_bytes=0, as_of=AS_OF
)
DOWN = ReplicaState(status="down", usable=False, detail="connection refused")
LAGGING = ReplicaState(status="lagging", usable=False, in_recovery=True, lag_seconds=42.0)
DISCONNECTED = ReplicaState(status="disconnected", usable=False, in_recovery=True, lag_seconds=0.0)
ON_THE_LEADER = ReplicaState(status="leader", usable=False, in_recovery=False)


def router_seeing(state: ReplicaState) -> PrimaryReplicaRouter:
    return PrimaryReplicaRouter(health=ReplicaHealth(probe=lambda: state))


class CountingProbe:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> ReplicaState:
        self.calls += 1
        return HEALTHY


@pytest.fixture(autouse=True)
def fresh_replica_health() -> Iterator[None]:
    replica_health.invalidate()
    yield
    replica_health.invalidate()


# --------------------------------------------------------------------------- rules (fake health)


def test_reads_go_to_the_leader_unless_declared_replica_safe():
    assert router_seeing(HEALTHY).db_for_read(CertificationPath) == "default"


def test_declared_reads_go_to_a_healthy_standby():
    with replica_ok():
        assert router_seeing(HEALTHY).db_for_read(CertificationPath) == "replica"
        assert router_seeing(HEALTHY).db_for_read(Answer) == "replica"


def test_writes_always_go_to_the_leader():
    router = router_seeing(HEALTHY)

    with replica_ok():
        assert router.db_for_write(CertificationPath) == "default"
    assert router.db_for_write(CertificationPath) == "default"


def test_a_write_sends_the_rest_of_the_request_to_the_leader():
    router = router_seeing(HEALTHY)

    with request_routing() as routing, replica_ok():
        assert router.db_for_read(CertificationPath) == "replica"
        router.db_for_write(Answer)
        assert router.db_for_read(CertificationPath) == "default"
    assert routing.wrote


def test_a_request_pinned_after_a_write_reads_from_the_leader():
    with replica_ok(), leader_only():
        assert router_seeing(HEALTHY).db_for_read(CertificationPath) == "default"


def test_reads_inside_a_transaction_on_the_leader_stay_there(monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)

    with replica_ok():
        assert router_seeing(HEALTHY).db_for_read(CertificationPath) == "default"


def test_accounts_and_sessions_never_come_from_the_standby():
    with replica_ok():
        assert router_seeing(HEALTHY).db_for_read(User) == "default"
        assert router_seeing(HEALTHY).db_for_read(Session) == "default"


@pytest.mark.parametrize(
    "state", [DOWN, LAGGING, DISCONNECTED, ON_THE_LEADER, UNKNOWN], ids=lambda s: s.status
)
def test_reads_fall_back_to_the_leader_when_the_standby_is_not_usable(state):
    with replica_ok():
        assert router_seeing(state).db_for_read(CertificationPath) == "default"


def test_a_request_records_how_fresh_its_standby_reads_were():
    older = ReplicaState(
        status="standby", usable=True, in_recovery=True, as_of=AS_OF - dt.timedelta(seconds=3)
    )

    with request_routing() as routing, replica_ok():
        router_seeing(HEALTHY).db_for_read(CertificationPath)
        router_seeing(older).db_for_read(CertificationPath)
        router_seeing(HEALTHY).db_for_read(CertificationPath)

    assert routing.replica_as_of == older.as_of  # the stalest data shown


def test_a_replica_ok_block_tells_its_code_how_fresh_its_reads_were():
    with replica_ok() as reads:
        router_seeing(HEALTHY).db_for_read(CertificationPath)
    with replica_ok() as leader_reads:
        router_seeing(DOWN).db_for_read(CertificationPath)

    assert reads.as_of == AS_OF
    assert leader_reads.as_of is None  # every read came from the leader: as fresh as it gets


def test_a_request_without_standby_reads_records_no_freshness():
    with request_routing() as routing, replica_ok():
        router_seeing(DOWN).db_for_read(CertificationPath)

    assert routing.replica_as_of is None


def test_migrations_never_run_on_the_replica_alias():
    router = PrimaryReplicaRouter()

    assert router.allow_migrate("replica", "courses") is False
    assert router.allow_migrate("default", "courses") is None


# --------------------------------------------------------------------------- health cache


def test_the_standby_is_probed_at_most_once_per_ttl(settings):
    settings.DB_REPLICA_HEALTH_TTL_SECONDS = 3
    probe, now = CountingProbe(), [100.0]
    health = ReplicaHealth(probe=probe, clock=lambda: now[0])

    for _ in range(5):
        assert health.current() is HEALTHY
    now[0] += 3.1
    health.current()

    assert probe.calls == 2


def test_a_database_error_forgets_the_cached_health():
    probe = CountingProbe()
    health = ReplicaHealth(probe=probe)

    health.current()
    health.invalidate()
    health.current()

    assert probe.calls == 2


def test_a_request_finding_a_probe_in_progress_reads_from_the_leader_without_waiting():
    started, release = threading.Event(), threading.Event()

    def slow_probe() -> ReplicaState:
        started.set()
        release.wait(5)
        return HEALTHY

    health = ReplicaHealth(probe=slow_probe)
    prober = threading.Thread(target=health.current)
    prober.start()
    started.wait(5)
    t0 = time.monotonic()
    state = health.current()
    waited = time.monotonic() - t0
    release.set()
    prober.join()

    assert state is UNKNOWN
    assert waited < 0.5
    assert health.current() is HEALTHY


# --------------------------------------------------------------------------- the real standby

real_standby = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.mark.standby
@real_standby
def test_the_probe_sees_the_synchronous_standby_streaming_and_caught_up():
    state = probe_replica("replica")

    assert state.status == "standby", state
    assert state.usable
    assert state.in_recovery is True
    assert state.lag_seconds is not None
    assert state.lag_seconds < 1
    assert state.port in {int(p) for p in connections["default"].settings_dict["PORT"].split(",")}
    assert state.as_of is not None
    assert abs((dt.datetime.now(dt.UTC) - state.as_of).total_seconds()) < 5


@pytest.mark.standby
@real_standby
def test_the_public_catalog_is_read_from_the_standby_and_says_how_fresh(client: Client):
    load_catalog(records=read_catalog())  # committed on the leader, applied on the standby (remote_apply)

    response = client.get("/")

    assert response.status_code == 200
    assert "SAA-C03" in response.content.decode()
    as_of = dt.datetime.fromisoformat(response.headers[DATA_AS_OF_HEADER])
    assert abs((dt.datetime.now(dt.UTC) - as_of).total_seconds()) < 10
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)


@pytest.mark.standby
@real_standby
def test_after_a_write_the_client_reads_from_the_leader_until_the_pin_expires(client: Client, settings):
    load_catalog(records=read_catalog())
    settings.DB_PIN_TO_LEADER_SECONDS = 1
    assert DATA_AS_OF_HEADER in client.get("/").headers

    posted = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    pinned = client.get("/paths/SAA-C03/")
    time.sleep(2.1)  # the signed cookie's timestamp has a one-second resolution
    unpinned = client.get("/paths/SAA-C03/")

    assert PIN_COOKIE in posted.cookies
    assert pinned.status_code == 200
    assert DATA_AS_OF_HEADER not in pinned.headers
    assert DATA_AS_OF_HEADER in unpinned.headers


@pytest.mark.standby
@real_standby
def test_a_standby_further_behind_than_allowed_is_not_read(client: Client, settings):
    load_catalog(records=read_catalog())
    settings.DB_REPLICA_MAX_LAG_SECONDS = -1  # any lag, even 0 s, is too much

    state = probe_replica("replica")
    response = client.get("/")

    assert state.status == "lagging"
    assert response.status_code == 200
    assert DATA_AS_OF_HEADER not in response.headers
