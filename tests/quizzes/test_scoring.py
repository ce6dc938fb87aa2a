"""Scoring is a pure function: no database needed."""

from __future__ import annotations

import pytest

from quizzes.scoring import Scale, ScoredItem, grade, scaled, score_item


def item(key: set[int], selected: set[int], choose: int = 1, domain: int = 1) -> ScoredItem:
    return ScoredItem(domain_id=domain, key=frozenset(key), choose=choose, selected=frozenset(selected))


def test_single_choice_scores_only_the_exact_key():
    assert score_item(item({1}, {1})) == 1
    assert score_item(item({1}, {2})) == 0
    assert score_item(item({1}, set())) == 0


def test_multiple_response_is_all_or_nothing_by_default():
    assert score_item(item({1, 2}, {1, 2}, choose=2)) == 1
    assert score_item(item({1, 2}, {1, 3}, choose=2)) == 0


def test_partial_credit_gives_a_share_per_right_option_and_takes_one_per_wrong():
    assert score_item(item({1, 2}, {1}, choose=2), partial_credit=True) == 0.5
    assert score_item(item({1, 2}, {1, 3}, choose=2), partial_credit=True) == 0
    assert score_item(item({1, 2, 3}, {1, 2, 4}, choose=3), partial_credit=True) == pytest.approx(1 / 3)


def test_scaled_score_maps_the_cut_score_to_the_pass_mark():
    aws = Scale(low=100, high=1000, pass_mark=720)

    assert scaled(72, cut_percent=72, scale=aws) == 720
    assert scaled(0, cut_percent=72, scale=aws) == 100
    assert scaled(100, cut_percent=72, scale=aws) == 1000
    assert scaled(36, cut_percent=72, scale=aws) == 410


def test_no_scale_means_no_scaled_score():
    assert scaled(80, cut_percent=70, scale=Scale()) is None


def test_grade_reports_pass_fail_and_each_domain():
    items = [
        item({1}, {1}, domain=1),
        item({1}, {2}, domain=1),
        item({1}, {1}, domain=2),
        item({1}, {1}, domain=2),
    ]

    result = grade(items, cut_percent=70, scale=Scale(100, 1000, 700), domain_order=[2, 1, 3])

    assert (result.raw_score, result.max_score, result.percent, result.passed) == (3, 4, 75.0, True)
    assert [(d.domain_id, d.score, d.total) for d in result.domains] == [(2, 2, 2), (1, 1, 2)]
    assert result.scaled_score == 750
