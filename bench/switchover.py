"""Switchover drill: a planned leader change (Patroni REST API) while students autosave.

    python bench/switchover.py [--stack-dir .stack] [--students 20] [--json]

Asks the leader's Patroni for a switchover to the synchronous standby (POST /switchover, what
`patronictl switchover --force` does), then waits for the old leader to stream as the new sync
standby. Reported: the longest time without any acknowledged save (target < 3 s), the longest
wait of one save, losses (0) and client errors.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import drill

TARGET_GAP_S = 3.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request_switchover(stack: drill.Stack, leader: str, candidate: str) -> tuple[int, str]:
    """POST /switchover to the leader's Patroni REST API on 127.0.0.1; return (status, body)."""
    nodes = list(drill.devstack().NODES)
    port = int(stack.env["PATRONI_API_PORTS"].split(",")[nodes.index(leader)])
    body = json.dumps({"leader": leader, "candidate": candidate}).encode()
    request = urllib.request.Request(f"http://{drill.LOCALHOST}:{port}/switchover", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with _NO_PROXY.open(request, timeout=60) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class Switchover(drill.Drill):
    """Switch the leader over to the synchronous standby; keep saving `after` s once both are healthy."""

    name, title = "switchover", "Switchover drill"

    def __init__(self, *, after: float = 2.0, rejoin_timeout: float = 120.0):
        self.after, self.rejoin_timeout = after, rejoin_timeout

    def disrupt(self, s: drill.Session, log: drill.Log) -> None:
        self.leader, standby = s.stack.wait_healthy(timeout=30)
        asked_at = time.monotonic()
        status, self.answer = request_switchover(s.stack, self.leader, standby)
        self.answered = time.monotonic() - asked_at
        log(
            f"switchover {self.leader} -> {standby}: HTTP {status} after {self.answered:.1f}s: "
            f"{self.answer.strip()[:120]}"
        )
        if status != 200:
            raise drill.DrillError(f"Patroni refused the switchover: HTTP {status} {self.answer}")
        self.pair = s.stack.wait_healthy(timeout=self.rejoin_timeout)
        self.fault = (asked_at, time.monotonic())
        log(
            f"{self.pair[0]} leads with {self.pair[1]} as synchronous standby "
            f"{self.fault[1] - asked_at:.1f}s after the request"
        )

    def recover(self, s: drill.Session, log: drill.Log) -> None:
        time.sleep(self.after)  # nothing to restart: keep saving on the new pair

    def figures(self, s: drill.Session) -> dict[str, Any]:
        asked_at, healthy_at = self.fault
        return {
            "old_leader": self.leader,
            "new_leader": self.pair[0],
            "patroni_answer": self.answer.strip()[:200],
            "patroni_answered_s": round(self.answered, 2),
            "healthy_again_s": round(healthy_at - asked_at, 1),
            "longest_write_gap_s": round(drill.longest_gap(s.crowd.acks, asked_at, s.ended), 2),
            "longest_save_stall_s": round(drill.longest_stall(s.crowd.acks, asked_at, s.ended), 2),
        }

    def targets(self, r: dict[str, Any]) -> dict[str, bool]:
        return {"gap_under_3s": r["longest_write_gap_s"] < TARGET_GAP_S}

    def report(self, r: dict[str, Any]) -> list[str]:
        return [
            f"  switchover {r['old_leader']} -> {r['new_leader']} after {r['warmup_s']} s: Patroni "
            f"answered in {r['patroni_answered_s']} s; leader + sync standby again after "
            f"{r['healthy_again_s']} s",
            f"  longest time without any acknowledged save: {r['longest_write_gap_s']} s (target < 3 s): "
            f"{drill.verdict(r['targets']['gap_under_3s'])}; longest wait of one save: "
            f"{r['longest_save_stall_s']} s",
        ]


run = Switchover.run
main = Switchover.main

if __name__ == "__main__":
    sys.exit(main())
