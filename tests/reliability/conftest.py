"""The failover drills kill nodes of the shared test stack: run them after every other test."""

from __future__ import annotations

import pytest

LAST = "test_failover.py"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    drills = [item for item in items if item.path.name == LAST and item.path.parent.name == "reliability"]
    if drills:
        items[:] = [item for item in items if item not in drills] + drills
