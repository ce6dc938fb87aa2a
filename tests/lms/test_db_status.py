"""`manage.py db_status` and the lag figures of /readyz, against the real Patroni pair."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lms.db_routers import probe_replica
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture
def settled_standby() -> None:
    """Wait (up to 30 s) until the replica alias reads as a usable standby.

    WAL without a commit (a checkpoint, autovacuum) may sit received but not yet replayed on a
    loaded machine; until it is replayed the probe measures the lag from the last replayed commit,
    which on a quiet database can be seconds old: "lagging" (reads then go to the leader).
    """
    wait_until(lambda: probe_replica().status == "standby", what="the standby to settle")


def db_status(*args: str) -> str:
    out = io.StringIO()
    call_command("db_status", *args, stdout=out)
    return out.getvalue()


@pytest.mark.standby
def test_db_status_names_the_leader_its_synchronous_standby_and_the_replica_view(settled_standby):
    text = db_status()

    lines = text.splitlines()
    assert lines[0].startswith("leader: 127.0.0.1:")
    assert "(cluster lms-devstack), writable" in lines[0]
    assert lines[1] == "standbys: 1"
    assert "state=streaming" in lines[2]
    assert "sync_state=sync" in lines[2]
    assert "replay lag" in lines[2]
    assert "bytes" in lines[2]
    assert lines[3].startswith("replica alias: standby on port ")
    assert "in recovery" in lines[3]


@pytest.mark.standby
def test_db_status_json_carries_lag_in_seconds_and_bytes(settled_standby):
    report = json.loads(db_status("--json"))

    leader, replica = report["leader"], report["replica"]
    assert leader["writable"] is True
    [standby] = leader["standbys"]
    assert standby["sync_state"] == "sync"
    assert standby["replay_lag_seconds"] >= 0
    assert isinstance(standby["replay_lag_bytes"], int)
    assert replica["status"] == "standby"
    assert replica["in_recovery"] is True
    assert replica["port"] != leader["port"]
    # remote_apply makes every commit visible there, but WAL without a commit (checkpoints,
    # autovacuum) may still be in flight: the figure is a number, not necessarily zero.
    assert isinstance(replica["lag_bytes"], int)
    assert replica["lag_bytes"] >= 0


def test_db_status_fails_without_a_writable_leader(monkeypatch):
    monkeypatch.setattr(
        "lms.management.commands.db_status.database_status",
        lambda alias: {"ok": False, "writable": False, "error": "connection refused"},
    )

    with pytest.raises(CommandError, match="no writable leader"):
        db_status()


@pytest.mark.standby
def test_readyz_reports_lag_and_the_replica_view_next_to_its_existing_keys(client: Client, settled_standby):
    body = client.get("/readyz").json()

    assert {"ready", "database", "standby", "broker"} <= body.keys()
    assert body["standby"]["synchronous"] is True
    assert body["standby"]["count"] == 1
    assert body["standby"]["replay_lag_seconds"] >= 0
    assert body["standby"]["replay_lag_bytes"] >= 0
    assert body["database"]["standbys"][0]["replay_lag_bytes"] >= 0
    assert body["replica"]["in_recovery"] is True
    assert body["replica"]["usable"] is True
