"""Domain mastery and readiness from a student's recent graded attempts (pure: no database).

- **Domain mastery**: over the last `READINESS_WINDOW` graded attempts of a path,
  100 x (points in the domain) / (items in the domain); None for a domain none of them covered.
- **Readiness**: the mean of the path's domain mastery weighted by the blueprint weights (a
  range counts as its midpoint; no published weights: equal weights), a domain with no result
  counting as 0, so covering the whole blueprint matters. `ready` is true when readiness reaches
  the highest pass percent among the exams of those attempts.
- **Pass estimate**: the chance of passing the real exam, with an 80% interval, from first
  exposures only (see below and docs/learning.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

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


# --- The pass estimate ------------------------------------------------------------------------------
#
# How likely the student is to pass the real exam, from their answers to questions they had never
# seen before (first exposures: a question answered again after its feedback says little about the
# exam). Per domain, the share the student gets right has a Beta(1, 1) prior updated by those
# answers: Beta(1 + correct, 1 + wrong). The exam score is the blueprint-weighted mean of the
# domain shares plus the luck of the draw on an exam of the real length (binomial). Both are
# approximated as normal, so the estimate is exact arithmetic, fast, and the same every time:
#
#   chance = P(score >= cut)      with score ~ N(mu, var_belief + var_draw)
#   range  = the chance at the 10th and 90th percentile of the belief about the weighted share
#
# A floor (a share every domain must reach) multiplies in each domain's chance of reaching it.

MIN_FIRST_EXPOSURES = 20
_Z80 = NormalDist().inv_cdf(0.9)  # an 80% interval: the 10th to the 90th percentile


@dataclass(frozen=True)
class NewAnswers:
    """What one graded attempt brought in one domain: points and answers on first exposures.

    First exposures (each question's first graded answer by the student, in the order attempts
    finished) are picked in SQL (quizzes.selectors.progress); the estimate needs only their sums.
    """

    attempt_id: int
    finished_at: dt.datetime
    domain_id: int
    correct: float
    answers: int


@dataclass(frozen=True)
class DomainEvidence:
    domain_id: int
    name: str
    weight: float | None
    correct: float = 0.0
    total: int = 0


@dataclass(frozen=True)
class DomainEstimate:
    domain_id: int
    name: str
    weight: float
    correct: float
    total: int
    mean: float
    low: float
    high: float
    below_floor: bool


@dataclass(frozen=True)
class PassEstimate:
    enough_data: bool
    answers: int
    needed: int
    probability: float | None
    low: float | None
    high: float | None
    expected_percent: float | None
    cut_percent: float
    exam_items: int
    floor_percent: float | None
    domains: list[DomainEstimate]

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else round(100 * self.probability)

    @property
    def low_percent(self) -> int | None:
        return None if self.low is None else round(100 * self.low)

    @property
    def high_percent(self) -> int | None:
        return None if self.high is None else round(100 * self.high)


@dataclass(frozen=True)
class TrendPoint:
    attempt_id: int
    finished_at: dt.datetime
    answers: int
    probability: float | None


def _weights(evidence: Sequence[DomainEvidence]) -> list[float]:
    raw = [e.weight for e in evidence]
    if all(w is None for w in raw) or not sum(w or 0.0 for w in raw):
        return [1 / len(evidence)] * len(evidence)
    total = sum(w or 0.0 for w in raw)
    return [(w or 0.0) / total for w in raw]


def _beta(correct: float, total: int) -> tuple[float, float]:
    """Return the mean and variance of Beta(1 + correct, 1 + total - correct)."""
    a, b = 1 + correct, 1 + total - correct
    return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))


def _at_least(threshold: float, mean: float, variance: float) -> float:
    if variance <= 0:
        return 1.0 if mean >= threshold else 0.0
    return 1 - NormalDist(mean, sqrt(variance)).cdf(threshold)


def pass_estimate(
    evidence: Sequence[DomainEvidence],
    *,
    cut_fraction: float,
    exam_items: int,
    floor: float | None = None,
    min_answers: int = MIN_FIRST_EXPOSURES,
) -> PassEstimate:
    """Return the chance of passing an exam of `exam_items` items cut at `cut_fraction` (pure).

    `evidence` is per domain of the blueprint: first-exposure points and answers. Below
    `min_answers` answers in all, the estimate says there is not enough data yet (the domain
    figures are still given).
    """
    weights = _weights(evidence) if evidence else []
    answers = sum(e.total for e in evidence)
    domains, mean, belief_var, draw_var, floors = [], 0.0, 0.0, 0.0, 1.0
    for e, w in zip(evidence, weights, strict=True):
        m, v = _beta(e.correct, e.total)
        sd = sqrt(v)
        domains.append(
            DomainEstimate(
                domain_id=e.domain_id,
                name=e.name,
                weight=w,
                correct=e.correct,
                total=e.total,
                mean=m,
                low=max(0.0, m - _Z80 * sd),
                high=min(1.0, m + _Z80 * sd),
                below_floor=floor is not None and m < floor,
            )
        )
        mean += w * m
        belief_var += w * w * v
        draw_var += w * m * (1 - m) / max(exam_items, 1)
        if floor is not None and w:
            domain_items = max(1.0, w * exam_items)
            floors *= _at_least(floor, m, v + m * (1 - m) / domain_items)
    enough = bool(evidence) and answers >= min_answers
    probability = low = high = None
    if enough:
        probability = floors * _at_least(cut_fraction, mean, belief_var + draw_var)
        spread = _Z80 * sqrt(belief_var)
        # The chance averages over the belief, so far in a tail it can leave the range: widen it.
        low = min(probability, floors * _at_least(cut_fraction, max(0.0, mean - spread), draw_var))
        high = max(probability, floors * _at_least(cut_fraction, min(1.0, mean + spread), draw_var))
    return PassEstimate(
        enough_data=enough,
        answers=answers,
        needed=min_answers,
        probability=probability,
        low=low,
        high=high,
        expected_percent=round(100 * mean, 1) if enough else None,
        cut_percent=round(100 * cut_fraction, 1),
        exam_items=exam_items,
        floor_percent=None if floor is None else round(100 * floor, 1),
        domains=domains,
    )


def evidence_from(domains: Sequence[ExamDomain], new: Iterable[NewAnswers]) -> list[DomainEvidence]:
    """Return the blueprint's domains with the points and answers of these first exposures."""
    sums: dict[int, tuple[float, int]] = {}
    for n in new:
        correct, total = sums.get(n.domain_id, (0.0, 0))
        sums[n.domain_id] = (correct + n.correct, total + n.answers)
    return [DomainEvidence(d.pk, d.name, d.blueprint_weight, *sums.get(d.pk, (0.0, 0))) for d in domains]


def pass_trend(
    domains: Sequence[ExamDomain],
    new: Sequence[NewAnswers],
    *,
    cut_fraction: float,
    exam_items: int,
    floor: float | None = None,
    min_answers: int = MIN_FIRST_EXPOSURES,
) -> list[TrendPoint]:
    """Return the estimate as it stood after each graded attempt that brought new questions.

    `new` in the order the attempts finished, each attempt's rows together (as the selector reads them).
    """
    points = []
    for i, n in enumerate(new):
        if i + 1 < len(new) and new[i + 1].attempt_id == n.attempt_id:
            continue
        estimate = pass_estimate(
            evidence_from(domains, new[: i + 1]),
            cut_fraction=cut_fraction,
            exam_items=exam_items,
            floor=floor,
            min_answers=min_answers,
        )
        points.append(TrendPoint(n.attempt_id, n.finished_at, estimate.answers, estimate.probability))
    return points
