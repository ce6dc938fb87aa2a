"""Grading at volume, as a ratio to one set-based SQL statement computing the same scores (the floor).

Against a stack started by `make services-up` (.stack/): a scratch database, migrated, filled by
`manage.py generate_load_data --ungraded` with N submitted attempts of 65 items, then, in one
Django process on that database (`--inner`, run here as a subprocess):

  floor     one statement scoring every submitted attempt per domain (grading's _TALLY_SQL over all
            of them at once), fetched; measured before and after grading, the mean is the floor
  batches   grading.grade_attempts(also_waiting=B) until none is left: what a worker does when
            submits arrive faster than it grades (locks, scoring, two writes, commit per batch)
  reviews   then tasks.queue_missed_reviews(): the review cards of every attempt graded, as the
            task each batch sends on commit does (reported beside grading, and with it)
  messages  the first M attempts set back to submitted and graded again through the task's body,
            one call per attempt id as the queue delivers them (tasks.grade_attempt): the first
            call of each batch grades it, the others find their attempt graded (the ratio is to
            the floor's share for M attempts)

It checks every attempt ended graded and that a sample's stored scores equal the Python scorer's,
and prints a Markdown table for docs/benchmarks.md. Only 127.0.0.1 is contacted.

    .venv/bin/python -m bench.grading --attempts 10000 --students 10000
    .venv/bin/python -m bench.grading --item-stats-on NAME   # item analysis only, on a filled database
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import drill

ROOT = Path(__file__).resolve().parent.parent


# The bare aggregate item analysis cannot beat: p and the point-biserial per question revision, in
# one GROUP BY over every graded item (no option counts, nothing stored).
_STATS_FLOOR_SQL = """
SELECT item.question_id, item.question_revision, count(*), avg(item.score),
       corr(item.score, item.attempt_score - item.score)
FROM (
    SELECT item.*, {score} AS score
    FROM ({rows} WHERE a.state = 'graded') AS item
) AS item
GROUP BY item.question_id, item.question_revision
"""


def item_stats_figures() -> dict[str, Any]:
    """Time the bare aggregate, then compute_item_stats(full=True), over every graded answer."""
    from django.db import connection

    from quizzes import grading, item_stats
    from quizzes.models import Answer
    from quizzes.scoring import ITEM_SCORE_SQL

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_STATS_FLOOR_SQL.format(score=ITEM_SCORE_SQL, rows=grading.ITEM_ROWS_SQL))
        cursor.fetchall()
    floor = time.perf_counter() - began
    began = time.perf_counter()
    revisions = item_stats.compute_item_stats(full=True)
    return {
        "answers": Answer.objects.count(),
        "item_stats_floor_s": floor,
        "item_stats_s": time.perf_counter() - began,
        "item_stats_revisions": revisions,
    }


def inner(*, batch: int, sample: int, messages: int) -> dict[str, Any]:
    """Measure inside Django, on the database of DB_NAME; return the figures."""
    import django

    django.setup()
    from django.db import connection

    from quizzes import grading, tasks
    from quizzes.models import Attempt, AttemptState, ReviewCard

    ids = list(Attempt.objects.filter(state=AttemptState.SUBMITTED).values_list("pk", flat=True))

    def floor() -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(grading._TALLY_SQL, {"ids": ids})
            cursor.fetchall()
        return time.perf_counter() - began

    def reset(some: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM quizzes_domainresult WHERE attempt_id = ANY(%s)", [some])
            cursor.execute(
                "UPDATE quizzes_attempt SET state = 'submitted', graded_at = NULL, raw_score = NULL, "
                "score_percent = NULL, scaled_score = NULL, passed = NULL, grading_tries = 0 "
                "WHERE id = ANY(%s)",
                [some],
            )
            cursor.execute("VACUUM ANALYZE quizzes_attempt")

    with connection.cursor() as cursor:  # as autovacuum leaves a table some time after a bulk load
        cursor.execute("VACUUM ANALYZE")
    floor_before = floor()
    began = time.perf_counter()
    graded = 0
    while done := grading.grade_attempts(also_waiting=batch):
        graded += len(done)
    batches = time.perf_counter() - began
    floor_after = floor()
    assert graded == len(ids), (graded, len(ids))
    began = time.perf_counter()
    queued = tasks.queue_missed_reviews()  # the task each grading batch sends when it commits
    reviews = time.perf_counter() - began
    assert queued == len(ids), (queued, len(ids))
    checked = 0
    for attempt in Attempt.objects.select_related("exam__path").filter(
        pk__in=ids[:: max(1, len(ids) // sample)]
    ):
        assert grading.compute_result(attempt).percent == attempt.score_percent, attempt.pk
        checked += 1

    from django.conf import settings

    figures = item_stats_figures()

    again = sorted(ids)[:messages]
    reset(again)
    settings.GRADING_BATCH_SIZE = batch
    began = time.perf_counter()
    for attempt_id in again:
        tasks.grade_attempt(attempt_id)
    messages_s = time.perf_counter() - began
    left = Attempt.objects.filter(pk__in=ids).exclude(state=AttemptState.GRADED).count()
    assert left == 0, left
    return {
        "attempts": len(ids),
        "messages": len(again),
        "batch": batch,
        "floor_s": [floor_before, floor_after],
        "batches_s": batches,
        "reviews_s": reviews,
        "review_cards": ReviewCard.objects.count(),
        "messages_s": messages_s,
        **figures,
        "checked_against_python": checked,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(stack_dir: Path, *, students: int, attempts: int, batch: int, messages: int) -> dict[str, Any]:
    log = drill.stderr_log
    stack = drill.Stack.open(stack_dir)
    stack.wait_healthy(timeout=60)
    results: dict[str, Any] = {"machine": drill.machine(), "students": students}
    with drill.scratch_database(stack, log=log) as dbname:
        env = stack.app_env(dbname)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        log(f"generating {attempts} submitted attempts for {students} students")
        began = time.monotonic()
        subprocess.run(
            [
                *manage,
                "generate_load_data",
                "--students",
                str(students),
                "--attempts",
                str(attempts),
                "--ungraded",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        results["generate_s"] = time.monotonic() - began
        log("grading")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.grading",
                "--inner",
                "--batch",
                str(batch),
                "--messages",
                str(messages),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def item_stats_table(r: dict[str, Any]) -> list[str]:
    return [
        "| item analysis over graded answers | seconds | answers | time / floor |",
        "|---|---|---|---|",
        f"| floor: one GROUP BY (p, point-biserial) | {r['item_stats_floor_s']:.2f} | {r['answers']:,} "
        "| 1.00x |",
        f"| compute_item_stats(full=True): + option counts, flags, upsert of {r['item_stats_revisions']} | "
        f"{r['item_stats_s']:.2f} | {r['answers']:,} | {r['item_stats_s'] / r['item_stats_floor_s']:.2f}x |",
    ]


def table(r: dict[str, Any]) -> str:
    floor = sum(r["floor_s"]) / 2
    n = r["attempts"]
    rows = [
        "| what | seconds | attempts per second | time / floor |",
        "|---|---|---|---|",
        f"| floor: one statement scoring all {n} | {floor:.2f} | {n / floor:,.0f} | 1.00x |",
        f"| grading in batches of {r['batch']} | {r['batches_s']:.2f} | {n / r['batches_s']:,.0f} | "
        f"{r['batches_s'] / floor:.2f}x |",
    ]
    if "reviews_s" in r:  # from session 7 the review queue is a task of its own, after grading
        both = r["batches_s"] + r["reviews_s"]
        rows += [
            f"| then the review queue task: {r['review_cards']:,} cards | {r['reviews_s']:.2f} | "
            f"{n / r['reviews_s']:,.0f} | {r['reviews_s'] / floor:.2f}x |",
            f"| grading and review queue together | {both:.2f} | {n / both:,.0f} | {both / floor:.2f}x |",
        ]
    if r["messages"]:  # --messages 0 leaves the task-per-message phase out
        rows.append(
            f"| one task call per message, {r['messages']} messages (batches of {r['batch']}) | "
            f"{r['messages_s']:.2f} | {r['messages'] / r['messages_s']:,.0f} | "
            f"{r['messages_s'] / (floor * r['messages'] / n):.2f}x |"
        )
    rows += [
        "",
        *item_stats_table(r),
    ]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack-dir", type=Path, default=drill.default_stack_dir())
    parser.add_argument("--students", type=int, default=10000)
    parser.add_argument("--attempts", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument(
        "--messages", type=int, default=1000, help="Attempts graded again one task call each."
    )
    parser.add_argument(
        "--item-stats-on",
        metavar="DATABASE",
        help="Only item analysis, on this database filled by generate_load_data (kept), e.g. the "
        "100,000 graded attempts of bench/progress.py's runs.",
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.item_stats_on and not args.inner:
        stack = drill.Stack.open(args.stack_dir)
        env = {**stack.app_env(args.item_stats_on)}
        done = subprocess.run(
            [sys.executable, "-m", "bench.grading", "--inner", "--item-stats-on", args.item_stats_on],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        result = {"machine": drill.machine(), **json.loads(done.stdout.strip().splitlines()[-1])}
        print("\n".join(item_stats_table(result)))
        print(json.dumps(result, indent=1))
        return 0
    if args.inner and args.item_stats_on:
        import django

        django.setup()
        print(json.dumps(item_stats_figures()))
        return 0
    if args.inner:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.local")
        print(json.dumps(inner(batch=args.batch, sample=args.sample, messages=args.messages)))
        return 0
    result = run(
        args.stack_dir,
        students=args.students,
        attempts=args.attempts,
        batch=args.batch,
        messages=args.messages,
    )
    print(table(result))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
