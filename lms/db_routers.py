"""Route writes to the leader and declared replica-safe reads to a healthy hot standby.

Rules, in order (see docs/database.md):
- every write, and every read of a request that has written, goes to `default` (the leader);
- a read goes to the `replica` alias only when the code declared it replica-safe
  (`core.routing.replica_ok()`), the request is not pinned to the leader after a write
  (`lms.middleware`), no transaction is open on the leader, the model belongs to one of
  DB_REPLICA_APP_LABELS, and the standby is up, streaming and at most
  DB_REPLICA_MAX_LAG_SECONDS behind. Its health is probed at most every
  DB_REPLICA_HEALTH_TTL_SECONDS per process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

from core.routing import note_replica_read, use_replica

REPLICA = "replica"
# A replica alias whose sessions must be writable is the leader itself (a test mirror, one host).
_LEADER_TARGETS = frozenset({"read-write", "primary"})
PROBE_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1),
       COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8,
       COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint,
       now(),
       inet_server_port()
"""


@dataclasses.dataclass(frozen=True)
class ReplicaState:
    """What the replica alias reaches, and whether reads may go there.

    status is one of: standby (usable), lagging, disconnected (its WAL receiver does not stream),
    leader (the alias landed on the primary: prefer-standby does that when the standby is down),
    down (no connection), none (no replica alias, or not PostgreSQL), unknown (not probed yet).
    """

    status: str
    usable: bool
    in_recovery: bool | None = None
    lag_seconds: float | None = None
    lag_bytes: int | None = None
    as_of: dt.datetime | None = None
    port: int | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data


UNKNOWN = ReplicaState(status="unknown", usable=False, detail="not probed yet")


def probe_replica(alias: str = REPLICA) -> ReplicaState:
    """Ask the database behind alias whether it is a streaming standby, and how far behind it is.

    Uses (and on a database error closes) the calling thread's connection of that alias; bounded
    by the alias's connect_timeout. Never raises: any failure reads as status "down".
    """
    if alias not in settings.DATABASES:
        return ReplicaState(status="none", usable=False, detail=f"no {alias!r} alias")
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return ReplicaState(status="none", usable=False, detail=f"{connection.vendor} has no standby")
    if connection.settings_dict.get("OPTIONS", {}).get("target_session_attrs") in _LEADER_TARGETS:
        return ReplicaState(
            status="leader", usable=False, in_recovery=False, detail="alias targets the leader"
        )
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(PROBE_SQL)
            in_recovery, receiver, caught_up, since_replay, lag_bytes, db_now, port = cursor.fetchone()
    except Exception as exc:  # a probe reports, never raises: DatabaseError, or a test's forbidden alias
        if isinstance(exc, DatabaseError) and not connection.in_atomic_block:
            connection.close()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return ReplicaState(status="down", usable=False, detail=f"{type(exc).__name__}: {message}")
    if not in_recovery:
        # prefer-standby fell back to the primary (the standby was down when it connected): drop
        # this connection so that a later probe finds the standby again once it is back.
        if not connection.in_atomic_block:
            connection.close()
        return ReplicaState(status="leader", usable=False, in_recovery=False, port=port)
    if caught_up:
        lag: float | None = 0.0
    else:
        lag = max(since_replay, 0.0) if since_replay is not None else None
    state = {"in_recovery": True, "lag_seconds": lag, "lag_bytes": lag_bytes, "port": port}
    if receiver != "streaming":
        # Cut off from the leader: replay stops, yet receive == replay makes the lag look like 0.
        return ReplicaState(status="disconnected", usable=False, detail=f"WAL receiver: {receiver}", **state)
    if lag is None or lag > settings.DB_REPLICA_MAX_LAG_SECONDS:
        return ReplicaState(status="lagging", usable=False, **state)
    return ReplicaState(status="standby", usable=True, as_of=db_now - dt.timedelta(seconds=lag), **state)


class ReplicaHealth:
    """The standby's state, probed at most once per DB_REPLICA_HEALTH_TTL_SECONDS per process."""

    def __init__(
        self,
        probe: Callable[[], ReplicaState] = probe_replica,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._clock = clock
        self._lock = threading.Lock()
        self._state: ReplicaState | None = None
        self._expires = 0.0

    def current(self) -> ReplicaState:
        """Return the cached state, probing first when it is older than the TTL.

        A thread that finds another one probing does not wait: it gets the previous state (or
        UNKNOWN, which reads from the leader).
        """
        state = self._state
        if state is not None and self._clock() < self._expires:
            return state
        if not self._lock.acquire(blocking=False):
            return state or UNKNOWN
        try:
            state = self._probe()
            self._state, self._expires = state, self._clock() + settings.DB_REPLICA_HEALTH_TTL_SECONDS
            return state
        finally:
            self._lock.release()

    def invalidate(self) -> None:
        """Forget the cached state (after a database error): the next read probes again."""
        self._state, self._expires = None, 0.0


replica_health = ReplicaHealth()


@dataclasses.dataclass
class RequestRouting:
    """What the router did for one request: whether it wrote, and the oldest standby data it read."""

    wrote: bool = False
    replica_as_of: dt.datetime | None = None

    def read_replica(self, as_of: dt.datetime | None) -> None:
        if as_of is not None and (self.replica_as_of is None or as_of < self.replica_as_of):
            self.replica_as_of = as_of


_request_routing: ContextVar[RequestRouting | None] = ContextVar("request_routing", default=None)


def current_routing() -> RequestRouting | None:
    """Return the routing record of the request being handled, if any."""
    return _request_routing.get()


@contextmanager
def request_routing() -> Iterator[RequestRouting]:
    """Record the routing of the code inside (one request); a fresh record each time."""
    routing = RequestRouting()
    token = _request_routing.set(routing)
    try:
        yield routing
    finally:
        _request_routing.reset(token)


class PrimaryReplicaRouter:
    """Writes to the leader; declared replica-safe reads to a healthy standby (see module doc)."""

    def __init__(self, health: ReplicaHealth | None = None) -> None:
        self.health = health if health is not None else replica_health

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if not self._replica_allowed(model):
            return DEFAULT_DB_ALIAS
        state = self.health.current()
        if not state.usable:
            return DEFAULT_DB_ALIAS
        note_replica_read(state.as_of)
        if routing := _request_routing.get():
            routing.read_replica(state.as_of)
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if routing := _request_routing.get():
            routing.wrote = True  # read-your-writes: this request's later reads, and the pin
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return False if db == REPLICA else None  # the standby replays the leader's schema

    def _replica_allowed(self, model: type[Model]) -> bool:
        routing = _request_routing.get()
        return (
            use_replica()
            and REPLICA in settings.DATABASES
            and model._meta.app_label in settings.DB_REPLICA_APP_LABELS
            and not (routing is not None and routing.wrote)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        )
