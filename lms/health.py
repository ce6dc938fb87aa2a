"""Liveness and readiness probes for load balancers and operators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

from lms.celery import app as celery_app


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer while the process can serve requests, whatever its dependencies say."""
    return JsonResponse({"status": "ok"})


def database_status(alias: str = "default") -> dict[str, Any]:
    """Return whether alias reaches a writable database, and the standby state seen from it."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("SELECT 1")
                return {"ok": True, "writable": True, "vendor": connection.vendor, "standbys": []}
            cursor.execute("SELECT pg_is_in_recovery(), inet_server_port(), current_setting('cluster_name')")
            in_recovery, port, node = cursor.fetchone()
            cursor.execute(
                "SELECT application_name, state, sync_state, "
                "COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)::float "
                "FROM pg_stat_replication ORDER BY application_name"
            )
            standbys = [
                {"name": name, "state": state, "sync_state": sync, "replay_lag_seconds": lag}
                for name, state, sync, lag in cursor.fetchall()
            ]
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        return {"ok": False, "writable": False, "error": str(exc).strip().splitlines()[0]}
    return {
        "ok": not in_recovery,
        "writable": not in_recovery,
        "vendor": "postgresql",
        "node": node,
        "port": port,
        "standbys": standbys,
    }


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
    """Report the leader, standby and broker state; 503 unless writes and task queueing work."""
    database = database_status()
    broker = broker_status()
    sync = [s for s in database.get("standbys", []) if s["sync_state"] == "sync"]
    body = {
        "ready": database["ok"] and broker["ok"],
        "database": database,
        "standby": {"synchronous": bool(sync), "count": len(database.get("standbys", []))},
        "broker": broker,
    }
    return JsonResponse(body, status=200 if body["ready"] else 503)
