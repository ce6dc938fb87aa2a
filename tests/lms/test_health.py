"""/healthz and /readyz against the real services."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.support.processes import free_port, http_get, served_app, stop_postgres, throwaway_postgres


def test_healthz_answers_without_touching_dependencies(client: Client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.standby
@pytest.mark.django_db
def test_readyz_reports_a_writable_leader_with_a_synchronous_standby(client: Client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["ready"] is True
    assert body["database"]["writable"] is True
    assert body["standby"]["synchronous"] is True
    assert body["broker"] == {"ok": True, "mode": "broker"}


def test_readyz_turns_503_when_the_database_is_stopped():
    with throwaway_postgres() as (port, data):
        env = {"DB_HOSTS": "127.0.0.1", "DB_PORTS": str(port), "DB_USER": "postgres", "DB_NAME": "postgres"}
        with served_app(env) as base:
            up_status, _ = http_get(f"{base}/readyz")
            stop_postgres(data)
            down_status, down_body = http_get(f"{base}/readyz")

    assert up_status == 200
    assert down_status == 503
    body = json.loads(down_body)
    assert body["ready"] is False
    assert body["database"]["ok"] is False
    assert body["database"]["error"]


def test_readyz_turns_503_when_the_broker_is_unreachable(tmp_path):
    env = {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    with served_app(env) as base:
        status, body = http_get(f"{base}/readyz")

    assert status == 503
    assert json.loads(body)["broker"]["ok"] is False
