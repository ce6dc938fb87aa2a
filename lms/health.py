"""Liveness and readiness probes for load balancers and operators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

from lms.celery import app as celery_app
from lms.db_routers import REPLICA, probe_replica

STANDBYS_SQL = """
SELECT application_name, host(client_addr), state, sync_state,
       COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)::float,
       COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint
FROM pg_stat_replication ORDER BY application_name
"""


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer while the process can serve requests, whatever its dependencies say."""
    return JsonResponse({"status": "ok"})


def database_status(alias: str = "default") -> dict[str, Any]:
    """Return whether alias reaches a writable database, and the standby state seen from it.

    Each standby: name, client address, state, sync_state, replay lag in seconds and in bytes
    of WAL not yet replayed (reading pg_stat_replication needs pg_monitor).
    """
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("SELECT 1")
                return {"ok": True, "writable": True, "vendor": connection.vendor, "standbys": []}
            cursor.execute(
                "SELECT pg_is_in_recovery(), host(inet_server_addr()), inet_server_port(), "
                "current_setting('cluster_name')"
            )
            in_recovery, host, port, node = cursor.fetchone()
            cursor.execute(STANDBYS_SQL)
            standbys = [
                {
                    "name": name,
                    "client_addr": client,
                    "state": state,
                    "sync_state": sync,
                    "replay_lag_seconds": lag,
                    "replay_lag_bytes": lag_bytes,
                }
                for name, client, state, sync, lag, lag_bytes in cursor.fetchall()
            ]
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        return {"ok": False, "writable": False, "error": str(exc).strip().splitlines()[0]}
    return {
        "ok": not in_recovery,
        "writable": not in_recovery,
        "vendor": "postgresql",
        "node": node,
        "host": host or connection.settings_dict["HOST"],
        "port": port,
        "standbys": standbys,
    }


def replica_status() -> dict[str, Any]:
    """Return what the replica alias reaches now (a fresh probe) and whether reads may go there."""
    return probe_replica(REPLICA).as_dict()


def broker_status() -> dict[str, Any]:
    """Return whether the Celery broker accepts a connection (eager mode has no broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    try:
        with Connection(celery_app.conf.broker_url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "mode": "broker"}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Report the leader, standby and broker state; 503 unless writes and task queueing work.

    A lost or lagging standby does not make the app unready: writes go on (non-strict
    synchronous mode) and replica reads fall back to the leader; it shows in "standby"/"replica".
    """
    database = database_status()
    broker = broker_status()
    standbys = database.get("standbys", [])
    sync = [s for s in standbys if s["sync_state"] == "sync"]
    body = {
        "ready": database["ok"] and broker["ok"],
        "database": database,
        "standby": {
            "synchronous": bool(sync),
            "count": len(standbys),
            "replay_lag_seconds": max((s["replay_lag_seconds"] for s in standbys), default=None),
            "replay_lag_bytes": max((s["replay_lag_bytes"] for s in standbys), default=None),
        },
        "replica": replica_status(),
        "broker": broker,
    }
    return JsonResponse(body, status=200 if body["ready"] else 503)
