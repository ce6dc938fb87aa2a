"""Scoring: pure functions from answers and keys to a result (no database; see grading.py).

Single choice and true/false score 1 for the exact key. Multiple response scores 1 only for
exactly the key (all-or-nothing) unless the exam allows partial credit: then each right option
picked earns 1/N and each wrong option picked costs 1/N, floored at 0, and picking more than N
options earns 0. Scaled scores are piecewise linear: 0% maps to the bottom of the scale, the
exam's raw cut score maps to the published pass mark, 100% maps to the top (docs/grading.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# An option of an attempt item: an opaque text id (integers in attempts from before they were opaque).
OptionId = str | int


@dataclass(frozen=True)
class ScoredItem:
    domain_id: int
    key: frozenset[OptionId]
    choose: int
    selected: frozenset[OptionId]


@dataclass(frozen=True)
class Scale:
    """The path's reporting scale: `low`-`high` with pass mark `pass_mark` (None: percent only)."""

    low: int | None = None
    high: int | None = None
    pass_mark: int | None = None


@dataclass(frozen=True)
class DomainScore:
    domain_id: int
    score: float
    total: int


@dataclass(frozen=True)
class Result:
    raw_score: float
    max_score: int
    percent: float
    scaled_score: int | None
    passed: bool
    domains: list[DomainScore] = field(default_factory=list)
    item_scores: list[float] = field(default_factory=list)


def score_item(item: ScoredItem, *, partial_credit: bool = False) -> float:
    """Return the item's score between 0 and 1."""
    if item.selected == item.key:
        return 1.0
    if not partial_credit or item.choose < 2 or len(item.selected) > item.choose:
        return 0.0
    right = len(item.selected & item.key)
    wrong = len(item.selected - item.key)
    return max(0.0, (right - wrong) / item.choose)


def scaled(percent: float, *, cut_percent: float, scale: Scale) -> int | None:
    """Map a raw percent to the scale so that cut_percent lands exactly on the pass mark."""
    if scale.low is None or scale.high is None or scale.pass_mark is None:
        return None
    low, high, mark = scale.low, scale.high, scale.pass_mark
    if percent <= cut_percent:
        value = low + (mark - low) * (percent / cut_percent if cut_percent else 1)
    else:
        value = mark + (high - mark) * (percent - cut_percent) / (100 - cut_percent)
    return round(value)


def grade(
    items: Sequence[ScoredItem],
    *,
    cut_percent: float,
    scale: Scale = Scale(),
    partial_credit: bool = False,
    domain_order: Iterable[int] = (),
) -> Result:
    """Score every item, then the whole attempt, its scaled score, pass/fail and each domain."""
    scores = [score_item(item, partial_credit=partial_credit) for item in items]
    raw = round(sum(scores), 4)
    percent = round(100 * raw / len(items), 2) if items else 0.0
    per_domain: dict[int, list[float]] = {d: [] for d in domain_order}
    for item, score in zip(items, scores, strict=True):
        per_domain.setdefault(item.domain_id, []).append(score)
    return Result(
        raw_score=raw,
        max_score=len(items),
        percent=percent,
        scaled_score=scaled(percent, cut_percent=cut_percent, scale=scale),
        passed=percent >= cut_percent,
        domains=[
            DomainScore(domain_id=d, score=round(sum(s), 4), total=len(s)) for d, s in per_domain.items() if s
        ],
        item_scores=scores,
    )
