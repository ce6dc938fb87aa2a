"""Declare which reads may come from a hot standby; the project's database router obeys.

Every read goes to the leader unless the code around it declares that a copy a few seconds old
is harmless there:

    @replica_ok()                      # a whole view, template rendering included
    def catalog(request): ...

    with replica_ok() as reads:        # or one block; evaluate the querysets inside it
        rows = list(selectors.list_cohort_progress(cohort))
    as_of = reads.as_of or started     # how fresh rows are: the standby's lag counts

Declare only reads that do not show users what they have just written themselves. Even inside
`replica_ok()` the router reads from the leader when the request is pinned there after a write
(read-your-writes), inside a transaction on the leader, for accounts and sessions, and whenever
the standby is down or lags. Apps import this module, never the project wiring (`lms`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class ReplicaReads:
    """What the reads of one replica_ok() block saw.

    as_of: the oldest standby data they read (all data is at least that fresh), or None when
    every read came from the leader.
    """

    as_of: dt.datetime | None = None


_replica_ok: ContextVar[ReplicaReads | None] = ContextVar("replica_ok", default=None)
_leader_only: ContextVar[bool] = ContextVar("leader_only", default=False)


@contextmanager
def replica_ok() -> Iterator[ReplicaReads]:
    """Allow the reads inside (a block, or a decorated function) to come from the standby."""
    reads = ReplicaReads()
    token = _replica_ok.set(reads)
    try:
        yield reads
    finally:
        _replica_ok.reset(token)


@contextmanager
def leader_only() -> Iterator[None]:
    """Read from the leader inside, whatever an enclosing `replica_ok()` allows."""
    token = _leader_only.set(True)
    try:
        yield
    finally:
        _leader_only.reset(token)


def use_replica() -> bool:
    """Return whether the code running now declared its reads replica-safe and is not pinned."""
    return _replica_ok.get() is not None and not _leader_only.get()


def note_replica_read(as_of: dt.datetime | None) -> None:
    """Record, for the enclosing replica_ok() block, a read of standby data as fresh as as_of.

    Called by the project's database router; apps read the result from ReplicaReads.as_of.
    """
    reads = _replica_ok.get()
    if reads is not None and as_of is not None and (reads.as_of is None or as_of < reads.as_of):
        reads.as_of = as_of
