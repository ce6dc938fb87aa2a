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


def run(
    stack_dir: str | Path,
    options: drill.Options | None = None,
    *,
    after: float = 2.0,
    outage_timeout: float = 90.0,
    rejoin_timeout: float = 120.0,
    log: drill.Log = drill.stderr_log,
) -> dict[str, Any]:
    """Run the failover drill against the stack in stack_dir; return its figures (see module doc).

    Leaves the stack with a leader and a synchronous standby, whatever happens.
    """
    options = options or drill.Options()
    with drill.session(stack_dir, options, log=log) as s:
        time.sleep(options.warmup)
        old = s.stack.leader()
        if old is None:
            raise drill.DrillError("no leader to kill")
        acked_before = s.crowd.ack_count()
        killed_at = time.monotonic()
        pids = drill.devstack().kill_node(s.stack.dir, old)
        log(f"killed the leader {old} with SIGKILL (pids {pids}) after {acked_before} acknowledged saves")
        first = None
        while first is None and time.monotonic() - killed_at < outage_timeout:
            time.sleep(0.1)
            first = s.crowd.first_ack_after(killed_at)
        if first is None:
            raise drill.DrillError(f"no save was accepted within {outage_timeout:.0f}s of the kill")
        new = s.stack.leader()
        log(f"first save accepted {first.acked - killed_at:.1f}s after the kill (new leader {new})")
        time.sleep(after)
        restarted_at = time.monotonic()
        drill.devstack().start_node(s.stack.dir, old)
        pair = s.stack.wait_healthy(timeout=rejoin_timeout)
        rejoined = time.monotonic() - restarted_at
        log(f"{old} restarted: {pair[1]} is the synchronous standby of {pair[0]} after {rejoined:.1f}s")
        time.sleep(1.0)
    elected = s.watcher.first(
        lambda members: any(role == "leader/running" for node, role in members.items() if node != old),
        killed_at,
    )
    result = s.base_result("failover", (killed_at, first.acked))
    result.update(
        warmup_s=options.warmup,
        killed=old,
        killed_pids=pids,
        acked_before_kill=acked_before,
        new_leader=new,
        leader_elected_s=round(elected - killed_at, 2) if elected else None,
        first_accepted_save_s=round(first.acked - killed_at, 2),
        longest_write_gap_s=round(drill.longest_gap(s.crowd.acks, killed_at - 1, s.ended), 2),
        longest_save_stall_s=round(drill.longest_stall(s.crowd.acks, killed_at - 1, s.ended), 2),
        rejoined_as_sync_standby_s=round(rejoined, 1),
        sync_pair_after=list(pair),
        timeline=drill.timeline(s.crowd, killed_at, s.ended),
        **s.verification,
    )
    result["targets"] = {
        "zero_lost_and_duplicated": drill.zero_loss(result),
        "first_save_within_25s": result["first_accepted_save_s"] < TARGET_FIRST_SAVE_S,
        "rejoined_within_30s": result["rejoined_as_sync_standby_s"] < TARGET_REJOIN_S,
    }
    return result


def summary(r: dict[str, Any]) -> str:
    t = r["targets"]
    return "\n".join(
        [
            drill.header_line("Failover drill", r),
            f"  killed the leader {r['killed']} (postmaster + Patroni, SIGKILL) after {r['warmup_s']} s "
            f"and {r['acked_before_kill']} acknowledged saves",
            f"  new leader {r['new_leader']} seen in Patroni {r['leader_elected_s']} s after the kill",
            f"  first save accepted {r['first_accepted_save_s']} s after the kill (target < 25 s): "
            f"{drill.verdict(t['first_save_within_25s'])}",
            f"  longest time without any acknowledged save: {r['longest_write_gap_s']} s; "
            f"longest wait of one save: {r['longest_save_stall_s']} s",
            f"  {r['killed']} restarted: synchronous standby again after {r['rejoined_as_sync_standby_s']} s "
            f"(target < 30 s): {drill.verdict(t['rejoined_within_30s'])}",
            drill.catalog_line(r),
            drill.loss_line(r),
            drill.errors_line(r),
        ]
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--after", type=float, default=2.0, help="seconds of saves before restarting the node"
    )


def main(argv: list[str] | None = None) -> int:
    return drill.run_main((__doc__ or "").splitlines()[0], run, summary, argv, _arguments)


if __name__ == "__main__":
    sys.exit(main())
