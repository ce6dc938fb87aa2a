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


def run(
    stack_dir: str | Path,
    options: drill.Options | None = None,
    *,
    outage: float = 8.0,
    rejoin_timeout: float = 120.0,
    log: drill.Log = drill.stderr_log,
) -> dict[str, Any]:
    """Run the standby-loss drill against the stack in stack_dir; return its figures (module doc)."""
    options = options or drill.Options()
    with drill.session(stack_dir, options, log=log) as s:
        time.sleep(options.warmup)
        leader, standby = s.stack.wait_healthy(timeout=30)
        killed_at = time.monotonic()
        pids = drill.devstack().kill_node(s.stack.dir, standby)
        log(f"killed the synchronous standby {standby} with SIGKILL (pids {pids})")
        time.sleep(outage)
        restarted_at = time.monotonic()
        acked_while_down = sum(killed_at <= a.acked <= restarted_at for a in s.crowd.acks)
        acked_last_half = sum(killed_at + outage / 2 <= a.acked <= restarted_at for a in s.crowd.acks)
        log(f"{acked_while_down} saves acknowledged while {standby} was down; restarting it")
        drill.devstack().start_node(s.stack.dir, standby)
        pair = s.stack.wait_healthy(timeout=rejoin_timeout)
        rejoined = time.monotonic() - restarted_at
        log(f"{standby} is the synchronous standby of {pair[0]} again after {rejoined:.1f}s")
        time.sleep(1.0)
    result = s.base_result("standby_loss", (killed_at, restarted_at))
    result.update(
        warmup_s=options.warmup,
        outage_s=outage,
        leader=leader,
        killed=standby,
        killed_pids=pids,
        longest_write_gap_s=round(drill.longest_gap(s.crowd.acks, killed_at, restarted_at), 2),
        longest_save_stall_s=round(drill.longest_stall(s.crowd.acks, killed_at - 0.5, restarted_at), 2),
        acked_while_standby_down=acked_while_down,
        acked_in_second_half_of_outage=acked_last_half,
        rejoined_as_sync_standby_s=round(rejoined, 1),
        sync_pair_after=list(pair),
        timeline=drill.timeline(s.crowd, killed_at, s.ended),
        **s.verification,
    )
    result["targets"] = {
        "zero_lost_and_duplicated": drill.zero_loss(result),
        "stall_under_10s": max(result["longest_write_gap_s"], result["longest_save_stall_s"])
        < TARGET_STALL_S,
        "writes_go_on": acked_last_half > 0,
        # Replica-safe reads fall back to the leader: the public catalog never fails meanwhile.
        "catalog_reads_never_fail": result["catalog_reads_during_fault"]["503"] == 0
        and result["catalog_reads_during_fault"]["other"] == 0,
    }
    return result


def summary(r: dict[str, Any]) -> str:
    t = r["targets"]
    return "\n".join(
        [
            drill.header_line("Standby-loss drill", r),
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
            drill.catalog_line(r),
            drill.loss_line(r),
            drill.errors_line(r),
        ]
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outage", type=float, default=8.0, help="seconds the standby stays down")


def main(argv: list[str] | None = None) -> int:
    return drill.run_main((__doc__ or "").splitlines()[0], run, summary, argv, _arguments)


if __name__ == "__main__":
    sys.exit(main())
