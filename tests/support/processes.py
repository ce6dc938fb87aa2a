"""Real processes for tests: a throwaway PostgreSQL server and the app served over HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.stack import devstack

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    port: int = devstack().free_ports(1)[0]
    return port


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *cmd]


@contextmanager
def throwaway_postgres() -> Iterator[tuple[int, Path]]:
    """Start a single PostgreSQL 15 server on a free port; yield (port, data dir); remove it after."""
    scratch = Path(tempfile.mkdtemp(prefix="lms-pg-"))
    scratch.chmod(0o755)
    data = scratch / "data"
    if os.geteuid() == 0:
        shutil.chown(scratch, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {scratch} -c listen_addresses=127.0.0.1"
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(scratch / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield port, data
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(scratch, ignore_errors=True)


def stop_postgres(data: Path) -> None:
    subprocess.run(
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]), check=True
    )


def http_get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (local test server)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def served_app(env: dict[str, str]) -> Iterator[str]:
    """Serve the app with `manage.py runserver` on the service settings in env alone; yield its URL."""
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "REDIS_", "CELERY_"))}
    full_env = {**inherited, "DJANGO_SETTINGS_MODULE": "lms.settings.local", "DEBUG": "false", **env}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if http_get(f"{base}/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the app did not start: {server.stderr.read().decode() if server.stderr else ''}"
                )
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
