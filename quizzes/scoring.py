"""Scoring: pure functions from answers and keys to a result (no database; see grading.py).

Single choice and true/false score 1 for the exact key. Multiple response scores 1 only for
exactly the key (all-or-nothing) unless the exam allows partial credit: then each right option
picked earns 1/N and each wrong option picked costs 1/N, floored at 0, and picking more than N
options earns 0. Ordering and matching items are answered with placements, tokens
"<option id>@<target id>" (a step at a position, a prompt paired with an answer), and keyed the
same way, so one set equality scores every type; with partial credit each right placement earns
1/N (N steps or prompts) and a wrong one costs nothing more than its point. Scaled scores are
piecewise linear: 0% maps to the bottom of the scale, the exam's raw cut score maps to the
published pass mark, 100% maps to the top (docs/grading.md).

The item rule is written twice, side by side: `score_item` (Python, for one attempt) and
`ITEM_SCORE_SQL` (PostgreSQL, for a whole batch in one statement; tests/quizzes/test_batch_grading.py
holds them to the same answers). Everything after the items (`summarize`) exists once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# An option of an attempt item: an opaque text id (integers in attempts from before they were opaque).
OptionId = str | int

PLACED_AT = "@"  # joins an option id and a target id into a placement (never part of either id)


def placement(option_id: OptionId, target_id: str) -> str:
    """Return the token that puts an option at a target: a step at a position, a prompt with an answer."""
    return f"{option_id}{PLACED_AT}{target_id}"


def split_placement(token: OptionId) -> tuple[str, str]:
    """Return (option id, target id) of a placement token ('' for the target of a plain option id)."""
    option_id, _, target_id = str(token).partition(PLACED_AT)
    return option_id, target_id


@dataclass(frozen=True)
class ScoredItem:
    domain_id: int
    key: frozenset[OptionId]
    choose: int
    selected: frozenset[OptionId]
    placements: bool = False  # ordering or matching: `choose` placements, one per step or prompt


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
    item_scores: list[float] = field(default_factory=list)  # each item's points, in position order


def score_item(item: ScoredItem, *, partial_credit: bool = False) -> float:
    """Return the item's score between 0 and 1."""
    if item.selected == item.key:
        return 1.0
    if not partial_credit or item.choose < 2 or len(item.selected) > item.choose:
        return 0.0
    right = len(item.selected & item.key)
    if item.placements:
        return right / item.choose
    wrong = len(item.selected - item.key)
    return max(0.0, (right - wrong) / item.choose)


# The same rule as score_item, as a PostgreSQL expression over one attempt item. It reads the
# columns `key` (jsonb array of the option ids marked correct in the snapshot), `selected` (jsonb
# array, '[]' when unanswered), `choose` (int), `placements` (bool) and `partial_credit` (bool).
# Placement items key and answer with tokens "<option id>@<target id>" (see `placement`). jsonb containment
# compares arrays as sets, as frozenset equality does; ids keep their JSON type (text, or integers
# in old attempts), so "3" and 3 differ in both.
ITEM_SCORE_SQL = """
CASE
    WHEN selected @> key AND key @> selected THEN 1.0::float8
    WHEN NOT partial_credit OR choose < 2 THEN 0.0::float8
    ELSE (
        SELECT CASE
            WHEN count(DISTINCT s) > choose THEN 0.0::float8
            WHEN placements THEN
                (count(DISTINCT s) FILTER (WHERE key @> jsonb_build_array(s)))::float8 / choose
            ELSE greatest(
                0.0::float8,
                (count(DISTINCT s) FILTER (WHERE key @> jsonb_build_array(s))
                 - count(DISTINCT s) FILTER (WHERE NOT key @> jsonb_build_array(s)))::float8 / choose
            )
        END
        FROM jsonb_array_elements(selected) AS s
    )
END
"""


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
    """Score every item (in position order), then the attempt, its scaled score, pass/fail and each domain."""
    return summarize(
        [item.domain_id for item in items],
        [score_item(item, partial_credit=partial_credit) for item in items],
        cut_percent=cut_percent,
        scale=scale,
        domain_order=domain_order,
    )


def summarize(
    domains: Sequence[int],
    scores: Sequence[float],
    *,
    cut_percent: float,
    scale: Scale = Scale(),
    domain_order: Iterable[int] = (),
) -> Result:
    """Return the attempt's result from each item's domain and score, in position order.

    The items are scored already, in Python (grade) or in SQL (grading.score_attempts); the sums,
    percent, scaled score and pass exist only here. Domains are listed in domain_order, then in
    the order their first item appears.
    """
    per_domain: dict[int, list[float]] = {d: [] for d in domain_order}
    for domain_id, score in zip(domains, scores, strict=True):
        per_domain.setdefault(domain_id, []).append(score)
    tallied = [(domain_id, sum(points), len(points)) for domain_id, points in per_domain.items() if points]
    raw = round(sum(points for _, points, _ in tallied), 4)
    count = len(scores)
    percent = round(100 * raw / count, 2) if count else 0.0
    return Result(
        raw_score=raw,
        max_score=count,
        percent=percent,
        scaled_score=scaled(percent, cut_percent=cut_percent, scale=scale),
        passed=percent >= cut_percent,
        domains=[
            DomainScore(domain_id=domain_id, score=round(points, 4), total=items)
            for domain_id, points, items in tallied
        ],
        item_scores=list(scores),
    )
