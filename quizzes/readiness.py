"""Domain mastery and readiness from a student's recent graded attempts (pure: no database).

- **Domain mastery**: over the last `READINESS_WINDOW` graded attempts of a path,
  100 x (points in the domain) / (items in the domain); None for a domain none of them covered.
- **Readiness**: the mean of the path's domain mastery weighted by the blueprint weights (a
  range counts as its midpoint; no published weights: equal weights), a domain with no result
  counting as 0, so covering the whole blueprint matters. `ready` is true when readiness reaches
  the highest pass percent among the exams of those attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from courses.models import ExamDomain

READINESS_WINDOW = 5


def percent_of(part: float, whole: float) -> float:
    """Return part as a percent of whole, to one decimal (0 when whole is 0)."""
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class DomainMastery:
    domain_id: int
    name: str
    position: int
    weight: float | None
    score: float
    total: int
    mastery_percent: float | None


@dataclass(frozen=True)
class Readiness:
    percent: float | None
    ready: bool
    pass_percent: int | None
    attempts_considered: int
    window: int
    coverage_percent: float


@dataclass(frozen=True)
class RecentResult:
    """A graded attempt inside the readiness window."""

    attempt_id: int
    score_percent: float
    pass_percent: int


def readiness(
    domains: Sequence[ExamDomain], results: dict[int, tuple[float, int]], recent: Sequence[RecentResult]
) -> tuple[list[DomainMastery], Readiness]:
    """Return per-domain mastery and readiness from the window's domain results (pure)."""
    published = [d.blueprint_weight for d in domains]
    equal = all(w is None for w in published)
    weights = {d.pk: 1.0 if equal else (d.blueprint_weight or 0.0) for d in domains}
    mastery = []
    for domain in domains:
        score, total = results.get(domain.pk, (0.0, 0))
        mastery.append(
            DomainMastery(
                domain_id=domain.pk,
                name=domain.name,
                position=domain.position,
                weight=domain.blueprint_weight,
                score=round(score, 2),
                total=total,
                mastery_percent=percent_of(score, total) if total else None,
            )
        )
    total_weight = sum(weights.values())
    covered = sum(weights[m.domain_id] for m in mastery if m.total)
    if not recent:
        percent = None
    elif total_weight:
        percent = round(
            sum(weights[m.domain_id] * (m.mastery_percent or 0.0) for m in mastery) / total_weight, 1
        )
    else:  # a path without a blueprint: the plain mean of the window's scores
        percent = round(sum(r.score_percent for r in recent) / len(recent), 1)
    pass_percent = max((r.pass_percent for r in recent), default=None)
    return mastery, Readiness(
        percent=percent,
        ready=percent is not None and pass_percent is not None and percent >= pass_percent,
        pass_percent=pass_percent,
        attempts_considered=len(recent),
        window=READINESS_WINDOW,
        coverage_percent=percent_of(covered, total_weight) if recent else 0.0,
    )
