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


def run(
    stack_dir: str | Path,
    options: drill.Options | None = None,
    *,
    after: float = 2.0,
    rejoin_timeout: float = 120.0,
    log: drill.Log = drill.stderr_log,
) -> dict[str, Any]:
    """Run the switchover drill against the stack in stack_dir; return its figures (module doc)."""
    options = options or drill.Options()
    with drill.session(stack_dir, options, log=log) as s:
        time.sleep(options.warmup)
        leader, standby = s.stack.wait_healthy(timeout=30)
        asked_at = time.monotonic()
        status, answer = request_switchover(s.stack, leader, standby)
        answered = time.monotonic() - asked_at
        log(f"switchover {leader} -> {standby}: HTTP {status} after {answered:.1f}s: {answer.strip()[:120]}")
        if status != 200:
            raise drill.DrillError(f"Patroni refused the switchover: HTTP {status} {answer}")
        pair = s.stack.wait_healthy(timeout=rejoin_timeout)
        healthy = time.monotonic() - asked_at
        log(f"{pair[0]} leads with {pair[1]} as synchronous standby {healthy:.1f}s after the request")
        time.sleep(after)
    result = s.base_result("switchover", (asked_at, asked_at + healthy))
    result.update(
        warmup_s=options.warmup,
        old_leader=leader,
        new_leader=pair[0],
        patroni_answer=answer.strip()[:200],
        patroni_answered_s=round(answered, 2),
        healthy_again_s=round(healthy, 1),
        longest_write_gap_s=round(drill.longest_gap(s.crowd.acks, asked_at, s.ended), 2),
        longest_save_stall_s=round(drill.longest_stall(s.crowd.acks, asked_at, s.ended), 2),
        timeline=drill.timeline(s.crowd, asked_at, s.ended),
        **s.verification,
    )
    result["targets"] = {
        "zero_lost_and_duplicated": drill.zero_loss(result),
        "gap_under_3s": result["longest_write_gap_s"] < TARGET_GAP_S,
    }
    return result


def summary(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            drill.header_line("Switchover drill", r),
            f"  switchover {r['old_leader']} -> {r['new_leader']} after {r['warmup_s']} s: Patroni "
            f"answered in {r['patroni_answered_s']} s; leader + sync standby again after "
            f"{r['healthy_again_s']} s",
            f"  longest time without any acknowledged save: {r['longest_write_gap_s']} s (target < 3 s): "
            f"{drill.verdict(r['targets']['gap_under_3s'])}; longest wait of one save: "
            f"{r['longest_save_stall_s']} s",
            drill.catalog_line(r),
            drill.loss_line(r),
            drill.errors_line(r),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    return drill.run_main((__doc__ or "").splitlines()[0], run, summary, argv)


if __name__ == "__main__":
    sys.exit(main())
