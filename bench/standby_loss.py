"""Standby-loss drill: kill -9 the synchronous standby while students autosave; measure the stall.

    python bench/standby_loss.py [--stack-dir .stack] [--students 20] [--outage 8] [--json]

With one synchronous standby, every commit waits for it; once it dies, Patroni (non-strict
synchronous mode) clears synchronous_standby_names on its next loop and commits go on. Reported:
the longest time without any acknowledged save and the longest wait of one save (target < 10 s),
the saves acknowledged while the standby was down (writes go on), losses (0), whether the public
catalog (replica-safe reads) kept answering, and the time until the restarted standby is
synchronous again.
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

TARGET_STALL_S = 10.0


class StandbyLoss(drill.Drill):
    """Kill the synchronous standby; restart it `outage` s later."""

    name, title = "standby_loss", "Standby-loss drill"

    def __init__(self, *, outage: float = 8.0, rejoin_timeout: float = 120.0):
        self.outage, self.rejoin_timeout = outage, rejoin_timeout

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--outage", type=float, default=8.0, help="seconds the standby stays down")

    def disrupt(self, s: drill.Session, log: drill.Log) -> None:
        self.leader, self.standby = s.stack.wait_healthy(timeout=30)
        killed_at = time.monotonic()
        self.pids = drill.devstack().kill_node(s.stack.dir, self.standby)
        log(f"killed the synchronous standby {self.standby} with SIGKILL (pids {self.pids})")
        time.sleep(self.outage)
        restarted_at = time.monotonic()
        self.fault = (killed_at, restarted_at)
        self.acked_while_down = sum(killed_at <= a.acked <= restarted_at for a in s.crowd.acks)
        second_half = killed_at + self.outage / 2
        self.acked_last_half = sum(second_half <= a.acked <= restarted_at for a in s.crowd.acks)
        log(f"{self.acked_while_down} saves acknowledged while {self.standby} was down; restarting it")

    def recover(self, s: drill.Session, log: drill.Log) -> None:
        restarted_at = self.fault[1]
        drill.devstack().start_node(s.stack.dir, self.standby)
        self.pair = s.stack.wait_healthy(timeout=self.rejoin_timeout)
        self.rejoined = time.monotonic() - restarted_at
        log(f"{self.standby} is the synchronous standby of {self.pair[0]} again after {self.rejoined:.1f}s")
        time.sleep(1.0)

    def figures(self, s: drill.Session) -> dict[str, Any]:
        killed_at, restarted_at = self.fault
        return {
            "outage_s": self.outage,
            "leader": self.leader,
            "killed": self.standby,
            "killed_pids": self.pids,
            "longest_write_gap_s": round(drill.longest_gap(s.crowd.acks, killed_at, restarted_at), 2),
            "longest_save_stall_s": round(
                drill.longest_stall(s.crowd.acks, killed_at - 0.5, restarted_at), 2
            ),
            "acked_while_standby_down": self.acked_while_down,
            "acked_in_second_half_of_outage": self.acked_last_half,
            "rejoined_as_sync_standby_s": round(self.rejoined, 1),
            "sync_pair_after": list(self.pair),
        }

    def targets(self, r: dict[str, Any]) -> dict[str, bool]:
        during = r["catalog_reads_during_fault"]
        return {
            "stall_under_10s": max(r["longest_write_gap_s"], r["longest_save_stall_s"]) < TARGET_STALL_S,
            "writes_go_on": r["acked_in_second_half_of_outage"] > 0,
            # Replica-safe reads fall back to the leader: the public catalog never fails meanwhile.
            "catalog_reads_never_fail": during["503"] == 0 and during["other"] == 0,
        }

    def report(self, r: dict[str, Any]) -> list[str]:
        t = r["targets"]
        return [
            f"  killed the synchronous standby {r['killed']} (postmaster + Patroni, SIGKILL) after "
            f"{r['warmup_s']} s; restarted it {r['outage_s']} s later",
            f"  longest time without any acknowledged save: {r['longest_write_gap_s']} s; longest wait "
            f"of one save: {r['longest_save_stall_s']} s (target < 10 s): "
            f"{drill.verdict(t['stall_under_10s'])}",
            f"  saves acknowledged while the standby was down: {r['acked_while_standby_down']} "
            f"({r['acked_in_second_half_of_outage']} in its second half): writes go on: "
            f"{drill.verdict(t['writes_go_on'])}",
            f"  {r['killed']} synchronous standby again {r['rejoined_as_sync_standby_s']} s "
            "after its restart",
        ]


run = StandbyLoss.run
main = StandbyLoss.main

if __name__ == "__main__":
    sys.exit(main())
