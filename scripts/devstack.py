#!/usr/bin/env python3
"""Bring up or tear down the development/test service stack on free ports.

The stack: one etcd, two PostgreSQL 15 nodes run by Patroni (a leader and a synchronous standby)
and one Redis, all on 127.0.0.1 and kept in a scratch directory DIR. With --single it is one
plain PostgreSQL 15 server instead (no Patroni, etcd or Redis: the fast test lane). It runs with
the project's virtualenv (it needs psutil and PyYAML): `.venv/bin/python scripts/devstack.py ...`

    up [--single] [--dir DIR] [--timeout 90]   # start, wait, write DIR/stack.env
    down [--dir DIR] [--purge]                 # stop by recorded pid; idempotent
    status [--dir DIR]                         # exit 1 unless healthy
    ensure-deps [--single]                     # install what is missing (root)
    leader|kill-node|start-node ...            # failover drills

DIR defaults to $DEVSTACK_DIR, and for `up` to a new directory under /tmp. Inside DIR:
stack.env (written once everything is ready), ports.json, node1.yml and node2.yml (Patroni),
node1/ and node2/ (PostgreSQL data; node1/ only with --single), run/ (sockets, pgpass,
post_bootstrap hook), etcd/, redis/, logs/ and pids/ (NAME.pid, plus NAME.start: the process's
creation time, which proves that a pid is still ours).

Import it to reuse the pieces: up, down, status, read_env, cluster, leader, wait_healthy,
wait_for_leader, kill_node, start_node, app_conninfo.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import yaml

PG_BIN = Path("/usr/lib/postgresql/15/bin")  # also bin_dir in PATRONI_SHARED
ETCD = Path("/usr/bin/etcd")
ETCDCTL = Path("/usr/bin/etcdctl")
REDIS_SERVER = Path("/usr/bin/redis-server")
SETPRIV = Path("/usr/bin/setpriv")
APT_PACKAGES = ("postgresql-15", "etcd-server", "etcd-client", "redis-server")
SINGLE_APT_PACKAGES = ("postgresql-15",)

# The Patroni and PostgreSQL settings every node shares, here and in the compose images.
PATRONI_SHARED = Path(__file__).resolve().parents[1] / "docker" / "patroni" / "patroni.yml"

# Patroni runs as the postgres OS user, which cannot read a Python under /root (pyenv): it gets a
# venv of its own, built from the system Python, where everyone can read it.
PATRONI_VENV = Path(os.environ.get("LMS_PATRONI_VENV", "/opt/lms-patroni-venv"))
PATRONI_BASE_PYTHON = Path("/usr/bin/python3")
PATRONI_REQUIREMENTS = ("patroni[etcd3]==4.1.5", "psycopg2-binary==2.9.10")

NODES = ("node1", "node2")
SINGLE_NODE = "node1"  # the data directory of `up --single`'s one plain PostgreSQL server
SCOPE = "lms-devstack"
HOST = "127.0.0.1"
APP_DB = "lms"
APP_USER = "lms"
APP_PASSWORD = "lms"  # noqa: S105 - a throwaway local stack
SUPERUSER = "postgres"
RESERVED_PORTS = frozenset({2379, 2380, 5432, 6379, 8008})  # the standard ports stay free
DEFAULT_TIMEOUT = 90.0
PATRONI_STOP_TIMEOUT = 30.0
MARKER = ".devstack"
SAFE_PATH = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")  # stack.env values need no quoting
CLEAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

T = TypeVar("T")
Log = Callable[[str], None]


class DevstackError(RuntimeError):
    """The stack could not be brought up, inspected or torn down."""


class MissingDependencies(DevstackError):
    """Required software is missing and this process may not install it."""

    def __init__(self, message: str, command: str) -> None:
        super().__init__(f"{message}\nRun: {command}")
        self.command = command


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Dependencies
# ---------------------------------------------------------------------------------------------


def missing_programs(*, single: bool = False) -> list[Path]:
    """Return the required system programs that are not installed (single: PostgreSQL's only)."""
    required = [PG_BIN / "postgres", PG_BIN / "initdb", PG_BIN / "psql"]
    if not single:
        required += [ETCD, ETCDCTL, REDIS_SERVER]
    if os.geteuid() == 0:
        required.append(SETPRIV)
    return [path for path in required if not os.access(path, os.X_OK)]


def ensure_deps(*, single: bool = False, log: Log = _stderr) -> None:
    """Install the missing system packages and, unless single, the Patroni venv.

    Raises MissingDependencies, naming the command to run, when something is missing and this
    process is not root.
    """
    packages = SINGLE_APT_PACKAGES if single else APT_PACKAGES
    if missing := missing_programs(single=single):
        command = f"apt-get update && apt-get install -y {' '.join(packages)}"
        if os.geteuid() != 0:
            raise MissingDependencies(f"missing: {', '.join(map(str, missing))}", f"sudo sh -c '{command}'")
        log(f"missing {', '.join(map(str, missing))}: installing {' '.join(packages)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", *packages], check=True, env=env)
        if still := missing_programs(single=single):
            raise DevstackError(f"still missing after apt-get install: {', '.join(map(str, still))}")
    if not single:
        ensure_patroni_venv(log=log)


def ensure_patroni_venv(*, log: Log = _stderr) -> Path:
    """Create PATRONI_VENV with the pinned Patroni unless it already holds exactly that; return it."""
    stamp = PATRONI_VENV / ".lms-requirements"
    wanted = "\n".join(PATRONI_REQUIREMENTS) + "\n"

    def is_current() -> bool:
        return (PATRONI_VENV / "bin" / "patroni").exists() and stamp.exists() and stamp.read_text() == wanted

    if is_current():
        return PATRONI_VENV
    if not os.access(PATRONI_VENV if PATRONI_VENV.exists() else PATRONI_VENV.parent, os.W_OK):
        raise MissingDependencies(
            f"{PATRONI_VENV} is missing or outdated", "sudo python3 scripts/devstack.py ensure-deps"
        )
    with _file_lock(Path(tempfile.gettempdir()) / "lms-patroni-venv.lock"):
        if is_current():  # another process built it while we waited
            return PATRONI_VENV
        base = PATRONI_BASE_PYTHON if PATRONI_BASE_PYTHON.exists() else Path(sys.executable)
        started = time.monotonic()
        log(f"building {PATRONI_VENV} from {base}: {' '.join(PATRONI_REQUIREMENTS)}")
        python = str(PATRONI_VENV / "bin" / "python")
        old_umask = os.umask(0o022)  # readable by the postgres user
        try:
            if not Path(python).exists():
                subprocess.run([str(base), "-m", "venv", str(PATRONI_VENV)], check=True)
            pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input", "install", "--quiet"]
            subprocess.run([*pip, *PATRONI_REQUIREMENTS], check=True)
            probe = [*_service_prefix(), python, "-c", "import patroni, psycopg2"]
            if subprocess.run(probe, capture_output=True, check=False).returncode != 0:
                raise DevstackError(f"user {_service_user()} cannot import patroni from {PATRONI_VENV}")
            stamp.write_text(wanted)
        finally:
            os.umask(old_umask)
        log(f"built {PATRONI_VENV} in {time.monotonic() - started:.1f}s")
    return PATRONI_VENV


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------
# Processes (psutil). Every pid is recorded with its creation time: a recycled pid is never ours.
# ---------------------------------------------------------------------------------------------

# create_time() adds the boot time to the kernel's start tick, and the boot time Linux reports
# moves by a second when the clock is adjusted: compare with that much slack.
CREATE_TIME_SLACK = 1.0


def _service_user() -> str:
    """Return the OS user that runs Patroni and PostgreSQL: postgres when we are root, else us."""
    return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


def _service_prefix() -> list[str]:
    """Return the command prefix that drops to the service user (setpriv execs: the pid is kept)."""
    if os.geteuid() != 0:
        return []
    user = _service_user()
    return [str(SETPRIV), f"--reuid={user}", f"--regid={user}", "--init-groups"]


def _chown_to_service(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(_service_user())
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _running(process: psutil.Process) -> bool:
    """Return whether process runs; a zombie counts as dead, and is reaped when it is our child."""
    try:
        if process.status() != psutil.STATUS_ZOMBIE:
            return True
        with contextlib.suppress(psutil.TimeoutExpired):
            process.wait(timeout=0)  # reaps our own child (library use); others' zombies time out
    except psutil.NoSuchProcess:
        pass
    return False


def _pid_file(stack_dir: Path, name: str) -> Path:
    return stack_dir / "pids" / f"{name}.pid"


def _record_pid(stack_dir: Path, name: str, pid: int) -> None:
    created = psutil.Process(pid).create_time()
    _pid_file(stack_dir, name).with_suffix(".start").write_text(f"{created!r}\n")
    _pid_file(stack_dir, name).write_text(f"{pid}\n")


def _recorded(stack_dir: Path, name: str) -> psutil.Process | None:
    """Return the process recorded for service name while it runs and is the one we started."""
    try:
        pid = int(_pid_file(stack_dir, name).read_text())
        created = float(_pid_file(stack_dir, name).with_suffix(".start").read_text())
        process = psutil.Process(pid)
        ours = abs(process.create_time() - created) <= CREATE_TIME_SLACK
    except (OSError, ValueError, psutil.Error):
        return None
    return process if ours and _running(process) else None


def running_pid(stack_dir: str | Path, name: str) -> int | None:
    """Return the pid of service name (etcd, redis, patroni-node1...) while the one we started runs."""
    process = _recorded(Path(stack_dir), name)
    return process.pid if process else None


def _postmaster(stack_dir: Path, node: str) -> psutil.Process | None:
    """Return node's running postmaster: the pid in its postmaster.pid, if it serves that data dir."""
    data_dir = stack_dir.resolve() / node
    try:
        process = psutil.Process(int((data_dir / "postmaster.pid").read_text().split()[0]))
        argv = process.cmdline()
    except (OSError, ValueError, IndexError, psutil.Error):
        return None
    ours = bool(argv) and Path(argv[0]).name == "postgres" and str(data_dir) in argv
    return process if ours and _running(process) else None


def postmaster_pid(stack_dir: str | Path, node: str) -> int | None:
    """Return the pid of node's running postmaster, or None."""
    process = _postmaster(Path(stack_dir), node)
    return process.pid if process else None


def _wait_gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to timeout for processes to end; return those still running.

    Not psutil.wait_procs: it waits until a zombie is reaped, which its parent may put off (this
    machine's init takes about 2 s), while a zombie has already let go of its ports and files.
    """
    deadline = time.monotonic() + timeout
    while (alive := [process for process in processes if _running(process)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def _stop(process: psutil.Process, name: str, steps: tuple[tuple[int, float], ...], *, log: Log) -> None:
    """Send each (signal, seconds to wait) of steps in turn until process is gone."""
    started = time.monotonic()
    for sig, wait in steps:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)
        if not _wait_gone([process], wait):
            break
        log(f"{name} (pid {process.pid}) still runs {wait:.0f}s after {signal.Signals(sig).name}")
    log(f"stopped {name} (pid {process.pid}) in {time.monotonic() - started:.1f}s")


# Patroni stops its PostgreSQL on SIGTERM; Redis and etcd exit at once.
TERMINATE = ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0))
TERMINATE_PATRONI = ((signal.SIGTERM, PATRONI_STOP_TIMEOUT), (signal.SIGKILL, 5.0))
# PostgreSQL: fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL.
TERMINATE_POSTMASTER = ((signal.SIGINT, 15.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0))


def _stop_postmaster(stack_dir: Path, node: str, *, log: Log) -> None:
    """Stop node's running postmaster (the single server, or one that outlived its Patroni) and its tree."""
    if (process := _postmaster(stack_dir, node)) is None:
        return
    try:
        backends = process.children(recursive=True)
    except psutil.NoSuchProcess:
        return  # it has just ended
    _stop(process, f"postgres {node}", TERMINATE_POSTMASTER, log=log)
    # Backends notice their postmaster's death by themselves; make sure none lingers.
    for backend in _wait_gone(backends, 5):
        with contextlib.suppress(psutil.NoSuchProcess):
            backend.kill()
    _wait_gone(backends, 5)


def _spawn(stack_dir: Path, name: str, argv: list[str], *, env: dict[str, str], cwd: Path) -> int:
    """Start argv in a session of its own, output to logs/NAME.log; record and return its pid."""
    with open(stack_dir / "logs" / f"{name}.log", "ab") as log_file:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,  # a Ctrl-C in the terminal that ran `up` does not reach it
        )
    _record_pid(stack_dir, name, process.pid)
    return process.pid


def _log_tail(stack_dir: Path, name: str, lines: int = 15) -> str:
    try:
        text = (stack_dir / "logs" / f"{name}.log").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(f"    {line}" for line in text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http_json(url: str, timeout: float = 2.0) -> Any:
    """GET url and decode its JSON body, whatever the status; None when unreachable."""
    try:
        with _NO_PROXY.open(url, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        with contextlib.suppress(ValueError):
            return json.loads(error.read())
        return None
    except (OSError, ValueError):
        return None


def _psql(conninfo: str, sql: str, timeout: float = 5.0) -> str | None:
    """Run one statement with psql; return its unaligned output, or None when it fails."""
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "PGCONNECT_TIMEOUT": "2"}
    argv = [str(PG_BIN / "psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def redis_ping(port: int, timeout: float = 1.0) -> bool:
    """Return whether the Redis on port answers PING."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def etcd_healthy(port: int) -> bool:
    """Return whether the etcd on port reports itself healthy."""
    body = _http_json(f"http://{HOST}:{port}/health")
    return isinstance(body, dict) and body.get("health") == "true"


def free_ports(count: int) -> list[int]:
    """Return count distinct free TCP ports on 127.0.0.1, all held open while choosing."""
    held: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(sock)
            sock.bind((HOST, 0))
            if (port := sock.getsockname()[1]) not in RESERVED_PORTS:
                ports.append(port)
    finally:
        for sock in held:
            sock.close()
    return ports


# ---------------------------------------------------------------------------------------------
# Reading a stack
# ---------------------------------------------------------------------------------------------


def read_env(stack_dir: str | Path) -> dict[str, str]:
    """Return the KEY=VALUE pairs of DIR/stack.env, which `up` writes once the stack is ready."""
    env = {}
    for line in (Path(stack_dir) / "stack.env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            env[key.strip()] = value.strip()
    return env


def _ports(stack_dir: Path) -> dict[str, int]:
    """Return the ports chosen by `up` (etcd, etcd_peer, pg1, pg2, api1, api2, redis), or {}."""
    try:
        return {key: int(value) for key, value in json.loads((stack_dir / "ports.json").read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _port_of(ports: dict[str, int], node: str, kind: str = "pg") -> int:
    """Return node's PostgreSQL (kind pg) or Patroni REST API (kind api) port."""
    return ports[f"{kind}{NODES.index(node) + 1}"]


def _nodes(ports: dict[str, int]) -> tuple[str, ...]:
    """Return the PostgreSQL nodes of a stack: both, or node1 alone for a single server."""
    return tuple(node for node in NODES if f"pg{NODES.index(node) + 1}" in ports)


def _is_single(ports: dict[str, int]) -> bool:
    return _nodes(ports) == (SINGLE_NODE,)


def cluster(stack_dir: str | Path) -> dict[str, Any] | None:
    """Return Patroni's GET /cluster (members with name, role, state, lag), asking each node in turn."""
    ports = _ports(Path(stack_dir))
    for node in NODES if ports else ():
        body = _http_json(f"http://{HOST}:{_port_of(ports, node, 'api')}/cluster")
        if isinstance(body, dict) and "members" in body:
            return body
    return None


def _members(view: dict[str, Any] | None, role: str, state: str) -> list[str]:
    members = (view or {}).get("members", [])
    return [str(m["name"]) for m in members if m.get("role") == role and m.get("state") == state]


def leader(stack_dir: str | Path) -> str | None:
    """Return the node holding the leader key in etcd (node1 or node2), or None."""
    members = (cluster(stack_dir) or {}).get("members", [])
    return next((str(m["name"]) for m in members if m.get("role") == "leader"), None)


def _healthy_pair(view: dict[str, Any] | None) -> tuple[str, str] | None:
    """Return (leader, sync standby) when a leader runs and a synchronous standby streams."""
    leaders = _members(view, "leader", "running")
    standbys = _members(view, "sync_standby", "streaming")
    return (leaders[0], standbys[0]) if leaders and standbys else None


def _sync_standbys(stack_dir: Path, leader_node: str) -> list[str]:
    """Return the standbys that pg_stat_replication on the leader shows streaming with sync_state sync."""
    conninfo = f"host={HOST} port={_port_of(_ports(stack_dir), leader_node)} dbname=postgres user={SUPERUSER}"
    sql = "select application_name from pg_stat_replication where state = 'streaming' and sync_state = 'sync'"
    out = _psql(conninfo, sql)
    return out.split() if out else []


def app_conninfo(stack_dir: str | Path, target_session_attrs: str = "read-write") -> str:
    """Return the libpq multi-host connection string of the application role."""
    chosen = _ports(Path(stack_dir))
    nodes = _nodes(chosen)
    hosts = ",".join(HOST for _ in nodes)
    ports = ",".join(str(_port_of(chosen, node)) for node in nodes)
    return (
        f"host={hosts} port={ports} dbname={APP_DB} user={APP_USER} password={APP_PASSWORD} "
        f"target_session_attrs={target_session_attrs} connect_timeout=2"
    )


def _app_can_write(stack_dir: Path) -> bool:
    sql = "select current_user || ' ' || pg_is_in_recovery()"
    return _psql(app_conninfo(stack_dir), sql) == f"{APP_USER} false"


def _wait(condition: Callable[[], T | None], *, deadline: float, what: str) -> T:
    """Poll condition until it returns a truthy value; raise TimeoutError at deadline."""
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return result


def wait_healthy(stack_dir: str | Path, timeout: float = 60.0) -> tuple[str, str]:
    """Wait for a leader with a streaming sync standby that the app can write to; return both names."""
    path = Path(stack_dir)

    def check() -> tuple[str, str] | None:
        pair = _healthy_pair(cluster(path))
        if pair and pair[1] in _sync_standbys(path, pair[0]) and _app_can_write(path):
            return pair
        return None

    return _wait(check, deadline=time.monotonic() + timeout, what="a leader with a synchronous standby")


def wait_for_leader(stack_dir: str | Path, timeout: float = 60.0, *, other_than: str | None = None) -> str:
    """Wait until a node other than other_than leads and the app writes through the multi-host string."""
    path = Path(stack_dir)

    def check() -> str | None:
        name = leader(path)
        return name if name and name != other_than and _app_can_write(path) else None

    return _wait(check, deadline=time.monotonic() + timeout, what=f"a new leader (not {other_than})")


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


def _merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Return base with overlay merged in key by key (mappings merge, anything else replaces), as
    Patroni merges the files of a configuration directory."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = _merge(merged[key], value)
        merged[key] = value
    return merged


def patroni_config(stack_dir: Path, node: str, ports: dict[str, int]) -> dict[str, Any]:
    """Return the Patroni configuration of node: the settings every node shares, from
    docker/patroni/patroni.yml (as in the compose images), with this node's ports and paths."""
    run_dir = stack_dir / "run" / node
    pg_port, api_port = _port_of(ports, node), _port_of(ports, node, "api")
    own = {
        "scope": SCOPE,
        "namespace": "/service/",
        "name": node,
        "log": {"level": "INFO"},
        "restapi": {"listen": f"{HOST}:{api_port}", "connect_address": f"{HOST}:{api_port}"},
        "etcd3": {"hosts": [f"{HOST}:{ports['etcd']}"]},
        "bootstrap": {"post_bootstrap": str(stack_dir / "run" / "post_bootstrap.sh")},
        "postgresql": {
            "listen": f"{HOST}:{pg_port}",
            "connect_address": f"{HOST}:{pg_port}",
            "data_dir": str(stack_dir / node),
            "pgpass": str(run_dir / "pgpass"),
            "parameters": {"unix_socket_directories": str(run_dir)},
            # A throwaway stack on loopback: trust (the app role gets its password all the same).
            "pg_hba": [
                "local all all trust",
                f"host replication all {HOST}/32 trust",
                f"host all all {HOST}/32 trust",
            ],
        },
    }
    return _merge(yaml.safe_load(PATRONI_SHARED.read_text()), own)


POST_BOOTSTRAP = """#!/bin/sh
# Patroni post_bootstrap hook, called with a superuser connection string: create the app role and DB.
# pg_monitor lets the app read the replication state (/readyz, db_status).
set -eu
exec "{psql}" -X -q -v ON_ERROR_STOP=1 -d "$1" \\
  -c "CREATE ROLE {user} LOGIN CREATEDB PASSWORD '{password}'" \\
  -c "CREATE DATABASE {db} OWNER {user}" \\
  -c "GRANT pg_monitor TO {user}"
"""


def _write_configs(stack_dir: Path, ports: dict[str, int]) -> None:
    (stack_dir / "ports.json").write_text(json.dumps(ports, indent=1) + "\n")
    script = stack_dir / "run" / "post_bootstrap.sh"
    script.write_text(
        POST_BOOTSTRAP.format(psql=PG_BIN / "psql", user=APP_USER, password=APP_PASSWORD, db=APP_DB)
    )
    script.chmod(0o755)
    for node in () if _is_single(ports) else NODES:
        header = f"# Patroni configuration of {node}: docker/patroni/patroni.yml + its ports and paths\n"
        config = yaml.safe_dump(patroni_config(stack_dir, node, ports), sort_keys=False)
        (stack_dir / f"{node}.yml").write_text(header + config)


def _stack_env(stack_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    """Return what stack.env holds: the settings of the app and the tests, and the stack's parts."""
    nodes = _nodes(ports)
    pg_ports = [_port_of(ports, node) for node in nodes]
    hosts_ports = ",".join(f"{HOST}:{port}" for port in pg_ports)
    url = f"postgresql://{APP_USER}:{APP_PASSWORD}@{hosts_ports}/{APP_DB}?target_session_attrs=read-write"
    database = {
        "STACK_DIR": str(stack_dir),
        "DB_HOSTS": ",".join(HOST for _ in nodes),
        "DB_PORTS": ",".join(map(str, pg_ports)),
        "DB_NAME": APP_DB,
        "DB_USER": APP_USER,
        "DB_PASSWORD": APP_PASSWORD,
        "DATABASE_URL": url,
        "PG_BIN": str(PG_BIN),
    }
    if _is_single(ports):
        return database  # no REDIS_URL: Celery runs its tasks eagerly
    return {
        **database,
        "REDIS_URL": f"redis://{HOST}:{ports['redis']}/0",
        "ETCD_URL": f"http://{HOST}:{ports['etcd']}",
        "PATRONI_SCOPE": SCOPE,
        "PATRONI_CONFIGS": ",".join(str(stack_dir / f"{node}.yml") for node in NODES),
        "PATRONI_API_PORTS": ",".join(str(_port_of(ports, node, "api")) for node in NODES),
        "PATRONICTL": str(PATRONI_VENV / "bin" / "patronictl"),
    }


# ---------------------------------------------------------------------------------------------
# up, down, failover drills
# ---------------------------------------------------------------------------------------------


def _is_stack_dir(stack_dir: Path) -> bool:
    return (stack_dir / MARKER).exists()


def _any_running(stack_dir: Path) -> bool:
    services = ["etcd", "redis", "postgres", *(f"patroni-{node}" for node in NODES)]
    return any(running_pid(stack_dir, s) for s in services) or any(
        postmaster_pid(stack_dir, n) for n in NODES
    )


def _prepare_dir(stack_dir: str | Path | None, *, single: bool) -> Path:
    """Create the stack directory (or recycle a stopped stack's) with its subdirectories; return it."""
    if stack_dir is None:
        path = Path(tempfile.mkdtemp(prefix="lms-devstack-"))
    else:
        path = Path(stack_dir).resolve()
        path.mkdir(parents=True, exist_ok=True)
    if not SAFE_PATH.match(str(path)):
        raise DevstackError(f"{path}: choose a directory path without spaces or shell metacharacters")
    if _is_stack_dir(path):
        if _any_running(path):
            raise DevstackError(f"a stack already runs in {path}: run `down --dir {path}` first")
        for child in path.iterdir():  # a stopped stack: start afresh
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    elif any(path.iterdir()):
        raise DevstackError(f"{path} is not empty and holds no stack: give an empty or a new directory")
    path.chmod(0o755)  # the service user must traverse it
    (path / MARKER).write_text("created by scripts/devstack.py\n")
    nodes = (SINGLE_NODE,) if single else NODES
    for name in ("logs", "pids", "run", *(f"run/{node}" for node in nodes), *(() if single else ("redis",))):
        (path / name).mkdir(mode=0o755)
    for node in nodes:
        (path / node).mkdir(mode=0o700)  # initdb and pg_basebackup want an empty 0700 directory
        _chown_to_service(path / node)
        _chown_to_service(path / "run" / node)
    _chown_to_service(path / "run")
    # Fail now rather than at the timeout when the service user cannot reach the directory or venv.
    probe = [*_service_prefix(), "/usr/bin/test", "-w", str(path / "run")]
    if not single:
        probe += ["-a", "-x", str(PATRONI_VENV / "bin" / "patroni")]
    if subprocess.run(probe, check=False).returncode != 0:
        raise DevstackError(
            f"user {_service_user()} cannot use {path} or {PATRONI_VENV}: every parent directory must be "
            "searchable by others (o+x), as /tmp is"
        )
    return path


def _start_etcd(stack_dir: Path, client_port: int, peer_port: int) -> int:
    client, peer = f"http://{HOST}:{client_port}", f"http://{HOST}:{peer_port}"
    argv = [
        str(ETCD),
        *("--name", "devstack", "--data-dir", str(stack_dir / "etcd"), "--logger", "zap"),
        *("--listen-client-urls", client, "--advertise-client-urls", client),
        *("--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer),
        *("--initial-cluster", f"devstack={peer}", "--initial-cluster-state", "new"),
        *("--initial-cluster-token", f"{SCOPE}-{client_port}"),
    ]
    return _spawn(stack_dir, "etcd", argv, env={"PATH": CLEAN_PATH}, cwd=stack_dir)


def _start_redis(stack_dir: Path, port: int) -> int:
    argv = [
        str(REDIS_SERVER),
        *("--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"),
        *("--dir", str(stack_dir / "redis"), "--daemonize", "no", "--logfile", ""),  # log to stdout
    ]
    return _spawn(stack_dir, "redis", argv, env={"PATH": CLEAN_PATH}, cwd=stack_dir / "redis")


def start_node(stack_dir: str | Path, node: str) -> int:
    """Start node's Patroni as the service user (again, after kill_node); return its pid.

    A restarted former leader rejoins as a standby, through pg_rewind if it has diverged.
    """
    path = Path(stack_dir).resolve()
    if node not in NODES:
        raise ValueError(f"unknown node {node!r}: expected one of {NODES}")
    if pid := running_pid(path, f"patroni-{node}"):
        raise DevstackError(f"Patroni of {node} already runs (pid {pid})")
    run_dir = path / "run" / node
    env = {"PATH": f"{PG_BIN}:{CLEAN_PATH}", "HOME": str(run_dir), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
    argv = [*_service_prefix(), str(PATRONI_VENV / "bin" / "patroni"), str(path / f"{node}.yml")]
    return _spawn(path, f"patroni-{node}", argv, env=env, cwd=run_dir)


def stop_redis(stack_dir: str | Path) -> None:
    """Stop the stack's Redis (a broker outage drill); start_redis brings it back on its port."""
    path = Path(stack_dir).resolve()
    if process := _recorded(path, "redis"):
        _stop(process, "redis", TERMINATE, log=lambda message: None)


def start_redis(stack_dir: str | Path, timeout: float = 10.0) -> int:
    """Start the stack's Redis again on the port `up` chose; return its pid once it answers PING."""
    path = Path(stack_dir).resolve()
    if pid := running_pid(path, "redis"):
        raise DevstackError(f"redis already runs (pid {pid})")
    port = _ports(path).get("redis") or int(read_env(path)["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
    pid = _start_redis(path, port)
    _wait(lambda: redis_ping(port) or None, deadline=time.monotonic() + timeout, what="Redis to answer PING")
    return pid


def _check_running(stack_dir: Path, *names: str) -> bool:
    """Return True while the services run; raise DevstackError with the log tail of one that exited."""
    for name in names:
        if running_pid(stack_dir, name) is None:
            tail = _log_tail(stack_dir, name)
            raise DevstackError(f"{name} exited during startup; logs/{name}.log ends with:\n{tail}")
    return True


# A throwaway server for tests: durability buys nothing there, and skipping it saves seconds.
# Nor does autovacuum: its statistics, taken while tests' rows come and go, mislead the planner
# (the 10,000-question import test counted its rows in 30-50 s instead of under half a second).
SINGLE_SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "autovacuum=off")


def _start_pair(path: Path, ports: dict[str, int], *, deadline: float, step: Log) -> None:
    """Start etcd, Redis and both Patroni nodes; wait for a leader with a streaming sync standby."""
    patronis = [f"patroni-{node}" for node in NODES]
    _start_etcd(path, ports["etcd"], ports["etcd_peer"])
    _start_redis(path, ports["redis"])
    _wait(
        lambda: _check_running(path, "etcd") and etcd_healthy(ports["etcd"]), deadline=deadline, what="etcd"
    )
    step(f"etcd ready on {HOST}:{ports['etcd']}")
    for node in NODES:
        start_node(path, node)
    pg_ports, api_ports = f"{ports['pg1']},{ports['pg2']}", f"{ports['api1']},{ports['api2']}"
    step(f"Patroni started: PostgreSQL on {pg_ports}, REST API on {api_ports}")
    _wait(
        lambda: _check_running(path, "redis") and redis_ping(ports["redis"]), deadline=deadline, what="redis"
    )
    step(f"redis ready on {HOST}:{ports['redis']}")

    def first_leader() -> str | None:
        _check_running(path, *patronis)
        return next(iter(_members(cluster(path), "leader", "running")), None)

    step(f"leader elected: {_wait(first_leader, deadline=deadline, what='a Patroni leader')}")

    def in_sync() -> tuple[str, str] | None:
        _check_running(path, *patronis)
        pair = _healthy_pair(cluster(path))
        return pair if pair and pair[1] in _sync_standbys(path, pair[0]) else None

    leader_node, standby = _wait(in_sync, deadline=deadline, what="the standby to stream in sync")
    step(f"{standby} streams with sync_state=sync (leader {leader_node})")


def _start_single(path: Path, ports: dict[str, int], *, deadline: float, step: Log) -> None:
    """Create and start one plain PostgreSQL server (no Patroni) with the app's role and database."""
    data_dir, run_dir, port = path / SINGLE_NODE, path / "run" / SINGLE_NODE, ports["pg1"]
    env = {"PATH": f"{PG_BIN}:{CLEAN_PATH}", "LANG": "C.UTF-8"}
    initdb = [
        *_service_prefix(),
        *(str(PG_BIN / "initdb"), "-D", str(data_dir), "-U", SUPERUSER, "--auth=trust"),
        *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
    ]
    done = subprocess.run(initdb, env=env, cwd=run_dir, capture_output=True, text=True, check=False)
    if done.returncode:
        raise DevstackError(f"initdb failed:\n{done.stdout}{done.stderr}")
    settings = (f"listen_addresses={HOST}", f"port={port}", f"unix_socket_directories={run_dir}")
    postgres = [str(PG_BIN / "postgres"), "-D", str(data_dir)]
    for setting in (*settings, *SINGLE_SERVER_SETTINGS):
        postgres += ["-c", setting]
    _spawn(path, "postgres", [*_service_prefix(), *postgres], env=env, cwd=run_dir)
    superuser = f"host={HOST} port={port} dbname=postgres user={SUPERUSER}"
    _wait(
        lambda: _check_running(path, "postgres") and _psql(superuser, "select 1") == "1",
        deadline=deadline,
        what="PostgreSQL",
    )
    bootstrap = [str(path / "run" / "post_bootstrap.sh"), superuser]
    done = subprocess.run(bootstrap, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise DevstackError(f"creating role {APP_USER} failed:\n{done.stderr}")
    step(f"PostgreSQL ready on {HOST}:{port} (one server, no standby)")


def up(
    stack_dir: str | Path | None = None,
    *,
    single: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    log: Log = _stderr,
) -> dict[str, str]:
    """Start the stack in stack_dir, wait until it is ready, write and return its stack.env.

    Ready means: a Patroni leader, the other node streaming as synchronous standby (in Patroni's
    view and in pg_stat_replication), the app role writing through the multi-host string with
    target_session_attrs=read-write, and Redis answering PING. With single, the stack is one
    plain PostgreSQL server (no Patroni, etcd or Redis), ready once the app role writes to it.
    On failure, timeout or Ctrl-C everything started is stopped again; failures raise
    DevstackError.
    """
    t0 = time.monotonic()

    def step(message: str) -> None:
        log(f"[{time.monotonic() - t0:5.1f}s] {message}")

    ensure_deps(single=single, log=log)
    path = _prepare_dir(stack_dir, single=single)
    step(f"stack directory {path}")
    names = ("pg1",) if single else ("etcd", "etcd_peer", "pg1", "pg2", "api1", "api2", "redis")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    deadline = t0 + timeout
    try:
        _write_configs(path, ports)
        (_start_single if single else _start_pair)(path, ports, deadline=deadline, step=step)
        _wait(lambda: _app_can_write(path), deadline=deadline, what=f"role {APP_USER} to connect read-write")
        step(f"role {APP_USER} connects read-write (target_session_attrs=read-write)")
    except BaseException as error:
        log(f"up failed ({type(error).__name__}): stopping what was started")
        down(path, log=log)
        if isinstance(error, TimeoutError):
            servers = ["postgres"] if single else [f"patroni-{node}" for node in NODES]
            tails = "\n".join(f"  logs/{name}.log:\n{_log_tail(path, name)}" for name in servers)
            raise DevstackError(f"{error} ({timeout:.0f}s); the stack was stopped.\n{tails}") from None
        raise
    env = _stack_env(path, ports)
    partial = path / "stack.env.tmp"
    partial.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    partial.replace(path / "stack.env")  # appears only once the stack is ready
    step(f"stack ready: {path / 'stack.env'}")
    return env


def _shutdown_order(stack_dir: Path) -> list[str]:
    """Return the nodes replica first: by Patroni's view, else by the standby.signal of running nodes."""
    current = leader(stack_dir) if running_pid(stack_dir, "etcd") else None
    if current is None:
        primaries = [
            node
            for node in NODES
            if postmaster_pid(stack_dir, node) and not (stack_dir / node / "standby.signal").exists()
        ]
        current = next(iter(primaries), None)
    return sorted(NODES, key=lambda node: node == current)


def down(stack_dir: str | Path, *, purge: bool = False, log: Log = _stderr) -> None:
    """Stop every process the stack started: the replica, then the leader, then Redis and etcd.

    Only pids recorded in stack_dir and still carrying their recorded creation time are signalled;
    a postmaster (the single server's, or one that outlived a killed Patroni) is found through its
    postmaster.pid, checked to serve the stack's data directory, and stopped too.
    A second call is a no-op. With purge, the stack directory is removed afterwards.
    """
    path = Path(stack_dir).resolve()
    if not _is_stack_dir(path):
        return
    for node in _shutdown_order(path):
        if process := _recorded(path, f"patroni-{node}"):
            _stop(process, f"patroni {node}", TERMINATE_PATRONI, log=log)
        _stop_postmaster(path, node, log=log)
    for name in ("redis", "etcd"):
        if process := _recorded(path, name):
            _stop(process, name, TERMINATE, log=log)
    for pid_file in (path / "pids").glob("*"):
        pid_file.unlink()
    (path / "stack.env").unlink(missing_ok=True)
    if purge:
        shutil.rmtree(path)
        log(f"removed {path}")


def kill_node(
    stack_dir: str | Path, node: str, sig: int = signal.SIGKILL, *, postgres: bool = True
) -> list[int]:
    """Send sig to node's Patroni and, with postgres, to its postmaster; return the pids signalled.

    node is node1, node2, or "leader"/"replica" for whichever holds that role now. SIGKILL of both
    simulates losing the machine: the other node takes over once the leader key expires (ttl 20 s).
    """
    path = Path(stack_dir).resolve()
    if node in ("leader", "replica"):
        if (current := leader(path)) is None:
            raise DevstackError("no node holds the leader key")
        node = current if node == "leader" else next(n for n in NODES if n != current)
    if node not in NODES:
        raise ValueError(f"unknown node {node!r}: expected one of {NODES}, leader or replica")
    targets = [_recorded(path, f"patroni-{node}"), _postmaster(path, node) if postgres else None]
    signalled = []
    for process in filter(None, targets):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)
            signalled.append(process.pid)
    return signalled


# ---------------------------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------------------------


def _table(title: str, headers: list[str], rows: list[list[str]]) -> str:
    """Render rows the way `patronictl list` does."""
    widths = [max(map(len, column)) for column in zip(headers, *rows, strict=True)]
    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    top = f"+ {title} " + rule[len(title) + 3 :]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([top, line(headers), rule, *map(line, rows), rule])


def status(stack_dir: str | Path) -> tuple[bool, str]:
    """Return (healthy, report): Patroni's members as `patronictl list` shows them, sync state, pids."""
    path = Path(stack_dir).resolve()
    if not _is_stack_dir(path) or not (ports := _ports(path)):
        return False, f"{path}: no stack was started here"
    if _is_single(ports):
        pid = postmaster_pid(path, SINGLE_NODE)
        healthy = pid is not None and _app_can_write(path)
        state = "healthy" if healthy else "NOT healthy"
        return (
            healthy,
            f"postgres (one server): pid {pid or '-'}, port {ports['pg1']}, {state}\nstack {state}: {path}",
        )
    view = cluster(path)
    rows = []
    for member in sorted((view or {}).get("members", []), key=lambda m: str(m["name"])):
        name, lag = str(member["name"]), member.get("lag")
        rows.append(
            [
                name,
                f"{member.get('host')}:{member.get('port')}",
                str(member.get("role", "")).replace("_", " ").title(),
                str(member.get("state", "")),
                str(member.get("timeline", "")),
                f"{lag / 1048576:.1f}" if isinstance(lag, int | float) else "",
                str(running_pid(path, f"patroni-{name}") or "-"),
                str(postmaster_pid(path, name) or "-"),
            ]
        )
    headers = ["Member", "Host", "Role", "State", "TL", "Lag in MB", "Patroni pid", "Postmaster pid"]
    lines = [_table(f"Cluster: {SCOPE}", headers, rows) if rows else "Patroni REST API: no answer"]
    pair = _healthy_pair(view)
    sync = _sync_standbys(path, pair[0]) if pair else []
    if pair:
        lines.append(
            f"sync: leader {pair[0]}; pg_stat_replication sync_state=sync: {', '.join(sync) or 'none'}"
        )
    else:
        lines.append("sync: no running leader with a streaming synchronous standby")
    services_ok = True
    for name, probe in (("etcd", etcd_healthy), ("redis", redis_ping)):
        pid = running_pid(path, name)
        ok = bool(pid) and name in ports and probe(ports[name])
        services_ok &= ok
        lines.append(
            f"{name}: pid {pid or '-'}, port {ports.get(name, '-')}, {'healthy' if ok else 'NOT healthy'}"
        )
    nodes_ok = all(running_pid(path, f"patroni-{node}") and postmaster_pid(path, node) for node in NODES)
    healthy = pair is not None and pair[1] in sync and nodes_ok and services_ok and _app_can_write(path)
    lines.append(f"stack {'healthy' if healthy else 'NOT healthy'}: {path}")
    return healthy, "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    default_dir = os.environ.get("DEVSTACK_DIR")

    def command(name: str, help_text: str, *, with_dir: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        if with_dir:
            sub.add_argument(
                "--dir",
                default=default_dir,
                required=default_dir is None and name != "up",
                help="stack directory (default: $DEVSTACK_DIR; for up, a new directory under /tmp)",
            )
        return sub

    single_help = "one plain PostgreSQL server only (no standby, Patroni, etcd or Redis)"
    start = command("up", "start the stack and write DIR/stack.env")
    start.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for readiness")
    start.add_argument("--single", action="store_true", help=single_help)
    command("down", "stop everything the stack started").add_argument(
        "--purge", action="store_true", help="then delete DIR"
    )
    command("status", "show leader, standby, sync state and pids; exit 1 unless healthy")
    command(
        "ensure-deps", "install missing packages and the Patroni venv (exit 2 if not allowed)", with_dir=False
    ).add_argument("--single", action="store_true", help=f"what `up --single` needs: {single_help}")
    command("leader", "print the node holding the leader key; exit 1 if none")
    kill = command("kill-node", "signal a node's Patroni and postmaster (failover drill)")
    kill.add_argument("node", help="node1, node2, leader or replica")
    kill.add_argument("--signal", default="KILL", help="signal name such as KILL or TERM (default KILL)")
    kill.add_argument("--patroni-only", action="store_true", help="leave the postmaster alone")
    command("start-node", "start a node's Patroni again after kill-node").add_argument("node", choices=NODES)
    args = parser.parse_args(argv)

    try:
        if args.command == "up":
            signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so that `up` stops what it started
            started = time.monotonic()
            env = up(args.dir, single=args.single, timeout=args.timeout)
            print("".join(f"{key}={value}\n" for key, value in env.items()), end="")
            _stderr(f"up took {time.monotonic() - started:.1f}s; stop it with: down --dir {env['STACK_DIR']}")
        elif args.command == "down":
            down(args.dir, purge=args.purge)
        elif args.command == "status":
            healthy, report = status(args.dir)
            print(report)
            return 0 if healthy else 1
        elif args.command == "ensure-deps":
            ensure_deps(single=args.single)
            _stderr("all dependencies present")
        elif args.command == "leader":
            name = leader(args.dir)
            print(name or "none")
            return 0 if name else 1
        elif args.command == "kill-node":
            sig = signal.Signals[f"SIG{args.signal.upper().removeprefix('SIG')}"]
            print(" ".join(map(str, kill_node(args.dir, args.node, sig, postgres=not args.patroni_only))))
        elif args.command == "start-node":
            print(start_node(args.dir, args.node))
    except MissingDependencies as error:
        _stderr(str(error))
        return 2
    except DevstackError as error:
        _stderr(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
