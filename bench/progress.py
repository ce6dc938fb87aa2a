"""Student progress and an instructor's cohort pages at volume, as ratios to a read floor in the same run.

Against a stack started by `make services-up` (.stack/) or `scripts/devstack.py up --dir DIR`: a
scratch database, migrated and filled by `manage.py generate_load_data` (N students, M graded
attempts), or with --database an existing one filled so (kept). Then (`--inner-seed`, in a Django
subprocess) a published course of the path with lessons, lessons completed by most students, an
instructor assigned to the path (who sees all its students), and sessions for C students and the
instructor. The app is served by gunicorn with the production settings (bench/settings.py adds only
the floors' URLs; the per-user API throttle is lifted, or C clients of one user would be 429s).
Each phase with C concurrent clients on keep-alive connections for --seconds:

  floor     GET /bench/floor/read/?id=...: one SELECT by primary key, no authentication
  progress  GET /api/v1/progress/ with a student's session (each client its own student)
  cohort    GET /api/v1/courses/<slug>/cohort/?page_size=P with the instructor's session, each
            client walking the cursor pages from the first to the last, then again

Meanwhile the peak RSS (VmHWM) of each gunicorn worker is read from /proc. With --celery N, a
Celery worker (prefork, concurrency 1) is started on the same database, N graded attempts are set
back to submitted and their grading tasks queued, and its children's peak RSS is read when they
are graded. It prints a Markdown table for docs/benchmarks.md. Only 127.0.0.1 is contacted; every
loop stops after --seconds, and everything started here is stopped on return.

    .venv/bin/python -m bench.progress --students 10000 --attempts 100000 --clients 10 --seconds 20
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import psycopg2

from bench import drill
from bench.hot_path import Request, hammer

ROOT = Path(__file__).resolve().parent.parent
COURSE_SLUG = "bench-cohort-course"


def seed(*, clients: int, lessons: int) -> dict[str, Any]:
    """Inside Django, on the filled database: the course, lesson progress, an instructor, sessions."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from courses.models import Course, Lesson, Module, PublicationStatus
    from quizzes.models import Attempt, AttemptState, Exam

    exam = Exam.objects.filter(title__startswith="Load-test exam").select_related("path").get()
    path = exam.path
    course, created = Course.objects.get_or_create(
        slug=COURSE_SLUG,
        defaults={"path": path, "title": f"{path.code} cohort bench", "status": PublicationStatus.PUBLISHED},
    )
    if created:
        for m in range(3):
            module = Module.objects.create(course=course, title=f"Module {m + 1}", position=m + 1)
            Lesson.objects.bulk_create(
                Lesson(
                    module=module,
                    title=f"Lesson {m + 1}.{n + 1}",
                    slug=f"lesson-{m + 1}-{n + 1}",
                    position=n + 1,
                    body_markdown="Bench lesson.",
                )
                for n in range(lessons // 3)
            )
        with connection.cursor() as cursor:  # each student completed a random share of the lessons
            cursor.execute(
                """
                INSERT INTO courses_lessonprogress (student_id, lesson_id, completed_at)
                SELECT e.student_id, l.id, now() - random() * interval '90 days'
                FROM courses_enrollment AS e
                JOIN courses_lesson AS l ON true
                JOIN courses_module AS m ON m.id = l.module_id AND m.course_id = %(course)s
                WHERE e.path_id = %(path)s AND random() < (e.student_id %% 10) / 10.0
                """,
                {"course": course.pk, "path": path.pk},
            )
            cursor.execute("ANALYZE courses_lessonprogress")
    users = get_user_model().objects
    instructor, _ = users.get_or_create(username="bench-instructor")
    path.instructors.add(instructor)
    takers = list(
        Attempt.objects.filter(exam=exam, state=AttemptState.GRADED)
        .values_list("student_id", flat=True)
        .distinct()
        .order_by("student_id")[:clients]
    )

    def session(user: Any) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "course": course.slug,
        "cohort": course.path.enrollments.count(),
        "attempts": Attempt.objects.count(),
        "students": [session(user) for user in users.filter(pk__in=takers)],
        "student_ids": takers,
        "instructor": session(instructor),
    }


def get(conn: http.client.HTTPConnection, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def workers_of(port: int) -> list[psutil.Process]:
    """Return the gunicorn workers serving on port (the master's children)."""
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "gunicorn" in " ".join(cmdline) and f"{drill.LOCALHOST}:{port}" in cmdline:
            return process.children()
    return []


def peak_rss_mb(process: psutil.Process) -> float:
    """Return the process's peak resident set (VmHWM) in MB, or 0 if it is gone."""
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@contextlib.contextmanager
def celery_worker(env: dict[str, str], *, log: drill.Log) -> Iterator[subprocess.Popen[bytes]]:
    """Run a Celery worker (prefork, one child) on env's database; stop it by its pid afterwards."""
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log(f"celery worker pid {worker.pid}")
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def grade_through_celery(
    stack: drill.Stack, dbname: str, env: dict[str, str], count: int, log: drill.Log
) -> dict[str, Any]:
    """Set `count` graded attempts back to submitted, queue their tasks, wait; return the peak RSS."""
    with psycopg2.connect(stack.conninfo(dbname)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id FROM quizzes_attempt WHERE state = 'graded' ORDER BY id LIMIT %s", [count])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM quizzes_domainresult WHERE attempt_id = ANY(%s)", [ids])
        cursor.execute(
            "UPDATE quizzes_attempt SET state = 'submitted', graded_at = NULL, grading_tries = 0 "
            "WHERE id = ANY(%s)",
            [ids],
        )
    with celery_worker(env, log=log) as worker:
        began = time.monotonic()
        queue = f"from quizzes.tasks import grade_attempt\nfor pk in {ids!r}:\n    grade_attempt.delay(pk)\n"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", queue], cwd=ROOT, env=env, check=True
        )
        left = len(ids)
        while left and time.monotonic() - began < 600:
            time.sleep(1)
            with psycopg2.connect(stack.conninfo(dbname)) as conn, conn.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM quizzes_attempt WHERE id = ANY(%s) AND state <> 'graded'", [ids]
                )
                left = cursor.fetchone()[0]
        seconds = time.monotonic() - began
        children = psutil.Process(worker.pid).children(recursive=True)
        return {
            "attempts": len(ids),
            "left_ungraded": left,
            "seconds": seconds,
            "main_peak_rss_mb": peak_rss_mb(psutil.Process(worker.pid)),
            "child_peak_rss_mb": max((peak_rss_mb(c) for c in children), default=0.0),
        }


def run(
    stack_dir: Path,
    *,
    database: str | None,
    students: int,
    attempts: int,
    clients: int,
    seconds: float,
    page_size: int,
    workers: int,
    threads: int,
    celery: int,
) -> dict[str, Any]:
    log = drill.stderr_log
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)  # the seed signs sessions the app checks
    stack = drill.Stack.open(stack_dir)
    stack.wait_healthy(timeout=60)
    results: dict[str, Any] = {"machine": drill.machine(), "clients": clients, "page_size": page_size}
    with contextlib.ExitStack() as cleanup:
        if database is None:
            dbname = cleanup.enter_context(drill.scratch_database(stack, log=log))
            env = stack.app_env(dbname)
            manage = [sys.executable, "manage.py"]
            subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
            log(f"generating {attempts} graded attempts of {students} students")
            began = time.monotonic()
            subprocess.run(
                [*manage, "generate_load_data", "--students", str(students), "--attempts", str(attempts)],
                cwd=ROOT,
                env=env,
                check=True,
            )
            results["generate_s"] = time.monotonic() - began
        else:
            dbname, env = database, stack.app_env(database)
        done = subprocess.run(
            [sys.executable, "-m", "bench.progress", "--inner-seed", "--clients", str(clients)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seeded = json.loads(done.stdout.strip().splitlines()[-1])
        results.update(cohort=seeded["cohort"], attempts=seeded["attempts"])
        served = {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "ALLOWED_HOSTS": drill.LOCALHOST,
            "SECURE_SSL_REDIRECT": "false",
            "API_THROTTLE_USER": "1000000/minute",
        }
        with drill.served_app(stack, dbname, workers=workers, threads=threads, log=log, env=served) as base:
            port = int(base.rsplit(":", 1)[1])
            cookie = seeded["session_cookie"]

            def headers(session: str) -> dict[str, str]:
                return {"Accept": "application/json", "Cookie": f"{cookie}={session}"}

            def floor(index: int) -> Request:
                url = f"/bench/floor/read/?id={seeded['student_ids'][index % len(seeded['student_ids'])]}"
                return lambda conn, n: get(conn, url, {"Accept": "application/json"})[0]

            def student(index: int) -> Request:
                mine = headers(seeded["students"][index % len(seeded["students"])])
                return lambda conn, n: get(conn, "/api/v1/progress/", mine)[0]

            first_page = f"/api/v1/courses/{seeded['course']}/cohort/?page_size={page_size}"
            pages: list[int] = []

            def instructor(index: int) -> Request:
                mine, state = headers(seeded["instructor"]), {"next": first_page, "rows": 0}

                def send(conn: http.client.HTTPConnection, n: int) -> int:
                    status, body = get(conn, state["next"], mine)
                    if status == 200:
                        page = json.loads(body)
                        state["rows"] += len(page["results"])
                        following = page.get("next")
                        if following:
                            parts = urllib.parse.urlsplit(following)
                            state["next"] = f"{parts.path}?{parts.query}"
                        else:
                            pages.append(state["rows"])
                            state.update(next=first_page, rows=0)
                    return status

                return send

            gunicorn = workers_of(port)
            for name, request_for in (("floor", floor), ("progress", student), ("cohort", instructor)):
                log(f"{name}: {clients} clients for {seconds:.0f} s")
                results[name] = hammer(port, clients, seconds, request_for)
            results["cohort"]["full_walks"] = len(pages)
            results["cohort"]["rows_per_walk"] = sorted(set(pages))
            results["web_peak_rss_mb"] = [round(peak_rss_mb(w), 1) for w in gunicorn]
        if celery:
            log(f"grading {celery} attempts through a Celery worker")
            results["celery"] = grade_through_celery(stack, dbname, env, celery, log)
    return results


def table(r: dict[str, Any]) -> str:
    floor = r["floor"]
    rows = [
        "| phase | requests | per second | p50 ms | p95 ms | errors | p95 / floor's | throughput / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("floor", "progress", "cohort"):
        x = r[name]
        rows.append(
            f"| {name} | {x['requests']} | {x['per_s']:.0f} | {x['p50_ms']:.1f} | {x['p95_ms']:.1f} | "
            f"{x['errors']} | {x['p95_ms'] / floor['p95_ms']:.2f}x | {x['per_s'] / floor['per_s']:.2f}x |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack-dir", type=Path, default=drill.default_stack_dir())
    parser.add_argument("--database", help="Use this database, filled by generate_load_data (kept).")
    parser.add_argument("--students", type=int, default=10000)
    parser.add_argument("--attempts", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--lessons", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--celery", type=int, default=0, help="Attempts to grade again through Celery.")
    parser.add_argument("--inner-seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_seed:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.local")
        print(json.dumps(seed(clients=args.clients, lessons=args.lessons)))
        return 0
    result = run(
        args.stack_dir,
        database=args.database,
        students=args.students,
        attempts=args.attempts,
        clients=args.clients,
        seconds=args.seconds,
        page_size=args.page_size,
        workers=args.workers,
        threads=args.threads,
        celery=args.celery,
    )
    print(table(result))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
