"""Shared fixtures: the real Celery worker, accounts in each role, the API client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from kombu.exceptions import ChannelError
from rest_framework.test import APIClient

from core.roles import Role
from tests.factories import UserFactory
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
NO_DATABASE = (
    "this test needs PostgreSQL, and DB_HOSTS is not set: run it with `make test-fast` (one "
    "PostgreSQL server) or `make test` (the whole service stack), which start it for the tests"
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> None:
    """Fail every test that needs the database, saying how to run it, when none is configured.

    Every database fixture of pytest-django (db, transactional_db, live_server...) depends on this
    one; the tests that use none of them run without a database (lms/settings/test.py).
    """
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.dummy":
        pytest.fail(NO_DATABASE, pytrace=False)


_worker_name: str | None = None  # the session's worker, once started


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, django_db_blocker: object) -> Iterator[subprocess.Popen[bytes]]:
    """Run a real Celery worker (prefork, Redis broker) on the test database for this session."""
    global _worker_name
    from lms.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("the worker tests need a broker: run them with `make test` (REDIS_URL unset)")
    # Tasks earlier tests sent (a browser test's submit) name rows their flush deleted
    app.control.purge()
    name = f"test-{os.getpid()}@{socket.gethostname()}"
    env = {**os.environ, "DB_NAME": connection.settings_dict["NAME"], "DB_CONN_MAX_AGE": "0"}
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / ".pytest_cache" / "celery-worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            name,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the Celery worker did not start; see {log.name}")
    _worker_name = name
    yield worker
    _worker_name = None
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    log.close()


@pytest.fixture(autouse=True)
def _worker_idle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that commits, while the session's worker runs, wait until it is idle.

    Whatever the test's commits sent the worker (grading after a submit, the review queue after
    grading) would otherwise lock rows while the database is flushed for the next test, and the
    flush can deadlock on them. Set up after pytest-django's database fixtures, so it runs before
    their teardown.
    """
    yield
    db = request.node.get_closest_marker("django_db")
    commits = (db is not None and db.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if _worker_name is None or not commits:
        return
    from lms.celery import app

    inspect = app.control.inspect(destination=[_worker_name], timeout=1.0)
    try:
        wait_until(lambda: _worker_idle(app, inspect), what="the Celery worker to be idle")
    except AssertionError:
        warnings.warn(f"the Celery worker was still busy 30 s after {request.node.nodeid}", stacklevel=1)


def _worker_idle(app: Any, inspect: Any) -> bool:
    """Whether the worker has no task running, reserved or waiting (False while the broker is down)."""
    try:
        queued = _queued_tasks(app)
        busy = [*((inspect.active() or {}).values()), *((inspect.reserved() or {}).values())]
    except Exception:  # a drill may have stopped the broker
        return False
    return not queued and not any(busy)


def _queued_tasks(app: Any) -> int:
    """Return how many tasks wait in the default queue."""
    with app.connection_for_read() as conn:
        try:
            declared = conn.default_channel.queue_declare(app.conf.task_default_queue, passive=True)
        except ChannelError:  # the Redis transport has no queue while it is empty
            return 0
    return int(declared.message_count)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def student(db: None):
    return UserFactory(role=Role.STUDENT)


@pytest.fixture
def instructor(db: None):
    return UserFactory(role=Role.INSTRUCTOR)


@pytest.fixture
def staff(db: None):
    return UserFactory(is_staff=True, is_superuser=True)
