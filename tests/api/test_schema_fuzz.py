"""Schemathesis against the live schema: generated requests to every operation, as a signed-in student
(cohort operations: as the course's instructor) with an enrollment, exams and an open attempt.

Deterministic: a fixed seed and derandomized generation. Every case runs inside a savepoint that
is rolled back, so each one meets the same data (a DELETE or a submit does not starve the rest).
Path parameters are aimed at real objects three times out of four; the fourth keeps the
generated value (made surely missing when it is a small positive id), so missing, negative,
huge and malformed ids are exercised too.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from lms.wsgi import application
from tests.api.support import World, build_world, token_for

MAX_EXAMPLES = 45
MIN_CASES = 1000
SEED = 20260501
OPERATIONS = 32
MISSING = 10**12  # ids at or above it exist in no test database
CASES: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()
STARTED: dict[str, float] = {}

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Credentials come from the test (a real token), not from generated security parameters.
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        # Every response check stays on (server errors, status codes, content types, headers, body
        # schemas, auth). These two judge input policy instead: DRF ignores an unusable page_size
        # or an empty filter by design, and a schema-valid body can name a path code that does
        # not exist (400) or break a domain rule (409).
        "checks": {
            "negative_data_rejection": {"enabled": False},
            "positive_data_acceptance": {"enabled": False},
        },
    }
)


@pytest.fixture
def fuzz_world(db: None) -> Iterator[World]:
    # Django's test client keeps the request signals from closing the test's connection; calling
    # the WSGI application directly needs the same, or the first response would end the test's
    # transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield build_world()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# The live schema, fetched from the application itself. (schemathesis.pytest.from_fixture would load
# it per test, but its node-id bookkeeping fails under pytest 9.)
schema: Any = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)
if os.environ.get("FUZZ_PATH_REGEX"):  # while debugging: only the operations whose path matches
    schema = schema.include(path_regex=os.environ["FUZZ_PATH_REGEX"])


def _targets(world: World) -> dict[str, Any]:
    return {
        "id": {
            "attempts": [world.attempt.pk, world.other_attempt.pk],
            "exams": [world.exam.pk, world.practice_set.pk],
            "enrollments": [world.enrollment.pk],
            "lessons": [world.lesson.pk, world.draft_lesson.pk],
            "reviews": [],  # the world has no review cards: generated ids stay missing (404)
        },
        "slug": [world.course.slug, world.draft.slug, world.other_course.slug],
        "code": [world.path.code, world.other_path.code.lower()],
    }


def _aim(case: Any, world: World) -> None:
    """Point most generated path parameters at real objects (deterministically, from the value)."""
    targets = _targets(world)
    for name, value in list((case.path_parameters or {}).items()):
        marker = value if isinstance(value, int) else len(str(value))
        if marker % 4 == 0:
            if isinstance(value, int) and 0 < value < MISSING:
                # A small id could hit a row that earlier tests' sequences happen to reach:
                # keep it missing, so the run does not depend on what ran before it.
                case.path_parameters[name] = value + MISSING
            continue
        if name == "id":
            resource = case.operation.path.split("/")[3]
            choices = targets["id"][resource]
        else:
            choices = targets.get(name)
        if choices:
            case.path_parameters[name] = choices[marker % len(choices)]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, fuzz_world: World) -> None:
    STARTED.setdefault("at", time.monotonic())
    _aim(case, fuzz_world)
    who = fuzz_world.instructor if "cohort" in case.operation.path else fuzz_world.student
    CASES[case.operation.label] += 1
    with transaction.atomic():
        # A fresh token in the rolled-back transaction: a generated DELETE may revoke it.
        headers = {"Authorization": f"Token {token_for(who)}"}
        response = case.call(headers=headers)
        STATUSES[response.status_code] += 1
        try:
            case.validate_response(response, headers=headers)
        finally:
            transaction.set_rollback(True)


def test_the_fuzzing_ran_enough_cases() -> None:
    """Check the run above (it runs first, in file order) generated enough cases."""
    if not CASES:
        pytest.skip("the schemathesis test was not selected in this run")
    total = sum(CASES.values())
    seconds = time.monotonic() - STARTED.get("at", time.monotonic())
    print(
        f"\nschemathesis: {total} cases, {len(CASES)} operations, {seconds:.0f} s; statuses {dict(STATUSES)}"
    )
    assert len(CASES) == OPERATIONS, sorted(CASES)
    assert total >= MIN_CASES, CASES
