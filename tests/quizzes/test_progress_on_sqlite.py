"""Progress reads the same on the embedded SQLite of `make run` as on PostgreSQL.

The progress and cohort reads are SQL written for both databases (quizzes/selectors/progress.py);
the suite runs on PostgreSQL, so this runs the same history on a fresh SQLite file in a
subprocess and compares what the API says.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.quizzes.progress_scenario import digest

ROOT = Path(__file__).resolve().parents[2]

_ON_SQLITE = """
import json
import django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
from tests.quizzes.progress_scenario import digest
print(json.dumps(digest()))
"""


def digest_on_sqlite(tmp_path: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DB_", "DATABASE_", "REDIS_", "CELERY_", "DJANGO_", "PYTEST_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "lms.settings.local",
        "SQLITE_PATH": str(tmp_path / "progress.sqlite3"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", _ON_SQLITE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_progress_and_the_cohort_read_the_same_on_sqlite_as_on_postgresql(tmp_path: Path):
    on_postgresql = json.loads(json.dumps(digest()))  # tuples as lists, as from the subprocess

    assert digest_on_sqlite(tmp_path) == on_postgresql
    assert on_postgresql["estimate"] == [[0.0, 10], [0.0, 10]]  # first exposures only: all wrong
    assert on_postgresql["mastery"] == [50.0, 50.0]  # both sittings are in the readiness window
    assert on_postgresql["lessons"] == [1, 4, 1]
    assert len(on_postgresql["review_cards"]) == 20  # every item of the sitting that missed them all
