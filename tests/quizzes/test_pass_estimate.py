"""The pass estimate from first exposures (pure: constructed histories, no database).

Which answers are first exposures is decided in SQL: tests/api/test_pass_estimate_api.py."""

from __future__ import annotations

import datetime as dt

import pytest

from quizzes.readiness import (
    MIN_FIRST_EXPOSURES,
    DomainEvidence,
    NewAnswers,
    pass_estimate,
    pass_trend,
)

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


class Domain:
    """Just what the estimate reads of an ExamDomain."""

    def __init__(self, pk: int, name: str, weight: float | None) -> None:
        self.pk, self.name, self.blueprint_weight = pk, name, weight


def evidence(
    *rows: tuple[float, int], weights: tuple[float | None, ...] | None = None
) -> list[DomainEvidence]:
    weights = weights or tuple(100 / len(rows) for _ in rows)
    return [
        DomainEvidence(i, f"Domain {i}", w, correct, total)
        for i, ((correct, total), w) in enumerate(zip(rows, weights, strict=True), start=1)
    ]


def estimate(*rows: tuple[float, int], **kwargs):
    weights = kwargs.pop("weights", None)
    return pass_estimate(
        evidence(*rows, weights=weights), cut_fraction=kwargs.pop("cut", 0.72), exam_items=65, **kwargs
    )


def test_too_few_answers_say_not_enough_data_and_give_no_chance():
    result = estimate((9, 10), (5, 5))

    assert not result.enough_data
    assert (result.answers, result.needed) == (15, MIN_FIRST_EXPOSURES)
    assert result.probability is None
    assert result.low is None
    assert result.high is None


def test_no_answers_at_all_is_not_enough_data():
    result = estimate((0, 0), (0, 0))

    assert not result.enough_data
    assert [d.mean for d in result.domains] == [0.5, 0.5]  # the Beta(1, 1) prior


def test_a_strong_student_is_very_likely_to_pass():
    result = estimate((45, 50), (46, 50))

    assert result.probability > 0.95
    assert result.low <= result.probability <= result.high


def test_a_weak_student_is_very_unlikely_to_pass():
    result = estimate((20, 50), (25, 50))

    assert result.probability < 0.02


def test_a_student_right_at_the_cut_is_a_coin_toss_with_a_wide_range():
    result = estimate((36, 50), (36, 50), cut=0.72)

    assert 0.35 < result.probability < 0.55
    assert result.low < 0.25
    assert result.high > 0.7


def test_more_evidence_at_the_same_accuracy_narrows_the_range():
    few = estimate((16, 20), (16, 20))
    many = estimate((160, 200), (160, 200))

    assert (many.high - many.low) < (few.high - few.low)


def test_blueprint_weights_decide_which_domain_counts_most():
    strong_in_heavy = estimate((45, 50), (20, 50), weights=(80, 20))
    strong_in_light = estimate((45, 50), (20, 50), weights=(20, 80))

    assert strong_in_heavy.probability > 0.5 > strong_in_light.probability


def test_domains_without_published_weights_count_equally():
    result = estimate((40, 50), (30, 50), weights=(None, None))

    assert [d.weight for d in result.domains] == [0.5, 0.5]


def test_a_domain_below_the_floor_is_flagged_and_lowers_the_chance():
    without = estimate((50, 50), (50, 50), (10, 50))
    with_floor = estimate((50, 50), (50, 50), (10, 50), floor=0.5)

    assert [d.below_floor for d in with_floor.domains] == [False, False, True]
    assert with_floor.probability < without.probability


def test_the_trend_has_a_point_per_attempt_that_brought_new_questions():
    d = Domain(1, "Only", 100)
    day = dt.timedelta(days=1)
    new = [
        NewAnswers(attempt_id=1, finished_at=T0, domain_id=1, correct=5.0, answers=10),
        NewAnswers(attempt_id=2, finished_at=T0 + day, domain_id=1, correct=20.0, answers=20),
        NewAnswers(attempt_id=3, finished_at=T0 + 2 * day, domain_id=1, correct=20.0, answers=20),
    ]

    trend = pass_trend([d], new, cut_fraction=0.7, exam_items=65)

    assert [(p.attempt_id, p.answers) for p in trend] == [(1, 10), (2, 30), (3, 50)]
    assert trend[0].probability is None  # not enough data after the first attempt
    assert trend[1].probability < trend[2].probability


def test_an_attempt_across_several_domains_is_one_point_of_the_trend():
    a, b = Domain(1, "A", 50), Domain(2, "B", 50)
    new = [
        NewAnswers(attempt_id=7, finished_at=T0, domain_id=1, correct=9.0, answers=10),
        NewAnswers(attempt_id=7, finished_at=T0, domain_id=2, correct=8.0, answers=10),
    ]

    (point,) = pass_trend([a, b], new, cut_fraction=0.7, exam_items=65)

    assert (point.attempt_id, point.answers) == (7, 20)
    assert (
        point.probability
        == pass_estimate(evidence((9.0, 10), (8.0, 10)), cut_fraction=0.7, exam_items=65).probability
    )


@pytest.mark.parametrize("cut", [0.5, 0.7, 0.9])
def test_the_chance_always_lies_between_0_and_1(cut):
    result = estimate((30, 40), (10, 40), cut=cut)

    assert 0 <= result.low <= result.probability <= result.high <= 1
