"""The blueprint rule: counts add up exactly and each stays within one of its exact share."""

from __future__ import annotations

import math

import pytest

from quizzes.blueprint import DomainWeight, allocate


def domains(*weights: float | None) -> list[DomainWeight]:
    return [DomainWeight(i, f"D{i}", w) for i, w in enumerate(weights, start=1)]


def test_clf_c02_weights_for_65_items():
    assert allocate(65, domains(24, 30, 34, 12)) == {1: 16, 2: 19, 3: 22, 4: 8}


def test_largest_remainders_get_the_leftover_items():
    # shares 3.33 / 3.33 / 3.33: one item left, the first domain wins the tie
    assert allocate(10, domains(1, 1, 1)) == {1: 4, 2: 3, 3: 3}


def test_ranges_count_as_their_midpoint():
    # DP-900 ranges: 27.5 / 22.5 / 17.5 / 27.5
    assert allocate(40, domains(27.5, 22.5, 17.5, 27.5)) == {1: 12, 2: 9, 3: 7, 4: 12}


def test_no_published_weights_means_equal_shares():
    assert allocate(7, domains(None, None, None)) == {1: 3, 2: 2, 3: 2}


@pytest.mark.parametrize("count", [1, 5, 13, 50, 65, 200])
def test_counts_add_up_and_stay_within_one_of_the_exact_share(count: int):
    weights = (13, 14, 18, 20, 22, 13)
    result = allocate(count, domains(*weights))

    assert sum(result.values()) == count
    for i, weight in enumerate(weights, start=1):
        share = count * weight / sum(weights)
        assert math.floor(share) <= result[i] <= math.ceil(share)
