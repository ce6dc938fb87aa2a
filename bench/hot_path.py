"""The attempt hot path under load, as a ratio to a floor measured in the same run.

Against a stack started by `make services-up` (.stack/) or `scripts/devstack.py up --dir DIR`:
a scratch database seeded with N students, each with an open attempt (bench/seed.py), served by
gunicorn with the production settings (bench/settings.py adds only the floor's URL). Then, each
phase with N concurrent clients on keep-alive connections, for --seconds each:

  floor   POST /bench/floor/: one INSERT, no authentication (bench/urls.py)
  saves   POST /api/v1/attempts/<id>/answers/ with the student's session and CSRF token, as the
          exam page saves: a random option of a random item, seq counting up
  starts  POST /api/v1/exams/<fresh exam>/attempts/: the N students start the same fresh exam at
          once (one request each)

It prints a Markdown table (requests, per second, p50, p95, ratio to the floor) for
docs/benchmarks.md. Only 127.0.0.1 is contacted, and every loop stops after --seconds.

    .venv/bin/python -m bench.hot_path --students 50 --items 65 --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2

from bench import drill

Request = Callable[[http.client.HTTPConnection, int], int]  # (connection, call number) -> status


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def hammer(port: int, clients: int, seconds: float, request_for: Callable[[int], Request]) -> dict[str, Any]:
    """Run `clients` threads calling request_for(client)(connection, n) for `seconds`; return figures."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        send = request_for(index)
        conn = http.client.HTTPConnection(drill.LOCALHOST, port, timeout=60)
        mine: list[float] = []
        bad: list[int] = []
        n = 0
        while time.monotonic() < stop:
            n += 1
            began = time.perf_counter()
            try:
                status = send(conn, n)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(drill.LOCALHOST, port, timeout=60)
                status = 599
            if status < 400:
                mine.append(time.perf_counter() - began)
            else:
                bad.append(status)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
    }


def post(conn: http.client.HTTPConnection, url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    conn.request("POST", url, body=json.dumps(body), headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def student_headers(seed: dict[str, Any], spec: dict[str, Any]) -> dict[str, str]:
    csrf = secrets.token_hex(16)
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf,
        "Cookie": f"{seed['session_cookie']}={spec['session']}; csrftoken={csrf}",
    }


def run(
    stack_dir: Path, *, students: int, items: int, seconds: float, workers: int, threads: int
) -> dict[str, Any]:
    log = drill.stderr_log
    # The seed signs the students' sessions and the served app checks them: one key for both.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    stack = drill.Stack.open(stack_dir)
    stack.wait_healthy(timeout=60)
    results: dict[str, Any] = {"machine": drill.machine(), "students": students, "items": items}
    with drill.scratch_database(stack, log=log) as dbname:
        seed = drill.prepare_database(stack, dbname, students=students, items=items)
        with psycopg2.connect(stack.conninfo(dbname)) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, at timestamptz NOT NULL)")
        # Plain HTTP on 127.0.0.1, with no TLS proxy in front: no redirect to HTTPS (docs/security.md).
        env = {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "ALLOWED_HOSTS": drill.LOCALHOST,
            "SECURE_SSL_REDIRECT": "false",
            # Every scratch database has users 1..N: without a prefix of its own, a run would
            # inherit the throttle counts of the run before it in the shared Redis.
            "CACHE_KEY_PREFIX": f"bench-{dbname}",
        }
        with drill.served_app(stack, dbname, workers=workers, threads=threads, log=log, env=env) as base:
            port = int(base.rsplit(":", 1)[1])
            specs = seed["students"]

            def floor(index: int) -> Request:
                headers = {"Content-Type": "application/json"}
                return lambda conn, n: post(conn, "/bench/floor/", {}, headers)

            def save(index: int) -> Request:
                spec = specs[index]
                headers, rng = student_headers(seed, spec), random.Random(index)
                options = {int(p): ids for p, ids in spec["items"].items()}
                url = f"/api/v1/attempts/{spec['attempt']}/answers/"

                def send(conn: http.client.HTTPConnection, n: int) -> int:
                    position = rng.choice(sorted(options))
                    body = {"position": position, "seq": n, "selected": [rng.choice(options[position])]}
                    return post(conn, url, body, headers)

                return send

            log(f"floor: {students} clients for {seconds:.0f} s")
            results["floor"] = hammer(port, students, seconds, floor)
            log(f"saves: {students} clients for {seconds:.0f} s")
            results["saves"] = hammer(port, students, seconds, save)
            results["starts"] = start_all(port, seed)
    return results


def start_all(port: int, seed: dict[str, Any]) -> dict[str, Any]:
    """Let every student start the fresh exam at the same moment; return the latencies."""
    barrier = threading.Barrier(len(seed["students"]))
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def start(spec: dict[str, Any]) -> None:
        conn = http.client.HTTPConnection(drill.LOCALHOST, port, timeout=120)
        barrier.wait()
        began = time.perf_counter()
        status = post(conn, f"/api/v1/exams/{seed['fresh_exam']}/attempts/", {}, student_headers(seed, spec))
        with lock:
            latencies.append(time.perf_counter() - began)
            statuses.append(status)
        conn.close()

    threads = [threading.Thread(target=start, args=(spec,)) for spec in seed["students"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "errors": sum(1 for s in statuses if s != 201),
    }


def table(r: dict[str, Any]) -> str:
    floor = r["floor"]
    rows = [
        "| phase | requests | per second | p50 ms | p95 ms | errors | throughput / floor | p95 / floor's |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("floor", "saves"):
        x = r[name]
        rows.append(
            f"| {name} | {x['requests']} | {x['per_s']:.0f} | {x['p50_ms']:.1f} | {x['p95_ms']:.1f} | "
            f"{x['errors']} | {x['per_s'] / floor['per_s']:.2f}x | {x['p95_ms'] / floor['p95_ms']:.2f}x |"
        )
    s = r["starts"]
    ratio = s["p95_ms"] / r["saves"]["p95_ms"]
    rows.append(
        f"| starts ({r['students']} at once, {r['items']} items) | {s['requests']} | | {s['p50_ms']:.0f} | "
        f"{s['p95_ms']:.0f} | {s['errors']} | | start p95 / save p95: {ratio:.2f}x |"
    )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack-dir", type=Path, default=drill.default_stack_dir())
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--items", type=int, default=65)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=12)
    args = parser.parse_args()
    result = run(
        args.stack_dir,
        students=args.students,
        items=args.items,
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
    )
    print(table(result))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
