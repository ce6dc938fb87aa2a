"""Database settings from the environment, validated before Django starts.

With no DB_HOSTS the project runs on an embedded SQLite file. With DB_HOSTS (a comma-separated
list, one entry per PostgreSQL node) it reaches the current leader through a libpq multi-host
connection string, and defines a `replica` alias that prefers a hot standby. Which reads may use
it, and when they fall back to the leader: lms/db_routers.py (check_routing validates its settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured


def _ports(env: environ.Env, hosts: list[str]) -> list[str]:
    ports = env.list("DB_PORTS", default=["5432"] * len(hosts))
    if len(ports) != len(hosts):
        raise ImproperlyConfigured(
            f"DB_PORTS lists {len(ports)} port(s) ({','.join(ports)}) but DB_HOSTS lists "
            f"{len(hosts)} host(s) ({','.join(hosts)}): give one port per host, in the same order."
        )
    for port in ports:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured(f"DB_PORTS: {port!r} is not a TCP port number (1-65535).")
    return ports


def _postgres(env: environ.Env, hosts: list[str], *, target: str) -> dict[str, Any]:
    if any(not host for host in hosts):
        raise ImproperlyConfigured("DB_HOSTS has an empty entry: list host names separated by commas.")
    return {
        # PostgreSQL with a round-trip-free health check (lms/db_backend/base.py).
        "ENGINE": "lms.db_backend",
        "NAME": env.str("DB_NAME", default="lms"),
        "USER": env.str("DB_USER", default="lms"),
        "PASSWORD": env.str("DB_PASSWORD", default=""),
        "HOST": ",".join(hosts),
        "PORT": ",".join(_ports(env, hosts)),
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "target_session_attrs": target,
            "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=2),
            # A lost zone may send no TCP reset: notice a dead peer within seconds.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": 10000,
            "application_name": env.str("DB_APPLICATION_NAME", default="lms"),
        },
    }


def databases_from_env(env: environ.Env, base_dir: Path) -> dict[str, dict[str, Any]]:
    """Return DATABASES for the environment; raise ImproperlyConfigured naming a bad setting."""
    hosts = env.list("DB_HOSTS", default=[])
    if not hosts:
        sqlite = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(base_dir / "db.sqlite3")),
        }
        return {"default": sqlite, "replica": {**sqlite, "TEST": {"MIRROR": "default"}}}
    default = _postgres(env, hosts, target="read-write")
    replica = _postgres(env, hosts, target="prefer-standby")
    replica["TEST"] = {"MIRROR": "default"}
    return {"default": default, "replica": replica}


def check_routing(*, max_lag: float, health_ttl: float, pin: float) -> None:
    """Raise ImproperlyConfigured, naming the setting, unless the replica-routing settings agree."""
    named = {
        "DB_REPLICA_MAX_LAG_SECONDS": max_lag,
        "DB_REPLICA_HEALTH_TTL_SECONDS": health_ttl,
        "DB_PIN_TO_LEADER_SECONDS": pin,
    }
    for name, value in named.items():
        if value <= 0:
            raise ImproperlyConfigured(f"{name} must be a positive number of seconds, not {value}.")
    # A pin shorter than the staleness a replica read may have would let users miss their writes.
    if pin < max_lag + health_ttl:
        raise ImproperlyConfigured(
            f"DB_PIN_TO_LEADER_SECONDS ({pin:g}) must be at least DB_REPLICA_MAX_LAG_SECONDS + "
            f"DB_REPLICA_HEALTH_TTL_SECONDS ({max_lag + health_ttl:g}): a client that has just written "
            "must read from the leader until any standby copy it may be shown includes its write."
        )
