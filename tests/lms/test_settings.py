"""Database settings read from the environment: malformed values stop start-up with a clear message."""

from __future__ import annotations

from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from lms.settings.database import databases_from_env


def databases(monkeypatch: pytest.MonkeyPatch, **values: str):
    for name in ("DB_HOSTS", "DB_PORTS", "DB_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return databases_from_env(environ.Env(), Path("/srv"))


def test_no_hosts_means_the_embedded_sqlite_database(monkeypatch):
    dbs = databases(monkeypatch)

    assert dbs["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_hosts_give_a_multi_host_connection_to_the_writable_node(monkeypatch):
    default = databases(monkeypatch, DB_HOSTS="10.0.0.1,10.0.0.2", DB_PORTS="5432,5433")["default"]

    assert (default["HOST"], default["PORT"]) == ("10.0.0.1,10.0.0.2", "5432,5433")
    assert default["OPTIONS"]["target_session_attrs"] == "read-write"
    assert default["CONN_HEALTH_CHECKS"] is True


def test_the_replica_alias_prefers_a_standby(monkeypatch):
    replica = databases(monkeypatch, DB_HOSTS="a,b", DB_PORTS="1,2")["replica"]

    assert replica["OPTIONS"]["target_session_attrs"] == "prefer-standby"


def test_a_port_list_that_does_not_match_the_host_list_stops_start_up(monkeypatch):
    with pytest.raises(
        ImproperlyConfigured, match=r"DB_PORTS lists 1 port\(s\) \(5432\) but DB_HOSTS lists 2"
    ):
        databases(monkeypatch, DB_HOSTS="a,b", DB_PORTS="5432")


def test_a_port_that_is_not_a_number_stops_start_up(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DB_PORTS: 'abc' is not a TCP port"):
        databases(monkeypatch, DB_HOSTS="a", DB_PORTS="abc")


def test_manage_py_refuses_to_start_with_a_malformed_port_list():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DB_HOSTS": "127.0.0.1,127.0.0.1",
        "DB_PORTS": "5432",
        "DJANGO_SETTINGS_MODULE": "lms.settings.local",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).parents[2],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "DB_PORTS lists 1 port(s) (5432) but DB_HOSTS lists 2 host(s)" in result.stderr
