"""Benchmark: importing a large GIFT bank (time, queries, peak memory) at two sizes in one run.

Usage (against the SQLite default or the service stack):
    .venv/bin/python bench/import_volume.py [--sizes 1000 10000] [--json]

Each size runs in a fresh process (so peak memory, the process's max RSS, is its own) and writes
nothing permanent: the import runs in a transaction that is rolled back. Compare the ratios
printed in one run (this machine is shared and noisy), not absolute seconds.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.local")


def gift(count: int) -> str:
    """Return a GIFT file of count single-choice questions over four domains."""
    blocks = []
    for i in range(count):
        domain = f"Domain {i % 4 + 1}"
        blocks.append(
            f"$CATEGORY: $course$/top/BENCH/{domain}\n\n"
            f"// [id:bench-{i:05d}] [difficulty:medium] [source:https://example.com/{i}]\n"
            f"::bench-{i:05d}::[markdown]Question number {i}: which option is right?{{\n"
            f"=Option A for {i}#Right because A.\n~Option B for {i}#Wrong because B.\n"
            f"~Option C for {i}#Wrong because C.\n~Option D for {i}#Wrong because D.\n"
            f"####Explanation for question {i}.\n}}\n"
        )
    return "\n".join(blocks)


class Rollback(Exception):
    pass


def measure(count: int) -> dict[str, float]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from courses.models import CertificationPath, ExamDomain
    from quizzes.importing import import_questions
    from quizzes.models import QuestionBank

    text = gift(count)
    result: dict[str, float] = {}
    try:
        with transaction.atomic():
            path = CertificationPath.objects.create(
                code=f"BENCH-{count}",
                provider="aws",
                vendor="Bench",
                name="Bench",
                level="x",
                score_scale="none",
            )
            for n in range(1, 5):
                ExamDomain.objects.create(path=path, name=f"Domain {n}", position=n, weight_percent=25)
            bank = QuestionBank.objects.create(path=path, name="Bench", slug=f"bench-{count}")
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                report = import_questions(bank=bank, text=text, fmt="gift")
            elapsed = time.perf_counter() - started
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            result = {
                "questions": report.imported,
                "seconds": round(elapsed, 3),
                "questions_per_second": round(report.imported / elapsed),
                "queries": len(queries),
                "peak_rss_mib": round(rss_after / 1024, 1),
                "rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
            }
            raise Rollback
    except Rollback:
        pass
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    rows = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, "--one", str(size)], check=True, capture_output=True, text=True
            ).stdout.splitlines()[-1]
        )
        for size in args.sizes
    ]
    small, large = rows[0], rows[-1]
    summary = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "runs": rows,
        "time_ratio": round(large["seconds"] / small["seconds"], 2),
        "size_ratio": round(large["questions"] / small["questions"], 2),
        "query_ratio": round(large["queries"] / small["queries"], 2),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for row in rows:
            rate = row["questions_per_second"]
            print(
                f"{row['questions']:>6} questions: {row['seconds']:>7.2f} s, {rate:>6}/s, {row['queries']} "
                f"queries, RSS +{row['rss_growth_mib']} MiB (peak {row['peak_rss_mib']} MiB)"
            )
        print(
            f"size x{summary['size_ratio']}: time x{summary['time_ratio']}, "
            f"queries x{summary['query_ratio']} ({summary['database']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
