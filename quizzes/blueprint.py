"""How many items each exam domain gets: pure functions, no database.

Rule (largest remainder, also called Hamilton's method): each domain's exact share is
`item_count * weight / total weight`; every domain first gets the whole part of its share, then
the items still missing go one each to the domains with the largest fractional parts (ties: the
domain listed first in the blueprint). The counts therefore add up to item_count exactly and
each domain gets its share rounded down or up, never further from it. A weight range counts as
its midpoint; when no weights are published every domain weighs the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DomainWeight:
    domain_id: int
    name: str
    weight: float | None


def allocate(item_count: int, domains: Sequence[DomainWeight]) -> dict[int, int]:
    """Return {domain_id: number of items} adding up to item_count (largest remainder method)."""
    if item_count < 0 or not domains:
        raise ValueError("allocate needs a non-negative item count and at least one domain")
    weights = [d.weight if d.weight is not None else 1.0 for d in domains]
    if all(d.weight is None for d in domains) or sum(weights) <= 0:
        weights = [1.0] * len(domains)
    total = sum(weights)
    shares = [item_count * w / total for w in weights]
    counts = [math.floor(s) for s in shares]
    missing = item_count - sum(counts)
    by_remainder = sorted(range(len(domains)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in by_remainder[:missing]:
        counts[i] += 1
    return {d.domain_id: c for d, c in zip(domains, counts, strict=True)}
