"""Failover drill: kill -9 the leader (postgres and Patroni) while students autosave; count losses.

    python bench/failover.py [--stack-dir .stack] [--students 20] [--json]

Against a running stack (make services-up): N students autosave through the real endpoint of the
app served by gunicorn; after --warmup seconds the leader's postmaster and Patroni get SIGKILL
(devstack.kill_node). Reported: acknowledged saves missing afterwards (must be 0), duplicated
answers (0), the time from the kill to the first accepted save (target < 25 s), client errors
by kind, and, after the old leader's Patroni is started again, the time until it streams as the
synchronous standby (target < 30 s). bench/drill.py says what is started and cleaned up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import drill

TARGET_FIRST_SAVE_S = 25.0
TARGET_REJOIN_S = 30.0


class Failover(drill.Drill):
    """Kill the leader; once saves are accepted again, wait `after` s and restart it."""

    name, title = "failover", "Failover drill"

    def __init__(self, *, after: float = 2.0, outage_timeout: float = 90.0, rejoin_timeout: float = 120.0):
        self.after, self.outage_timeout, self.rejoin_timeout = after, outage_timeout, rejoin_timeout

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--after", type=float, default=2.0, help="seconds of saves before restarting the node"
        )

    def disrupt(self, s: drill.Session, log: drill.Log) -> None:
        self.old = s.stack.leader()
        if self.old is None:
            raise drill.DrillError("no leader to kill")
        self.acked_before = s.crowd.ack_count()
        killed_at = time.monotonic()
        self.pids = drill.devstack().kill_node(s.stack.dir, self.old)
        log(
            f"killed the leader {self.old} with SIGKILL (pids {self.pids}) "
            f"after {self.acked_before} acknowledged saves"
        )
        first = None
        while first is None and time.monotonic() - killed_at < self.outage_timeout:
            time.sleep(0.1)
            first = s.crowd.first_ack_after(killed_at)
        if first is None:
            raise drill.DrillError(f"no save was accepted within {self.outage_timeout:.0f}s of the kill")
        self.fault = (killed_at, first.acked)
        self.new = s.stack.leader()
        log(f"first save accepted {first.acked - killed_at:.1f}s after the kill (new leader {self.new})")

    def recover(self, s: drill.Session, log: drill.Log) -> None:
        time.sleep(self.after)
        restarted_at = time.monotonic()
        drill.devstack().start_node(s.stack.dir, self.old)
        self.pair = s.stack.wait_healthy(timeout=self.rejoin_timeout)
        self.rejoined = time.monotonic() - restarted_at
        log(
            f"{self.old} restarted: {self.pair[1]} is the synchronous standby of {self.pair[0]} "
            f"after {self.rejoined:.1f}s"
        )
        time.sleep(1.0)

    def figures(self, s: drill.Session) -> dict[str, Any]:
        killed_at, first_acked = self.fault
        elected = s.watcher.first(
            lambda members: any(
                role == "leader/running" for node, role in members.items() if node != self.old
            ),
            killed_at,
        )
        return {
            "killed": self.old,
            "killed_pids": self.pids,
            "acked_before_kill": self.acked_before,
            "new_leader": self.new,
            "leader_elected_s": round(elected - killed_at, 2) if elected else None,
            "first_accepted_save_s": round(first_acked - killed_at, 2),
            "longest_write_gap_s": round(drill.longest_gap(s.crowd.acks, killed_at - 1, s.ended), 2),
            "longest_save_stall_s": round(drill.longest_stall(s.crowd.acks, killed_at - 1, s.ended), 2),
            "rejoined_as_sync_standby_s": round(self.rejoined, 1),
            "sync_pair_after": list(self.pair),
        }

    def targets(self, r: dict[str, Any]) -> dict[str, bool]:
        return {
            "first_save_within_25s": r["first_accepted_save_s"] < TARGET_FIRST_SAVE_S,
            "rejoined_within_30s": r["rejoined_as_sync_standby_s"] < TARGET_REJOIN_S,
        }

    def report(self, r: dict[str, Any]) -> list[str]:
        t = r["targets"]
        return [
            f"  killed the leader {r['killed']} (postmaster + Patroni, SIGKILL) after {r['warmup_s']} s "
            f"and {r['acked_before_kill']} acknowledged saves",
            f"  new leader {r['new_leader']} seen in Patroni {r['leader_elected_s']} s after the kill",
            f"  first save accepted {r['first_accepted_save_s']} s after the kill (target < 25 s): "
            f"{drill.verdict(t['first_save_within_25s'])}",
            f"  longest time without any acknowledged save: {r['longest_write_gap_s']} s; "
            f"longest wait of one save: {r['longest_save_stall_s']} s",
            f"  {r['killed']} restarted: synchronous standby again after {r['rejoined_as_sync_standby_s']} s "
            f"(target < 30 s): {drill.verdict(t['rejoined_within_30s'])}",
        ]


run = Failover.run
main = Failover.main

if __name__ == "__main__":
    sys.exit(main())
