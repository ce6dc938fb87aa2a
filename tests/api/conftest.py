"""Fixtures of the API tests (builders in tests/api/support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

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


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_world()
