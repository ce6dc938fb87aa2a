"""What the database drills share: the stack, a scratch database, the served app, autosaving students.

A drill (bench/failover.py, bench/standby_loss.py, bench/switchover.py) runs against a stack
started by `make services-up` (.stack/) or `scripts/devstack.py up --dir DIR`:

1. creates a scratch database drill_<random> on the leader, migrates it and seeds an untimed exam
   with one open attempt per student (bench/seed.py);
2. serves the app with gunicorn on 127.0.0.1 against it (the stack's settings, nothing else);
3. runs N students, each a thread that autosaves through the real endpoint
   POST /api/v1/attempts/<id>/answers/ {position, seq, selected}, retrying the same save on a 5xx or a
   connection error like the exam page's queue does, and logging every acknowledgement
   (a 200, sent only after the transaction committed);
4. lets the drill break something, then compares every acknowledged save with the Answer rows.

A drill is a subclass of Drill holding only what differs (the fault, the recovery, its figures,
targets and summary lines); run_drill() is the rest, the same for all of them.

Everything started here (server, scratch database) is stopped again on return, on error and on
Ctrl-C. Only 127.0.0.1 is ever contacted: a stack.env naming any other host is refused.
"""

from __future__ import annotations

import abc
import argparse
import collections
import contextlib
import dataclasses
import http.client
import importlib.util
import itertools
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
LOCALHOST = "127.0.0.1"
CSRF_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
Log = Callable[[str], None]


def stderr_log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def devstack() -> ModuleType:
    """Import scripts/devstack.py (a stand-alone script), once per process."""
    if "devstack" not in sys.modules:
        spec = importlib.util.spec_from_file_location("devstack", ROOT / "scripts" / "devstack.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["devstack"] = module
        spec.loader.exec_module(module)
    return sys.modules["devstack"]


def default_stack_dir() -> Path:
    return Path(os.environ.get("STACK_DIR") or ROOT / ".stack")


class DrillError(RuntimeError):
    """The drill could not run (not the same as a missed target, which is reported)."""


# ---------------------------------------------------------------------------------------------
# The stack
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Stack:
    """A running devstack on 127.0.0.1, read from its stack.env."""

    dir: Path
    env: dict[str, str]

    @classmethod
    def open(cls, stack_dir: str | Path) -> Stack:
        path = Path(stack_dir).resolve()
        if not (path / "stack.env").exists():
            raise DrillError(f"{path}/stack.env is missing: start a stack first (make services-up)")
        env = devstack().read_env(path)
        hosts = set(env["DB_HOSTS"].split(",")) | {urllib.parse.urlsplit(env["REDIS_URL"]).hostname}
        if hosts != {LOCALHOST} or devstack().HOST != LOCALHOST:
            raise DrillError(
                f"refusing to drill a stack that is not on {LOCALHOST} only: {sorted(map(str, hosts))}"
            )
        return cls(path, env)

    @property
    def ports(self) -> list[int]:
        return [int(p) for p in self.env["DB_PORTS"].split(",")]

    def conninfo(self, dbname: str, target: str = "read-write") -> str:
        hosts = ",".join(LOCALHOST for _ in self.ports)
        ports = ",".join(map(str, self.ports))
        return (
            f"host={hosts} port={ports} dbname={dbname} user={self.env['DB_USER']} "
            f"password={self.env['DB_PASSWORD']} target_session_attrs={target} connect_timeout=2"
        )

    def app_env(self, dbname: str) -> dict[str, str]:
        """Return the environment of the app's processes: ours minus DB/Redis settings, plus the stack's."""
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DB_", "REDIS_", "CELERY_", "DATABASE_", "DJANGO_", "PYTEST_"))
        }
        wanted = ("DB_HOSTS", "DB_PORTS", "DB_USER", "DB_PASSWORD", "REDIS_URL")
        return {
            **inherited,
            **{key: self.env[key] for key in wanted},
            "DB_NAME": dbname,
            "DJANGO_SETTINGS_MODULE": "lms.settings.local",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def leader(self) -> str | None:
        return devstack().leader(self.dir)

    def members(self) -> dict[str, str]:
        """Return {node: role} from Patroni (role: leader, sync_standby, replica...)."""
        view = devstack().cluster(self.dir) or {}
        return {str(m["name"]): f"{m.get('role')}/{m.get('state')}" for m in view.get("members", [])}

    def wait_healthy(self, timeout: float) -> tuple[str, str]:
        """Wait for a leader with a streaming synchronous standby that the app can write to."""
        return devstack().wait_healthy(self.dir, timeout=timeout)

    def restore(self, *, timeout: float = 120.0, log: Log = stderr_log) -> None:
        """Start any node whose Patroni is not running, then wait for leader + sync standby."""
        ds = devstack()
        for node in ds.NODES:
            if ds.running_pid(self.dir, f"patroni-{node}") is None:
                log(f"restarting {node} to leave the stack healthy")
                ds.start_node(self.dir, node)
        self.wait_healthy(timeout)


# ---------------------------------------------------------------------------------------------
# Scratch database and the served app
# ---------------------------------------------------------------------------------------------


def _admin(stack: Stack, sql: str, timeout: float) -> None:
    """Run one statement on the leader's maintenance database, retrying while there is no leader."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = psycopg2.connect(stack.conninfo(stack.env["DB_NAME"]))
            try:
                conn.autocommit = True
                with conn.cursor() as cursor:
                    cursor.execute(sql)
                return
            finally:
                conn.close()
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextlib.contextmanager
def scratch_database(stack: Stack, *, log: Log) -> Iterator[str]:
    """Create drill_<random> on the leader; drop it (WITH FORCE) afterwards, whatever happened."""
    name = f"drill_{secrets.token_hex(4)}"
    _admin(stack, f'CREATE DATABASE "{name}"', timeout=30)
    log(f"created scratch database {name}")
    try:
        yield name
    finally:
        try:
            _admin(stack, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', timeout=120)
            log(f"dropped scratch database {name}")
        except psycopg2.Error as error:
            log(f"could not drop scratch database {name}: {error}")


def prepare_database(stack: Stack, dbname: str, *, students: int, items: int) -> dict[str, Any]:
    """Migrate dbname and seed the exam and students; return the seed (sessions, attempts, options)."""
    env = stack.app_env(dbname)
    manage = [sys.executable, "manage.py"]
    done = subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise DrillError(f"migrate failed:\n{done.stderr[-3000:]}")
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.seed", "--students", str(students), "--items", str(items)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise DrillError(f"seeding failed:\n{seeded.stderr[-3000:]}")
    return json.loads(seeded.stdout)


@contextlib.contextmanager
def served_app(
    stack: Stack,
    dbname: str,
    *,
    workers: int,
    threads: int,
    log: Log,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve the app with gunicorn (gthread) on 127.0.0.1 against dbname; yield its base URL.

    env: variables to set over the stack's (e.g. another settings module).
    """
    port = devstack().free_ports(1)[0]
    log_file = tempfile.NamedTemporaryFile(prefix="drill-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    argv = [
        sys.executable,
        *("-m", "gunicorn", "lms.wsgi"),
        *("--bind", f"{LOCALHOST}:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--worker-class", "gthread", "--timeout", "120", "--graceful-timeout", "5"),
    ]
    server = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**stack.app_env(dbname), **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C reaches us only; we stop it in `finally`
    )
    base = f"http://{LOCALHOST}:{port}"
    failed = True
    try:
        deadline = time.monotonic() + 60
        while not _healthz(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise DrillError(f"the app did not start; see {log_file.name}")
            time.sleep(0.2)
        _wait_until_workers_idle(server.pid, workers, deadline)
        log(f"app served by gunicorn (pid {server.pid}, {workers} workers x {threads} threads) at {base}")
        yield base
        failed = False
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log_file.close()
        if failed:
            log(f"stopped the app server; its log: {log_file.name}")
        else:
            Path(log_file.name).unlink(missing_ok=True)
            log("stopped the app server")


def _wait_until_workers_idle(master: int, workers: int, deadline: float) -> None:
    """Wait until every gunicorn worker has booted: all of them up and none using the CPU.

    The health check answers as soon as one worker has loaded the app; clients connecting then
    would all be accepted by that one, and keep their connections to it for a whole phase.
    """
    import psutil

    while time.monotonic() < deadline:
        children = psutil.Process(master).children()
        if len(children) == workers:
            before = sum(sum(c.cpu_times()[:2]) for c in children)
            time.sleep(0.5)
            if sum(sum(c.cpu_times()[:2]) for c in children) - before < 0.02:
                return
        else:
            time.sleep(0.2)
    raise DrillError(f"the {workers} gunicorn workers did not all boot within the deadline")


def _healthz(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(LOCALHOST, port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False


# ---------------------------------------------------------------------------------------------
# Students
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Ack:
    """One acknowledged save, as the client logged it (times: time.monotonic())."""

    student: int
    attempt: int
    position: int
    seq: int
    selected: tuple[int, ...]
    first_sent: float
    sent: float
    acked: float
    tries: int
    stale: bool  # the server already had it: an earlier try committed although the client saw an error


@dataclasses.dataclass(frozen=True)
class ClientError:
    kind: str  # "503", "5xx" (other 5xx), "connection", "timeout", "4xx"
    status: int | None
    at: float
    detail: str


class Students:
    """N threads autosaving through POST /api/v1/attempts/<id>/answers/ like the exam page."""

    def __init__(
        self,
        base_url: str,
        seed: dict[str, Any],
        *,
        think: float = 0.1,
        retry_delay: float = 0.2,
        timeout: float = 30.0,
        ack_log: Path | None = None,
        rng_seed: int | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.hostname != LOCALHOST:
            raise DrillError(f"students only talk to {LOCALHOST}, not {parts.hostname}")
        self.port = int(parts.port or 80)
        self.specs = seed["students"]
        self.cookie_name = seed["session_cookie"]
        self.think, self.retry_delay, self.timeout = think, retry_delay, timeout
        self.acks: list[Ack] = []
        self.errors: list[ClientError] = []
        self.sent: dict[tuple[int, int, int], tuple[int, ...]] = {}  # (attempt, position, seq) -> selected
        self.unacked: list[tuple[int, int, int]] = []  # saves given up when the drill stopped
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._rng = random.Random(rng_seed)
        self._ack_log = open(ack_log, "w") if ack_log else None  # noqa: SIM115

    def start(self) -> None:
        for index, spec in enumerate(self.specs):
            rng = random.Random(self._rng.random())
            thread = threading.Thread(
                target=self._run, args=(index, spec, rng), daemon=True, name=f"student-{index}"
            )
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 5)
        if self._ack_log:
            self._ack_log.close()

    def first_ack_after(self, moment: float) -> Ack | None:
        """Return the first save acknowledged for a request sent at or after moment."""
        with self._lock:
            return min((a for a in self.acks if a.sent >= moment), key=lambda a: a.acked, default=None)

    def ack_count(self) -> int:
        with self._lock:
            return len(self.acks)

    def _run(self, index: int, spec: dict[str, Any], rng: random.Random) -> None:
        attempt = int(spec["attempt"])
        items = {int(p): options for p, options in spec["items"].items()}
        positions = sorted(items)
        csrf = "".join(rng.choice(CSRF_ALPHABET) for _ in range(32))
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf,
            "Cookie": f"{self.cookie_name}={spec['session']}; csrftoken={csrf}",
        }
        conn: http.client.HTTPConnection | None = None
        seq = 0
        while not self._stop.is_set():
            position = rng.choice(positions)
            selected = (rng.choice(items[position]),)
            seq += 1
            key = (attempt, position, seq)
            with self._lock:
                self.sent[key] = selected
            body = json.dumps({"position": position, "seq": seq, "selected": list(selected)})
            first_sent, tries = time.monotonic(), 0
            while True:
                if self._stop.is_set():
                    with self._lock:
                        self.unacked.append(key)
                    return
                tries += 1
                sent = time.monotonic()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(LOCALHOST, self.port, timeout=self.timeout)
                    conn.request("POST", f"/api/v1/attempts/{attempt}/answers/", body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    kind = "timeout" if isinstance(exc, TimeoutError) else "connection"
                    self._error(kind, None, f"{type(exc).__name__}: {exc}")
                    if conn is not None:
                        conn.close()
                    conn = None
                    self._stop.wait(self.retry_delay)
                    continue
                if status == 200:
                    data = json.loads(payload)
                    ack = Ack(
                        index,
                        attempt,
                        position,
                        seq,
                        selected,
                        first_sent,
                        sent,
                        time.monotonic(),
                        tries,
                        bool(data.get("stale")),
                    )
                    with self._lock:
                        self.acks.append(ack)
                        if self._ack_log:
                            self._ack_log.write(json.dumps(dataclasses.asdict(ack)) + "\n")
                    break
                if status >= 500 or status == 429:
                    self._error(
                        "503" if status == 503 else "5xx", status, payload[:200].decode(errors="replace")
                    )
                    self._stop.wait(self.retry_delay)
                    continue
                # A 4xx is not retried (the exam page shows it): the save is rejected, not lost.
                self._error("4xx", status, payload[:200].decode(errors="replace"))
                break
            self._stop.wait(self.think)
        if conn is not None:
            conn.close()

    def _error(self, kind: str, status: int | None, detail: str) -> None:
        with self._lock:
            self.errors.append(ClientError(kind, status, time.monotonic(), detail))


class CatalogReader:
    """A visitor reloading the public catalog (replica-safe reads) every interval seconds."""

    def __init__(self, base_url: str, interval: float = 0.25, timeout: float = 30.0) -> None:
        self.port = int(urllib.parse.urlsplit(base_url).port or 80)
        self.interval, self.timeout = interval, timeout
        self.reads: list[tuple[float, int | None, bool]] = []  # (time, status or None, X-Data-As-Of sent)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="catalog-reader")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            status: int | None = None
            as_of = False
            try:
                conn = http.client.HTTPConnection(LOCALHOST, self.port, timeout=self.timeout)
                conn.request("GET", "/", headers={"Accept": "text/html"})
                response = conn.getresponse()
                response.read()
                status, as_of = response.status, response.getheader("X-Data-As-Of") is not None
                conn.close()
            except (OSError, http.client.HTTPException):
                pass
            self.reads.append((time.monotonic(), status, as_of))
            self._stop.wait(self.interval)

    def counts(self, since: float, until: float) -> dict[str, int]:
        """Return the catalog loads in [since, until]: ok, of which from the standby, 503, other."""
        window = [(status, as_of) for t, status, as_of in self.reads if since <= t <= until]
        return {
            "ok": sum(status == 200 for status, _ in window),
            "from_standby": sum(status == 200 and as_of for status, as_of in window),
            "503": sum(status == 503 for status, _ in window),
            "other": sum(status not in (200, 503) for status, _ in window),
        }


# ---------------------------------------------------------------------------------------------
# Verification and figures
# ---------------------------------------------------------------------------------------------


def verify(stack: Stack, dbname: str, students: Students) -> dict[str, Any]:
    """Compare every acknowledged save with the Answer rows on the leader.

    Lost: an (attempt, position) whose row is missing, or whose seq is below the highest acked
    seq, or whose selection differs from the acked one at the same seq. Phantom: a row whose
    (seq, selected) the client never sent. Duplicated: more than one Answer row for an item.
    """
    newest: dict[tuple[int, int], Ack] = {}
    for ack in students.acks:
        key = (ack.attempt, ack.position)
        if key not in newest or ack.seq > newest[key].seq:
            newest[key] = ack
    attempts = sorted({int(s["attempt"]) for s in students.specs})
    conn = psycopg2.connect(stack.conninfo(dbname))
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT ai.attempt_id, ai.position, a.client_seq, a.selected FROM quizzes_answer a "
                "JOIN quizzes_attemptitem ai ON ai.id = a.item_id WHERE ai.attempt_id = ANY(%s)",
                (attempts,),
            )
            rows: dict[tuple[int, int], list[tuple[int, tuple[int, ...]]]] = collections.defaultdict(list)
            for attempt, position, seq, selected in cursor.fetchall():
                rows[(attempt, position)].append((int(seq), tuple(selected)))
            cursor.execute(
                "SELECT count(*) FROM (SELECT item_id FROM quizzes_answer "
                "GROUP BY item_id HAVING count(*) > 1) AS duplicates"
            )
            duplicated = int(cursor.fetchone()[0])
            cursor.execute(
                "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'quizzes_answer'::regclass "
                "AND i.indisunique AND i.indnatts = 1 AND a.attname = 'item_id'"
            )
            unique_index = int(cursor.fetchone()[0]) > 0
    finally:
        conn.close()
    lost = []
    for key, ack in sorted(newest.items()):
        stored = rows.get(key, [])
        seq, selected = stored[0] if stored else (None, None)
        if seq is None or seq < ack.seq or (seq == ack.seq and selected != ack.selected):
            lost.append(
                {
                    "attempt": key[0],
                    "position": key[1],
                    "acked": [ack.seq, list(ack.selected)],
                    "stored": [seq, selected],
                }
            )
    phantom = [
        {"attempt": k[0], "position": k[1], "stored": [seq, list(sel)]}
        for k, stored in rows.items()
        for seq, sel in stored
        if students.sent.get((k[0], k[1], seq)) != sel
    ]
    return {
        "acknowledged_saves": len(students.acks),
        "items_checked": len(newest),
        "lost": len(lost),
        "lost_examples": lost[:10],
        "duplicated": duplicated + sum(len(v) - 1 for v in rows.values() if len(v) > 1),
        "unique_index_on_item": unique_index,
        "phantom": len(phantom),
        "phantom_examples": phantom[:10],
        "unacknowledged_at_stop": len(students.unacked),
        "acked_as_already_stored": sum(a.stale for a in students.acks),
    }


def error_counts(
    errors: list[ClientError], since: float | None = None, until: float | None = None
) -> dict[str, int]:
    counts: collections.Counter[str] = collections.Counter()
    for error in errors:
        if (since is None or error.at >= since) and (until is None or error.at <= until):
            counts[error.kind] += 1
    return {kind: counts.get(kind, 0) for kind in ("503", "connection", "timeout", "5xx", "4xx")}


def longest_gap(acks: list[Ack], since: float, until: float) -> float:
    """Return the longest time in [since, until] during which no save was acknowledged."""
    times = sorted(a.acked for a in acks if since <= a.acked <= until)
    points = [since, *times, until]
    return max((b - a for a, b in itertools.pairwise(points)), default=until - since)


def longest_stall(acks: list[Ack], since: float, until: float) -> float:
    """Return the longest time one save waited for its acknowledgement (retries included)."""
    return max(
        (a.acked - a.first_sent for a in acks if since <= a.acked and a.first_sent <= until), default=0.0
    )


def timeline(students: Students, origin: float, until: float, step: float = 1.0) -> list[dict[str, Any]]:
    """Acks and errors per step-second bucket, relative to origin (the kill)."""
    buckets: dict[int, dict[str, Any]] = {}
    start = int((min((a.acked for a in students.acks), default=origin) - origin) // step)
    for b in range(start, int((until - origin) // step) + 1):
        buckets[b] = {"t": round(b * step, 1), "acks": 0, "errors": 0}
    for ack in students.acks:
        b = int((ack.acked - origin) // step)
        if b in buckets:
            buckets[b]["acks"] += 1
    for error in students.errors:
        b = int((error.at - origin) // step)
        if b in buckets:
            buckets[b]["errors"] += 1
    return [buckets[b] for b in sorted(buckets)]


class ClusterWatcher:
    """Poll Patroni every interval seconds; remember when each role change was first seen."""

    def __init__(self, stack: Stack, interval: float = 0.25) -> None:
        self.stack, self.interval = stack, interval
        self.changes: list[tuple[float, dict[str, str]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="cluster-watcher")

    def __enter__(self) -> ClusterWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        last: dict[str, str] | None = None
        while not self._stop.is_set():
            members = self.stack.members()
            if members and members != last:
                self.changes.append((time.monotonic(), members))
                last = members
            self._stop.wait(self.interval)

    def first(self, predicate: Callable[[dict[str, str]], bool], after: float) -> float | None:
        return next((t for t, members in self.changes if t >= after and predicate(members)), None)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def install_sigterm_handler() -> None:
    """Make SIGTERM unwind like Ctrl-C, so that every `finally` stops what the drill started."""

    def _raise(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _raise)


# ---------------------------------------------------------------------------------------------
# A whole drill session
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Options:
    """What every drill can tune (the command-line flags of bench/*.py)."""

    students: int = 20
    items: int = 10
    warmup: float = 3.0
    workers: int = 2
    threads: int = 12
    think: float = 0.1
    retry_delay: float = 0.2
    ack_log: Path | None = None

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--stack-dir", type=Path, default=default_stack_dir(), help="default: $STACK_DIR or .stack"
        )
        parser.add_argument("--students", type=int, default=cls.students, help="concurrent students")
        parser.add_argument("--items", type=int, default=cls.items, help="items per attempt")
        parser.add_argument(
            "--warmup", type=float, default=cls.warmup, help="seconds of saves before the fault"
        )
        parser.add_argument("--workers", type=int, default=cls.workers, help="gunicorn workers")
        parser.add_argument("--threads", type=int, default=cls.threads, help="gunicorn threads per worker")
        parser.add_argument("--think", type=float, default=cls.think, help="student pause between saves (s)")
        parser.add_argument(
            "--retry-delay", type=float, default=cls.retry_delay, help="wait before a retry (s)"
        )
        parser.add_argument("--ack-log", type=Path, help="write every acknowledgement to this JSONL file")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Options:
        return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls)})


@dataclasses.dataclass
class Session:
    """A running drill: the stack, its scratch database, the students and the Patroni watcher."""

    stack: Stack
    dbname: str
    options: Options
    crowd: Students
    watcher: ClusterWatcher
    reader: CatalogReader
    log: Log
    machine: dict[str, Any] = dataclasses.field(default_factory=machine)
    started: float = 0.0
    ended: float = 0.0
    verification: dict[str, Any] = dataclasses.field(default_factory=dict)

    def base_result(self, name: str, fault: tuple[float, float]) -> dict[str, Any]:
        """Return the figures every drill reports; fault is the (start, end) of what it broke."""
        o = self.options
        return {
            "drill": name,
            "machine": self.machine,
            "students": o.students,
            "items_per_attempt": o.items,
            "duration_s": round(self.ended - self.started, 1),
            "server": {"kind": "gunicorn gthread", "workers": o.workers, "threads": o.threads},
            "think_s": o.think,
            "retry_delay_s": o.retry_delay,
            "client_errors": error_counts(self.crowd.errors),
            "client_error_examples": sorted({f"{e.kind} {e.detail[:100]}" for e in self.crowd.errors})[:8],
            "catalog_reads_before_fault": self.reader.counts(self.started, fault[0]),
            "catalog_reads_during_fault": self.reader.counts(fault[0], fault[1]),
            "catalog_reads_after_fault": self.reader.counts(fault[1], self.ended),
        }


@contextlib.contextmanager
def session(stack_dir: str | Path, options: Options, *, log: Log = stderr_log) -> Iterator[Session]:
    """Set up a drill (scratch database, served app, students saving); tear it all down afterwards.

    The body breaks something and measures; on leaving, the students stop, any stopped node is
    started again and the stack is waited for (leader + sync standby), then (on success only)
    every acknowledged save is checked against the database (Session.verification), and the
    server and the scratch database go away.
    """
    stack = Stack.open(stack_dir)
    stack.wait_healthy(timeout=60)
    with scratch_database(stack, log=log) as dbname:
        seed = prepare_database(stack, dbname, students=options.students, items=options.items)
        with served_app(stack, dbname, workers=options.workers, threads=options.threads, log=log) as base:
            crowd = Students(
                base, seed, think=options.think, retry_delay=options.retry_delay, ack_log=options.ack_log
            )
            reader = CatalogReader(base)
            try:
                with ClusterWatcher(stack) as watcher:
                    current = Session(stack, dbname, options, crowd, watcher, reader, log)
                    crowd.start()
                    reader.start()
                    current.started = time.monotonic()
                    yield current
                    current.ended = time.monotonic()
                    crowd.stop()
                    reader.stop()
            finally:
                crowd.stop()
                reader.stop()
                stack.restore(log=log)  # whatever failed, leave a leader with a sync standby
        current.verification = verify(stack, dbname, crowd)


# ---------------------------------------------------------------------------------------------
# The skeleton of every drill
# ---------------------------------------------------------------------------------------------


class Drill(abc.ABC):
    """A drill: the fault it causes while students save, how the stack recovers, what it reports.

    run_drill() calls the hooks in this order: disrupt() and recover() inside the session (students
    saving), then, once it has ended and been verified, figures(), targets() and (for the command
    line) report(). The hooks keep what they measured on self; disrupt() sets self.fault.
    """

    name: ClassVar[str]  # the "drill" key of the figures
    title: ClassVar[str]  # the first words of the summary
    fault: tuple[float, float] = (0.0, 0.0)  # when the fault began and ended (time.monotonic())

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add the drill's own flags; each becomes a keyword argument of the constructor (none by default)."""
        return

    @abc.abstractmethod
    def disrupt(self, s: Session, log: Log) -> None:
        """Break something (the warmup is over, students save) and measure the outage."""

    @abc.abstractmethod
    def recover(self, s: Session, log: Log) -> None:
        """Bring the broken part back while students still save, and measure how long it takes."""

    @abc.abstractmethod
    def figures(self, s: Session) -> dict[str, Any]:
        """Return the drill's own figures (s.crowd, s.watcher and s.ended are final by then)."""

    @abc.abstractmethod
    def targets(self, r: dict[str, Any]) -> dict[str, bool]:
        """Return the drill's own targets, judged on its figures r."""

    @abc.abstractmethod
    def report(self, r: dict[str, Any]) -> list[str]:
        """Return the summary lines about the drill's own figures."""

    @classmethod
    def run(
        cls, stack_dir: str | Path, options: Options | None = None, *, log: Log = stderr_log, **params: Any
    ) -> dict[str, Any]:
        """Run the drill (constructed with params) against the stack in stack_dir; return its figures."""
        return run_drill(cls(**params), stack_dir, options or Options(), log=log)

    @classmethod
    def main(cls, argv: list[str] | None = None) -> int:
        """The drill's command line: flags, run, summary or JSON; exit 1 on a missed target, 2 on error."""
        description = (sys.modules[cls.__module__].__doc__ or cls.title).splitlines()[0]
        parser = argparse.ArgumentParser(description=description)
        Options.add_arguments(parser)
        cls.add_arguments(parser)
        args = parser.parse_args(argv)
        install_sigterm_handler()
        shared = {f.name for f in dataclasses.fields(Options)} | {"stack_dir", "json"}
        drill = cls(**{key: value for key, value in vars(args).items() if key not in shared})
        try:
            result = run_drill(drill, args.stack_dir, Options.from_args(args))
        except DrillError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
        print(json.dumps(result, indent=2) if args.json else summary(drill, result))
        return 0 if all(result["targets"].values()) else 1


def run_drill(
    drill: Drill, stack_dir: str | Path, options: Options, *, log: Log = stderr_log
) -> dict[str, Any]:
    """Run drill against the stack in stack_dir and return its figures.

    The session sets up the scratch database, the served app and the students; after the warmup
    the drill breaks something and recovers; the session then stops the load, leaves the stack
    with a leader and a synchronous standby (whatever happened) and verifies every acknowledged
    save; the figures are the shared ones (Session.base_result, the verification, a timeline
    from the fault on) and the drill's own, with its targets.
    """
    with session(stack_dir, options, log=log) as s:
        time.sleep(options.warmup)
        drill.disrupt(s, log)
        drill.recover(s, log)
    result = s.base_result(drill.name, drill.fault)
    result.update(
        warmup_s=options.warmup,
        **drill.figures(s),
        timeline=timeline(s.crowd, drill.fault[0], s.ended),
        **s.verification,
    )
    result["targets"] = {"zero_lost_and_duplicated": zero_loss(result), **drill.targets(result)}
    return result


def summary(drill: Drill, r: dict[str, Any]) -> str:
    """Return the drill's figures as the table printed on the command line."""
    lines = [header_line(drill.title, r), *drill.report(r), catalog_line(r), loss_line(r), errors_line(r)]
    return "\n".join(lines)


def zero_loss(result: dict[str, Any]) -> bool:
    return result["lost"] == 0 and result["duplicated"] == 0 and result["phantom"] == 0


def loss_line(r: dict[str, Any]) -> str:
    return (
        f"  acknowledged saves: {r['acknowledged_saves']} on {r['items_checked']} items; lost {r['lost']}, "
        f"duplicated {r['duplicated']}, phantom {r['phantom']} (unique index on answer.item_id: "
        f"{r['unique_index_on_item']}) (target 0): {verdict(zero_loss(r))}"
    )


def errors_line(r: dict[str, Any]) -> str:
    e = r["client_errors"]
    return (
        f"  client errors: 503 x {e['503']}, connection x {e['connection']}, timeout x {e['timeout']}, "
        f"other 5xx x {e['5xx']}, 4xx x {e['4xx']}; retries answered 'already stored' "
        f"(the first try had committed): {r['acked_as_already_stored']}"
    )


def catalog_line(r: dict[str, Any]) -> str:
    before, during, after = (r[f"catalog_reads_{p}_fault"] for p in ("before", "during", "after"))

    def show(c: dict[str, int]) -> str:
        return f"{c['ok']} ok ({c['from_standby']} from the standby), {c['503']} x 503, {c['other']} other"

    return f"  catalog loads before: {show(before)}; during: {show(during)}; after: {show(after)}"


def header_line(title: str, r: dict[str, Any]) -> str:
    m, srv = r["machine"], r["server"]
    return (
        f"{title}, {m['date']}: {r['students']} students for {r['duration_s']} s; gunicorn "
        f"{srv['workers']}x{srv['threads']} threads; {m['cpus']} CPUs, load {m['load_avg_1m']}"
    )
