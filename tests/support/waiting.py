"""Waiting for something another process does: the worker, the standby, the server."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T | None], *, timeout: float = 30, every: float = 0.2, what: str = ""
) -> T:
    """Call predicate until it returns something true, and return that; fail after timeout seconds.

    `what` says what was awaited, for the failure message ("the worker grades attempt 7").
    """
    deadline = time.monotonic() + timeout
    while not (outcome := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what or predicate.__qualname__}, in vain")
        time.sleep(every)
    return outcome
