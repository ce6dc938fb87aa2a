"""Zero-loss failover: the bench drills at a small scale against the test stack (they kill nodes).

Each drill serves the app with gunicorn on a scratch database of its own, runs students
autosaving through the real endpoint, breaks the stack, and checks every acknowledged save
against the database; each leaves a leader with a synchronous standby behind (also on failure).
tests/reliability/conftest.py runs these after every other test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import drill, failover, standby_loss, switchover
from tests.support.stack import stack_dir

pytestmark = [pytest.mark.services, pytest.mark.standby]

SMALL = drill.Options(students=20, items=8, warmup=2.0)


@pytest.fixture(autouse=True)
def healthy_stack_after() -> Iterator[None]:
    stack = drill.Stack.open(stack_dir())
    stack.wait_healthy(timeout=60)
    yield
    stack.restore(timeout=120)  # whatever the drill did, hand a healthy pair to the next one


def assert_nothing_lost(result: dict) -> None:
    assert result["acknowledged_saves"] > 100, result
    assert result["unique_index_on_item"], "one Answer per item must be enforced by the schema"
    assert result["lost"] == 0, result["lost_examples"]
    assert result["duplicated"] == 0
    assert result["phantom"] == 0, result["phantom_examples"]
    errors = result["client_errors"]
    assert errors["5xx"] == errors["4xx"] == 0, result["client_error_examples"]  # 503s only, never a 500


def test_killing_the_leader_loses_no_acknowledged_answer_and_recovers_by_itself():
    result = failover.run(stack_dir(), SMALL, after=1.0)

    assert_nothing_lost(result)
    assert result["new_leader"] != result["killed"]
    assert result["first_accepted_save_s"] < failover.TARGET_FIRST_SAVE_S, result["timeline"]
    assert result["rejoined_as_sync_standby_s"] < failover.TARGET_REJOIN_S
    assert result["sync_pair_after"] == [result["new_leader"], result["killed"]]


def test_losing_the_standby_stalls_writes_briefly_and_reads_fall_back_to_the_leader():
    result = standby_loss.run(stack_dir(), SMALL, outage=6.0)

    assert_nothing_lost(result)
    assert result["client_errors"]["503"] == 0
    assert result["longest_write_gap_s"] < standby_loss.TARGET_STALL_S
    assert result["longest_save_stall_s"] < standby_loss.TARGET_STALL_S
    assert result["acked_in_second_half_of_outage"] > 0  # writes go on without the standby
    assert result["catalog_reads_before_fault"]["from_standby"] > 0
    during = result["catalog_reads_during_fault"]
    assert during["ok"] > 0
    assert during["503"] == during["other"] == 0


def test_a_planned_switchover_loses_nothing_and_pauses_writes_briefly():
    result = switchover.run(stack_dir(), SMALL, after=1.0)

    assert_nothing_lost(result)
    assert result["new_leader"] != result["old_leader"]
    assert result["longest_write_gap_s"] < 5.0, result["timeline"]  # target 3 s: see docs/benchmarks.md
