"""Fixtures of the API tests (builders in tests/api/support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from core.api.throttling import FixedWindow
from tests.api.support import World, build_world


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each schemathesis case (test_schema_fuzz.py) its operation in its node id.

    schemathesis builds them all with the same node id under pytest 9; pytest-xdist (`make
    test-fast`) schedules by node id and would run one operation instead of all of them.
    """
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and item.id.params is None:
            item._id = item.id.with_params(label)


@pytest.fixture(autouse=True)
def grading_queue(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Keep submits from sending grading tasks to the shared broker; tests grade directly."""
    queued: list[int] = []

    def queue_grading(attempt_id: int) -> bool:
        queued.append(attempt_id)
        return True

    monkeypatch.setattr("quizzes.tasks.queue_grading", queue_grading)
    return queued


# The middle of a minute (and of an hour): no test crosses a throttle window's edge while it counts.
MID_WINDOW = 3600 * 400_000 + 1830.0


@pytest.fixture(autouse=True)
def throttle_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttles' clock, pinned to MID_WINDOW; a test moves it by changing throttle_clock[0]."""
    now = [MID_WINDOW]
    monkeypatch.setattr(FixedWindow, "timer", staticmethod(lambda: now[0]))
    return now


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_world()
